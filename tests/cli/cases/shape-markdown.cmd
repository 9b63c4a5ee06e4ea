$CONVCALC shape --input 512 --output 508 --format markdown
