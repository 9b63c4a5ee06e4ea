#!/usr/bin/python3
# gen_tiny_idx.py - tests/data/tiny-*.idx.gz: a small, learnable image set in
# the MNIST IDX format for the CLI tests of `convcalc train` and `eval`.
# 8x8 grey images of 4 classes: a bright horizontal bar (class 0), vertical
# bar (1), main diagonal (2) or anti-diagonal (3) over seeded noise;
# 200 training and 80 test images.
#   /usr/bin/python3 tests/data/gen_tiny_idx.py   (from the repository root)
import gzip
import struct

import numpy as np

rng = np.random.default_rng(20261128)


def make(n):
    x = rng.integers(0, 90, size=(n, 8, 8))
    y = np.arange(n) % 4
    for i in range(n):
        k, p = y[i], rng.integers(1, 7)
        if k == 0:
            x[i, p, :] += 140
        elif k == 1:
            x[i, :, p] += 140
        elif k == 2:
            x[i][np.eye(8, dtype=bool)] += 140
        else:
            x[i][np.fliplr(np.eye(8, dtype=bool))] += 140
    return x.clip(0, 255).astype(np.uint8), y.astype(np.uint8)


for name, n in (("train", 200), ("test", 80)):
    x, y = make(n)
    with gzip.GzipFile("tests/data/tiny-%s-images.idx.gz" % name, "wb", mtime=0) as f:
        f.write(struct.pack(">IIII", 0x803, n, 8, 8) + x.tobytes())
    with gzip.GzipFile("tests/data/tiny-%s-labels.idx.gz" % name, "wb", mtime=0) as f:
        f.write(struct.pack(">II", 0x801, n) + y.tobytes())
