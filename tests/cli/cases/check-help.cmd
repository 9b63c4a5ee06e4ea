$CONVCALC check --help
