# tests/tui/lib.sh - drive the TUI in tmux and look at the screen.
#
# Sourced by tests/tui/test_*.sh. Each test runs its own tmux server on a
# private socket (tmux -L convcalc-test-PID), so it never touches anyone's
# sessions, and kills it on exit whatever happens.
#
#   tui_start COLS ROWS [ENV=VALUE ...] -- [ARGS...]
#                          start "$CONVCALC ARGS" in a COLSxROWS window; when
#                          it exits the pane shows "[exit N]" and the
#                          terminal's stty settings
#   keys KEY...            tmux send-keys (names like Enter, F2, Left, C-c)
#   send_text TEXT         send TEXT literally
#   screen                 print the screen as text (capture-pane -p)
#   wait_for TEXT [SECS]   poll until the screen contains TEXT (default 5s)
#   expect TEXT            wait_for, failing the test with the screen shown
#   expect_not TEXT        the screen does not contain TEXT (now)
#   expect_line PATTERN    some line matches the grep -E PATTERN
#   screen_marked          the screen with its colours read: each cell drawn
#                          black on yellow (the window's taps, the output
#                          cells a clicked input cell feeds) starts with '*'
#   expect_marked PATTERN  some line of screen_marked matches grep -E PATTERN
#   resize COLS ROWS       resize the window (the program gets SIGWINCH)
#   finish                 kill the server (also done on exit)

: "${CONVCALC:?CONVCALC names the program under test}"
TUI_SOCK="convcalc-test-$$"
TUI_NAME="${0##*/}"
TUI_TMP=$(mktemp -d) || exit 3

tmux_() { tmux -L "$TUI_SOCK" -f /dev/null "$@"; }

finish() {
    tmux_ kill-server 2>/dev/null
    rm -rf "$TUI_TMP"
}
trap finish EXIT
trap 'exit 1' INT TERM HUP

fail() {
    echo "FAIL ($TUI_NAME): $*" >&2
    echo "---- screen ----" >&2
    screen >&2
    echo "----------------" >&2
    exit 1
}

tui_start() {
    cols=$1 rows=$2
    shift 2
    envs="LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=screen"
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do
        envs="$envs $1"
        shift
    done
    [ "$1" = "--" ] && shift
    # the command line, each argument single-quoted for sh -c
    args=""
    for a in "$@"; do
        q=$(printf '%s' "$a" | sed "s/'/'\\\\''/g")
        args="$args '$q'"
    done
    # ASan: leak checking on; ncurses' own allocations that outlive endwin
    # are released by delscreen, so no suppressions are needed.
    cat >"$TUI_TMP/run.sh" <<EOF
cd '$(pwd)'
env $envs "\$CONVCALC_BIN" $args 2>"$TUI_TMP/stderr"
st=\$?
tail -n 12 "$TUI_TMP/stderr"
echo "[exit \$st]"
stty -a | tr ' ;' '\n\n' | grep -E '^-?(echo|icanon)\$' | tr '\n' ' '
echo "[stty]"
sleep 60
EOF
    # a server killed just before may still be going away: try again
    tries=0
    until CONVCALC_BIN="$CONVCALC" tmux_ new-session -d -s t -x "$cols" -y "$rows" \
        "CONVCALC_BIN='$CONVCALC' sh '$TUI_TMP/run.sh'" 2>/dev/null; do
        tries=$((tries + 1))
        [ $tries -lt 20 ] || { echo "FAIL ($TUI_NAME): cannot start tmux" >&2; exit 1; }
        sleep 0.1
    done
}

keys() { tmux_ send-keys -t t "$@"; }
send_text() { tmux_ send-keys -t t -l -- "$1"; }
screen() { tmux_ capture-pane -t t -p 2>/dev/null; }

wait_for() {
    limit=$(( ${2:-5} * 20 ))
    i=0
    while [ $i -lt $limit ]; do
        if screen | grep -qF -- "$1"; then return 0; fi
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

expect() { wait_for "$1" "${2:-5}" || fail "expected to see: $1"; }
expect_not() { screen | grep -qF -- "$1" && fail "did not expect to see: $1"; return 0; }
# Poll until some line printed by the command $1 matches grep -E $2 (5s).
poll_line() {
    i=0
    while [ $i -lt 100 ]; do
        if $1 | grep -qE -- "$2"; then return 0; fi
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}
expect_line() { poll_line screen "$1" || fail "expected a line matching: $1"; }

screen_marked() {
    tmux_ capture-pane -t t -p -e 2>/dev/null |
        sed -e 's/\x1b\[30m\x1b\[43m */*/g' -e 's/\x1b\[30;43m */*/g' \
            -e 's/\x1b\[[0-9;]*m//g'
}
expect_marked() {
    poll_line screen_marked "$1" && return 0
    echo "---- screen, '*' marks black on yellow ----" >&2
    screen_marked >&2
    fail "expected a line matching (colours read): $1"
}

resize() { tmux_ resize-window -t t -x "$1" -y "$2"; }

# The program exited cleanly and left the terminal as it found it.
expect_clean_exit() {
    expect "[exit ${1:-0}]"
    expect "[stty]"
    screen | grep -qE '(^| )icanon( |$)' || fail "the terminal was left without icanon"
    screen | grep -qE '(^| )echo( |$)' || fail "the terminal was left without echo"
    if grep -q "ERROR: AddressSanitizer\|LeakSanitizer\|runtime error" "$TUI_TMP/stderr"; then
        fail "sanitizer report: $(head -n 30 "$TUI_TMP/stderr")"
    fi
}

# A row of a matrix panel: the values in order between two frame bars,
# whatever the column widths ("." for a cell not computed yet).
expect_row() {
    pat="│"
    for v in "$@"; do
        v=$(printf '%s' "$v" | sed 's/[.?*()]/\\&/g')
        pat="$pat +$v"
    done
    expect_line "$pat +│"
}
