head -c 67108865 /dev/zero | $CONVCALC params - 2>&1
