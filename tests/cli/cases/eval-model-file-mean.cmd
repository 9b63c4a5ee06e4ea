$CONVCALC eval tests/data/pt/fmnist-bn.pt --data fashion-mnist --mean 0.5 --std 0.2
