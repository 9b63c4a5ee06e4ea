$CONVCALC params tests/data/torch/tutorial_net.txt --input 32x32x3 --verify
