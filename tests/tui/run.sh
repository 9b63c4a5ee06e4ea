#!/bin/sh
# TUI tests: each tests/tui/test_*.sh drives the program in a real terminal
# (tmux: send-keys types, capture-pane reads the screen) and exits 0 when
# what a person would see is right. $CONVCALC names the program.
prog=${1:?usage: run.sh PROGRAM}
case "$prog" in /*) ;; *) prog="$(pwd)/$prog" ;; esac
export CONVCALC="$prog"
passed=0
for t in tests/tui/test_*.sh; do
    [ -e "$t" ] || continue
    if ! sh "$t"; then
        echo "FAILED: tui test $(basename "$t")"
        echo "tui: $passed passed, 1 failed"
        exit 1
    fi
    passed=$((passed + 1))
done
echo "tui: $passed passed, 0 failed"
