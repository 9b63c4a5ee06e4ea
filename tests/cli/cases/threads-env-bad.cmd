CONVCALC_THREADS=0 $CONVCALC bench - --batch 4 --steps 1 --warmup 0
