/* walk_report_fmt.c - a walk's steps as LaTeX and as JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walk_report_priv.h"

/* ---- LaTeX ------------------------------------------------------------------------ */

void cc__wr_latex_matrix(cc_buf *out, const cc_matrix *m, long n, long c)
{
    cc_matrix_render(out, m, n, c, CC_FORMAT_LATEX, 0);
}

void cc__wr_step_latex(cc_buf *out, const cc_walk *w, const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    char s[64];
    if (cc__wr_ops_latex(out, w, st))
        return;
    cc_buf_puts(out, "\\subsection*{");
    cc__wr_step_title(out, w, st);
    cc_buf_puts(out, "}\n");
    switch (st->kind) {
    case CC_STEP_PAD:
        for (long c = 0; c < g->channels; c++) {
            if (g->channels > 1)
                cc_buf_printf(out, "Channel %ld:\n", c + 1);
            cc_buf_puts(out, "\\[\n");
            cc__wr_latex_matrix(out, cc_walk_input(w), 0, c);
            if (g->pad_top || g->pad_bottom || g->pad_left || g->pad_right) {
                cc_buf_puts(out, "\n\\;\\longrightarrow\\;\n");
                cc__wr_latex_matrix(out, cc_walk_padded(w), 0, c);
            }
            cc_buf_puts(out, "\n\\]\n");
        }
        break;
    case CC_STEP_KERNEL:
        for (long c = 0; c < g->channels; c++) {
            if (g->channels > 1)
                cc_buf_printf(out, "Channel %ld:\n", c + 1);
            cc_buf_puts(out, "\\[\n");
            cc__wr_latex_matrix(out, cc_walk_kernels(w), st->filter, c);
            if (g->mode == CC_MODE_CONVOLUTION) {
                cc_buf_puts(out, "\n\\;\\xrightarrow{\\text{rotate } 180^\\circ}\\;\n");
                cc__wr_latex_matrix(out, cc_walk_applied(w), st->filter, c);
            }
            cc_buf_puts(out, "\n\\]\n");
        }
        break;
    case CC_STEP_CELL: {
        cc_buf *o = out;
        cc_buf_puts(o, "The ");
        cc__wr_window_where(o, w, st);
        cc_buf_puts(o, ":\n");
        cc_matrix win = {1, st->channels, st->k_h, st->k_w, (double *)st->window};
        cc_matrix prod = {1, st->channels, st->k_h, st->k_w, (double *)st->products};
        for (long c = 0; c < g->channels; c++) {
            if (g->channels > 1)
                cc_buf_printf(o, "Channel %ld:\n", c + 1);
            cc_buf_puts(o, "\\[\n");
            cc__wr_latex_matrix(o, &win, 0, c);
            cc_buf_puts(o, "\n\\odot\n");
            cc__wr_latex_matrix(o, cc_walk_applied(w), st->filter, c);
            cc_buf_puts(o, "\n=\n");
            cc__wr_latex_matrix(o, &prod, 0, c);
            cc_buf_puts(o, "\n\\]\n");
        }
        cc_buf_puts(o, "\\begin{gather*}\n");
        cc__wr_sum_lines(o, st, -1, CC_FORMAT_LATEX);
        cc_buf_puts(o, " \\\\\n");
        cc_buf_printf(o, "y");
        if (g->filters > 1)
            cc_buf_printf(o, "^{(%ld)}", st->filter + 1);
        cc_buf_printf(o, "_{%ld,%ld} = %s\n\\end{gather*}\n", st->out_row + 1, st->out_col + 1,
                      cc__wr_num(s, sizeof s, st->value));
        break;
    }
    case CC_STEP_OUTPUT:
        for (long k = 0; k < g->filters; k++) {
            cc_buf_puts(out, "\\[\nY");
            if (g->filters > 1)
                cc_buf_printf(out, "^{(%ld)}", k + 1);
            cc_buf_puts(out, " = ");
            cc__wr_latex_matrix(out, cc_walk_output(w), k, 0);
            cc_buf_puts(out, "\n\\]\n");
        }
        break;
    default:
        break;
    }
}

long cc__wr_max_cols(const cc_walk *w)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    long m = g->padded_w;
    if (g->k_w > m)
        m = g->k_w;
    if (g->out_w > m)
        m = g->out_w;
    return m;
}

/* ---- JSON ---------------------------------------------------------------------------- */

void cc__wr_json_num(cc_buf *out, double v)
{
    char s[64];
    cc_buf_puts(out, cc_fmt_num(s, sizeof s, v, JSON_DIGITS));
}

void cc__wr_json_list(cc_buf *out, const double *v, long n)
{
    cc_buf_putc(out, '[');
    for (long i = 0; i < n; i++) {
        if (i)
            cc_buf_putc(out, ',');
        cc__wr_json_num(out, v[i]);
    }
    cc_buf_putc(out, ']');
}

/* A matrix as a list of channels (depth 3), or a list of groups (depth 4). */
void cc__wr_json_channels(cc_buf *out, const cc_matrix *m, long n)
{
    cc_buf_putc(out, '[');
    for (long c = 0; c < m->c; c++) {
        if (c)
            cc_buf_putc(out, ',');
        cc_matrix_render(out, m, n, c, CC_FORMAT_JSON, 0);
    }
    cc_buf_putc(out, ']');
}

void cc__wr_json_groups(cc_buf *out, const cc_matrix *m)
{
    cc_buf_putc(out, '[');
    for (long n = 0; n < m->n; n++) {
        if (n)
            cc_buf_putc(out, ',');
        cc__wr_json_channels(out, m, n);
    }
    cc_buf_putc(out, ']');
}

static void step_json(cc_buf *out, const cc_walk *w, const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    cc_buf_printf(out, "{\"step\":%zu,\"kind\":\"%s\"", st->index + 1, cc_step_kind_name(st->kind));
    if (cc__wr_ops_json(out, w, st)) {
        cc_buf_putc(out, '}');
        return;
    }
    switch (st->kind) {
    case CC_STEP_PAD:
        cc_buf_puts(out, ",\"padded\":");
        cc__wr_json_channels(out, cc_walk_padded(w), 0);
        break;
    case CC_STEP_KERNEL:
        cc_buf_printf(out, ",\"filter\":%ld,\"flipped\":%s,\"kernel\":", st->filter,
                      g->mode == CC_MODE_CONVOLUTION ? "true" : "false");
        cc__wr_json_channels(out, cc_walk_kernels(w), st->filter);
        cc_buf_puts(out, ",\"applied\":");
        cc__wr_json_channels(out, cc_walk_applied(w), st->filter);
        break;
    case CC_STEP_CELL: {
        cc_matrix win = {1, st->channels, st->k_h, st->k_w, (double *)st->window};
        cc_matrix prod = {1, st->channels, st->k_h, st->k_w, (double *)st->products};
        cc_buf_printf(out, ",\"filter\":%ld,\"row\":%ld,\"col\":%ld,\"window_row\":%ld,"
                           "\"window_col\":%ld,\"window\":",
                      st->filter, st->out_row, st->out_col, st->win_row, st->win_col);
        cc__wr_json_channels(out, &win, 0);
        cc_buf_puts(out, ",\"products\":");
        cc__wr_json_channels(out, &prod, 0);
        cc_buf_puts(out, ",\"channel_sums\":");
        cc__wr_json_list(out, st->channel_sums, st->channels);
        cc_buf_puts(out, ",\"sum\":");
        cc__wr_json_num(out, st->sum);
        cc_buf_puts(out, ",\"bias\":");
        cc__wr_json_num(out, st->bias);
        cc_buf_puts(out, ",\"value\":");
        cc__wr_json_num(out, st->value);
        if (g->activation != CC_ACT_NONE) {
            cc_buf_puts(out, ",\"activated\":");
            cc__wr_json_num(out, st->activated);
        }
        cc_buf_puts(out, ",\"terms\":");
        cc_walk_format_sum(out, w, st, -1, CC_FORMAT_JSON);
        break;
    }
    default:
        break;
    }
    cc_buf_putc(out, '}');
}

static const char *pad_kind_name(cc_pad_kind k)
{
    switch (k) {
    case CC_PAD_VALID: return "valid";
    case CC_PAD_SAME: return "same";
    case CC_PAD_FULL: return "full";
    default: return "explicit";
    }
}

int cc__wr_render_json(cc_buf *out, const cc_walk *w, const cc_walk_render_opts *o,
                       cc_walk_step *st, cc_error *err)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    int rc;
    cc_buf_printf(out, "{\"mode\":\"%s\",\"integer\":%s,\n", cc_conv_mode_name(g->mode),
                  g->integer ? "true" : "false");
    cc_buf_printf(out, "\"input_size\":[%ld,%ld,%ld],\"kernel_size\":[%ld,%ld,%ld,%ld],"
                       "\"output_size\":[%ld,%ld,%ld],\n",
                  g->channels, g->in_h, g->in_w, g->filters, g->channels, g->k_h, g->k_w,
                  g->filters, g->out_h, g->out_w);
    cc_buf_printf(out, "\"stride\":[%ld,%ld],\"dilation\":[%ld,%ld],"
                       "\"padding\":{\"kind\":\"%s\",\"top\":%ld,\"bottom\":%ld,\"left\":%ld,"
                       "\"right\":%ld},\n",
                  g->stride_h, g->stride_w, g->dilation_h, g->dilation_w,
                  pad_kind_name(g->pad_kind), g->pad_top, g->pad_bottom, g->pad_left,
                  g->pad_right);
    if (g->op != CC_OP_CONV) {
        cc_buf_printf(out, "\"operation\":\"%s\",", cc_walk_op_name(g->op));
        if (g->op == CC_OP_TRANSPOSED)
            cc_buf_printf(out, "\"output_padding\":[%ld,%ld],\"border\":[%ld,%ld,%ld,%ld],"
                               "\"zero_inserted_size\":[%ld,%ld],\n",
                          g->output_padding_h, g->output_padding_w, g->border_top,
                          g->border_bottom, g->border_left, g->border_right, g->padded_h,
                          g->padded_w);
        else
            cc_buf_printf(out, "\"window\":[%ld,%ld],\"ceil_mode\":%s,\"count_include_pad\":%s,\n",
                          g->k_h, g->k_w, g->ceil_mode ? "true" : "false",
                          g->count_include_pad ? "true" : "false");
    }
    if (g->activation != CC_ACT_NONE) {
        cc_buf_printf(out, "\"activation\":\"%s\",\"slope\":", cc_activation_name(g->activation));
        cc__wr_json_num(out, g->slope);
        cc_buf_puts(out, ",\n");
    }
    cc_buf_puts(out, "\"input\":");
    cc__wr_json_channels(out, cc_walk_input(w), 0);
    cc_buf_puts(out, ",\n\"kernels\":");
    cc__wr_json_groups(out, cc_walk_kernels(w));
    cc_buf_puts(out, ",\n\"bias\":");
    if (g->has_bias) {
        cc_buf_putc(out, '[');
        for (long k = 0; k < g->filters; k++) {
            if (k)
                cc_buf_putc(out, ',');
            cc__wr_json_num(out, cc_walk_bias(w, k));
        }
        cc_buf_putc(out, ']');
    } else {
        cc_buf_puts(out, "null");
    }
    cc_buf_puts(out, ",\n");
    if (!o->summary) {
        cc_buf_puts(out, "\"steps\":[");
        size_t first = o->step >= 0 ? (size_t)o->step : 0;
        size_t last = o->step >= 0 ? (size_t)o->step + 1 : cc_walk_nsteps(w);
        for (size_t i = first; i < last; i++) {
            if ((rc = cc_walk_step_get(w, i, st, err)))
                return rc;
            cc_buf_puts(out, i > first ? ",\n" : "\n");
            step_json(out, w, st);
        }
        cc_buf_puts(out, "\n],\n");
    }
    /* output is K x 1 x OH x OW: one matrix per filter */
    const cc_matrix *y = cc_walk_output(w);
    cc_buf_puts(out, "\"output\":[");
    for (long k = 0; k < g->filters; k++) {
        if (k)
            cc_buf_putc(out, ',');
        cc_matrix_render(out, y, k, 0, CC_FORMAT_JSON, 0);
    }
    cc_buf_puts(out, "]}\n");
    return CC_OK;
}

