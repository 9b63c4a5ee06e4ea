# --mono: no colour of the palette, only greys
$CONVCALC conv --step 9 --format svg --mono >"$TMPDIR/m.svg" && tests/cli/svgcheck.sh "$TMPDIR/m.svg" | head -n 1 && grep -o '#[0-9A-F]\{6\}' "$TMPDIR/m.svg" | sort -u
