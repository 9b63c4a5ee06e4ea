$CONVCALC eval tests/data/pt/fmnist-bn.onnx --data fashion-mnist --mean 0.286 --std 0.353 --limit 1000 --limit-test 1000
