/* walk_ops.c - the operations a walk works besides the convolution: the
 * transposed convolution (its geometry, the zero-inserted input of the
 * equivalent convolution, the scatter steps), max and average pooling
 * (PyTorch's max_pool2d / avg_pool2d), and the activations. See walk.h. */
#include <math.h>
#include <string.h>

#include "convcalc/arith.h"
#include "walk_priv.h"

/* ---- activations ---------------------------------------------------------------- */

static const struct {
    const char *name;
    cc_activation a;
} act_names[] = {
    {"none", CC_ACT_NONE},          {"relu", CC_ACT_RELU},
    {"leaky-relu", CC_ACT_LEAKY_RELU}, {"leaky_relu", CC_ACT_LEAKY_RELU},
    {"leakyrelu", CC_ACT_LEAKY_RELU}, {"sigmoid", CC_ACT_SIGMOID},
    {"tanh", CC_ACT_TANH},
};

int cc_activation_parse(const char *name, cc_activation *out)
{
    for (size_t i = 0; name && i < sizeof act_names / sizeof act_names[0]; i++)
        if (!strcmp(name, act_names[i].name)) {
            *out = act_names[i].a;
            return CC_OK;
        }
    return CC_EINVAL;
}

const char *cc_activation_name(cc_activation a)
{
    for (size_t i = 0; i < sizeof act_names / sizeof act_names[0]; i++)
        if (act_names[i].a == a)
            return act_names[i].name;
    return "?";
}

double cc_activation_apply(cc_activation a, double slope, double x)
{
    switch (a) {
    case CC_ACT_NONE: return x;
    case CC_ACT_RELU: return x > 0 ? x : 0.0;
    case CC_ACT_LEAKY_RELU: return x > 0 ? x : slope * x;
    case CC_ACT_SIGMOID: return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
    case CC_ACT_TANH: return tanh(x);
    }
    return x;
}

/* ---- transposed convolution ------------------------------------------------------ */

/* Prefix err's message with the dimension's name. */
static int dim_error(int rc, const char *name, cc_error *err)
{
    if (err) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        cc_error_set(err, rc, "%s: %s", name, msg);
    }
    return rc;
}

static int tconv_dim(const char *name, long in, long k, long s, long d, long pb, long pe,
                     long op, long *eff, long *border_b, long *border_e, long *padded, long *out,
                     cc_error *err)
{
    int rc = cc_tconv_out(out, in, k, s, pb, pe, d, op, err);
    if (rc)
        return dim_error(rc, name, err);
    /* all terms are checked to be <= CC_DIM_MAX (1e9) by cc_tconv_out */
    *eff = d * (k - 1) + 1;
    *border_b = *eff - 1 - pb;
    *border_e = *eff - 1 - pe + op;
    *padded = (in - 1) * s + 1 + *border_b + *border_e;
    return CC_OK;
}

int cc__walk_tconv_geom(cc_walk_geom *g, const cc_walk_spec *spec, cc_error *err)
{
    if (g->pad_kind == CC_PAD_VALID) {
        g->pad_top = g->pad_bottom = g->pad_left = g->pad_right = 0;
    } else if (g->pad_kind != CC_PAD_EXPLICIT) {
        return cc_error_set(err, CC_EINVAL,
                            "a transposed convolution takes explicit padding (a number per "
                            "side), not 'same' or 'full'");
    }
    if (spec->view < CC_TVIEW_BOTH || spec->view > CC_TVIEW_CONV)
        return cc_error_set(err, CC_EINVAL, "unknown view %d", (int)spec->view);
    g->output_padding_h = spec->output_padding_h;
    g->output_padding_w = spec->output_padding_w;
    int rc;
    if ((rc = tconv_dim("height", g->in_h, g->k_h, g->stride_h, g->dilation_h, g->pad_top,
                        g->pad_bottom, g->output_padding_h, &g->eff_h, &g->border_top,
                        &g->border_bottom, &g->padded_h, &g->out_h, err)) ||
        (rc = tconv_dim("width", g->in_w, g->k_w, g->stride_w, g->dilation_w, g->pad_left,
                        g->pad_right, g->output_padding_w, &g->eff_w, &g->border_left,
                        &g->border_right, &g->padded_w, &g->out_w, err)))
        return rc;
    return CC_OK;
}

void cc__walk_tconv_fill(cc_walk *w)
{
    const cc_walk_geom *g = &w->g;
    for (long c = 0; c < g->channels; c++) {
        const double *src = cc_matrix_plane(&w->input, 0, c);
        double *dst = cc_matrix_plane(&w->padded, 0, c);
        for (long r = 0; r < g->in_h; r++) {
            long pr = r * g->stride_h + g->border_top;
            if (pr < 0 || pr >= g->padded_h)
                continue; /* cropped by a negative border */
            for (long q = 0; q < g->in_w; q++) {
                long pc = q * g->stride_w + g->border_left;
                if (pc >= 0 && pc < g->padded_w)
                    dst[pr * g->padded_w + pc] = src[r * g->in_w + q];
            }
        }
    }
}

/* Add input cell (r, q) of every channel times filter k into out (OH x OW);
 * prod/contrib (may be NULL) receive the products and their channel sums. */
static void scatter_cell(const cc_walk *w, long k, long r, long q, double *out, double *prod,
                         double *contrib)
{
    const cc_walk_geom *g = &w->g;
    size_t kk = (size_t)g->k_h * (size_t)g->k_w;
    if (contrib)
        memset(contrib, 0, kk * sizeof(double));
    for (long c = 0; c < g->channels; c++) {
        double x = cc_matrix_plane(&w->input, 0, c)[r * g->in_w + q];
        const double *ker = cc_matrix_plane(&w->kernels, k, c);
        for (long u = 0; u < g->k_h; u++)
            for (long v = 0; v < g->k_w; v++) {
                double p = x * ker[u * g->k_w + v];
                p = p == 0.0 ? 0.0 : p;
                if (prod)
                    prod[(size_t)c * kk + (size_t)(u * g->k_w + v)] = p;
                if (contrib)
                    contrib[u * g->k_w + v] += p;
                long orow = r * g->stride_h - g->pad_top + u * g->dilation_h;
                long ocol = q * g->stride_w - g->pad_left + v * g->dilation_w;
                if (orow >= 0 && orow < g->out_h && ocol >= 0 && ocol < g->out_w)
                    out[orow * g->out_w + ocol] += p;
            }
    }
}

int cc__walk_scatter(const cc_walk *w, cc_walk_step *st, cc_error *err)
{
    const cc_walk_geom *g = &w->g;
    size_t kk = (size_t)g->k_h * (size_t)g->k_w, taps = (size_t)g->channels * kk;
    size_t outn = (size_t)g->out_h * (size_t)g->out_w;
    /* all four <= 2^26 (checked by cc_walk_new) */
    int rc = cc__walk_step_reserve(st, (size_t)g->channels + taps + kk + outn, 0, err);
    if (rc)
        return rc;
    double *vals = st->buf_, *prod = vals + g->channels, *contrib = prod + taps,
           *partial = contrib + kk;
    memset(partial, 0, outn * sizeof(double));
    for (long c = 0; c < g->channels; c++)
        vals[c] = cc_matrix_plane(&w->input, 0, c)[st->in_row * g->in_w + st->in_col];
    for (long r = 0; r <= st->in_row; r++)
        for (long q = 0; q < g->in_w && (r < st->in_row || q < st->in_col); q++)
            scatter_cell(w, st->filter, r, q, partial, NULL, NULL);
    scatter_cell(w, st->filter, st->in_row, st->in_col, partial, prod, contrib);
    for (size_t t = 0; t < outn; t++)
        if (partial[t] == 0.0)
            partial[t] = 0.0;
    st->window = vals;
    st->products = prod;
    st->contrib = contrib;
    st->partial = partial;
    st->win_row = st->in_row * g->stride_h - g->pad_top;
    st->win_col = st->in_col * g->stride_w - g->pad_left;
    return CC_OK;
}

/* ---- pooling ----------------------------------------------------------------------- */

static int pool_dim(const char *name, long in, long k, long s, long d, long pb, long pe,
                    int ceil_mode, long *eff, long *over, long *padded, long *out, cc_error *err)
{
    int rc = cc_pool_out(out, in, k, s, pb, pe, d, ceil_mode, err);
    if (rc)
        return dim_error(rc, name, err);
    *eff = d * (k - 1) + 1;
    long reach = (*out - 1) * s + *eff; /* <= the padded size + s: fits */
    *padded = in + pb + pe;
    *over = reach > *padded ? reach - *padded : 0;
    *padded += *over;
    return CC_OK;
}

int cc__walk_pool_geom(cc_walk_geom *g, const cc_walk_spec *spec, cc_error *err)
{
    if (g->pad_kind == CC_PAD_VALID)
        g->pad_top = g->pad_bottom = g->pad_left = g->pad_right = 0;
    else if (g->pad_kind != CC_PAD_EXPLICIT)
        return cc_error_set(err, CC_EINVAL,
                            "pooling takes explicit padding (a number per side), not 'same' or "
                            "'full'");
    if (spec->op == CC_OP_AVG_POOL && (g->dilation_h != 1 || g->dilation_w != 1))
        return cc_error_set(err, CC_EINVAL, "average pooling has no dilation (as avg_pool2d)");
    if (g->k_h < 1 || g->k_w < 1)
        return cc_error_set(err, CC_EINVAL, "the pooling window must be at least 1x1 (got %ldx%ld)",
                            g->k_h, g->k_w);
    int rc;
    if ((rc = pool_dim("height", g->in_h, g->k_h, g->stride_h, g->dilation_h, g->pad_top,
                       g->pad_bottom, g->ceil_mode, &g->eff_h, &g->over_h, &g->padded_h,
                       &g->out_h, err)) ||
        (rc = pool_dim("width", g->in_w, g->k_w, g->stride_w, g->dilation_w, g->pad_left,
                       g->pad_right, g->ceil_mode, &g->eff_w, &g->over_w, &g->padded_w,
                       &g->out_w, err)))
        return rc;
    return CC_OK;
}

/* Where padded row r lies along one dimension. */
static unsigned char tap_kind(long r, long pb, long in, long pe)
{
    if (r >= pb + in + pe)
        return CC_TAP_OUTSIDE;
    return r < pb || r >= pb + in ? CC_TAP_PAD : CC_TAP_INPUT;
}

/* One pooling window: values, tap kinds, winner, sum, count, value.
 * Returns 0, or -1 when no tap is an input cell. */
static int pool_window(const cc_walk *w, long c, long i, long j, double *win,
                       unsigned char *taps, long *winner, double *sum, long *count,
                       double *value)
{
    const cc_walk_geom *g = &w->g;
    const double *pl = cc_matrix_plane(&w->padded, 0, c);
    long best = -1, n = 0;
    double s = 0;
    for (long u = 0; u < g->k_h; u++)
        for (long v = 0; v < g->k_w; v++) {
            long r = i * g->stride_h + u * g->dilation_h, q = j * g->stride_w + v * g->dilation_w;
            unsigned char kr = tap_kind(r, g->pad_top, g->in_h, g->pad_bottom);
            unsigned char kq = tap_kind(q, g->pad_left, g->in_w, g->pad_right);
            unsigned char kind = kr > kq ? kr : kq;
            long t = u * g->k_w + v;
            double x = kind == CC_TAP_INPUT ? pl[r * g->padded_w + q] : 0.0;
            win[t] = x;
            taps[t] = kind;
            if (kind == CC_TAP_INPUT && (best < 0 || x > win[best]))
                best = t;
            if (kind == CC_TAP_INPUT || (kind == CC_TAP_PAD && g->count_include_pad))
                n++;
            if (kind != CC_TAP_OUTSIDE)
                s += x;
        }
    if (best < 0)
        return -1;
    *winner = best;
    *sum = s == 0.0 ? 0.0 : s;
    *count = n;
    double v = g->op == CC_OP_MAX_POOL ? win[best] : s / (double)n;
    *value = v == 0.0 ? 0.0 : v;
    return 0;
}

static int no_input_cell(cc_error *err, long i, long j)
{
    return cc_error_set(err, CC_ESHAPE,
                        "the pooling window of output cell (%ld, %ld) covers no input cell", i + 1,
                        j + 1);
}

int cc__walk_pool_compute(cc_walk *w, cc_error *err)
{
    const cc_walk_geom *g = &w->g;
    for (long c = 0; c < g->channels; c++) {
        const double *src = cc_matrix_plane(&w->input, 0, c);
        double *dst = cc_matrix_plane(&w->padded, 0, c);
        for (long r = 0; r < g->in_h; r++)
            memcpy(dst + (r + g->pad_top) * g->padded_w + g->pad_left, src + r * g->in_w,
                   (size_t)g->in_w * sizeof(double));
    }
    size_t kk = (size_t)g->k_h * (size_t)g->k_w;
    cc_walk_step tmp = {0};
    int rc = cc__walk_step_reserve(&tmp, kk, kk, err);
    for (long c = 0; !rc && c < g->channels; c++) {
        double *out = cc_matrix_plane(&w->preact, c, 0);
        for (long i = 0; !rc && i < g->out_h; i++)
            for (long j = 0; j < g->out_w; j++) {
                long winner, count;
                double sum;
                if (pool_window(w, c, i, j, tmp.buf_, tmp.tbuf_, &winner, &sum, &count,
                                &out[i * g->out_w + j])) {
                    rc = no_input_cell(err, i, j);
                    break;
                }
            }
    }
    cc_walk_step_free(&tmp);
    return rc;
}

int cc__walk_pool_cell(const cc_walk *w, cc_walk_step *st, cc_error *err)
{
    const cc_walk_geom *g = &w->g;
    size_t kk = (size_t)g->k_h * (size_t)g->k_w;
    int rc = cc__walk_step_reserve(st, kk + 1, kk, err);
    if (rc)
        return rc;
    st->win_row = st->out_row * g->stride_h;
    st->win_col = st->out_col * g->stride_w;
    double value;
    if (pool_window(w, st->filter, st->out_row, st->out_col, st->buf_, st->tbuf_, &st->winner,
                    &st->sum, &st->count, &value))
        return no_input_cell(err, st->out_row, st->out_col);
    if (g->op != CC_OP_MAX_POOL)
        st->winner = -1;
    else
        st->count = 0;
    st->window = st->buf_;
    st->taps = st->tbuf_;
    return CC_OK;
}
