#!/bin/sh
# Resizing the terminal redraws the layout; a terminal that is too small
# says so; large matrices scroll to keep the window and the current cell
# in view.
. tests/tui/lib.sh
tui_start 100 30
expect "Step 1/18"
keys n n n
expect "Step 4/18: output (1,2)"
resize 80 24
expect "Step 4/18: output (1,2)"
expect_row -11 2 . . .
resize 25 6
expect "Terminal 25x6"
resize 80 24
expect "Step 4/18: output (1,2)"
expect_row -11 2 . . .
keys q
expect_clean_exit
finish

# a 20x30 input of ones and a 3x3 kernel of ones, padding 1
TUI_TMP=$(mktemp -d)
row=$(printf '1 %.0s' $(seq 30))
i=0; : >"$TUI_TMP/ones.txt"
while [ $i -lt 20 ]; do echo "$row" >>"$TUI_TMP/ones.txt"; i=$((i + 1)); done
tui_start 80 24 -- tui --image "@$TUI_TMP/ones.txt" --kernel "1 1 1; 1 1 1; 1 1 1" --padding 1
expect "in 20x30  out 20x30"
expect "of 22x32]"
# pick the last cell: the panels scroll to show it and its window
keys c End
for i in $(seq 19); do keys Down; done
keys Enter
expect "Step 602/603: output (20,30)"
# the window's rows 19-21 and the cell's row 19 are in view
expect "Padded input [16-22,"
expect "Output [14-20,13-30 of 20x30]"
expect_row 6 6 6 6 6 6 6 6 6 6 6 6 6 6 6 6 6 4
expect "0*1 + 0*1 + 0*1 = 4"
keys g
expect "Padded input [1-"
keys q
expect_clean_exit
