$CONVCALC eval tests/data/pt/fmnist-bn.repr --weights tests/data/pt/fmnist-bn.pt --data fashion-mnist --mean 0.5,0.5 --std 0.2,0.2
