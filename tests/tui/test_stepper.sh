#!/bin/sh
# The convolution stepper on the built-in example: stepping forward and
# back, first/last, the output filling in, and the cross-correlation
# toggle. Expected values worked by hand (textbook convolution: the
# kernel flipped by 180 degrees, zero padding 1, stride 1).
. tests/tui/lib.sh
tui_start 80 24
expect "Step 1/18: zero padding turns the 3x5 input into 5x7"
expect "convolution  stride 1  padding 1  dilation 1"
expect_row 0 2 1 2 3 1 0          # the padded input, second row
# the kernel; its flipped form waits for step 2 (dots, same width)
expect_line "│ -1  0  1 │ │  .  .  . │"
keys n
expect "Step 2/18: the kernel flipped by 180 degrees"
expect_line "│ -1  0  1 │ │  1  0 -1 │"
keys n
expect "Step 3/18: output (1,1), window rows 1-3, columns 1-3 (counted from 1)"
expect "Window times flipped kernel, cell by cell, summed:"
expect_not "Window * kernel"
expect "0*1 + 0*0 + 0*(-1) + 0*2 + 2*0 + 1*(-2) + 0*1 + 3*0"
expect "9*(-1) = -11"
expect_row -11 . . . .
keys Space
expect "Step 4/18: output (1,2)"
expect_line "= 2$|= 2 "
expect_row -11 2 . . .
keys p
expect "Step 3/18: output (1,1)"
expect_row -11 . . . .
keys Right Right
expect "Step 5/18: output (1,3)"
keys Left
expect "Step 4/18"
keys G
expect "Step 18/18: the finished 3x5 output"
expect_row -11 2 4 -1 7
expect_row -24 8 12 -5 12
expect_row -19 10 4 -3 15
keys g
expect "Step 1/18"
keys End
expect "Step 18/18"
keys Home
expect "Step 1/18"
# cross-correlation: the kernel is not flipped, every value changes sign
# for this antisymmetric kernel
keys m
expect "correlation  stride 1"
keys n
expect_line "│ -1  0  1 │ │ -1  0  1 │"
keys G
expect_row 11 -2 -4 1 -7
expect_row 24 -8 -12 5 -12
keys m G
expect "convolution  stride 1"
expect_row -11 2 4 -1 7
keys q
expect_clean_exit
