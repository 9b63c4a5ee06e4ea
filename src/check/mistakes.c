/* mistakes.c - the mistake catalogue: one table (id, the kinds of problem
 * it applies to, the rule, the explanation). A rule is a transformation of
 * the computation -- of a size formula, of every layer of a stack, or of a
 * receptive-field chain -- never a list of wrong numbers: the solvers apply
 * each rule (and each pair of rules) to the problem's own computation and
 * recognise the values that come out. */
#include "kinds.h"

#include <string.h>

/* ---- rules on a size formula ------------------------------------------------ */

static int sz_one_sided(ex_sizecalc *c, int v)
{
    if (v)
        return -1;
    if (c->pb == 0 && c->pe == 0)
        return 0;
    c->pe = 0;
    return 1;
}

static int sz_no_pad(ex_sizecalc *c, int v)
{
    if (v)
        return -1;
    if (c->pb == 0 && c->pe == 0)
        return 0;
    c->pb = c->pe = 0;
    return 1;
}

static int sz_no_dil(ex_sizecalc *c, int v)
{
    if (v)
        return -1;
    if (c->d == 1)
        return 0;
    c->d = 1;
    return 1;
}

static int sz_no_stride(ex_sizecalc *c, int v)
{
    if (v)
        return -1;
    if (c->s == 1)
        return 0;
    c->s = 1;
    if (c->kind == CC_EX_TCONV_SIZE)
        c->op = 0; /* output_padding must stay below the stride */
    return 1;
}

static int sz_floor_ceil(ex_sizecalc *c, int v)
{
    if (v)
        return -1;
    if (c->kind == CC_EX_TCONV_SIZE)
        return 0;
    if (c->kind == CC_EX_OUTPUT_SIZE && c->ceil)
        return 0;
    c->ceil = !c->ceil;
    return 1;
}

static int sz_as_conv(ex_sizecalc *c, int v)
{
    if (v)
        return -1;
    if (c->kind != CC_EX_TCONV_SIZE)
        return 0;
    c->kind = CC_EX_OUTPUT_SIZE;
    c->op = 0;
    return 1;
}

static int sz_op_ignored(ex_sizecalc *c, int v)
{
    if (v)
        return -1;
    if (c->kind != CC_EX_TCONV_SIZE || c->op == 0)
        return 0;
    c->op = 0;
    return 1;
}

static int sz_off_by_one(ex_sizecalc *c, int v)
{
    if (v > 1)
        return -1;
    c->plus = v == 0 ? 0 : 2; /* the +1 left out, or added twice */
    return 1;
}

/* ---- rules on every layer of a stack -------------------------------------- */

static int ly_bias_per_in(const cc_stack *s, ex_lcalc *lc, int v)
{
    if (v)
        return -1;
    int any = 0;
    for (size_t i = 0; i < s->n; i++)
        if (lc[i].kind == LC_CONV && lc[i].bias && lc[i].groups == 1 && lc[i].cin > 1) {
            lc[i].bias_per_in = 1;
            any = 1;
        }
    return any;
}

static int ly_bias_forgotten(const cc_stack *s, ex_lcalc *lc, int v)
{
    if (v)
        return -1;
    int any = 0;
    for (size_t i = 0; i < s->n; i++)
        if ((lc[i].kind == LC_CONV || lc[i].kind == LC_LINEAR) && lc[i].bias) {
            lc[i].bias = 0;
            any = 1;
        }
    return any;
}

/* The first fully-connected layer after a flatten takes as many inputs as
 * the map before the last pooling layer has values. */
static int ly_flatten_early(const cc_stack *s, ex_lcalc *lc, int v)
{
    if (v)
        return -1;
    for (size_t i = 0; i < s->n; i++) {
        const cc_layer *l = &s->layers[i];
        if (l->kind != CC_LAYER_LINEAR)
            continue;
        int flat = l->in.rank == 3;
        for (size_t j = i; j-- > 0;) {
            const cc_layer *q = &s->layers[j];
            if (q->kind == CC_LAYER_FLATTEN) {
                flat = 1;
                continue;
            }
            if (ex_is_pool(q) && q->in.rank == 3 && flat && lc[i].kind == LC_LINEAR) {
                lc[i].n_in = (int64_t)q->in.c * q->in.h * q->in.w;
                return 1;
            }
            int64_t a = (int64_t)q->in.c * (q->in.rank == 3 ? q->in.h * q->in.w : 1);
            int64_t b = (int64_t)q->out.c * (q->out.rank == 3 ? q->out.h * q->out.w : 1);
            if (q->kind == CC_LAYER_CONV || q->kind == CC_LAYER_LINEAR || a != b)
                break; /* a layer that changes the values: no pooling right before */
        }
        return 0;
    }
    return 0;
}

static int ly_pool_params(const cc_stack *s, ex_lcalc *lc, int v)
{
    if (v > 5)
        return -1;
    int any = 0;
    for (size_t i = 0; i < s->n; i++)
        if (lc[i].kind == LC_POOL) {
            lc[i].pool_rule = v + 1;
            any = 1;
        }
    return any;
}

static int ly_bn(const cc_stack *s, ex_lcalc *lc, int per)
{
    int any = 0;
    for (size_t i = 0; i < s->n; i++)
        if (lc[i].kind == LC_BN && lc[i].per_channel == 2 &&
            (per == 0 || s->layers[i].track_running_stats)) {
            lc[i].per_channel = per;
            any = 1;
        }
    return any;
}

static int ly_bn_buffers(const cc_stack *s, ex_lcalc *lc, int v)
{
    return v ? -1 : ly_bn(s, lc, 4);
}

static int ly_bn_forgotten(const cc_stack *s, ex_lcalc *lc, int v)
{
    return v ? -1 : ly_bn(s, lc, 0);
}

static int ly_conv_no_cin(const cc_stack *s, ex_lcalc *lc, int v)
{
    if (v)
        return -1;
    int any = 0;
    for (size_t i = 0; i < s->n; i++)
        if (lc[i].kind == LC_CONV && lc[i].cin / (lc[i].groups > 0 ? lc[i].groups : 1) > 1) {
            lc[i].no_cin = 1;
            any = 1;
        }
    return any;
}

/* ---- rules on a receptive-field chain --------------------------------------- */

static int rf_no_jump(ex_rfchain *c, int v)
{
    if (v)
        return -1;
    for (size_t i = 0; i < c->n; i++)
        if (c->l[i].s[0] > 1 || c->l[i].s[1] > 1) {
            c->no_jump = 1;
            return 1;
        }
    return 0;
}

static int rf_no_dil(ex_rfchain *c, int v)
{
    if (v)
        return -1;
    int any = 0;
    for (size_t i = 0; i < c->n; i++)
        for (int d = 0; d < 2; d++)
            if (c->l[i].d[d] > 1) {
                c->l[i].d[d] = 1;
                any = 1;
            }
    return any;
}

static int rf_kernels_added(ex_rfchain *c, int v)
{
    if (v)
        return -1;
    c->sum_kernels = 1;
    return c->n > 1;
}

static int rf_off_by_one(ex_rfchain *c, int v)
{
    if (v > 1)
        return -1;
    c->plus = v == 0 ? -1 : 1;
    return 1;
}

/* ---- the catalogue ---------------------------------------------------------- */

#define K(k) EX_KIND_BIT(CC_EX_##k)
#define SIZES (K(OUTPUT_SIZE) | K(POOL_SIZE) | K(TCONV_SIZE) | K(STACK_SHAPE))
#define INVERSE (K(SAME_PADDING) | K(KERNEL_SIZE))

static const ex_mistake_def catalogue[CC_MISTAKE_COUNT] = {
    [CC_MISTAKE_NONE] = {CC_MISTAKE_NONE, "", 0, NULL, NULL, NULL, "", "", ""},
    [CC_MISTAKE_KERNEL_NOT_FLIPPED] =
        {CC_MISTAKE_KERNEL_NOT_FLIPPED, "kernel-not-flipped", K(CONVOLVE), NULL, NULL, NULL,
         "the kernel slid as written", "convolution flips the kernel by 180 degrees first",
         "the kernel was not flipped by 180 degrees: this is cross-correlation, not "
         "convolution"},
    [CC_MISTAKE_OFF_BY_ONE] =
        {CC_MISTAKE_OFF_BY_ONE, "off-by-one", SIZES | INVERSE | K(RECEPTIVE_FIELD),
         sz_off_by_one, NULL, rf_off_by_one, "the +1 of the formula left out or added twice",
         "the formula has exactly one +1",
         "off by one: the +1 of the size formula was left out or added twice"},
    [CC_MISTAKE_ONE_SIDED_PADDING] =
        {CC_MISTAKE_ONE_SIDED_PADDING, "one-sided-padding", SIZES | INVERSE, sz_one_sided, NULL,
         NULL, "P added once", "padding goes on both sides",
         "padding counted on one side only: it is added on both sides (2P)"},
    [CC_MISTAKE_FLOOR_CEIL] =
        {CC_MISTAKE_FLOOR_CEIL, "floor-vs-ceil", SIZES, sz_floor_ceil, NULL, NULL,
         "the division rounded the other way",
         "the division rounds down (floor) unless ceil mode is asked for",
         "rounded the wrong way: the division rounds down (floor) unless ceil mode is asked "
         "for"},
    [CC_MISTAKE_BIAS_PER_INPUT] =
        {CC_MISTAKE_BIAS_PER_INPUT, "bias-per-input-channel", K(PARAMS), NULL, ly_bias_per_in,
         NULL, "(k*k + 1) * Cin * Cout per convolution", "a filter has one bias",
         "a bias counted per input channel of each filter, (k*k + 1) * Cin * Cout: a filter "
         "spans all Cin input channels and has one bias, (k*k*Cin + 1) * Cout"},
    [CC_MISTAKE_BIAS_FORGOTTEN] =
        {CC_MISTAKE_BIAS_FORGOTTEN, "bias-forgotten", K(PARAMS), NULL, ly_bias_forgotten, NULL,
         "weights only", "each filter and each output unit has a bias",
         "the biases were left out: each filter and each output unit has one"},
    [CC_MISTAKE_POOL_PARAMS] =
        {CC_MISTAKE_POOL_PARAMS, "pooling-parameters", K(PARAMS), NULL, ly_pool_params, NULL,
         "(k*k + 1) * C or 2 * C per pooling layer", "pooling has no parameters",
         "pooling layers were given parameters: pooling has none"},
    [CC_MISTAKE_NO_PADDING] =
        {CC_MISTAKE_NO_PADDING, "padding-ignored", SIZES | INVERSE | K(CONVOLVE), sz_no_pad,
         NULL, NULL, "P left out", "the padding counts", "the padding was left out"},
    [CC_MISTAKE_DILATION_IGNORED] =
        {CC_MISTAKE_DILATION_IGNORED, "dilation-ignored",
         SIZES | INVERSE | K(RECEPTIVE_FIELD), sz_no_dil, NULL, rf_no_dil, "F used for D*(F-1)+1",
         "a dilated kernel spans D*(F-1)+1 pixels",
         "the dilation was ignored: a kernel F with dilation D spans D*(F-1)+1 pixels"},
    [CC_MISTAKE_TRANSPOSED_AS_CONV] =
        {CC_MISTAKE_TRANSPOSED_AS_CONV, "transposed-as-convolution", K(TCONV_SIZE), sz_as_conv,
         NULL, NULL, "O = (I + 2P - F)/S + 1",
         "a transposed convolution gives O = (I-1)*S - 2P + D*(F-1) + output_padding + 1",
         "the formula of an ordinary convolution was used: a transposed convolution gives "
         "O = (I-1)*S - 2P + D*(F-1) + output_padding + 1"},
    [CC_MISTAKE_STRIDE_IGNORED] =
        {CC_MISTAKE_STRIDE_IGNORED, "stride-ignored", SIZES | INVERSE | K(RECEPTIVE_FIELD),
         sz_no_stride, NULL, rf_no_jump, "S taken as 1 (for receptive fields: every jump 1)",
         "the stride counts (for receptive fields: each layer adds (F-1) times the jump)",
         "the stride was ignored (or, for receptive fields, the jump of earlier strides)"},
    [CC_MISTAKE_MACS_AS_FLOPS] =
        {CC_MISTAKE_MACS_AS_FLOPS, "macs-as-flops", K(MACS), NULL, NULL, NULL,
         "multiplies and adds counted apart", "one multiply-accumulate is one of each",
         "multiplies and adds counted separately: one multiply-accumulate (MAC) is one of "
         "each"},
    [CC_MISTAKE_HEIGHT_WIDTH_SWAPPED] =
        {CC_MISTAKE_HEIGHT_WIDTH_SWAPPED, "height-width-swapped", SIZES, NULL, NULL, NULL,
         "W x H", "sizes are height x width",
         "height and width swapped (sizes are height x width)"},
    [CC_MISTAKE_FLATTEN_BEFORE_POOL] =
        {CC_MISTAKE_FLATTEN_BEFORE_POOL, "flatten-before-last-pool", K(PARAMS), NULL,
         ly_flatten_early, NULL, "the flatten size of the map before the last pooling",
         "the flatten comes after the last pooling",
         "the flattened size was taken before the last pooling layer: the first "
         "fully-connected layer sees the pooled map"},
    [CC_MISTAKE_BN_BUFFERS] =
        {CC_MISTAKE_BN_BUFFERS, "batchnorm-buffers-counted", K(PARAMS), NULL, ly_bn_buffers,
         NULL, "4 * C per BatchNorm",
         "BatchNorm learns gamma and beta, 2 * C; the running mean and variance are buffers",
         "BatchNorm counted as 4 * C: its running mean and variance are buffers, not "
         "parameters (2 * C: gamma and beta)"},
    [CC_MISTAKE_BN_FORGOTTEN] =
        {CC_MISTAKE_BN_FORGOTTEN, "batchnorm-forgotten", K(PARAMS), NULL, ly_bn_forgotten,
         NULL, "0 per BatchNorm", "BatchNorm learns gamma and beta, 2 * C",
         "BatchNorm left out: it learns a scale gamma and a shift beta per channel (2 * C)"},
    [CC_MISTAKE_CONV_NO_CIN] =
        {CC_MISTAKE_CONV_NO_CIN, "conv-without-input-channels", K(PARAMS), NULL,
         ly_conv_no_cin, NULL, "k*k * Cout (+ Cout) per convolution",
         "a filter spans every input channel, k*k*Cin weights",
         "the input channels were left out of the filters: a filter has k*k*Cin weights, "
         "so a convolution has (k*k*Cin + 1) * Cout"},
    [CC_MISTAKE_KERNELS_ADDED] =
        {CC_MISTAKE_KERNELS_ADDED, "kernel-sizes-added", K(RECEPTIVE_FIELD), NULL, NULL,
         rf_kernels_added, "r = the sum of the kernel sizes",
         "each layer adds (F - 1) times the jump",
         "the kernel sizes were added: each layer widens the field by (F - 1) times the "
         "jump (three 3x3 convolutions see 7x7, not 9x9)"},
    [CC_MISTAKE_OUTPUT_PADDING_IGNORED] =
        {CC_MISTAKE_OUTPUT_PADDING_IGNORED, "output-padding-ignored", K(TCONV_SIZE),
         sz_op_ignored, NULL, NULL, "output_padding left out",
         "output_padding adds to one side of the output",
         "the output_padding of the transposed convolution was left out: "
         "O = (I-1)*S - 2P + D*(F-1) + output_padding + 1"},
};

const ex_mistake_def *ex_mistakes(void)
{
    return catalogue;
}

const ex_mistake_def *ex_mistake(cc_mistake m)
{
    return &catalogue[(unsigned)m < CC_MISTAKE_COUNT ? m : 0];
}

const char *cc_mistake_name(cc_mistake m)
{
    return ex_mistake(m)->name;
}

const char *cc_mistake_text(cc_mistake m)
{
    return ex_mistake(m)->text;
}
