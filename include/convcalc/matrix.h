/* convcalc/matrix.h - small matrices (and stacks of them): parsing and printing.
 *
 * A cc_matrix holds N groups of C channels of R x K numbers, stored as one
 * contiguous array in N,C,R,K order (NCHW): the value of group n, channel c,
 * row r, column k is data[((n*C + c)*R + r)*K + k]. A plain matrix has
 * N = C = 1; a multi-channel image has N = 1; a set of filters for a
 * multi-channel input has N = number of filters, C = input channels.
 * Values are doubles: whole numbers up to 2^53 are exact, so integer
 * inputs stay exact integers through a walkthrough.
 *
 * Text formats accepted by cc_matrix_parse (man convcalc-matrix(5)):
 *   plain     numbers separated by spaces or commas; a row ends at ';' or a
 *             newline:                         "2 1 2; 3 9 1"
 *   CSV       "2,1,2\n3,9,1" (the same rules: commas separate numbers)
 *   brackets  NumPy/JSON style lists, commas optional (NumPy's print
 *             leaves them out), optionally wrapped in array(...) or
 *             tensor(...):                     "[[2,1,2],[3,9,1]]"
 *             depth 2 is one matrix, depth 3 a list of channels, depth 4
 *             a list of groups (filters) of channels.
 *   channels  in plain/CSV text, '|' or a blank line separates channels;
 *   groups    '||' or a line holding only "---" separates groups (filters).
 *   comments  in plain/CSV text, '#' starts a comment to the end of the line.
 * Every row of every channel of every group must have the same size; a
 * ragged row, a stray character, a non-finite number or an empty matrix is
 * an error with the 1-based line and column of the offending character.
 */
#ifndef CONVCALC_MATRIX_H
#define CONVCALC_MATRIX_H

#include "convcalc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cc_matrix {
    long n;       /* groups (filters); 1 for an image or a plain matrix */
    long c;       /* channels per group                                  */
    long rows;    /* rows of each channel                                */
    long cols;    /* columns of each channel                             */
    double *data; /* n*c*rows*cols values, NCHW order; owned             */
} cc_matrix;

/* Significant digits used when a matrix value is printed (cc_fmt_num). */
#define CC_MATRIX_DIGITS 6

/* Allocate an n x c x rows x cols matrix of zeros. Each size must be in
 * 1..CC_DIM_MAX and the element count must fit in memory (checked before
 * allocating): CC_ERANGE otherwise. On failure *m is left empty. */
int cc_matrix_new(cc_matrix *m, long n, long c, long rows, long cols,
                  cc_error *err);
/* Release the values; safe on a zeroed or already freed matrix. */
void cc_matrix_free(cc_matrix *m);
/* Deep copy src into dst (dst is overwritten, not freed first). */
int cc_matrix_copy(cc_matrix *dst, const cc_matrix *src, cc_error *err);
/* Build from a flat array (copied) of n*c*rows*cols values in NCHW order. */
int cc_matrix_from(cc_matrix *m, long n, long c, long rows, long cols,
                   const double *values, cc_error *err);

/* Number of values (n*c*rows*cols). */
size_t cc_matrix_size(const cc_matrix *m);
/* Pointer to the first value of channel c of group n (a rows x cols block). */
double *cc_matrix_plane(const cc_matrix *m, long n, long c);
/* Value at (n, c, r, k); the indices must be in range (not checked). */
double cc_matrix_get(const cc_matrix *m, long n, long c, long r, long k);
void cc_matrix_set(cc_matrix *m, long n, long c, long r, long k, double v);
/* 1 when every value is a whole number (so results print exactly). */
int cc_matrix_is_integer(const cc_matrix *m);
/* 1 when both have the same dimensions and equal values. */
int cc_matrix_equal(const cc_matrix *a, const cc_matrix *b);

/* Parse text in any of the formats above (detected from the first
 * non-blank character: '[' or "array("/"tensor(" means brackets). len is
 * the text's length (text need not be NUL-terminated). On error fills err
 * with line/col (err->source is left for the caller to set) and returns
 * CC_EINVAL (malformed), CC_ERANGE (too large) or CC_ENOMEM. */
int cc_matrix_parse(cc_matrix *m, const char *text, size_t len, cc_error *err);

/* Print a value as matrices show it: cc_fmt_num with CC_MATRIX_DIGITS
 * significant digits ("2", "-0.5", "0.333333"). Returns out. */
char *cc_matrix_fmt_value(char *out, size_t size, double v);

/* Width in characters of the widest value of column k of plane (n, c), as
 * cc_matrix_fmt_value prints it; lets front ends align columns. */
int cc_matrix_col_width(const cc_matrix *m, long n, long c, long k);

/* Append one plane (group n, channel c) to out:
 *   CC_FORMAT_TEXT      rows of right-aligned columns, each line starting
 *                       with `indent` spaces, two spaces between columns,
 *                       enclosed in [ ] (every line ends with '\n');
 *   CC_FORMAT_MARKDOWN  the text form as an indented code block (indent
 *                       plus 4 spaces), which keeps the columns aligned;
 *   CC_FORMAT_LATEX     \begin{bmatrix} a & b \\ c & d \end{bmatrix}
 *                       (no trailing newline, no math delimiters);
 *   CC_FORMAT_CSV       comma-separated rows;
 *   CC_FORMAT_JSON      [[a,b],[c,d]] on one line (no newline).
 * Returns 0, or CC_ENOMEM when the buffer failed. */
int cc_matrix_render(cc_buf *out, const cc_matrix *m, long n, long c,
                     cc_format fmt, int indent);

/* Append the whole matrix as JSON: a depth-2 list when n = c = 1, depth 3
 * (channels) when n = 1, else depth 4. */
int cc_matrix_render_json(cc_buf *out, const cc_matrix *m);

#ifdef __cplusplus
}
#endif
#endif
