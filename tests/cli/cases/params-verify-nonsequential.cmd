$CONVCALC params tests/data/torch/resnet18.txt --input 224x224x3 --verify
