$CONVCALC tui --mode sideways
