$CONVCALC train tests/data/tiny.spec
