$CONVCALC shape --transposed --input 4 --kernel 3 --padding same
