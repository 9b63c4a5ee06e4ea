#!/usr/bin/env python3
"""gen_onnx_deep.py - write tests/data/onnx/resnet32-narrow.onnx: a CIFAR-style
ResNet-32 (He et al. 2016, section 4.2: 3 stages of 5 basic blocks, widths
4/8/16 here to keep the file small, 1x1 projection shortcuts where the shape
changes), exported by torch.onnx.export at opset 13 in evaluation mode (so
BatchNorm is folded into the convolutions), for the network diagram of a deep
ONNX graph (params --format svg). Needs python3-torch; the tests only read
what it wrote.

    /usr/bin/python3 tests/golden/gen_onnx_deep.py
"""
import os

import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(__file__), "..", "data", "onnx")


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                       nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + (x if self.short is None else self.short(x)))


class ResNet32(nn.Module):
    def __init__(self, w=(4, 8, 16), classes=10):
        super().__init__()
        self.conv = nn.Conv2d(3, w[0], 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(w[0])
        layers, cin = [], w[0]
        for i, c in enumerate(w):
            for b in range(5):
                layers.append(Block(cin, c, 2 if i > 0 and b == 0 else 1))
                cin = c
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.layers(torch.relu(self.bn(self.conv(x))))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def main():
    torch.manual_seed(0)
    m = ResNet32().eval()
    os.makedirs(OUT, exist_ok=True)
    torch.onnx.export(m, torch.randn(1, 3, 32, 32), os.path.join(OUT, "resnet32-narrow.onnx"),
                      input_names=["input"], output_names=["out"], opset_version=13)


if __name__ == "__main__":
    main()
