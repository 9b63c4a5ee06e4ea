$CONVCALC tui --stride 2x1 --padding 1,0x1 --dilation 1x0
