$CONVCALC shape --input 32 --kernel 3 --padding 1,2,3
