$CONVCALC params tests/data/onnx/graph-opset11.onnx --format json
