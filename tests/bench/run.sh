#!/bin/sh
# tests/bench/run.sh - convcalc's reference engine against PyTorch's CPU build
# on the assignment network, in one run, on this machine, with the same
# thread count and batch (`make bench` runs this).
#
#   tests/bench/run.sh                        threads = online CPUs, batch 64
#   THREADS=1 BATCH=64 STEPS=20 ROUNDS=3 tests/bench/run.sh
#
# The two programs run alternately ROUNDS times; for each the best round is
# kept (on a shared machine the best round is the one least disturbed by
# other load). Peak memory is the maximum resident set size of the whole
# process (/usr/bin/time -v). Both programs also report their CPU time per
# step; images per CPU-second is the fairer figure when the machine is busy. Needs build/convcalc, /usr/bin/time and
# Debian's python3-torch.
set -e
cd "$(dirname "$0")/../.."
THREADS=${THREADS:-$(getconf _NPROCESSORS_ONLN)}
BATCH=${BATCH:-64}
STEPS=${STEPS:-20}
ROUNDS=${ROUNDS:-3}
PROG=${CONVCALC:-build/convcalc}
PY=/usr/bin/python3
for need in "$PROG" /usr/bin/time "$PY"; do
    [ -x "$need" ] || { echo "bench: $need is missing" >&2; exit 3; }
done
"$PY" -c "import torch" 2>/dev/null || { echo "bench: python3-torch is not installed" >&2; exit 3; }
tmp=$(mktemp -d) || exit 3
trap 'rm -rf "$tmp"' EXIT
echo "bench: batch $BATCH, $THREADS thread(s), $STEPS timed steps, $ROUNDS rounds;" \
     "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
r=1
while [ "$r" -le "$ROUNDS" ]; do
    /usr/bin/time -v -o "$tmp/cc.$r.time" "$PROG" bench --batch "$BATCH" --steps "$STEPS" \
        --threads "$THREADS" --format json >"$tmp/cc.$r.json"
    OMP_NUM_THREADS=$THREADS /usr/bin/time -v -o "$tmp/pt.$r.time" "$PY" tests/bench/bench_torch.py \
        --batch "$BATCH" --steps "$STEPS" --threads "$THREADS" >"$tmp/pt.$r.json"
    r=$((r + 1))
done
"$PY" - "$tmp" "$ROUNDS" <<'PYEOF'
import json, re, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
def load(tag):
    runs = []
    for r in range(1, rounds + 1):
        j = json.load(open("%s/%s.%d.json" % (tmp, tag, r)))
        t = open("%s/%s.%d.time" % (tmp, tag, r)).read()
        j["rss_mib"] = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
        runs.append(j)
    return runs
cc, pt = load("cc"), load("pt")
def best(runs, key):
    return max(r[key] for r in runs)
for runs in (cc, pt):
    for r in runs:
        r["train_cpu_ips"] = r["batch"] * 1e3 / r["train_cpu_ms_per_step"]
        r["infer_cpu_ips"] = r["batch"] * 1e3 / r["infer_cpu_ms_per_step"]
rows = [("training images/s", "train_images_per_s", best),
        ("inference images/s", "infer_images_per_s", best),
        ("training images/CPU-s", "train_cpu_ips", best),
        ("inference images/CPU-s", "infer_cpu_ips", best),
        ("peak memory MiB", "rss_mib", lambda runs, k: max(r[k] for r in runs))]
print("%-22s %12s %12s %10s" % ("", "convcalc", "PyTorch", "ratio"))
for label, key, pick in rows:
    a, b = pick(cc, key), pick(pt, key)
    print("%-22s %12.1f %12.1f %10.2f" % (label, a, b, a / b))
print("per round (convcalc / PyTorch), train and inference images/s:")
for r in range(rounds):
    print("  round %d: %7.1f / %7.1f   %7.1f / %7.1f" % (r + 1, cc[r]["train_images_per_s"],
          pt[r]["train_images_per_s"], cc[r]["infer_images_per_s"], pt[r]["infer_images_per_s"]))
print("ratio > 1: convcalc is faster (throughput) or uses more memory (memory);")
print("images/s is wall-clock; images/CPU-s divides by the process's CPU time (all")
print("threads), which other load on the machine disturbs less")
PYEOF
echo "bench: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
