$CONVCALC params tests/data/darknet/dropout_fc.cfg --verify --format json
