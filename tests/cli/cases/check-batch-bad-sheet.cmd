$CONVCALC check cnn-basics tests/cli/data/check-alice.txt tests/cli/data/check-bad-sheet.txt tests/cli/data/check-bob.txt --format csv
