$CONVCALC conv --pool max --window 2 --image '1 2; 3 4' --kernel '1'
