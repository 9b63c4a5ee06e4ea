$CONVCALC exercise cnn-basics --format csv
