#!/bin/sh
# tests/pkg/run.sh - the installed library as a user of it sees it:
# `make install DESTDIR=...`, then a small program compiled with
# `cc $(pkg-config --cflags --libs convcalc)` against the installed headers
# and shared library, run, and checked (it solves a shape question and
# reads a spec). The last line is "pkg: N passed, M failed".
tmp=$(mktemp -d) || exit 3
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAILED: pkg: $1"; echo "pkg: 0 passed, 1 failed"; exit 1; }
make --no-print-directory install DESTDIR="$tmp/root" PREFIX=/usr/local >"$tmp/install.log" 2>&1 ||
    { tail -n 20 "$tmp/install.log"; fail "make install"; }
lib="$tmp/root/usr/local/lib"
[ -f "$lib/pkgconfig/convcalc.pc" ] || fail "no convcalc.pc installed"
[ -L "$lib/libconvcalc.so" ] || fail "no libconvcalc.so development link"
cat > "$tmp/user.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <convcalc/arith.h>
#include <convcalc/stack.h>

int main(void)
{
    long out = 0;
    cc_error err;
    cc_error_clear(&err);
    if (cc_conv_out(&out, 32, 5, 1, 2, 2, 1, &err) != 0 || out != 32)
        return 1;
    const char *spec = "input 32x32x3\nconv 32 5x5 pad 2\nrelu\nmaxpool 2\nflatten\nlinear 10\n";
    cc_stack *s = NULL;
    if (cc_stack_parse(&s, spec, strlen(spec), CC_SOURCE_AUTO, &err) != 0 ||
        cc_stack_infer(s, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    cc_stack_totals t;
    cc_stack_totals_get(s, 0, &t);
    printf("%lld\n", (long long)t.total_params);
    cc_stack_free(s);
    return 0;
}
C
export PKG_CONFIG_SYSROOT_DIR="$tmp/root" PKG_CONFIG_PATH="$lib/pkgconfig"
flags=$(pkg-config --cflags --libs convcalc) || fail "pkg-config --cflags --libs convcalc"
# shellcheck disable=SC2086
cc -std=c11 -Wall -Wextra -Werror -o "$tmp/user" "$tmp/user.c" $flags 2>"$tmp/cc.log" ||
    { cat "$tmp/cc.log"; fail "compiling against the installed library"; }
got=$(LD_LIBRARY_PATH="$lib" "$tmp/user") || fail "running the program"
# 32 5x5x3 filters + biases, then 10 x (16*16*32) weights + biases
want=$((32 * (5 * 5 * 3 + 1) + 10 * (16 * 16 * 32 + 1)))
[ "$got" = "$want" ] || fail "the program printed $got, expected $want"
ldd "$tmp/user" | grep -q "$lib/libconvcalc.so" 2>/dev/null ||
    LD_LIBRARY_PATH="$lib" ldd "$tmp/user" | grep -q "libconvcalc.so.0 => $lib" ||
    fail "the program does not use the installed shared library"
echo "pkg: installed library via pkg-config: $got parameters"
echo "pkg: 1 passed, 0 failed"
