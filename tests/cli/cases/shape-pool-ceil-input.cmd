$CONVCALC shape --pool --ceil --kernel 3 --stride 2 --output 4 --padding 1
