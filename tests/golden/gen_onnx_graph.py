#!/usr/bin/env python3
"""gen_onnx_graph.py - write tests/data/onnx/graph*.onnx: a small network
with the graph shapes PyTorch models have (a residual add, a
squeeze-excitation product, a channel concat, BatchNorm, grouped conv,
PReLU, ReLU6, hardswish, hardsigmoid, SiLU, ELU, ConvTranspose2d, ceil-mode
max pool, average pool without padded counts, dropout, a view to flatten,
log-softmax), exported by torch.onnx.export at opsets 9, 11 and 13 (the
last with a dynamic batch, so the flatten is a Shape/Gather/Unsqueeze/
Concat chain), with an input batch and PyTorch's own output as ONNX
TensorProto files; and upsample*.onnx, nearest nn.Upsample by 2 and 3
(Upsample at opset 9, Resize at 11 and 13); and dense-opset13.onnx, a
dense block whose last Concat joins 41 inputs (an exported DenseNet's
concats join up to 49). Needs python3-torch and python3-onnx; the tests
only read what it wrote.

    python3 tests/golden/gen_onnx_graph.py
"""
import os

import torch
import torch.nn as nn
from onnx import numpy_helper

OUT = os.path.join(os.path.dirname(__file__), "..", "data", "onnx")


class SE(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.fc1 = nn.Conv2d(c, 4, 1)
        self.fc2 = nn.Conv2d(4, c, 1)

    def forward(self, x):
        w = nn.functional.adaptive_avg_pool2d(x, 1)
        return x * torch.sigmoid(self.fc2(torch.relu(self.fc1(w))))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.c2 = nn.Conv2d(8, 8, 3, padding=1, groups=2)
        self.se = SE(8)
        self.c3 = nn.Conv2d(16, 8, 1)
        self.prelu = nn.PReLU(8)
        self.up = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)
        self.pool = nn.MaxPool2d(2, ceil_mode=True)
        self.ap = nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)
        self.drop = nn.Dropout(0.3)
        self.fc = nn.Linear(4 * 4 * 4, 10)

    def forward(self, x):
        y = torch.relu(self.bn(self.c1(x)))
        z = nn.functional.hardswish(self.c2(y)) + y
        z = self.se(z)
        z = torch.cat([z, nn.functional.relu6(y)], 1)
        z = self.prelu(self.c3(z))
        z = self.up(z)
        z = self.pool(nn.functional.silu(z))
        z = self.ap(nn.functional.hardsigmoid(z))
        z = z.view(z.size(0), -1)
        return torch.log_softmax(self.fc(self.drop(nn.functional.elu(z))), 1)


def tensor_file(path, array):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(array).SerializeToString())


def main():
    torch.manual_seed(0)
    m = Net()
    with torch.no_grad():
        m.bn.running_mean.uniform_(-0.5, 0.5)
        m.bn.running_var.uniform_(0.5, 2.0)
    m.eval()
    x = torch.randn(3, 3, 8, 8)
    with torch.no_grad():
        y = m(x)
    os.makedirs(OUT, exist_ok=True)
    tensor_file(os.path.join(OUT, "graph-in.pb"), x.numpy())
    tensor_file(os.path.join(OUT, "graph-out.pb"), y.numpy())
    for opset in (9, 11, 13):
        kw = {}
        if opset == 13:
            kw["dynamic_axes"] = {"input": {0: "batch"}, "out": {0: "batch"}}
        torch.onnx.export(m, x, os.path.join(OUT, "graph-opset%d.onnx" % opset),
                          input_names=["input"], output_names=["out"],
                          opset_version=opset, **kw)


def upsample():
    torch.manual_seed(1)
    m = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.Upsample(scale_factor=2),
                      nn.ReLU(), nn.Upsample(scale_factor=3), nn.Flatten()).eval()
    x = torch.randn(2, 2, 4, 4)
    with torch.no_grad():
        y = m(x)
    tensor_file(os.path.join(OUT, "upsample-in.pb"), x.numpy())
    tensor_file(os.path.join(OUT, "upsample-out.pb"), y.numpy())
    for opset in (9, 11, 13):
        torch.onnx.export(m, x, os.path.join(OUT, "upsample-opset%d.onnx" % opset),
                          opset_version=opset)


class Dense(nn.Module):
    """Each 1x1 conv sees the concat of all earlier features; the block's
    output concatenates the input and all 40 layers at once."""

    def __init__(self, c=2, growth=1, n=40):
        super().__init__()
        self.convs = nn.ModuleList(nn.Conv2d(c + k * growth, growth, 1) for k in range(n))
        self.fc = nn.Linear(c + n * growth, 10)

    def forward(self, x):
        feats = [x]
        for conv in self.convs:
            feats.append(torch.relu(conv(torch.cat(feats, 1))))
        z = nn.functional.adaptive_avg_pool2d(torch.cat(feats, 1), 1)
        return self.fc(torch.flatten(z, 1))


def dense():
    torch.manual_seed(2)
    m = Dense().eval()
    x = torch.randn(2, 2, 3, 3)
    with torch.no_grad():
        y = m(x)
    tensor_file(os.path.join(OUT, "dense-in.pb"), x.numpy())
    tensor_file(os.path.join(OUT, "dense-out.pb"), y.numpy())
    torch.onnx.export(m, x, os.path.join(OUT, "dense-opset13.onnx"), opset_version=13)


if __name__ == "__main__":
    dense()
    upsample()
    main()
