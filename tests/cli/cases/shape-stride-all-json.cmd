$CONVCALC shape --input 20 --kernel 3 --output 3 --padding 0 --format json
