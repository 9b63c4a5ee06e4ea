$CONVCALC shape --input 32 --kernel 3 --bogus
