$CONVCALC shape --input 32 --kernel 8 --output 32 --per-side --format json
