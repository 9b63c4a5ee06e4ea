$CONVCALC train tests/data/tiny.spec --data fashion-mnist --resume
