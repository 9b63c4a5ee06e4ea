# diagrams of a darknet cfg with a shortcut and routes (skip arrows), a PyTorch repr of VGG-16,
# ResNet-18 (its repr shapes follow the printed order) in mono: each well-formed and rendered
$CONVCALC params tests/data/darknet/resnet_tiny.cfg --format svg >"$TMPDIR/r.svg" && tests/cli/svgcheck.sh "$TMPDIR/r.svg" | head -n 2 && echo "skip arrows: $(grep -c 'marker-end' "$TMPDIR/r.svg")"
$CONVCALC params tests/data/torch/vgg16.txt --input 224x224x3 --format svg >"$TMPDIR/v.svg" && tests/cli/svgcheck.sh "$TMPDIR/v.svg" | grep -E 'rendered|parameters|x7x7|^4096|^1000'
$CONVCALC params tests/data/torch/resnet18.txt --input 224x224x3 --format svg --mono 2>/dev/null >"$TMPDIR/u.svg" && tests/cli/svgcheck.sh "$TMPDIR/u.svg" | head -n 3 && grep -o '#[0-9A-F]\{6\}' "$TMPDIR/u.svg" | sort -u | tr '\n' ' ' && echo
