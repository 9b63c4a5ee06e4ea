$CONVCALC conv --pool avg --window 3 --stride 2 --padding 1 --exclude-pad --image '1 5 2 0; 3 -4 6 8; 7 0 1 2' --summary
