#!/bin/sh
# A mouse click on an output cell jumps to its step. The click is typed
# into the pane as the terminal would report it (X10 mouse encoding:
# ESC [ M, then button, column and row, each plus 32, 1-based).
. tests/tui/lib.sh
click() { # ROW COL (0-based screen position)
    printf '\033[M%b%b%b\033[M%b%b%b' '\040' "\\0$(printf %o $(($2 + 33)))" \
        "\\0$(printf %o $(($1 + 33)))" '\043' "\\0$(printf %o $(($2 + 33)))" \
        "\\0$(printf %o $(($1 + 33)))" >"$TUI_TMP/click"
    tmux_ load-buffer -b click "$TUI_TMP/click"
    tmux_ paste-buffer -b click -d -t t
}
tui_start 80 24
expect "Step 1/18"
expect_row . . . . .
# the output panel's cells start at row 11, column 2, four columns apart
# (as wide as the widest output value from the first step on)
click 12 14
expect "Step 11/18: output (2,4)"
expect_row -24 8 12 -5 .
click 13 2
expect "Step 13/18: output (3,1)"
# a click elsewhere does nothing
click 2 40
expect "Step 13/18: output (3,1)"
# a click on a cell of the padded input (row 3, column 3, counted from 1)
# shows the output cells it feeds; a second click stops it
click 6 6
expect "Padded input (3,3): the output cells it feeds are highlighted"
click 6 6
expect "Receptive field off."
keys q
expect_clean_exit
