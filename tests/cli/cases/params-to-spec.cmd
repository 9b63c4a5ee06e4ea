$CONVCALC params tests/data/torch/zoo.txt --to-spec
