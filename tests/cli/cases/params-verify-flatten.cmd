$CONVCALC params tests/data/relu-flatten-linear.spec --verify
