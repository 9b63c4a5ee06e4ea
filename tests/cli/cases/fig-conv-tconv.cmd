# a transposed convolution: a scatter step and a step of the equivalent convolution
for s in 4 9; do $CONVCALC conv --transposed --image '1 2; 3 4' --kernel '1 0 1; 2 1 0; 0 1 1' --stride 2 --padding 1 --step $s --format svg >"$TMPDIR/t.svg" && tests/cli/svgcheck.sh "$TMPDIR/t.svg"; done
