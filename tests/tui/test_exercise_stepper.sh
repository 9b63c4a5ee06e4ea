#!/bin/sh
# F4 -> stepper: w on a convolution problem shows that problem's
# convolution (its image, kernel, stride, padding, mode and bias) in the
# stepper; b comes back to the exercise. A problem that is not a
# convolution says so. The set is opened with Ctrl-O, Tab completing it.
. tests/tui/lib.sh
cat >"$TUI_TMP/hand-set.txt" <<'SET'
title: By hand
problem: q1
kind: output-size
input: 7
kernel: 3
stride: 2
padding: 0
prompt: What size comes out?

problem: q2
kind: convolve
image: 1 2 0 3; 4 1 1 0; 2 0 5 1; 1 3 2 2
kernel: 1 0; 0 -1
stride: 2
padding: 0
mode: correlation
bias: 10
prompt: Correlate the 4x4 image with the 2x2 kernel, stride 2, then add the bias.
SET
tui_start 80 24
expect "Step 1/18"
keys F4
expect "CNN basics: the classic first assignment"
expect "Problem 1a (convolve, 4 points) - w: step through it"
keys C-o
send_text "$TUI_TMP/hand-s"
keys Tab
expect "Open an exercise set: $TUI_TMP/hand-set.txt"
keys Enter
expect "By hand: 2 problems"
expect "Problem q1 (output-size"
keys w
expect "Problem q1 is not a convolution"
keys Down
expect "Problem q2 (convolve, 1 point) - w: step through it"
keys w
expect "Exercise q2 in the stepper"
expect "[exercise q2, b back] correlation  stride 2  padding 0  dilation 1"
expect "Step 1/7: zero padding turns the 4x4 input into 4x4"
expect_row 1 2 0 3
expect_row 2 0 5 1
expect_row 1 0
expect_row 0 -1
# cross-correlation with stride 2, plus the bias 10:
# 1-1+10 = 10, 0-0+10 = 10, 2-3+10 = 9, 5-2+10 = 13
keys G
expect_row 10 10
expect_row 9 13
keys b
expect "Back to exercise q2."
expect "Problem q2 (convolve"
# the answer typed there is graded as before
keys Enter
send_text "10 10; 9 13"
keys Enter
expect "q2: right"
keys F1
expect "[exercise q2, b back]"
finish
TUI_TMP=$(mktemp -d)

# a variant (v on F4): other numbers, and w steps through those. The
# expected numbers come from the command line: the variant's image as
# `exercise --variant` prints it, the first output row from its worked
# solution.
sol=$("$CONVCALC" exercise cnn-basics --variant alice --solutions)
img=$("$CONVCALC" exercise cnn-basics --variant alice | sed -n '/^1a /,/^1b /p' |
    grep -m1 '\[' | sed 's/.*\[ *//; s/ *\].*//')
row=""
for c in 1 2 3 4 5; do
    row="$row $(printf '%s\n' "$sol" | grep -m1 "output(1, $c) = " | sed 's/.*= //')"
done
[ -n "$img" ] && [ "$(echo $row | wc -w)" = 5 ] || { echo "FAIL: no variant from the CLI" >&2; exit 1; }
tui_start 80 24
expect "Step 1/18"
keys F4
expect "Problem 1a (convolve"
keys v
expect "Variant id:"
send_text "alice"
keys Enter
expect "cnn-basics, variant alice: the same 7 problems with other numbers"
expect "(variant alice) CNN basics: the classic first"
keys w
expect "[exercise 1a, b back]"
expect_row 0 $img 0
keys G
expect_row $row
keys b
expect "(variant alice) CNN basics"
keys q
expect_clean_exit
