/* convcalc/walk.h - the worked convolution, step by step.
 *
 * A walk convolves one input of C channels (H x W) with K filters of
 * C x Fh x Fw, with an optional bias per filter, stride, zero padding
 * (explicit per side, or valid / same / full), dilation, and a mode:
 *   CC_MODE_CONVOLUTION  the textbook definition: the kernel is rotated by
 *                        180 degrees ("flipped") first, then slid;
 *   CC_MODE_CORRELATION  what deep-learning frameworks call convolution
 *                        (PyTorch conv2d): the kernel is slid as written.
 * Output cell (k, i, j) = bias[k] + sum over c, u, v of
 *     padded[c][i*Sh + u*Dh][j*Sw + v*Dw] * applied[k][c][u][v]
 * where applied is the kernel (correlation) or the flipped kernel.
 * Sizes come from cc_conv_out (arith.h), so a walk and `convcalc shape`
 * always agree.
 *
 * The trace is a list of steps, in this order:
 *   CC_STEP_PAD      the input and its zero-padded form (all channels);
 *   then for each filter k = 0..K-1:
 *     CC_STEP_KERNEL the kernel of filter k and the kernel as applied
 *                    (its 180-degree flip in convolution mode; the same
 *                    kernel in correlation mode);
 *     CC_STEP_CELL   one per output cell of filter k, row by row: the
 *                    window's position and values (dilated taps), the
 *                    Hadamard product with the applied kernel, the sum of
 *                    each channel, their total, the bias and the value;
 *   CC_STEP_OUTPUT   the finished output (one matrix per filter).
 * The whole output is computed by cc_walk_new; the per-cell details are
 * computed when a step is asked for (cc_walk_step_get), so walks over large
 * inputs cost no more memory than their output.
 *
 * Typical use (the TUI keeps one walk per screen state and rebuilds it when
 * the user edits a value or changes stride/padding/dilation/mode):
 *
 *     cc_walk_spec spec;  cc_walk_spec_init(&spec);
 *     spec.input = &image; spec.kernels = &kernels; spec.pad_kind = CC_PAD_SAME;
 *     cc_walk *w;  if (cc_walk_new(&w, &spec, &err)) ...;
 *     cc_walk_step st = {0};
 *     for (size_t i = 0; i < cc_walk_nsteps(w); i++) {
 *         cc_walk_step_get(w, i, &st, &err);   ... st.kind, st.window ...
 *     }
 *     cc_walk_step_free(&st);  cc_walk_free(w);
 */
#ifndef CONVCALC_WALK_H
#define CONVCALC_WALK_H

#include "convcalc/common.h"
#include "convcalc/matrix.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cc_conv_mode {
    CC_MODE_CONVOLUTION = 0, /* flip the kernel by 180 degrees, then slide */
    CC_MODE_CORRELATION = 1  /* slide the kernel as written (frameworks)    */
} cc_conv_mode;

typedef enum cc_pad_kind {
    CC_PAD_EXPLICIT = 0, /* pad_top/bottom/left/right as given             */
    CC_PAD_VALID,        /* no padding                                     */
    CC_PAD_SAME,         /* output = ceil(input / stride); an odd total is
                            split with the extra row/column at the end
                            (bottom/right), as ONNX SAME_UPPER, TensorFlow
                            and PyTorch padding='same' do                  */
    CC_PAD_FULL          /* effective kernel - 1 on every side: every
                            overlap of kernel and input                    */
} cc_pad_kind;

/* "convolution"/"conv" or "correlation"/"corr"/"cross-correlation". */
int cc_conv_mode_parse(const char *name, cc_conv_mode *out);
const char *cc_conv_mode_name(cc_conv_mode m);

/* What to convolve. The walk copies everything it needs: the caller may
 * free or change input, kernels and bias after cc_walk_new returns. */
typedef struct cc_walk_spec {
    const cc_matrix *input;   /* n = 1, c = C channels, H x W              */
    const cc_matrix *kernels; /* n = K filters, c = C (as the input), Fh x Fw */
    const double *bias;       /* K values, or NULL for no bias             */
    long stride_h, stride_w;     /* >= 1 (default 1)                       */
    long dilation_h, dilation_w; /* >= 1 (default 1)                       */
    cc_pad_kind pad_kind;        /* default CC_PAD_EXPLICIT with 0 padding */
    long pad_top, pad_bottom, pad_left, pad_right; /* CC_PAD_EXPLICIT only */
    cc_conv_mode mode;           /* default CC_MODE_CONVOLUTION            */
} cc_walk_spec;

/* Defaults: no input/kernels, stride 1, dilation 1, explicit padding 0,
 * mode convolution, no bias. */
void cc_walk_spec_init(cc_walk_spec *spec);

/* Sizes of a walk, resolved (padding of valid/same/full made explicit). */
typedef struct cc_walk_geom {
    long channels, in_h, in_w;     /* C, H, W                               */
    long filters, k_h, k_w;        /* K, Fh, Fw                             */
    long stride_h, stride_w;
    long dilation_h, dilation_w;
    long eff_h, eff_w;             /* effective kernel D*(F-1)+1            */
    long pad_top, pad_bottom, pad_left, pad_right;
    long padded_h, padded_w;       /* H + top + bottom, W + left + right    */
    long out_h, out_w;             /* from cc_conv_out                      */
    cc_pad_kind pad_kind;          /* as asked for                          */
    cc_conv_mode mode;
    int has_bias;
    int integer;                   /* every input, kernel and bias value is
                                      whole: all results are exact integers */
} cc_walk_geom;

typedef struct cc_walk cc_walk;

/* Build the walk: checks the spec (channels agree, sizes through
 * cc_conv_out, element counts for overflow), pads, flips, computes the
 * output. Returns 0 and sets *out, or a CC_E* code with err filled
 * (CC_EINVAL bad values, CC_ESHAPE sizes that do not fit, CC_ERANGE too
 * large, CC_ENOMEM). With integer data whose partial sums exceed 2^53 it
 * fails with CC_ERANGE rather than print an inexact "integer". */
int cc_walk_new(cc_walk **out, const cc_walk_spec *spec, cc_error *err);
void cc_walk_free(cc_walk *w);

/* The built-in example (the TUI opens on it): the 3x5 image
 * [[2,1,2,3,1],[3,9,1,1,4],[4,5,0,7,0]], the Sobel-style kernel
 * [[-1,0,1],[-2,0,2],[-1,0,1]], zero padding 1, stride 1, convolution.
 * Fills image and kernel (free them with cc_matrix_free) and spec (whose
 * input/kernels point at them). */
int cc_walk_example(cc_matrix *image, cc_matrix *kernel, cc_walk_spec *spec,
                    cc_error *err);
/* The same, as a ready walk. */
int cc_walk_new_example(cc_walk **out, cc_error *err);

const cc_walk_geom *cc_walk_geometry(const cc_walk *w);
const cc_matrix *cc_walk_input(const cc_walk *w);   /* 1 x C x H x W       */
const cc_matrix *cc_walk_padded(const cc_walk *w);  /* 1 x C x PH x PW     */
const cc_matrix *cc_walk_kernels(const cc_walk *w); /* K x C x Fh x Fw, as
                                                       given               */
const cc_matrix *cc_walk_applied(const cc_walk *w); /* K x C x Fh x Fw, as
                                                       slid (flipped in
                                                       convolution mode)   */
const cc_matrix *cc_walk_output(const cc_walk *w);  /* K x 1 x OH x OW: one
                                                       matrix per filter   */
/* Bias of filter k (0 when there is none). */
double cc_walk_bias(const cc_walk *w, long k);

typedef enum cc_step_kind {
    CC_STEP_PAD = 0,
    CC_STEP_KERNEL,
    CC_STEP_CELL,
    CC_STEP_OUTPUT
} cc_step_kind;
/* "pad", "kernel", "cell", "output". */
const char *cc_step_kind_name(cc_step_kind k);

/* Number of steps: 1 + K * (1 + OH*OW) + 1. */
size_t cc_walk_nsteps(const cc_walk *w);
/* Index of the CC_STEP_CELL step of output cell (k, row, col), or of the
 * CC_STEP_KERNEL step of filter k when row = col = -1. Returns
 * (size_t)-1 when out of range. */
size_t cc_walk_cell_step(const cc_walk *w, long k, long row, long col);

/* One step. Fields not used by a kind are 0 / NULL. The arrays belong to
 * the step (reused by the next cc_walk_step_get on the same struct; free
 * with cc_walk_step_free); zero-initialise before the first use. */
typedef struct cc_walk_step {
    size_t index;          /* which step                                   */
    cc_step_kind kind;
    long filter;           /* KERNEL, CELL: k                              */
    long out_row, out_col; /* CELL: (i, j) in the output                   */
    long win_row, win_col; /* CELL: top-left tap in padded coordinates
                              (i*Sh, j*Sw); tap (u, v) is at
                              (win_row + u*Dh, win_col + v*Dw); subtract
                              pad_top/pad_left for input coordinates       */
    long channels, k_h, k_w; /* CELL: shape of window/products/applied     */
    const double *window;    /* CELL: C x Fh x Fw values under the taps    */
    const double *kernel;    /* CELL, KERNEL: C x Fh x Fw applied kernel
                                (points into cc_walk_applied)              */
    const double *products;  /* CELL: C x Fh x Fw, window * kernel         */
    const double *channel_sums; /* CELL: C sums, one per channel           */
    double sum;              /* CELL: total of the channel sums            */
    double bias;             /* CELL: bias of the filter (0 if none)       */
    double value;            /* CELL: sum + bias, the output value         */
    /* private: */
    double *buf_;
    size_t cap_;
} cc_walk_step;

int cc_walk_step_get(const cc_walk *w, size_t i, cc_walk_step *st,
                     cc_error *err);
void cc_walk_step_free(cc_walk_step *st);

/* The sum of a CELL step written out term by term, e.g. for one channel
 *   text:   "2*(-1) + 1*0 + 2*1 + ... = 7"       (window value * kernel)
 *   latex:  "2 \cdot (-1) + 1 \cdot 0 + ... = 7"
 * channel = -1 writes every channel, then the total: one line per channel
 * ("channel 1: ... = 4"), and "4 + 3 + bias 1 = 8" when C > 1 or there is
 * a bias. Markdown and CSV use the text form; JSON is a string.
 * Appends to out (no final newline); returns 0 or CC_ENOMEM/CC_EINVAL. */
int cc_walk_format_sum(cc_buf *out, const cc_walk *w, const cc_walk_step *st,
                       long channel, cc_format fmt);

/* "Try it yourself": compare a person's answer with a CELL step.
 * got_value is their output value; got_products (may be NULL) their
 * C*Fh*Fw products in the same order as st->products. Returns the number
 * of wrong items (0 = all right) and, when wrong is not NULL, sets
 * wrong[t] = 1 for each product t that differs (wrong has C*Fh*Fw
 * entries). *value_ok says whether the value is right. Numbers are equal
 * when they differ by at most 1e-9 relative (exact for integers). */
size_t cc_walk_check_cell(const cc_walk_step *st, double got_value,
                          const double *got_products, unsigned char *wrong,
                          int *value_ok);
/* The comparison used above. */
int cc_walk_values_equal(double expected, double got);

/* ---- rendering (walk_report.c) ------------------------------------------ */
typedef struct cc_walk_render_opts {
    cc_format format;  /* text, markdown, latex or json                   */
    int summary;       /* only the result (sizes and output)              */
    long step;         /* >= 0: only this step (0-based); -1: every step  */
    int standalone;    /* latex: a complete document (\documentclass ...) */
} cc_walk_render_opts;

void cc_walk_render_opts_init(cc_walk_render_opts *o);

/* Render a walk (or one step, or the summary) into out. JSON is one object:
 *   {"mode","input","kernels","bias","stride","dilation","padding",
 *    "padded","applied","output_size","steps":[...],"output":[...]}
 * (documented in convcalc(1)). Returns 0 or a CC_E* code with err. */
int cc_walk_render(cc_buf *out, const cc_walk *w,
                   const cc_walk_render_opts *opts, cc_error *err);

#ifdef __cplusplus
}
#endif
#endif
