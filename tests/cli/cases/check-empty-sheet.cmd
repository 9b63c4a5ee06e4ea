$CONVCALC check cnn-basics tests/cli/data/check-empty.txt
