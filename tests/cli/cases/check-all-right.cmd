$CONVCALC check cnn-basics tests/cli/data/check-alice.txt
