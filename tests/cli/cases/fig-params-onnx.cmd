$CONVCALC params tests/data/onnx/graph-opset13.onnx --format svg
