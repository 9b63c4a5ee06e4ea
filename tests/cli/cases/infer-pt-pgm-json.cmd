$CONVCALC infer tests/data/pt/fmnist-bn.repr --weights tests/data/pt/fmnist-bn.pt --input tests/data/pt/img0.pgm --mean 0.286 --std 0.353 --format json
