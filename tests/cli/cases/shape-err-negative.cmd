$CONVCALC shape --input 32 --kernel 3 --stride -2
