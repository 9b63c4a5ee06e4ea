$CONVCALC eval --help
