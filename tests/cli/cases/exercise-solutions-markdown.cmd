$CONVCALC exercise strides-dilation --solutions --format markdown
