$CONVCALC shape --help
