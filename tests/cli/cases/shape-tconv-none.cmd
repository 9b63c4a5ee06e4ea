$CONVCALC shape --transposed --kernel 4 --stride 2 --padding 1 --output 33
