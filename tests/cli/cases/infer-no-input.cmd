$CONVCALC infer tests/data/pt/fmnist-bn.repr --weights tests/data/pt/fmnist-bn.pt
