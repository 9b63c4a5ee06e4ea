$CONVCALC tui --frobnicate
