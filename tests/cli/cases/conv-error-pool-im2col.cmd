$CONVCALC conv --pool avg --window 2 --image '1 2; 3 4' --im2col
