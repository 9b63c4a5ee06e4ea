cd "$TMPDIR" && mkdir -p cifar && head -c 5000 /dev/zero > cifar/data_batch_1.bin && $CONVCALC train - --data cifar10:cifar
