$CONVCALC check cnn-basics tests/cli/data/check-erin.txt
