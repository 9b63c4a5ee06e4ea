$CONVCALC bench - --batch 2 --steps 1 --warmup 0 --threads 2 --peak --format json | grep -c -E "\"gemm_peak_(openblas_|onednn_)?gflops_per_s\": [0-9]+\.[0-9]+,?$"
