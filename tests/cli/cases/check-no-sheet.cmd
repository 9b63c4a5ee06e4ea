$CONVCALC check cnn-basics
