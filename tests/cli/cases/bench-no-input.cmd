$CONVCALC bench - --steps 1
