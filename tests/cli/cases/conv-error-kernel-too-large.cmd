$CONVCALC conv --image "1 2; 3 4" --kernel "1 2 3; 4 5 6; 7 8 9"
