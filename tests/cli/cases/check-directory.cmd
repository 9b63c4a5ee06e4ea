$CONVCALC check cnn-basics tests/cli/data
