/* import_spec.c - the spec language of convcalc-spec(5): one layer per
 * line, `#` comments, `NAME:` labels, `repeat N { ... }` blocks. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/stack.h"

#define MAX_TOKENS 64
#define MAX_REPEAT 10000
#define MAX_LAYERS 100000
#define MAX_DEPTH 16

typedef struct tok {
    const char *p;
    int len;
    int col;
} tok;

typedef struct sline {
    int line;
    int n;
    tok t[MAX_TOKENS];
} sline;

typedef struct parser {
    sline *lines;
    size_t n_lines;
    cc_stack *s;
    cc_error *err;
    int rank;              /* 3 until something flattens                */
    long kind_count[CC_LAYER_KIND_COUNT];
} parser;

static int teq(const tok *t, const char *w)
{
    return (size_t)t->len == strlen(w) && strncmp(t->p, w, (size_t)t->len) == 0;
}

static void tcopy(char *buf, size_t size, const tok *t)
{
    size_t n = (size_t)t->len < size - 1 ? (size_t)t->len : size - 1;
    memcpy(buf, t->p, n);
    buf[n] = '\0';
}

static int terr(parser *ps, int line, const tok *t, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int terr(parser *ps, int line, const tok *t, const char *fmt, ...)
{
    char msg[480];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cc_error_at(ps->err, CC_EINVAL, line, t ? t->col : 1, "%s", msg);
}

/* ---- numbers ----------------------------------------------------------------- */
/* A whole number in [min, CC_DIM_MAX] from s[0..n). */
static int num_long(const char *s, int n, long min, long *out)
{
    if (n <= 0 || n > 12)
        return -1;
    long v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v < min || v > CC_DIM_MAX)
        return -1;
    *out = v;
    return 0;
}

static int tok_long(parser *ps, int line, const tok *t, long min, const char *what, long *out)
{
    if (num_long(t->p, t->len, min, out) == 0)
        return 0;
    char b[64];
    tcopy(b, sizeof b, t);
    return terr(ps, line, t, "%s: '%s' is not a whole number from %ld to %ld", what, b, min,
                (long)CC_DIM_MAX);
}

static int tok_real(parser *ps, int line, const tok *t, double lo, double hi, const char *what,
                    double *out)
{
    char b[64], *end;
    tcopy(b, sizeof b, t);
    errno = 0;
    double v = strtod(b, &end);
    if (t->len >= 63 || end == b || *end || errno == ERANGE || !isfinite(v) || v < lo || v > hi)
        return terr(ps, line, t, "%s: '%s' is not a number from %g to %g", what, b, lo, hi);
    *out = v;
    return 0;
}

/* "5" -> 5,5; "3x5" -> 3,5 (height x width). */
static int tok_pair(parser *ps, int line, const tok *t, long min, const char *what, long *h,
                    long *w)
{
    const char *x = memchr(t->p, 'x', (size_t)t->len);
    if (!x) {
        if (num_long(t->p, t->len, min, h) == 0) {
            *w = *h;
            return 0;
        }
    } else if (num_long(t->p, (int)(x - t->p), min, h) == 0 &&
               num_long(x + 1, t->len - (int)(x - t->p) - 1, min, w) == 0) {
        return 0;
    }
    char b[64];
    tcopy(b, sizeof b, t);
    return terr(ps, line, t, "%s: '%s' is not N or HxW (whole numbers from %ld to %ld)", what,
                b, min, (long)CC_DIM_MAX);
}

/* pad: P, PxQ (height x width), T,B,L,R, same, valid. */
static int tok_pad(parser *ps, int line, const tok *t, cc_layer *l)
{
    if (teq(t, "same")) {
        l->pad_same = 1;
        return 0;
    }
    if (teq(t, "valid")) {
        l->pad_top = l->pad_bottom = l->pad_left = l->pad_right = 0;
        return 0;
    }
    if (memchr(t->p, ',', (size_t)t->len)) {
        long v[4];
        int k = 0;
        const char *a = t->p, *end = t->p + t->len;
        while (k < 4) {
            const char *c = memchr(a, ',', (size_t)(end - a));
            const char *e = c ? c : end;
            if (num_long(a, (int)(e - a), 0, &v[k]))
                break;
            k++;
            if (!c)
                break;
            a = c + 1;
        }
        if (k == 4 && a <= end && !memchr(a, ',', (size_t)(end - a))) {
            l->pad_top = v[0];
            l->pad_bottom = v[1];
            l->pad_left = v[2];
            l->pad_right = v[3];
            return 0;
        }
        char b[64];
        tcopy(b, sizeof b, t);
        return terr(ps, line, t,
                    "pad: '%s' is not TOP,BOTTOM,LEFT,RIGHT (four whole numbers)", b);
    }
    long h, w;
    if (tok_pair(ps, line, t, 0, "pad (P, HxW, T,B,L,R, same or valid)", &h, &w))
        return CC_EINVAL;
    l->pad_top = l->pad_bottom = h;
    l->pad_left = l->pad_right = w;
    return 0;
}

/* ---- lexing --------------------------------------------------------------------- */
static int lex(parser *ps, const char *text, size_t len)
{
    size_t cap = 0;
    size_t i = 0;
    int line = 0;
    while (i < len) {
        line++;
        size_t e = i;
        while (e < len && text[e] != '\n')
            e++;
        sline sl;
        sl.line = line;
        sl.n = 0;
        size_t k = i;
        while (k < e) {
            char c = text[k];
            if (c == ' ' || c == '\t' || c == '\r') {
                k++;
                continue;
            }
            if (c == '#' || (c == '/' && k + 1 < e && text[k + 1] == '/'))
                break;
            if (c == '\0' || (unsigned char)c < 0x20)
                return cc_error_at(ps->err, CC_EINVAL, line, (int)(k - i) + 1,
                                   "unexpected control character (byte %d)", (unsigned char)c);
            size_t a = k;
            if (c == '=') { /* key=value: the '=' separates like a blank */
                k++;
                continue;
            }
            while (k < e && text[k] != ' ' && text[k] != '\t' && text[k] != '\r' &&
                   text[k] != '#' && text[k] != '=')
                k++;
            if (sl.n == MAX_TOKENS)
                return cc_error_at(ps->err, CC_EINVAL, line, (int)(a - i) + 1,
                                   "too many words on one line (at most %d)", MAX_TOKENS);
            if (k - a > 200)
                return cc_error_at(ps->err, CC_EINVAL, line, (int)(a - i) + 1,
                                   "a word of %zu characters is too long", k - a);
            sl.t[sl.n].p = text + a;
            sl.t[sl.n].len = (int)(k - a);
            sl.t[sl.n].col = (int)(a - i) + 1;
            sl.n++;
        }
        if (sl.n > 0) {
            if (ps->n_lines == cap) {
                size_t nc = cap ? cap * 2 : 32;
                if (nc > 10000000)
                    return cc_error_at(ps->err, CC_ERANGE, line, 1, "too many lines");
                sline *nl = realloc(ps->lines, nc * sizeof *nl);
                if (!nl)
                    return cc_error_set(ps->err, CC_ENOMEM, "out of memory");
                ps->lines = nl;
                cap = nc;
            }
            ps->lines[ps->n_lines++] = sl;
        }
        i = e + 1;
    }
    return 0;
}

/* ---- layers ----------------------------------------------------------------------- */
static const struct {
    const char *word;
    cc_layer_kind kind;
} words[] = {
    {"conv", CC_LAYER_CONV},
    {"conv2d", CC_LAYER_CONV},
    {"maxpool", CC_LAYER_MAXPOOL},
    {"maxpool2d", CC_LAYER_MAXPOOL},
    {"avgpool", CC_LAYER_AVGPOOL},
    {"avgpool2d", CC_LAYER_AVGPOOL},
    {"gap", CC_LAYER_GLOBAL_AVGPOOL},
    {"globalavgpool", CC_LAYER_GLOBAL_AVGPOOL},
    {"global_avgpool", CC_LAYER_GLOBAL_AVGPOOL},
    {"adaptiveavgpool", CC_LAYER_ADAPTIVE_AVGPOOL},
    {"batchnorm", CC_LAYER_BATCHNORM2D}, /* 1d or 2d by the input's rank */
    {"bn", CC_LAYER_BATCHNORM2D},
    {"batchnorm1d", CC_LAYER_BATCHNORM1D},
    {"batchnorm2d", CC_LAYER_BATCHNORM2D},
    {"relu", CC_LAYER_RELU},
    {"leakyrelu", CC_LAYER_LEAKY_RELU},
    {"leaky_relu", CC_LAYER_LEAKY_RELU},
    {"leaky", CC_LAYER_LEAKY_RELU},
    {"elu", CC_LAYER_ELU},
    {"sigmoid", CC_LAYER_SIGMOID},
    {"tanh", CC_LAYER_TANH},
    {"softmax", CC_LAYER_SOFTMAX},
    {"dropout", CC_LAYER_DROPOUT},
    {"flatten", CC_LAYER_FLATTEN},
    {"linear", CC_LAYER_LINEAR},
    {"fc", CC_LAYER_LINEAR},
    {"dense", CC_LAYER_LINEAR},
    {"identity", CC_LAYER_IDENTITY},
    {"add", CC_LAYER_ADD},
    {"shortcut", CC_LAYER_ADD},
    {"concat", CC_LAYER_CONCAT},
    {"route", CC_LAYER_CONCAT},
    {"relu6", CC_LAYER_RELU6},
    {"gelu", CC_LAYER_GELU},
    {"silu", CC_LAYER_SILU},
    {"swish", CC_LAYER_SILU},
    {"hardswish", CC_LAYER_HARDSWISH},
    {"hardsigmoid", CC_LAYER_HARDSIGMOID},
    {"upsample", CC_LAYER_UPSAMPLE},
    {"reorg", CC_LAYER_REORG},
    {"crop", CC_LAYER_CROP},
    {"local", CC_LAYER_LOCAL},
    {"recurrent", CC_LAYER_RECURRENT},
    {"detect", CC_LAYER_DETECT},
    {"activation", CC_LAYER_ACTIVATION},
};

static int has_params(cc_layer_kind k)
{
    return k == CC_LAYER_CONV || k == CC_LAYER_LINEAR || k == CC_LAYER_BATCHNORM1D ||
           k == CC_LAYER_BATCHNORM2D;
}

/* A reference to an earlier layer: "input", "-K" (K layers back from this
 * one) or a name (its latest definition). */
static int resolve_ref(parser *ps, int line, const tok *t, long *out)
{
    long self = (long)ps->s->n;
    if (teq(t, "input")) {
        *out = CC_FROM_INPUT;
        return 0;
    }
    if (t->len > 1 && t->p[0] == '-') {
        long k;
        if (num_long(t->p + 1, t->len - 1, 1, &k) == 0) {
            if (k > self)
                return terr(ps, line, t,
                            "-%ld refers to a layer before the first one (this is layer %ld)",
                            k, self + 1);
            *out = self - k;
            return 0;
        }
    }
    char name[96];
    tcopy(name, sizeof name, t);
    for (long i = self - 1; i >= 0; i--)
        if (strcmp(ps->s->layers[i].name, name) == 0) {
            *out = i;
            return 0;
        }
    return terr(ps, line, t,
                "no earlier layer is named '%s' (expected a layer name, -K for K layers back, "
                "or 'input')",
                name);
}

/* The kinds darknet cfgs bring (written by cc_stack_to_spec): their
 * arguments from t[*i] on. 0, or an error at the token. */
static int parse_darknet_kind(parser *ps, const sline *sl, int first, int *ip, cc_layer *l)
{
    const tok *t = sl->t;
    int n = sl->n, line = sl->line, i = *ip;
    const char *kw = cc_layer_kind_name(l->kind);
    static const char *const usage[CC_LAYER_KIND_COUNT] = {
        [CC_LAYER_UPSAMPLE] = "upsample F (or FhxFw)",
        [CC_LAYER_REORG] = "reorg S [reverse] [extra N]",
        [CC_LAYER_CROP] = "crop HxW [noadjust]",
        [CC_LAYER_LOCAL] = "local FILTERS KxK [stride S] [pad]",
        [CC_LAYER_RECURRENT] = "recurrent rnn|gru|lstm HIDDEN [batchnorm]",
        [CC_LAYER_DETECT] = "detect num N classes N coords N [side N]",
        [CC_LAYER_ACTIVATION] = "activation NAME",
    };
    int rc = 0;
    if (i >= n)
        return terr(ps, line, &t[first], "%s needs its arguments: %s", kw, usage[l->kind]);
    switch (l->kind) {
    case CC_LAYER_UPSAMPLE:
        rc = tok_pair(ps, line, &t[i++], 1, "upsample factor", &l->stride_h, &l->stride_w);
        break;
    case CC_LAYER_REORG:
        rc = tok_long(ps, line, &t[i++], 1, "reorg stride", &l->stride_h);
        l->stride_w = l->stride_h;
        break;
    case CC_LAYER_CROP:
        rc = tok_pair(ps, line, &t[i++], 1, "crop size", &l->out_h, &l->out_w);
        break;
    case CC_LAYER_LOCAL:
        if (i + 1 >= n)
            return terr(ps, line, &t[i], "%s", usage[l->kind]);
        rc = tok_long(ps, line, &t[i], 1, "local filters", &l->filters);
        if (!rc)
            rc = tok_pair(ps, line, &t[i + 1], 1, "local kernel", &l->kernel_h, &l->kernel_w);
        i += 2;
        break;
    case CC_LAYER_RECURRENT:
        if (teq(&t[i], "rnn") || teq(&t[i], "gru") || teq(&t[i], "lstm"))
            l->cell = teq(&t[i], "lstm") ? CC_CELL_LSTM : teq(&t[i], "gru") ? CC_CELL_GRU
                                                                            : CC_CELL_RNN;
        else
            return terr(ps, line, &t[i], "%s", usage[l->kind]);
        if (i + 1 >= n)
            return terr(ps, line, &t[i], "%s", usage[l->kind]);
        rc = tok_long(ps, line, &t[i + 1], 1, "recurrent hidden size", &l->out_features);
        i += 2;
        break;
    case CC_LAYER_ACTIVATION:
        tcopy(l->type, sizeof l->type, &t[i++]);
        break;
    default:
        break;
    }
    while (!rc && i < n) {
        const tok *o = &t[i];
        const tok *v = i + 1 < n ? &t[i + 1] : NULL;
        int used = 2;
        if (l->kind == CC_LAYER_REORG && teq(o, "reverse")) {
            l->reverse = 1;
            used = 1;
        } else if (l->kind == CC_LAYER_REORG && teq(o, "extra") && v) {
            rc = tok_long(ps, line, v, 1, "reorg extra", &l->extra);
        } else if (l->kind == CC_LAYER_CROP && teq(o, "noadjust")) {
            l->noadjust = 1;
            used = 1;
        } else if (l->kind == CC_LAYER_LOCAL && teq(o, "stride") && v) {
            rc = tok_long(ps, line, v, 1, "local stride", &l->stride_h);
            l->stride_w = l->stride_h;
        } else if (l->kind == CC_LAYER_LOCAL && teq(o, "pad")) {
            /* darknet's pad: size/2 (the output rule is in stack_darknet.c) */
            l->pad_top = l->pad_bottom = l->pad_left = l->pad_right = l->kernel_h / 2;
            used = 1;
        } else if (l->kind == CC_LAYER_RECURRENT && teq(o, "batchnorm")) {
            l->cell_bn = 1;
            used = 1;
        } else if (l->kind == CC_LAYER_DETECT && v &&
                   (teq(o, "num") || teq(o, "classes") || teq(o, "coords") || teq(o, "side"))) {
            long *f = teq(o, "num") ? &l->det_num : teq(o, "classes") ? &l->det_classes
                                    : teq(o, "coords") ? &l->det_coords : &l->det_side;
            rc = tok_long(ps, line, v, 0, "detect count", f);
        } else {
            char b[64];
            tcopy(b, sizeof b, o);
            return terr(ps, line, o, "%s: unexpected '%s' (expected %s)", kw, b,
                        usage[l->kind]);
        }
        i += used;
    }
    *ip = i;
    return rc;
}

static int parse_layer(parser *ps, const sline *sl, int first, const char *label)
{
    const tok *t = sl->t;
    int n = sl->n, line = sl->line;
    int i = first;
    cc_layer_kind kind = CC_LAYER_KIND_COUNT;
    int bn_auto = 0;
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
        if (teq(&t[i], words[k].word)) {
            kind = words[k].kind;
            bn_auto = teq(&t[i], "batchnorm") || teq(&t[i], "bn");
            break;
        }
    if (kind == CC_LAYER_KIND_COUNT) {
        char b[64];
        tcopy(b, sizeof b, &t[i]);
        size_t bl = strlen(b);
        if (bl > 1 && b[bl - 1] == '(' && b[0] >= 'A' && b[0] <= 'Z')
            /* a PyTorch print(model) below a spec line other than one
             * input line (cc_stack_parse takes that one): the two
             * languages do not mix */
            return terr(ps, line, &t[i],
                        "unknown layer '%s': this looks like a PyTorch print(model) after a "
                        "line of the spec language; only an 'input HxWxC' line may come before "
                        "it (or give the size apart: params --input HxWxC, or Ctrl-N in the "
                        "TUI's layer stack)",
                        b);
        return terr(ps, line, &t[i],
                    "unknown layer '%s' (expected input, conv, maxpool, avgpool, gap, "
                    "adaptiveavgpool, batchnorm, batchnorm1d, batchnorm2d, relu, leakyrelu, elu, "
                    "sigmoid, tanh, softmax, relu6, gelu, silu, hardswish, hardsigmoid, dropout, "
                    "flatten, linear, identity, add, concat, upsample, reorg, crop, local, "
                    "recurrent, detect, activation or repeat)",
                    b);
    }
    if (ps->s->n >= MAX_LAYERS)
        return terr(ps, line, &t[i], "more than %d layers", MAX_LAYERS);
    cc_layer l;
    cc_layer_init(&l, kind);
    l.line = line;
    l.col = t[first].col;
    if (bn_auto && ps->rank == 1)
        l.kind = kind = CC_LAYER_BATCHNORM1D;
    const char *kw = cc_layer_kind_name(kind);
    i++;

    /* positional arguments */
    switch (kind) {
    case CC_LAYER_CONV:
        if (i + 1 >= n || (t[i].p[0] < '0' || t[i].p[0] > '9'))
            return terr(ps, line, i + 1 < n ? &t[i] : &t[first],
                        "conv needs the number of filters and the kernel size, e.g. "
                        "'conv 32 5x5'");
        if (tok_long(ps, line, &t[i], 1, "conv filters", &l.filters) ||
            tok_pair(ps, line, &t[i + 1], 1, "conv kernel", &l.kernel_h, &l.kernel_w))
            return CC_EINVAL;
        i += 2;
        break;
    case CC_LAYER_MAXPOOL:
    case CC_LAYER_AVGPOOL:
        if (i >= n || t[i].p[0] < '0' || t[i].p[0] > '9')
            return terr(ps, line, i < n ? &t[i] : &t[first],
                        "%s needs the kernel size, e.g. '%s 2'", kw, kw);
        if (tok_pair(ps, line, &t[i], 1, "pooling kernel", &l.kernel_h, &l.kernel_w))
            return CC_EINVAL;
        i++;
        break;
    case CC_LAYER_ADAPTIVE_AVGPOOL:
        if (i >= n)
            return terr(ps, line, &t[first],
                        "adaptiveavgpool needs the output size, e.g. 'adaptiveavgpool 7x7'");
        if (tok_pair(ps, line, &t[i], 1, "adaptiveavgpool output size", &l.out_h, &l.out_w))
            return CC_EINVAL;
        i++;
        break;
    case CC_LAYER_LEAKY_RELU:
        if (i < n && (t[i].p[0] == '.' || (t[i].p[0] >= '0' && t[i].p[0] <= '9'))) {
            if (tok_real(ps, line, &t[i], 0, 1e6, "leakyrelu slope", &l.slope))
                return CC_EINVAL;
            i++;
        }
        break;
    case CC_LAYER_ELU:
        if (i < n && (t[i].p[0] == '.' || (t[i].p[0] >= '0' && t[i].p[0] <= '9'))) {
            if (tok_real(ps, line, &t[i], 0, 1e6, "elu alpha", &l.alpha))
                return CC_EINVAL;
            i++;
        }
        break;
    case CC_LAYER_DROPOUT:
        if (i < n && (t[i].p[0] == '.' || (t[i].p[0] >= '0' && t[i].p[0] <= '9'))) {
            if (tok_real(ps, line, &t[i], 0, 1, "dropout probability", &l.p))
                return CC_EINVAL;
            i++;
        }
        break;
    case CC_LAYER_LINEAR: {
        if (i >= n || t[i].p[0] < '0' || t[i].p[0] > '9')
            return terr(ps, line, i < n ? &t[i] : &t[first],
                        "linear needs the number of outputs, e.g. 'linear 10' or "
                        "'linear 2048->64'");
        const char *arrow = NULL;
        for (int k = 0; k + 1 < t[i].len; k++)
            if (t[i].p[k] == '-' && t[i].p[k + 1] == '>')
                arrow = t[i].p + k;
        if (arrow) {
            int a = (int)(arrow - t[i].p);
            if (num_long(t[i].p, a, 1, &l.in_features) ||
                num_long(arrow + 2, t[i].len - a - 2, 1, &l.out_features)) {
                char b[64];
                tcopy(b, sizeof b, &t[i]);
                return terr(ps, line, &t[i],
                            "linear: '%s' is not IN->OUT (whole numbers from 1 to %ld)", b,
                            (long)CC_DIM_MAX);
            }
            i++;
        } else if (i + 2 < n && teq(&t[i + 1], "->")) {
            if (tok_long(ps, line, &t[i], 1, "linear inputs", &l.in_features) ||
                tok_long(ps, line, &t[i + 2], 1, "linear outputs", &l.out_features))
                return CC_EINVAL;
            i += 3;
        } else {
            if (tok_long(ps, line, &t[i], 1, "linear outputs", &l.out_features))
                return CC_EINVAL;
            i++;
        }
        break;
    }
    case CC_LAYER_ADD:
        if (i >= n)
            return terr(ps, line, &t[first],
                        "add needs the layer to add, e.g. 'add -3', 'add block1' or "
                        "'add input'");
        if (teq(&t[i], "from") && i + 1 < n)
            i++;
        if (resolve_ref(ps, line, &t[i], &l.from))
            return CC_EINVAL;
        i++;
        if (i < n && teq(&t[i], "resample")) {
            l.resample = 1; /* darknet's shortcut between different shapes */
            i++;
        }
        break;
    case CC_LAYER_CONCAT:
        if (i < n && teq(&t[i], "from"))
            i++;
        while (i < n && !teq(&t[i], "groups")) {
            if (l.n_sources == CC_CONCAT_MAX)
                return terr(ps, line, &t[i], "concat joins at most %d layers", CC_CONCAT_MAX);
            if (resolve_ref(ps, line, &t[i], &l.sources[l.n_sources]))
                return CC_EINVAL;
            l.n_sources++;
            i++;
        }
        if (l.n_sources == 0)
            return terr(ps, line, &t[first],
                        "concat needs the layers to join, e.g. 'concat -1 -4' or "
                        "'concat a b'");
        /* groups G group_id I: slice I of G of every source's channels */
        if (i + 3 < n && teq(&t[i], "groups") && teq(&t[i + 2], "group_id")) {
            if (tok_long(ps, line, &t[i + 1], 1, "concat groups", &l.groups) ||
                tok_long(ps, line, &t[i + 3], 0, "concat group_id", &l.group_id))
                return CC_EINVAL;
            i += 4;
        }
        break;
    case CC_LAYER_UPSAMPLE:
    case CC_LAYER_REORG:
    case CC_LAYER_CROP:
    case CC_LAYER_LOCAL:
    case CC_LAYER_RECURRENT:
    case CC_LAYER_DETECT:
    case CC_LAYER_ACTIVATION:
        if (parse_darknet_kind(ps, sl, first, &i, &l))
            return CC_EINVAL;
        break;
    default:
        break;
    }

    /* options */
    while (i < n) {
        const tok *o = &t[i];
        int has_val = i + 1 < n;
        const tok *v = has_val ? &t[i + 1] : NULL;
        int spatial = kind == CC_LAYER_CONV || kind == CC_LAYER_MAXPOOL ||
                      kind == CC_LAYER_AVGPOOL;
        int rc = 0, used = 1;
        if (spatial && teq(o, "stride") && has_val) {
            rc = tok_pair(ps, line, v, 1, "stride", &l.stride_h, &l.stride_w);
            used = 2;
        } else if (spatial && (teq(o, "pad") || teq(o, "padding")) && has_val) {
            rc = tok_pad(ps, line, v, &l);
            used = 2;
        } else if (spatial && teq(o, "dilation") && has_val) {
            rc = tok_pair(ps, line, v, 1, "dilation", &l.dilation_h, &l.dilation_w);
            used = 2;
        } else if ((kind == CC_LAYER_CONV || kind == CC_LAYER_SOFTMAX) && teq(o, "groups") &&
                   has_val) {
            rc = tok_long(ps, line, v, 1, "groups", &l.groups);
            used = 2;
        } else if ((kind == CC_LAYER_CONV || kind == CC_LAYER_LINEAR) && teq(o, "nobias")) {
            l.bias = 0;
        } else if ((kind == CC_LAYER_CONV || kind == CC_LAYER_LINEAR) && teq(o, "bias")) {
            l.bias = 1;
        } else if (kind == CC_LAYER_CONV && teq(o, "in") && has_val) {
            rc = tok_long(ps, line, v, 1, "conv input channels", &l.in_channels);
            used = 2;
        } else if ((kind == CC_LAYER_BATCHNORM1D || kind == CC_LAYER_BATCHNORM2D) &&
                   teq(o, "in") && has_val) {
            rc = tok_long(ps, line, v, 1, "batchnorm features", &l.num_features);
            used = 2;
        } else if (kind == CC_LAYER_LINEAR && teq(o, "in") && has_val) {
            rc = tok_long(ps, line, v, 1, "linear inputs", &l.in_features);
            used = 2;
        } else if (kind == CC_LAYER_LINEAR && teq(o, "flatten")) {
            l.flatten_input = 1;
        } else if ((kind == CC_LAYER_MAXPOOL || kind == CC_LAYER_AVGPOOL) && teq(o, "ceil")) {
            l.ceil_mode = 1;
        } else if (kind == CC_LAYER_AVGPOOL && teq(o, "exclude_pad")) {
            l.count_include_pad = 0;
        } else if ((kind == CC_LAYER_BATCHNORM1D || kind == CC_LAYER_BATCHNORM2D) &&
                   teq(o, "eps") && has_val) {
            rc = tok_real(ps, line, v, 0, 1, "eps", &l.eps);
            used = 2;
        } else if ((kind == CC_LAYER_BATCHNORM1D || kind == CC_LAYER_BATCHNORM2D) &&
                   teq(o, "momentum") && has_val) {
            rc = tok_real(ps, line, v, 0, 1, "momentum", &l.momentum);
            used = 2;
        } else if ((kind == CC_LAYER_BATCHNORM1D || kind == CC_LAYER_BATCHNORM2D) &&
                   teq(o, "noaffine")) {
            l.affine = 0;
        } else if ((kind == CC_LAYER_BATCHNORM1D || kind == CC_LAYER_BATCHNORM2D) &&
                   teq(o, "nostats")) {
            l.track_running_stats = 0;
        } else if (kind == CC_LAYER_LEAKY_RELU && teq(o, "slope") && has_val) {
            rc = tok_real(ps, line, v, 0, 1e6, "leakyrelu slope", &l.slope);
            used = 2;
        } else if (kind == CC_LAYER_ELU && teq(o, "alpha") && has_val) {
            rc = tok_real(ps, line, v, 0, 1e6, "elu alpha", &l.alpha);
            used = 2;
        } else if (kind == CC_LAYER_DROPOUT && teq(o, "p") && has_val) {
            rc = tok_real(ps, line, v, 0, 1, "dropout probability", &l.p);
            used = 2;
        } else if (has_params(kind) && teq(o, "frozen")) {
            l.frozen = 1;
        } else {
            char b[64];
            tcopy(b, sizeof b, o);
            static const char *const opts[CC_LAYER_KIND_COUNT] = {
                [CC_LAYER_CONV] = "stride, pad, dilation, groups, bias, nobias, in, frozen",
                [CC_LAYER_MAXPOOL] = "stride, pad, dilation, ceil",
                [CC_LAYER_AVGPOOL] = "stride, pad, dilation, ceil, exclude_pad",
                [CC_LAYER_BATCHNORM1D] = "eps, momentum, noaffine, nostats, in, frozen",
                [CC_LAYER_BATCHNORM2D] = "eps, momentum, noaffine, nostats, in, frozen",
                [CC_LAYER_LEAKY_RELU] = "slope",
                [CC_LAYER_ELU] = "alpha",
                [CC_LAYER_DROPOUT] = "p",
                [CC_LAYER_LINEAR] = "bias, nobias, in, flatten, frozen",
                [CC_LAYER_SOFTMAX] = "groups",
            };
            int needs_value = teq(o, "stride") || teq(o, "pad") || teq(o, "padding") ||
                              teq(o, "dilation") || teq(o, "groups") || teq(o, "in") ||
                              teq(o, "eps") || teq(o, "momentum") || teq(o, "slope") ||
                              teq(o, "alpha") || teq(o, "p");
            if (needs_value && !has_val && opts[kind] && strstr(opts[kind], b))
                return terr(ps, line, o, "%s: '%s' needs a value", kw, b);
            if (opts[kind])
                return terr(ps, line, o, "%s: unknown option '%s' (expected %s)", kw, b,
                            opts[kind]);
            return terr(ps, line, o, "%s takes no options, but '%s' follows it", kw, b);
        }
        if (rc)
            return rc;
        i += used;
    }
    if (kind == CC_LAYER_CONV && l.pad_same && (l.stride_h != 1 || l.stride_w != 1)) {
        /* allowed: TensorFlow's rule, documented */
    }

    /* name */
    if (label) {
        snprintf(l.name, sizeof l.name, "%s", label);
    } else {
        /* automatic names: the keyword and a count per kind ("conv2"),
         * "bn" for both batch normalisations */
        int bn = kind == CC_LAYER_BATCHNORM1D || kind == CC_LAYER_BATCHNORM2D;
        long *count = &ps->kind_count[bn ? CC_LAYER_BATCHNORM2D : kind];
        (*count)++;
        snprintf(l.name, sizeof l.name, "%s%ld", bn ? "bn" : cc_layer_kind_name(kind), *count);
    }
    if (kind == CC_LAYER_FLATTEN || kind == CC_LAYER_LINEAR)
        ps->rank = 1;
    int rc = cc_stack_add(ps->s, &l, ps->err);
    if (rc && ps->err && ps->err->line == 0) {
        ps->err->line = line;
        ps->err->col = t[first].col;
    }
    return rc;
}

static int parse_input(parser *ps, const sline *sl)
{
    const tok *t = sl->t;
    if (sl->n != 2)
        return terr(ps, sl->line, sl->n > 2 ? &t[2] : &t[0],
                    "input takes one size, e.g. 'input 32x32x3' (H x W x C) or 'input 784'");
    if (ps->s->n > 0)
        return terr(ps, sl->line, &t[0], "the input size must come before the first layer");
    if (ps->s->input.rank)
        return terr(ps, sl->line, &t[0], "the input size is given twice (first on line %d)",
                    ps->s->input_line);
    char b[64];
    tcopy(b, sizeof b, &t[1]);
    cc_shape sh;
    cc_error e;
    cc_error_clear(&e);
    if (t[1].len > 60 || cc_shape_parse(b, &sh, &e))
        return terr(ps, sl->line, &t[1], "%s", e.msg[0] ? e.msg : "size too long");
    ps->s->input = sh;
    ps->s->input_line = sl->line;
    ps->rank = sh.rank;
    return 0;
}

/* Lines [a, b) at repeat depth `depth`. */
static int run_block(parser *ps, size_t a, size_t b, int depth)
{
    for (size_t i = a; i < b; i++) {
        const sline *sl = &ps->lines[i];
        const tok *t = sl->t;
        if (teq(&t[0], "}"))
            return terr(ps, sl->line, &t[0], "'}' without a 'repeat N {' before it");
        if (teq(&t[0], "repeat")) {
            long times;
            if (sl->n != 3 || !teq(&t[2], "{"))
                return terr(ps, sl->line, &t[0],
                            "repeat needs a count and an opening brace, e.g. 'repeat 3 {'");
            if (num_long(t[1].p, t[1].len, 1, &times) || times > MAX_REPEAT)
                return terr(ps, sl->line, &t[1], "repeat: count must be 1 to %d", MAX_REPEAT);
            if (depth >= MAX_DEPTH)
                return terr(ps, sl->line, &t[0], "repeat blocks nested more than %d deep",
                            MAX_DEPTH);
            /* find the matching brace */
            int level = 1;
            size_t j = i + 1;
            for (; j < b; j++) {
                const sline *ql = &ps->lines[j];
                if (teq(&ql->t[0], "repeat") && ql->n == 3 && teq(&ql->t[2], "{"))
                    level++;
                else if (teq(&ql->t[0], "}")) {
                    if (ql->n != 1)
                        return terr(ps, ql->line, &ql->t[1], "nothing may follow '}'");
                    if (--level == 0)
                        break;
                }
            }
            if (j >= b)
                return terr(ps, sl->line, &t[0], "repeat block is not closed (missing '}')");
            for (long r = 0; r < times; r++) {
                int rc = run_block(ps, i + 1, j, depth + 1);
                if (rc)
                    return rc;
            }
            i = j;
            continue;
        }
        if (teq(&t[0], "input")) {
            int rc = parse_input(ps, sl);
            if (rc)
                return rc;
            continue;
        }
        int first = 0;
        char label[96];
        const char *lab = NULL;
        if (t[0].len > 1 && t[0].p[t[0].len - 1] == ':') {
            if (t[0].len - 1 >= (int)sizeof label)
                return terr(ps, sl->line, &t[0], "layer name longer than %d characters",
                            (int)sizeof label - 1);
            for (int k = 0; k < t[0].len - 1; k++) {
                char c = t[0].p[k];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '.' || c == '-'))
                    return terr(ps, sl->line, &t[0],
                                "layer name may hold letters, digits, '_', '.', '-' only");
            }
            if (t[0].p[0] == '-' || teq(&t[0], "input:"))
                return terr(ps, sl->line, &t[0], "a layer name may not start with '-' or be 'input'");
            memcpy(label, t[0].p, (size_t)t[0].len - 1);
            label[t[0].len - 1] = '\0';
            lab = label;
            first = 1;
            if (sl->n == 1)
                return terr(ps, sl->line, &t[0], "a layer must follow the name '%s:'", label);
        }
        int rc = parse_layer(ps, sl, first, lab);
        if (rc)
            return rc;
    }
    return 0;
}

int cc_stack_parse_spec(cc_stack **out, const char *text, size_t len, cc_error *err)
{
    *out = NULL;
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.err = err;
    ps.rank = 3;
    ps.s = cc_stack_new();
    if (!ps.s)
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    ps.s->source = CC_SOURCE_SPEC;
    int rc = lex(&ps, text, len);
    if (!rc)
        rc = run_block(&ps, 0, ps.n_lines, 0);
    if (!rc && ps.s->n == 0)
        rc = cc_error_at(err, CC_EINVAL, ps.n_lines ? ps.lines[ps.n_lines - 1].line : 1, 1,
                         "no layers (expected lines such as 'input 32x32x3' and "
                         "'conv 32 5x5 pad 2')");
    free(ps.lines);
    if (rc) {
        cc_stack_free(ps.s);
        return rc;
    }
    *out = ps.s;
    return 0;
}
