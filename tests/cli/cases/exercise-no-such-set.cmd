$CONVCALC exercise no-such-set
