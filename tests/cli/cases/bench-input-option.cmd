$CONVCALC bench - --steps 1 --warmup 0 --batch 2 --threads 1 --input 6x6x2 | sed -E 's/ +[0-9.]+ images\/s.*/ N images\/s/'
