printf "P5 2 2 255\n\001\002\003\004" > "$TMPDIR/x.pgm"; $CONVCALC infer tests/data/pt/fmnist-bn.repr --weights tests/data/pt/fmnist-bn.pt --input "$TMPDIR/x.pgm" 2>&1 | sed "s|$TMPDIR|TMP|"
