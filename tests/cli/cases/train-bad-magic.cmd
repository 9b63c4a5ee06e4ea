cd "$TMPDIR" && printf '\0\0\10\1\0\0\0\1\0\0\0\2\0\0\0\2abcd' > img && printf '\0\0\10\1\0\0\0\1\1' > lab && $CONVCALC train - --data idx:img,lab
