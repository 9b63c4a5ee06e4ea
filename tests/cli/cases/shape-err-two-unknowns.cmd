$CONVCALC shape --input 32
