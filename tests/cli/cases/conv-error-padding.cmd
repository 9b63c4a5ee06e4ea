$CONVCALC conv --padding sometimes
