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
# a click on a tab switches screens (row 0: " F1 Stepper   F2 Shape   F3 ...")
click 0 27
expect "Layer stack: spec, 8 layers"
click 0 16
expect "Shape calculator"
click 0 3
expect "Step 13/18: output (3,1)"
# a click elsewhere does nothing
click 2 40
expect "Step 13/18: output (3,1)"
# a click on a cell of the padded input (row 3, column 3, counted from 1)
# shows the output cells it feeds; a second click stops it
click 6 6
expect "Padded input (3,3): the output cells it feeds are highlighted"
# on the finished output the cells it feeds are drawn black on yellow:
# padded (3,3) lies in the 3x3 windows of output rows 1-3, columns 1-3
keys G
expect "Step 18/18"
expect_marked '│ +\*-11 +\*2 +\*4 +-1 +7 +│'
expect_marked '│ +\*-24 +\*8 +\*12 +-5 +12 +│'
expect_marked '│ +\*-19 +\*10 +\*4 +-3 +15 +│'
click 6 6
expect "Receptive field off."
expect_marked '│ +-11 +2 +4 +-1 +7 +│'
expect_marked '│ +-24 +8 +12 +-5 +12 +│'
# a corner cell of the padding feeds one output cell only
click 4 2
expect "Padded input (1,1)"
expect_marked '│ +\*-11 +2 +4 +-1 +7 +│'
expect_marked '│ +-24 +8 +12 +-5 +12 +│'
keys q
expect_clean_exit

# stride 2: padded (3,3) is in the windows of output rows 1-2, columns 1-2
# of the 2x3 output (rows start at 0, 2, 4 of the padded input)
finish
TUI_TMP=$(mktemp -d)
tui_start 80 24 -- tui --image "2 1 2 3 1; 3 9 1 1 4; 4 5 0 7 0" --kernel "-1 0 1; -2 0 2; -1 0 1" --padding 1 --stride 2
expect "Step 1/"
keys G
click 6 6
expect "Padded input (3,3): the output cells it feeds are highlighted"
expect_marked '│ +\*-11 +\*4 +7 +│'
expect_marked '│ +\*-19 +\*4 +15 +│'
keys q
expect_clean_exit
