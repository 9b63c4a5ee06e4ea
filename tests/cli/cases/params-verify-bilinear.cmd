# bilinear Upsample (align_corners=False) by a whole factor, built by the engine
$CONVCALC params - --input 8x8x3 --verify
