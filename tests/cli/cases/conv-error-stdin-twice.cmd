$CONVCALC conv --image - --kernel -
