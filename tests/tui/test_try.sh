#!/bin/sh
# Try it yourself: the cell's products and value stay hidden until the
# user answers; a wrong value is told with the right one (and spotted as
# the cross-correlation value when it is), wrong products are named.
. tests/tui/lib.sh
tui_start 80 24
expect "Step 1/18"
keys t
expect "[try it yourself]"
keys n n
expect "Step 3/18: output (0,0)"
expect "Output (0,0) = ? (value, or products = value):"
expect "Your turn: multiply the highlighted window"
expect_row "?" "?" "?"
expect_row "?" . . . .
expect_not "= -11"
send_text "11"
keys Enter
expect "Wrong: output (0,0) is -11, not 11."
expect "11 is the correlation value"
expect "Your answer: wrong."
expect_row -11 . . . .
expect "9*(-1) = -11"
keys n
expect "Output (0,1) = ?"
# the products of window (0,1) are 0 0 0 / 4 0 -4 / 3 0 -1; one is wrong
send_text "0 0 0 4 0 4 3 0 -1 = 10"
keys Enter
expect "Wrong: output (0,1) is 2, not 10. This term differs: (1,2) you 4, is -4"
expect_row 4 0 -4
keys n
send_text "4"
keys Enter
expect "Right: output (0,2) = 4."
expect "Your answer: right."
expect_row -11 2 4 . .
keys n
expect "Output (0,3) = ?"
send_text "1 2 x"
keys Enter
expect "Cannot read the answer: 'x' is not part of a number"
keys C-u Escape
expect "Shown without an answer: output (0,3) = -1."
expect_row -11 2 4 -1 .
# going back shows the answered cells; try mode off shows everything
keys p
expect "Step 5/18: output (0,2)"
expect_not "Output (0,2) = ?"
keys t G
expect_row -11 2 4 -1 7
keys q
expect_clean_exit
