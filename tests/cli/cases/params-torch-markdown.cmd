$CONVCALC params tests/data/torch/lenet5.txt --input 32x32x1 --format markdown
