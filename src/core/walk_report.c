/* walk_report.c - a worked convolution rendered as text, Markdown, LaTeX
 * or JSON (cc_walk_render), and the sum of one cell written out term by
 * term (cc_walk_format_sum). Numbers print as matrices print them
 * (cc_matrix_fmt_value); JSON carries 15 significant digits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/walk.h"

#define JSON_DIGITS 15
/* LaTeX sums get a line break after this many terms. */
#define LATEX_TERMS_PER_LINE 9

void cc_walk_render_opts_init(cc_walk_render_opts *o)
{
    memset(o, 0, sizeof *o);
    o->format = CC_FORMAT_TEXT;
    o->step = -1;
}

static const char *num(char *s, size_t size, double v) { return cc_matrix_fmt_value(s, size, v); }

/* A factor of a product: negative numbers in parentheses. */
static void put_factor(cc_buf *out, double v)
{
    char s[64];
    num(s, sizeof s, v);
    if (s[0] == '-')
        cc_buf_printf(out, "(%s)", s);
    else
        cc_buf_puts(out, s);
}

static void put_terms(cc_buf *out, const cc_walk_step *st, long c, cc_format fmt)
{
    size_t per = (size_t)st->k_h * (size_t)st->k_w;
    const double *win = st->window + (size_t)c * per, *ker = st->kernel + (size_t)c * per;
    int latex = fmt == CC_FORMAT_LATEX;
    for (size_t t = 0; t < per; t++) {
        if (t) {
            if (latex && t % LATEX_TERMS_PER_LINE == 0)
                cc_buf_puts(out, " \\\\\n  {}");
            cc_buf_puts(out, " + ");
        }
        put_factor(out, win[t]);
        cc_buf_puts(out, latex ? " \\cdot " : "*");
        put_factor(out, ker[t]);
    }
    char s[64];
    cc_buf_printf(out, " = %s", num(s, sizeof s, st->channel_sums[c]));
}

/* The sum of one cell, before JSON escaping. Lines are separated by '\n'
 * (text) or " \\\\\n" (LaTeX, for a gather* environment). */
static void sum_lines(cc_buf *out, const cc_walk_step *st, long channel, cc_format fmt)
{
    int latex = fmt == CC_FORMAT_LATEX;
    const char *nl = latex ? " \\\\\n" : "\n";
    char s[64], b[64];
    if (channel >= 0) {
        put_terms(out, st, channel, fmt);
        return;
    }
    int has_bias = st->bias != 0.0;
    if (st->channels == 1) {
        put_terms(out, st, 0, fmt);
        if (has_bias) {
            cc_buf_puts(out, nl);
            cc_buf_printf(out, "%s + ", num(s, sizeof s, st->sum));
            put_factor(out, st->bias);
            cc_buf_printf(out, latex ? "\\ \\text{(bias)} = %s" : " (bias) = %s",
                          num(b, sizeof b, st->value));
        }
        return;
    }
    for (long c = 0; c < st->channels; c++) {
        cc_buf_printf(out, latex ? "\\text{channel %ld:}\\quad " : "channel %ld: ", c + 1);
        put_terms(out, st, c, fmt);
        cc_buf_puts(out, nl);
    }
    cc_buf_puts(out, latex ? "\\text{total:}\\quad " : "total: ");
    for (long c = 0; c < st->channels; c++) {
        if (c)
            cc_buf_puts(out, " + ");
        put_factor(out, st->channel_sums[c]);
    }
    if (has_bias) {
        cc_buf_puts(out, " + ");
        put_factor(out, st->bias);
        cc_buf_puts(out, latex ? "\\ \\text{(bias)}" : " (bias)");
    }
    cc_buf_printf(out, " = %s", num(s, sizeof s, st->value));
}

static void json_string(cc_buf *out, const char *s)
{
    cc_buf_putc(out, '"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            cc_buf_printf(out, "\\%c", ch);
        else if (ch == '\n')
            cc_buf_puts(out, "\\n");
        else if (ch < 0x20)
            cc_buf_printf(out, "\\u%04x", ch);
        else
            cc_buf_putc(out, (char)ch);
    }
    cc_buf_putc(out, '"');
}

int cc_walk_format_sum(cc_buf *out, const cc_walk *w, const cc_walk_step *st, long channel,
                       cc_format fmt)
{
    (void)w;
    if (st->kind != CC_STEP_CELL || channel < -1 || channel >= st->channels)
        return CC_EINVAL;
    if (fmt == CC_FORMAT_JSON) {
        cc_buf tmp = {0};
        sum_lines(&tmp, st, channel, CC_FORMAT_TEXT);
        json_string(out, cc_buf_str(&tmp));
        int failed = cc_buf_failed(&tmp);
        cc_buf_free(&tmp);
        if (failed)
            return CC_ENOMEM;
    } else {
        sum_lines(out, st, channel, fmt);
    }
    return cc_buf_failed(out) ? CC_ENOMEM : CC_OK;
}

/* ---- text layout: blocks of lines side by side ---------------------------------- */

typedef struct block {
    cc_buf text;    /* lines, each ending in '\n' */
    size_t nlines;
    size_t width;
    size_t first;   /* line index of the first matrix row (for operators) */
    size_t rows;    /* matrix rows */
} block;

static void block_line(block *b, const char *s)
{
    size_t n = strlen(s);
    if (n > b->width)
        b->width = n;
    cc_buf_puts(&b->text, s);
    cc_buf_putc(&b->text, '\n');
    b->nlines++;
}

static void block_matrix(block *b, const cc_matrix *m, long n, long c)
{
    cc_buf tmp = {0};
    cc_matrix_render(&tmp, m, n, c, CC_FORMAT_TEXT, 0);
    b->first = b->nlines;
    b->rows = (size_t)m->rows;
    const char *s = cc_buf_str(&tmp);
    while (*s) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len > b->width)
            b->width = len;
        cc_buf_append(&b->text, s, len);
        cc_buf_putc(&b->text, '\n');
        b->nlines++;
        s += len + (e != NULL);
    }
    if (cc_buf_failed(&tmp))
        b->text.failed = 1;
    cc_buf_free(&tmp);
}

/* Line i of a block ("" past the end) into out, padded to the width. */
static void block_put_line(cc_buf *out, const block *b, size_t i, int pad)
{
    const char *s = cc_buf_str(&b->text);
    for (size_t k = 0; k < i && *s; k++) {
        const char *e = strchr(s, '\n');
        s = e ? e + 1 : s + strlen(s);
    }
    const char *e = strchr(s, '\n');
    size_t len = e ? (size_t)(e - s) : strlen(s);
    cc_buf_append(out, s, len);
    if (pad)
        cc_buf_printf(out, "%*s", (int)(b->width - len), "");
}

/* Blocks side by side, ops[i] (may be NULL) between block i and i+1 on
 * the middle row of block i's matrix. Lines are indented by 2. */
static void blocks_emit(cc_buf *out, block *bs, const char **ops, int n)
{
    size_t lines = 0;
    for (int i = 0; i < n; i++)
        if (bs[i].nlines > lines)
            lines = bs[i].nlines;
    for (size_t l = 0; l < lines; l++) {
        cc_buf mark = {0};
        cc_buf_puts(&mark, "  ");
        for (int i = 0; i < n; i++) {
            block_put_line(&mark, &bs[i], l, i + 1 < n);
            if (i + 1 < n) {
                const char *op = ops ? ops[i] : NULL;
                size_t mid = bs[i].first + (bs[i].rows ? (bs[i].rows - 1) / 2 : 0);
                if (op && l == mid)
                    cc_buf_printf(&mark, "  %s  ", op);
                else
                    cc_buf_printf(&mark, "  %*s  ", op ? (int)strlen(op) : 0, "");
            }
        }
        /* no trailing blanks */
        while (mark.len && mark.data[mark.len - 1] == ' ')
            mark.data[--mark.len] = '\0';
        cc_buf_puts(out, cc_buf_str(&mark));
        cc_buf_putc(out, '\n');
        if (cc_buf_failed(&mark))
            out->failed = 1;
        cc_buf_free(&mark);
    }
    for (int i = 0; i < n; i++) {
        if (cc_buf_failed(&bs[i].text))
            out->failed = 1;
        cc_buf_free(&bs[i].text);
        memset(&bs[i], 0, sizeof bs[i]);
    }
}

/* ---- describing the walk -------------------------------------------------------- */

static const char *plural(long n, const char *one, const char *many) { return n == 1 ? one : many; }

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

static void pad_words(cc_buf *out, const cc_walk_geom *g)
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

static void header_lines(cc_buf *out, const cc_walk *w, const char *bol, const char *eol)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    cc_buf_printf(out, "%sinput %ldx%ld (%ld %s), %ld %s of %ldx%ld%s%s", bol, g->in_h, g->in_w,
                  g->channels, plural(g->channels, "channel", "channels"), g->filters,
                  plural(g->filters, "filter", "filters"), g->k_h, g->k_w,
                  g->integer ? ", whole numbers (exact)" : "", eol);
    cc_buf_printf(out, "%smode: %s%s", bol, cc_conv_mode_name(g->mode),
                  g->mode == CC_MODE_CONVOLUTION
                      ? " (the kernel is flipped by 180 degrees, then slid)"
                      : " (the kernel is slid as written, as PyTorch's conv2d does)");
    cc_buf_puts(out, eol);
    cc_buf_printf(out, "%sstride %ldx%ld, dilation %ldx%ld, padding ", bol, g->stride_h,
                  g->stride_w, g->dilation_h, g->dilation_w);
    pad_words(out, g);
    cc_buf_puts(out, eol);
    if (g->has_bias) {
        cc_buf_printf(out, "%sbias:", bol);
        char s[64];
        for (long k = 0; k < g->filters; k++)
            cc_buf_printf(out, " %s", num(s, sizeof s, cc_walk_bias(w, k)));
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
}

/* The title of step i (1-based in the text). */
static void step_title(cc_buf *out, const cc_walk *w, const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    cc_buf_printf(out, "Step %zu of %zu: ", st->index + 1, cc_walk_nsteps(w));
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
                      plural(g->filters, "matrix", "matrices"), g->out_h, g->out_w);
        break;
    }
}

static void window_where(cc_buf *out, const cc_walk *w, const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    cc_buf_puts(out, "window: ");
    tap_list(out, "row", st->win_row, g->k_h, g->dilation_h);
    cc_buf_puts(out, ", ");
    tap_list(out, "column", st->win_col, g->k_w, g->dilation_w);
    cc_buf_puts(out, " of the padded input");
}

static const char *applied_name(const cc_walk_geom *g)
{
    return g->mode == CC_MODE_CONVOLUTION ? "flipped kernel" : "kernel";
}

/* The body of a step as plain text (lines indented by 2). */
static void step_text(cc_buf *out, const cc_walk *w, const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    char s[64], lab[96];
    block bs[3];
    memset(bs, 0, sizeof bs);
    switch (st->kind) {
    case CC_STEP_PAD:
        for (long c = 0; c < g->channels; c++) {
            const char *ch = g->channels > 1 ? ", channel " : "";
            if (g->channels > 1)
                snprintf(s, sizeof s, "%ld", c + 1);
            else
                s[0] = '\0';
            snprintf(lab, sizeof lab, "input%s%s", ch, s);
            block_line(&bs[0], lab);
            block_matrix(&bs[0], cc_walk_input(w), 0, c);
            int padded = g->pad_top || g->pad_bottom || g->pad_left || g->pad_right;
            if (padded) {
                snprintf(lab, sizeof lab, "padded input%s%s", ch, s);
                block_line(&bs[1], lab);
                block_matrix(&bs[1], cc_walk_padded(w), 0, c);
            }
            const char *ops[1] = {"->"};
            blocks_emit(out, bs, ops, padded ? 2 : 1);
        }
        break;
    case CC_STEP_KERNEL:
        for (long c = 0; c < g->channels; c++) {
            if (g->channels > 1)
                snprintf(s, sizeof s, ", channel %ld", c + 1);
            else
                s[0] = '\0';
            snprintf(lab, sizeof lab, "kernel%s", s);
            block_line(&bs[0], lab);
            block_matrix(&bs[0], cc_walk_kernels(w), st->filter, c);
            if (g->mode == CC_MODE_CONVOLUTION) {
                snprintf(lab, sizeof lab, "flipped kernel%s", s);
                block_line(&bs[1], lab);
                block_matrix(&bs[1], cc_walk_applied(w), st->filter, c);
            }
            const char *ops[1] = {"->"};
            blocks_emit(out, bs, ops, g->mode == CC_MODE_CONVOLUTION ? 2 : 1);
        }
        break;
    case CC_STEP_CELL: {
        cc_buf_puts(out, "  ");
        window_where(out, w, st);
        cc_buf_puts(out, "\n");
        cc_matrix win = {1, st->channels, st->k_h, st->k_w, (double *)st->window};
        cc_matrix prod = {1, st->channels, st->k_h, st->k_w, (double *)st->products};
        for (long c = 0; c < g->channels; c++) {
            if (g->channels > 1)
                snprintf(s, sizeof s, ", channel %ld", c + 1);
            else
                s[0] = '\0';
            snprintf(lab, sizeof lab, "window%s", s);
            block_line(&bs[0], lab);
            block_matrix(&bs[0], &win, 0, c);
            snprintf(lab, sizeof lab, "%s%s", applied_name(g), s);
            block_line(&bs[1], lab);
            block_matrix(&bs[1], cc_walk_applied(w), st->filter, c);
            snprintf(lab, sizeof lab, "product%s", s);
            block_line(&bs[2], lab);
            block_matrix(&bs[2], &prod, 0, c);
            const char *ops[2] = {"*", "="};
            blocks_emit(out, bs, ops, 3);
            cc_buf_puts(out, g->channels > 1 ? "  sum of channel " : "  sum: ");
            if (g->channels > 1)
                cc_buf_printf(out, "%ld: ", c + 1);
            put_terms(out, st, c, CC_FORMAT_TEXT);
            cc_buf_putc(out, '\n');
        }
        if (g->channels > 1 || st->bias != 0.0) {
            cc_buf_puts(out, "  total: ");
            for (long c = 0; c < g->channels; c++) {
                if (c)
                    cc_buf_puts(out, " + ");
                put_factor(out, st->channel_sums[c]);
            }
            if (st->bias != 0.0 || g->has_bias) {
                cc_buf_puts(out, " + ");
                put_factor(out, st->bias);
                cc_buf_puts(out, " (bias)");
            }
            cc_buf_printf(out, " = %s\n", num(s, sizeof s, st->value));
        }
        cc_buf_puts(out, "  ");
        if (g->filters > 1)
            cc_buf_printf(out, "filter %ld ", st->filter + 1);
        cc_buf_printf(out, "output(%ld, %ld) = %s\n", st->out_row + 1, st->out_col + 1,
                      num(s, sizeof s, st->value));
        break;
    }
    case CC_STEP_OUTPUT:
        for (long k = 0; k < g->filters; k++) {
            if (g->filters > 1) {
                snprintf(lab, sizeof lab, "filter %ld", k + 1);
                block_line(&bs[0], lab);
            }
            block_matrix(&bs[0], cc_walk_output(w), k, 0);
            blocks_emit(out, bs, NULL, 1);
        }
        break;
    }
}

/* ---- LaTeX ------------------------------------------------------------------------ */

static void latex_matrix(cc_buf *out, const cc_matrix *m, long n, long c)
{
    cc_matrix_render(out, m, n, c, CC_FORMAT_LATEX, 0);
}

static void step_latex(cc_buf *out, const cc_walk *w, const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    char s[64];
    cc_buf_puts(out, "\\subsection*{");
    step_title(out, w, st);
    cc_buf_puts(out, "}\n");
    switch (st->kind) {
    case CC_STEP_PAD:
        for (long c = 0; c < g->channels; c++) {
            if (g->channels > 1)
                cc_buf_printf(out, "Channel %ld:\n", c + 1);
            cc_buf_puts(out, "\\[\n");
            latex_matrix(out, cc_walk_input(w), 0, c);
            if (g->pad_top || g->pad_bottom || g->pad_left || g->pad_right) {
                cc_buf_puts(out, "\n\\;\\longrightarrow\\;\n");
                latex_matrix(out, cc_walk_padded(w), 0, c);
            }
            cc_buf_puts(out, "\n\\]\n");
        }
        break;
    case CC_STEP_KERNEL:
        for (long c = 0; c < g->channels; c++) {
            if (g->channels > 1)
                cc_buf_printf(out, "Channel %ld:\n", c + 1);
            cc_buf_puts(out, "\\[\n");
            latex_matrix(out, cc_walk_kernels(w), st->filter, c);
            if (g->mode == CC_MODE_CONVOLUTION) {
                cc_buf_puts(out, "\n\\;\\xrightarrow{\\text{rotate } 180^\\circ}\\;\n");
                latex_matrix(out, cc_walk_applied(w), st->filter, c);
            }
            cc_buf_puts(out, "\n\\]\n");
        }
        break;
    case CC_STEP_CELL: {
        cc_buf *o = out;
        cc_buf_puts(o, "The ");
        window_where(o, w, st);
        cc_buf_puts(o, ":\n");
        cc_matrix win = {1, st->channels, st->k_h, st->k_w, (double *)st->window};
        cc_matrix prod = {1, st->channels, st->k_h, st->k_w, (double *)st->products};
        for (long c = 0; c < g->channels; c++) {
            if (g->channels > 1)
                cc_buf_printf(o, "Channel %ld:\n", c + 1);
            cc_buf_puts(o, "\\[\n");
            latex_matrix(o, &win, 0, c);
            cc_buf_puts(o, "\n\\odot\n");
            latex_matrix(o, cc_walk_applied(w), st->filter, c);
            cc_buf_puts(o, "\n=\n");
            latex_matrix(o, &prod, 0, c);
            cc_buf_puts(o, "\n\\]\n");
        }
        cc_buf_puts(o, "\\begin{gather*}\n");
        sum_lines(o, st, -1, CC_FORMAT_LATEX);
        cc_buf_puts(o, " \\\\\n");
        cc_buf_printf(o, "y");
        if (g->filters > 1)
            cc_buf_printf(o, "^{(%ld)}", st->filter + 1);
        cc_buf_printf(o, "_{%ld,%ld} = %s\n\\end{gather*}\n", st->out_row + 1, st->out_col + 1,
                      num(s, sizeof s, st->value));
        break;
    }
    case CC_STEP_OUTPUT:
        for (long k = 0; k < g->filters; k++) {
            cc_buf_puts(out, "\\[\nY");
            if (g->filters > 1)
                cc_buf_printf(out, "^{(%ld)}", k + 1);
            cc_buf_puts(out, " = ");
            latex_matrix(out, cc_walk_output(w), k, 0);
            cc_buf_puts(out, "\n\\]\n");
        }
        break;
    }
}

static long max_cols(const cc_walk *w)
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

static void json_num(cc_buf *out, double v)
{
    char s[64];
    cc_buf_puts(out, cc_fmt_num(s, sizeof s, v, JSON_DIGITS));
}

static void json_list(cc_buf *out, const double *v, long n)
{
    cc_buf_putc(out, '[');
    for (long i = 0; i < n; i++) {
        if (i)
            cc_buf_putc(out, ',');
        json_num(out, v[i]);
    }
    cc_buf_putc(out, ']');
}

/* A matrix as a list of channels (depth 3), or a list of groups (depth 4). */
static void json_channels(cc_buf *out, const cc_matrix *m, long n)
{
    cc_buf_putc(out, '[');
    for (long c = 0; c < m->c; c++) {
        if (c)
            cc_buf_putc(out, ',');
        cc_matrix_render(out, m, n, c, CC_FORMAT_JSON, 0);
    }
    cc_buf_putc(out, ']');
}

static void json_groups(cc_buf *out, const cc_matrix *m)
{
    cc_buf_putc(out, '[');
    for (long n = 0; n < m->n; n++) {
        if (n)
            cc_buf_putc(out, ',');
        json_channels(out, m, n);
    }
    cc_buf_putc(out, ']');
}

static void step_json(cc_buf *out, const cc_walk *w, const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    cc_buf_printf(out, "{\"step\":%zu,\"kind\":\"%s\"", st->index + 1, cc_step_kind_name(st->kind));
    switch (st->kind) {
    case CC_STEP_PAD:
        cc_buf_puts(out, ",\"padded\":");
        json_channels(out, cc_walk_padded(w), 0);
        break;
    case CC_STEP_KERNEL:
        cc_buf_printf(out, ",\"filter\":%ld,\"flipped\":%s,\"kernel\":", st->filter,
                      g->mode == CC_MODE_CONVOLUTION ? "true" : "false");
        json_channels(out, cc_walk_kernels(w), st->filter);
        cc_buf_puts(out, ",\"applied\":");
        json_channels(out, cc_walk_applied(w), st->filter);
        break;
    case CC_STEP_CELL: {
        cc_matrix win = {1, st->channels, st->k_h, st->k_w, (double *)st->window};
        cc_matrix prod = {1, st->channels, st->k_h, st->k_w, (double *)st->products};
        cc_buf_printf(out, ",\"filter\":%ld,\"row\":%ld,\"col\":%ld,\"window_row\":%ld,"
                           "\"window_col\":%ld,\"window\":",
                      st->filter, st->out_row, st->out_col, st->win_row, st->win_col);
        json_channels(out, &win, 0);
        cc_buf_puts(out, ",\"products\":");
        json_channels(out, &prod, 0);
        cc_buf_puts(out, ",\"channel_sums\":");
        json_list(out, st->channel_sums, st->channels);
        cc_buf_puts(out, ",\"sum\":");
        json_num(out, st->sum);
        cc_buf_puts(out, ",\"bias\":");
        json_num(out, st->bias);
        cc_buf_puts(out, ",\"value\":");
        json_num(out, st->value);
        cc_buf_puts(out, ",\"terms\":");
        cc_walk_format_sum(out, w, st, -1, CC_FORMAT_JSON);
        break;
    }
    case CC_STEP_OUTPUT:
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

static int render_json(cc_buf *out, const cc_walk *w, const cc_walk_render_opts *o,
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
    cc_buf_puts(out, "\"input\":");
    json_channels(out, cc_walk_input(w), 0);
    cc_buf_puts(out, ",\n\"kernels\":");
    json_groups(out, cc_walk_kernels(w));
    cc_buf_puts(out, ",\n\"bias\":");
    if (g->has_bias) {
        cc_buf_putc(out, '[');
        for (long k = 0; k < g->filters; k++) {
            if (k)
                cc_buf_putc(out, ',');
            json_num(out, cc_walk_bias(w, k));
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
        rc = render_json(out, w, o, &st, err);
        break;
    case CC_FORMAT_TEXT:
    case CC_FORMAT_MARKDOWN: {
        int md = o->format == CC_FORMAT_MARKDOWN;
        if (o->step < 0) {
            cc_buf_puts(out, md ? "## Worked convolution\n\n" : "Worked convolution\n");
            header_lines(out, w, md ? "- " : "  ", "\n");
        }
        if (o->summary) {
            cc_buf_puts(out, md ? "\n### Output\n\n```\n" : "\nOutput\n");
            block bs[1];
            memset(bs, 0, sizeof bs);
            for (long k = 0; k < g->filters; k++) {
                if (g->filters > 1) {
                    char lab[64];
                    snprintf(lab, sizeof lab, "filter %ld", k + 1);
                    block_line(&bs[0], lab);
                }
                block_matrix(&bs[0], cc_walk_output(w), k, 0);
                blocks_emit(out, bs, NULL, 1);
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
            step_title(out, w, &st);
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
        if (max_cols(w) > 10)
            cc_buf_printf(out, "\\setcounter{MaxMatrixCols}{%ld}\n", max_cols(w));
        if (o->step < 0) {
            cc_buf_puts(out, "\\section*{Worked convolution}\n\\begin{itemize}\n");
            header_lines(out, w, "\\item ", "\n");
            cc_buf_puts(out, "\\end{itemize}\n");
        }
        if (o->summary) {
            cc_walk_step_get(w, nsteps - 1, &st, err);
            step_latex(out, w, &st);
        } else {
            for (size_t i = first; i < last; i++) {
                if ((rc = cc_walk_step_get(w, i, &st, err)))
                    break;
                step_latex(out, w, &st);
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
