$CONVCALC shape --input 1000 --kernel 3 --output 2 --padding 0
