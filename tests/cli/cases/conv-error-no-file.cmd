$CONVCALC conv --image nonexistent-file.txt --kernel 1
