$CONVCALC shape --transposed --input 3 --kernel 3 --stride 2 --padding 1 --output-padding 1 --format svg >"$TMPDIR/s.svg" && tests/cli/svgcheck.sh "$TMPDIR/s.svg"
