$CONVCALC shape --input 32 --kernel 8 --padding same --format latex
