$CONVCALC conv --transposed --image '1 2 -1; 3 0 4' --kernel '1 0 2; -1 3 1' --stride 2 --padding 1 --output-padding 1 --bias 1
