$CONVCALC shape --stride 2 --kernel 3 --padding same --output 16
