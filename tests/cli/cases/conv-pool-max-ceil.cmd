$CONVCALC conv --pool max --window 2 --stride 2 --ceil --padding 1 --image '1 5 2 0; 3 -4 6 8; 7 0 1 2'
