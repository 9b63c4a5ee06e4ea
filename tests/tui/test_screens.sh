#!/bin/sh
# The help overlay, and the other screens: the shape calculator solving
# for the empty field, the layer stack table updating as one types, the
# exercises graded.
. tests/tui/lib.sh
tui_start 80 24
expect "Step 1/18"
keys ?
expect "Help: Stepper keys"
expect "toggle convolution / cross-correlation"
keys PgDn
expect "transposed convolution on / off"
keys PgDn
expect "try it yourself: type each cell's value before"
keys End
expect "quit, from anywhere"
keys q
expect "Step 1/18"
expect_not "Help: Stepper keys"

# shape: input 32, kernel 5, output 32, padding left empty
keys F2
expect "convolution: solve for the padding"
expect "so P = 2"
keys Up BSpace
send_text "7"
expect "so P = 3"
keys ?
expect "Help: Shape keys"
keys Escape
# empty the output too: two unknowns
keys Down Down Down Down End BSpace BSpace
expect "2 fields are empty"
send_text "26"
expect "so P = 0"

# layer stack: the example, then typed
keys F3
expect "Layer stack: spec, 8 layers, input 32x32x3"
expect "output HxWxC"
expect "(5*5*3 + 1) * 32 = 2432"
keys Enter C-l
send_text "input 28x28"
keys Enter
send_text "conv 8 3x3 pad 1"
keys Enter
send_text "maxpool 2"
keys Enter
send_text "linearr 10"
expect "line 4, column 1: unknown layer 'linearr'"
expect "Layer stack [as last read: the text has an error]: spec, 2 layers"
keys BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
send_text "flatten"
keys Enter
send_text "linear 10"
expect "spec, 4 layers, input 28x28x1"
expect_line "conv1 +conv +28x28x8"
expect "(3*3*1 + 1) * 8 = 80"
expect "(1568 + 1) * 10 = 15690"
keys Escape

# exercises: the built-in example as problem 1a, then a wrong choice
keys F4
expect "Problem 1a (convolve, 4 points)"
keys Enter
send_text "-11 2 4 -1 7; -24 8 12 -5 12; -19 10 4 -3 15"
keys Enter
expect "1a: right (4 of 4 points)"
expect "1/7 done, 1 right, 4/12 points"
keys Escape Down Enter
send_text "a"
keys Enter
expect "1b: wrong (0 of 1 points)"
expect "the answer is (c) max pooling"
keys Escape s
expect "Worked solution:"
keys C-o
send_text "no-such-set"
keys Enter
expect "no-such-set"
expect "Problem 1b (choice, 1 point)"
keys q
expect_clean_exit
