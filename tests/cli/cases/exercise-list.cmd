$CONVCALC exercise --list
