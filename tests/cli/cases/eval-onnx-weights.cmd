$CONVCALC eval tests/data/pt/fmnist-bn.onnx --weights tests/data/pt/fmnist-bn.pt --data fashion-mnist
