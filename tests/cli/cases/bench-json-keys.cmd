$CONVCALC bench - --batch 4 --steps 1 --warmup 0 --threads 1 --format json | sed -E 's/: [0-9.]+(,?)$/: N\1/; s/"(onednn_isa|openblas_core)": "[^"]*"/"\1": S/'
