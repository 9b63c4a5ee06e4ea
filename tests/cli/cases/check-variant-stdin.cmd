$CONVCALC check cnn-basics - --format markdown
