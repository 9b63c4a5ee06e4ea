$CONVCALC params tests/data/bad/assignment-no-pool3.spec
