$CONVCALC params tests/data/bad/extra-key.cfg --format json
