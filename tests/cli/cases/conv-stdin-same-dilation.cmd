$CONVCALC conv --image - --kernel "[[1, 0], [0, -1]]" --padding same --dilation 2 --summary --format json
