$CONVCALC shape --pool --ceil --input 5 --kernel 2 --stride 2
