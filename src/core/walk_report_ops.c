/* walk_report_ops.c - rendering what a transposed convolution, pooling and
 * an activation add to a walk: their header lines, the titles and bodies of
 * their steps (text, JSON; LaTeX in walk_report_latex_ops.c). walk_report.c and walk_report_fmt.c ask
 * here first; each function returns 1 when it rendered the step. */
#include <stdio.h>
#include <string.h>

#include "walk_report_priv.h"

static int is_pool(const cc_walk_geom *g)
{
    return g->op == CC_OP_MAX_POOL || g->op == CC_OP_AVG_POOL;
}

/* "1 on every side" or "top 1, bottom 0, left 1, right 1" */
static void tconv_formula(cc_buf *out, long in, long s, long pb, long pe, long d, long k,
                          long op, long o)
{
    cc_buf_printf(out, "(%ld - 1)*%ld - %ld - %ld + %ld*(%ld - 1) + %ld + 1 = %ld", in, s, pb, pe,
                  d, k, op, o);
}

static void pool_formula(cc_buf *out, int ceil_mode, long in, long pb, long pe, long eff, long s,
                         long o)
{
    cc_buf_printf(out, "%s((%ld + %ld + %ld - %ld) / %ld) + 1 = %ld", ceil_mode ? "ceil" : "floor",
                  in, pb, pe, eff, s, o);
}

static const char *act_formula(cc_activation a)
{
    switch (a) {
    case CC_ACT_RELU: return "relu(x) = max(0, x)";
    case CC_ACT_LEAKY_RELU: return "leaky-relu(x) = x if x > 0, else slope*x";
    case CC_ACT_SIGMOID: return "sigmoid(x) = 1 / (1 + e^-x)";
    case CC_ACT_TANH: return "tanh(x) = (e^x - e^-x) / (e^x + e^-x)";
    default: return "";
    }
}

void cc__wr_activation_line(cc_buf *out, const cc_walk *w, const char *bol, const char *eol)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    if (g->activation == CC_ACT_NONE)
        return;
    cc_buf_printf(out, "%sactivation: %s after the %s: %s", bol, cc_activation_name(g->activation),
                  is_pool(g) ? "pooling" : g->has_bias ? "bias" : "sum",
                  act_formula(g->activation));
    if (g->activation == CC_ACT_LEAKY_RELU) {
        char s[64];
        cc_buf_printf(out, ", slope %s", cc__wr_num(s, sizeof s, g->slope));
    }
    cc_buf_puts(out, eol);
}

int cc__wr_ops_header(cc_buf *out, const cc_walk *w, const char *bol, const char *eol)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    if (g->op == CC_OP_CONV)
        return 0;
    if (is_pool(g)) {
        cc_buf_printf(out, "%sinput %ldx%ld (%ld %s), %s with a %ldx%ld window%s%s", bol, g->in_h,
                      g->in_w, g->channels, cc__wr_plural(g->channels, "channel", "channels"),
                      cc_walk_op_name(g->op), g->k_h, g->k_w,
                      g->integer ? ", whole numbers (exact)" : "", eol);
        if (g->op == CC_OP_MAX_POOL)
            cc_buf_printf(out, "%seach channel on its own: the largest value of each window "
                               "(padding never wins), as PyTorch's max_pool2d%s",
                          bol, eol);
        else
            cc_buf_printf(out, "%seach channel on its own: the mean of each window, dividing by "
                               "%s, as PyTorch's avg_pool2d%s",
                          bol,
                          g->count_include_pad ? "every cell of the window in the padded input "
                                                 "(count_include_pad)"
                                               : "the input cells only",
                          eol);
        cc_buf_printf(out, "%sstride %ldx%ld, dilation %ldx%ld, padding ", bol, g->stride_h,
                      g->stride_w, g->dilation_h, g->dilation_w);
        cc__wr_pad_words(out, g);
        cc_buf_printf(out, "%s%s", g->ceil_mode ? ", ceil mode" : "", eol);
        cc_buf_printf(out, "%soutput height: ", bol);
        pool_formula(out, g->ceil_mode, g->in_h, g->pad_top, g->pad_bottom, g->eff_h, g->stride_h,
                     g->out_h);
        cc_buf_printf(out, "%s%soutput width: ", eol, bol);
        pool_formula(out, g->ceil_mode, g->in_w, g->pad_left, g->pad_right, g->eff_w, g->stride_w,
                     g->out_w);
        cc_buf_puts(out, eol);
        cc__wr_activation_line(out, w, bol, eol);
        return 1;
    }
    cc_buf_printf(out, "%sinput %ldx%ld (%ld %s), %ld %s of %ldx%ld%s%s", bol, g->in_h, g->in_w,
                  g->channels, cc__wr_plural(g->channels, "channel", "channels"), g->filters,
                  cc__wr_plural(g->filters, "filter", "filters"), g->k_h, g->k_w,
                  g->integer ? ", whole numbers (exact)" : "", eol);
    cc_buf_printf(out, "%stransposed convolution, as PyTorch's conv_transpose2d with the kernel as "
                       "written%s",
                  bol, eol);
    cc_buf_printf(out, "%sscatter view: each input cell times the kernel, added into the output%s",
                  bol, eol);
    cc_buf_printf(out, "%sconvolution view: %ldx%ld zeros between input cells, a border of "
                       "%ld/%ld/%ld/%ld (top/bottom/left/right), the flipped kernel, stride 1%s",
                  bol, g->stride_h - 1, g->stride_w - 1, g->border_top, g->border_bottom,
                  g->border_left, g->border_right, eol);
    cc_buf_printf(out, "%sstride %ldx%ld, dilation %ldx%ld, padding ", bol, g->stride_h,
                  g->stride_w, g->dilation_h, g->dilation_w);
    cc__wr_pad_words(out, g);
    cc_buf_printf(out, ", output padding %ldx%ld%s", g->output_padding_h, g->output_padding_w,
                  eol);
    if (g->has_bias) {
        cc_buf_printf(out, "%sbias:", bol);
        char s[64];
        for (long k = 0; k < g->filters; k++)
            cc_buf_printf(out, " %s", cc__wr_num(s, sizeof s, cc_walk_bias(w, k)));
        cc_buf_puts(out, eol);
    }
    cc_buf_printf(out, "%soutput height: ", bol);
    tconv_formula(out, g->in_h, g->stride_h, g->pad_top, g->pad_bottom, g->dilation_h, g->k_h,
                  g->output_padding_h, g->out_h);
    cc_buf_printf(out, "%s%soutput width: ", eol, bol);
    tconv_formula(out, g->in_w, g->stride_w, g->pad_left, g->pad_right, g->dilation_w, g->k_w,
                  g->output_padding_w, g->out_w);
    cc_buf_puts(out, eol);
    cc__wr_activation_line(out, w, bol, eol);
    return 1;
}

int cc__wr_ops_title(cc_buf *out, const cc_walk *w, const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    switch (st->kind) {
    case CC_STEP_PAD:
        if (g->op == CC_OP_TRANSPOSED) {
            cc_buf_printf(out, "for the convolution view, insert zeros between the input cells "
                               "and add the border (%ldx%ld becomes %ldx%ld)",
                          g->in_h, g->in_w, g->padded_h, g->padded_w);
            return 1;
        }
        if (is_pool(g) && (g->over_h || g->over_w)) {
            cc_buf_printf(out, "pad the input (%ldx%ld becomes %ldx%ld, with %ld row(s) and %ld "
                               "column(s) that only ceil mode reaches)",
                          g->in_h, g->in_w, g->padded_h, g->padded_w, g->over_h, g->over_w);
            return 1;
        }
        return 0;
    case CC_STEP_KERNEL:
        if (g->op != CC_OP_TRANSPOSED)
            return 0;
        cc_buf_puts(out, "the kernel as written (scatter view) and flipped by 180 degrees "
                         "(convolution view)");
        if (g->filters > 1)
            cc_buf_printf(out, ", filter %ld", st->filter + 1);
        return 1;
    case CC_STEP_SCATTER:
        cc_buf_printf(out, "scatter input cell (%ld, %ld)", st->in_row + 1, st->in_col + 1);
        if (g->filters > 1)
            cc_buf_printf(out, " into filter %ld's output", st->filter + 1);
        return 1;
    case CC_STEP_CELL:
        if (g->op == CC_OP_TRANSPOSED) {
            cc_buf_printf(out, "convolution view, output cell (%ld, %ld)", st->out_row + 1,
                          st->out_col + 1);
            if (g->filters > 1)
                cc_buf_printf(out, " of filter %ld", st->filter + 1);
            return 1;
        }
        if (!is_pool(g))
            return 0;
        cc_buf_printf(out, "output cell (%ld, %ld)", st->out_row + 1, st->out_col + 1);
        if (g->channels > 1)
            cc_buf_printf(out, " of channel %ld", st->filter + 1);
        cc_buf_puts(out, g->op == CC_OP_MAX_POOL ? ": the largest value" : ": the mean");
        return 1;
    case CC_STEP_ACTIVATION:
        cc_buf_printf(out, "apply %s to every output value", cc_activation_name(g->activation));
        return 1;
    case CC_STEP_OUTPUT:
        if (!is_pool(g))
            return 0;
        cc_buf_printf(out, "the output (%ld %s of %ldx%ld, one per channel)", g->filters,
                      cc__wr_plural(g->filters, "matrix", "matrices"), g->out_h, g->out_w);
        return 1;
    }
    return 0;
}

/* The text of one pooling tap: padding "pad" (max) or "0" (avg), taps
 * past the padding "-", the max in brackets. */
static void pool_tap(char *s, size_t size, const cc_walk *w, const cc_walk_step *st, long t)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    char v[48];
    if (st->taps[t] == CC_TAP_OUTSIDE)
        snprintf(s, size, "-");
    else if (st->taps[t] == CC_TAP_PAD)
        snprintf(s, size, "%s", g->op == CC_OP_MAX_POOL ? "pad" : "0");
    else if (t == st->winner)
        snprintf(s, size, "[%s]", cc__wr_num(v, sizeof v, st->window[t]));
    else
        cc__wr_num(s, size, st->window[t]);
}

/* A pooling window as a grid, columns right-aligned. */
static void pool_grid(cc__wr_block *b, const cc_walk *w, const cc_walk_step *st)
{
    char s[64];
    cc__wr_block_line(b, "window");
    b->first = b->nlines;
    b->rows = (size_t)st->k_h;
    for (long u = 0; u < st->k_h; u++) {
        cc_buf line = {0};
        for (long v = 0; v < st->k_w; v++) {
            int width = 1;
            for (long r = 0; r < st->k_h; r++) {
                pool_tap(s, sizeof s, w, st, r * st->k_w + v);
                if ((int)strlen(s) > width)
                    width = (int)strlen(s);
            }
            pool_tap(s, sizeof s, w, st, u * st->k_w + v);
            cc_buf_printf(&line, "%s%*s", v ? " " : "", width, s);
        }
        cc__wr_block_line(b, cc_buf_str(&line));
        if (cc_buf_failed(&line))
            b->text.failed = 1;
        cc_buf_free(&line);
    }
}

/* The terms an average pooling window sums: "1 + (-2) + 0" (padding
 * only with count_include_pad, cells only ceil mode reaches never). */
void cc__wr_pool_terms(cc_buf *out, const cc_walk *w, const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    int first = 1;
    for (long t = 0; t < st->k_h * st->k_w; t++) {
        if (st->taps[t] == CC_TAP_OUTSIDE || (st->taps[t] == CC_TAP_PAD && !g->count_include_pad))
            continue;
        cc_buf_puts(out, first ? "" : " + ");
        cc__wr_factor(out, st->window[t]);
        first = 0;
    }
}

static void pool_text(cc_buf *out, const cc_walk *w, const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    char s[64];
    cc_buf_puts(out, "  ");
    cc__wr_window_where(out, w, st);
    cc_buf_puts(out, "\n");
    cc__wr_block bs[1];
    memset(bs, 0, sizeof bs);
    pool_grid(&bs[0], w, st);
    cc__wr_blocks_emit(out, bs, NULL, 1);
    if (g->op == CC_OP_MAX_POOL) {
        long t = st->winner;
        cc_buf_printf(out, "  max of the input cells: %s at window row %ld, column %ld (input "
                           "row %ld, column %ld)\n",
                      cc__wr_num(s, sizeof s, st->value), t / st->k_w + 1, t % st->k_w + 1,
                      st->win_row + (t / st->k_w) * g->dilation_h - g->pad_top + 1,
                      st->win_col + (t % st->k_w) * g->dilation_w - g->pad_left + 1);
    } else {
        cc_buf_puts(out, "  mean: (");
        cc__wr_pool_terms(out, w, st);
        char v[64];
        cc_buf_printf(out, ") / %ld = %s / %ld = %s\n", st->count,
                      cc__wr_num(s, sizeof s, st->sum), st->count,
                      cc__wr_num(v, sizeof v, st->value));
    }
    if (g->activation != CC_ACT_NONE) {
        char a[64];
        cc_buf_printf(out, "  %s(%s) = %s\n", cc_activation_name(g->activation),
                      cc__wr_num(s, sizeof s, st->value), cc__wr_num(a, sizeof a, st->activated));
    }
    cc_buf_printf(out, "  ");
    if (g->channels > 1)
        cc_buf_printf(out, "channel %ld ", st->filter + 1);
    cc_buf_printf(out, "output(%ld, %ld) = %s\n", st->out_row + 1, st->out_col + 1,
                  cc__wr_num(s, sizeof s, st->activated));
}

/* "output rows 1-2, columns 3-4" (dash between the ends) where scatter
 * step st adds its values, and the dilation if any; returns how many of
 * them fall outside the output (cut by the padding). */
long cc__wr_scatter_where(cc_buf *out, const cc_walk *w, const cc_walk_step *st, const char *dash)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    long r0 = st->win_row, c0 = st->win_col, cut = 0;
    for (long u = 0; u < st->k_h; u++)
        for (long v = 0; v < st->k_w; v++) {
            long r = r0 + u * g->dilation_h, q = c0 + v * g->dilation_w;
            cut += r < 0 || r >= g->out_h || q < 0 || q >= g->out_w;
        }
    cc_buf_printf(out, "output rows %ld%s%ld, columns %ld%s%ld", r0 + 1, dash,
                  r0 + (st->k_h - 1) * g->dilation_h + 1, c0 + 1, dash,
                  c0 + (st->k_w - 1) * g->dilation_w + 1);
    if (g->dilation_h > 1 || g->dilation_w > 1)
        cc_buf_printf(out, " (every %ld-th row, %ld-th column: dilation)", g->dilation_h,
                      g->dilation_w);
    return cut;
}

static void scatter_text(cc_buf *out, const cc_walk *w, const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    char s[64], lab[96];
    cc__wr_block bs[3];
    memset(bs, 0, sizeof bs);
    long kk = st->k_h * st->k_w;
    for (long c = 0; c < st->channels; c++) {
        cc_matrix val = {1, 1, 1, 1, (double *)st->window + c};
        cc_matrix prod = {1, 1, st->k_h, st->k_w, (double *)st->products + c * kk};
        snprintf(lab, sizeof lab, "input(%ld, %ld)%s", st->in_row + 1, st->in_col + 1,
                 st->channels > 1 ? "" : "");
        if (st->channels > 1)
            snprintf(lab + strlen(lab), sizeof lab - strlen(lab), ", channel %ld", c + 1);
        cc__wr_block_line(&bs[0], lab);
        cc__wr_block_matrix(&bs[0], &val, 0, 0);
        snprintf(lab, sizeof lab, "kernel%s", st->channels > 1 ? "" : "");
        if (st->channels > 1)
            snprintf(lab + strlen(lab), sizeof lab - strlen(lab), ", channel %ld", c + 1);
        cc__wr_block_line(&bs[1], lab);
        cc__wr_block_matrix(&bs[1], cc_walk_kernels(w), st->filter, c);
        cc__wr_block_line(&bs[2], "product");
        cc__wr_block_matrix(&bs[2], &prod, 0, 0);
        bs[0].first = bs[1].first;
        const char *ops[2] = {"*", "="};
        cc__wr_blocks_emit(out, bs, ops, 3);
    }
    if (st->channels > 1) {
        cc_matrix con = {1, 1, st->k_h, st->k_w, (double *)st->contrib};
        cc__wr_block_line(&bs[0], "contribution (the channels added)");
        cc__wr_block_matrix(&bs[0], &con, 0, 0);
        cc__wr_blocks_emit(out, bs, NULL, 1);
    }
    /* where it lands */
    cc_buf_puts(out, "  added into ");
    long cut = cc__wr_scatter_where(out, w, st, "-");
    if (cut)
        cc_buf_printf(out, "; %ld of its values fall outside the %ldx%ld output (rows/columns "
                           "below 1 or past the end): cut by the padding",
                      cut, g->out_h, g->out_w);
    cc_buf_puts(out, "\n");
    cc_matrix part = {1, 1, g->out_h, g->out_w, (double *)st->partial};
    snprintf(lab, sizeof lab, "output so far%s", g->has_bias ? " (the bias comes last)" : "");
    cc__wr_block_line(&bs[0], lab);
    cc__wr_block_matrix(&bs[0], &part, 0, 0);
    cc__wr_blocks_emit(out, bs, NULL, 1);
    (void)s;
}

static void activation_text(cc_buf *out, const cc_walk *w)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    char lab[96];
    cc__wr_block bs[2];
    memset(bs, 0, sizeof bs);
    cc_buf_printf(out, "  %s", act_formula(g->activation));
    if (g->activation == CC_ACT_LEAKY_RELU) {
        char s[64];
        cc_buf_printf(out, ", slope %s", cc__wr_num(s, sizeof s, g->slope));
    }
    cc_buf_puts(out, "\n");
    for (long k = 0; k < g->filters; k++) {
        const char *what = is_pool(g) ? "channel" : "filter";
        if (g->filters > 1)
            snprintf(lab, sizeof lab, "%s %ld, before", what, k + 1);
        else
            snprintf(lab, sizeof lab, "before");
        cc__wr_block_line(&bs[0], lab);
        cc__wr_block_matrix(&bs[0], cc_walk_preact(w), k, 0);
        snprintf(lab, sizeof lab, "after %s", cc_activation_name(g->activation));
        cc__wr_block_line(&bs[1], lab);
        cc__wr_block_matrix(&bs[1], cc_walk_output(w), k, 0);
        const char *ops[1] = {"->"};
        cc__wr_blocks_emit(out, bs, ops, 2);
    }
}

int cc__wr_ops_text(cc_buf *out, const cc_walk *w, const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    switch (st->kind) {
    case CC_STEP_SCATTER:
        scatter_text(out, w, st);
        return 1;
    case CC_STEP_ACTIVATION:
        activation_text(out, w);
        return 1;
    case CC_STEP_CELL:
        if (!is_pool(g))
            return 0;
        pool_text(out, w, st);
        return 1;
    default:
        return 0;
    }
}

int cc__wr_ops_json(cc_buf *out, const cc_walk *w, const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    long kk = st->k_h * st->k_w;
    switch (st->kind) {
    case CC_STEP_SCATTER: {
        cc_matrix prod = {1, st->channels, st->k_h, st->k_w, (double *)st->products};
        cc_matrix con = {1, 1, st->k_h, st->k_w, (double *)st->contrib};
        cc_matrix part = {1, 1, g->out_h, g->out_w, (double *)st->partial};
        cc_buf_printf(out, ",\"filter\":%ld,\"input_row\":%ld,\"input_col\":%ld,"
                           "\"output_row\":%ld,\"output_col\":%ld,\"values\":",
                      st->filter, st->in_row, st->in_col, st->win_row, st->win_col);
        cc__wr_json_list(out, st->window, st->channels);
        cc_buf_puts(out, ",\"products\":");
        cc__wr_json_channels(out, &prod, 0);
        cc_buf_puts(out, ",\"contribution\":");
        cc_matrix_render(out, &con, 0, 0, CC_FORMAT_JSON, 0);
        cc_buf_puts(out, ",\"partial\":");
        cc_matrix_render(out, &part, 0, 0, CC_FORMAT_JSON, 0);
        return 1;
    }
    case CC_STEP_ACTIVATION:
        cc_buf_printf(out, ",\"activation\":\"%s\",\"before\":[", cc_activation_name(g->activation));
        for (long k = 0; k < g->filters; k++) {
            if (k)
                cc_buf_putc(out, ',');
            cc_matrix_render(out, cc_walk_preact(w), k, 0, CC_FORMAT_JSON, 0);
        }
        cc_buf_puts(out, "]");
        return 1;
    case CC_STEP_CELL: {
        if (!is_pool(g))
            return 0;
        cc_matrix win = {1, 1, st->k_h, st->k_w, (double *)st->window};
        cc_buf_printf(out, ",\"channel\":%ld,\"row\":%ld,\"col\":%ld,\"window_row\":%ld,"
                           "\"window_col\":%ld,\"window\":",
                      st->filter, st->out_row, st->out_col, st->win_row, st->win_col);
        cc_matrix_render(out, &win, 0, 0, CC_FORMAT_JSON, 0);
        cc_buf_puts(out, ",\"taps\":[");
        for (long t = 0; t < kk; t++)
            cc_buf_printf(out, "%s\"%s\"", t ? "," : "",
                          st->taps[t] == CC_TAP_INPUT ? "input"
                          : st->taps[t] == CC_TAP_PAD ? "pad"
                                                      : "outside");
        cc_buf_puts(out, "]");
        if (g->op == CC_OP_MAX_POOL)
            cc_buf_printf(out, ",\"winner\":[%ld,%ld]", st->winner / st->k_w,
                          st->winner % st->k_w);
        else {
            cc_buf_puts(out, ",\"sum\":");
            cc__wr_json_num(out, st->sum);
            cc_buf_printf(out, ",\"count\":%ld", st->count);
        }
        cc_buf_puts(out, ",\"value\":");
        cc__wr_json_num(out, st->value);
        cc_buf_puts(out, ",\"activated\":");
        cc__wr_json_num(out, st->activated);
        return 1;
    }
    default:
        return 0;
    }
}
