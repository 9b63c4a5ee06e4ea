$CONVCALC params tests/data/torch/mobilenet_ish.txt --input 64x64x3 --format latex
