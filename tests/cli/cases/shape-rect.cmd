$CONVCALC shape --input 32x64 --output 30x60
