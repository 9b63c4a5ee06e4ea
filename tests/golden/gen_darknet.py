#!/usr/bin/python3
"""Record what Debian's darknet itself says about every cfg it ships, for
tests/unit/test_darknet_zoo.c.

Run from the repository root on a machine with Debian's darknet package:
    python3 tests/golden/gen_darknet.py
The tests never need darknet: this script copies the cfgs into
tests/data/darknet/debian/ and writes tests/data/darknet/debian/expected.txt,
both committed.

For each cfg, darknet runs twice on a copy whose [net] batch and
subdivisions are 1 (they change no count):
  darknet partial COPY HEADER OUT 100000
      loads the network (HEADER is a weights file with only the 20-byte
      header, so every layer keeps its initial values) and writes every
      layer's weights: floats = (bytes of OUT - 20) / 4, the count of
      darknet's own loader (weights, biases, BatchNorm scales and running
      statistics).
  darknet ops COPY
      prints "Floating Point Operations: N" (2 x the multiply-adds of the
      convolutional, connected and recurrent layers).
expected.txt holds one line per cfg:
  NAME floats=N ops=N outputs=N
where outputs is the element count of the last layer's output, read from
the layer table darknet prints while parsing (absent when the table does
not show it). layers.txt holds, for every darknet layer whose line in that
table shows its output, one line
  NAME INDEX KIND N
with darknet's layer number, the first word of its line (conv, max, res,
route, upsample, connected, Local, RNN, ...) and the element count of its
output.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

SRC = "/usr/share/darknet/cfg"
OUT = os.path.join("tests", "data", "darknet", "debian")
HEADER = b"\0\0\0\0" + b"\2\0\0\0" + b"\0\0\0\0" + b"\0" * 8  # 0.2.0, seen 0


def batch_one(text):
    """The cfg with batch=1 and subdivisions=1 in its [net] section."""
    out = []
    for line in text.splitlines():
        key = line.replace(" ", "").split("=")[0]
        if key == "batch":
            line = "batch=1"
        elif key == "subdivisions":
            line = "subdivisions=1"
        out.append(line)
    return "\n".join(out) + "\n"


def last_outputs(table):
    """Elements of the last layer's output in darknet's layer table."""
    last = None
    for line in table.splitlines():
        m = re.search(r"->\s*(\d+)\s*x\s*(\d+)\s*x\s*(\d+)", line)
        if m:
            last = int(m.group(1)) * int(m.group(2)) * int(m.group(3))
            continue
        m = re.search(r"->\s*(\d+)\s*$", line)
        if m:
            last = int(m.group(1))
            continue
        m = re.match(r"\s*\d+\s+(softmax|cost)\s+(\d+)\s*$", line)
        if m:
            last = int(m.group(2))
    return last


def layer_outputs(table):
    """(index, kind, elements) of every layer line that shows its output."""
    rows = []
    for line in table.splitlines():
        m = re.match(r"\s*(\d+) (\S+)", line)
        if not m:
            continue
        idx, kind = int(m.group(1)), m.group(2)
        n = None
        m3 = re.search(r"->\s*(\d+)\s*x\s*(\d+)\s*x\s*(\d+)", line)
        m1 = re.search(r"->\s*(\d+)\s*$", line)
        ms = re.match(r"\s*\d+\s+(softmax|cost)\s+(\d+)\s*$", line)
        mr = re.search(r"(\d+) outputs", line)
        if m3:
            n = int(m3.group(1)) * int(m3.group(2)) * int(m3.group(3))
        elif m1:
            n = int(m1.group(1))
        elif ms:
            n = int(ms.group(2))
        elif mr:
            n = int(mr.group(1))
        if n is not None:
            rows.append((idx, kind, n))
    return rows


def main():
    if not os.path.isdir(SRC):
        sys.exit("gen_darknet.py: %s not found (install Debian's darknet)" % SRC)
    os.makedirs(OUT, exist_ok=True)
    tmp = tempfile.mkdtemp()
    try:
        header = os.path.join(tmp, "header.weights")
        with open(header, "wb") as f:
            f.write(HEADER)
        lines = []
        layers = []
        for path in sorted(glob.glob(os.path.join(SRC, "*.cfg"))):
            name = os.path.basename(path)
            shutil.copyfile(path, os.path.join(OUT, name))
            with open(path) as f:
                copy = os.path.join(tmp, name)
                with open(copy, "w") as g:
                    g.write(batch_one(f.read()))
            out = os.path.join(tmp, "out.weights")
            p = subprocess.run(["darknet", "partial", copy, header, out, "100000"],
                               cwd=tmp, capture_output=True, text=True, timeout=600)
            if p.returncode != 0 or not os.path.exists(out):
                sys.exit("darknet partial failed on %s:\n%s" % (name, p.stderr))
            floats = (os.path.getsize(out) - len(HEADER)) // 4
            os.remove(out)
            q = subprocess.run(["darknet", "ops", copy], cwd=tmp, capture_output=True,
                               text=True, timeout=600)
            m = re.search(r"Floating Point Operations: (\d+)\n", q.stdout)
            if q.returncode != 0 or not m:
                sys.exit("darknet ops failed on %s:\n%s%s" % (name, q.stdout, q.stderr))
            row = "%s floats=%d ops=%s" % (name, floats, m.group(1))
            n = last_outputs(p.stderr)
            if n is not None:
                row += " outputs=%d" % n
            lines.append(row)
            for idx, kind, n in layer_outputs(p.stderr):
                layers.append("%s %d %s %d" % (name, idx, kind, n))
            print(row, flush=True)
        with open(os.path.join(OUT, "expected.txt.tmp"), "w") as f:
            f.write("# written by tests/golden/gen_darknet.py from Debian's darknet; "
                    "do not edit\n")
            f.write("\n".join(lines) + "\n")
        os.replace(os.path.join(OUT, "expected.txt.tmp"), os.path.join(OUT, "expected.txt"))
        with open(os.path.join(OUT, "layers.txt.tmp"), "w") as f:
            f.write("# written by tests/golden/gen_darknet.py from Debian's darknet; "
                    "do not edit\n")
            f.write("\n".join(layers) + "\n")
        os.replace(os.path.join(OUT, "layers.txt.tmp"), os.path.join(OUT, "layers.txt"))
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
