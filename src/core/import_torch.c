/* import_torch.c - read PyTorch's print(model) output as printed by
 * nn.Module.__repr__: a container is `Type(` on one line, its children as
 * `(name): Module(...)` lines indented by two more spaces, and `)` alone;
 * a leaf is `Type(args)` on one line. PyTorch 2 collapses identical
 * neighbours into `(1-3): 3 x Type(...)`, which is expanded here. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/stack.h"
#include "core/import_priv.h"

#define MAX_NODES 200000
#define MAX_NEST 64

typedef struct node {
    char name[64];      /* "conv1", "0", "1-3" */
    char type[40];
    long repeat;        /* the "N x" of a collapsed run, else 1 */
    long first_index;   /* for "a-b" names: a */
    const char *args;   /* leaf: between the parentheses */
    int args_len;
    int line, col, args_col;
    int is_container;
    int first_child, next_sibling; /* indexes into the node array, -1 none */
    int last_child;
} node;

typedef struct tparser {
    node *nodes;
    size_t n, cap;
    cc_stack *s;
    cc_error *err;
    size_t expanded;
} tparser;

static int ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static int new_node(tparser *tp, int line, int *out)
{
    *out = 0;
    if (tp->n == tp->cap) {
        size_t cap = tp->cap ? tp->cap * 2 : 64;
        if (cap > MAX_NODES)
            return cc_error_at(tp->err, CC_ERANGE, line, 1, "more than %d modules",
                               MAX_NODES);
        node *nn = realloc(tp->nodes, cap * sizeof *nn);
        if (!nn)
            return cc_error_set(tp->err, CC_ENOMEM, "out of memory");
        tp->nodes = nn;
        tp->cap = cap;
    }
    node *n = &tp->nodes[tp->n];
    memset(n, 0, sizeof *n);
    n->repeat = 1;
    n->first_child = n->next_sibling = n->last_child = -1;
    *out = (int)tp->n++;
    return 0;
}

/* ---- structure ----------------------------------------------------------------------- */
/* Parse one line (without its newline) that starts a module: `Type(...)`,
 * `Type(` or, when named, `(name): [N x ]Type(...)`. */
static int parse_module_line(tparser *tp, const char *p, const char *e, int line,
                             const char *line_start, int named, int *idx)
{
    int rc = new_node(tp, line, idx);
    if (rc)
        return rc;
    node *n = &tp->nodes[*idx];
    n->line = line;
    n->col = (int)(p - line_start) + 1;
    if (named) {
        /* (name): */
        const char *a = p + 1, *b = a;
        while (b < e && *b != ')')
            b++;
        if (b >= e || b == a || b + 2 >= e || b[1] != ':' || b[2] != ' ')
            return cc_error_at(tp->err, CC_EINVAL, line, n->col,
                               "expected '(name): Module(...)'");
        if (b - a >= (int)sizeof n->name)
            return cc_error_at(tp->err, CC_EINVAL, line, n->col, "module name too long");
        memcpy(n->name, a, (size_t)(b - a));
        n->name[b - a] = '\0';
        p = b + 3;
        /* "N x " collapsed repeat */
        const char *q = p;
        long cnt = 0;
        while (q < e && *q >= '0' && *q <= '9' && cnt <= 1000000)
            cnt = cnt * 10 + (*q++ - '0');
        if (q > p && q + 3 <= e && q[0] == ' ' && q[1] == 'x' && q[2] == ' ') {
            long a1 = 0, b1 = 0;
            const char *dash = strchr(n->name, '-');
            if (cnt < 1 || cnt > 100000 || !dash ||
                sscanf(n->name, "%ld-%ld", &a1, &b1) != 2 || b1 - a1 + 1 != cnt)
                return cc_error_at(tp->err, CC_EINVAL, line, (int)(p - line_start) + 1,
                                   "'%.*s x' does not match the range '(%s)'", (int)(q - p), p,
                                   n->name);
            n->repeat = cnt;
            n->first_index = a1;
            p = q + 3;
        }
    }
    n->col = (int)(p - line_start) + 1;
    const char *t = p;
    while (t < e && (ident_char(*t) || *t == '.'))
        t++;
    if (t == p || t >= e || *t != '(')
        return cc_error_at(tp->err, CC_EINVAL, line, n->col,
                           "expected a module such as 'Conv2d(...)' or 'Sequential('");
    if (t - p >= (int)sizeof n->type)
        return cc_error_at(tp->err, CC_EINVAL, line, n->col, "module type name too long");
    memcpy(n->type, p, (size_t)(t - p));
    n->type[t - p] = '\0';
    t++;
    if (t == e) {
        n->is_container = 1;
        return 0;
    }
    /* leaf: the arguments run to the matching ')' which must end the line */
    int depth = 1;
    const char *a = t;
    char quote = 0;
    for (; t < e; t++) {
        if (quote) {
            if (*t == quote)
                quote = 0;
        } else if (*t == '\'' || *t == '"') {
            quote = *t;
        } else if (*t == '(' || *t == '[') {
            depth++;
        } else if (*t == ')' || *t == ']') {
            if (--depth == 0)
                break;
        }
    }
    if (t >= e)
        return cc_error_at(tp->err, CC_EINVAL, line, (int)(e - line_start) + 1,
                           "'%s(' is not closed on its line (expected ')')", n->type);
    if (t + 1 != e)
        return cc_error_at(tp->err, CC_EINVAL, line, (int)(t + 1 - line_start) + 1,
                           "unexpected text after '%s(...)'", n->type);
    n->args = a;
    n->args_len = (int)(t - a);
    n->args_col = (int)(a - line_start) + 1;
    return 0;
}

static int build_tree(tparser *tp, const char *text, size_t len, int *root)
{
    int open[MAX_NEST];
    int depth = 0;
    *root = -1;
    int line = 0;
    size_t i = 0;
    int done = 0;
    while (i < len) {
        line++;
        size_t e = i;
        while (e < len && text[e] != '\n')
            e++;
        size_t end = e;
        while (end > i && (text[end - 1] == '\r' || text[end - 1] == ' ' || text[end - 1] == '\t'))
            end--;
        const char *ls = text + i, *p = ls, *pe = text + end;
        while (p < pe && (*p == ' ' || *p == '\t'))
            p++;
        for (const char *c = p; c < pe; c++)
            if ((unsigned char)*c < 0x20 && *c != '\t')
                return cc_error_at(tp->err, CC_EINVAL, line, (int)(c - ls) + 1,
                                   "unexpected control character (byte %d)", (unsigned char)*c);
        if (p == pe) {
            i = e + 1;
            continue;
        }
        if (done)
            return cc_error_at(tp->err, CC_EINVAL, line, (int)(p - ls) + 1,
                               "text after the end of the model (its closing ')' is on an "
                               "earlier line)");
        if (*p == ')' && p + 1 == pe) {
            if (depth == 0)
                return cc_error_at(tp->err, CC_EINVAL, line, (int)(p - ls) + 1,
                                   "')' closes nothing");
            depth--;
            if (depth == 0)
                done = 1;
            i = e + 1;
            continue;
        }
        int named = *p == '(';
        if (depth == 0 && (named || *root >= 0))
            return cc_error_at(tp->err, CC_EINVAL, line, (int)(p - ls) + 1,
                               "expected the model's first line, such as 'Sequential(' or "
                               "'Net('");
        if (depth > 0 && !named)
            return cc_error_at(tp->err, CC_EINVAL, line, (int)(p - ls) + 1,
                               "expected '(name): Module(...)' or ')' inside %s (extra text "
                               "that a custom extra_repr prints is not understood)",
                               tp->nodes[open[depth - 1]].type);
        int idx = 0;
        int rc = parse_module_line(tp, p, pe, line, ls, named, &idx);
        if (rc)
            return rc;
        if (depth == 0) {
            *root = idx;
            if (!tp->nodes[idx].is_container)
                done = 1;
        } else {
            node *par = &tp->nodes[open[depth - 1]];
            if (par->last_child < 0)
                par->first_child = idx;
            else
                tp->nodes[par->last_child].next_sibling = idx;
            par->last_child = idx;
        }
        if (tp->nodes[idx].is_container) {
            if (depth == MAX_NEST)
                return cc_error_at(tp->err, CC_EINVAL, line, (int)(p - ls) + 1,
                                   "modules nested more than %d deep", MAX_NEST);
            open[depth++] = idx;
        }
        i = e + 1;
    }
    if (depth > 0) {
        node *o = &tp->nodes[open[depth - 1]];
        return cc_error_at(tp->err, CC_EINVAL, o->line, o->col,
                           "'%s(' is never closed (expected a line with ')')", o->type);
    }
    if (*root < 0)
        return cc_error_at(tp->err, CC_EINVAL, line ? line : 1, 1,
                           "empty input (expected the output of print(model))");
    return 0;
}

/* ---- leaf arguments ----------------------------------------------------------------- */
typedef struct arg {
    const char *key;   /* NULL for positional */
    int key_len;
    const char *val;
    int val_len;
    int col;
} arg;

#define MAX_ARGS 16

static int split_args(tparser *tp, const node *n, arg *out, int *count)
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
        arg *g = &out[k++];
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

static int key_is(const arg *g, const char *k)
{
    return g->key && (size_t)g->key_len == strlen(k) && strncmp(g->key, k, strlen(k)) == 0;
}

static int val_is(const arg *g, const char *v)
{
    return (size_t)g->val_len == strlen(v) && strncmp(g->val, v, strlen(v)) == 0;
}

static int bad_value(tparser *tp, const node *n, const arg *g, const char *expected)
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
static int val_pair(tparser *tp, const node *n, const arg *g, long min, long *a, long *b)
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
    return bad_value(tp, n, g, min ? "a positive whole number or a pair (h, w)"
                                   : "a whole number or a pair (h, w)");
}

static int val_long(tparser *tp, const node *n, const arg *g, long min, long *out)
{
    if (num(g->val, g->val_len, min, out) == 0)
        return 0;
    return bad_value(tp, n, g, "a whole number in range");
}

static int val_real(tparser *tp, const node *n, const arg *g, double *out)
{
    char b[64], *end;
    if (g->val_len <= 0 || g->val_len >= (int)sizeof b)
        return bad_value(tp, n, g, "a number");
    memcpy(b, g->val, (size_t)g->val_len);
    b[g->val_len] = '\0';
    errno = 0;
    double v = strtod(b, &end);
    if (end == b || *end || errno == ERANGE || !isfinite(v))
        return bad_value(tp, n, g, "a number");
    *out = v;
    return 0;
}

static int val_bool(tparser *tp, const node *n, const arg *g, int *out)
{
    if (val_is(g, "True")) {
        *out = 1;
        return 0;
    }
    if (val_is(g, "False")) {
        *out = 0;
        return 0;
    }
    return bad_value(tp, n, g, "True or False");
}

static const struct {
    const char *type;
    cc_layer_kind kind;
} types[] = {
    {"Conv2d", CC_LAYER_CONV},
    {"MaxPool2d", CC_LAYER_MAXPOOL},
    {"AvgPool2d", CC_LAYER_AVGPOOL},
    {"AdaptiveAvgPool2d", CC_LAYER_ADAPTIVE_AVGPOOL},
    {"BatchNorm1d", CC_LAYER_BATCHNORM1D},
    {"BatchNorm2d", CC_LAYER_BATCHNORM2D},
    {"ReLU", CC_LAYER_RELU},
    {"LeakyReLU", CC_LAYER_LEAKY_RELU},
    {"ELU", CC_LAYER_ELU},
    {"Sigmoid", CC_LAYER_SIGMOID},
    {"Tanh", CC_LAYER_TANH},
    {"Softmax", CC_LAYER_SOFTMAX},
    {"Dropout", CC_LAYER_DROPOUT},
    {"Dropout1d", CC_LAYER_DROPOUT},
    {"Dropout2d", CC_LAYER_DROPOUT},
    {"AlphaDropout", CC_LAYER_DROPOUT},
    {"Flatten", CC_LAYER_FLATTEN},
    {"Linear", CC_LAYER_LINEAR},
    {"Identity", CC_LAYER_IDENTITY},
    {"ReLU6", CC_LAYER_RELU6},
    {"GELU", CC_LAYER_GELU},
    {"SiLU", CC_LAYER_SILU},
    {"Hardswish", CC_LAYER_HARDSWISH},
    {"Hardsigmoid", CC_LAYER_HARDSIGMOID},
};

/* The module type names the reader knows, for tests that walk all of them:
 * the i-th name, or NULL past the end. */
const char *cc_torch_known_module(size_t i)
{
    return i < sizeof types / sizeof types[0] ? types[i].type : NULL;
}

/* Which argument (by position or keyword) is which: the index into the
 * NULL-terminated `names`, or -1 for a keyword that is not there or a
 * position past the last name (more positional arguments than the module
 * takes). A negative `pos` means the module takes no positional argument. */
static int arg_slot(const arg *g, int pos, const char *const *names)
{
    int count = 0;
    while (names[count])
        count++;
    if (!g->key)
        return pos >= 0 && pos < count ? pos : -1;
    for (int i = 0; i < count; i++)
        if (key_is(g, names[i]))
            return i;
    return -1;
}

static int leaf_layer(tparser *tp, const node *n, cc_layer *l)
{
    cc_layer_kind kind = CC_LAYER_KIND_COUNT;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(n->type, types[i].type) == 0)
            kind = types[i].kind;
    if (kind == CC_LAYER_KIND_COUNT)
        return cc_error_at(tp->err, CC_EINVAL, n->line, n->col,
                           "unknown module '%s' (convcalc reads Conv2d, BatchNorm1d, "
                           "BatchNorm2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Linear, "
                           "Dropout, Dropout2d, Flatten, Identity, ReLU, ReLU6, LeakyReLU, ELU, "
                           "GELU, SiLU, Hardswish, Hardsigmoid, Sigmoid, Tanh, Softmax, and "
                           "containers of them)",
                           n->type);
    cc_layer_init(l, kind);
    snprintf(l->type, sizeof l->type, "%s", n->type);
    l->line = n->line;
    l->col = n->col;
    arg a[MAX_ARGS];
    int na = 0, rc;
    if ((rc = split_args(tp, n, a, &na)))
        return rc;
    int have_in = 0, have_out = 0, have_kernel = 0;
    for (int i = 0; i < na; i++) {
        const arg *g = &a[i];
        int slot;
        rc = 0;
        switch (kind) {
        case CC_LAYER_CONV: {
            static const char *const nm[] = {"in_channels", "out_channels", "kernel_size",
                                             "stride", "padding", "dilation", "groups",
                                             "bias", "padding_mode", NULL};
            slot = arg_slot(g, i, nm);
            long h, w;
            switch (slot) {
            case 0: rc = val_long(tp, n, g, 1, &l->in_channels); have_in = 1; break;
            case 1: rc = val_long(tp, n, g, 1, &l->filters); have_out = 1; break;
            case 2: rc = val_pair(tp, n, g, 1, &l->kernel_h, &l->kernel_w); have_kernel = 1; break;
            case 3: rc = val_pair(tp, n, g, 1, &l->stride_h, &l->stride_w); break;
            case 4:
                if (val_is(g, "same") || val_is(g, "'same'")) {
                    l->pad_same = 1;
                } else if (!(val_is(g, "valid") || val_is(g, "'valid'"))) {
                    rc = val_pair(tp, n, g, 0, &h, &w);
                    l->pad_top = l->pad_bottom = h;
                    l->pad_left = l->pad_right = w;
                }
                break;
            case 5: rc = val_pair(tp, n, g, 1, &l->dilation_h, &l->dilation_w); break;
            case 6: rc = val_long(tp, n, g, 1, &l->groups); break;
            case 7: rc = val_bool(tp, n, g, &l->bias); break;
            case 8: break; /* zeros, reflect, ...: same shapes and counts */
            default: slot = -1;
            }
            break;
        }
        case CC_LAYER_MAXPOOL:
        case CC_LAYER_AVGPOOL: {
            static const char *const mx[] = {"kernel_size", "stride", "padding", "dilation",
                                             "return_indices", "ceil_mode", NULL};
            static const char *const av[] = {"kernel_size", "stride", "padding", "ceil_mode",
                                             "count_include_pad", "divisor_override", NULL};
            const char *const *nm = kind == CC_LAYER_MAXPOOL ? mx : av;
            slot = arg_slot(g, i, nm);
            const char *which = slot >= 0 ? nm[slot] : "";
            long h, w;
            int flag;
            if (slot < 0)
                break;
            if (!strcmp(which, "kernel_size")) {
                rc = val_pair(tp, n, g, 1, &l->kernel_h, &l->kernel_w);
                have_kernel = 1;
            } else if (!strcmp(which, "stride")) {
                if (!val_is(g, "None"))
                    rc = val_pair(tp, n, g, 1, &l->stride_h, &l->stride_w);
            } else if (!strcmp(which, "padding")) {
                rc = val_pair(tp, n, g, 0, &h, &w);
                l->pad_top = l->pad_bottom = h;
                l->pad_left = l->pad_right = w;
            } else if (!strcmp(which, "dilation")) {
                rc = val_pair(tp, n, g, 1, &l->dilation_h, &l->dilation_w);
            } else if (!strcmp(which, "ceil_mode")) {
                rc = val_bool(tp, n, g, &l->ceil_mode);
            } else if (!strcmp(which, "count_include_pad")) {
                rc = val_bool(tp, n, g, &l->count_include_pad);
            } else if (!strcmp(which, "return_indices")) {
                rc = val_bool(tp, n, g, &flag);
            } else if (!strcmp(which, "divisor_override")) {
                /* changes values, not shapes or counts */
            }
            break;
        }
        case CC_LAYER_ADAPTIVE_AVGPOOL: {
            static const char *const nm[] = {"output_size", NULL};
            slot = arg_slot(g, i, nm);
            if (slot == 0) {
                rc = val_pair(tp, n, g, 1, &l->out_h, &l->out_w);
                have_kernel = 1;
            }
            break;
        }
        case CC_LAYER_BATCHNORM1D:
        case CC_LAYER_BATCHNORM2D: {
            static const char *const nm[] = {"num_features", "eps", "momentum", "affine",
                                             "track_running_stats", NULL};
            slot = arg_slot(g, i, nm);
            switch (slot) {
            case 0: rc = val_long(tp, n, g, 1, &l->num_features); have_in = 1; break;
            case 1: rc = val_real(tp, n, g, &l->eps); break;
            case 2:
                if (val_is(g, "None"))
                    l->momentum = 0; /* cumulative average */
                else
                    rc = val_real(tp, n, g, &l->momentum);
                break;
            case 3: rc = val_bool(tp, n, g, &l->affine); break;
            case 4: rc = val_bool(tp, n, g, &l->track_running_stats); break;
            default: break;
            }
            break;
        }
        case CC_LAYER_LINEAR: {
            static const char *const nm[] = {"in_features", "out_features", "bias", NULL};
            slot = arg_slot(g, i, nm);
            switch (slot) {
            case 0: rc = val_long(tp, n, g, 1, &l->in_features); have_in = 1; break;
            case 1: rc = val_long(tp, n, g, 1, &l->out_features); have_out = 1; break;
            case 2: rc = val_bool(tp, n, g, &l->bias); break;
            default: break;
            }
            break;
        }
        case CC_LAYER_LEAKY_RELU: {
            static const char *const nm[] = {"negative_slope", "inplace", NULL};
            slot = arg_slot(g, i, nm);
            if (slot == 0)
                rc = val_real(tp, n, g, &l->slope);
            break;
        }
        case CC_LAYER_ELU: {
            static const char *const nm[] = {"alpha", "inplace", NULL};
            slot = arg_slot(g, i, nm);
            if (slot == 0)
                rc = val_real(tp, n, g, &l->alpha);
            break;
        }
        case CC_LAYER_DROPOUT: {
            static const char *const nm[] = {"p", "inplace", NULL};
            slot = arg_slot(g, i, nm);
            if (slot == 0)
                rc = val_real(tp, n, g, &l->p);
            break;
        }
        case CC_LAYER_FLATTEN: {
            static const char *const nm[] = {"start_dim", "end_dim", NULL};
            slot = arg_slot(g, i, nm);
            if ((slot == 0 && !val_is(g, "1")) || (slot == 1 && !val_is(g, "-1")))
                return cc_error_at(tp->err, CC_EINVAL, n->line, g->col,
                                   "Flatten: only start_dim=1, end_dim=-1 (flatten all but "
                                   "the batch) is supported");
            break;
        }
        default: {
            /* activations: inplace, dim, approximate: no effect on counts */
            static const char *const nm[] = {"inplace", "dim", "approximate", NULL};
            slot = arg_slot(g, -1, nm);
            if (kind == CC_LAYER_SOFTMAX && !g->key)
                slot = i == 0 ? 1 : -1; /* Softmax(dim) */
            break;
        }
        }
        if (rc)
            return rc;
        if (slot < 0 && !g->key)
            return cc_error_at(tp->err, CC_EINVAL, n->line, g->col,
                               "%s: too many positional arguments (argument %d is not "
                               "one its repr prints)", n->type, i + 1);
        if (slot < 0)
            return cc_error_at(tp->err, CC_EINVAL, n->line, g->col,
                               "%s: unexpected argument '%.*s'", n->type,
                               g->val_len + (g->key ? g->key_len + 1 : 0) > 60
                                   ? 60
                                   : g->val_len + (g->key ? g->key_len + 1 : 0),
                               g->key ? g->key : g->val);
    }
    if ((kind == CC_LAYER_CONV && !(have_in && have_out && have_kernel)) ||
        (kind == CC_LAYER_LINEAR && !(have_in && have_out)) ||
        ((kind == CC_LAYER_BATCHNORM1D || kind == CC_LAYER_BATCHNORM2D) && !have_in) ||
        ((kind == CC_LAYER_MAXPOOL || kind == CC_LAYER_AVGPOOL ||
          kind == CC_LAYER_ADAPTIVE_AVGPOOL) && !have_kernel))
        return cc_error_at(tp->err, CC_EINVAL, n->line, n->col,
                           "%s: a required argument is missing (its repr always has %s)",
                           n->type,
                           kind == CC_LAYER_CONV ? "in and out channels and kernel_size"
                           : kind == CC_LAYER_LINEAR ? "in_features and out_features"
                           : kind == CC_LAYER_ADAPTIVE_AVGPOOL ? "output_size"
                           : kind == CC_LAYER_MAXPOOL || kind == CC_LAYER_AVGPOOL
                               ? "kernel_size"
                               : "num_features");
    if (kind == CC_LAYER_ADAPTIVE_AVGPOOL && l->out_h == 1 && l->out_w == 1)
        l->kind = CC_LAYER_GLOBAL_AVGPOOL;
    return 0;
}

/* ---- flattening the tree into layers ----------------------------------------------- */
static int walk(tparser *tp, int idx, const char *prefix, int depth)
{
    const node *n = &tp->nodes[idx];
    for (long r = 0; r < n->repeat; r++) {
        char name[96];
        if (n->repeat > 1)
            snprintf(name, sizeof name, "%s%s%ld", prefix, prefix[0] ? "." : "",
                     n->first_index + r);
        else if (n->name[0])
            snprintf(name, sizeof name, "%s%s%s", prefix, prefix[0] ? "." : "", n->name);
        else
            snprintf(name, sizeof name, "%s", prefix);
        if (n->is_container) {
            if (strcmp(n->type, "Sequential") != 0)
                tp->s->custom_modules = 1;
            for (int c = n->first_child; c >= 0; c = tp->nodes[c].next_sibling) {
                int rc = walk(tp, c, name, depth + 1);
                if (rc)
                    return rc;
            }
            continue;
        }
        if (++tp->expanded > 1000000)
            return cc_error_at(tp->err, CC_ERANGE, n->line, n->col, "more than 1000000 layers");
        cc_layer l;
        int rc = leaf_layer(tp, n, &l);
        if (rc)
            return rc;
        snprintf(l.name, sizeof l.name, "%s", name);
        l.depth = depth;
        rc = cc_stack_add(tp->s, &l, tp->err);
        if (rc)
            return rc;
    }
    return 0;
}

int cc_stack_parse_torch(cc_stack **out, const char *text, size_t len, cc_error *err)
{
    *out = NULL;
    tparser tp;
    memset(&tp, 0, sizeof tp);
    tp.err = err;
    tp.s = cc_stack_new();
    if (!tp.s)
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    tp.s->source = CC_SOURCE_TORCH;
    int root = -1;
    int rc = build_tree(&tp, text, len, &root);
    if (!rc)
        rc = walk(&tp, root, "", 0);
    if (!rc && tp.s->n == 0)
        rc = cc_error_at(err, CC_EINVAL, tp.nodes[root].line, tp.nodes[root].col,
                         "%s has no layers", tp.nodes[root].type);
    if (!rc && tp.s->custom_modules) {
        /* A custom forward() usually flattens before its first Linear
         * (torch.flatten(x, 1)): accept a C x H x W input there. */
        for (size_t i = 0; i < tp.s->n; i++)
            if (tp.s->layers[i].kind == CC_LAYER_LINEAR)
                tp.s->layers[i].flatten_input = 1;
    }
    free(tp.nodes);
    if (rc) {
        cc_stack_free(tp.s);
        return rc;
    }
    *out = tp.s;
    return 0;
}
