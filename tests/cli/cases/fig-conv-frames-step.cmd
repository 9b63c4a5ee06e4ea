$CONVCALC conv --frames "$TMPDIR/x" --step 3
