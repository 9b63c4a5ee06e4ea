$CONVCALC shape --input 7 --kernel 3 --output 3 --padding 0 --solve dilation
