$CONVCALC conv --im2col --image '1 2 0; 3 1 2; 0 1 1' --kernel '1 0; 0 -1 || 2 1; 1 0' --bias '0,1'
