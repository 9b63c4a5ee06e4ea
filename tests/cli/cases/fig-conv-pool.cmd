# max and average pooling steps, and the activation step; the cells past the padding that a ceil-mode
# window reaches hold no number (the last: 9 input numbers, no zeros)
$CONVCALC conv --pool max --window 2 --image '1 2 3 4; 5 6 7 8; 9 1 2 3; 4 5 6 7 | 1 1 1 1; 2 2 2 2; 3 3 3 3; 4 4 4 4' --step 7 --format svg >"$TMPDIR/p.svg" && tests/cli/svgcheck.sh "$TMPDIR/p.svg"
$CONVCALC conv --pool avg --window 3 --stride 2 --padding 1 --ceil --image '1 2 3 4; 5 6 7 8; 9 1 2 3; 4 5 6 7' --step 4 --format svg >"$TMPDIR/p.svg" && tests/cli/svgcheck.sh "$TMPDIR/p.svg" | tail -n 3
$CONVCALC conv --activation relu --step 18 --format svg >"$TMPDIR/p.svg" && tests/cli/svgcheck.sh "$TMPDIR/p.svg" | tail -n 2
$CONVCALC conv --pool max --window 2 --stride 2 --ceil --image '1 2 3; 4 5 6; 7 8 9' --step 4 --format svg >"$TMPDIR/p.svg" && tests/cli/svgcheck.sh "$TMPDIR/p.svg" | tr '\n' ' ' && echo
