#!/bin/sh
# Try it yourself: the cell's products and value stay hidden until the
# user answers; a wrong value is told with the right one (and spotted as
# the cross-correlation value when it is), wrong products are named.
. tests/tui/lib.sh
tui_start 80 24
expect "Step 1/18"
keys t
expect "[try it: 0 right, 0 wrong]"
keys n n
expect "Step 3/18: output (1,1)"
expect "Output (1,1) = ? (value, or products = value):"
expect "Your turn: multiply the highlighted window"
expect_row "?" "?" "?"
expect_row "?" . . . .
expect_not "= -11"
send_text "11"
keys Enter
expect "Wrong: output (1,1) is -11, not 11."
expect "11 is the correlation value"
expect "Your answer: wrong."
expect_row -11 . . . .
expect "9*(-1) = -11"
keys n
expect "Output (1,2) = ?"
# the products of window (0,1) are 0 0 0 / 4 0 -4 / 3 0 -1; one is wrong
send_text "0 0 0 4 0 4 3 0 -1 = 10"
keys Enter
expect "Wrong: output (1,2) is 2, not 10. This term differs: (2,3) you 4, is -4"
expect_row 4 0 -4
keys n
send_text "4"
keys Enter
expect "Right: output (1,3) = 4."
expect "Your answer: right."
# the tally, and the wrong answers marked on the output with !
expect "[try it: 1 right, 2 wrong]"
expect_row "-11!" "2!" 4 . .
keys n
expect "Output (1,4) = ?"
send_text "1 = 2 = 3"
keys Enter
expect "Not checked yet: two '=' in the answer"
# the text typed stays in the field, to be fixed
expect "= ? (value, or products = value): 1 = 2 = 3"
keys C-u
send_text "0 0 0 0 4 0 -4 3 0"
keys Enter
expect "the products are there, the value is missing: add '= value'"
expect "= ? (value, or products = value): 0 0 0 0 4 0 -4 3 0"
keys C-u Escape
expect "Shown without an answer: output (1,4) = -1."
expect_row "-11!" "2!" 4 -1 .
# going back shows the answered cells; try mode off shows everything
keys p
expect "Step 5/18: output (1,3)"
# letters are commands even while an answer is asked for: n moves on
keys n n
expect "Step 7/18: output (1,5)"
expect "Output (1,5) = ?"
keys n
expect "Step 8/18: output (2,1)"
expect_row "-11!" "2!" 4 -1 .
keys p p
expect_not "Output (1,3) = ?"
keys t G
expect_row -11 2 4 -1 7
keys q
expect_clean_exit
