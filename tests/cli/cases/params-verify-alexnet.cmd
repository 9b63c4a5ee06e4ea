$CONVCALC params tests/data/torch/alexnet.txt --input 224x224x3 --verify
