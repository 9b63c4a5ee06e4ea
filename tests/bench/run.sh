#!/bin/sh
# tests/bench/run.sh - what `make bench` runs: convcalc's engine against
# Debian's PyTorch on this machine, in one run, and the ratios against the
# targets:
#
#   1. a training step and 2. inference on the assignment network (32x32x3,
#      batch 64; `convcalc bench` against tests/bench/bench_torch.py), and the
#      peak memory (maximum resident set size) of each process;
#   3. one Fashion-MNIST epoch plus the results table: `convcalc train` with
#      its default options (threads: every online CPU) against
#      tests/bench/train_fmnist_torch.py --results (load, normalise, one epoch
#      of SGD lr 0.05 at batch 64, evaluate training, validation and test),
#      whole processes, wall clock;
#   4. how close convcalc comes to the machine's GEMM limit
#      (`convcalc bench --peak`).
#
# Each comparison runs ROUNDS times, the two programs alternately; the median
# round is reported. PyTorch runs on THREADS threads, convcalc with its
# defaults (the same count unless CONVCALC_THREADS says otherwise). The
# header prints the date, the CPU, the kernels and the load average, and the
# footer the load average again: publish figures only from a quiet machine.
#
#   tests/bench/run.sh                 (make bench)
#   ROUNDS=3 STEPS=20 EPOCHS=1 THREADS=N tests/bench/run.sh
#   SKIP_EPOCH=1 tests/bench/run.sh    (comparisons 1, 2 and 4 only)
#
# Needs build/convcalc, /usr/bin/time, Debian's python3-torch and
# dataset-fashion-mnist.
set -e
cd "$(dirname "$0")/../.."
THREADS=${THREADS:-$(getconf _NPROCESSORS_ONLN)}
ROUNDS=${ROUNDS:-3}
STEPS=${STEPS:-20}
PROG=${CONVCALC:-build/convcalc}
PY=/usr/bin/python3
for need in "$PROG" /usr/bin/time "$PY"; do
    [ -x "$need" ] || { echo "bench: $need is missing" >&2; exit 3; }
done
"$PY" -c "import torch" 2>/dev/null || { echo "bench: python3-torch is not installed" >&2; exit 3; }
tmp=$(mktemp -d) || exit 3
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }
echo "bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)," \
     "$(getconf _NPROCESSORS_ONLN) online CPUs"
echo "bench: PyTorch $("$PY" -c 'import torch; print(torch.__version__)') on $THREADS thread(s);" \
     "convcalc with its defaults${CONVCALC_THREADS:+ (CONVCALC_THREADS=$CONVCALC_THREADS)}"
echo "bench: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-(unset)}; $("$PROG" bench - --steps 1 --warmup 0 --batch 1 --input 4x4x1 <<'EOF' | sed -n 's/^kernels *//p'
conv 1 3x3
flatten
linear 2
EOF
)"
echo "bench: load average before: $(cut -d' ' -f1-3 /proc/loadavg)  ($(uptime | sed 's/^ *//'))"

# 1, 2: training step and inference, and peak memory
r=1
while [ "$r" -le "$ROUNDS" ]; do
    /usr/bin/time -v -o "$tmp/cc.$r.time" "$PROG" bench --batch 64 --steps "$STEPS" \
        --format json >"$tmp/cc.$r.json"
    OMP_NUM_THREADS=$THREADS /usr/bin/time -v -o "$tmp/pt.$r.time" "$PY" tests/bench/bench_torch.py \
        --batch 64 --steps "$STEPS" --threads "$THREADS" >"$tmp/pt.$r.json"
    r=$((r + 1))
done

# 3: one Fashion-MNIST epoch plus the results table
cat >"$tmp/fmnist.spec" <<'SPEC'
input 28x28x1
conv 32 5x5 pad 2
relu
maxpool 2
conv 64 5x5 pad 2
relu
maxpool 2
conv 128 5x5 pad 2
relu
maxpool 2
flatten
linear 1152->64
relu
linear 64->10
SPEC
EPOCHS=${EPOCHS:-1}
if [ -z "$SKIP_EPOCH" ]; then
    r=1
    while [ "$r" -le "$ROUNDS" ]; do
        t0=$(now)
        "$PROG" train "$tmp/fmnist.spec" --data fashion-mnist --epochs "$EPOCHS" --batch 64 \
            --lr 0.05 --quiet >"$tmp/cc.$r.train"
        t1=$(now)
        OMP_NUM_THREADS=$THREADS "$PY" tests/bench/train_fmnist_torch.py --epochs "$EPOCHS" \
            --threads "$THREADS" --lr 0.05 --batch 64 --results >"$tmp/pt.$r.train"
        t2=$(now)
        echo "$t0 $t1 $t2" | awk '{ printf "%.3f %.3f\n", $2 - $1, $3 - $2 }' >"$tmp/epoch.$r"
        r=$((r + 1))
    done
fi

# 4: the machine's GEMM limit, on the threads convcalc uses by default
"$PROG" bench --batch 64 --steps "$STEPS" --peak --format json >"$tmp/peak.json"

"$PY" - "$tmp" "$ROUNDS" "${SKIP_EPOCH:-}" <<'PYEOF'
import json, re, statistics, sys
tmp, rounds, skip_epoch = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def load(tag):
    runs = []
    for r in range(1, rounds + 1):
        j = json.load(open("%s/%s.%d.json" % (tmp, tag, r)))
        t = open("%s/%s.%d.time" % (tmp, tag, r)).read()
        j["rss_mib"] = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
        runs.append(j)
    return runs
cc, pt = load("cc"), load("pt")
med = lambda runs, k: statistics.median(r[k] for r in runs)
print()
print("threads: convcalc %d, PyTorch %d; median of %d rounds" % (cc[0]["threads"], pt[0]["threads"], rounds))
print("%-34s %11s %11s %8s %10s  %s" % ("", "convcalc", "PyTorch", "ratio", "target", "met"))
rows = []
def row(label, a, b, target, higher):
    ratio = a / b
    ok = ratio >= target if higher else ratio <= target
    print("%-34s %11.1f %11.1f %8.2f %10s  %s" % (label, a, b, ratio,
          (">= " if higher else "<= ") + ("%.2g" % target), "yes" if ok else "NO"))
row("training step, images/s", med(cc, "train_images_per_s"), med(pt, "train_images_per_s"), 1.2, True)
row("inference, images/s", med(cc, "infer_images_per_s"), med(pt, "infer_images_per_s"), 1.5, True)
row("peak memory (bench process), MiB", med(cc, "rss_mib"), med(pt, "rss_mib"), 0.25, False)
if not skip_epoch:
    ep = [tuple(map(float, open("%s/epoch.%d" % (tmp, r)).read().split())) for r in range(1, rounds + 1)]
    row("epoch + results table, seconds", statistics.median(e[0] for e in ep),
        statistics.median(e[1] for e in ep), 0.8, False)
print("per round, convcalc / PyTorch: training img/s, inference img/s%s:" %
      ("" if skip_epoch else ", epoch + results s"))
for r in range(rounds):
    line = "  %d: %8.1f / %8.1f   %8.1f / %8.1f" % (r + 1, cc[r]["train_images_per_s"],
           pt[r]["train_images_per_s"], cc[r]["infer_images_per_s"], pt[r]["infer_images_per_s"])
    if not skip_epoch:
        line += "   %7.1f / %7.1f" % ep[r]
    print(line)
if not skip_epoch:
    print("results of the last round:")
    for line in open("%s/cc.%d.train" % (tmp, rounds)):
        if re.match(r"^(Loss|Accuracy|\s+Training)", line):
            print("  convcalc " + line.rstrip())
    for line in open("%s/pt.%d.train" % (tmp, rounds)):
        if line.startswith("results"):
            print("  PyTorch  " + line.rstrip())
p = json.load(open("%s/peak.json" % tmp))
flop = p["flops_per_image"]
print("machine limit: best GEMM %.1f GFLOP/s on %d threads (oneDNN sgemm %.1f, OpenBLAS %.1f)" %
      (p["gemm_peak_gflops_per_s"], p["threads"], p["gemm_peak_onednn_gflops_per_s"],
       p["gemm_peak_openblas_gflops_per_s"]))
print("work: %.1f MFLOP per image forward (convcalc params), a training step 3x that" % (flop / 1e6))
for label, k, mult in (("training", "train_images_per_s", 3), ("inference", "infer_images_per_s", 1)):
    a, b = med(cc, k) * flop * mult / 1e9, med(pt, k) * flop * mult / 1e9
    print("  %-10s convcalc %6.1f GFLOP/s (%3.0f%% of the limit), PyTorch %6.1f GFLOP/s (%3.0f%%)" %
          (label, a, 100 * a / p["gemm_peak_gflops_per_s"], b, 100 * b / p["gemm_peak_gflops_per_s"]))
PYEOF
echo "bench: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
