head -c 700 tests/data/onnx/graph-opset13.onnx > "$TMPDIR/cut.onnx"; $CONVCALC params "$TMPDIR/cut.onnx" 2>&1 | sed "s|$TMPDIR|TMP|"
