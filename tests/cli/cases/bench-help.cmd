$CONVCALC bench --help
