$CONVCALC check cnn-basics tests/cli/data/check-unknown-id.txt
