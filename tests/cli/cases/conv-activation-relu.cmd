$CONVCALC conv --activation relu --bias -5 --summary
