$CONVCALC params tests/data/bad/truncated.torch
