$CONVCALC eval tests/data/pt/fmnist-bn.repr --weights tests/data/pt/fmnist-bn.safetensors --data fashion-mnist --mean 0.286 --std 0.353 --limit 500 --limit-test 500 --format json
