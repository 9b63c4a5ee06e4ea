$CONVCALC exercise transposed-convolution --variant 7 --format latex
