/* stack.c - the layer stack: building, shape inference, counting, the
 * receptive field, and writing a stack back in the spec language. */
#include "convcalc/stack.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/arith.h"
#include "core/stack_priv.h"

/* ---- layers ---------------------------------------------------------------- */
static const char *const kind_names[CC_LAYER_KIND_COUNT] = {
    [CC_LAYER_CONV] = "conv",
    [CC_LAYER_MAXPOOL] = "maxpool",
    [CC_LAYER_AVGPOOL] = "avgpool",
    [CC_LAYER_GLOBAL_AVGPOOL] = "gap",
    [CC_LAYER_ADAPTIVE_AVGPOOL] = "adaptiveavgpool",
    [CC_LAYER_BATCHNORM1D] = "batchnorm1d",
    [CC_LAYER_BATCHNORM2D] = "batchnorm2d",
    [CC_LAYER_RELU] = "relu",
    [CC_LAYER_LEAKY_RELU] = "leakyrelu",
    [CC_LAYER_ELU] = "elu",
    [CC_LAYER_SIGMOID] = "sigmoid",
    [CC_LAYER_TANH] = "tanh",
    [CC_LAYER_SOFTMAX] = "softmax",
    [CC_LAYER_DROPOUT] = "dropout",
    [CC_LAYER_FLATTEN] = "flatten",
    [CC_LAYER_LINEAR] = "linear",
    [CC_LAYER_IDENTITY] = "identity",
    [CC_LAYER_ADD] = "add",
    [CC_LAYER_CONCAT] = "concat",
    [CC_LAYER_RELU6] = "relu6",
    [CC_LAYER_GELU] = "gelu",
    [CC_LAYER_SILU] = "silu",
    [CC_LAYER_HARDSWISH] = "hardswish",
    [CC_LAYER_HARDSIGMOID] = "hardsigmoid",
    [CC_LAYER_UPSAMPLE] = "upsample",
    [CC_LAYER_REORG] = "reorg",
    [CC_LAYER_CROP] = "crop",
    [CC_LAYER_LOCAL] = "local",
    [CC_LAYER_RECURRENT] = "recurrent",
    [CC_LAYER_DETECT] = "detect",
    [CC_LAYER_ACTIVATION] = "activation",
    [CC_LAYER_MODULE] = "module",
    [CC_LAYER_MUL] = "mul",
};

const char *cc_layer_kind_name(cc_layer_kind kind)
{
    if ((int)kind < 0 || kind >= CC_LAYER_KIND_COUNT)
        return "?";
    return kind_names[kind];
}

void cc_layer_init(cc_layer *l, cc_layer_kind kind)
{
    memset(l, 0, sizeof *l);
    l->kind = kind;
    int pool = kind == CC_LAYER_MAXPOOL || kind == CC_LAYER_AVGPOOL;
    l->stride_h = l->stride_w = pool ? 0 : 1;
    l->dilation_h = l->dilation_w = 1;
    l->groups = 1;
    l->bias = 1;
    l->count_include_pad = 1;
    l->eps = 1e-5;
    l->momentum = 0.1;
    l->affine = 1;
    l->track_running_stats = 1;
    l->slope = 0.01;
    l->alpha = 1.0;
    l->p = 0.5;
    l->from = CC_FROM_INPUT;
}

static int is_pool(const cc_layer *l)
{
    return l->kind == CC_LAYER_MAXPOOL || l->kind == CC_LAYER_AVGPOOL;
}

static long stride_h(const cc_layer *l)
{
    return is_pool(l) && l->stride_h == 0 ? l->kernel_h : l->stride_h;
}

static long stride_w(const cc_layer *l)
{
    return is_pool(l) && l->stride_w == 0 ? l->kernel_w : l->stride_w;
}

static void put_pair(cc_buf *b, const char *key, long h, long w, long dflt)
{
    if (h == dflt && w == dflt)
        return;
    if (h == w)
        cc_buf_printf(b, " %s %ld", key, h);
    else
        cc_buf_printf(b, " %s %ldx%ld", key, h, w);
}

static void put_real(cc_buf *b, const char *key, double v)
{
    char num[40];
    cc_fmt_num(num, sizeof num, v, 9);
    if (key)
        cc_buf_printf(b, " %s %s", key, num);
    else
        cc_buf_printf(b, " %s", num);
}

static void put_padding(cc_buf *b, const cc_layer *l)
{
    if (l->pad_same) {
        cc_buf_puts(b, " pad same");
        return;
    }
    if (l->pad_top == l->pad_bottom && l->pad_left == l->pad_right)
        put_pair(b, "pad", l->pad_top, l->pad_left, 0);
    else
        cc_buf_printf(b, " pad %ld,%ld,%ld,%ld", l->pad_top, l->pad_bottom, l->pad_left,
                      l->pad_right);
}

static void put_ref(cc_buf *b, long from, size_t self)
{
    if (from == CC_FROM_INPUT)
        cc_buf_puts(b, " input");
    else
        cc_buf_printf(b, " -%ld", (long)self - from);
}

/* The spec line of layer l, which is the self-th layer of its stack (for
 * relative references; ignored by other kinds). */
static void describe(cc_buf *b, const cc_layer *l, size_t self)
{
    cc_buf_puts(b, cc_layer_kind_name(l->kind));
    switch (l->kind) {
    case CC_LAYER_CONV:
        cc_buf_printf(b, " %ld", l->filters);
        if (l->kernel_h == l->kernel_w)
            cc_buf_printf(b, " %ldx%ld", l->kernel_h, l->kernel_w);
        else
            cc_buf_printf(b, " %ldx%ld", l->kernel_h, l->kernel_w);
        put_pair(b, "stride", l->stride_h, l->stride_w, 1);
        put_padding(b, l);
        put_pair(b, "dilation", l->dilation_h, l->dilation_w, 1);
        if (l->groups != 1)
            cc_buf_printf(b, " groups %ld", l->groups);
        if (!l->bias)
            cc_buf_puts(b, " nobias");
        if (l->in_channels > 0)
            cc_buf_printf(b, " in %ld", l->in_channels);
        break;
    case CC_LAYER_MAXPOOL:
    case CC_LAYER_AVGPOOL:
        if (l->kernel_h == l->kernel_w)
            cc_buf_printf(b, " %ld", l->kernel_h);
        else
            cc_buf_printf(b, " %ldx%ld", l->kernel_h, l->kernel_w);
        if (stride_h(l) != l->kernel_h || stride_w(l) != l->kernel_w) {
            if (stride_h(l) == stride_w(l))
                cc_buf_printf(b, " stride %ld", stride_h(l));
            else
                cc_buf_printf(b, " stride %ldx%ld", stride_h(l), stride_w(l));
        }
        put_padding(b, l);
        put_pair(b, "dilation", l->dilation_h, l->dilation_w, 1);
        if (l->ceil_mode)
            cc_buf_puts(b, " ceil");
        if (l->kind == CC_LAYER_AVGPOOL && !l->count_include_pad)
            cc_buf_puts(b, " exclude_pad");
        break;
    case CC_LAYER_ADAPTIVE_AVGPOOL:
        cc_buf_printf(b, " %ldx%ld", l->out_h, l->out_w);
        break;
    case CC_LAYER_BATCHNORM1D:
    case CC_LAYER_BATCHNORM2D:
        if (l->eps != 1e-5)
            put_real(b, "eps", l->eps);
        if (l->momentum != 0.1)
            put_real(b, "momentum", l->momentum);
        if (!l->affine)
            cc_buf_puts(b, " noaffine");
        if (!l->track_running_stats)
            cc_buf_puts(b, " nostats");
        if (l->num_features > 0)
            cc_buf_printf(b, " in %ld", l->num_features);
        break;
    case CC_LAYER_LEAKY_RELU:
        put_real(b, NULL, l->slope);
        break;
    case CC_LAYER_ELU:
        put_real(b, NULL, l->alpha);
        break;
    case CC_LAYER_DROPOUT:
        put_real(b, NULL, l->p);
        break;
    case CC_LAYER_LINEAR:
        if (l->in_features > 0)
            cc_buf_printf(b, " %ld->%ld", l->in_features, l->out_features);
        else
            cc_buf_printf(b, " %ld", l->out_features);
        if (!l->bias)
            cc_buf_puts(b, " nobias");
        if (l->flatten_input)
            cc_buf_puts(b, " flatten");
        break;
    case CC_LAYER_SOFTMAX:
        if (l->groups > 1)
            cc_buf_printf(b, " groups %ld", l->groups);
        break;
    case CC_LAYER_ADD:
        put_ref(b, l->from, self);
        if (l->resample)
            cc_buf_puts(b, " resample");
        break;
    case CC_LAYER_CONCAT:
        for (int i = 0; i < l->n_sources && i < CC_CONCAT_MAX; i++)
            put_ref(b, l->sources[i], self);
        if (l->groups > 1)
            cc_buf_printf(b, " groups %ld group_id %ld", l->groups, l->group_id);
        break;
    case CC_LAYER_UPSAMPLE:
    case CC_LAYER_REORG:
    case CC_LAYER_CROP:
    case CC_LAYER_LOCAL:
    case CC_LAYER_RECURRENT:
    case CC_LAYER_DETECT:
    case CC_LAYER_ACTIVATION:
        cc_stack_more_describe(b, l);
        break;
    default:
        break;
    }
    if (l->frozen)
        cc_buf_puts(b, " frozen");
}

void cc_layer_describe(cc_buf *out, const cc_layer *l)
{
    describe(out, l, 0);
}

/* ---- counting ------------------------------------------------------------------ */
static int64_t elements(const cc_shape *s);

/* Input channels a parametrised layer sees: inferred, else declared. */
static long conv_in(const cc_layer *l)
{
    if (l->in.rank == 3)
        return l->in.c;
    return l->in_channels;
}

static long bn_features(const cc_layer *l)
{
    if (l->in.rank > 0)
        return l->in.c;
    return l->num_features;
}

static long linear_in(const cc_layer *l)
{
    if (l->in.rank == 1 || (l->in.rank == 3 && l->in_last))
        return l->in.c;
    if (l->in.rank == 3) {
        int64_t n = (int64_t)l->in.c * l->in.h * l->in.w;
        return n > CC_DIM_MAX * 1000L ? -1 : (long)n;
    }
    return l->in_features;
}

void cc_layer_param_formula(cc_buf *out, const cc_layer *l, int keras)
{
    switch (l->kind) {
    case CC_LAYER_CONV: {
        long cin = conv_in(l);
        if (cin <= 0 || l->groups <= 0)
            return;
        long per = cin / l->groups;
        int64_t n = (int64_t)l->kernel_h * l->kernel_w * per;
        int64_t total = (n + (l->bias ? 1 : 0)) * l->filters;
        if (l->groups != 1)
            cc_buf_printf(out, "(%ld*%ld*%ld/%ld%s) * %ld = %lld", l->kernel_h, l->kernel_w,
                          cin, l->groups, l->bias ? " + 1" : "", l->filters,
                          (long long)total);
        else if (l->bias)
            cc_buf_printf(out, "(%ld*%ld*%ld + 1) * %ld = %lld", l->kernel_h, l->kernel_w,
                          cin, l->filters, (long long)total);
        else
            cc_buf_printf(out, "%ld*%ld*%ld * %ld = %lld", l->kernel_h, l->kernel_w, cin,
                          l->filters, (long long)total);
        return;
    }
    case CC_LAYER_BATCHNORM1D:
    case CC_LAYER_BATCHNORM2D: {
        long c = bn_features(l);
        if (c <= 0)
            return;
        int k = (l->affine ? 2 : 0) + (keras && l->track_running_stats ? 2 : 0);
        if (k == 0)
            return;
        cc_buf_printf(out, "%d*%ld = %lld", k, c, (long long)k * c);
        return;
    }
    case CC_LAYER_LINEAR: {
        long in = linear_in(l);
        if (in <= 0)
            return;
        int64_t total = ((int64_t)in + (l->bias ? 1 : 0)) * l->out_features;
        if (l->bias)
            cc_buf_printf(out, "(%ld + 1) * %ld = %lld", in, l->out_features,
                          (long long)total);
        else
            cc_buf_printf(out, "%ld * %ld = %lld", in, l->out_features, (long long)total);
        return;
    }
    case CC_LAYER_LOCAL:
    case CC_LAYER_RECURRENT:
        cc_stack_more_formula(out, l, l->in.rank ? elements(&l->in) : -1, conv_in(l), l->out);
        return;
    case CC_LAYER_MODULE:
        if (!l->repeat_call)
            cc_buf_puts(out, l->formula);
        return;
    default:
        return;
    }
}

/* Multiply a list of non-negative factors with overflow checks. */
static int mul3(int64_t a, int64_t b, int64_t c, int64_t *out)
{
    int64_t t;
    if (cc_i64_mul(a, b, &t) || cc_i64_mul(t, c, out))
        return CC_ERANGE;
    return 0;
}

/* Parameters and buffers from channel counts (declared or inferred).
 * Returns 0, or CC_ERANGE; leaves -1 when a channel count is unknown. */
static int count_params(cc_layer *l)
{
    cc_layer_counts *k = &l->counts;
    k->params = k->trainable = k->non_trainable = k->buffers = 0;
    int64_t p = 0, buf = 0;
    switch (l->kind) {
    case CC_LAYER_CONV: {
        long cin = conv_in(l);
        if (cin <= 0) {
            k->params = k->trainable = k->non_trainable = -1;
            return 0;
        }
        int64_t n;
        if (mul3(l->kernel_h, l->kernel_w, cin / l->groups, &n) ||
            cc_i64_add(n, l->bias ? 1 : 0, &n) || cc_i64_mul(n, l->filters, &p))
            return CC_ERANGE;
        break;
    }
    case CC_LAYER_BATCHNORM1D:
    case CC_LAYER_BATCHNORM2D: {
        long c = bn_features(l);
        if (c <= 0) {
            k->params = k->trainable = k->non_trainable = k->buffers = -1;
            return 0;
        }
        p = l->affine ? 2 * (int64_t)c : 0;
        buf = l->track_running_stats ? 2 * (int64_t)c : 0;
        break;
    }
    case CC_LAYER_LINEAR: {
        long in = linear_in(l);
        if (in <= 0) {
            k->params = k->trainable = k->non_trainable = -1;
            return 0;
        }
        int64_t n;
        if (cc_i64_add(in, l->bias ? 1 : 0, &n) || cc_i64_mul(n, l->out_features, &p))
            return CC_ERANGE;
        break;
    }
    case CC_LAYER_LOCAL:
    case CC_LAYER_RECURRENT: {
        int r = cc_stack_more_params(l, l->in.rank ? elements(&l->in) : -1, conv_in(l), l->out,
                                     &p, &buf);
        if (r < 0)
            return CC_ERANGE;
        if (r > 0) {
            k->params = k->trainable = k->non_trainable = k->buffers = -1;
            return 0;
        }
        break;
    }
    case CC_LAYER_MODULE:
        if (l->fixed_params < 0 || l->fixed_buffers < 0) {
            k->params = k->trainable = k->non_trainable = k->buffers = -1;
            return 0;
        }
        p = l->fixed_params;
        buf = l->fixed_buffers;
        break;
    default:
        break;
    }
    if (l->repeat_call)
        p = buf = 0;
    k->params = p;
    k->buffers = buf;
    if (l->frozen)
        k->non_trainable = p;
    else
        k->trainable = p;
    return 0;
}

/* ---- stacks ---------------------------------------------------------------- */
cc_stack *cc_stack_new(void)
{
    cc_stack *s = calloc(1, sizeof *s);
    if (s)
        s->source = CC_SOURCE_API;
    return s;
}

void cc_stack_free(cc_stack *s)
{
    if (!s)
        return;
    free(s->layers);
    free(s->notes);
    free(s);
}

int cc_stack_add(cc_stack *s, const cc_layer *l, cc_error *err)
{
    if ((int)l->kind < 0 || l->kind >= CC_LAYER_KIND_COUNT)
        return cc_error_set(err, CC_EINVAL, "unknown layer kind %d", (int)l->kind);
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        if (cap > ((size_t)-1) / sizeof *s->layers || cap > 10000000)
            return cc_error_set(err, CC_ERANGE, "too many layers");
        cc_layer *nl = realloc(s->layers, cap * sizeof *nl);
        if (!nl)
            return cc_error_set(err, CC_ENOMEM, "out of memory");
        s->layers = nl;
        s->cap = cap;
    }
    s->layers[s->n++] = *l;
    return 0;
}

int cc_stack_set_input(cc_stack *s, long h, long w, long c, cc_error *err)
{
    if (c <= 0 || c > CC_DIM_MAX || h < 0 || h > CC_DIM_MAX || w < 0 || w > CC_DIM_MAX ||
        (h == 0) != (w == 0))
        return cc_error_set(err, CC_EINVAL,
                            "input size %ldx%ldx%ld is out of range (expected H x W x C, "
                            "each 1 to %ld)",
                            h, w, c, (long)CC_DIM_MAX);
    s->input.rank = h == 0 ? 1 : 3;
    s->input.c = c;
    s->input.h = h == 0 ? 1 : h;
    s->input.w = w == 0 ? 1 : w;
    return 0;
}

int cc_stack_note_add(cc_stack *s, int line, int col, const char *fmt, ...)
{
    if (s->n_notes == s->cap_notes) {
        size_t cap = s->cap_notes ? s->cap_notes * 2 : 8;
        if (cap > 100000)
            return CC_ERANGE;
        cc_stack_note *nn = realloc(s->notes, cap * sizeof *nn);
        if (!nn)
            return CC_ENOMEM;
        s->notes = nn;
        s->cap_notes = cap;
    }
    cc_stack_note *n = &s->notes[s->n_notes++];
    n->line = line;
    n->col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n->msg, sizeof n->msg, fmt, ap);
    va_end(ap);
    return 0;
}

/* ---- shapes ------------------------------------------------------------------ */
static int parse_dim(const char **p, long *out)
{
    const char *q = *p;
    long v = 0;
    if (*q < '0' || *q > '9')
        return -1;
    while (*q >= '0' && *q <= '9') {
        if (v > CC_DIM_MAX)
            return -2;
        v = v * 10 + (*q - '0');
        q++;
    }
    if (v > CC_DIM_MAX)
        return -2;
    *p = q;
    *out = v;
    return 0;
}

int cc_shape_parse(const char *text, cc_shape *out, cc_error *err)
{
    long d[3];
    int n = 0;
    const char *p = text;
    for (;;) {
        int r = parse_dim(&p, &d[n]);
        if (r == -2)
            return cc_error_set(err, CC_ERANGE,
                                "size '%s' has a dimension above %ld", text, (long)CC_DIM_MAX);
        if (r < 0 || d[n] == 0)
            break;
        n++;
        if (*p == '\0') {
            cc_shape s = {0, 0, 0, 0};
            if (n == 1)
                s = (cc_shape){1, d[0], 1, 1};
            else if (n == 2)
                s = (cc_shape){3, 1, d[0], d[1]};
            else
                s = (cc_shape){3, d[2], d[0], d[1]};
            *out = s;
            return 0;
        }
        if ((*p != 'x' && *p != 'X') || n == 3)
            break;
        p++;
    }
    return cc_error_set(err, CC_EINVAL,
                        "'%s' is not a size (expected HxWxC such as 32x32x3, HxW, or a "
                        "number of features; every dimension at least 1)",
                        text);
}

void cc_shape_format(cc_buf *out, const cc_shape *s)
{
    if (s->rank == 3)
        cc_buf_printf(out, "%ldx%ldx%ld", s->c, s->h, s->w);
    else if (s->rank == 1)
        cc_buf_printf(out, "%ld", s->c);
    else
        cc_buf_puts(out, "?");
}

/* "conv (line 3)" style name of a layer for messages. */
static const char *lname(const cc_layer *l, char *buf, size_t size)
{
    const char *k = cc_layer_kind_name(l->kind);
    if (l->name[0] && l->src_layer > 0)
        snprintf(buf, size, "%s (darknet layer %ld)", l->name, l->src_layer - 1);
    else if (l->name[0] && strncmp(l->name, k, strlen(k)) == 0)
        snprintf(buf, size, "%s", l->name);
    else if (l->name[0])
        snprintf(buf, size, "%s (%s)", l->name, k);
    else
        snprintf(buf, size, "%s", cc_layer_kind_name(l->kind));
    return buf;
}

static int shape_err(cc_error *err, const cc_layer *l, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int shape_err(cc_error *err, const cc_layer *l, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cc_error_at(err, CC_ESHAPE, l->line, l->col, "%s", msg);
}

/* The text "relu gives 64x8x8" for the layer that produced shape `in`. */
static void giver(char *buf, size_t size, const cc_stack *s, size_t i)
{
    char nb[160];
    if (i == 0)
        snprintf(buf, size, "the input");
    else
        snprintf(buf, size, "%s", lname(&s->layers[i - 1], nb, sizeof nb));
}

static void shape_str(char *buf, size_t size, const cc_shape *sh)
{
    cc_buf b = {0};
    cc_shape_format(&b, sh);
    snprintf(buf, size, "%s", cc_buf_failed(&b) ? "?" : cc_buf_str(&b));
    cc_buf_free(&b);
}

/* Resolve "same" padding as TensorFlow does (for stride 1 the same as
 * PyTorch's padding='same'): total = max((ceil(in/s)-1)*s + k_eff - in, 0),
 * the extra pixel after. */
static void same_pad(long in, long k, long s, long d, long *before, long *after)
{
    long keff = d * (k - 1) + 1;
    long out = (in + s - 1) / s;
    long total = (out - 1) * s + keff - in;
    if (total < 0)
        total = 0;
    *before = total / 2;
    *after = total - total / 2;
}

/* Receptive field step along one dimension, with arith's cc_rf_step
 * (Araujo et al. 2019). rf -1 (whole input) and 0 (no fixed size)
 * propagate; a field beyond arith's limit counts as the whole input. */
static void rf_step(long r_in, long j_in, long kernel, long stride, long dilation, long *r_out,
                    long *j_out)
{
    if (r_in <= 0) {
        *r_out = r_in;
        *j_out = j_in;
        return;
    }
    cc_rf st = {r_in, j_in};
    if (cc_rf_step(&st, kernel, stride, dilation, NULL)) {
        *r_out = -1;
        *j_out = j_in;
        return;
    }
    *r_out = st.rf;
    *j_out = st.jump;
}

void cc_stack_rf_step(cc_infer_step *st, long kh, long kw, long sh, long sw)
{
    rf_step(st->rf_h, st->jump_h, kh, sh, 1, &st->rf_h, &st->jump_h);
    rf_step(st->rf_w, st->jump_w, kw, sw, 1, &st->rf_w, &st->jump_w);
}

/* Sum over the output positions of an adaptive pooling window's length
 * (PyTorch: start = floor(i*in/out), end = ceil((i+1)*in/out)), and the
 * longest window. */
static void adaptive_windows(long in, long out, int64_t *sum, long *longest)
{
    *sum = 0;
    *longest = 0;
    for (long i = 0; i < out; i++) {
        long st = (long)(((int64_t)i * in) / out);
        long en = (long)((((int64_t)i + 1) * in + out - 1) / out);
        *sum += en - st;
        if (en - st > *longest)
            *longest = en - st;
    }
}

static int64_t elements(const cc_shape *s)
{
    int64_t n;
    if (mul3(s->c, s->h, s->w, &n))
        return -1;
    return n;
}

/* Apply one layer: l->in is set; compute l->out and l->counts. */
static int infer_layer(cc_stack *s, size_t i, long *rf_h, long *rf_w, long *j_h,
                       long *j_w, cc_error *err)
{
    cc_layer *l = &s->layers[i];
    cc_shape in = l->in;
    cc_shape o = in;
    char from[200], nb[160], shs[64];
    giver(from, sizeof from, s, i);
    lname(l, nb, sizeof nb);
    shape_str(shs, sizeof shs, &in);
    int64_t n_out = 0, macs = 0, flops = 0;
    long rh = *rf_h, rw = *rf_w, jh = *j_h, jw = *j_w;

    int needs_spatial = l->kind == CC_LAYER_CONV || is_pool(l) ||
                        l->kind == CC_LAYER_GLOBAL_AVGPOOL ||
                        l->kind == CC_LAYER_ADAPTIVE_AVGPOOL ||
                        l->kind == CC_LAYER_BATCHNORM2D;
    if (needs_spatial && in.rank != 3)
        return shape_err(err, l,
                         "%s needs a C x H x W input but %s gives a flat vector of %ld",
                         nb, from, in.c);

    switch (l->kind) {
    case CC_LAYER_CONV: {
        if (l->filters <= 0 || l->filters > CC_DIM_MAX)
            return shape_err(err, l, "%s: %ld filters (expected 1 to %ld)", nb, l->filters,
                             (long)CC_DIM_MAX);
        if (l->in_channels > 0 && l->in_channels != in.c)
            return shape_err(err, l, "%s expects %ld input channels but %s gives %ld (%s)",
                             nb, l->in_channels, from, in.c, shs);
        if (l->groups <= 0 || in.c % l->groups || l->filters % l->groups)
            return shape_err(err, l,
                             "%s: groups %ld must divide both the %ld input channels and "
                             "the %ld filters",
                             nb, l->groups, in.c, l->filters);
        if (l->pad_same) {
            same_pad(in.h, l->kernel_h, l->stride_h, l->dilation_h, &l->pad_top,
                     &l->pad_bottom);
            same_pad(in.w, l->kernel_w, l->stride_w, l->dilation_w, &l->pad_left,
                     &l->pad_right);
        }
        cc_error e;
        cc_error_clear(&e);
        if (cc_conv_out(&o.h, in.h, l->kernel_h, l->stride_h, l->pad_top, l->pad_bottom,
                        l->dilation_h, &e))
            return shape_err(err, l,
                             "%s: height: %s (O = floor((%ld + %ld + %ld - %ld) / %ld) + 1)",
                             nb, e.msg, in.h, l->pad_top, l->pad_bottom,
                             l->dilation_h * (l->kernel_h - 1) + 1, l->stride_h);
        if (cc_conv_out(&o.w, in.w, l->kernel_w, l->stride_w, l->pad_left, l->pad_right,
                        l->dilation_w, &e))
            return shape_err(err, l,
                             "%s: width: %s (O = floor((%ld + %ld + %ld - %ld) / %ld) + 1)", nb,
                             e.msg, in.w, l->pad_left, l->pad_right,
                             l->dilation_w * (l->kernel_w - 1) + 1, l->stride_w);
        o.c = l->filters;
        n_out = elements(&o);
        int64_t n;
        if (n_out < 0 || mul3(l->kernel_h, l->kernel_w, in.c / l->groups, &n) ||
            cc_i64_mul(n_out, n, &macs) || cc_i64_mul(2 * n - 1 + (l->bias ? 1 : 0), n_out, &flops))
            return shape_err(err, l, "%s: the operation count overflows", nb);
        rf_step(rh, jh, l->kernel_h, l->stride_h, l->dilation_h, &rh, &jh);
        rf_step(rw, jw, l->kernel_w, l->stride_w, l->dilation_w, &rw, &jw);
        break;
    }
    case CC_LAYER_MAXPOOL:
    case CC_LAYER_AVGPOOL: {
        long sh = stride_h(l), sw = stride_w(l);
        cc_error e;
        cc_error_clear(&e);
        if (l->pad_same) {
            same_pad(in.h, l->kernel_h, sh, l->dilation_h, &l->pad_top, &l->pad_bottom);
            same_pad(in.w, l->kernel_w, sw, l->dilation_w, &l->pad_left, &l->pad_right);
        }
        if (cc_pool_out(&o.h, in.h, l->kernel_h, sh, l->pad_top, l->pad_bottom,
                        l->dilation_h, l->ceil_mode, &e))
            return shape_err(err, l, "%s: height: %s (O = %s((%ld + %ld + %ld - %ld) / %ld) + 1)",
                             nb, e.msg, l->ceil_mode ? "ceil" : "floor", in.h, l->pad_top,
                             l->pad_bottom, l->dilation_h * (l->kernel_h - 1) + 1, sh);
        if (cc_pool_out(&o.w, in.w, l->kernel_w, sw, l->pad_left, l->pad_right,
                        l->dilation_w, l->ceil_mode, &e))
            return shape_err(err, l, "%s: width: %s (O = %s((%ld + %ld + %ld - %ld) / %ld) + 1)",
                             nb, e.msg, l->ceil_mode ? "ceil" : "floor", in.w, l->pad_left,
                             l->pad_right, l->dilation_w * (l->kernel_w - 1) + 1, sw);
        n_out = elements(&o);
        int64_t win = (int64_t)l->kernel_h * l->kernel_w;
        if (n_out < 0 || cc_i64_mul(n_out, l->kind == CC_LAYER_MAXPOOL ? win - 1 : win, &flops))
            return shape_err(err, l, "%s: the operation count overflows", nb);
        rf_step(rh, jh, l->kernel_h, sh, l->dilation_h, &rh, &jh);
        rf_step(rw, jw, l->kernel_w, sw, l->dilation_w, &rw, &jw);
        break;
    }
    case CC_LAYER_GLOBAL_AVGPOOL:
        o.h = o.w = 1;
        n_out = o.c;
        flops = elements(&in);
        rh = rw = -1;
        break;
    case CC_LAYER_ADAPTIVE_AVGPOOL: {
        if (l->out_h <= 0 || l->out_w <= 0 || l->out_h > 65536 || l->out_w > 65536)
            return shape_err(err, l, "%s: output size %ldx%ld (expected 1 to 65536)", nb,
                             l->out_h, l->out_w);
        o.h = l->out_h;
        o.w = l->out_w;
        int64_t sum_h, sum_w;
        long kh, kw;
        adaptive_windows(in.h, o.h, &sum_h, &kh);
        adaptive_windows(in.w, o.w, &sum_w, &kw);
        n_out = elements(&o);
        if (n_out < 0 || mul3(sum_h, sum_w, o.c, &flops))
            return shape_err(err, l, "%s: the operation count overflows", nb);
        if (o.h == 1 && o.w == 1) {
            rh = rw = -1;
        } else {
            if (in.h % o.h == 0)
                rf_step(rh, jh, in.h / o.h, in.h / o.h, 1, &rh, &jh);
            else if (rh > 0)
                rh = 0;
            if (in.w % o.w == 0)
                rf_step(rw, jw, in.w / o.w, in.w / o.w, 1, &rw, &jw);
            else if (rw > 0)
                rw = 0;
        }
        break;
    }
    case CC_LAYER_BATCHNORM1D:
    case CC_LAYER_BATCHNORM2D: {
        if (l->kind == CC_LAYER_BATCHNORM1D && in.rank != 1)
            return shape_err(err, l,
                             "%s needs a flat input but %s gives %s (use batchnorm2d, or "
                             "flatten first)",
                             nb, from, shs);
        if (l->num_features > 0 && l->num_features != in.c)
            return shape_err(err, l, "%s expects %ld features but %s gives %ld (%s)", nb,
                             l->num_features, from, in.c, shs);
        n_out = elements(&o);
        flops = 2 * n_out;
        break;
    }
    case CC_LAYER_RELU:
    case CC_LAYER_LEAKY_RELU:
    case CC_LAYER_ELU:
    case CC_LAYER_SIGMOID:
    case CC_LAYER_TANH:
    case CC_LAYER_RELU6:
    case CC_LAYER_GELU:
    case CC_LAYER_SILU:
    case CC_LAYER_HARDSWISH:
    case CC_LAYER_HARDSIGMOID:
    case CC_LAYER_ACTIVATION:
        n_out = elements(&o);
        flops = n_out;
        break;
    case CC_LAYER_SOFTMAX:
        n_out = elements(&o);
        flops = 3 * n_out;
        if (l->groups < 1 || (n_out > 0 && n_out % l->groups))
            return shape_err(err, l, "%s: %ld groups do not divide its %lld inputs", nb,
                             l->groups, (long long)n_out);
        break;
    case CC_LAYER_DROPOUT:
    case CC_LAYER_IDENTITY:
        n_out = elements(&o);
        break;
    case CC_LAYER_FLATTEN:
        n_out = elements(&in);
        if (n_out < 0 || n_out > (int64_t)CC_DIM_MAX)
            return shape_err(err, l, "%s: %s has more than %ld elements", nb, shs,
                             (long)CC_DIM_MAX);
        o = (cc_shape){1, (long)n_out, 1, 1};
        break;
    case CC_LAYER_LINEAR: {
        long nin;
        if (in.rank == 3 && l->in_last) {
            /* channels-last (after a Permute): the same weights at every
             * H, W position */
            if (l->in_features > 0 && l->in_features != in.c)
                return shape_err(err, l, "%s expects %ld inputs but %s gives %ld channels (%s)",
                                 nb, l->in_features, from, in.c, shs);
            o.c = l->out_features;
            n_out = elements(&o);
            if (n_out < 0 || cc_i64_mul(n_out, in.c, &macs) ||
                cc_i64_mul(2 * (int64_t)in.c - 1 + (l->bias ? 1 : 0), n_out, &flops))
                return shape_err(err, l, "%s: the operation count overflows", nb);
            break;
        }
        if (in.rank == 3 && !l->flatten_input)
            return shape_err(err, l,
                             "%s needs a flat input but %s gives %s (add a flatten layer "
                             "before it)",
                             nb, from, shs);
        int64_t e = elements(&in);
        if (e < 0 || e > (int64_t)CC_DIM_MAX)
            return shape_err(err, l, "%s: %s has more than %ld elements", nb, shs,
                             (long)CC_DIM_MAX);
        nin = (long)e;
        if (l->in_features > 0 && l->in_features != nin) {
            if (in.rank == 3)
                return shape_err(err, l, "%s expects %ld inputs but %s gives %s = %ld", nb,
                                 l->in_features, from, shs, nin);
            if (i > 0 && s->layers[i - 1].kind == CC_LAYER_FLATTEN &&
                s->layers[i - 1].in.rank == 3) {
                char fsh[64];
                shape_str(fsh, sizeof fsh, &s->layers[i - 1].in);
                return shape_err(err, l, "%s expects %ld inputs but %s gives %ld (%s flattened)",
                                 nb, l->in_features, from, nin, fsh);
            }
            return shape_err(err, l, "%s expects %ld inputs but %s gives %ld", nb,
                             l->in_features, from, nin);
        }
        if (l->out_features <= 0 || l->out_features > CC_DIM_MAX)
            return shape_err(err, l, "%s: %ld outputs (expected 1 to %ld)", nb,
                             l->out_features, (long)CC_DIM_MAX);
        o = (cc_shape){1, l->out_features, 1, 1};
        n_out = l->out_features;
        if (cc_i64_mul(nin, l->out_features, &macs) ||
            cc_i64_mul(2 * (int64_t)nin - 1 + (l->bias ? 1 : 0), n_out, &flops))
            return shape_err(err, l, "%s: the operation count overflows", nb);
        rh = rw = -1;
        break;
    }
    case CC_LAYER_ADD:
    case CC_LAYER_CONCAT: {
        long srcs[CC_CONCAT_MAX];
        int ns;
        if (l->kind == CC_LAYER_ADD) {
            srcs[0] = l->from;
            ns = 1;
        } else {
            ns = l->n_sources;
            if (ns < 1 || ns > CC_CONCAT_MAX)
                return shape_err(err, l, "%s: %d sources (expected 1 to %d)", nb, ns,
                                 CC_CONCAT_MAX);
            memcpy(srcs, l->sources, sizeof srcs);
        }
        if (l->kind == CC_LAYER_CONCAT)
            o.c = 0;
        for (int k = 0; k < ns; k++) {
            long f = srcs[k];
            if (f != CC_FROM_INPUT && (f < 0 || (size_t)f >= i))
                return shape_err(err, l, "%s refers to layer %ld, which is not before it", nb,
                                 f + 1);
            const cc_shape *fs = f == CC_FROM_INPUT ? &s->input : &s->layers[f].out;
            const cc_layer *fl = f == CC_FROM_INPUT ? NULL : &s->layers[f];
            char fsh[64], fnm[200], fnb[160];
            shape_str(fsh, sizeof fsh, fs);
            if (fl && fl->src_layer > 0)
                snprintf(fnm, sizeof fnm, "%s", lname(fl, fnb, sizeof fnb));
            else if (fl)
                snprintf(fnm, sizeof fnm, "layer %ld, %s,", f + 1, lname(fl, fnb, sizeof fnb));
            else
                snprintf(fnm, sizeof fnm, "the input");
            long frh = fl ? fl->counts.rf_h : 1, frw = fl ? fl->counts.rf_w : 1;
            int same = fs->rank == in.rank && fs->c == in.c && fs->h == in.h && fs->w == in.w;
            if (l->kind == CC_LAYER_ADD && !same && l->resample) {
                /* darknet's shortcut: the sizes in a whole ratio, the same in
                 * height and width; the channels both have are added */
                long st = in.w ? fs->w / in.w : 0, sa = fs->w ? in.w / fs->w : 0;
                if (fs->rank != 3 || in.rank != 3 || in.h == 0 || fs->h == 0 ||
                    st != fs->h / in.h || sa != in.h / fs->h)
                    return shape_err(err, l,
                                     "%s: %s gives %s and %s gives %s: darknet adds maps "
                                     "whose sizes are in the same whole ratio in height and "
                                     "width",
                                     nb, fnm, fsh, from, shs);
                long mc = fs->c < in.c ? fs->c : in.c, mh = fs->h < in.h ? fs->h : in.h,
                     mw = fs->w < in.w ? fs->w : in.w;
                flops = (int64_t)mc * mh * mw;
            } else if (l->kind == CC_LAYER_ADD) {
                if (!same)
                    return shape_err(err, l, "%s: %s gives %s but %s gives %s (they must be equal)",
                                     nb, fnm, fsh, from, shs);
                flops = elements(&in);
            } else if (ns == 1 && fs->rank == 1 && l->groups <= 1) {
                o = *fs;
                rh = frh;
                rw = frw;
            } else {
                if (fs->rank != 3 || (k > 0 && (fs->h != o.h || fs->w != o.w)))
                    return shape_err(err, l,
                                     "%s: %s gives %s, which does not match the height and "
                                     "width %ldx%ld of the first source",
                                     nb, fnm, fsh, o.h, o.w);
                if (k == 0) {
                    o = *fs;
                    o.c = 0;
                    rh = frh;
                    rw = frw;
                    jh = fl ? fl->counts.jump_h : 1;
                    jw = fl ? fl->counts.jump_w : 1;
                }
                if (l->groups > 1 && (fs->c % l->groups || l->group_id < 0 ||
                                      l->group_id >= l->groups))
                    return shape_err(err, l,
                                     "%s: groups %ld, group_id %ld: %s has %ld channels (the "
                                     "groups must divide them, 0 <= group_id < groups)",
                                     nb, l->groups, l->group_id, fnm, fs->c);
                o.c += l->groups > 1 ? fs->c / l->groups : fs->c;
            }
            /* the receptive field of a merge is the larger one */
            if (frh < 0 || rh < 0)
                rh = -1;
            else if (frh == 0 || rh == 0)
                rh = 0;
            else if (frh > rh)
                rh = frh;
            if (frw < 0 || rw < 0)
                rw = -1;
            else if (frw == 0 || rw == 0)
                rw = 0;
            else if (frw > rw)
                rw = frw;
        }
        if (o.c > CC_DIM_MAX)
            return shape_err(err, l, "%s: %ld channels (more than %ld)", nb, o.c,
                             (long)CC_DIM_MAX);
        n_out = elements(&o);
        break;
    }
    case CC_LAYER_UPSAMPLE:
    case CC_LAYER_REORG:
    case CC_LAYER_CROP:
    case CC_LAYER_LOCAL:
    case CC_LAYER_RECURRENT:
    case CC_LAYER_DETECT: {
        cc_infer_step st = {.rf_h = rh, .rf_w = rw, .jump_h = jh, .jump_w = jw};
        int rc = cc_stack_more_infer(s, i, &st, err);
        if (rc)
            return rc;
        o = st.out;
        n_out = st.n_out;
        macs = st.macs;
        flops = st.flops;
        rh = st.rf_h;
        rw = st.rf_w;
        jh = st.jump_h;
        jw = st.jump_w;
        break;
    }
    case CC_LAYER_MODULE:
    case CC_LAYER_MUL: {
        int rc = cc__module_infer(s, i, &o, &n_out, &macs, &flops, err);
        if (rc)
            return rc;
        if (o.rank == 1 || o.h != in.h || o.w != in.w)
            rh = rw = -1;
        break;
    }
    default:
        return cc_error_at(err, CC_EINTERNAL, l->line, l->col, "unknown layer kind %d",
                           (int)l->kind);
    }
    l->out = o;
    if (l->kind != CC_LAYER_MODULE)
        l->out_last = o.rank == 3 && l->in_last;
    if (count_params(l))
        return shape_err(err, l, "%s: the parameter count overflows", nb);
    l->counts.macs = macs;
    l->counts.flops = flops;
    l->counts.activations = n_out;
    l->counts.rf_h = rh;
    l->counts.rf_w = rw;
    l->counts.jump_h = jh;
    l->counts.jump_w = jw;
    *rf_h = rh;
    *rf_w = rw;
    *j_h = jh;
    *j_w = jw;
    return 0;
}

/* Counts from declared channel numbers only (no input size, or a model
 * whose forward order is unknown). */
static int infer_declared(cc_stack *s, cc_error *err)
{
    for (size_t i = 0; i < s->n; i++) {
        cc_layer *l = &s->layers[i];
        l->in = l->out = (cc_shape){0, 0, 0, 0};
        if (count_params(l)) {
            char nb[160];
            return shape_err(err, l, "%s: the parameter count overflows",
                             lname(l, nb, sizeof nb));
        }
        l->counts.macs = l->counts.flops = l->counts.activations = -1;
        l->counts.rf_h = l->counts.rf_w = l->counts.jump_h = l->counts.jump_w = -1;
    }
    return 0;
}

/* Is every parametrised layer's input size declared? */
static const cc_layer *first_undeclared(const cc_stack *s)
{
    for (size_t i = 0; i < s->n; i++) {
        const cc_layer *l = &s->layers[i];
        if ((l->kind == CC_LAYER_CONV && l->in_channels <= 0) ||
            ((l->kind == CC_LAYER_BATCHNORM1D || l->kind == CC_LAYER_BATCHNORM2D) &&
             l->num_features <= 0) ||
            (l->kind == CC_LAYER_LINEAR && l->in_features <= 0) ||
            l->kind == CC_LAYER_LOCAL || l->kind == CC_LAYER_RECURRENT)
            return l;
    }
    return NULL;
}

static void set_shape_note(cc_stack *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_shape_note(cc_stack *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->shape_note, sizeof s->shape_note, fmt, ap);
    va_end(ap);
}

/* Element-wise layers that keep any shape. */
static int elementwise(cc_layer_kind k)
{
    switch (k) {
    case CC_LAYER_RELU:
    case CC_LAYER_LEAKY_RELU:
    case CC_LAYER_ELU:
    case CC_LAYER_SIGMOID:
    case CC_LAYER_TANH:
    case CC_LAYER_DROPOUT:
    case CC_LAYER_IDENTITY:
    case CC_LAYER_RELU6:
    case CC_LAYER_GELU:
    case CC_LAYER_SILU:
    case CC_LAYER_HARDSWISH:
    case CC_LAYER_HARDSIGMOID:
    case CC_LAYER_ACTIVATION:
        return 1;
    default:
        return 0;
    }
}

/* A linear layer that flattens its input (darknet's connected, a custom
 * PyTorch forward's torch.flatten) flattens before the element-wise layers
 * that lead up to it, as torchvision's AlexNet does before its Dropout:
 * does layer i start or continue such a run? */
static int flattens_before(const cc_stack *s, size_t i)
{
    for (size_t k = i; k < s->n; k++) {
        const cc_layer *l = &s->layers[k];
        if (l->kind == CC_LAYER_LINEAR)
            return l->flatten_input && k > i;
        if (!elementwise(l->kind))
            return 0;
    }
    return 0;
}

static int infer_chain(cc_stack *s, cc_error *err)
{
    long rh = 1, rw = 1, jh = 1, jw = 1;
    if (s->input.rank != 3)
        rh = rw = -1;
    for (size_t i = 0; i < s->n; i++) {
        cc_layer *l = &s->layers[i];
        l->in = i == 0 ? s->input : s->layers[i - 1].out;
        l->in_last = i > 0 && l->in.rank == 3 && s->layers[i - 1].out_last;
        if (l->in.rank == 3 && !l->in_last && flattens_before(s, i)) {
            int64_t e = elements(&l->in);
            if (e > 0 && e <= (int64_t)CC_DIM_MAX)
                l->in = (cc_shape){1, (long)e, 1, 1};
        }
        int rc = infer_layer(s, i, &rh, &rw, &jh, &jw, err);
        if (rc)
            return rc;
        if (l->implied == 3) /* runs only in training (an auxiliary head) */
            l->counts.macs = l->counts.flops = 0;
    }
    return 0;
}

int cc_stack_infer(cc_stack *s, cc_error *err)
{
    s->shapes = CC_SHAPES_NONE;
    s->shape_note[0] = '\0';
    for (size_t i = 0; i < s->n; i++) {
        cc_layer *l = &s->layers[i];
        l->in = l->out = (cc_shape){0, 0, 0, 0};
        memset(&l->counts, 0, sizeof l->counts);
    }
    cc__module_prepare(s);
    if (s->input.rank == 0) {
        const cc_layer *u = first_undeclared(s);
        if (u) {
            char nb[160];
            return cc_error_at(err, CC_EINVAL, u->line, u->col,
                               "no input size, so the input of %s is not known (add a line "
                               "'input HxWxC', e.g. 'input 32x32x3', or pass --input)",
                               lname(u, nb, sizeof nb));
        }
        int rc = infer_declared(s, err);
        if (rc)
            return rc;
        set_shape_note(s, "no input size given: parameters only (pass --input HxWxC for shapes)");
        return 0;
    }
    cc_error e;
    cc_error_clear(&e);
    int rc = infer_chain(s, &e);
    if (rc == 0) {
        s->shapes = s->custom_modules ? CC_SHAPES_ASSUMED : CC_SHAPES_SEQUENTIAL;
        if (s->custom_modules)
            set_shape_note(s, "shapes assume forward() calls the modules in the printed order "
                     "(they fit together that way); parameters are exact either way");
        return 0;
    }
    if (rc == CC_ESHAPE && (s->custom_modules || cc__stack_has_opaque(s)) &&
        !first_undeclared(s)) {
        rc = infer_declared(s, err);
        if (rc)
            return rc;
        s->shapes = CC_SHAPES_UNKNOWN;
        set_shape_note(s, "shapes cannot be inferred from the repr of a non-sequential model "
                 "(line %d: %.160s); parameter totals are exact",
                 e.line, e.msg);
        return 0;
    }
    if (err)
        *err = e;
    return rc;
}

void cc_stack_totals_get(const cc_stack *s, int keras, cc_stack_totals *t)
{
    memset(t, 0, sizeof *t);
    int macs_known = s->n > 0 && s->input.rank > 0;
    for (size_t i = 0; i < s->n; i++) {
        const cc_layer_counts *k = &s->layers[i].counts;
        if (k->params < 0 || t->total_params < 0) {
            t->total_params = t->trainable_params = t->non_trainable_params = t->buffers = -1;
        } else {
            t->total_params += k->params;
            t->trainable_params += k->trainable;
            t->non_trainable_params += k->non_trainable;
            t->buffers += k->buffers;
        }
        if (k->macs < 0)
            macs_known = 0;
        else {
            t->macs += k->macs;
            t->flops += k->flops;
            if (k->params > 0)
                t->activation_elements += 2 * k->activations;
        }
    }
    if (keras && t->total_params >= 0) {
        t->total_params += t->buffers;
        t->non_trainable_params += t->buffers;
        t->buffers = 0;
    }
    if (!macs_known) {
        t->macs = t->flops = t->activation_elements = -1;
    }
    t->input_elements = s->input.rank ? elements(&s->input) : -1;
}

/* ---- writing a stack back as spec text ---------------------------------------- */
/* Can n be written as a spec label (see import_spec.c)? */
static int name_is_plain(const char *n)
{
    if (!*n || *n == '-' || strcmp(n, "input") == 0)
        return 0;
    for (const char *p = n; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '.' || *p == '-'))
            return 0;
    return 1;
}

int cc_stack_to_spec(cc_buf *out, const cc_stack *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->layers[i].kind == CC_LAYER_MODULE || s->layers[i].kind == CC_LAYER_MUL)
            return CC_EINVAL;
    if (s->input.rank == 3)
        cc_buf_printf(out, "input %ldx%ldx%ld\n", s->input.h, s->input.w, s->input.c);
    else if (s->input.rank == 1)
        cc_buf_printf(out, "input %ld\n", s->input.c);
    for (size_t i = 0; i < s->n; i++) {
        const cc_layer *l = &s->layers[i];
        if (name_is_plain(l->name))
            cc_buf_printf(out, "%s: ", l->name);
        describe(out, l, i);
        cc_buf_putc(out, '\n');
    }
    return cc_buf_failed(out) ? CC_ENOMEM : 0;
}

/* ---- reading ------------------------------------------------------------------- */
cc_stack_source cc_stack_detect(const char *text, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && text[e] != '\n')
            e++;
        size_t a = i;
        while (a < e && (text[a] == ' ' || text[a] == '\t' || text[a] == '\r'))
            a++;
        if (a < e && text[a] != '#' && text[a] != ';') {
            if (text[a] == '[')
                return CC_SOURCE_DARKNET;
            /* torch: an identifier immediately followed by '(' and the line
             * ending in '(' (a container) or ')' (a single module) */
            size_t b = a;
            while (b < e && ((text[b] >= 'A' && text[b] <= 'Z') ||
                             (text[b] >= 'a' && text[b] <= 'z') ||
                             (text[b] >= '0' && text[b] <= '9') || text[b] == '_'))
                b++;
            if (b > a && b < e && text[b] == '(' && text[a] >= 'A' && text[a] <= 'Z')
                return CC_SOURCE_TORCH;
            return CC_SOURCE_SPEC;
        }
        i = e + 1;
    }
    return CC_SOURCE_SPEC;
}

int cc_stack_parse(cc_stack **out, const char *text, size_t len, cc_stack_source from,
                   cc_error *err)
{
    *out = NULL;
    if (from == CC_SOURCE_AUTO)
        from = cc_stack_detect(text, len);
    switch (from) {
    case CC_SOURCE_SPEC:
        return cc_stack_parse_spec(out, text, len, err);
    case CC_SOURCE_TORCH:
        return cc_stack_parse_torch(out, text, len, err);
    case CC_SOURCE_DARKNET:
        return cc_stack_parse_darknet(out, text, len, err);
    default:
        return cc_error_set(err, CC_EINVAL, "unknown stack source %d", (int)from);
    }
}
