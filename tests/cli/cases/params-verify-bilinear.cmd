$CONVCALC params - --input 8x8x3 --verify
