$CONVCALC shape --input 32x64 --kernel 3 --stride 2x1 --padding 1,0x1 --format json
