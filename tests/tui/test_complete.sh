#!/bin/sh
# Tab completion in the file prompts: a unique name is completed (a
# directory gets its '/'), several names fill in their common part and are
# listed, none says so; the completed name then loads.
. tests/tui/lib.sh
mkdir -p "$TUI_TMP/data/sub"
printf '1 2 3; 4 5 6; 7 8 9\n' >"$TUI_TMP/data/image_a.txt"
printf '9 9 9; 9 9 9; 9 9 9\n' >"$TUI_TMP/data/image_b.txt"
printf '1 0; 0 1\n' >"$TUI_TMP/data/sub/kernel.txt"
tui_start 80 24
expect "Step 1/18"
keys o
expect "Load the input from file:"
expect "Tab complete the file name"
send_text "$TUI_TMP/da"
keys Tab
expect "Load the input from file: $TUI_TMP/data/"
send_text "im"
keys Tab
expect "Load the input from file: $TUI_TMP/data/image_"
expect "2 names fit: image_a.txt image_b.txt"
send_text "x"
keys Tab
expect "No file name starts with '$TUI_TMP/data/image_x'."
keys BSpace
send_text "a"
keys Tab Enter
expect "image_a.txt: 3 x 3 input loaded"
expect_row 0 1 2 3 0
expect_row 0 4 5 6 0
# the kernel prompt completes the same way, into a directory
keys O
send_text "$TUI_TMP/data/s"
keys Tab
expect "Load the kernel from file: $TUI_TMP/data/sub/"
keys Tab
expect "Load the kernel from file: $TUI_TMP/data/sub/kernel.txt"
keys Enter
expect_row 1 0
expect_row 0 1
keys q
expect_clean_exit
