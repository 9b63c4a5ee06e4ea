$CONVCALC shape --pool --input 32 --kernel 3 --padding 2
