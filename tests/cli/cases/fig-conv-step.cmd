$CONVCALC conv --step 9 --format svg >"$TMPDIR/f.svg" && tests/cli/svgcheck.sh "$TMPDIR/f.svg"
