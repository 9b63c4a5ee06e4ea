$CONVCALC params tests/data/torch/blocknet.txt --input 32x32x3 --verify --format json
