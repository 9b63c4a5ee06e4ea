#!/bin/sh
# The screenshots of the interactive application in README.md are what the
# program shows today. Each is a fenced block after a line
#   <!-- tui-screenshot: KEY... -->
# (tmux key names, sent one by one to `convcalc` in an 80x24 terminal);
# the screen, trailing blanks removed, must equal the block.
. tests/tui/lib.sh
awk -v dir="$TUI_TMP" '
    /<!-- tui-screenshot:/ {
        n++; keys = $0
        sub(/.*tui-screenshot: */, "", keys); sub(/ *-->.*/, "", keys)
        print keys > (dir "/" n ".keys"); close(dir "/" n ".keys")
        want = 1; next
    }
    want == 1 && /^```/ { want = 2; printf "" > (dir "/" n ".txt"); next }
    want == 2 && /^```/ { want = 0; close(dir "/" n ".txt"); next }
    want == 2 { print > (dir "/" n ".txt") }
' README.md
[ -e "$TUI_TMP/1.keys" ] || { echo "FAIL ($TUI_NAME): no screenshots in README.md" >&2; exit 1; }
normalize() { sed 's/ *$//' | awk '{ l[NR] = $0 } END { n = NR; while (n > 0 && l[n] == "") n--; for (i = 1; i <= n; i++) print l[i] }'; }
shot=1
while [ -e "$TUI_TMP/$shot.keys" ]; do
    tui_start 80 24
    expect "Step 1/18"
    for k in $(cat "$TUI_TMP/$shot.keys"); do keys "$k"; done
    normalize <"$TUI_TMP/$shot.txt" >"$TUI_TMP/want"
    ok=0 tries=0
    while [ $tries -lt 100 ]; do
        screen | normalize >"$TUI_TMP/got"
        if cmp -s "$TUI_TMP/want" "$TUI_TMP/got"; then ok=1; break; fi
        sleep 0.05
        tries=$((tries + 1))
    done
    if [ $ok = 0 ]; then
        diff "$TUI_TMP/want" "$TUI_TMP/got" >&2
        fail "README screenshot $shot (keys: $(cat "$TUI_TMP/$shot.keys")) differs from the screen"
    fi
    keys C-c
    expect_clean_exit
    tmux_ kill-server 2>/dev/null
    shot=$((shot + 1))
done
