$CONVCALC conv --transposed --image '1 2; 3 4' --kernel '1 0; 2 -1' --stride 2 --view conv --format json --step 4
