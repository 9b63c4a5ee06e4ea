$CONVCALC tui --image "1 2; 3 4" --kernel "1 1 1; 1 1 1; 1 1 1" --padding valid
