#!/bin/sh
# Changing padding (number, valid, same, full), stride and dilation live;
# the position (the output cell) is kept when it still exists.
. tests/tui/lib.sh
tui_start 80 24
expect "Step 1/18"
keys ]
expect "padding 2  dilation 1"
expect "in 3x5  out 5x7"
keys G
expect_row -2 -1 0 -2 1 3 1
expect_row -12 -24 8 12 -5 12 9
keys v
expect "padding valid  dilation 1"
expect "out 1x3"
expect_row 8 12 -5
keys v
expect "padding same (1)"
expect "out 3x5"
keys v
expect "padding full (2)"
expect "out 5x7"
keys v
expect "padding 2  dilation 1"
keys [
expect "padding 1  dilation 1"
keys s
expect "stride 2  padding 1"
expect "out 2x3"
keys G
expect_row -11 4 7
expect_row -19 4 15
keys S
expect "stride 1  padding 1"
keys S
expect "stride cannot be less than 1"
# dilation 2 needs padding 2 for a 3x5 output
keys ] d
expect "padding 2  dilation 2"
keys G
expect_row -4 -13 6 7 4
expect_row -2 -17 9 11 2
# a dilation too large for the input: an error, and back
keys d d
expect "padding 2  dilation 4"
expect "These settings make no convolution"
keys D
expect "dilation 3"
keys D
expect "dilation 2"
keys G
expect_row -4 -13 6 7 4
# jump to a cell step, then change the padding: the same cell stays
keys [ D g
expect "Step 1/18"
keys c Down Right Enter
expect "Step 9/18: output (2,2)"
expect_row -24 8 . . .
keys ]
expect "Step 11/38: output (2,2)"
keys q
expect_clean_exit
