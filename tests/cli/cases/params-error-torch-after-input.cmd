$CONVCALC params -
