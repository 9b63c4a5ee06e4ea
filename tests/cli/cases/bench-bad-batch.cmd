$CONVCALC bench --batch 0
