$CONVCALC eval tests/data/pt/fmnist-bn.repr --weights tests/data/pt/fmnist-bn.pt --data fashion-mnist --limit 300 --limit-test 300
