$CONVCALC tui --stride 0
