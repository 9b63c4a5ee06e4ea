$CONVCALC train tests/data/tiny.spec --data imagenet
