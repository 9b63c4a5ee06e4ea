/* walk.c - the worked convolution: padding, flip, every window, Hadamard
 * product, sums. See walk.h for the definitions and the order of steps. */
#include "convcalc/walk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/arith.h"

#include "walk_priv.h"

int cc_conv_mode_parse(const char *name, cc_conv_mode *out)
{
    if (!name)
        return CC_EINVAL;
    if (!strcmp(name, "convolution") || !strcmp(name, "conv")) {
        *out = CC_MODE_CONVOLUTION;
        return CC_OK;
    }
    if (!strcmp(name, "correlation") || !strcmp(name, "corr") ||
        !strcmp(name, "cross-correlation")) {
        *out = CC_MODE_CORRELATION;
        return CC_OK;
    }
    return CC_EINVAL;
}

const char *cc_conv_mode_name(cc_conv_mode m)
{
    return m == CC_MODE_CORRELATION ? "correlation" : "convolution";
}

const char *cc_step_kind_name(cc_step_kind k)
{
    switch (k) {
    case CC_STEP_PAD: return "pad";
    case CC_STEP_KERNEL: return "kernel";
    case CC_STEP_CELL: return "cell";
    case CC_STEP_OUTPUT: return "output";
    case CC_STEP_SCATTER: return "scatter";
    case CC_STEP_ACTIVATION: return "activation";
    }
    return "?";
}

void cc_walk_spec_init(cc_walk_spec *spec)
{
    memset(spec, 0, sizeof *spec);
    spec->stride_h = spec->stride_w = 1;
    spec->dilation_h = spec->dilation_w = 1;
    spec->pad_kind = CC_PAD_EXPLICIT;
    spec->mode = CC_MODE_CONVOLUTION;
    spec->op = CC_OP_CONV;
    spec->count_include_pad = 1;
    spec->slope = 0.01;
}

const char *cc_walk_op_name(cc_walk_op op)
{
    switch (op) {
    case CC_OP_CONV: return "convolution";
    case CC_OP_TRANSPOSED: return "transposed convolution";
    case CC_OP_MAX_POOL: return "max pooling";
    case CC_OP_AVG_POOL: return "average pooling";
    }
    return "?";
}

long cc__walk_cell_stride_h(const cc_walk_geom *g)
{
    return g->op == CC_OP_TRANSPOSED ? 1 : g->stride_h;
}

long cc__walk_cell_stride_w(const cc_walk_geom *g)
{
    return g->op == CC_OP_TRANSPOSED ? 1 : g->stride_w;
}

void cc_walk_free(cc_walk *w)
{
    if (!w)
        return;
    cc_matrix_free(&w->input);
    cc_matrix_free(&w->padded);
    cc_matrix_free(&w->kernels);
    cc_matrix_free(&w->applied);
    cc_matrix_free(&w->output);
    cc_matrix_free(&w->preact);
    free(w->bias);
    free(w);
}

/* Padding and output size along one dimension ("height" or "width"). */
static int resolve_dim(const char *name, cc_pad_kind kind, long in, long k, long s, long d,
                       long *pb, long *pe, long *eff, long *out, cc_error *err)
{
    int rc;
    if (k > CC_DIM_MAX || d > CC_DIM_MAX || k < 1 || d < 1)
        return cc_error_set(err, k < 1 || d < 1 ? CC_EINVAL : CC_ERANGE,
                            "%s: kernel size and dilation must be in 1..%ld (got %ld, %ld)",
                            name, CC_DIM_MAX, k, d);
    *eff = d * (k - 1) + 1; /* both <= 1e9: fits in 64 bits */
    switch (kind) {
    case CC_PAD_VALID:
        *pb = *pe = 0;
        break;
    case CC_PAD_SAME: {
        long o;
        if ((rc = cc_same_padding(pb, pe, &o, in, k, s, d, err)))
            goto fail;
        break;
    }
    case CC_PAD_FULL:
        *pb = *pe = *eff - 1;
        break;
    case CC_PAD_EXPLICIT:
        break;
    default:
        return cc_error_set(err, CC_EINVAL, "unknown padding kind %d", (int)kind);
    }
    if ((rc = cc_conv_out(out, in, k, s, *pb, *pe, d, err)))
        goto fail;
    return CC_OK;
fail:;
    char msg[sizeof err->msg];
    if (err) {
        memcpy(msg, err->msg, sizeof msg);
        cc_error_set(err, rc, "%s: %s", name, msg);
    }
    return rc;
}

static int too_large(cc_error *err, const char *what, size_t n)
{
    return cc_error_set(err, CC_ERANGE,
                        "the %s is too large for a worked convolution (%zu values, at most %zu)",
                        what, n, WALK_MAX_VALUES);
}

/* n*c*h*w with overflow and size checks. */
int cc__walk_check_count(long n, long c, long h, long w, const char *what, cc_error *err)
{
    size_t t = 1;
    long d[4] = {n, c, h, w};
    for (int i = 0; i < 4; i++)
        if (d[i] < 1 || d[i] > CC_DIM_MAX || cc_size_mul(t, (size_t)d[i], &t) ||
            t > WALK_MAX_VALUES)
            return d[i] < 1 ? cc_error_set(err, CC_EINVAL, "the %s is empty", what)
                            : too_large(err, what, t > WALK_MAX_VALUES ? t : SIZE_MAX);
    return CC_OK;
}

static int compute_output(cc_walk *w, cc_error *err)
{
    const cc_walk_geom *g = &w->g;
    long sh = cc__walk_cell_stride_h(g), sw = cc__walk_cell_stride_w(g);
    for (long k = 0; k < g->filters; k++) {
        double *out = cc_matrix_plane(&w->preact, k, 0);
        for (long i = 0; i < g->out_h; i++)
            for (long j = 0; j < g->out_w; j++) {
                /* summed channel by channel, as cc_walk_step_get shows it */
                double sum = 0, mag = 0;
                for (long c = 0; c < g->channels; c++) {
                    double s = 0;
                    const double *pl = cc_matrix_plane(&w->padded, 0, c);
                    const double *ker = cc_matrix_plane(&w->applied, k, c);
                    for (long u = 0; u < g->k_h; u++) {
                        const double *row = pl + (i * sh + u * g->dilation_h) * g->padded_w +
                                            j * sw;
                        for (long v = 0; v < g->k_w; v++) {
                            double p = row[v * g->dilation_w] * ker[u * g->k_w + v];
                            s += p;
                            mag += fabs(p);
                        }
                    }
                    sum += s;
                }
                double value = sum + w->bias[k];
                mag += fabs(w->bias[k]);
                if (!isfinite(value) || !isfinite(mag))
                    return cc_error_set(err, CC_ENUMERIC,
                                        "output cell (%ld, %ld) of filter %ld is not a finite "
                                        "number",
                                        i + 1, j + 1, k + 1);
                if (g->integer && mag > EXACT_MAX)
                    return cc_error_set(err, CC_ERANGE,
                                        "the sums of output cell (%ld, %ld) exceed 2^53: too "
                                        "large to compute exactly",
                                        i + 1, j + 1);
                out[i * g->out_w + j] = value == 0.0 ? 0.0 : value;
            }
    }
    return CC_OK;
}

/* Checks of the spec that do not need sizes. */
static int check_spec(const cc_walk_spec *spec, int pool, cc_error *err)
{
    const cc_matrix *in = spec->input, *ker = spec->kernels;
    if (!in || !in->data)
        return cc_error_set(err, CC_EINVAL, "no input matrix");
    if (in->n != 1)
        return cc_error_set(err, CC_EINVAL,
                            "the input must be one image (got %ld groups of channels)", in->n);
    if (spec->op < CC_OP_CONV || spec->op > CC_OP_AVG_POOL)
        return cc_error_set(err, CC_EINVAL, "unknown operation %d", (int)spec->op);
    if (spec->activation < CC_ACT_NONE || spec->activation > CC_ACT_TANH)
        return cc_error_set(err, CC_EINVAL, "unknown activation %d", (int)spec->activation);
    if (!isfinite(spec->slope) || fabs(spec->slope) > 1e6)
        return cc_error_set(err, CC_ERANGE, "the leaky relu slope is out of range");
    if (spec->pad_kind == CC_PAD_EXPLICIT &&
        (spec->pad_top < 0 || spec->pad_bottom < 0 || spec->pad_left < 0 || spec->pad_right < 0))
        return cc_error_set(err, CC_EINVAL, "padding must not be negative");
    if (pool)
        return CC_OK;
    if (!ker || !ker->data)
        return cc_error_set(err, CC_EINVAL, "no kernel");
    if (ker->c != in->c)
        return cc_error_set(err, CC_ESHAPE,
                            "the kernel has %ld channel%s but the input has %ld: each filter "
                            "needs one kernel channel per input channel",
                            ker->c, ker->c == 1 ? "" : "s", in->c);
    if (spec->mode != CC_MODE_CONVOLUTION && spec->mode != CC_MODE_CORRELATION)
        return cc_error_set(err, CC_EINVAL, "unknown mode %d", (int)spec->mode);
    if (spec->bias)
        for (long k = 0; k < ker->n; k++)
            if (!isfinite(spec->bias[k]) || fabs(spec->bias[k]) > 1e15)
                return cc_error_set(err, CC_ERANGE, "bias %ld is out of range", k + 1);
    return CC_OK;
}

/* The geometry of the spec: sizes, padding, output size. */
static int make_geom(cc_walk_geom *g, const cc_walk_spec *spec, int pool, cc_error *err)
{
    const cc_matrix *in = spec->input, *ker = spec->kernels;
    int rc;
    memset(g, 0, sizeof *g);
    g->op = spec->op;
    g->channels = in->c;
    g->in_h = in->rows;
    g->in_w = in->cols;
    g->filters = pool ? in->c : ker->n;
    g->k_h = pool ? spec->pool_h : ker->rows;
    g->k_w = pool ? spec->pool_w : ker->cols;
    g->stride_h = spec->stride_h;
    g->stride_w = spec->stride_w;
    g->dilation_h = spec->dilation_h;
    g->dilation_w = spec->dilation_w;
    g->pad_kind = spec->pad_kind;
    g->mode = spec->op == CC_OP_CONV ? spec->mode : CC_MODE_CORRELATION;
    if (spec->op == CC_OP_TRANSPOSED)
        g->mode = CC_MODE_CONVOLUTION; /* the equivalent convolution flips */
    g->has_bias = !pool && spec->bias != NULL;
    g->pad_top = spec->pad_top;
    g->pad_bottom = spec->pad_bottom;
    g->pad_left = spec->pad_left;
    g->pad_right = spec->pad_right;
    g->activation = spec->activation;
    g->slope = spec->slope;
    g->view = spec->op == CC_OP_TRANSPOSED ? spec->view : CC_TVIEW_BOTH;
    g->ceil_mode = pool && spec->ceil_mode;
    g->count_include_pad = spec->op == CC_OP_AVG_POOL && spec->count_include_pad;
    if (spec->op == CC_OP_TRANSPOSED)
        return cc__walk_tconv_geom(g, spec, err);
    if (pool)
        return cc__walk_pool_geom(g, spec, err);
    if ((rc = resolve_dim("height", g->pad_kind, g->in_h, g->k_h, g->stride_h, g->dilation_h,
                          &g->pad_top, &g->pad_bottom, &g->eff_h, &g->out_h, err)) ||
        (rc = resolve_dim("width", g->pad_kind, g->in_w, g->k_w, g->stride_w, g->dilation_w,
                          &g->pad_left, &g->pad_right, &g->eff_w, &g->out_w, err)))
        return rc;
    g->padded_h = g->in_h + g->pad_top + g->pad_bottom; /* each term <= 1e9 */
    g->padded_w = g->in_w + g->pad_left + g->pad_right;
    return CC_OK;
}

static void apply_activation(cc_walk *w)
{
    size_t n = cc_matrix_size(&w->output);
    for (size_t i = 0; i < n; i++) {
        double v = cc_activation_apply(w->g.activation, w->g.slope, w->preact.data[i]);
        w->output.data[i] = v == 0.0 ? 0.0 : v;
    }
}

int cc_walk_new(cc_walk **out, const cc_walk_spec *spec, cc_error *err)
{
    *out = NULL;
    const cc_matrix *in = spec->input, *ker = spec->kernels;
    int pool = spec->op == CC_OP_MAX_POOL || spec->op == CC_OP_AVG_POOL;
    int rc;
    cc_walk_geom g;
    if ((rc = check_spec(spec, pool, err)) || (rc = make_geom(&g, spec, pool, err)))
        return rc;
    if ((rc = cc__walk_check_count(1, g.channels, g.in_h, g.in_w, "input", err)) ||
        (rc = cc__walk_check_count(1, g.channels, g.padded_h, g.padded_w, "padded input",
                                   err)) ||
        (rc = cc__walk_check_count(g.filters, pool ? 1 : g.channels, g.k_h, g.k_w,
                                   pool ? "pooling window" : "kernel", err)) ||
        (rc = cc__walk_check_count(g.filters, 1, g.out_h, g.out_w, "output", err)))
        return rc;
    size_t work = (size_t)g.filters * (size_t)g.out_h * (size_t)g.out_w; /* <= 2^26 */
    size_t per = (size_t)(pool ? 1 : g.channels) * (size_t)g.k_h * (size_t)g.k_w;
    if (cc_size_mul(work, per, &work) || work > WALK_MAX_WORK)
        return cc_error_set(err, CC_ERANGE,
                            "the %s is too large to work by hand (more than %zu "
                            "multiplications)",
                            cc_walk_op_name(g.op), WALK_MAX_WORK);
    g.integer = cc_matrix_is_integer(in) && (pool || cc_matrix_is_integer(ker));
    if (g.has_bias)
        for (long k = 0; k < ker->n; k++)
            if (spec->bias[k] != floor(spec->bias[k]))
                g.integer = 0;
    if (g.op == CC_OP_AVG_POOL || g.activation == CC_ACT_SIGMOID ||
        g.activation == CC_ACT_TANH ||
        (g.activation == CC_ACT_LEAKY_RELU && g.slope != floor(g.slope)))
        g.integer = 0;

    cc_walk *w = calloc(1, sizeof *w);
    if (!w)
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    w->g = g;
    if ((rc = cc_matrix_copy(&w->input, in, err)) ||
        (rc = cc_matrix_new(&w->padded, 1, g.channels, g.padded_h, g.padded_w, err)) ||
        (rc = cc_matrix_new(&w->preact, g.filters, 1, g.out_h, g.out_w, err)) ||
        (rc = cc_matrix_new(&w->output, g.filters, 1, g.out_h, g.out_w, err)))
        goto fail;
    if (!pool && ((rc = cc_matrix_copy(&w->kernels, ker, err)) ||
                  (rc = cc_matrix_new(&w->applied, g.filters, g.channels, g.k_h, g.k_w, err))))
        goto fail;
    w->bias = calloc((size_t)g.filters, sizeof(double));
    if (!w->bias) {
        rc = cc_error_set(err, CC_ENOMEM, "out of memory");
        goto fail;
    }
    if (g.has_bias)
        for (long k = 0; k < g.filters; k++)
            w->bias[k] = spec->bias[k] == 0.0 ? 0.0 : spec->bias[k];
    /* pad (a transposed walk: insert zeros and border) */
    if (g.op == CC_OP_TRANSPOSED)
        cc__walk_tconv_fill(w);
    else
        for (long c = 0; c < g.channels; c++) {
            const double *src = cc_matrix_plane(in, 0, c);
            double *dst = cc_matrix_plane(&w->padded, 0, c);
            for (long r = 0; r < g.in_h; r++)
                memcpy(dst + (r + g.pad_top) * g.padded_w + g.pad_left, src + r * g.in_w,
                       (size_t)g.in_w * sizeof(double));
        }
    /* flip (convolution, transposed) or copy (correlation) */
    for (long k = 0; !pool && k < g.filters; k++)
        for (long c = 0; c < g.channels; c++) {
            const double *src = cc_matrix_plane(ker, k, c);
            double *dst = cc_matrix_plane(&w->applied, k, c);
            for (long u = 0; u < g.k_h; u++)
                for (long v = 0; v < g.k_w; v++)
                    dst[u * g.k_w + v] = g.mode == CC_MODE_CONVOLUTION
                                             ? src[(g.k_h - 1 - u) * g.k_w + (g.k_w - 1 - v)]
                                             : src[u * g.k_w + v];
        }
    if ((rc = pool ? cc__walk_pool_compute(w, err) : compute_output(w, err)))
        goto fail;
    apply_activation(w);
    w->per_kernel = pool ? 0 : 1;
    w->per_scatter = g.op == CC_OP_TRANSPOSED && g.view != CC_TVIEW_CONV
                         ? (size_t)g.in_h * (size_t)g.in_w
                         : 0;
    w->per_cell = g.op == CC_OP_TRANSPOSED && g.view == CC_TVIEW_SCATTER
                      ? 0
                      : (size_t)g.out_h * (size_t)g.out_w;
    /* K*(H*W + OH*OW) <= 2^27: no overflow */
    w->nsteps = 2 + (g.activation != CC_ACT_NONE) +
                (size_t)g.filters * (w->per_kernel + w->per_scatter + w->per_cell);
    *out = w;
    return CC_OK;
fail:
    cc_walk_free(w);
    return rc;
}

int cc_walk_example(cc_matrix *image, cc_matrix *kernel, cc_walk_spec *spec, cc_error *err)
{
    static const double img[15] = {2, 1, 2, 3, 1, 3, 9, 1, 1, 4, 4, 5, 0, 7, 0};
    static const double ker[9] = {-1, 0, 1, -2, 0, 2, -1, 0, 1};
    int rc = cc_matrix_from(image, 1, 1, 3, 5, img, err);
    if (rc)
        return rc;
    if ((rc = cc_matrix_from(kernel, 1, 1, 3, 3, ker, err))) {
        cc_matrix_free(image);
        return rc;
    }
    cc_walk_spec_init(spec);
    spec->input = image;
    spec->kernels = kernel;
    spec->pad_top = spec->pad_bottom = spec->pad_left = spec->pad_right = 1;
    spec->mode = CC_MODE_CONVOLUTION;
    return CC_OK;
}

int cc_walk_new_example(cc_walk **out, cc_error *err)
{
    cc_matrix image, kernel;
    cc_walk_spec spec;
    *out = NULL;
    int rc = cc_walk_example(&image, &kernel, &spec, err);
    if (rc)
        return rc;
    rc = cc_walk_new(out, &spec, err);
    cc_matrix_free(&image);
    cc_matrix_free(&kernel);
    return rc;
}

const cc_walk_geom *cc_walk_geometry(const cc_walk *w) { return &w->g; }
const cc_matrix *cc_walk_input(const cc_walk *w) { return &w->input; }
const cc_matrix *cc_walk_padded(const cc_walk *w) { return &w->padded; }
const cc_matrix *cc_walk_kernels(const cc_walk *w) { return &w->kernels; }
const cc_matrix *cc_walk_applied(const cc_walk *w) { return &w->applied; }
const cc_matrix *cc_walk_output(const cc_walk *w) { return &w->output; }
const cc_matrix *cc_walk_preact(const cc_walk *w) { return &w->preact; }

double cc_walk_bias(const cc_walk *w, long k)
{
    return k >= 0 && k < w->g.filters ? w->bias[k] : 0.0;
}

size_t cc_walk_nsteps(const cc_walk *w) { return w->nsteps; }

static size_t per_filter(const cc_walk *w)
{
    return w->per_kernel + w->per_scatter + w->per_cell;
}

size_t cc_walk_cell_step(const cc_walk *w, long k, long row, long col)
{
    const cc_walk_geom *g = &w->g;
    if (k < 0 || k >= g->filters)
        return (size_t)-1;
    size_t base = 1 + (size_t)k * per_filter(w);
    if (row == -1 && col == -1)
        return base;
    if (!w->per_cell || row < 0 || row >= g->out_h || col < 0 || col >= g->out_w)
        return (size_t)-1;
    return base + w->per_kernel + w->per_scatter + (size_t)row * (size_t)g->out_w +
           (size_t)col;
}

size_t cc_walk_scatter_step(const cc_walk *w, long k, long row, long col)
{
    const cc_walk_geom *g = &w->g;
    if (!w->per_scatter || k < 0 || k >= g->filters || row < 0 || row >= g->in_h || col < 0 ||
        col >= g->in_w)
        return (size_t)-1;
    return 1 + (size_t)k * per_filter(w) + w->per_kernel + (size_t)row * (size_t)g->in_w +
           (size_t)col;
}

void cc_walk_step_free(cc_walk_step *st)
{
    if (!st)
        return;
    free(st->buf_);
    free(st->tbuf_);
    memset(st, 0, sizeof *st);
}

int cc__walk_step_reserve(cc_walk_step *st, size_t n, size_t t, cc_error *err)
{
    if (n > st->cap_) {
        double *nb = realloc(st->buf_, n * sizeof(double));
        if (!nb)
            return cc_error_set(err, CC_ENOMEM, "out of memory");
        st->buf_ = nb;
        st->cap_ = n;
    }
    if (t > st->tcap_) {
        unsigned char *nt = realloc(st->tbuf_, t);
        if (!nt)
            return cc_error_set(err, CC_ENOMEM, "out of memory");
        st->tbuf_ = nt;
        st->tcap_ = t;
    }
    return CC_OK;
}

/* A CELL step of a convolution (or of a transposed walk's equivalent
 * convolution). */
static int conv_cell(const cc_walk *w, cc_walk_step *st, cc_error *err)
{
    const cc_walk_geom *g = &w->g;
    size_t taps = (size_t)g->channels * (size_t)g->k_h * (size_t)g->k_w; /* <= 2^26 */
    int rc = cc__walk_step_reserve(st, 2 * taps + (size_t)g->channels, 0, err);
    if (rc)
        return rc;
    double *window = st->buf_, *prod = st->buf_ + taps, *csum = st->buf_ + 2 * taps;
    st->win_row = st->out_row * cc__walk_cell_stride_h(g);
    st->win_col = st->out_col * cc__walk_cell_stride_w(g);
    double total = 0;
    for (long c = 0; c < g->channels; c++) {
        const double *pl = cc_matrix_plane(&w->padded, 0, c);
        const double *ker = st->kernel + (size_t)c * (size_t)g->k_h * (size_t)g->k_w;
        double s = 0;
        for (long u = 0; u < g->k_h; u++)
            for (long v = 0; v < g->k_w; v++) {
                size_t t = ((size_t)c * (size_t)g->k_h + (size_t)u) * (size_t)g->k_w + (size_t)v;
                window[t] = pl[(st->win_row + u * g->dilation_h) * g->padded_w + st->win_col +
                               v * g->dilation_w];
                double p = window[t] * ker[u * g->k_w + v];
                prod[t] = p == 0.0 ? 0.0 : p;
                s += p;
            }
        csum[c] = s == 0.0 ? 0.0 : s;
        total += s;
    }
    st->window = window;
    st->products = prod;
    st->channel_sums = csum;
    st->sum = total == 0.0 ? 0.0 : total;
    return CC_OK;
}

int cc_walk_step_get(const cc_walk *w, size_t i, cc_walk_step *st, cc_error *err)
{
    const cc_walk_geom *g = &w->g;
    if (i >= w->nsteps)
        return cc_error_set(err, CC_EINVAL, "there is no step %zu (the walk has %zu steps)",
                            i + 1, w->nsteps);
    double *buf = st->buf_;
    size_t cap = st->cap_, tcap = st->tcap_;
    unsigned char *tbuf = st->tbuf_;
    memset(st, 0, sizeof *st);
    st->buf_ = buf;
    st->cap_ = cap;
    st->tbuf_ = tbuf;
    st->tcap_ = tcap;
    st->index = i;
    st->winner = -1;
    if (i == 0) {
        st->kind = CC_STEP_PAD;
        return CC_OK;
    }
    if (i == w->nsteps - 1) {
        st->kind = CC_STEP_OUTPUT;
        return CC_OK;
    }
    if (g->activation != CC_ACT_NONE && i == w->nsteps - 2) {
        st->kind = CC_STEP_ACTIVATION;
        return CC_OK;
    }
    size_t per = per_filter(w);
    size_t k = (i - 1) / per, r = (i - 1) % per;
    int pool = g->op == CC_OP_MAX_POOL || g->op == CC_OP_AVG_POOL;
    st->filter = (long)k;
    st->channels = pool ? 1 : g->channels;
    st->k_h = g->k_h;
    st->k_w = g->k_w;
    st->kernel = pool ? NULL : cc_matrix_plane(&w->applied, (long)k, 0);
    st->bias = w->bias[k];
    if (r < w->per_kernel) {
        st->kind = CC_STEP_KERNEL;
        return CC_OK;
    }
    r -= w->per_kernel;
    if (r < w->per_scatter) {
        st->kind = CC_STEP_SCATTER;
        st->in_row = (long)(r / (size_t)g->in_w);
        st->in_col = (long)(r % (size_t)g->in_w);
        st->kernel = cc_matrix_plane(&w->kernels, (long)k, 0);
        return cc__walk_scatter(w, st, err);
    }
    r -= w->per_scatter;
    st->kind = CC_STEP_CELL;
    st->out_row = (long)(r / (size_t)g->out_w);
    st->out_col = (long)(r % (size_t)g->out_w);
    int rc = pool ? cc__walk_pool_cell(w, st, err) : conv_cell(w, st, err);
    if (rc)
        return rc;
    size_t at = (size_t)st->out_row * (size_t)g->out_w + (size_t)st->out_col;
    st->value = cc_matrix_plane(&w->preact, (long)k, 0)[at];
    st->activated = cc_matrix_plane(&w->output, (long)k, 0)[at];
    return CC_OK;
}

int cc_walk_values_equal(double expected, double got)
{
    double d = fabs(expected - got);
    double scale = fmax(fabs(expected), fabs(got));
    return d <= 1e-9 * (scale > 1 ? scale : 1);
}

size_t cc_walk_check_cell(const cc_walk_step *st, double got_value,
                          const double *got_products, unsigned char *wrong, int *value_ok)
{
    size_t nwrong = 0;
    int ok = st->kind == CC_STEP_CELL && cc_walk_values_equal(st->value, got_value);
    if (!ok)
        nwrong++;
    if (value_ok)
        *value_ok = ok;
    if (st->kind != CC_STEP_CELL)
        return nwrong;
    size_t taps = (size_t)st->channels * (size_t)st->k_h * (size_t)st->k_w;
    for (size_t t = 0; st->products && t < taps; t++) {
        int bad = got_products && !cc_walk_values_equal(st->products[t], got_products[t]);
        if (wrong)
            wrong[t] = (unsigned char)bad;
        nwrong += (size_t)bad;
    }
    return nwrong;
}
