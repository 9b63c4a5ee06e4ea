$CONVCALC train tests/data/tiny.spec --data idx:tests/data/nothing,tests/data/tiny-train-labels.idx.gz
