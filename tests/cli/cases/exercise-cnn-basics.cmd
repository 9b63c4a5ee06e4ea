$CONVCALC exercise cnn-basics
