# PReLU, ConvTranspose2d, SELU, ZeroPad2d and a final LogSoftmax, built by the engine
$CONVCALC params - --input 8x8x3 --verify
