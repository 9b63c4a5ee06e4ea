#!/bin/sh
# F3: a pasted PyTorch print(model) has no input size; its receptive
# fields still follow from the kernels and strides (5, 6, 14, all), and
# the input size field (Ctrl-N) gives every layer's shape. The file is
# loaded with Ctrl-O, its name completed with Tab. An "input" line typed
# above a repr gives its input size too.
. tests/tui/lib.sh
cat >"$TUI_TMP/lenet-repr.txt" <<'REPR'
Net(
  (conv1): Conv2d(3, 6, kernel_size=(5, 5), stride=(1, 1))
  (pool1): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
  (conv2): Conv2d(6, 16, kernel_size=(5, 5), stride=(1, 1))
  (pool2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
  (fc1): Linear(in_features=400, out_features=120, bias=True)
  (fc2): Linear(in_features=120, out_features=84, bias=True)
  (fc3): Linear(in_features=84, out_features=10, bias=True)
)
REPR
tui_start 80 30
expect "Step 1/18"
keys F3
expect "Layer stack: spec, 8 layers, input 32x32x3"
keys C-o
expect "Load a layer stack from file:"
expect "Tab complete the file name"
send_text "$TUI_TMP/lenet-r"
keys Tab
expect "Load a layer stack from file: $TUI_TMP/lenet-repr.txt"
keys Enter
expect "lenet-repr.txt: loaded"
expect "PyTorch, 7 layers, no input size (Ctrl-N sets one: shapes, RF)"
# receptive fields without an input size: 5, then 5+1 = 6 (jump 2),
# 6+4*2 = 14, 14+1*2 = 16 (jump 4); a linear layer sees everything
expect_line '^ 1 +conv1 +Conv2d +\? +.*456 +5$'
expect_line '^ 2 +pool1 +MaxPool2d +\? +0 +6$'
expect_line '^ 3 +conv2 +Conv2d +\? +.*2416 +14$'
expect_line '^ 4 +pool2 +MaxPool2d +\? +0 +16$'
expect_line '^ 5 +fc1 +Linear +\? +.*48120 +all$'
# the input size field: HxWxC
keys C-n
expect "Input size (HxWxC, empty: the text's):"
send_text "32x32x3"
keys Enter
expect "Input size 32x32x3: every layer's shape and receptive field."
expect "PyTorch, 7 layers, input 32x32x3 (Ctrl-N field), 62,006 params"
expect_line '^ 1 +conv1 +Conv2d +28x28x6 +.*456 +5$'
expect_line '^ 2 +pool1 +MaxPool2d +14x14x6 +0 +6$'
expect_line '^ 3 +conv2 +Conv2d +10x10x16 +.*2416 +14$'
expect_line '^ 4 +pool2 +MaxPool2d +5x5x16 +0 +16$'
expect_line '^ 5 +fc1 +Linear +120 +.*48120 +all$'
# a size that does not fit the layers says why, in full
keys C-n
send_text "28x28x3"
keys Enter
expect "No shapes from input 28x28x3"
# the reason in full, up to its last words: 28 -> 24 -> 12 -> 8 -> 4
expect_line '^ .*gives 16x4x4 = 256\)'
# one that does not read
keys C-n
send_text "32x32x"
keys Enter
expect "input size 32x32x:"
# emptied: back to no input size
keys C-n C-u Enter
expect "No input size field: the text's own input line counts."
expect "PyTorch, 7 layers, no input size"
# a spec without an input line: the error says where the size goes here
keys Enter C-l
send_text "conv 8 3x3"
expect "or set it with Ctrl-N)"
expect_not "pass --input"
keys Escape C-n
send_text "10x10x2"
keys Enter
expect_line '^ 1 +conv1 +conv +8x8x8 +.*152 +3$'
# an input line typed above a pasted repr is its input size: a conv with
# stride 2x1, padding 1,0 and dilation 2 (a 5x5 reach) on 29x20x2 gives
# floor((29+2-5)/2)+1 = 14 by (20-5)+1 = 16; the 2x2 pool 7x8; 7*8*8 = 448
keys C-n C-u Enter
keys Enter C-l
send_text "input 29x20x2
Net(
  (features): Sequential(
    (0): Conv2d(2, 8, kernel_size=(3, 3), stride=(2, 1), padding=(1, 0), dilation=(2, 2))
    (1): ReLU(inplace=True)
    (2): MaxPool2d(kernel_size=2, stride=2, padding=0)
  )
  (fc): Linear(in_features=448, out_features=10, bias=True)
)"
keys Escape
expect "Layer stack: PyTorch, 4 layers, input 29x20x2, 4,642 params"
# the note on the printed order is long: the header wraps, nothing is cut
expect "parameters are exact either way)"
expect_line '^ 1 +features.0 +Conv2d +14x16x8 +.*152 +5$'
expect_line '^ 3 +features.2 +MaxPool2d +7x8x8 +0 +7x6$'
expect_line '^ 4 +fc +Linear +10 +.*4490 +all$'
keys q
expect_clean_exit
