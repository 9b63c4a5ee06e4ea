$CONVCALC params - --from spec
