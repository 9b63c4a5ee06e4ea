$CONVCALC params tests/data/bad/iseg.cfg
