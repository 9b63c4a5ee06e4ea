# animations of a transposed convolution (both views) and of max pooling over two channels
$CONVCALC conv --transposed --image '1 2; 3 4' --kernel '1 0 1; 2 1 0; 0 1 1' --stride 2 --padding 1 --format svg >"$TMPDIR/a.svg" && tests/cli/svgcheck.sh "$TMPDIR/a.svg" | grep -E 'rendered|^Step'; grep -o 'dur="[^"]*"' "$TMPDIR/a.svg" | sort | uniq -c
$CONVCALC conv --pool max --window 2 --image '1 2 3 4; 5 6 7 8; 9 1 2 3; 4 5 6 7 | 1 1 1 1; 2 2 2 2; 3 3 3 3; 4 4 4 4' --format svg >"$TMPDIR/a.svg" && tests/cli/svgcheck.sh "$TMPDIR/a.svg" | grep -E 'rendered|^Step|output\('
