$CONVCALC frobnicate
