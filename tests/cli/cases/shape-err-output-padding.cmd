$CONVCALC shape --transposed --input 4 --kernel 3 --stride 2 --output-padding 2
