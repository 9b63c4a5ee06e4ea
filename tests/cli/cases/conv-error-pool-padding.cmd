$CONVCALC conv --pool max --window 2 --padding 2 --image '1 2; 3 4'
