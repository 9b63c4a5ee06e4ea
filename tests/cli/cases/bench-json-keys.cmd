$CONVCALC bench - --batch 4 --steps 1 --warmup 0 --threads 1 --format json | sed -E 's/: [0-9.]+(,?)$/: N\1/'
