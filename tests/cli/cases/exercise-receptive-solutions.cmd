$CONVCALC exercise receptive-fields --solutions
