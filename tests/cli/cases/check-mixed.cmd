$CONVCALC check cnn-basics tests/cli/data/check-bob.txt
