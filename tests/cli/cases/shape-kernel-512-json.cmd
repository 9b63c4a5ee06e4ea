$CONVCALC shape --input 512x512 --output 508x508 --odd --format json
