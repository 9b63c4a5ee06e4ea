#!/usr/bin/python3
# train_fmnist_torch.py - the training `convcalc train` does for the README,
# in PyTorch, to compare the time per epoch on the same machine:
# the assignment network adapted to 28x28x1, Fashion-MNIST from Debian's
# dataset-fashion-mnist, 10% of the training set held out, per-channel
# normalisation from the training split, SGD, cross-entropy, batch 64.
#
#   /usr/bin/python3 tests/bench/train_fmnist_torch.py [--epochs N] [--limit N]
#       [--threads N] [--lr X] [--batch N]
#
# Prints one line per epoch (seconds, images/s, losses, accuracies) and a
# last line "seconds_per_epoch S" for tests/bench/train_fmnist.sh. With
# --results it also evaluates the training, validation and test splits at
# the end (eval mode, no_grad, --eval-batch images per pass) and prints them:
# the work of `convcalc train`'s results table (tests/bench/run.sh).
import argparse
import gzip
import struct
import time

import numpy as np
import torch
import torch.nn as nn

DIR = "/usr/share/datasets/fashion-mnist"


def idx(path, images):
    raw = gzip.open(path, "rb").read()
    if images:
        magic, n, h, w = struct.unpack(">IIII", raw[:16])
        assert magic == 0x803
        return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, 1, h, w)
    magic, n = struct.unpack(">II", raw[:8])
    assert magic == 0x801
    return np.frombuffer(raw, dtype=np.uint8, offset=8).astype(np.int64)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0, help="training images used (0: all)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--results", action="store_true")
    ap.add_argument("--eval-batch", type=int, default=1000)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x = idx(DIR + "/train-images-idx3-ubyte.gz", True)
    y = idx(DIR + "/train-labels-idx1-ubyte.gz", False)
    tx = idx(DIR + "/t10k-images-idx3-ubyte.gz", True)
    ty = idx(DIR + "/t10k-labels-idx1-ubyte.gz", False)
    if a.limit:
        x, y = x[: a.limit], y[: a.limit]
    rng = np.random.default_rng(a.seed)
    perm = rng.permutation(len(x))
    nval = int(round(0.1 * len(x)))
    vi, ti = np.sort(perm[:nval]), np.sort(perm[nval:])
    xt = torch.from_numpy(x[ti].astype(np.float32) / 255)
    mean, std = xt.mean().item(), xt.std(unbiased=False).item()
    norm = lambda t: (torch.from_numpy(t.astype(np.float32) / 255) - mean) / std
    xt, yt = (xt - mean) / std, torch.from_numpy(y[ti])
    xv, yv = norm(x[vi]), torch.from_numpy(y[vi])
    xs, ys = norm(tx), torch.from_numpy(ty)
    net = nn.Sequential(
        nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 128, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1152, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = torch.optim.SGD(net.parameters(), lr=a.lr)
    loss_fn = nn.CrossEntropyLoss()

    def evaluate(xe, ye):
        net.eval()
        with torch.no_grad():
            tot, right = 0.0, 0
            eb = a.eval_batch
            for i in range(0, len(xe), eb):
                o = net(xe[i : i + eb])
                tot += loss_fn(o, ye[i : i + eb]).item() * len(o)
                right += (o.argmax(1) == ye[i : i + eb]).sum().item()
        return tot / len(xe), right / len(xe)

    times = []
    for epoch in range(1, a.epochs + 1):
        net.train()
        order = torch.randperm(len(xt))
        t0 = time.perf_counter()
        for i in range(0, len(xt), a.batch):
            b = order[i : i + a.batch]
            opt.zero_grad()
            loss = loss_fn(net(xt[b]), yt[b])
            loss.backward()
            opt.step()
        dt = time.perf_counter() - t0
        times.append(dt)
        vl, va = evaluate(xv, yv)
        print("epoch %d: %.1f s, %.0f img/s, validation loss %.4f acc %.2f%%"
              % (epoch, dt, len(xt) / dt, vl, 100 * va), flush=True)
    if a.results:
        for name, xe, ye in (("training", xt, yt), ("validation", xv, yv), ("test", xs, ys)):
            el, ea = evaluate(xe, ye)
            print("results %s loss %.4f acc %.2f%%" % (name, el, 100 * ea))
    else:
        sl, sa = evaluate(xs, ys)
        print("test loss %.4f acc %.2f%%" % (sl, 100 * sa))
    print("seconds_per_epoch %.3f" % (sum(times) / len(times)))


if __name__ == "__main__":
    main()
