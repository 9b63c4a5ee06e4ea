#!/bin/sh
# The exercises screen keeps score honestly: the first answer counts, an
# answer typed after the worked solution earns nothing ("solution seen"),
# and the progress in a set is kept while the student visits another one.
. tests/tui/lib.sh
tui_start 100 30
expect "Step 1/18"
keys F4
expect "Problem 1a (convolve, 4 points)"
# 1b: a wrong first answer, then the right one: the first counts
keys Down Enter
send_text "a"
keys Enter
expect "1b: wrong (0 of 1 points)"
keys C-u
send_text "c"
keys Enter
expect "1b: right; your first answer counts (wrong: 0 of 1 points)"
expect "1/7 done, 0 right, 0/12 points"
# 1c: the worked solution first, then the answer: no points
keys Escape Down s
expect "Worked solution:"
expect "Problem 1c (same-padding, 1 point) - solution seen"
keys Enter
send_text "3"
keys Enter
expect "1c: right, after the solution was seen (0 of 1 points)"
expect "2/7 done, 0 right, 0/12 points"
# 1d right on the first try
keys Escape Down Enter
send_text "5x5"
keys Enter
expect "1d: right (1 of 1 points)"
expect "3/7 done, 1 right, 1/12 points"
# another set, then back: the progress is still there
keys Escape C-o
send_text "receptive-fields"
keys Enter
expect "0/6 done, 0 right"
keys C-o
send_text "cnn-basics"
keys Enter
expect "3/7 done, 1 right, 1/12 points"
keys q
expect_clean_exit
