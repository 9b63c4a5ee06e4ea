$CONVCALC shape --input 10 --kernel 3 --output 4 --format svg --mono >"$TMPDIR/s.svg" && tests/cli/svgcheck.sh "$TMPDIR/s.svg"
