$CONVCALC shape --input 10 --kernel 3 --output 1 --padding 0
