awk 'BEGIN { printf "name: Long\n1g:"; for (i = 0; i < 30000; i++) printf " 390410"; print "" }' | $CONVCALC check cnn-basics -
