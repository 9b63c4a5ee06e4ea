#!/usr/bin/python3
"""Golden data for the layer tests (tests/unit/test_layers_golden.c), made with
Debian's python3-torch (1.13):

    /usr/bin/python3 tests/golden/gen_layers.py > tests/golden/layers.txt

Format (the same as gen_net.py, read by tests/unit/golden_data.h): one record
per tensor, a line `NAME NUMEL` followed by NUMEL numbers (%.9g, so float32
values round-trip exactly). Every case KIND/I has
  KIND/I/cfg      the layer's settings (the C test documents the order per kind)
  KIND/I/x        input            KIND/I/dy     gradient fed to backward
  KIND/I/y        forward output   KIND/I/dx     input gradient
and, where the layer has them, KIND/I/w, /b (parameters), /dw, /db (their
gradients), /rm0, /rv0 (running statistics before) and /rm, /rv (after).
For the loss: xent/I/t (targets), /loss and /dx (gradient of the mean loss).
Backward is torch.autograd with y.backward(dy).
"""
import sys
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
out = sys.stdout
gen = torch.Generator().manual_seed(20261128)


def emit(name, t):
    t = torch.as_tensor(t).detach().reshape(-1).to(torch.float64)
    out.write("%s %d\n" % (name, t.numel()))
    vals = ["%.9g" % float(v) for v in t.to(torch.float32)]
    for i in range(0, len(vals), 8):
        out.write(" ".join(vals[i:i + 8]) + "\n")


def rand(*shape, lo=-1.0, hi=1.0):
    return (torch.rand(*shape, generator=gen) * (hi - lo) + lo).requires_grad_(True)


def run(prefix, fn, x, params, extra=()):
    """Forward fn(x, *params), backward a random dy, emit everything."""
    y = fn(x, *params)
    dy = torch.rand(y.shape, generator=gen) * 2 - 1
    y.backward(dy)
    emit(prefix + "/x", x)
    for name, p in zip("wb", params):
        if p is not None:
            emit(prefix + "/" + name, p)
    emit(prefix + "/y", y)
    emit(prefix + "/dy", dy)
    emit(prefix + "/dx", x.grad)
    for name, p in zip(("dw", "db"), params):
        if p is not None:
            emit(prefix + "/" + name, p.grad)
    for name, t in extra:
        emit(prefix + "/" + name, t)


# ---- Conv2d: cfg = B C H W OC KH KW sh sw pt pb pl pr dh dw groups bias ---------
CONV = [
    (2, 3, 8, 7, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1),
    (2, 4, 9, 9, 6, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 2, 1),
    (1, 2, 10, 8, 3, 3, 2, 1, 2, 2, 2, 1, 1, 2, 1, 1, 0),
    (2, 3, 7, 9, 5, 2, 4, 2, 1, 1, 0, 2, 1, 1, 2, 1, 1),   # asymmetric padding
    (3, 4, 6, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4, 1),   # depthwise
    (2, 6, 5, 5, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1),   # pointwise
    (2, 3, 12, 12, 8, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1),  # as the assignment net
]
for i, c in enumerate(CONV):
    B, C, H, W, OC, KH, KW, sh, sw, pt, pb, pl, pr, dh, dw, g, bias = c
    emit("conv/%d/cfg" % i, torch.tensor(c))
    x = rand(B, C, H, W)
    w = rand(OC, C // g, KH, KW)
    b = rand(OC) if bias else None
    run("conv/%d" % i,
        lambda x, w, b: F.conv2d(F.pad(x, (pl, pr, pt, pb)), w, b, (sh, sw), 0, (dh, dw), g),
        x, (w, b))

# ---- MaxPool2d: cfg = B C H W K S P dil ceil ------------------------------------
MAXP = [
    (2, 3, 8, 8, 2, 2, 0, 1, 0),
    (2, 2, 7, 9, 3, 2, 1, 1, 0),
    (1, 3, 7, 7, 3, 2, 1, 1, 1),
    (2, 2, 9, 8, 2, 1, 1, 2, 0),
    (1, 2, 6, 7, 3, 3, 1, 1, 1),
]
for i, c in enumerate(MAXP):
    B, C, H, W, K, S, P, D, ceil = c
    emit("maxpool/%d/cfg" % i, torch.tensor(c))
    run("maxpool/%d" % i,
        lambda x: F.max_pool2d(x, K, S, P, D, ceil_mode=bool(ceil)), rand(B, C, H, W), ())

# ---- AvgPool2d: cfg = B C H W K S P ceil count_include_pad -----------------------
AVGP = [
    (2, 3, 8, 8, 2, 2, 0, 0, 1),
    (2, 2, 7, 9, 3, 2, 1, 0, 1),
    (2, 2, 7, 9, 3, 2, 1, 0, 0),
    (1, 3, 7, 7, 3, 2, 1, 1, 1),
    (1, 3, 6, 7, 3, 3, 1, 1, 0),
    (1, 2, 5, 5, 2, 2, 1, 1, 1),
]
for i, c in enumerate(AVGP):
    B, C, H, W, K, S, P, ceil, incl = c
    emit("avgpool/%d/cfg" % i, torch.tensor(c))
    run("avgpool/%d" % i,
        lambda x: F.avg_pool2d(x, K, S, P, ceil_mode=bool(ceil), count_include_pad=bool(incl)),
        rand(B, C, H, W), ())

# ---- global average pooling: cfg = B C H W ---------------------------------------
emit("gap/0/cfg", torch.tensor((2, 3, 5, 4)))
run("gap/0", lambda x: F.adaptive_avg_pool2d(x, 1).flatten(1), rand(2, 3, 5, 4), ())

# ---- BatchNorm: cfg = B C HW training momentum eps; x is (B, C, HW) --------------
BN = [
    (4, 3, 10, 1, 0.1, 1e-5),
    (4, 3, 10, 0, 0.1, 1e-5),
    (8, 5, 1, 1, 0.3, 1e-3),   # BatchNorm1d on (N, C)
    (3, 2, 6, 1, 0.1, 1e-5),   # BatchNorm1d on (N, C, L)
]
for i, c in enumerate(BN):
    B, C, HW, training, momentum, eps = c
    emit("bn/%d/cfg" % i, torch.tensor(c, dtype=torch.float64))
    x = rand(B, C, HW, lo=-2, hi=3)
    w = rand(C, lo=0.5, hi=1.5)
    b = rand(C)
    rm = torch.rand(C, generator=gen) - 0.5
    rv = torch.rand(C, generator=gen) + 0.5
    rm0, rv0 = rm.clone(), rv.clone()
    run("bn/%d" % i,
        lambda x, w, b: F.batch_norm(x, rm, rv, w, b, bool(training), momentum, eps),
        x, (w, b), extra=(("rm0", rm0), ("rv0", rv0), ("rm", rm), ("rv", rv)))

# ---- activations: cfg = kind parameter (0 relu, 1 leaky, 2 elu, 3 sigmoid, 4 tanh)
ACT = [(0, 0.0), (1, 0.2), (2, 1.3), (3, 0.0), (4, 0.0), (1, 0.01), (2, 1.0)]
ACTF = {0: lambda x, a: F.relu(x), 1: lambda x, a: F.leaky_relu(x, a),
        2: lambda x, a: F.elu(x, a), 3: lambda x, a: torch.sigmoid(x),
        4: lambda x, a: torch.tanh(x)}
for i, c in enumerate(ACT):
    emit("act/%d/cfg" % i, torch.tensor(c, dtype=torch.float64))
    x = torch.rand(3, 4, 5, generator=gen) * 12 - 6
    x[0, 0, 0] = 30.0
    x[0, 0, 1] = -30.0  # large |x| for the stable forms
    x.requires_grad_(True)
    run("act/%d" % i, lambda x: ACTF[c[0]](x, c[1]), x, ())

# ---- Linear: cfg = B IN OUT bias --------------------------------------------------
LIN = [(4, 7, 5, 1), (3, 16, 10, 0)]
for i, c in enumerate(LIN):
    B, IN, OUT, bias = c
    emit("linear/%d/cfg" % i, torch.tensor(c))
    run("linear/%d" % i, lambda x, w, b: F.linear(x, w, b), rand(B, IN),
        (rand(OUT, IN), rand(OUT) if bias else None))

# ---- softmax along dim 1 of (outer, K, inner): cfg = outer K inner ---------------
emit("softmax/0/cfg", torch.tensor((3, 5, 4)))
x = rand(3, 5, 4, lo=-5, hi=5)
emit("softmax/0/x", x)
emit("softmax/0/y", torch.softmax(x, 1))

# ---- softmax + cross-entropy (mean): cfg = B K -------------------------------------
XENT = [(5, 4, 3.0), (4, 10, 1000.0)]  # the second has huge logits
for i, (B, K, scale) in enumerate(XENT):
    emit("xent/%d/cfg" % i, torch.tensor((B, K)))
    x = (torch.rand(B, K, generator=gen) * 2 - 1) * scale
    x.requires_grad_(True)
    t = torch.randint(0, K, (B,), generator=gen)
    loss = F.cross_entropy(x, t)
    loss.backward()
    emit("xent/%d/x" % i, x)
    emit("xent/%d/t" % i, t)
    emit("xent/%d/loss" % i, loss)
    emit("xent/%d/dx" % i, x.grad)
