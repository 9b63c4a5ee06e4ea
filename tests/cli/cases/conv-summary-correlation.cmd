$CONVCALC conv --summary --mode correlation
