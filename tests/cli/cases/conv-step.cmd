$CONVCALC conv --step 9
