#!/bin/sh
# train_fmnist.sh - time per training epoch of the README's Fashion-MNIST
# run: convcalc train against the same training in PyTorch
# (train_fmnist_torch.py), one after the other on this machine, same
# threads, same images; prints both and the ratio (convcalc / PyTorch:
# below 1 means convcalc is faster).
#
#   tests/bench/train_fmnist.sh [LIMIT] [THREADS]     (defaults: 12000 images, 2)
#
# Run from the repository root after `make`. Needs Debian's python3-torch.
limit=${1:-12000}
threads=${2:-2}
spec=$(mktemp) || exit 3
log=$(mktemp) || exit 3
trap 'rm -f "$spec" "$log"' EXIT
cat >"$spec" <<'SPEC'
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
echo "convcalc train: $limit images (90% trained), batch 64, $threads threads"
./build/convcalc train "$spec" --data fashion-mnist --limit "$limit" --limit-test 1000 \
    --epochs 1 --batch 64 --lr 0.05 --threads "$threads" --quiet --log "$log" --format csv >/dev/null || exit 3
# the last training point's time: the whole epoch's training, without validation
cc=$(awk -F, '$4 == "train" { s = $8 } END { print s }' "$log")
echo "  seconds per epoch: $cc"
echo "PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'):"
py=$(/usr/bin/python3 tests/bench/train_fmnist_torch.py --limit "$limit" --threads "$threads" |
     tee /dev/stderr | awk '$1 == "seconds_per_epoch" { print $2 }')
echo "  seconds per epoch: $py"
awk -v a="$cc" -v b="$py" 'BEGIN { printf "ratio convcalc/PyTorch: %.2f\n", a / b }'
