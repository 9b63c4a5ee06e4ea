$CONVCALC shape --input 5x7 --kernel 3 --padding 1 --stride 2 --dilation 2 --format svg >"$TMPDIR/s.svg" && tests/cli/svgcheck.sh "$TMPDIR/s.svg"
