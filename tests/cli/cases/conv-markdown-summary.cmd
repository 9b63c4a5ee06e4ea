$CONVCALC conv --format markdown --summary
