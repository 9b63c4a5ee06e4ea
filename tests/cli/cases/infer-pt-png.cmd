$CONVCALC infer tests/data/pt/fmnist-bn.repr --weights tests/data/pt/fmnist-bn.safetensors --input tests/data/pt/img0.png --mean 0.286 --std 0.353
