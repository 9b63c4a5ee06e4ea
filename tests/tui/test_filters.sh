#!/bin/sh
# Several filters (repeated --kernel), the notation of `conv` for stride and
# padding, every filter's output at the last step and in the header,
# retyping a matrix keeps every filter and channel, Enter on a cell
# replaces its value, channels named in the panels, and the shape screen's
# messages and q.
. tests/tui/lib.sh
tui_start 80 24 -- tui --image "1 2 3; 4 5 6; 7 8 9" --kernel "1 0; 0 1" \
    --kernel "0 1; 1 0" --stride 2x1 --padding 1,0x1
expect "Step 1/20"
expect "stride 2x1  padding 1,0x1  dilation 1"
expect "out 2x4, 2 filters"
keys G
expect "Step 20/20: the finished 2x4 output"
# both filters' outputs, each named (worked by hand: padded input rows 1
# and 3 (from 1), the kernels as flipped)
expect "Output 1/2"
expect "Output 2/2"
expect_line "│ +1 +2 +3 +0 │ │ +0 +1 +2 +3 │"
expect_line "│ +7 +12 +14 +6 │ │ +4 +12 +14 +9 │"
# retyping the kernel offers every filter; Enter unchanged keeps them
keys k r
expect "Kernel (rows ; channels | filters ||): 1 0; 0 1 || 0 1; 1 0"
keys Enter
expect "kernel: 2 x 2 kernel loaded"
keys Escape G
expect "Step 20/20"
# Enter on a cell replaces the value (it does not append to it)
keys e Enter
expect "input (1,1) = 1"
send_text "0.5"
keys Enter
expect "input (1,1) = 0.5"
# the panel shows 0.5 where 1 was (not 10.5, not 1 and 0.5 appended)
expect_row 0.5 2 3
expect_not "10.5"
keys Escape
finish
TUI_TMP=$(mktemp -d)

# two channels: every panel says which channel it shows
tui_start 80 24 -- tui --image "1 2; 3 4 | 5 6; 7 8" --kernel "1 0; 0 1 | 2 0; 0 2"
expect "Step 1/"
keys n
expect "Padded input ch 1/2"
expect "Kernel ch 1/2"
expect "Flipped ch 1/2"
keys n
expect "Products ch 1/2"
keys ">"
expect "Products ch 2/2"
keys e
expect "Input 2x2 ch 2/2 (editing)"
keys Tab
expect "Kernel 2x2 ch 2/2 (editing)"
keys r
expect "1 0; 0 1 | 2 0; 0 2"
keys Enter Escape
expect "Step 3/"
finish
TUI_TMP=$(mktemp -d)

# the shape screen names the field once; q asks before quitting there
tui_start 80 24
expect "Step 1/18"
keys F2
expect "Shape calculator"
keys Down Down Down
send_text "x"
expect "Output: expected a whole number"
expect_not "Output: output:"
keys BSpace
keys q
expect "Press q again to quit"
keys q
expect_clean_exit
