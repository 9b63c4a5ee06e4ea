/* walk_report.c - a worked convolution rendered as text, Markdown, LaTeX
 * or JSON (cc_walk_render), and the sum of one cell written out term by
 * term (cc_walk_format_sum). Numbers print as matrices print them
 * (cc_matrix_fmt_value); JSON carries 15 significant digits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/report.h"
#include "walk_report_priv.h"

void cc_walk_render_opts_init(cc_walk_render_opts *o)
{
    memset(o, 0, sizeof *o);
    o->format = CC_FORMAT_TEXT;
    o->step = -1;
}

/* ---- describing the walk -------------------------------------------------------- */

const char *cc__wr_plural(long n, const char *one, const char *many) { return n == 1 ? one : many; }

/* "rows 1-3" or "rows 1, 3, 5" (1-based, padded coordinates). */
static void tap_list(cc_buf *out, const char *what, long first, long count, long step)
{
    if (count == 1)
        cc_buf_printf(out, "%s %ld", what, first + 1);
    else if (step == 1)
        cc_buf_printf(out, "%ss %ld-%ld", what, first + 1, first + count);
    else {
        cc_buf_printf(out, "%ss ", what);
        for (long i = 0; i < count; i++)
            cc_buf_printf(out, i ? ", %ld" : "%ld", first + i * step + 1);
    }
}

void cc__wr_pad_words(cc_buf *out, const cc_walk_geom *g)
{
    const char *kind = g->pad_kind == CC_PAD_VALID  ? "valid"
                       : g->pad_kind == CC_PAD_SAME ? "same"
                       : g->pad_kind == CC_PAD_FULL ? "full"
                                                    : NULL;
    if (kind)
        cc_buf_printf(out, "%s: ", kind);
    if (g->pad_top == g->pad_bottom && g->pad_top == g->pad_left && g->pad_top == g->pad_right)
        cc_buf_printf(out, "%ld on every side", g->pad_top);
    else
        cc_buf_printf(out, "top %ld, bottom %ld, left %ld, right %ld", g->pad_top, g->pad_bottom,
                      g->pad_left, g->pad_right);
}

/* "floor((3 + 1 + 1 - 3) / 1) + 1 = 3" */
static void size_formula(cc_buf *out, long in, long pb, long pe, long k, long d, long eff, long s,
                         long o)
{
    cc_buf_printf(out, "floor((%ld + %ld + %ld - %ld) / %ld) + 1 = %ld", in, pb, pe, eff, s, o);
    if (d > 1)
        cc_buf_printf(out, ", effective kernel %ld*(%ld-1)+1 = %ld", d, k, eff);
}

void cc__wr_header_lines(cc_buf *out, const cc_walk *w, const char *bol, const char *eol)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    if (cc__wr_ops_header(out, w, bol, eol))
        return;
    cc_buf_printf(out, "%sinput %ldx%ld (%ld %s), %ld %s of %ldx%ld%s%s", bol, g->in_h, g->in_w,
                  g->channels, cc__wr_plural(g->channels, "channel", "channels"), g->filters,
                  cc__wr_plural(g->filters, "filter", "filters"), g->k_h, g->k_w,
                  g->integer ? ", whole numbers (exact)" : "", eol);
    cc_buf_printf(out, "%smode: %s%s", bol, cc_conv_mode_name(g->mode),
                  g->mode == CC_MODE_CONVOLUTION
                      ? " (the kernel is flipped by 180 degrees, then slid)"
                      : " (the kernel is slid as written, as PyTorch's conv2d does)");
    cc_buf_puts(out, eol);
    cc_buf_printf(out, "%sstride %ldx%ld, dilation %ldx%ld, padding ", bol, g->stride_h,
                  g->stride_w, g->dilation_h, g->dilation_w);
    cc__wr_pad_words(out, g);
    cc_buf_puts(out, eol);
    if (g->has_bias) {
        cc_buf_printf(out, "%sbias:", bol);
        char s[64];
        for (long k = 0; k < g->filters; k++)
            cc_buf_printf(out, " %s", cc__wr_num(s, sizeof s, cc_walk_bias(w, k)));
        cc_buf_puts(out, eol);
    }
    cc_buf_printf(out, "%soutput height: ", bol);
    size_formula(out, g->in_h, g->pad_top, g->pad_bottom, g->k_h, g->dilation_h, g->eff_h,
                 g->stride_h, g->out_h);
    cc_buf_puts(out, eol);
    cc_buf_printf(out, "%soutput width: ", bol);
    size_formula(out, g->in_w, g->pad_left, g->pad_right, g->k_w, g->dilation_w, g->eff_w,
                 g->stride_w, g->out_w);
    cc_buf_puts(out, eol);
    cc__wr_activation_line(out, w, bol, eol);
}

/* The title of step i (1-based in the text). */
void cc__wr_step_title(cc_buf *out, const cc_walk *w, const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    cc_buf_printf(out, "Step %zu of %zu: ", st->index + 1, cc_walk_nsteps(w));
    if (cc__wr_ops_title(out, w, st))
        return;
    switch (st->kind) {
    case CC_STEP_PAD:
        if (g->pad_top || g->pad_bottom || g->pad_left || g->pad_right)
            cc_buf_printf(out, "pad the input with zeros (%ldx%ld becomes %ldx%ld)", g->in_h,
                          g->in_w, g->padded_h, g->padded_w);
        else
            cc_buf_puts(out, "no padding: the input is used as it is");
        break;
    case CC_STEP_KERNEL:
        if (g->mode == CC_MODE_CONVOLUTION)
            cc_buf_printf(out, "flip the kernel%s by 180 degrees (reverse its rows and columns)",
                          g->filters > 1 ? "" : "");
        else
            cc_buf_puts(out, "the kernel, used as written (correlation: no flip)");
        if (g->filters > 1)
            cc_buf_printf(out, ", filter %ld", st->filter + 1);
        break;
    case CC_STEP_CELL:
        cc_buf_printf(out, "output cell (%ld, %ld)", st->out_row + 1, st->out_col + 1);
        if (g->filters > 1)
            cc_buf_printf(out, " of filter %ld", st->filter + 1);
        break;
    case CC_STEP_OUTPUT:
        cc_buf_printf(out, "the output (%ld %s of %ldx%ld)", g->filters,
                      cc__wr_plural(g->filters, "matrix", "matrices"), g->out_h, g->out_w);
        break;
    default:
        break;
    }
}

void cc__wr_window_where(cc_buf *out, const cc_walk *w, const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    cc_buf_puts(out, "window: ");
    tap_list(out, "row", st->win_row, g->k_h, g->dilation_h);
    cc_buf_puts(out, ", ");
    tap_list(out, "column", st->win_col, g->k_w, g->dilation_w);
    cc_buf_puts(out, g->op == CC_OP_TRANSPOSED ? " of the zero-inserted input"
                                               : " of the padded input");
}

const char *cc__wr_applied_name(const cc_walk_geom *g)
{
    return g->mode == CC_MODE_CONVOLUTION ? "flipped kernel" : "kernel";
}

/* The body of a step as plain text (lines indented by 2). */
static void step_text(cc_buf *out, const cc_walk *w, const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    char s[64], lab[96];
    cc__wr_block bs[3];
    memset(bs, 0, sizeof bs);
    if (cc__wr_ops_text(out, w, st))
        return;
    switch (st->kind) {
    case CC_STEP_PAD:
        for (long c = 0; c < g->channels; c++) {
            const char *ch = g->channels > 1 ? ", channel " : "";
            if (g->channels > 1)
                snprintf(s, sizeof s, "%ld", c + 1);
            else
                s[0] = '\0';
            snprintf(lab, sizeof lab, "input%s%s", ch, s);
            cc__wr_block_line(&bs[0], lab);
            cc__wr_block_matrix(&bs[0], cc_walk_input(w), 0, c);
            int padded = g->op == CC_OP_TRANSPOSED || g->padded_h != g->in_h ||
                         g->padded_w != g->in_w;
            if (padded) {
                snprintf(lab, sizeof lab, "%s input%s%s",
                         g->op == CC_OP_TRANSPOSED ? "zero-inserted" : "padded", ch, s);
                cc__wr_block_line(&bs[1], lab);
                cc__wr_block_matrix(&bs[1], cc_walk_padded(w), 0, c);
            }
            const char *ops[1] = {"->"};
            cc__wr_blocks_emit(out, bs, ops, padded ? 2 : 1);
        }
        break;
    case CC_STEP_KERNEL:
        for (long c = 0; c < g->channels; c++) {
            if (g->channels > 1)
                snprintf(s, sizeof s, ", channel %ld", c + 1);
            else
                s[0] = '\0';
            snprintf(lab, sizeof lab, "kernel%s", s);
            cc__wr_block_line(&bs[0], lab);
            cc__wr_block_matrix(&bs[0], cc_walk_kernels(w), st->filter, c);
            if (g->mode == CC_MODE_CONVOLUTION) {
                snprintf(lab, sizeof lab, "flipped kernel%s", s);
                cc__wr_block_line(&bs[1], lab);
                cc__wr_block_matrix(&bs[1], cc_walk_applied(w), st->filter, c);
            }
            const char *ops[1] = {"->"};
            cc__wr_blocks_emit(out, bs, ops, g->mode == CC_MODE_CONVOLUTION ? 2 : 1);
        }
        break;
    case CC_STEP_CELL: {
        cc_buf_puts(out, "  ");
        cc__wr_window_where(out, w, st);
        cc_buf_puts(out, "\n");
        cc_matrix win = {1, st->channels, st->k_h, st->k_w, (double *)st->window};
        cc_matrix prod = {1, st->channels, st->k_h, st->k_w, (double *)st->products};
        for (long c = 0; c < g->channels; c++) {
            if (g->channels > 1)
                snprintf(s, sizeof s, ", channel %ld", c + 1);
            else
                s[0] = '\0';
            snprintf(lab, sizeof lab, "window%s", s);
            cc__wr_block_line(&bs[0], lab);
            cc__wr_block_matrix(&bs[0], &win, 0, c);
            snprintf(lab, sizeof lab, "%s%s", cc__wr_applied_name(g), s);
            cc__wr_block_line(&bs[1], lab);
            cc__wr_block_matrix(&bs[1], cc_walk_applied(w), st->filter, c);
            snprintf(lab, sizeof lab, "product%s", s);
            cc__wr_block_line(&bs[2], lab);
            cc__wr_block_matrix(&bs[2], &prod, 0, c);
            const char *ops[2] = {"*", "="};
            cc__wr_blocks_emit(out, bs, ops, 3);
            cc_buf_puts(out, g->channels > 1 ? "  sum of channel " : "  sum: ");
            if (g->channels > 1)
                cc_buf_printf(out, "%ld: ", c + 1);
            cc__wr_terms(out, st, c, CC_FORMAT_TEXT);
            cc_buf_putc(out, '\n');
        }
        if (g->channels > 1 || st->bias != 0.0) {
            cc_buf_puts(out, "  total: ");
            for (long c = 0; c < g->channels; c++) {
                if (c)
                    cc_buf_puts(out, " + ");
                cc__wr_factor(out, st->channel_sums[c]);
            }
            if (st->bias != 0.0 || g->has_bias) {
                cc_buf_puts(out, " + ");
                cc__wr_factor(out, st->bias);
                cc_buf_puts(out, " (bias)");
            }
            cc_buf_printf(out, " = %s\n", cc__wr_num(s, sizeof s, st->value));
        }
        if (g->activation != CC_ACT_NONE) {
            char a[64];
            cc_buf_printf(out, "  %s(%s) = %s\n", cc_activation_name(g->activation),
                          cc__wr_num(s, sizeof s, st->value),
                          cc__wr_num(a, sizeof a, st->activated));
        }
        cc_buf_puts(out, "  ");
        if (g->filters > 1)
            cc_buf_printf(out, "filter %ld ", st->filter + 1);
        cc_buf_printf(out, "output(%ld, %ld) = %s\n", st->out_row + 1, st->out_col + 1,
                      cc__wr_num(s, sizeof s, st->activated));
        break;
    }
    case CC_STEP_OUTPUT:
        for (long k = 0; k < g->filters; k++) {
            if (g->filters > 1) {
                snprintf(lab, sizeof lab, "%s %ld",
                         g->op == CC_OP_MAX_POOL || g->op == CC_OP_AVG_POOL ? "channel"
                                                                            : "filter",
                         k + 1);
                cc__wr_block_line(&bs[0], lab);
            }
            cc__wr_block_matrix(&bs[0], cc_walk_output(w), k, 0);
            cc__wr_blocks_emit(out, bs, NULL, 1);
        }
        break;
    default:
        break;
    }
}

/* ---- the whole walk ------------------------------------------------------------------ */

int cc_walk_render(cc_buf *out, const cc_walk *w, const cc_walk_render_opts *o, cc_error *err)
{
    cc_walk_render_opts defaults;
    if (!o) {
        cc_walk_render_opts_init(&defaults);
        o = &defaults;
    }
    size_t nsteps = cc_walk_nsteps(w);
    if (o->step >= 0 && (size_t)o->step >= nsteps)
        return cc_error_set(err, CC_EINVAL, "there is no step %ld (the walk has %zu steps)",
                            o->step + 1, nsteps);
    cc_walk_step st = {0};
    int rc = CC_OK;
    size_t first = o->step >= 0 ? (size_t)o->step : 0;
    size_t last = o->step >= 0 ? first + 1 : nsteps;
    const cc_walk_geom *g = cc_walk_geometry(w);
    switch (o->format) {
    case CC_FORMAT_JSON:
        rc = cc__wr_render_json(out, w, o, &st, err);
        break;
    case CC_FORMAT_TEXT:
    case CC_FORMAT_MARKDOWN: {
        int md = o->format == CC_FORMAT_MARKDOWN;
        if (o->step < 0) {
            cc_buf_puts(out, md ? "## Worked convolution\n\n" : "Worked convolution\n");
            cc__wr_header_lines(out, w, md ? "- " : "  ", "\n");
        }
        if (o->summary) {
            cc_buf_puts(out, md ? "\n### Output\n\n```\n" : "\nOutput\n");
            cc__wr_block bs[1];
            memset(bs, 0, sizeof bs);
            for (long k = 0; k < g->filters; k++) {
                if (g->filters > 1) {
                    char lab[64];
                    snprintf(lab, sizeof lab, "filter %ld", k + 1);
                    cc__wr_block_line(&bs[0], lab);
                }
                cc__wr_block_matrix(&bs[0], cc_walk_output(w), k, 0);
                cc__wr_blocks_emit(out, bs, NULL, 1);
            }
            if (md)
                cc_buf_puts(out, "```\n");
            break;
        }
        for (size_t i = first; i < last; i++) {
            if ((rc = cc_walk_step_get(w, i, &st, err)))
                break;
            if (i > first || o->step < 0)
                cc_buf_putc(out, '\n');
            cc_buf_puts(out, md ? "### " : "");
            cc__wr_step_title(out, w, &st);
            cc_buf_puts(out, md ? "\n\n```\n" : "\n");
            step_text(out, w, &st);
            if (md)
                cc_buf_puts(out, "```\n");
        }
        break;
    }
    case CC_FORMAT_LATEX: {
        if (o->standalone)
            cc_buf_puts(out, "\\documentclass{article}\n\\usepackage{amsmath}\n"
                             "\\usepackage[margin=2cm]{geometry}\n\\begin{document}\n");
        if (cc__wr_max_cols(w) > 10)
            cc_buf_printf(out, "\\setcounter{MaxMatrixCols}{%ld}\n", cc__wr_max_cols(w));
        if (o->step < 0) {
            /* the header lines are prose: escaped (conv_transpose2d's _) */
            cc_buf head = {0};
            cc__wr_header_lines(&head, w, "", "\n");
            cc_buf_puts(out, "\\section*{Worked convolution}\n\\begin{itemize}\n");
            for (char *p = head.data; p && *p;) {
                char *e = strchr(p, '\n');
                if (e)
                    *e = '\0';
                cc_buf_puts(out, "\\item ");
                cc_latex_escape(out, p);
                cc_buf_putc(out, '\n');
                p = e ? e + 1 : p + strlen(p);
            }
            if (cc_buf_failed(&head))
                out->failed = 1;
            cc_buf_free(&head);
            cc_buf_puts(out, "\\end{itemize}\n");
        }
        if (o->summary) {
            cc_walk_step_get(w, nsteps - 1, &st, err);
            cc__wr_step_latex(out, w, &st);
        } else {
            for (size_t i = first; i < last; i++) {
                if ((rc = cc_walk_step_get(w, i, &st, err)))
                    break;
                cc__wr_step_latex(out, w, &st);
            }
        }
        if (o->standalone)
            cc_buf_puts(out, "\\end{document}\n");
        break;
    }
    case CC_FORMAT_CSV:
        rc = cc_error_set(err, CC_EINVAL, "a walk has no CSV form (use text, markdown, latex "
                                          "or json)");
        break;
    }
    cc_walk_step_free(&st);
    if (rc == CC_OK && cc_buf_failed(out))
        rc = cc_error_set(err, CC_ENOMEM, "out of memory while formatting the walk");
    return rc;
}

