/* stack.c - the layer stack: layer names and descriptions, parameter
 * counting and formulas, building a stack, writing it back in the spec
 * language, and reading one in any format. Shape inference is in
 * stack_infer.c. */
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

int cc__layer_is_pool(const cc_layer *l)
{
    return l->kind == CC_LAYER_MAXPOOL || l->kind == CC_LAYER_AVGPOOL;
}

long cc__layer_stride_h(const cc_layer *l)
{
    return cc__layer_is_pool(l) && l->stride_h == 0 ? l->kernel_h : l->stride_h;
}

long cc__layer_stride_w(const cc_layer *l)
{
    return cc__layer_is_pool(l) && l->stride_w == 0 ? l->kernel_w : l->stride_w;
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
        if (cc__layer_stride_h(l) != l->kernel_h || cc__layer_stride_w(l) != l->kernel_w) {
            if (cc__layer_stride_h(l) == cc__layer_stride_w(l))
                cc_buf_printf(b, " stride %ld", cc__layer_stride_h(l));
            else
                cc_buf_printf(b, " stride %ldx%ld", cc__layer_stride_h(l), cc__layer_stride_w(l));
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
int64_t cc__shape_elements(const cc_shape *s)
{
    int64_t n;
    if (cc__mul3(s->c, s->h, s->w, &n))
        return -1;
    return n;
}

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
        cc_stack_more_formula(out, l, l->in.rank ? cc__shape_elements(&l->in) : -1, conv_in(l), l->out);
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
int cc__mul3(int64_t a, int64_t b, int64_t c, int64_t *out)
{
    int64_t t;
    if (cc_i64_mul(a, b, &t) || cc_i64_mul(t, c, out))
        return CC_ERANGE;
    return 0;
}

/* Parameters and buffers from channel counts (declared or inferred).
 * Returns 0, or CC_ERANGE; leaves -1 when a channel count is unknown. */
int cc__layer_count_params(cc_layer *l)
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
        if (cc__mul3(l->kernel_h, l->kernel_w, cin / l->groups, &n) ||
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
        int r = cc_stack_more_params(l, l->in.rank ? cc__shape_elements(&l->in) : -1, conv_in(l), l->out,
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
static cc_stack_source detect_plain(const char *text, size_t len);

/* A spec "input SIZE" line (blank and # lines may come before it) followed
 * by a PyTorch print(model): the line's number and the byte range
 * [*a, *e) of its text. Returns 1 when it is so, else 0. */
static int input_before_torch(const char *text, size_t len, size_t *a, size_t *e, int *line)
{
    size_t i = 0;
    int ln = 1;
    while (i < len) {
        size_t end = i;
        while (end < len && text[end] != '\n')
            end++;
        size_t b = i;
        while (b < end && (text[b] == ' ' || text[b] == '\t' || text[b] == '\r'))
            b++;
        if (b < end && text[b] != '#') {
            if (end - b < 6 || memcmp(text + b, "input", 5) != 0 ||
                (text[b + 5] != ' ' && text[b + 5] != '\t') || end >= len ||
                detect_plain(text + end + 1, len - end - 1) != CC_SOURCE_TORCH)
                return 0;
            *a = b;
            *e = end;
            *line = ln;
            return 1;
        }
        i = end + 1;
        ln++;
    }
    return 0;
}

cc_stack_source cc_stack_detect(const char *text, size_t len)
{
    size_t a, e;
    int line;
    if (input_before_torch(text, len, &a, &e, &line))
        return CC_SOURCE_TORCH;
    return detect_plain(text, len);
}

/* The PyTorch print(model) after an "input SIZE" line at [a, e): read with
 * that line (and the comments above it) blanked out, so line numbers stay,
 * then given the size as `params --input` does. */
static int parse_torch_after_input(cc_stack **out, const char *text, size_t len, size_t a,
                                   size_t e, int line, cc_error *err)
{
    /* the size: the rest of the line, up to a # comment */
    size_t p = a + 5;
    while (p < e && (text[p] == ' ' || text[p] == '\t'))
        p++;
    size_t q = p;
    while (q < e && text[q] != '#' && text[q] != ' ' && text[q] != '\t' && text[q] != '\r')
        q++;
    size_t r = q;
    while (r < e && (text[r] == ' ' || text[r] == '\t' || text[r] == '\r'))
        r++;
    char size[64];
    cc_shape in;
    cc_error e2;
    cc_error_clear(&e2);
    if (q == p || q - p >= sizeof size || (r < e && text[r] != '#'))
        return cc_error_at(err, CC_EINVAL, line, (int)((q > p && r < e ? r : p) - a) + 1,
                           "input takes one size, e.g. 'input 32x32x3' (H x W x C) or "
                           "'input 784'");
    memcpy(size, text + p, q - p);
    size[q - p] = '\0';
    if (cc_shape_parse(size, &in, &e2))
        return cc_error_at(err, CC_EINVAL, line, (int)(p - a) + 1, "%s", e2.msg);
    char *copy = malloc(len ? len : 1);
    if (!copy)
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    memcpy(copy, text, len);
    for (size_t k = 0; k < e; k++) /* the input line and the comments above it */
        if (copy[k] != '\n')
            copy[k] = ' ';
    int rc = cc_stack_parse_torch(out, copy, len, err);
    free(copy);
    if (rc)
        return rc;
    rc = cc_stack_set_input(*out, in.rank == 3 ? in.h : 0, in.rank == 3 ? in.w : 0, in.c, err);
    if (rc) {
        cc_stack_free(*out);
        *out = NULL;
        return rc;
    }
    (*out)->input_line = line;
    return 0;
}

static cc_stack_source detect_plain(const char *text, size_t len)
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
    size_t a, e;
    int line;
    if ((from == CC_SOURCE_AUTO || from == CC_SOURCE_TORCH) &&
        input_before_torch(text, len, &a, &e, &line))
        return parse_torch_after_input(out, text, len, a, e, line, err);
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
