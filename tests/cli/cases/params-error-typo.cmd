$CONVCALC params tests/data/bad/typo.spec
