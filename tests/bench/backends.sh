#!/bin/sh
# tests/bench/backends.sh - build and run tests/bench/conv_backends.c: each
# convolution of the benchmark networks, forward / backward-data /
# backward-weights, OpenBLAS against oneDNN through the engine's API, and
# the whole-batch GEMM with OpenBLAS, oneDNN and libxsmm (libxsmm-dev).
#
#   tests/bench/backends.sh [THREADS] [REPS]     (defaults: online CPUs, 5)
#
# Run from the repository root after `make`.
set -e
cd "$(dirname "$0")/../.."
[ -f build/libconvcalc.a ] || { echo "backends: run make first" >&2; exit 3; }
[ -f /usr/include/libxsmm.h ] || { echo "backends: libxsmm-dev is not installed" >&2; exit 3; }
out=$(mktemp) || exit 3
trap 'rm -f "$out"' EXIT
cc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -Iinclude -Isrc tests/bench/conv_backends.c \
    build/libconvcalc.a -lxsmm -lxsmmnoblas -ldnnl -lgomp -lopenblas -lm -lpthread -ldl -o "$out"
echo "backends: $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$out" "${1:-$(getconf _NPROCESSORS_ONLN)}" "${2:-5}"
echo "backends: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
