$CONVCALC shape --kernel 3 --stride 2 --padding 1 --output 16
