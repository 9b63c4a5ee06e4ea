head -c 3000 tests/data/pt/ref-input.pb > "$TMPDIR/t.pb"; $CONVCALC infer tests/data/pt/fmnist-bn.onnx --input "$TMPDIR/t.pb" 2>&1 | sed "s|$TMPDIR|TMP|"
