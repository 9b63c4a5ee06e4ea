$CONVCALC conv --step 19
