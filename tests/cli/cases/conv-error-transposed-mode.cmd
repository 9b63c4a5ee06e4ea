$CONVCALC conv --transposed --mode correlation
