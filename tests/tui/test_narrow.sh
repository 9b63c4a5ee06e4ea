#!/bin/sh
# Narrow and short terminals: the step line keeps "counted from 1" (a
# shorter wording when it must), the status line always ends with its way
# out ("? all keys", "Esc done"), and a sum the terminal cuts shows its
# end, the value. In edit mode < and > reach every filter and channel.
# The header gives the input as HxWxC. F3 at 40x10 shows the table (the
# editor comes back with Enter).
. tests/tui/lib.sh
IMG='1 2 3 4; 5 6 7 8; 9 0 1 2; 3 4 5 6 | 1 0 1 0; 0 1 0 1; 2 2 2 2; 1 1 1 1'
tui_start 80 24 -- tui --image "$IMG" --kernel "1 2; 3 4 | 0 1; -1 0" \
    --kernel "1 0; 0 1 | 1 1; 1 1" --stride 2x1 --padding 1,0x1
expect "in 4x4x2 out 2x5, 2 filters"
keys n n
# 80 columns: "filter 1, " makes the long wording too long
expect "Step 3/24: filter 1, output (1,1), window rows 1-2, cols 1-2 (counted from 1)"
# the window at (1,1) of filter 1, flipped [4 3; 2 1] and [0 -1; 1 0]
expect "channel 1: 0*4 + 0*3 + 0*2 + 1*1 = 1"
expect "total: 1 + 0 = 1"
# edit the kernel: < > walk filter 1 ch 1, ch 2, filter 2 ch 1, ...
keys k
expect "Kernel 2x2 filter 1/2 ch 1/2 (editing)"
expect "< > other channels and filters"
expect "arrows move  Enter/digit type  Tab input/kernel  Esc done"
keys '>'
expect "Kernel 2x2 filter 1/2 ch 2/2 (editing)"
keys '>'
expect "Editing filter 2 of 2, channel 1 of 2."
expect "Kernel 2x2 filter 2/2 ch 1/2 (editing)"
keys '>' '>'
expect "Kernel 2x2 filter 1/2 ch 1/2 (editing)"
keys '<'
expect "Kernel 2x2 filter 2/2 ch 2/2 (editing)"
keys '<'
# filter 2, channel 1: (1,1) from 1 to 5. Flipped [1 0; 0 5] on the
# window [0 0; 0 1] gives 5, channel 2 still 1: output (1,1) of filter 2
# goes from 2 to 6; filter 1 keeps 1
keys 5 Enter
expect "kernel (1,1) = 5 (filter 2, channel 1)"
keys Escape G
expect "Output 2/2"
expect_line '^│  1  5  7 11  8 │ │  6 11 16 21  0 │'
# the input has 2 channels, one image: < > name only channels
keys e
expect "< > other channels, Esc ends."
keys '>'
expect "Editing channel 2 of 2."
expect "Input 4x4 ch 2/2 (editing)"
keys Escape

# 68x20: the status line drops keys, not its last one
resize 68 20
keys g n n
expect "Step 3/24: filter 1, output (1,1), rows 1-2, cols 1-2 (from 1)"
expect_line '\| n/p step .* \? all keys *$'
keys q
expect_clean_exit
finish
TUI_TMP=$(mktemp -d)

# the example at 60x15 and 40x10: the sum's end, "= -11", stays in view;
# F4's long answer hint wraps at 80x24
tui_start 60 15
expect "Step 1/18"
keys n n
expect "Too small (60x15)"
# the sum's end, marked as cut
expect "... 1*(-2) + 0*1 + 3*0 + 9*(-1)"
expect "= -11"
expect_line '\? all keys *$'
resize 40 10
expect "Too small (40x10)"
# the top panels give way to the output and the sum
expect "┌Sum"
expect "9*(-1) = -11"
expect_line '\| n/p step  \? all keys *$'
keys F3
expect_line '^ 1  conv1 +conv +32x32x32'
keys Enter
expect "Text (editing: Esc leaves)"
keys Escape F1
resize 80 24
expect "0*1 + 0*0 + 0*(-1) + 0*2 + 2*0 + 1*(-2) + 0*1 + 3*0"
keys F4
expect "Answer (a matrix: numbers in rows, rows separated by ';' or new"
expect_line '^│ +│ lines\):'
keys F1
keys q
expect_clean_exit
finish
TUI_TMP=$(mktemp -d)
# pooling keeps the channels: HxWxC on both sides
tui_start 80 24 -- tui --image "$IMG" --kernel "1 2; 3 4 | 0 1; -1 0" --stride 2x1 --padding 1,0x1
expect "in 4x4x2  out 2x5"
keys P
expect "max pooling 2x2  stride 2x1  padding 1,0x1  dilation 1     in 4x4x2  out 2x5x2"
keys G
# channel 1 padded to 5x6, 2x2 windows every 2 rows and every column
expect_line '^│ 1 2 3 4 4 +│ │ 1 1 1 1 0 +│'
expect_line '^│ 9 9 7 8 8 +│ │ 2 2 2 2 2 +│'
expect "Output ch 2/2"
keys q
expect_clean_exit
