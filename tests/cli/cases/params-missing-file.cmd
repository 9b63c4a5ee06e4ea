$CONVCALC params tests/data/no-such-file.spec
