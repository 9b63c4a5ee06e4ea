$CONVCALC conv --image @tests/cli/data/fig-64x64.txt --kernel '1 1; 1 1' --format svg
