/* import_torch_args.c - the argument values of a PyTorch repr's leaf
 * modules: splitting `a, b, key=value` and reading numbers, tuples and
 * booleans, with the column of each. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_torch_priv.h"

static int ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* ---- leaf arguments ----------------------------------------------------------------- */


int tt_split_args(tparser *tp, const tnode *n, targ *out, int *count)
{
    const char *p = n->args, *e = n->args + n->args_len;
    int k = 0;
    while (p < e) {
        while (p < e && *p == ' ')
            p++;
        if (p >= e)
            break;
        if (k == MAX_ARGS)
            return cc_error_at(tp->err, CC_EINVAL, n->line, n->args_col,
                               "%s has more than %d arguments", n->type, MAX_ARGS);
        const char *a = p;
        int depth = 0;
        char quote = 0;
        while (p < e) {
            if (quote) {
                if (*p == quote)
                    quote = 0;
            } else if (*p == '\'' || *p == '"')
                quote = *p;
            else if (*p == '(' || *p == '[')
                depth++;
            else if (*p == ')' || *p == ']')
                depth--;
            else if (*p == ',' && depth == 0)
                break;
            p++;
        }
        const char *b = p;
        while (b > a && b[-1] == ' ')
            b--;
        targ *g = &out[k++];
        g->col = n->args_col + (int)(a - n->args);
        g->key = NULL;
        g->key_len = 0;
        const char *eq = a;
        while (eq < b && ident_char(*eq))
            eq++;
        if (eq < b && *eq == '=' && eq > a) {
            g->key = a;
            g->key_len = (int)(eq - a);
            a = eq + 1;
        }
        g->val = a;
        g->val_len = (int)(b - a);
        if (p < e)
            p++; /* the comma */
    }
    *count = k;
    return 0;
}

int tt_key_is(const targ *g, const char *k)
{
    return g->key && (size_t)g->key_len == strlen(k) && strncmp(g->key, k, strlen(k)) == 0;
}

int tt_val_is(const targ *g, const char *v)
{
    return (size_t)g->val_len == strlen(v) && strncmp(g->val, v, strlen(v)) == 0;
}

int tt_bad_value(tparser *tp, const tnode *n, const targ *g, const char *expected)
{
    return cc_error_at(tp->err, CC_EINVAL, n->line, g->col, "%s: '%.*s%s%.*s' is not %s",
                       n->type, g->key_len, g->key ? g->key : "", g->key ? "=" : "",
                       g->val_len > 60 ? 60 : g->val_len, g->val, expected);
}

static int num(const char *p, int n, long min, long *out)
{
    long v = 0;
    if (n <= 0 || n > 12)
        return -1;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    if (v < min || v > CC_DIM_MAX)
        return -1;
    *out = v;
    return 0;
}

/* An int or a tuple "(a, b)" (a tuple of one "(a,)" too). */
int tt_val_pair(tparser *tp, const tnode *n, const targ *g, long min, long *a, long *b)
{
    const char *p = g->val;
    int len = g->val_len;
    if (len >= 2 && p[0] == '(' && p[len - 1] == ')') {
        const char *c = memchr(p, ',', (size_t)len);
        if (c) {
            const char *x = p + 1, *xe = c;
            const char *y = c + 1, *ye = p + len - 1;
            while (y < ye && *y == ' ')
                y++;
            if (y == ye) { /* (a,) */
                if (num(x, (int)(xe - x), min, a) == 0) {
                    *b = *a;
                    return 0;
                }
            } else if (num(x, (int)(xe - x), min, a) == 0 && num(y, (int)(ye - y), min, b) == 0) {
                return 0;
            }
        }
    } else if (num(p, len, min, a) == 0) {
        *b = *a;
        return 0;
    }
    return tt_bad_value(tp, n, g, min ? "a positive whole number or a pair (h, w)"
                                   : "a whole number or a pair (h, w)");
}

int tt_val_long(tparser *tp, const tnode *n, const targ *g, long min, long *out)
{
    if (num(g->val, g->val_len, min, out) == 0)
        return 0;
    return tt_bad_value(tp, n, g, "a whole number in range");
}

int tt_val_real(tparser *tp, const tnode *n, const targ *g, double *out)
{
    char b[64], *end;
    if (g->val_len <= 0 || g->val_len >= (int)sizeof b)
        return tt_bad_value(tp, n, g, "a number");
    memcpy(b, g->val, (size_t)g->val_len);
    b[g->val_len] = '\0';
    errno = 0;
    double v = strtod(b, &end);
    if (end == b || *end || errno == ERANGE || !isfinite(v))
        return tt_bad_value(tp, n, g, "a number");
    *out = v;
    return 0;
}

int tt_val_bool(tparser *tp, const tnode *n, const targ *g, int *out)
{
    if (tt_val_is(g, "True")) {
        *out = 1;
        return 0;
    }
    if (tt_val_is(g, "False")) {
        *out = 0;
        return 0;
    }
    return tt_bad_value(tp, n, g, "True or False");
}

int tt_val_tuple(tparser *tp, const tnode *n, const targ *g, long min, int max, long *v,
                 int *count)
{
    const char *p = g->val, *e = g->val + g->val_len;
    int k = 0;
    if (p < e && *p != '(') {
        if (num(p, (int)(e - p), min, &v[0]) == 0) {
            *count = 1;
            return 0;
        }
        return tt_bad_value(tp, n, g, "a whole number in range");
    }
    if (e - p < 2 || e[-1] != ')')
        return tt_bad_value(tp, n, g, "a whole number or a tuple");
    p++;
    e--;
    while (p < e) {
        while (p < e && *p == ' ')
            p++;
        const char *q = p;
        while (q < e && *q != ',')
            q++;
        const char *r = q;
        while (r > p && r[-1] == ' ')
            r--;
        if (r == p && q == e)
            break; /* "(a,)" */
        if (k == max || num(p, (int)(r - p), min, &v[k]) != 0)
            return tt_bad_value(tp, n, g, "a tuple of whole numbers in range");
        k++;
        p = q < e ? q + 1 : q;
    }
    if (k == 0)
        return tt_bad_value(tp, n, g, "a tuple of whole numbers");
    *count = k;
    return 0;
}

void tt_warn(tparser *tp, int line, int col, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cc_stack_note_add(tp->s, line, col, "%s", msg);
}
