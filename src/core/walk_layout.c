/* walk_layout.c - the pieces every rendering of a walk is made of: numbers
 * as matrices print them, a cell's sum written out term by term
 * (cc_walk_format_sum), JSON strings, and blocks of text lines set side by
 * side. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walk_report_priv.h"

const char *cc__wr_num(char *s, size_t size, double v) { return cc_matrix_fmt_value(s, size, v); }

/* A factor of a product: negative numbers in parentheses. */
void cc__wr_factor(cc_buf *out, double v)
{
    char s[64];
    cc__wr_num(s, sizeof s, v);
    if (s[0] == '-')
        cc_buf_printf(out, "(%s)", s);
    else
        cc_buf_puts(out, s);
}

void cc__wr_terms(cc_buf *out, const cc_walk_step *st, long c, cc_format fmt)
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
        cc__wr_factor(out, win[t]);
        cc_buf_puts(out, latex ? " \\cdot " : "*");
        cc__wr_factor(out, ker[t]);
    }
    char s[64];
    cc_buf_printf(out, " = %s", cc__wr_num(s, sizeof s, st->channel_sums[c]));
}

/* The sum of one cell, before JSON escaping. Lines are separated by '\n'
 * (text) or " \\\\\n" (LaTeX, for a gather* environment). */
void cc__wr_sum_lines(cc_buf *out, const cc_walk_step *st, long channel, cc_format fmt)
{
    int latex = fmt == CC_FORMAT_LATEX;
    const char *nl = latex ? " \\\\\n" : "\n";
    char s[64], b[64];
    if (channel >= 0) {
        cc__wr_terms(out, st, channel, fmt);
        return;
    }
    int has_bias = st->bias != 0.0;
    if (st->channels == 1) {
        cc__wr_terms(out, st, 0, fmt);
        if (has_bias) {
            cc_buf_puts(out, nl);
            cc_buf_printf(out, "%s + ", cc__wr_num(s, sizeof s, st->sum));
            cc__wr_factor(out, st->bias);
            cc_buf_printf(out, latex ? "\\ \\text{(bias)} = %s" : " (bias) = %s",
                          cc__wr_num(b, sizeof b, st->value));
        }
        return;
    }
    for (long c = 0; c < st->channels; c++) {
        cc_buf_printf(out, latex ? "\\text{channel %ld:}\\quad " : "channel %ld: ", c + 1);
        cc__wr_terms(out, st, c, fmt);
        cc_buf_puts(out, nl);
    }
    cc_buf_puts(out, latex ? "\\text{total:}\\quad " : "total: ");
    for (long c = 0; c < st->channels; c++) {
        if (c)
            cc_buf_puts(out, " + ");
        cc__wr_factor(out, st->channel_sums[c]);
    }
    if (has_bias) {
        cc_buf_puts(out, " + ");
        cc__wr_factor(out, st->bias);
        cc_buf_puts(out, latex ? "\\ \\text{(bias)}" : " (bias)");
    }
    cc_buf_printf(out, " = %s", cc__wr_num(s, sizeof s, st->value));
}

void cc__wr_json_string(cc_buf *out, const char *s)
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
        cc__wr_sum_lines(&tmp, st, channel, CC_FORMAT_TEXT);
        cc__wr_json_string(out, cc_buf_str(&tmp));
        int failed = cc_buf_failed(&tmp);
        cc_buf_free(&tmp);
        if (failed)
            return CC_ENOMEM;
    } else {
        cc__wr_sum_lines(out, st, channel, fmt);
    }
    return cc_buf_failed(out) ? CC_ENOMEM : CC_OK;
}

/* ---- text layout: blocks of lines side by side ---------------------------------- */


void cc__wr_block_line(cc__wr_block *b, const char *s)
{
    size_t n = strlen(s);
    if (n > b->width)
        b->width = n;
    cc_buf_puts(&b->text, s);
    cc_buf_putc(&b->text, '\n');
    b->nlines++;
}

void cc__wr_block_matrix(cc__wr_block *b, const cc_matrix *m, long n, long c)
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

/* Line i of a cc__wr_block ("" past the end) into out, padded to the width. */
static void block_put_line(cc_buf *out, const cc__wr_block *b, size_t i, int pad)
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

/* Blocks side by side, ops[i] (may be NULL) between cc__wr_block i and i+1 on
 * the middle row of cc__wr_block i's matrix. Lines are indented by 2. */
void cc__wr_blocks_emit(cc_buf *out, cc__wr_block *bs, const char **ops, int n)
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

