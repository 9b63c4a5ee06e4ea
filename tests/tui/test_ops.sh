#!/bin/sh
# The other operations in the stepper: the transposed convolution (T, its
# scatter steps with the output so far), pooling (P), an activation (f),
# the im2col view (I), auto-play (a, Space pauses); the note when the
# stride leaves rows unused; small terminals say what they need, and 80x24
# shows the essential keys.
. tests/tui/lib.sh
tui_start 80 24 -- tui --image "1 2; 3 4" --kernel "1 0; 2 -1" --stride 2
expect "Step 1/"
keys T
expect "transposed convolution  stride 2"
expect "insert zeros between the input cells"
expect_row 0 1 0 2 0
keys n n
expect "Step 3/23: scatter input cell (1, 1)"
# the output so far: 1 times the kernel in the top-left corner
expect_row 1 0 0 0
expect_row 2 -1 0 0
keys n
expect "scatter input cell (1, 2)"
expect_row 1 0 2 0
expect_row 2 -1 4 -2
keys G
# conv_transpose2d of [[1,2],[3,4]] with [[1,0],[2,-1]], stride 2
expect_row 1 0 2 0
expect_row 2 -1 4 -2
expect_row 3 0 4 0
expect_row 6 -3 8 -4
keys I
expect "unrolled input 16x4"
keys I
# V: the scatter view alone (no convolution steps), then the convolution
# view alone (no scatter steps), then both again
keys V
expect "transposed convolution (scatter view)  stride 2"
keys G
expect_row 6 -3 8 -4
expect_not "Step 23/23"
keys g n n
expect "scatter input cell (1, 1)"
keys V
expect "transposed convolution (conv view)"
keys g n n
expect_not "scatter input cell"
keys G
expect_row 6 -3 8 -4
keys V
expect "Both views"
expect "Step 23/23"
keys T
expect "convolution  stride 2"
# pooling: max over 2x2 windows, then the mean
keys P
expect "max pooling 2x2  stride 2"
keys g n
expect "output cell (1, 1): the largest value"
expect "max of the input cells: 4"
# the window has its own size: 1x1 takes the top-left cell of each
# stride-2 step; 3x3 does not fit a 2x2 input and is refused
keys w
expect "Pooling window 1x1"
expect "max pooling 1x1  stride 2"
keys G
expect "[ 1 ]"
keys W W
expect "A 3x3 window does not fit"
expect "max pooling 2x2  stride 2"
keys P
expect "average pooling"
keys G
expect "[ 2.5 ]"
keys P f
expect "convolution+relu"
keys G p
expect "apply relu to every output value"
keys f f f f
expect "convolution  stride 2"
# auto-play moves on by itself; Space pauses
keys g a
expect "Auto-play: a step every"
expect "Step 2/" 3
# the status line says so while it plays (the message goes with the step)
expect "| auto-play: Space pauses  ? all keys"
keys Space
expect "Auto-play paused"
expect "n/p step  g/G ends"
finish
TUI_TMP=$(mktemp -d)

# stride 2 on a 4x4 input with a 3x3 kernel: the last row and column unused
tui_start 80 24 -- tui --image "1 2 3 4; 5 6 7 8; 9 1 2 3; 4 5 6 7" --kernel "1 0 0; 0 1 0; 0 0 1" --stride 2
expect "Step 1/"
expect "the last 1 row and the last 1 column of the padded input are"
expect "never covered by a window."
finish
TUI_TMP=$(mktemp -d)

# 80x24: the status line ends with the essential keys, try it among them
tui_start 80 24
expect "Step 1/18"
expect "t try  e/k edit  c cell  m mode  ? all keys"
keys n n n
resize 60 15
expect "Too small (60x"
expect "): needs 68x"
resize 40 10
expect "Too small (40x"
resize 80 24
expect "in 3x5  out 3x5"
expect_not "Too small"
keys q
expect_clean_exit
