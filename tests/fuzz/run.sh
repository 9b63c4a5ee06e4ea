#!/bin/sh
# tests/fuzz/run.sh - run every fuzz harness (from the repository root).
#
#   run.sh smoke DIR [SECONDS]   the smoke pass of `make test`: each harness
#                                DIR/fuzz_NAME (built with smoke_main.c) runs
#                                its seeds, its kept corpus and its regression
#                                inputs, then SECONDS (default 2) of mutations
#   run.sh long DIR SECONDS [NAME...]
#                                `make fuzz`: each libFuzzer harness (or the
#                                NAMEd ones, FUZZ_ONLY)
#                                DIR/fuzz_NAME for SECONDS, growing
#                                tests/fuzz/corpus/NAME and writing any crash,
#                                leak or timeout to tests/fuzz/crashes/;
#                                FUZZ_JOBS (default 1) harnesses at a time
#
# Seeds (build/fuzz-seeds/NAME) are made by seeds.sh from the repository's
# own example files. A crash input worth keeping goes to
# tests/fuzz/regress/NAME/ (committed); both passes replay it.
mode=${1:?usage: run.sh smoke|long DIR [SECONDS]}
dir=${2:?usage: run.sh smoke|long DIR [SECONDS]}
secs=${3:-2}
shift 2; [ $# -gt 0 ] && shift
only=" $* "
seeds=build/fuzz-seeds
tmp=$(mktemp -d) || exit 3
trap 'rm -rf "$tmp"' EXIT
if [ ! -d "$seeds" ] || [ tests/fuzz/seeds.sh -nt "$seeds" ]; then
    sh tests/fuzz/seeds.sh "$seeds" build/convcalc >/dev/null || exit 3
fi
dict_of() {
    case "$1" in
    detect) echo tests/fuzz/dict/torch.dict ;;
    *) [ -f "tests/fuzz/dict/$1.dict" ] && echo "tests/fuzz/dict/$1.dict" ;;
    esac
}
# One libFuzzer run; its report and status go to $tmp/NAME.{report,status}.
long_one() {
    bin=$1 name=$2
    mkdir -p tests/fuzz/crashes "$tmp/$name"
    d=$(dict_of "$name")
    regress=
    [ -d "tests/fuzz/regress/$name" ] && regress="tests/fuzz/regress/$name"
    TMPDIR="$tmp/$name" "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 ${d:+-dict=$d} \
        -artifact_prefix="tests/fuzz/crashes/$name-" "tests/fuzz/corpus/$name" \
        "$seeds/$name" $regress >"$tmp/$name.out" 2>&1
    st=$?
    {
        echo "== $name: $secs s"
        [ $st = 0 ] || { echo "FAILED: fuzz harness $name"; grep -v '^INFO:' "$tmp/$name.out" | head -n 30; }
        grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY)' "$tmp/$name.out"
        grep -E ' cov: ' "$tmp/$name.out" | tail -n 1
    } > "$tmp/$name.report"
    rm -rf "$tmp/$name"
    echo $st > "$tmp/$name.status"
}

passed=0 failed=0 pids=
for bin in "$dir"/fuzz_*; do
    [ -x "$bin" ] || continue
    name=${bin##*/fuzz_}
    [ "$only" = "  " ] || case "$only" in *" $name "*) ;; *) continue ;; esac
    mkdir -p "tests/fuzz/corpus/$name"
    if [ "$mode" = smoke ]; then
        if FUZZ_LAST="$tmp/last-$name" TMPDIR="$tmp" "$bin" -t "$secs" "$seeds/$name" \
               "tests/fuzz/corpus/$name" "tests/fuzz/regress/$name" >"$tmp/out" 2>&1; then
            passed=$((passed + 1))
            tail -n 1 "$tmp/out"
        else
            failed=$((failed + 1))
            mkdir -p tests/fuzz/crashes
            cp "$tmp/last-$name" "tests/fuzz/crashes/$name-smoke" 2>/dev/null
            echo "FAILED: fuzz harness $name (input kept in tests/fuzz/crashes/$name-smoke)"
            head -n 40 "$tmp/out"
        fi
    else
        # up to FUZZ_JOBS harnesses at once; each reports when it ends
        while :; do
            running=0
            for pid in $pids; do kill -0 "$pid" 2>/dev/null && running=$((running + 1)); done
            [ $running -lt "${FUZZ_JOBS:-1}" ] && break
            sleep 1
        done
        long_one "$bin" "$name" &
        pids="$pids $!"
    fi
done
if [ "$mode" = long ]; then
    wait
    for name in $(ls "$tmp"/*.status 2>/dev/null | sed 's|.*/||; s|\.status$||'); do
        cat "$tmp/$name.report"
        if [ "$(cat "$tmp/$name.status")" = 0 ]; then passed=$((passed + 1))
        else failed=$((failed + 1)); fi
    done
fi
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
