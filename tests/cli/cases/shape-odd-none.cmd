$CONVCALC shape --input 7 --output 4 --odd
