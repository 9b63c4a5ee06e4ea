#!/bin/sh
# Run cmocka test programs; stop at the first one that fails.
# Prints "unit: N passed, M failed" last. Tests run from the repository root.
passed=0
for t in "$@"; do
    out=$("$t" 2>&1)
    rc=$?
    n=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' | tail -n 1)
    if [ $rc -ne 0 ]; then
        printf '%s\n' "$out"
        f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s).*/\1/p' | tail -n 1)
        echo "FAILED: $t (exit status $rc)"
        echo "unit: ${passed} passed, ${f:-1} failed"
        exit 1
    fi
    echo "  ok  $(basename "$t"): ${n:-0} tests"
    passed=$((passed + ${n:-0}))
done
echo "unit: $passed passed, 0 failed"
