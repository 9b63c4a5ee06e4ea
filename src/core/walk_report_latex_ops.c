/* walk_report_latex_ops.c - the steps a transposed convolution, pooling
 * and an activation add to a walk, as LaTeX (amsmath: bmatrix, aligned
 * equations): the scatter of one input cell, one pooling window, the
 * activation of every output value. walk_report_fmt.c asks here first. */
#include <stdio.h>
#include <string.h>

#include "walk_report_priv.h"

static int is_pool(const cc_walk_geom *g)
{
    return g->op == CC_OP_MAX_POOL || g->op == CC_OP_AVG_POOL;
}

/* \operatorname{relu} etc.: the activation as a LaTeX operator. */
static void act_name(cc_buf *out, cc_activation a)
{
    switch (a) {
    case CC_ACT_TANH: cc_buf_puts(out, "\\tanh"); break;
    case CC_ACT_LEAKY_RELU: cc_buf_puts(out, "\\operatorname{leaky\\text{-}relu}"); break;
    default: cc_buf_printf(out, "\\operatorname{%s}", cc_activation_name(a)); break;
    }
}

/* The activation's definition, one display line. */
static void act_formula(cc_buf *out, const cc_walk_geom *g)
{
    char s[64];
    act_name(out, g->activation);
    switch (g->activation) {
    case CC_ACT_RELU: cc_buf_puts(out, "(x) = \\max(0, x)"); break;
    case CC_ACT_LEAKY_RELU:
        cc_buf_printf(out, "(x) = \\begin{cases} x & x > 0 \\\\ %s\\,x & x \\le 0 \\end{cases}",
                      cc__wr_num(s, sizeof s, g->slope));
        break;
    case CC_ACT_SIGMOID: cc_buf_puts(out, "(x) = \\frac{1}{1 + e^{-x}}"); break;
    case CC_ACT_TANH: cc_buf_puts(out, "(x) = \\frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}"); break;
    default: cc_buf_puts(out, "(x) = x"); break;
    }
}

/* A pooling window as a bmatrix: the winner boxed (max), padding shown
 * as "pad" (max, never wins) or its 0 (avg), cells only ceil mode reaches
 * as a dot. */
static void pool_window(cc_buf *out, const cc_walk *w, const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    char s[64];
    cc_buf_puts(out, "\\begin{bmatrix}");
    for (long u = 0; u < st->k_h; u++) {
        cc_buf_puts(out, u ? " \\\\ " : " ");
        for (long v = 0; v < st->k_w; v++) {
            long t = u * st->k_w + v;
            if (v)
                cc_buf_puts(out, " & ");
            if (st->taps[t] == CC_TAP_OUTSIDE)
                cc_buf_puts(out, "\\cdot");
            else if (st->taps[t] == CC_TAP_PAD && g->op == CC_OP_MAX_POOL)
                cc_buf_puts(out, "\\text{pad}");
            else if (st->taps[t] == CC_TAP_PAD)
                cc_buf_puts(out, "0");
            else if (g->op == CC_OP_MAX_POOL && t == st->winner)
                cc_buf_printf(out, "\\boxed{%s}", cc__wr_num(s, sizeof s, st->window[t]));
            else
                cc_buf_puts(out, cc__wr_num(s, sizeof s, st->window[t]));
        }
    }
    cc_buf_puts(out, " \\end{bmatrix}");
}

static void pool_latex(cc_buf *out, const cc_walk *w, const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    char s[64], v[64];
    cc_buf_puts(out, "The ");
    cc__wr_window_where(out, w, st);
    cc_buf_puts(out, ":\n\\begin{gather*}\n");
    if (g->op == CC_OP_MAX_POOL) {
        cc_buf_puts(out, "\\max ");
        pool_window(out, w, st);
        cc_buf_printf(out, " = %s", cc__wr_num(s, sizeof s, st->value));
    } else {
        cc_buf_puts(out, "\\operatorname{mean} ");
        pool_window(out, w, st);
        cc_buf_puts(out, " = \\frac{");
        cc__wr_pool_terms(out, w, st);
        cc_buf_printf(out, "}{%ld} = \\frac{%s}{%ld} = %s", st->count,
                      cc__wr_num(s, sizeof s, st->sum), st->count,
                      cc__wr_num(v, sizeof v, st->value));
    }
    cc_buf_puts(out, " \\\\\n");
    if (g->activation != CC_ACT_NONE) {
        act_name(out, g->activation);
        cc_buf_printf(out, "(%s) = %s \\\\\n", cc__wr_num(s, sizeof s, st->value),
                      cc__wr_num(v, sizeof v, st->activated));
    }
    cc_buf_puts(out, "y");
    if (g->channels > 1)
        cc_buf_printf(out, "^{(%ld)}", st->filter + 1);
    cc_buf_printf(out, "_{%ld,%ld} = %s\n\\end{gather*}\n", st->out_row + 1, st->out_col + 1,
                  cc__wr_num(s, sizeof s, st->activated));
}

static void scatter_latex(cc_buf *out, const cc_walk *w, const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    char s[64];
    long kk = st->k_h * st->k_w;
    for (long c = 0; c < st->channels; c++) {
        cc_matrix prod = {1, 1, st->k_h, st->k_w, (double *)st->products + c * kk};
        if (st->channels > 1)
            cc_buf_printf(out, "Channel %ld:\n", c + 1);
        cc_buf_printf(out, "\\[\nx_{%ld,%ld} \\cdot K", st->in_row + 1, st->in_col + 1);
        if (g->filters > 1)
            cc_buf_printf(out, "^{(%ld)}", st->filter + 1);
        cc_buf_printf(out, " = %s \\cdot ", cc__wr_num(s, sizeof s, st->window[c]));
        cc__wr_latex_matrix(out, cc_walk_kernels(w), st->filter, c);
        cc_buf_puts(out, "\n=\n");
        cc__wr_latex_matrix(out, &prod, 0, 0);
        cc_buf_puts(out, "\n\\]\n");
    }
    if (st->channels > 1) {
        cc_matrix con = {1, 1, st->k_h, st->k_w, (double *)st->contrib};
        cc_buf_puts(out, "The channels added:\n\\[\n");
        cc__wr_latex_matrix(out, &con, 0, 0);
        cc_buf_puts(out, "\n\\]\n");
    }
    cc_buf_puts(out, "Added into ");
    long cut = cc__wr_scatter_where(out, w, st, "--");
    if (cut)
        cc_buf_printf(out, "; %ld of its values fall outside the $%ld \\times %ld$ output: cut "
                           "by the padding", cut, g->out_h, g->out_w);
    cc_buf_puts(out, ".\n");
    cc_matrix part = {1, 1, g->out_h, g->out_w, (double *)st->partial};
    cc_buf_puts(out, "\\[\nY_{\\text{so far}}");
    if (g->filters > 1)
        cc_buf_printf(out, "^{(%ld)}", st->filter + 1);
    cc_buf_puts(out, " = ");
    cc__wr_latex_matrix(out, &part, 0, 0);
    cc_buf_puts(out, "\n\\]\n");
    if (g->has_bias)
        cc_buf_puts(out, "The bias is added at the end.\n");
}

static void activation_latex(cc_buf *out, const cc_walk *w)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    cc_buf_puts(out, "\\[\n");
    act_formula(out, g);
    cc_buf_puts(out, "\n\\]\n");
    for (long k = 0; k < g->filters; k++) {
        if (g->filters > 1)
            cc_buf_printf(out, "%s %ld:\n", is_pool(g) ? "Channel" : "Filter", k + 1);
        cc_buf_puts(out, "\\[\n");
        cc__wr_latex_matrix(out, cc_walk_preact(w), k, 0);
        cc_buf_puts(out, "\n\\;\\xrightarrow{");
        act_name(out, g->activation);
        cc_buf_puts(out, "}\\;\n");
        cc__wr_latex_matrix(out, cc_walk_output(w), k, 0);
        cc_buf_puts(out, "\n\\]\n");
    }
}

int cc__wr_ops_latex(cc_buf *out, const cc_walk *w, const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    if (!(st->kind == CC_STEP_SCATTER || st->kind == CC_STEP_ACTIVATION ||
          (st->kind == CC_STEP_CELL && is_pool(g))))
        return 0;
    cc_buf_puts(out, "\\subsection*{");
    cc__wr_step_title(out, w, st);
    cc_buf_puts(out, "}\n");
    if (st->kind == CC_STEP_SCATTER)
        scatter_latex(out, w, st);
    else if (st->kind == CC_STEP_ACTIVATION)
        activation_latex(out, w);
    else
        pool_latex(out, w, st);
    return 1;
}
