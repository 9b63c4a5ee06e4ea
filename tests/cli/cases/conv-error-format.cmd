$CONVCALC conv --format csv
