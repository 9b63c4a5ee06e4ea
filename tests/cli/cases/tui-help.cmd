$CONVCALC tui --help
