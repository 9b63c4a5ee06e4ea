$CONVCALC train tests/data/tiny.spec --data fashion-mnist --lr -1
