$CONVCALC params tests/data/bad/yolo.cfg
