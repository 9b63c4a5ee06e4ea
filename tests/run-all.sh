#!/bin/sh
# `make test`: every suite in turn, stopping at the first failure.
# The last line sums them up: "total: N passed, M failed".
total=0
last=$(mktemp) || exit 3
trap 'rm -f "$last"' EXIT
run() {
    "$@" | tee "$last"
    out=$(tail -n 1 "$last")
    case "$out" in
    *" passed, 0 failed") n=${out#*: }; n=${n%% passed*}; total=$((total + n)) ;;
    *) echo "total: $total passed, 1 failed"; exit 1 ;;
    esac
}
run tests/run-unit.sh build/asan/tests/test_*
run tests/cli/run.sh build/asan/convcalc
run tests/cli/run.sh --valgrind build/convcalc
run tests/tui/run.sh build/asan/convcalc
run tests/fuzz/run.sh smoke build/asan/fuzz "${SMOKE_SECONDS:-2}"
run tests/pkg/run.sh
echo "total: $total passed, 0 failed"
