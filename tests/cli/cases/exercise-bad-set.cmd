$CONVCALC exercise tests/cli/data/exercise-bad-set.txt
