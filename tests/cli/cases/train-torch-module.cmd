cd "$TMPDIR" && printf '\0\0\10\3\0\0\0\1\0\0\0\10\0\0\0\10' > img && head -c 64 /dev/zero >> img && printf '\0\0\10\1\0\0\0\1\1' > lab && $CONVCALC train - --data idx:img,lab
