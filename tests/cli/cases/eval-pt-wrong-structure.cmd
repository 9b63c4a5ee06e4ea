$CONVCALC eval tests/data/fmnist-small.spec --weights tests/data/pt/fmnist-bn.pt --data fashion-mnist --limit 10 --limit-test 10
