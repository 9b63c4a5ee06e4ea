#!/usr/bin/python3
# data_resize.py - the resizing goldens in tests/unit/test_data.c, from
# PyTorch's interpolate (bilinear with align_corners=False, and nearest).
# Run with Debian's python3-torch: /usr/bin/python3 tests/golden/data_resize.py
import torch
import torch.nn.functional as F

def show(name, t):
    print(name, ", ".join("%.4f" % v for v in t.reshape(-1).tolist()))

x = torch.tensor([[0.0, 100], [200, 40]]).view(1, 1, 2, 2)
show("up 2x2->4x4 bilinear:", F.interpolate(x, size=(4, 4), mode="bilinear", align_corners=False))
show("up 2x2->4x4 nearest:", F.interpolate(x, size=(4, 4), mode="nearest"))
x = torch.arange(35.0).view(1, 1, 5, 7)
show("down 5x7->3x4 bilinear:", F.interpolate(x, size=(3, 4), mode="bilinear", align_corners=False))
show("down 5x7->3x4 nearest:", F.interpolate(x, size=(3, 4), mode="nearest"))
