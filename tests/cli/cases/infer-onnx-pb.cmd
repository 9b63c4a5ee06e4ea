$CONVCALC infer tests/data/pt/fmnist-bn.onnx --input tests/data/pt/ref-input.pb
