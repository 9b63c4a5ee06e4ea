$CONVCALC shape --input 1099511627776 --kernel 3
