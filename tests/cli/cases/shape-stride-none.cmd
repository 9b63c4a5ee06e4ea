$CONVCALC shape --input 224 --kernel 7 --padding 3 --output 100
