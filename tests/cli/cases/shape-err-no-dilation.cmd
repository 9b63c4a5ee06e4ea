$CONVCALC shape --input 4 --kernel 9 --output 1 --solve dilation
