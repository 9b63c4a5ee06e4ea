$CONVCALC conv --image "1 2" --kernel 1 --bias 1,2
