$CONVCALC shape --input 3 --kernel 5
