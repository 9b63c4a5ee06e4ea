$CONVCALC conv --image "1 2; 3 4 | 5 6; 7 8" --kernel "1 0; 0 1"
