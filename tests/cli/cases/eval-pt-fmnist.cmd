$CONVCALC eval tests/data/pt/fmnist-bn.repr --weights tests/data/pt/fmnist-bn.pt --data fashion-mnist --mean 0.286 --std 0.353 --limit 1000 --limit-test 1000
