$CONVCALC train --help
