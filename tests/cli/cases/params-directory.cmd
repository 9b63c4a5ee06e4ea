$CONVCALC params "$TMPDIR" 2>"$TMPDIR/err"; s=$?; sed "s|$TMPDIR|TMP|" "$TMPDIR/err"; exit $s
