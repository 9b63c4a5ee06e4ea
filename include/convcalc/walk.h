/* convcalc/walk.h - the worked convolution, step by step.
 *
 * A walk works one operation on one input of C channels (H x W), chosen
 * by cc_walk_spec.op:
 *
 * CC_OP_CONV (the default): K filters of C x Fh x Fw, an optional bias per
 * filter, stride, zero padding (explicit per side, or valid / same / full),
 * dilation, and a mode:
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
 * CC_OP_TRANSPOSED: the transposed convolution of PyTorch's
 * conv_transpose2d with the kernel as written (mode is ignored; padding is
 * explicit). Filter k makes output channel k; its channel c multiplies input
 * channel c (PyTorch's weight[c][k] is kernels[k][c]). Two equal views:
 *   scatter:    input cell (c, i, j) times kernel[k][c], added into the
 *               output at rows i*Sh - pad_top + u*Dh, columns
 *               j*Sw - pad_left + v*Dw (taps that fall outside are cut);
 *   convolution: Sh-1 (Sw-1) zeros inserted between input rows (columns),
 *               a border of Dh*(Fh-1) - pad_top rows on top and
 *               Dh*(Fh-1) - pad_bottom + output_padding_h at the bottom
 *               (likewise left/right; a negative border crops), then a
 *               stride-1 correlation with the flipped kernel, dilation D.
 *   Output size: cc_tconv_out (arith.h).
 *
 * CC_OP_MAX_POOL / CC_OP_AVG_POOL: every channel pooled on its own with a
 * window of pool_h x pool_w (no kernels; stride, padding, dilation for max
 * only, ceil_mode), exactly as PyTorch's max_pool2d / avg_pool2d: the max
 * ignores padding (it never wins), the first largest value in row-major
 * order wins; the mean divides by the window clipped to the padded input
 * (count_include_pad = 1, PyTorch's default) or by the input cells it
 * covers (count_include_pad = 0). Output size: cc_pool_out (arith.h).
 *
 * Every operation can end in an activation (relu, leaky relu, sigmoid,
 * tanh) applied to each output value after the bias.
 *
 * The trace is a list of steps, in this order:
 *   CC_STEP_PAD      the input and its padded form (all channels); for a
 *                    transposed convolution the zero-inserted, bordered
 *                    input of the equivalent convolution;
 *   then for each filter k = 0..K-1 (each channel, for pooling):
 *     CC_STEP_KERNEL (not for pooling) the kernel of filter k and the
 *                    kernel as applied (its 180-degree flip in convolution
 *                    mode and in a transposed convolution; the same kernel
 *                    in correlation mode);
 *     CC_STEP_SCATTER (transposed, scatter view) one per input cell, row
 *                    by row: the cell's values times the kernel, and the
 *                    output of filter k with every cell so far added in;
 *     CC_STEP_CELL   one per output cell of filter k, row by row: the
 *                    window's position and values (dilated taps), the
 *                    Hadamard product with the applied kernel, the sum of
 *                    each channel, their total, the bias and the value
 *                    (pooling: the window, the winner or the mean);
 *   CC_STEP_ACTIVATION (only with an activation) every output before and
 *                    after the activation;
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

typedef enum cc_walk_op {
    CC_OP_CONV = 0,      /* convolution or cross-correlation (mode)       */
    CC_OP_TRANSPOSED,    /* transposed convolution (conv_transpose2d)     */
    CC_OP_MAX_POOL,      /* max pooling (max_pool2d)                      */
    CC_OP_AVG_POOL       /* average pooling (avg_pool2d)                  */
} cc_walk_op;

/* "convolution", "transposed convolution", "max pooling", "average
 * pooling". */
const char *cc_walk_op_name(cc_walk_op op);

typedef enum cc_activation {
    CC_ACT_NONE = 0,
    CC_ACT_RELU,         /* max(0, x)                                     */
    CC_ACT_LEAKY_RELU,   /* x if x > 0, else slope * x                    */
    CC_ACT_SIGMOID,      /* 1 / (1 + e^-x)                                */
    CC_ACT_TANH          /* tanh x                                        */
} cc_activation;

/* "relu", "leaky-relu" (also "leaky_relu", "leakyrelu"), "sigmoid",
 * "tanh", "none". Returns 0 or CC_EINVAL. */
int cc_activation_parse(const char *name, cc_activation *out);
/* "relu", "leaky-relu", "sigmoid", "tanh", "none". */
const char *cc_activation_name(cc_activation a);
/* The activation of x (slope: leaky relu's negative slope). */
double cc_activation_apply(cc_activation a, double slope, double x);

/* Which steps a transposed convolution shows (both by default). */
typedef enum cc_tconv_view {
    CC_TVIEW_BOTH = 0,   /* the scatter steps, then the convolution steps */
    CC_TVIEW_SCATTER,    /* only the scatter steps                        */
    CC_TVIEW_CONV        /* only the equivalent convolution's steps       */
} cc_tconv_view;

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
    cc_walk_op op;               /* default CC_OP_CONV                     */
    /* CC_OP_TRANSPOSED: */
    long output_padding_h, output_padding_w; /* default 0; each smaller
                                    than its stride or its dilation      */
    cc_tconv_view view;          /* default CC_TVIEW_BOTH                  */
    /* pooling (kernels and bias are not used): */
    long pool_h, pool_w;         /* the window, >= 1                       */
    int ceil_mode;               /* default 0 (floor)                      */
    int count_include_pad;       /* avg: default 1, as PyTorch             */
    /* every operation: */
    cc_activation activation;    /* default CC_ACT_NONE                    */
    double slope;                /* leaky relu, default 0.01               */
} cc_walk_spec;

/* Defaults: no input/kernels, stride 1, dilation 1, explicit padding 0,
 * mode convolution, op CC_OP_CONV, no bias, no activation,
 * count_include_pad 1, slope 0.01. */
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
    cc_walk_op op;
    /* CC_OP_TRANSPOSED: pad_* are the padding given (conv_transpose2d's);
     * border_* the border of the equivalent convolution (negative: that
     * many rows/columns cropped); padded_h/w the size of the zero-inserted,
     * bordered input, (H-1)*Sh + 1 + border_top + border_bottom. */
    long output_padding_h, output_padding_w;
    long border_top, border_bottom, border_left, border_right;
    cc_tconv_view view;
    /* pooling: k_h/k_w are the window, filters = channels; over_h/over_w
     * the rows/columns past the padding that a ceil_mode window reaches
     * (no value comes from them; padded_h/w include them). */
    int ceil_mode, count_include_pad;
    long over_h, over_w;
    cc_activation activation;
    double slope;
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
                                                       matrix per filter,
                                                       after the activation */
const cc_matrix *cc_walk_preact(const cc_walk *w);  /* K x 1 x OH x OW: the
                                                       values before the
                                                       activation (the same
                                                       as the output when
                                                       there is none)      */
/* Pooling has no kernels: cc_walk_kernels and cc_walk_applied are then
 * empty matrices (data NULL). */
/* Bias of filter k (0 when there is none). */
double cc_walk_bias(const cc_walk *w, long k);

typedef enum cc_step_kind {
    CC_STEP_PAD = 0,
    CC_STEP_KERNEL,
    CC_STEP_CELL,
    CC_STEP_OUTPUT,
    CC_STEP_SCATTER,
    CC_STEP_ACTIVATION
} cc_step_kind;
/* "pad", "kernel", "cell", "output", "scatter", "activation". */
const char *cc_step_kind_name(cc_step_kind k);

/* Number of steps: 1 + K * (kernel step + scatter steps + OH*OW) +
 * (1 with an activation) + 1, where the kernel step is 1 (0 for pooling)
 * and scatter steps are H*W for a transposed convolution's scatter view
 * (else 0). */
size_t cc_walk_nsteps(const cc_walk *w);
/* Index of the CC_STEP_CELL step of output cell (k, row, col), or of the
 * first step of filter k (its CC_STEP_KERNEL step; for pooling its first
 * cell) when row = col = -1. Returns (size_t)-1 when out of range or when
 * the walk has no such step (a transposed walk in the scatter view only). */
size_t cc_walk_cell_step(const cc_walk *w, long k, long row, long col);
/* Index of the CC_STEP_SCATTER step of input cell (row, col) for filter k,
 * or (size_t)-1 (not a transposed walk with the scatter view). */
size_t cc_walk_scatter_step(const cc_walk *w, long k, long row, long col);

/* Where a pooling window's tap lies (cc_walk_step.taps). */
enum {
    CC_TAP_INPUT = 0,    /* an input cell                                 */
    CC_TAP_PAD = 1,      /* padding: 0 for the mean, never the max        */
    CC_TAP_OUTSIDE = 2   /* past the padding (ceil_mode): not counted     */
};

/* One step. Fields not used by a kind are 0 / NULL. The arrays belong to
 * the step (reused by the next cc_walk_step_get on the same struct; free
 * with cc_walk_step_free); zero-initialise before the first use. All
 * indices are 0-based (the renderers print them 1-based).
 *
 * CC_STEP_CELL of a convolution (and of a transposed convolution's
 * equivalent convolution, where padded is the zero-inserted input, the
 * stride 1 and the kernel flipped): window, kernel, products,
 * channel_sums, sum, bias, value, activated.
 * CC_STEP_CELL of pooling: channels = 1 (the channel is `filter`), window
 * (Fh x Fw, 0 at taps that are not input cells), taps, and for max
 * `winner` (the tap whose value is the output), for avg `sum` of the
 * counted taps and `count` (the divisor); value = the max or sum/count.
 * CC_STEP_SCATTER: in_row, in_col (the input cell), window (its C
 * values), kernel (C x Fh x Fw as written), products (C x Fh x Fw, the
 * value of channel c times kernel channel c), contrib (Fh x Fw, products
 * summed over channels: what is added), win_row, win_col (output position
 * of tap (0, 0), may be negative; tap (u, v) lands at (win_row + u*Dh,
 * win_col + v*Dw) when that is inside the output), partial (OH x OW, the
 * output of filter k with input cells 0..this one added, without bias). */
typedef struct cc_walk_step {
    size_t index;          /* which step                                   */
    cc_step_kind kind;
    long filter;           /* KERNEL, SCATTER, CELL: k (pooling: channel)  */
    long out_row, out_col; /* CELL: (i, j) in the output                   */
    long in_row, in_col;   /* SCATTER: the input cell                      */
    long win_row, win_col; /* CELL: top-left tap in padded coordinates
                              (i*Sh, j*Sw); tap (u, v) is at
                              (win_row + u*Dh, win_col + v*Dw); subtract
                              pad_top/pad_left for input coordinates
                              (not for a transposed walk, whose padded
                              input is zero-inserted). SCATTER: see above */
    long channels, k_h, k_w; /* CELL, SCATTER: shape of window/products    */
    const double *window;    /* CELL: C x Fh x Fw values under the taps;
                                SCATTER: C values of the input cell        */
    const double *kernel;    /* CELL, KERNEL: C x Fh x Fw applied kernel
                                (points into cc_walk_applied); SCATTER: the
                                kernel as written (cc_walk_kernels)        */
    const double *products;  /* CELL, SCATTER: C x Fh x Fw                 */
    const double *channel_sums; /* CELL: C sums, one per channel           */
    const double *contrib;   /* SCATTER: Fh x Fw                           */
    const double *partial;   /* SCATTER: OH x OW                           */
    const unsigned char *taps; /* pooling CELL: Fh x Fw CC_TAP_* values    */
    long winner;             /* max pooling CELL: tap index u*Fw + v       */
    long count;              /* avg pooling CELL: the divisor              */
    double sum;              /* CELL: total of the channel sums            */
    double bias;             /* CELL: bias of the filter (0 if none)       */
    double value;            /* CELL: sum + bias (pooling: max or mean),
                                the value before the activation            */
    double activated;        /* CELL: the output value (value with the
                                activation applied; = value without one)   */
    /* private: */
    double *buf_;
    size_t cap_;
    unsigned char *tbuf_;
    size_t tcap_;
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

/* ---- the im2col view (walk_im2col.c) --------------------------------------
 * The convolution as one matrix product, as the engine computes it: row r
 * of the unrolled input is the window of output cell r (row-major order,
 * r = i*OW + j) read as C*Fh*Fw values (channel, then kernel row, then
 * column, from the padded input; a transposed walk's equivalent
 * convolution); column k of the kernel matrix is filter k's applied kernel
 * read the same way. unrolled (OH*OW x C*Fh*Fw) times kernels (C*Fh*Fw x K)
 * plus the bias of each column is the output before the activation, one
 * column per filter. Fills 1 x 1 x rows x cols matrices (free them with
 * cc_matrix_free); fails with CC_EINVAL for pooling (no kernel) and
 * CC_ERANGE when the unrolled input would exceed the walk's size limit. */
int cc_walk_im2col(const cc_walk *w, cc_matrix *unrolled, cc_matrix *kernels,
                   cc_error *err);

/* The im2col view rendered (text, markdown, latex or json), with the
 * product's result reshaped into the output. Returns 0 or a CC_E* code. */
int cc_walk_render_im2col(cc_buf *out, const cc_walk *w, cc_format fmt,
                          cc_error *err);

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
