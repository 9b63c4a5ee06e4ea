$CONVCALC shape --input 5 --kernel 3 --padding full
