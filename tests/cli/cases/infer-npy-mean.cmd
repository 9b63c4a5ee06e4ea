$CONVCALC infer tests/data/pt/fmnist-bn.repr --weights tests/data/pt/fmnist-bn.pt --input tests/data/pt/ref-input.npy --mean 0.5 --std 0.2
