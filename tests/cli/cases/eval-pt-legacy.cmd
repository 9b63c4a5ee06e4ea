$CONVCALC eval tests/data/pt/fmnist-bn.repr --weights tests/data/pt/tiny-legacy.pt --data fashion-mnist --limit 10 --limit-test 10
