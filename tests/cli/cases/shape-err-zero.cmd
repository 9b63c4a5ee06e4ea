$CONVCALC shape --input 0 --kernel 3
