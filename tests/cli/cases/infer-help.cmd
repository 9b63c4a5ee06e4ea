$CONVCALC infer --help
