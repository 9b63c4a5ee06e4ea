$CONVCALC shape --input 32x32 --kernel 7x7 --output 32x32
