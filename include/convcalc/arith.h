/* convcalc/arith.h - the arithmetic of convolution and pooling layers.
 *
 * One spatial dimension at a time (height and width are computed
 * separately). Notation (Dumoulin & Visin, "A guide to convolution
 * arithmetic for deep learning"; PyTorch's Conv2d / MaxPool2d /
 * ConvTranspose2d documentation):
 *   I input size, F kernel size, S stride, D dilation,
 *   P_b / P_e padding before / after, O output size.
 *   effective kernel  F_eff = D*(F-1) + 1
 *   convolution       O = floor((I + P_b + P_e - F_eff) / S) + 1
 *   pooling           as convolution; with ceil_mode the division rounds up,
 *                     and (as PyTorch does) the last window must start
 *                     inside the input or the left padding
 *   transposed conv   O = (I-1)*S - P_b - P_e + F_eff + output_padding
 */
#ifndef CONVCALC_ARITH_H
#define CONVCALC_ARITH_H

#include "convcalc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Output size of a convolution along one dimension. Fails with CC_EINVAL for
 * non-positive sizes, negative padding or a kernel larger than the padded
 * input, CC_ERANGE when a value exceeds CC_DIM_MAX. */
int cc_conv_out(long *out, long in, long kernel, long stride, long pad_begin,
                long pad_end, long dilation, cc_error *err);

/* Output size of a pooling window along one dimension (ceil_mode as in
 * PyTorch's MaxPool2d/AvgPool2d). Padding must be at most half the kernel,
 * as PyTorch requires. */
int cc_pool_out(long *out, long in, long kernel, long stride, long pad_begin,
                long pad_end, long dilation, int ceil_mode, cc_error *err);

/* Output size of a transposed convolution along one dimension.
 * output_padding must be smaller than the stride or the dilation. */
int cc_tconv_out(long *out, long in, long kernel, long stride, long pad_begin,
                 long pad_end, long dilation, long output_padding,
                 cc_error *err);

/* ---- padding modes ------------------------------------------------------ */
/* How padding is given. (walk.h has its own cc_pad_kind for walks; these
 * names are the shape solver's.) */
typedef enum cc_padding_mode {
    CC_PADDING_EXPLICIT = 0, /* pad_begin / pad_end as given                   */
    CC_PADDING_VALID,        /* no padding                                     */
    CC_PADDING_SAME,         /* output = ceil(input / stride); the total
                                max((O-1)*S + D*(F-1) + 1 - I, 0) is split
                                with the extra one at the end (SAME_UPPER)     */
    CC_PADDING_FULL          /* D*(F-1) on each side                           */
} cc_padding_mode;

/* Padding of 'same' along one dimension (ONNX SAME_UPPER, TensorFlow
 * "SAME", PyTorch padding='same' for stride 1): *out = ceil(in/stride),
 * *pad_begin = floor(total/2), *pad_end = total - *pad_begin. */
int cc_same_padding(long *pad_begin, long *pad_end, long *out, long in,
                    long kernel, long stride, long dilation, cc_error *err);

/* ---- the shape solver ---------------------------------------------------- */
typedef enum cc_shape_kind {
    CC_SHAPE_CONV = 0, /* convolution (Conv2d)                  */
    CC_SHAPE_POOL,     /* pooling (MaxPool2d/AvgPool2d)         */
    CC_SHAPE_TCONV     /* transposed convolution (ConvTranspose2d) */
} cc_shape_kind;

/* The quantity a question asks for. */
typedef enum cc_shape_var {
    CC_VAR_NONE = 0,  /* nothing unknown: compute the output (and check it
                         against dim[].output when that is > 0)          */
    CC_VAR_INPUT,
    CC_VAR_KERNEL,
    CC_VAR_PADDING,
    CC_VAR_STRIDE,
    CC_VAR_DILATION,
    CC_VAR_OUTPUT
} cc_shape_var;

/* "input", "kernel", "padding", "stride", "dilation", "output" ("none"). */
const char *cc_shape_var_name(cc_shape_var v);
/* "convolution", "pooling", "transposed convolution". */
const char *cc_shape_kind_name(cc_shape_kind k);

/* The known values along one spatial dimension. The unknown's field is
 * ignored. output 0 means "not given" (only with CC_VAR_NONE). */
typedef struct cc_shape_dim {
    long input;          /* I  >= 1                                       */
    long kernel;         /* F  >= 1                                       */
    long stride;         /* S  >= 1 (default 1)                           */
    long dilation;       /* D  >= 1 (default 1)                           */
    long pad_begin;      /* P_b >= 0 (top / left), CC_PADDING_EXPLICIT     */
    long pad_end;        /* P_e >= 0 (bottom / right)                     */
    long output;         /* O  >= 1                                       */
    long output_padding; /* transposed convolution only (default 0)       */
} cc_shape_dim;

/* A question: "which ... turns ... into ...?" */
typedef struct cc_shape_query {
    cc_shape_kind kind;
    cc_shape_var unknown;
    int ndims;                /* 1, or 2 for height (dim[0]) and width (dim[1]) */
    cc_shape_dim dim[2];
    cc_padding_mode padding;  /* how the padding is given (not with
                                 CC_VAR_PADDING)                           */
    int ceil_mode;            /* pooling: round the division up (PyTorch)   */
    /* Constraints on the unknown (each answer states the ones it used):    */
    int per_side;             /* padding: begin and end may differ (the
                                 extra one goes at the end, SAME_UPPER);
                                 0 = symmetric, the same on both sides      */
    int odd_kernel;           /* kernel: only odd sizes                     */
} cc_shape_query;

/* Defaults: convolution, nothing unknown, one dimension, stride 1,
 * dilation 1, explicit padding 0, everything else 0. */
void cc_shape_query_init(cc_shape_query *q, cc_shape_kind kind);

/* Set a quantity from the command line's notation (also what the TUI's
 * fields accept):
 *   input, kernel, stride, dilation, output, output padding (CC_VAR_NONE
 *   is not used here): "N" or "HxW" (e.g. "32", "32x64");
 *   padding: "P" (both sides), "B,E" (begin,end), "HxW" with each part P or
 *   B,E (e.g. "1,2x3"), or "valid", "same", "full".
 * A value given as HxW makes the query two-dimensional (ndims 2); a single
 * N sets both dimensions. Returns 0, or CC_EINVAL / CC_ERANGE with a
 * message. */
int cc_shape_query_set(cc_shape_query *q, cc_shape_var var, const char *text,
                       cc_error *err);
/* As cc_shape_query_set for the transposed convolution's output padding. */
int cc_shape_query_set_output_padding(cc_shape_query *q, const char *text,
                                      cc_error *err);

/* Limits of what an answer lists. */
#define CC_SHAPE_MAX_NEAR 4

/* A value of the unknown that is not a solution, and what it would give. */
typedef struct cc_shape_near {
    long value;     /* the unknown's value (padding: before)             */
    long pad_end;   /* padding only: after                               */
    long output;    /* the output size it gives                          */
} cc_shape_near;

/* The answer along one dimension. The solutions are every value
 *   lo, lo + step, lo + 2*step, ..., hi
 * (step 2 when only odd kernels count); `unbounded` says that every larger
 * value (with the same step) works too, and then hi is the largest value
 * the solver considered (CC_DIM_MAX). With a padding unknown and per_side
 * set, the values are TOTAL paddings, split by cc_shape_answer_padding. */
typedef struct cc_shape_dim_answer {
    int found;             /* 1: at least one solution                   */
    long lo, hi, step;
    long count;            /* number of solutions (up to hi)              */
    int unbounded;
    long output;           /* the output size (computed, or as given)     */
    long pad_begin, pad_end; /* the padding in effect: resolved from
                                valid/same/full, or the solved padding
                                when it is unique                        */
    size_t nnear;          /* !found: the nearest valid choices           */
    cc_shape_near near[CC_SHAPE_MAX_NEAR];
} cc_shape_dim_answer;

/* The full answer. Initialise with cc_shape_answer_init, release with
 * cc_shape_answer_free (also after a failed solve); one answer may be
 * reused for several solves. */
typedef struct cc_shape_answer {
    cc_shape_query query;  /* the question as solved (padding resolved,
                              the unknown filled in when unique)          */
    cc_shape_var solved;   /* the unknown (CC_VAR_OUTPUT when nothing was
                              left out)                                  */
    int ndims;             /* equations solved: 1 (one dimension, or a
                              square question), 2 (height and width differ) */
    int square;            /* 2-D question with equal height and width   */
    int found;             /* every dimension has a solution             */
    int checked;           /* nothing left out and an output was given   */
    int matches;           /* checked: the given output is right         */
    cc_shape_dim_answer dim[2];
    char **constraints;    /* the constraints used, as sentences         */
    size_t nconstraints;
    char **steps;          /* the derivation, one line each              */
    size_t nsteps;
} cc_shape_answer;

void cc_shape_answer_init(cc_shape_answer *a);
void cc_shape_answer_free(cc_shape_answer *a);

/* Solve q. Returns 0 with *a filled, also when the question has no integer
 * solution (a->found 0, the nearest choices in a->dim[].near) or when a
 * given output does not match (a->checked, !a->matches). Returns CC_EINVAL
 * for bad values (zero or negative sizes, a kernel larger than the padded
 * input, output_padding too large), CC_ERANGE for values over CC_DIM_MAX,
 * CC_ENOMEM, with the reason in err. */
int cc_shape_solve(cc_shape_answer *a, const cc_shape_query *q, cc_error *err);

/* The answer's i-th value along dimension d (0 <= i < count), and for a
 * padding unknown the padding before and after it means. */
long cc_shape_answer_value(const cc_shape_answer *a, int d, long i);
void cc_shape_answer_padding(const cc_shape_answer *a, long value,
                             long *pad_begin, long *pad_end);

/* Render the answer as text, Markdown, LaTeX or JSON (CC_FORMAT_CSV is
 * CC_EINVAL), appending to out. The JSON object has the keys documented in
 * convcalc(1) under JSON OUTPUT: "kind", "solved", "value" or "values",
 * "found", "constraints", "steps", ... */
int cc_shape_render(const cc_shape_answer *a, cc_format fmt, cc_buf *out,
                    cc_error *err);

/* ---- receptive field ------------------------------------------------------ */
/* Receptive field and jump (effective stride) through a sequence of layers:
 *   k_eff = D*(k-1) + 1,  r_out = r_in + (k_eff - 1) * j_in,  j_out = j_in * s
 * starting from r = 1, j = 1 (a single input pixel). */
typedef struct cc_rf {
    long rf;    /* receptive field, in input pixels                  */
    long jump;  /* distance in input pixels between adjacent outputs  */
} cc_rf;

void cc_rf_init(cc_rf *state);
/* Apply one layer (a pooling layer counts like a convolution with its
 * window; a layer without spatial extent is kernel 1, stride 1). Returns 0,
 * or CC_EINVAL for non-positive values and CC_ERANGE when the field would
 * exceed CC_DIM_MAX * CC_DIM_MAX (state unchanged). */
int cc_rf_step(cc_rf *state, long kernel, long stride, long dilation,
               cc_error *err);

#ifdef __cplusplus
}
#endif
#endif
