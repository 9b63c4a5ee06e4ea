#!/usr/bin/python3
"""Generate tests/data/torch/models.txt.gz: PyTorch's print(model) of every
torchvision 0.14 classification, segmentation and detection model and of
student-style models (torch_students.py) and of torchvision's transformer
classes built with other sizes (torch_custom.py), each with the true counts
computed by PyTorch, for tests/unit/test_torch_zoo.c.

Run from the repository root with Debian's python3-torch and
python3-torchvision:   /usr/bin/python3 tests/golden/gen_torch_zoo.py
The tests never need Python: the generated file is committed.

Each model is one record:
  #model NAME
  #input HxWxC            the input size the test passes
  #total N                sum of p.numel() over model.parameters()
  #trainable N            the same over parameters with requires_grad
  #buffers N              buffers except BatchNorm's num_batches_tracked
  #hidden WHY             the repr cannot show a number (frozen, shared,
                          bare nn.Parameter): counts are not compared
  #macs N                 forward-hook MACs of one image (absent: no
                          forward pass was run), and per module:
  #unhooked N             MACs of the linear algebra forward() does as
                          functions, which no hook sees (attention)
  #mac NAME N             MACs summed over the module's calls
  #out NAME DIMS          output shape (batch dropped) of its first call
  <the repr, line by line>
  #end
Forward-hook MACs (the thop/fvcore convention): a hook on every leaf
module; Conv1d/2d/3d: output elements x (in_channels / groups) x kernel
volume; ConvTranspose: input elements x (out_channels / groups) x kernel
volume; Linear: output elements x in_features; every other module 0.
Modules that forward() calls as functions (MultiheadAttention's
projections, Swin's attention) have no hook and count 0; #unhooked is
what they and the attention products add (FunctionMacs).
"""
import gzip
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.init as init
from torch.overrides import TorchFunctionMode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_students  # noqa: E402
import torch_custom  # noqa: E402

# Weights are never needed: skip the slow initialisation of big models.
for _f in dir(init):
    if _f.endswith("_") and not _f.startswith("_"):
        setattr(init, _f, lambda t, *a, **k: t)

import torchvision.models as tvm  # noqa: E402
from torchvision.models import get_model, list_models  # noqa: E402

OUT = os.path.join("tests", "data", "torch", "models.txt.gz")
# every classification and segmentation model and every custom model is run
# forward once (one image) to record its forward-hook MACs and output
# shapes; the detection models are not (their shapes are not followed)


class FunctionMacs(TorchFunctionMode):
    """Every multiply-accumulate of the linear algebra a forward pass calls
    (linear, convolutions, matmul/bmm/baddbmm, einsum), whether a module or
    a function calls it. Minus the hooks' count it is what the hooks miss:
    the attention forward() computes as functions."""

    def __init__(self):
        super().__init__()
        self.macs = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        n = getattr(func, "__name__", "")
        if n == "multi_head_attention_forward":
            # a function torch dispatches as a whole: run its body with the
            # mode on, so its projections and products are seen one by one
            saved = F.has_torch_function
            F.has_torch_function = lambda *a, **k: False
            try:
                with self:
                    return func(*args, **kwargs)
            finally:
                F.has_torch_function = saved
        out = func(*args, **kwargs)
        if n == "linear":
            self.macs += out.numel() * args[1].shape[1]
        elif n in ("conv1d", "conv2d", "conv3d"):
            self.macs += out.numel() * args[1][0].numel()
        elif n in ("conv_transpose1d", "conv_transpose2d", "conv_transpose3d"):
            self.macs += args[0].numel() * args[1][0].numel()
        elif n in ("matmul", "__matmul__", "bmm"):
            self.macs += out.numel() * args[0].shape[-1]
        elif n == "baddbmm":
            self.macs += out.numel() * args[1].shape[-1]
        elif n == "einsum":
            terms = args[0].replace(" ", "").split("->")[0].split(",")
            ops = args[1:] if len(args) > 2 else args[1]
            size = {}
            for term, t in zip(terms, ops):
                size.update(zip(term, t.shape))
            k = 1
            for d in size.values():
                k *= d
            self.macs += k
        return out


def hook_macs(model, size):
    names = {m: n for n, m in model.named_modules()}
    macs, outs = {}, {}

    def hook(mod, inp, out):
        n = names[mod]
        if isinstance(out, torch.Tensor) and n not in outs:
            outs[n] = tuple(out.shape[1:])
        k = 0
        if isinstance(mod, (nn.Conv1d, nn.Conv2d, nn.Conv3d)):
            vol = 1
            for d in mod.kernel_size:
                vol *= d
            k = out[0].numel() * (mod.in_channels // mod.groups) * vol
        elif isinstance(mod, (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)):
            vol = 1
            for d in mod.kernel_size:
                vol *= d
            k = inp[0][0].numel() * (mod.out_channels // mod.groups) * vol
        elif isinstance(mod, nn.Linear):
            k = out[0].numel() * mod.in_features
        if k:
            macs[n] = macs.get(n, 0) + k

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if len(list(m.children())) == 0]
    model.eval()
    count = FunctionMacs()
    # MultiheadAttention takes a fused fast path without gradients: with
    # them it runs the functions FunctionMacs can see
    mha = any(isinstance(m, nn.MultiheadAttention) for m in model.modules())
    with (torch.enable_grad() if mha else torch.no_grad()), count:
        x = torch.zeros((1,) + size)
        model(x)
    for hd in handles:
        hd.remove()
    return macs, outs, count.macs - sum(macs.values())


def record(name, model, size, forward, hidden=None):
    lines = ["#model " + name]
    if size is None:
        pass
    elif len(size) == 3:
        lines.append("#input %dx%dx%d" % (size[1], size[2], size[0]))
    elif len(size) == 1:
        lines.append("#input %d" % size[0])
    lines.append("#total %d" % sum(p.numel() for p in model.parameters()))
    lines.append("#trainable %d" % sum(p.numel() for p in model.parameters() if p.requires_grad))
    lines.append("#buffers %d" % sum(b.numel() for n, b in model.named_buffers()
                                     if not n.endswith("num_batches_tracked")))
    if hidden:
        lines.append("#hidden " + hidden)
    if forward:
        macs, outs, unhooked = hook_macs(model, size)
        lines.append("#macs %d" % sum(macs.values()))
        lines.append("#unhooked %d" % unhooked)
        for n, v in macs.items():
            lines.append("#mac %s %d" % (n, v))
        for n, s in outs.items():
            if n:
                lines.append("#out %s %s" % (n, " ".join(str(d) for d in s)))
    lines.extend(str(model).split("\n"))
    lines.append("#end")
    print(name, lines[2:5], flush=True)
    return "\n".join(lines) + "\n"


def cached(name, make):
    """A record from the cache directory given as argument 1 (a rerun after
    a failure does not redo the slow forward passes), or make()."""
    if len(sys.argv) < 2:
        return make()
    path = os.path.join(sys.argv[1], name + ".rec")
    if os.path.exists(path):
        with open(path) as f:
            return f.read()
    rec = make()
    with open(path, "w") as f:
        f.write(rec)
    return rec


def main():
    torch.manual_seed(0)
    parts = []
    for mod, kind in [(tvm, "cls"), (tvm.segmentation, "seg"), (tvm.detection, "det")]:
        for n in list_models(module=mod):
            kw = {} if kind == "cls" else {"weights_backbone": None}
            size = (3, 299, 299) if n == "inception_v3" else (3, 224, 224)
            parts.append(cached(n, lambda: record(n, get_model(n, weights=None, **kw), size,
                                                  kind != "det")))
    for n, make, size, hidden in torch_students.MODELS + torch_custom.MODELS:
        parts.append(cached(n, lambda: record(n, make(), size, size is not None, hidden)))
    tmp = OUT + ".tmp"
    with gzip.GzipFile(tmp, "wb", mtime=0) as f:
        f.write("".join(parts).encode())
    os.replace(tmp, OUT)


if __name__ == "__main__":
    sys.exit(main())
