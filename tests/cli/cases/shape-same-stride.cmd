$CONVCALC shape --input 13 --kernel 6 --stride 5 --padding same --format json
