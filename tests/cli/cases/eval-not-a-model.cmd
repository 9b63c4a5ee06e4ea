$CONVCALC eval tests/data/tiny.spec --data fashion-mnist
