$CONVCALC conv --help
