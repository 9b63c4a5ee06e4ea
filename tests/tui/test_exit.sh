#!/bin/sh
# The terminal is given back however the program ends: q, Ctrl-C, a
# SIGTERM, and a crash signal (SIGSEGV) - echo and canonical mode on, the
# exit status as expected.
. tests/tui/lib.sh
prog_pid() {
    sh_pid=$(tmux_ list-panes -t t -F '#{pane_pid}')
    ps -o pid= --ppid "$sh_pid" | head -n 1 | tr -d ' '
}

tui_start 80 24
expect "Step 1/18"
keys C-c
expect_clean_exit 0
finish

TUI_TMP=$(mktemp -d)
tui_start 80 24
expect "Step 1/18"
pid=$(prog_pid)
[ -n "$pid" ] || fail "no program process"
kill -TERM "$pid"
expect "[exit 143]"
expect "[stty]"
screen | grep -qE '(^| )icanon( |$)' || fail "SIGTERM left the terminal without icanon"
screen | grep -qE '(^| )echo( |$)' || fail "SIGTERM left the terminal without echo"
finish

TUI_TMP=$(mktemp -d)
tui_start 80 24
expect "Step 1/18"
pid=$(prog_pid)
kill -SEGV "$pid"
expect "[stty]"
expect_not "[exit 0]"
screen | grep -qE '(^| )icanon( |$)' || fail "SIGSEGV left the terminal without icanon"
screen | grep -qE '(^| )echo( |$)' || fail "SIGSEGV left the terminal without echo"
