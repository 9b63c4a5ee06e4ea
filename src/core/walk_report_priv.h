/* walk_report_priv.h - what the files that render a walk share
 * (walk_layout.c, walk_report.c, walk_report_fmt.c, walk_report_ops.c).
 * Not installed. */
#ifndef CONVCALC_WALK_REPORT_PRIV_H
#define CONVCALC_WALK_REPORT_PRIV_H

#include "convcalc/walk.h"

#define JSON_DIGITS 15
/* LaTeX sums get a line break after this many terms. */
#define LATEX_TERMS_PER_LINE 9

/* A block of text lines; blocks are set side by side by cc__wr_blocks_emit. */
typedef struct cc__wr_block {
    cc_buf text;    /* lines, each ending in '\n' */
    size_t nlines;
    size_t width;
    size_t first;   /* line index of the first matrix row (for operators) */
    size_t rows;    /* matrix rows */
} cc__wr_block;

/* A number as matrices print it; a factor with negatives in parentheses. */
const char *cc__wr_num(char *s, size_t size, double v);
const char *cc__wr_plural(long n, const char *one, const char *many);
const char *cc__wr_applied_name(const cc_walk_geom *g);
void cc__wr_factor(cc_buf *out, double v);
void cc__wr_terms(cc_buf *out, const cc_walk_step *st, long c, cc_format fmt);
void cc__wr_sum_lines(cc_buf *out, const cc_walk_step *st, long channel, cc_format fmt);
void cc__wr_json_string(cc_buf *out, const char *s);
void cc__wr_block_line(cc__wr_block *b, const char *s);
void cc__wr_block_matrix(cc__wr_block *b, const cc_matrix *m, long n, long c);
void cc__wr_blocks_emit(cc_buf *out, cc__wr_block *bs, const char **ops, int n);
void cc__wr_pad_words(cc_buf *out, const cc_walk_geom *g);
void cc__wr_header_lines(cc_buf *out, const cc_walk *w, const char *bol, const char *eol);
void cc__wr_step_title(cc_buf *out, const cc_walk *w, const cc_walk_step *st);
void cc__wr_window_where(cc_buf *out, const cc_walk *w, const cc_walk_step *st);
void cc__wr_latex_matrix(cc_buf *out, const cc_matrix *m, long n, long c);
void cc__wr_step_latex(cc_buf *out, const cc_walk *w, const cc_walk_step *st);
long cc__wr_max_cols(const cc_walk *w);
void cc__wr_json_num(cc_buf *out, double v);
void cc__wr_json_list(cc_buf *out, const double *v, long n);
void cc__wr_json_channels(cc_buf *out, const cc_matrix *m, long n);
void cc__wr_json_groups(cc_buf *out, const cc_matrix *m);
int cc__wr_render_json(cc_buf *out, const cc_walk *w, const cc_walk_render_opts *o,
                       cc_walk_step *st, cc_error *err);

/* walk_report_ops.c: transposed convolution, pooling, activation. Each
 * returns 1 when it rendered (the caller then does nothing more). */
void cc__wr_activation_line(cc_buf *out, const cc_walk *w, const char *bol, const char *eol);
int cc__wr_ops_header(cc_buf *out, const cc_walk *w, const char *bol, const char *eol);
int cc__wr_ops_title(cc_buf *out, const cc_walk *w, const cc_walk_step *st);
int cc__wr_ops_text(cc_buf *out, const cc_walk *w, const cc_walk_step *st);
void cc__wr_pool_terms(cc_buf *out, const cc_walk *w, const cc_walk_step *st);
long cc__wr_scatter_where(cc_buf *out, const cc_walk *w, const cc_walk_step *st, const char *dash);
int cc__wr_ops_latex(cc_buf *out, const cc_walk *w, const cc_walk_step *st);
int cc__wr_ops_json(cc_buf *out, const cc_walk *w, const cc_walk_step *st);

#endif
