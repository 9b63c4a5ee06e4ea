$CONVCALC params tests/data/darknet/tiny.cfg --keras --batch 32
