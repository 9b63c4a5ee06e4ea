#!/bin/sh
# CLI golden tests. Each case is tests/cli/cases/NAME.cmd, one shell command
# line in which $CONVCALC stands for the program, run from the repository root.
# Beside it: NAME.out (expected standard output, required), NAME.status
# (expected exit status, default 0), NAME.err (expected standard error,
# optional), NAME.in (standard input, optional), NAME.novalgrind (skip it in
# the valgrind pass: too slow there).
#
#   tests/cli/run.sh [--valgrind] PROGRAM        run every case
#   UPDATE=1 tests/cli/run.sh PROGRAM            rewrite the .out/.err/.status
#                                                files (review the diff!)
valgrind=0
if [ "$1" = "--valgrind" ]; then valgrind=1; shift; fi
prog=${1:?usage: run.sh [--valgrind] PROGRAM}
case "$prog" in /*) ;; *) prog="$(pwd)/$prog" ;; esac
if [ $valgrind = 1 ]; then
    CONVCALC="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect $prog"
    label=valgrind
else
    CONVCALC="$prog"
    label=cli
fi
export CONVCALC
# train, eval and bench default to every online CPU; the expected outputs
# were made with one thread (cases that test the default unset this)
CONVCALC_THREADS=1
export CONVCALC_THREADS
tmp=$(mktemp -d) || exit 3
trap 'rm -rf "$tmp"' EXIT
passed=0
for cmd in tests/cli/cases/*.cmd; do
    [ -e "$cmd" ] || continue
    base=${cmd%.cmd}
    name=$(basename "$base")
    if [ $valgrind = 1 ] && [ -e "$base.novalgrind" ]; then continue; fi
    want_status=0
    [ -f "$base.status" ] && want_status=$(cat "$base.status")
    input=/dev/null
    [ -f "$base.in" ] && input="$base.in"
    NO_COLOR=1 TMPDIR="$tmp" sh -c "$(cat "$cmd")" <"$input" >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ -n "$UPDATE" ] && [ $valgrind = 0 ]; then
        cp "$tmp/out" "$base.out"
        if [ -s "$tmp/err" ]; then cp "$tmp/err" "$base.err"; else rm -f "$base.err"; fi
        if [ $status -ne 0 ]; then echo $status >"$base.status"; else rm -f "$base.status"; fi
        passed=$((passed + 1))
        continue
    fi
    fail=""
    if [ $status -ne "$want_status" ]; then
        fail="exit status $status, expected $want_status"
    elif ! cmp -s "$tmp/out" "$base.out"; then
        fail="standard output differs"
    elif [ -f "$base.err" ] && ! cmp -s "$tmp/err" "$base.err"; then
        fail="standard error differs"
    elif [ $valgrind = 1 ] && [ -s "$tmp/err" ] && [ ! -f "$base.err" ] && grep -q '^==[0-9]*==' "$tmp/err"; then
        fail="valgrind reported errors"
    fi
    if [ -n "$fail" ]; then
        echo "FAILED: $label case $name: $fail"
        echo "  command: $(cat "$cmd")"
        diff -u "$base.out" "$tmp/out" | head -n 40
        [ -f "$base.err" ] && diff -u "$base.err" "$tmp/err" | head -n 20
        [ -f "$base.err" ] || head -n 20 "$tmp/err"
        echo "$label: $passed passed, 1 failed"
        exit 1
    fi
    passed=$((passed + 1))
done
echo "$label: $passed passed, 0 failed"
