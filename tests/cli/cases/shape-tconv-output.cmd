$CONVCALC shape --transposed --input 16 --kernel 4 --stride 2 --padding 1
