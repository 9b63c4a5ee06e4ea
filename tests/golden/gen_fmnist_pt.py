#!/usr/bin/python3
# gen_fmnist_pt.py - a network trained in PyTorch, shipped the ways students
# ship one, with PyTorch's own numbers, so that convcalc's readers and its
# engine can be checked against them without torch:
#
#   tests/data/pt/fmnist-bn.pt          torch.save(model.state_dict())
#   tests/data/pt/fmnist-bn.repr        print(model)
#   tests/data/pt/fmnist-bn.onnx        torch.onnx.export (eval mode, opset 13)
#   tests/data/pt/fmnist-bn.safetensors the same state_dict as safetensors
#                                       (written here by hand: F32 + I64)
#   tests/data/pt/fmnist-bn-ref.txt     mean/std used, PyTorch's loss, correct
#                                       count and accuracy on the training and
#                                       test splits (eval mode)
#   tests/data/pt/ref-input.npy         8 test images, ToTensor + Normalize
#                                       (float32, 8x1x28x28)
#   tests/data/pt/ref-input.pb          the same as an ONNX TensorProto
#   tests/data/pt/ref-output.npy        the model's logits on them (8x10)
#   tests/data/pt/img0.pgm, img0.png    test image 0 as an 8-bit picture
#   tests/data/pt/img0-output.npy       the logits for it (1x10)
# and small fixtures for the readers' edge cases:
#   tiny-f64.pt, tiny-f16.pt   a Linear(3, 2) state_dict in float64/float16
#   tiny-views.pt              tensors that are views of shared storages
#                              (a slice with an offset, a transposed view)
#   tiny-legacy.pt             the pre-1.6 (non-zip) torch.save format
#   tiny-module.pt             a whole nn.Module saved (not a state_dict)
#   tiny-int.pt                an int32 tensor
#   tiny-views-ref.npy         the values of tiny-views.pt's 'b' (row-major)
#   arr-*.npy                  .npy files: f4, f8, u1, fortran order
#
# Training: 1 epoch of SGD (lr 0.05, momentum 0.9, batch 64) on the first
# 20000 training images, seed 1: brief, but far from chance.
#   /usr/bin/python3 tests/golden/gen_fmnist_pt.py
import gzip
import json
import os
import struct

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "data", "pt")
DIR = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530


def idx(path, images):
    raw = gzip.open(path, "rb").read()
    if images:
        magic, n, h, w = struct.unpack(">IIII", raw[:16])
        assert magic == 0x803
        return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, 1, h, w)
    magic, n = struct.unpack(">II", raw[:8])
    assert magic == 0x801
    return np.frombuffer(raw, dtype=np.uint8, offset=8).astype(np.int64)


def prep(x):
    """ToTensor (bytes / 255) then Normalize(MEAN, STD)."""
    return (torch.from_numpy(x.astype(np.float32)) / 255.0 - MEAN) / STD


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Dropout(0.25), nn.Linear(16 * 7 * 7, 32), nn.BatchNorm1d(32),
            nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def save_safetensors(path, sd):
    header, blobs, off = {}, [], 0
    for name, t in sd.items():
        t = t.contiguous()
        if t.dtype == torch.float32:
            dt, raw = "F32", t.numpy().astype("<f4").tobytes()
        elif t.dtype == torch.int64:
            dt, raw = "I64", t.numpy().astype("<i8").tobytes()
        else:
            raise ValueError(t.dtype)
        header[name] = {"dtype": dt, "shape": list(t.shape),
                        "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def evaluate(net, x, y):
    net.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(x), 1000):
            out = net(prep(x[i:i + 1000]))
            yy = torch.from_numpy(y[i:i + 1000])
            loss += nn.functional.cross_entropy(out, yy, reduction="sum").item()
            correct += (out.argmax(1) == yy).sum().item()
    return loss / len(x), correct


def pgm(path, img):
    h, w = img.shape
    with open(path, "wb") as f:
        f.write(b"P5\n%d %d\n255\n" % (w, h) + img.tobytes())


def png(path, img):
    import zlib
    h, w = img.shape
    raw = b"".join(b"\x00" + img[r].tobytes() for r in range(h))

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def fixtures():
    torch.manual_seed(2)
    lin = nn.Linear(3, 2)
    torch.save({k: v.double() for k, v in lin.state_dict().items()},
               os.path.join(OUT, "tiny-f64.pt"))
    torch.save({k: v.half() for k, v in lin.state_dict().items()},
               os.path.join(OUT, "tiny-f16.pt"))
    np.save(os.path.join(OUT, "tiny-lin-weight.npy"), lin.weight.detach().numpy())
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    views = {"a": base[1:3], "b": base.t(), "c": base[:, 2]}
    torch.save(views, os.path.join(OUT, "tiny-views.pt"))
    np.save(os.path.join(OUT, "tiny-views-ref.npy"),
            np.concatenate([v.contiguous().numpy().ravel() for v in views.values()]))
    torch.save(lin.state_dict(), os.path.join(OUT, "tiny-legacy.pt"),
               _use_new_zipfile_serialization=False)
    torch.save(lin, os.path.join(OUT, "tiny-module.pt"))
    torch.save({"weight": torch.arange(6, dtype=torch.int32).reshape(2, 3)},
               os.path.join(OUT, "tiny-int.pt"))
    a = np.arange(6, dtype=np.float32).reshape(2, 3) / 4
    np.save(os.path.join(OUT, "arr-f4.npy"), a)
    np.save(os.path.join(OUT, "arr-f8.npy"), a.astype(np.float64))
    np.save(os.path.join(OUT, "arr-u1.npy"), (a * 8).astype(np.uint8))
    np.save(os.path.join(OUT, "arr-fortran.npy"), np.asfortranarray(a))
    np.save(os.path.join(OUT, "arr-i4.npy"), a.astype(np.int32))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(2)
    torch.manual_seed(1)
    x = idx(DIR + "/train-images-idx3-ubyte.gz", True)
    y = idx(DIR + "/train-labels-idx1-ubyte.gz", False)
    tx = idx(DIR + "/t10k-images-idx3-ubyte.gz", True)
    ty = idx(DIR + "/t10k-labels-idx1-ubyte.gz", False)
    net = Net()
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    n = 20000
    perm = torch.randperm(n)
    net.train()
    for i in range(0, n, 64):
        b = perm[i:i + 64].numpy()
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(prep(x[b])), torch.from_numpy(y[b]))
        loss.backward()
        opt.step()
    net.eval()
    base = os.path.join(OUT, "fmnist-bn")
    torch.save(net.state_dict(), base + ".pt")
    save_safetensors(base + ".safetensors", net.state_dict())
    with open(base + ".repr", "w") as f:
        print(net, file=f)
    ex = prep(tx[:8])
    torch.onnx.export(net, ex, base + ".onnx", opset_version=13, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"},
                                                             "logits": {0: "batch"}})
    with torch.no_grad():
        np.save(os.path.join(OUT, "ref-input.npy"), ex.numpy())
        np.save(os.path.join(OUT, "ref-output.npy"), net(ex).numpy())
        np.save(os.path.join(OUT, "img0-output.npy"), net(prep(tx[:1])).numpy())
    import onnx.numpy_helper
    with open(os.path.join(OUT, "ref-input.pb"), "wb") as f:
        f.write(onnx.numpy_helper.from_array(ex.numpy(), "input").SerializeToString())
    pgm(os.path.join(OUT, "img0.pgm"), tx[0, 0])
    png(os.path.join(OUT, "img0.png"), tx[0, 0])
    trl, trc = evaluate(net, x, y)
    tel, tec = evaluate(net, tx, ty)
    with open(base + "-ref.txt", "w") as f:
        f.write("# PyTorch %s, eval mode, ToTensor then Normalize(%g, %g)\n"
                % (torch.__version__, MEAN, STD))
        f.write("mean %g\nstd %g\n" % (MEAN, STD))
        f.write("train_images %d\ntrain_loss %.6f\ntrain_correct %d\ntrain_accuracy %.4f\n"
                % (len(x), trl, trc, 100.0 * trc / len(x)))
        f.write("test_images %d\ntest_loss %.6f\ntest_correct %d\ntest_accuracy %.4f\n"
                % (len(tx), tel, tec, 100.0 * tec / len(tx)))
    fixtures()
    print(open(base + "-ref.txt").read(), end="")


if __name__ == "__main__":
    main()
