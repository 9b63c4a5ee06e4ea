/* convcalc/report.h - rendering: a small table renderer (aligned text,
 * Markdown, CSV, LaTeX tabular) that any module may use, and the
 * parameter-count report of a layer stack in every output format.
 *
 *   cc_report_options o;
 *   cc_report_options_init(&o);
 *   o.format = CC_FORMAT_MARKDOWN;
 *   cc_report_stack(&buf, stack, &o, &err);   // after cc_stack_infer
 */
#ifndef CONVCALC_REPORT_H
#define CONVCALC_REPORT_H

#include "convcalc/common.h"
#include "convcalc/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- tables ------------------------------------------------------------------ */
typedef struct cc_table cc_table;

/* A table of ncols columns (1..64). NULL when out of memory. */
cc_table *cc_table_new(int ncols);
void cc_table_free(cc_table *t);
/* Column heading and alignment (right = 1 for numbers). */
int cc_table_header(cc_table *t, int col, const char *text, int right);
/* Start a new row (its cells empty); then fill cells with cc_table_cell. */
int cc_table_row(cc_table *t);
int cc_table_cell(cc_table *t, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A horizontal rule before the next row (text: dashes, LaTeX: \hline;
 * Markdown and CSV: nothing). */
int cc_table_rule(cc_table *t);
/* Render: CC_FORMAT_TEXT (columns padded, two blanks apart, a dashed line
 * under the heading), MARKDOWN (pipe table, '|' escaped), CSV (RFC 4180
 * quoting), LATEX (a tabular environment, special characters escaped).
 * JSON is not a table format: CC_EINVAL. */
int cc_table_render(cc_buf *out, const cc_table *t, cc_format format);

/* Escape text for LaTeX (\ & % $ # _ { } ~ ^) into out. */
void cc_latex_escape(cc_buf *out, const char *s);
/* 1234567 -> "1,234,567" (negative numbers too). */
void cc_fmt_thousands(cc_buf *out, int64_t v);

/* ---- the parameter-count report ---------------------------------------------------- */
typedef struct cc_report_options {
    cc_format format;   /* default CC_FORMAT_TEXT                          */
    int keras;          /* count BatchNorm as Keras does: 4C, 2C of them
                           non-trainable                                  */
    long batch;         /* batch size for the memory estimate (default 1)  */
    const char *title;  /* shown above the table (file name), may be NULL  */
} cc_report_options;

void cc_report_options_init(cc_report_options *o);

/* The report of an inferred stack: one row per layer (number, name, type,
 * output shape C x H x W, parameters with their formula, trainable,
 * non-trainable, MACs, FLOPs, receptive field, jump), then the totals and
 * torchinfo's memory estimate. JSON: the object documented in convcalc(1)
 * (`layers`, `total_params`, `trainable_params`, `non_trainable_params`,
 * ...). */
int cc_report_stack(cc_buf *out, const cc_stack *s, const cc_report_options *o,
                    cc_error *err);

#ifdef __cplusplus
}
#endif
#endif
