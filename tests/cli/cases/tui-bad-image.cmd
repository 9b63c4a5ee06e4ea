$CONVCALC tui --image "1 2; 3" --kernel "1"
