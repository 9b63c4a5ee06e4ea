#!/usr/bin/python3
# eval_fmnist_torch.py - load a convcalc model file of the assignment
# network (tests/data/fmnist-assignment.spec) into the same nn.Sequential in
# PyTorch, parsing the safetensors file with tests/tools/safetensors_check.py,
# and print its test loss and accuracy on Fashion-MNIST with the
# normalisation from the file's metadata: an independent check of the model
# file and of convcalc's numbers.
#   /usr/bin/python3 tests/tools/eval_fmnist_torch.py MODEL.safetensors
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
from safetensors_check import load  # noqa: E402
from train_fmnist_torch import DIR, idx  # noqa: E402

tensors, meta = load(sys.argv[1])
net = nn.Sequential(
    nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(64, 128, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(1152, 64), nn.ReLU(), nn.Linear(64, 10))
params = list(net.parameters())
assert len(params) == len(tensors)
with torch.no_grad():
    for p, (name, t) in zip(params, tensors.items()):
        assert p.shape == t.shape, name
        p.copy_(t)
mean = float(meta["convcalc.normalize.mean"])
std = float(meta["convcalc.normalize.std"])
x = (torch.from_numpy(idx(DIR + "/t10k-images-idx3-ubyte.gz", True).astype("float32")) / 255 - mean) / std
y = torch.from_numpy(idx(DIR + "/t10k-labels-idx1-ubyte.gz", False))
net.eval()
with torch.no_grad():
    out = torch.cat([net(x[i : i + 500]) for i in range(0, len(x), 500)])
print("PyTorch on the test split: loss %.4f accuracy %.2f%%"
      % (nn.functional.cross_entropy(out, y).item(), 100 * (out.argmax(1) == y).float().mean().item()))
