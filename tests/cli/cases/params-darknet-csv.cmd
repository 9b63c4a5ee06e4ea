$CONVCALC params tests/data/darknet/resnet_tiny.cfg --format csv
