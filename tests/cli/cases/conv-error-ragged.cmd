$CONVCALC conv --image "2 1 2; 3 9" --kernel "1"
