$CONVCALC conv --format json
