# bilinear with align_corners=True (UpsamplingBilinear2d) is not built
$CONVCALC params - --input 8x8x3 --verify
