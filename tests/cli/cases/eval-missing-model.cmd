$CONVCALC eval tests/data/nothing.safetensors --data idx:tests/data/tiny-train-images.idx.gz,tests/data/tiny-train-labels.idx.gz,tests/data/tiny-test-images.idx.gz,tests/data/tiny-test-labels.idx.gz
