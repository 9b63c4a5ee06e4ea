$CONVCALC --version
