$CONVCALC conv --activation leaky-relu --slope 0.1 --step 17 --mode correlation
