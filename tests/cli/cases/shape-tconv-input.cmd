$CONVCALC shape --transposed --kernel 3 --stride 2 --padding 1 --output-padding 1 --output 6
