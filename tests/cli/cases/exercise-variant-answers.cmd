$CONVCALC exercise cnn-basics --variant alice --answers
