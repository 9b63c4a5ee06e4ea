#!/usr/bin/python3
"""Generate tests/data/torch/NAME.txt (PyTorch's print(model), as users paste
it) and NAME.expect (the true counts, computed by PyTorch) for the unit test
tests/unit/test_import_torch.c.

Run from the repository root with Debian's python3-torch and
python3-torchvision:   /usr/bin/python3 tests/golden/gen_torch_reprs.py
The tests never need Python: the generated files are committed.

NAME.expect holds one "key value" per line:
  input HxWxC          input size the test passes (absent: none)
  shapes KIND          what convcalc must conclude: sequential (every container
                       is nn.Sequential), assumed (custom modules that run in
                       printed order), unknown (forward is not a chain)
  total_params N       sum of p.numel() over model.parameters()
  trainable_params N   the same over parameters with requires_grad
  buffers N            running statistics (num_batches_tracked excluded)
  macs N               conv: out.numel() * Cin/groups*kh*kw; linear: in*out,
                       from the shapes PyTorch produced (batch 1; the
                       forward pass runs on a batch of 2 zero images)
  out C H W | out N    output shape of every leaf module, in the order
                       forward() called them (only for sequential/assumed)
"""
import os
import sys

import torch
import torch.nn as nn
import torchvision.models as tvm

OUT = os.path.join("tests", "data", "torch")


class Block(nn.Module):
    """A named custom module whose forward runs its children in order."""

    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.act = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class BlockNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = Block(3, 16)
        self.body = nn.Sequential(Block(16, 32), nn.MaxPool2d(2), Block(32, 64))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flat = nn.Flatten()
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        return self.head(self.flat(self.pool(self.body(self.stem(x)))))


class TutorialNet(nn.Module):
    """The PyTorch 60-minute blitz CIFAR-10 net: pool is used twice and the
    ReLUs are functional, so the repr is not the forward order."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(x)))))


def assignment():
    return nn.Sequential(
        nn.Conv2d(3, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 128, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(2048, 64), nn.ReLU(), nn.Linear(64, 10))


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(),
        nn.Linear(84, 10))


def mobilenet_ish():
    def dw(cin, cout, stride, dil=1):
        return nn.Sequential(
            nn.Conv2d(cin, cin, 3, stride=stride, padding=dil, dilation=dil, groups=cin,
                      bias=False),
            nn.BatchNorm2d(cin), nn.ReLU6(inplace=True),
            nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))
    return nn.Sequential(
        nn.Sequential(nn.Conv2d(3, 32, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(32),
                      nn.ReLU(inplace=True)),
        dw(32, 64, 1), dw(64, 128, 2), dw(128, 128, 1, dil=2), dw(128, 256, 2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(256, 10))


def zoo():
    return nn.Sequential(
        nn.Conv2d(3, 8, (3, 5), stride=(2, 1), padding=(1, 2)),
        nn.BatchNorm2d(8, eps=1e-3, momentum=0.01),
        nn.LeakyReLU(0.2),
        nn.MaxPool2d(3, stride=1, padding=1, dilation=2),
        nn.Conv2d(8, 12, 3, padding=2, dilation=2, groups=4, bias=False),
        nn.ELU(alpha=0.5),
        nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
        nn.BatchNorm2d(12, affine=False),
        nn.GELU(), nn.SiLU(), nn.Hardswish(), nn.Hardsigmoid(), nn.Identity(),
        nn.Dropout2d(0.1),
        nn.AdaptiveAvgPool2d((3, 5)),
        nn.MaxPool2d(kernel_size=2, stride=2, ceil_mode=True),
        nn.Flatten(),
        nn.Linear(12 * 2 * 3, 40, bias=False),
        nn.BatchNorm1d(40, track_running_stats=False),
        nn.Sigmoid(), nn.Dropout(p=0.3), nn.Linear(40, 20), nn.Tanh(), nn.Linear(20, 5),
        nn.Softmax(dim=1))


MODELS = [
    # name, constructor, input (H, W, C) or None, expected shape status
    ("assignment", assignment, (32, 32, 3), "sequential"),
    ("lenet5", lenet5, (32, 32, 1), "sequential"),
    ("mobilenet_ish", mobilenet_ish, (64, 64, 3), "sequential"),
    ("zoo", zoo, (17, 21, 3), "sequential"),
    ("blocknet", BlockNet, (32, 32, 3), "assumed"),
    ("alexnet", lambda: tvm.alexnet(), (224, 224, 3), "assumed"),
    ("vgg16", lambda: tvm.vgg16(), (224, 224, 3), "assumed"),
    ("vgg11_bn", lambda: tvm.vgg11_bn(), (224, 224, 3), "assumed"),
    ("tutorial_net", TutorialNet, (32, 32, 3), "unknown"),
    ("resnet18", lambda: tvm.resnet18(), (224, 224, 3), "assumed"),
    ("resnet50", lambda: tvm.resnet50(), None, "none"),
    ("mobilenet_v2", lambda: tvm.mobilenet_v2(), (224, 224, 3), "assumed"),
    ("squeezenet1_0", lambda: tvm.squeezenet1_0(), (224, 224, 3), "assumed"),
    ("densenet121", lambda: tvm.densenet121(), None, "none"),
    ("googlenet", lambda: tvm.googlenet(aux_logits=False, init_weights=False), None, "none"),
]


def leaves_in_forward_order(model, size):
    rows, macs = [], [0]

    def hook(mod, inp, out):
        rows.append(tuple(out.shape[1:]))
        if isinstance(mod, nn.Conv2d):
            k = mod.kernel_size[0] * mod.kernel_size[1] * mod.in_channels // mod.groups
            macs[0] += out[0].numel() * k
        elif isinstance(mod, nn.Linear):
            macs[0] += mod.in_features * mod.out_features

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if len(list(m.children())) == 0]
    h, w, c = size
    model.eval()
    with torch.no_grad():
        # batch 2: BatchNorm without running statistics needs more than one
        model(torch.zeros(2, c, h, w))
    for hd in handles:
        hd.remove()
    return rows, macs[0]


def main():
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    for name, make, size, status in MODELS:
        model = make()
        with open(os.path.join(OUT, name + ".txt"), "w") as f:
            f.write(str(model) + "\n")
        lines = []
        if size:
            lines.append("input %dx%dx%d" % size)
        lines.append("shapes " + status)
        lines.append("total_params %d" % sum(p.numel() for p in model.parameters()))
        lines.append("trainable_params %d" %
                     sum(p.numel() for p in model.parameters() if p.requires_grad))
        lines.append("buffers %d" % sum(b.numel() for n, b in model.named_buffers()
                                        if not n.endswith("num_batches_tracked")))
        if status in ("sequential", "assumed"):
            rows, macs = leaves_in_forward_order(model, size)
            lines.append("macs %d" % macs)
            for r in rows:
                lines.append("out " + " ".join(str(d) for d in r))
        with open(os.path.join(OUT, name + ".expect"), "w") as f:
            f.write("\n".join(lines) + "\n")
        print(name, lines[2 if size else 1:5])


if __name__ == "__main__":
    sys.exit(main())
