# nearest Upsample (scale and size), Unflatten, ChannelShuffle, LayerNorm over features, adaptive pooling to a larger size, built by the engine
$CONVCALC params - --input 16 --verify
