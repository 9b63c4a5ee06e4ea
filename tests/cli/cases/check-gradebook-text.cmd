$CONVCALC check cnn-basics tests/cli/data/check-alice.txt tests/cli/data/check-bob.txt tests/cli/data/check-carol.txt
