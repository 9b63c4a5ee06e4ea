#!/bin/sh
# Editing the input and the kernel in place, retyping a matrix, loading
# them from files, and the errors for bad values and bad files.
. tests/tui/lib.sh
tui_start 80 24
expect "Step 1/18"
keys e
expect "Input 3x5 (editing)"
keys Right
send_text "5"
expect "input (1,2) = 5"
keys Enter
expect "input (1,2) = 5"
keys Escape
expect "Editing done."
keys G
# the example with input (0,1) = 1 changed to 5, worked by hand
expect_row -19 2 12 -1 7
expect_row -28 8 16 -5 12
expect_row -19 10 4 -3 15
# a value that is not a number
keys k Enter
expect "kernel (1,1) = -1"
keys C-u
send_text "x1"
keys Enter
expect "'x1' is not a number"
# retype the whole kernel
keys r
expect "Kernel (rows ; channels | filters ||): -1 0 1; -2 0 2; -1 0 1"
keys C-u
send_text "1 2; 3 4"
keys Enter
expect "kernel: 2 x 2 kernel loaded"
expect "Kernel 2x2 (editing)"
keys Escape G
expect "in 3x5  out 4x6"
# load the kernel and the input from files
printf '0 1\n1 0\n' >"$TUI_TMP/k.txt"
printf '[[1, 2, 3], [4, 5, 6], [7, 8, 9]]\n' >"$TUI_TMP/i.txt"
printf '1 2\n3\n' >"$TUI_TMP/bad.txt"
keys O
expect "Load the kernel from file:"
send_text "$TUI_TMP/k.txt"
keys Enter
expect "k.txt: 2 x 2 kernel loaded"
keys o
send_text "$TUI_TMP/i.txt"
keys Enter
expect "i.txt: 3 x 3 input loaded"
keys g
expect_row 0 0 0 0 0
expect_row 0 1 2 3 0
keys G
expect "in 3x3  out 4x4"
# flipped [[0,1],[1,0]] is itself; worked by hand with padding 1
expect_row 0 1 2 3
expect_row 1 6 8 6
expect_row 4 12 14 9
expect_row 7 8 9 0
keys o
send_text "$TUI_TMP/bad.txt"
keys Enter
expect "bad.txt: line 2"
keys o
send_text "$TUI_TMP/missing.txt"
keys Enter
expect "missing.txt: cannot open: No such file or directory"
expect "in 3x3  out 4x4"
keys q
expect_clean_exit
