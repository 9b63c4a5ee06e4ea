$CONVCALC params /usr/share/libonnx-testdata/data/node/test_lrn/model.onnx
