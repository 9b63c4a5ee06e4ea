$CONVCALC check cnn-basics tests/cli/data/check-carol.txt --format json
