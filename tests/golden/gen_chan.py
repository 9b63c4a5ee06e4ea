#!/usr/bin/python3
"""Golden data for the engine's channel ops (tests/unit/test_net_chan_golden.c),
made with Debian's python3-torch (1.13):

    /usr/bin/python3 tests/golden/gen_chan.py > tests/golden/chan.txt

Format (read by tests/unit/golden_data.h): records `NAME NUMEL` followed by
NUMEL numbers (%.9g). Every case KIND/I has KIND/I/cfg (the settings, in the
order noted per kind below), /x (input, B x C x H x W or B x F), /y (forward
output), /dy (gradient fed to backward), /dx (input gradient) and, for the
kinds with parameters, /w, /b and /dw, /db. Backward is torch.autograd with
y.backward(dy).
"""
import sys
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
out = sys.stdout
gen = torch.Generator().manual_seed(20261202)


def emit(name, t):
    t = torch.as_tensor(t).detach().reshape(-1).to(torch.float64)
    out.write("%s %d\n" % (name, t.numel()))
    vals = ["%.9g" % float(v) for v in t.to(torch.float32)]
    for i in range(0, len(vals), 8):
        out.write(" ".join(vals[i:i + 8]) + "\n")


def rand(*shape):
    return (torch.rand(*shape, generator=gen) * 4 - 2).requires_grad_(True)


def case(prefix, cfg, x, fn, params=()):
    y = fn(x, *params)
    dy = torch.rand(y.shape, generator=gen) * 2 - 1
    y.backward(dy)
    emit(prefix + "/cfg", torch.tensor(cfg, dtype=torch.float64))
    emit(prefix + "/x", x)
    for name, p in zip("wb", params):
        emit(prefix + "/" + name, p)
    emit(prefix + "/y", y)
    emit(prefix + "/dy", dy)
    emit(prefix + "/dx", x.grad)
    for name, p in zip(("dw", "db"), params):
        emit(prefix + "/" + name, p.grad)


# bilinear upsampling, align_corners=False: cfg = B C H W sh sw
for i, (B, C, H, W, sh, sw) in enumerate([(2, 3, 4, 5, 2, 2), (1, 2, 3, 3, 3, 2),
                                          (1, 1, 1, 4, 4, 1), (2, 2, 5, 2, 8, 8)]):
    case("bilinear/%d" % i, [B, C, H, W, sh, sw], rand(B, C, H, W),
         lambda x, sh=sh, sw=sw: F.interpolate(x, scale_factor=(sh, sw), mode="bilinear",
                                               align_corners=False))

# adaptive average pooling: cfg = B C H W OH OW
for i, (B, C, H, W, OH, OW) in enumerate([(2, 3, 5, 7, 3, 4), (1, 2, 5, 7, 9, 10),
                                          (1, 2, 6, 6, 4, 4), (2, 1, 1, 1, 6, 6),
                                          (1, 3, 13, 13, 6, 6)]):
    case("adaptive/%d" % i, [B, C, H, W, OH, OW], rand(B, C, H, W),
         lambda x, o=(OH, OW): F.adaptive_avg_pool2d(x, o))

# layer norm over the channels (torchvision's LayerNorm2d; H = W = 0: a
# vector of C features): cfg = B C H W eps
for i, (B, C, H, W, eps) in enumerate([(2, 6, 3, 4, 1e-6), (1, 5, 2, 2, 1e-5),
                                       (3, 7, 0, 0, 1e-5)]):
    w = rand(C)
    b = rand(C)
    if H:
        fn = (lambda x, w, b, C=C, eps=eps:
              F.layer_norm(x.permute(0, 2, 3, 1), (C,), w, b, eps).permute(0, 3, 1, 2))
        x = rand(B, C, H, W)
    else:
        fn = (lambda x, w, b, C=C, eps=eps: F.layer_norm(x, (C,), w, b, eps))
        x = rand(B, C)
    case("layernorm/%d" % i, [B, C, H, W, eps], x, fn, (w, b))

# channel shuffle (torchvision's channel_shuffle, which nn.ChannelShuffle
# equals; autograd has no derivative for the latter): cfg = B C H W G
def shuffle(x, G):
    B, C, H, W = x.shape
    y = x.view(B, G, C // G, H, W).transpose(1, 2).contiguous().view(B, C, H, W)
    assert torch.equal(y, nn.ChannelShuffle(G)(x.detach()))
    return y


for i, (B, C, H, W, G) in enumerate([(2, 6, 2, 3, 3), (1, 8, 1, 2, 2), (1, 4, 2, 2, 4)]):
    case("shuffle/%d" % i, [B, C, H, W, G], rand(B, C, H, W),
         lambda x, G=G: shuffle(x, G))

# channel split: cfg = B C H W G K (torch.chunk(x, G, 1)[K])
for i, (B, C, H, W, G, K) in enumerate([(2, 6, 2, 3, 3, 1), (1, 8, 2, 2, 2, 0),
                                        (1, 8, 2, 2, 2, 1)]):
    case("split/%d" % i, [B, C, H, W, G, K], rand(B, C, H, W),
         lambda x, G=G, K=K: torch.chunk(x, G, 1)[K])

# a learnable factor per channel (ConvNeXt's layer scale): cfg = B C H W
for i, (B, C, H, W) in enumerate([(2, 4, 3, 2)]):
    s = rand(C, 1, 1)
    case("scale/%d" % i, [B, C, H, W], rand(B, C, H, W), lambda x, s: x * s, (s,))
