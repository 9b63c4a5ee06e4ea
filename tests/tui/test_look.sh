#!/bin/sh
# Colours unless NO_COLOR is set; UTF-8 frames in a UTF-8 locale, ASCII
# frames otherwise.
. tests/tui/lib.sh
esc=$(printf '\033')
tui_start 80 24
expect "Step 1/18"
expect "┌Padded input"
keys n n
expect "Step 3/18"
tmux_ capture-pane -t t -p -e | grep -q "${esc}\[[0-9;]*4[0-7]m" ||
    fail "no colour on a colour terminal"
keys q
expect_clean_exit
finish

TUI_TMP=$(mktemp -d)
tui_start 80 24 NO_COLOR=1
expect "Step 1/18"
keys n n
expect "Step 3/18"
if tmux_ capture-pane -t t -p -e | grep -q "${esc}\[[0-9;]*[34][0-7]m"; then
    fail "colours despite NO_COLOR"
fi
# monochrome: the window is still shown, in reverse video
tmux_ capture-pane -t t -p -e | grep -q "${esc}\[[0-9;]*7m" || fail "no reverse video"
keys q
expect_clean_exit
finish

TUI_TMP=$(mktemp -d)
tui_start 80 24 LANG=C LC_ALL=C
expect "Step 1/18"
expect "+Padded input---"
expect_line "^\| 0 2 1 2 3 1 0 \|"
expect_not "┌"
keys q
expect_clean_exit
