cd "$TMPDIR" && printf '\0\0\10\3\0\0\0\2\0\0\0\2\0\0\0\2abcdefgh' > img && printf '\0\0\10\1\0\0\0\3\1\2\0' > lab && $CONVCALC train - --data idx:img,lab
