$CONVCALC check cnn-basics tests/cli/data/check-bad-sheet.txt
