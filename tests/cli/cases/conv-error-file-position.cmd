printf "1 2\n3 4\n5 x\n" > "$TMPDIR/img.txt" && $CONVCALC conv --image "$TMPDIR/img.txt" --kernel 1 2>&1 | sed "s|$TMPDIR|TMP|"
