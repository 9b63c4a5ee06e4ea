$CONVCALC conv --format latex --step 3
