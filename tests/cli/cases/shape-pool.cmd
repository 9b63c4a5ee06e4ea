$CONVCALC shape --pool --input 508 --kernel 2 --stride 2
