#!/usr/bin/python3
# safetensors_check.py - read a convcalc model file the way PyTorch's
# safetensors loader does, without convcalc: an independent check of the
# format. The header is parsed by hand (json + struct) and each tensor is
# made with torch.frombuffer; with the safetensors package installed, its
# safetensors.torch.load_file must give the same tensors.
#
#   /usr/bin/python3 tests/tools/safetensors_check.py MODEL.safetensors [--json]
#
# Prints each tensor's name, shape, sum and first values, then the metadata;
# exits 1 when the file breaks a rule of the format.
import json
import struct
import sys

import torch


def fail(msg):
    print("safetensors_check: %s" % msg, file=sys.stderr)
    sys.exit(1)


def load(path):
    raw = open(path, "rb").read()
    if len(raw) < 8:
        fail("shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > 100_000_000 or 8 + n > len(raw):
        fail("header length %d past the end" % n)
    text = raw[8 : 8 + n]
    if not text.startswith(b"{"):
        fail("header does not start with '{'")
    header = json.loads(text.decode("utf-8"))
    meta = header.pop("__metadata__", {})
    if not all(isinstance(v, str) for v in meta.values()):
        fail("metadata values must be strings")
    data = raw[8 + n :]
    spans, tensors = [], {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            fail("%s: dtype %s" % (name, info["dtype"]))
        b, e = info["data_offsets"]
        count = 1
        for d in info["shape"]:
            count *= d
        if e - b != 4 * count:
            fail("%s: %d bytes for shape %s" % (name, e - b, info["shape"]))
        spans.append((b, e, name))
        buf = bytearray(data[b:e])
        t = torch.frombuffer(buf, dtype=torch.float32) if count else torch.zeros(0)
        tensors[name] = t.reshape(info["shape"])
    spans.sort()
    at = 0
    for b, e, name in spans:
        if b != at:
            fail("%s: data_offsets leave a gap or overlap at %d" % (name, b))
        at = e
    if at != len(data):
        fail("%d bytes after the last tensor" % (len(data) - at))
    return tensors, meta


def main():
    if len(sys.argv) < 2:
        fail("usage: safetensors_check.py MODEL.safetensors [--json]")
    tensors, meta = load(sys.argv[1])
    try:
        from safetensors.torch import load_file  # optional
    except ImportError:
        load_file = None
    if load_file:
        ref = load_file(sys.argv[1])
        for k, v in tensors.items():
            if not torch.equal(ref[k], v):
                fail("%s differs from safetensors.torch.load_file" % k)
    if "--json" in sys.argv:
        out = {k: {"shape": list(v.shape), "sum": float(v.double().sum())} for k, v in tensors.items()}
        print(json.dumps({"tensors": out, "metadata": meta}, indent=1, sort_keys=True))
        return
    for k, v in tensors.items():
        first = ", ".join("%.6g" % x for x in v.reshape(-1)[:3].tolist())
        print("%-24s %-18s sum %.6g  [%s]" % (k, "x".join(map(str, v.shape)) or "scalar", float(v.double().sum()), first))
    for k, v in meta.items():
        print("metadata %s: %s" % (k, v.replace("\n", "\\n")[:100]))


if __name__ == "__main__":
    main()
