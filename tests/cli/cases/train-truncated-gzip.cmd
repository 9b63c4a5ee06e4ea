cd "$TMPDIR" && printf '\0\0\10\3\0\0\0\3\0\0\0\2\0\0\0\2abcdefghij' | gzip -n > img.gz && printf '\0\0\10\1\0\0\0\3\1\2\0' | gzip -n > lab.gz && $CONVCALC train - --data idx:img.gz,lab.gz
