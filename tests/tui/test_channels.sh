#!/bin/sh
# Try it yourself on 2 channels and 2 filters: the prompt names the
# filter, the hint says to add both channels, and an answer written as the
# sum shows it ("0*4 + ... + 1*1") is read as its products. A long step
# title (transposed convolution) takes a second line at 80x24. The im2col
# view scrolls with the arrows, so filter 2's output can be read. Try it
# on pooling asks for the largest value or the mean.
. tests/tui/lib.sh
IMG='1 2 3 4; 5 6 7 8; 9 0 1 2; 3 4 5 6 | 1 0 1 0; 0 1 0 1; 2 2 2 2; 1 1 1 1'
tui_start 80 24 -- tui --image "$IMG" --kernel "1 2; 3 4 | 0 1; -1 0" \
    --kernel "1 0; 0 1 | 1 1; 1 1" --stride 2x1 --padding 1,0x1
expect "in 4x4x2 out 2x5, 2 filters"
keys t n n
expect "Output 1 (1,1) = ? (value, or products = value):"
expect "on each of the 2"
expect "channels (< > shows the others) and add all the"
# two products typed as the sum writes them, no value: kept, and said
send_text "0*4 + 0*3"
keys Enter
expect "Not checked yet: the products are there, the value is missing"
expect "(value, or products = value): 0*4 + 0*3"
# all 8 (window [0 0; 0 1] on both channels, flipped [4 3; 2 1] and
# [0 -1; 1 0]); the last product of channel 2 typed wrong: 1*1 instead of 1*0
send_text " + 0*2 + 1*1 + 0*0 + 0*(-1) + 0 * 1 + 1*1 = 1"
keys Enter
expect "The value 1 is right, but this term differs: (2,2) of channel 2 you 1, is 0"
expect "[try it: 0 right, 1 wrong]"
keys n
expect "Output 1 (1,2) = ?"
# window [0 0; 1 2] and [0 0; 1 0]: 1*2 + 2*1 = 4 and 1*1 = 1, total 5
send_text "0*4+0*3+1*2+2*1 + 0*0+0*(-1)+1*1+0*0 = 5"
keys Enter
expect "Right: output (1,2) = 5."
expect "[try it: 1 right, 1 wrong]"
keys Escape t
# im2col: 10 windows of 8 numbers times the 8x2 kernel matrix; at 80x24
# filter 2's output (column 2) is below the screen until scrolled
keys I
expect "im2col: unrolled input times kernels as columns (arrows scroll, I: steps)"
expect "unrolled input 10x8     kernels 8x2     10x2"
expect_not "filter 2"
keys PgDn
expect "filter 2"
expect_line '^ +\[ 11 10 12 14 11 \]'
expect_not "The convolution as a matrix product"
keys Home
expect "The convolution as a matrix product (im2col)"
expect "unrolled input 10x8"
keys I
expect "Stepper 4/24"
keys q
expect_clean_exit
finish
TUI_TMP=$(mktemp -d)

# conv_transpose2d of [1 2 0; 3 1 2] by [1 -1; 2 0]: the first step's
# title is longer than 80 columns and wraps instead of being cut
tui_start 80 24 -- tui --image "1 2 0; 3 1 2" --kernel "1 -1; 2 0"
expect "Step 1/"
keys T
expect "Step 1/21: for the convolution view, insert zeros between the input cells and"
expect "add the border (2x3 becomes 4x5)"
# the header is long here: with try it on, the tally still shows in full
keys t
expect "transposed convolution stride 1 padding 0 dilation 1 [try it: 0 right, 0 wrong]"
keys t
expect_not "[try it"
keys G
expect_line '^│  1  1 -2  0 │'
expect_line '^│  5  2  1 -2 │'
expect_line '^│  6  2  4  0 │'
keys q
expect_clean_exit
finish
TUI_TMP=$(mktemp -d)

# try it on pooling asks for the largest value or the mean, not products
tui_start 80 24 -- tui --image "1 5 2 0; 4 2 8 1; 0 7 3 6; 9 1 1 2" --kernel "1 0; 0 1"
expect "Step 1/"
keys P t n
expect "Your turn: the largest value in the highlighted window"
expect "Output (1,1) of channel 1 = ? (the value):"
expect_not "multiply the highlighted window"
send_text "5"
keys Enter
expect "Right: output (1,1) = 5."
keys Escape P g n
# average pooling 2x2 of [1 5; 4 2]: 12 / 4 = 3
expect "Your turn: the mean of the highlighted window"
send_text "3"
keys Enter
expect "Right: output (1,1) = 3."
keys q
expect_clean_exit
