$CONVCALC exercise --help
