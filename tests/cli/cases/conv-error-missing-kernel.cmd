$CONVCALC conv --image "1 2"
