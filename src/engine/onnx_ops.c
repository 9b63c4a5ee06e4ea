/* onnx_ops.c - ONNX operators as engine layers: one function per family,
 * each checking the attributes it cannot honour and computing the output
 * shape the next nodes see. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/onnx_priv.h"

static int need_layer(ox_graph *g, int k, ox_value **v, cc_error *err)
{
    int rc = ox_input(g, k, v, err);
    if (!rc && (*v)->kind != OXV_LAYER)
        rc = ox_err(g, err, CC_EINVAL, "input %d is a constant (expected a computed tensor)",
                    k + 1);
    return rc;
}

static int need_const(ox_graph *g, int k, ox_const **c, cc_error *err)
{
    ox_value *v;
    int rc = ox_input(g, k, &v, err);
    if (rc)
        return rc;
    if (v->kind != OXV_CONST)
        return ox_err(g, err, CC_EINVAL,
                      "input %d ('%.100s') is computed (expected a constant, such as an "
                      "initializer)", k + 1, v->name);
    *c = &v->c;
    return 0;
}

/* Optional constant input k (NULL when absent). */
static int opt_const(ox_graph *g, int k, ox_const **c, cc_error *err)
{
    *c = NULL;
    if ((size_t)k >= g->node->n_input || !g->node->input[k][0])
        return 0;
    return need_const(g, k, c, err);
}

static float *dup_floats(const float *src, size_t n, cc_error *err)
{
    float *p = malloc((n ? n : 1) * sizeof(float));
    if (!p)
        cc_error_set(err, CC_ENOMEM, "out of memory for the weights");
    else if (n)
        memcpy(p, src, n * sizeof(float));
    return p;
}

static int add_weight_copy(ox_graph *g, long li, const char *what, const ox_const *c,
                           cc_error *err)
{
    float *d = dup_floats(c->f, c->n, err);
    return d ? ox_add_weight(g, (size_t)li, what, d, c->n, err) : CC_ENOMEM;
}

/* Add layer d reading `from`, define output 0 with the given shape. */
static long emit(ox_graph *g, cc_layer_desc *d, long from, int rank, const long *dims,
                 cc_error *err)
{
    if (d->op != CC_OP_CONST && d->nin == 0) {
        d->nin = 1;
        d->in[0] = from;
    }
    long li = ox_add_layer(g, d, err);
    if (li < 0)
        return li;
    int rc = ox_def_layer(g, 0, li, rank, dims, err);
    return rc ? rc : li;
}

/* ---- shapes ------------------------------------------------------------------ */
static long conv_out(long in, long k, long s, long p0, long p1, long d)
{
    long span = d * (k - 1) + 1;
    return (in + p0 + p1 - span) / s + 1;
}

static long pool_out(long in, long k, long s, long p0, long p1, long d, int ceil_mode)
{
    long span = d * (k - 1) + 1, num = in + p0 + p1 - span;
    long o = (ceil_mode ? (num + s - 1) / s : num / s) + 1;
    if (ceil_mode && (o - 1) * s >= in + p0)
        o--; /* the last window must start inside the input or left padding */
    return o;
}

/* kernel_shape/strides/dilations/pads/auto_pad of a 2-D conv or pool on
 * input H x W: fills d and returns 0. */
static int window_attrs(ox_graph *g, const Onnx__NodeProto *n, cc_layer_desc *d, long H,
                        long W, long kh, long kw, int stride_default_kernel, cc_error *err)
{
    long v[8];
    size_t m = ox_attr_ints(n, "kernel_shape", v, 8);
    if (m && (m != 2 || (kh && (v[0] != kh || v[1] != kw))))
        return ox_err(g, err, CC_EINVAL,
                      "kernel_shape has %zu values (expected the 2 of a 2-D window matching "
                      "the weights)", m);
    if (m) {
        kh = v[0];
        kw = v[1];
    }
    if (kh < 1 || kw < 1)
        return ox_err(g, err, CC_EINVAL, "no kernel_shape");
    d->kh = kh;
    d->kw = kw;
    d->sh = d->sw = stride_default_kernel ? 0 : 1;
    if ((m = ox_attr_ints(n, "strides", v, 8))) {
        if (m != 2)
            return ox_err(g, err, CC_EINVAL, "strides has %zu values (expected 2)", m);
        d->sh = v[0];
        d->sw = v[1];
    }
    d->dh = d->dw = 1;
    if ((m = ox_attr_ints(n, "dilations", v, 8))) {
        if (m != 2)
            return ox_err(g, err, CC_EINVAL, "dilations has %zu values (expected 2)", m);
        d->dh = v[0];
        d->dw = v[1];
    }
    if ((m = ox_attr_ints(n, "pads", v, 8))) {
        if (m != 4)
            return ox_err(g, err, CC_EINVAL, "pads has %zu values (expected 4)", m);
        d->pt = v[0];
        d->pl = v[1];
        d->pb = v[2];
        d->pr = v[3];
    }
    char ap[32];
    ox_attr_s(n, "auto_pad", ap, sizeof ap);
    if (!strcmp(ap, "VALID")) {
        d->pt = d->pb = d->pl = d->pr = 0;
    } else if (!strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER")) {
        long sh = d->sh ? d->sh : 1, sw = d->sw ? d->sw : 1;
        if (sh < 1 || sw < 1 || sh > CC_DIM_MAX || sw > CC_DIM_MAX || kh > CC_DIM_MAX ||
            kw > CC_DIM_MAX || d->dh < 1 || d->dw < 1 || d->dh > CC_DIM_MAX ||
            d->dw > CC_DIM_MAX)
            return ox_err(g, err, CC_EINVAL, "bad strides or dilations");
        long th = ((H + sh - 1) / sh - 1) * sh + (kh - 1) * d->dh + 1 - H;
        long tw = ((W + sw - 1) / sw - 1) * sw + (kw - 1) * d->dw + 1 - W;
        th = th < 0 ? 0 : th;
        tw = tw < 0 ? 0 : tw;
        int lower = ap[5] == 'L';
        d->pt = lower ? th - th / 2 : th / 2;
        d->pb = th - d->pt;
        d->pl = lower ? tw - tw / 2 : tw / 2;
        d->pr = tw - d->pl;
    } else if (ap[0] && strcmp(ap, "NOTSET")) {
        return ox_err(g, err, CC_EINVAL, "auto_pad '%s' is not supported", ap);
    }
    if (d->kh > CC_DIM_MAX || d->kw > CC_DIM_MAX || d->sh > CC_DIM_MAX ||
        d->sw > CC_DIM_MAX || d->sh < 0 || d->sw < 0 || d->dh < 1 || d->dw < 1 ||
        d->dh > CC_DIM_MAX || d->dw > CC_DIM_MAX || d->pt < 0 || d->pb < 0 || d->pl < 0 ||
        d->pr < 0 || d->pt > CC_DIM_MAX || d->pb > CC_DIM_MAX || d->pl > CC_DIM_MAX ||
        d->pr > CC_DIM_MAX || (d->sh == 0) != (d->sw == 0) || (!stride_default_kernel && d->sh < 1))
        return ox_err(g, err, CC_EINVAL,
                      "kernel %ldx%ld, strides %ldx%ld, dilations %ldx%ld, pads %ld/%ld/%ld/%ld "
                      "(expected positive sizes, pads >= 0)", d->kh, d->kw, d->sh, d->sw,
                      d->dh, d->dw, d->pt, d->pl, d->pb, d->pr);
    return 0;
}

static int need_image(ox_graph *g, const ox_value *x, const char *what, cc_error *err)
{
    if (x->rank == 4)
        return 0;
    return ox_err(g, err, CC_EINVAL,
                  "a %s on a rank-%d tensor (the engine runs 2-D ones on (N, C, H, W))", what,
                  x->rank);
}

/* ---- operators ----------------------------------------------------------------- */
static int op_conv(ox_graph *g, const Onnx__NodeProto *n, int transposed, cc_error *err)
{
    ox_value *x;
    ox_const *w, *b;
    int rc;
    if ((rc = need_layer(g, 0, &x, err)) || (rc = need_const(g, 1, &w, err)) ||
        (rc = opt_const(g, 2, &b, err)) || (rc = need_image(g, x, "convolution", err)))
        return rc;
    long G = ox_attr_i(n, "group", 1);
    if (w->ndim != 4 || G < 1 || G > CC_DIM_MAX)
        return ox_err(g, err, CC_EINVAL, "weights of rank %d, group %ld (expected rank 4)",
                      w->ndim, G);
    cc_layer_desc d = {.op = transposed ? CC_OP_CONV_TRANSPOSE : CC_OP_CONV2D, .groups = G};
    if ((rc = window_attrs(g, n, &d, x->dims[2], x->dims[3], w->dims[2], w->dims[3], 0, err)))
        return rc;
    long C = x->dims[1];
    long OC = transposed ? w->dims[1] * G : w->dims[0];
    if ((!transposed && w->dims[1] * G != C) || (transposed && w->dims[0] != C))
        return ox_err(g, err, CC_ESHAPE,
                      "weights %ldx%ldx%ldx%ld do not fit %ld input channels in %ld groups",
                      w->dims[0], w->dims[1], w->dims[2], w->dims[3], C, G);
    if (b && (long)b->n != OC)
        return ox_err(g, err, CC_ESHAPE, "%zu biases for %ld output channels", b->n, OC);
    d.out = OC;
    d.no_bias = b == NULL;
    long dims[4] = {x->dims[0], OC, 0, 0};
    if (transposed) {
        long v[8];
        if (ox_attr(n, "output_shape"))
            return ox_err(g, err, CC_EINVAL, "output_shape is not supported (give pads)");
        char ap[32];
        ox_attr_s(n, "auto_pad", ap, sizeof ap);
        if (ap[0] && strcmp(ap, "NOTSET") && strcmp(ap, "VALID"))
            return ox_err(g, err, CC_EINVAL, "auto_pad '%s' is not supported here", ap);
        size_t m = ox_attr_ints(n, "output_padding", v, 8);
        if (m && m != 2)
            return ox_err(g, err, CC_EINVAL, "output_padding has %zu values (expected 2)", m);
        if (m) {
            d.oph = v[0];
            d.opw = v[1];
        }
        dims[2] = (x->dims[2] - 1) * d.sh - d.pt - d.pb + d.dh * (d.kh - 1) + 1 + d.oph;
        dims[3] = (x->dims[3] - 1) * d.sw - d.pl - d.pr + d.dw * (d.kw - 1) + 1 + d.opw;
    } else {
        dims[2] = conv_out(x->dims[2], d.kh, d.sh, d.pt, d.pb, d.dh);
        dims[3] = conv_out(x->dims[3], d.kw, d.sw, d.pl, d.pr, d.dw);
    }
    long li = emit(g, &d, x->layer, 4, dims, err);
    if (li < 0)
        return (int)li;
    if ((rc = add_weight_copy(g, li, "weight", w, err)))
        return rc;
    return b ? add_weight_copy(g, li, "bias", b, err) : 0;
}

static int op_batchnorm(ox_graph *g, const Onnx__NodeProto *n, cc_error *err)
{
    ox_value *x;
    ox_const *p[4];
    int rc;
    if ((rc = need_layer(g, 0, &x, err)))
        return rc;
    for (int k = 0; k < 4; k++)
        if ((rc = need_const(g, k + 1, &p[k], err)))
            return rc;
    if (x->rank < 2)
        return ox_err(g, err, CC_EINVAL, "BatchNormalization on a rank-%d tensor", x->rank);
    if (ox_attr_i(n, "training_mode", 0))
        return ox_err(g, err, CC_EINVAL, "training_mode = 1 is not supported");
    if (!ox_attr_i(n, "spatial", 1))
        return ox_err(g, err, CC_EINVAL,
                      "spatial = 0 (statistics per element) is not supported");
    long C = x->dims[1];
    for (int k = 0; k < 4; k++)
        if ((long)p[k]->n != C)
            return ox_err(g, err, CC_ESHAPE, "input %d holds %zu values for %ld channels",
                          k + 2, p[k]->n, C);
    cc_layer_desc d = {.op = CC_OP_BATCHNORM, .eps = ox_attr_f(n, "epsilon", 1e-5)};
    if (!(d.eps > 0))
        return ox_err(g, err, CC_EINVAL, "epsilon %g (expected > 0)", d.eps);
    long li = emit(g, &d, x->layer, x->rank, x->dims, err);
    if (li < 0)
        return (int)li;
    static const char *const what[4] = {"weight", "bias", "running_mean", "running_var"};
    for (int k = 0; k < 4; k++)
        if ((rc = add_weight_copy(g, li, what[k], p[k], err)))
            return rc;
    return 0;
}

/* Gemm and MatMul: out = alpha * A * op(B) + beta * C, as a linear layer. */
static int op_gemm(ox_graph *g, const Onnx__NodeProto *n, int matmul, cc_error *err)
{
    ox_value *a;
    ox_const *b, *c = NULL;
    int rc;
    if ((rc = need_layer(g, 0, &a, err)) || (rc = need_const(g, 1, &b, err)) ||
        (!matmul && (rc = opt_const(g, 2, &c, err))))
        return rc;
    if (a->rank != 2 || b->ndim != 2)
        return ox_err(g, err, CC_EINVAL,
                      "a product of rank %d and rank %d (supported: (N, K) times a constant "
                      "K x M matrix)", a->rank, b->ndim);
    int tb = matmul ? 0 : (int)ox_attr_i(n, "transB", 0);
    if (!matmul && ox_attr_i(n, "transA", 0))
        return ox_err(g, err, CC_EINVAL, "transA = 1 is not supported");
    double alpha = matmul ? 1.0 : ox_attr_f(n, "alpha", 1.0);
    double beta = matmul ? 1.0 : ox_attr_f(n, "beta", 1.0);
    long K = tb ? b->dims[1] : b->dims[0], M = tb ? b->dims[0] : b->dims[1];
    if (K != a->dims[1])
        return ox_err(g, err, CC_ESHAPE, "(N, %ld) times a %ld x %ld matrix", a->dims[1],
                      K, M);
    if (c && c->n != 1 && !(c->n == (size_t)M && c->dims[c->ndim - 1] == M))
        return ox_err(g, err, CC_EINVAL,
                      "a C of %zu values (supported: one per output, or one)", c->n);
    float *w = malloc((size_t)M * (size_t)K * sizeof(float));
    if (!w)
        return cc_error_set(err, CC_ENOMEM, "out of memory for the weights");
    for (long m = 0; m < M; m++)
        for (long k = 0; k < K; k++)
            w[(size_t)m * K + k] =
                (float)(alpha * b->f[tb ? (size_t)m * K + k : (size_t)k * M + m]);
    cc_layer_desc d = {.op = CC_OP_LINEAR, .out = M, .no_bias = c == NULL || beta == 0.0};
    long dims[2] = {a->dims[0], M};
    long li = emit(g, &d, a->layer, 2, dims, err);
    if (li < 0) {
        free(w);
        return (int)li;
    }
    if ((rc = ox_add_weight(g, (size_t)li, "weight", w, (size_t)M * K, err)))
        return rc;
    if (d.no_bias)
        return 0;
    float *bias = malloc((size_t)M * sizeof(float));
    if (!bias)
        return cc_error_set(err, CC_ENOMEM, "out of memory for the weights");
    for (long m = 0; m < M; m++)
        bias[m] = (float)(beta * c->f[c->n == 1 ? 0 : (size_t)m]);
    return ox_add_weight(g, (size_t)li, "bias", bias, (size_t)M, err);
}

/* Can b (layer) combine with a per the engine's broadcast (same shape, one
 * value per channel, one value)? */
static int fits_under(const ox_value *a, const ox_value *b)
{
    if (a->rank != b->rank || a->dims[0] != b->dims[0])
        return 0;
    int same = 1, chan = 1, one = 1;
    for (int k = 1; k < a->rank; k++) {
        same &= a->dims[k] == b->dims[k];
        chan &= k == 1 ? b->dims[k] == a->dims[k] : b->dims[k] == 1;
        one &= b->dims[k] == 1;
    }
    return same || chan || one;
}

static int op_binary(ox_graph *g, const Onnx__NodeProto *n, cc_error *err)
{
    ox_value *a, *b;
    int rc;
    if ((rc = ox_input(g, 0, &a, err)) || (rc = ox_input(g, 1, &b, err)))
        return rc;
    const char *op = n->op_type;
    int commutes = !strcmp(op, "Add") || !strcmp(op, "Mul");
    cc_layer_desc d = {.op = !strcmp(op, "Add")   ? CC_OP_ADD
                             : !strcmp(op, "Sub") ? CC_OP_SUB
                             : !strcmp(op, "Mul") ? CC_OP_MUL
                                                  : CC_OP_DIV,
                       .nin = 2};
    if (a->kind == OXV_LAYER && b->kind == OXV_LAYER) {
        if (!fits_under(a, b)) {
            if (commutes && fits_under(b, a)) {
                ox_value *t = a;
                a = b;
                b = t;
            } else {
                return ox_err(g, err, CC_ESHAPE,
                              "operands of rank %d and %d whose shapes the engine does not "
                              "broadcast (same shape, (N, C, 1, 1), or one value)",
                              a->rank, b->rank);
            }
        }
        d.in[0] = a->layer;
        d.in[1] = b->layer;
        long li = emit(g, &d, a->layer, a->rank, a->dims, err);
        return li < 0 ? (int)li : 0;
    }
    /* one constant: expand it to the other operand's per-sample shape */
    ox_value *t = a->kind == OXV_LAYER ? a : b;
    ox_value *cv = a->kind == OXV_LAYER ? b : a;
    if (g->opset < 7 && ox_attr_i(n, "broadcast", 0) && ox_attr(n, "axis")) {
        /* opset 6 broadcasting: b's dims line up from `axis` on */
        long axis = ox_attr_i(n, "axis", 0);
        if (axis < 0)
            axis += t->rank;
        int nd = cv->c.ndim;
        if (cv != b || axis < 0 || axis + nd > t->rank)
            return ox_err(g, err, CC_EINVAL, "a legacy broadcast at axis %ld", axis);
        for (int k = nd; k < t->rank - axis; k++)
            cv->c.dims[cv->c.ndim++] = 1;
        cv->rank = cv->c.ndim;
        memcpy(cv->dims, cv->c.dims, sizeof cv->dims);
    }
    long lc = ox_layer_of(g, cv, t->rank, t->dims, err);
    if (lc < 0)
        return (int)lc;
    d.in[0] = a->kind == OXV_LAYER ? a->layer : lc;
    d.in[1] = a->kind == OXV_LAYER ? lc : b->layer;
    long li = emit(g, &d, d.in[0], t->rank, t->dims, err);
    return li < 0 ? (int)li : 0;
}

static int op_unary(ox_graph *g, const Onnx__NodeProto *n, cc_error *err)
{
    ox_value *x;
    int rc = need_layer(g, 0, &x, err);
    if (rc)
        return rc;
    const char *op = n->op_type;
    cc_layer_desc d = {0};
    if (!strcmp(op, "Relu")) {
        d.op = CC_OP_RELU;
    } else if (!strcmp(op, "LeakyRelu")) {
        d.op = CC_OP_LEAKY_RELU;
        d.slope = ox_attr_f(n, "alpha", 0.01);
        if (d.slope == 0.0)
            d.op = CC_OP_RELU;
    } else if (!strcmp(op, "Elu")) {
        d.op = CC_OP_ELU;
        d.slope = ox_attr_f(n, "alpha", 1.0);
        if (d.slope == 0.0)
            d.op = CC_OP_RELU;
    } else if (!strcmp(op, "Selu")) {
        d.op = CC_OP_SELU;
        d.alpha = ox_attr_f(n, "alpha", 1.67326319217681884765625);
        d.beta = ox_attr_f(n, "gamma", 1.05070102214813232421875);
    } else if (!strcmp(op, "Sigmoid")) {
        d.op = CC_OP_SIGMOID;
    } else if (!strcmp(op, "Tanh")) {
        d.op = CC_OP_TANH;
    } else if (!strcmp(op, "Softplus")) {
        d.op = CC_OP_SOFTPLUS;
    } else if (!strcmp(op, "HardSigmoid")) {
        d.op = CC_OP_HARDSIGMOID;
        d.alpha = ox_attr_f(n, "alpha", 0.2);
        d.beta = ox_attr_f(n, "beta", 0.5);
        if (d.alpha == 0.0 || d.beta == 0.0)
            return ox_err(g, err, CC_EINVAL, "HardSigmoid with alpha or beta 0");
    } else if (!strcmp(op, "HardSwish")) {
        d.op = CC_OP_HARDSWISH;
    } else { /* Clip */
        d.op = CC_OP_CLIP;
        d.alpha = -INFINITY;
        d.beta = INFINITY;
        if (g->opset < 11) {
            d.alpha = ox_attr_f(n, "min", -INFINITY);
            d.beta = ox_attr_f(n, "max", INFINITY);
        } else {
            ox_const *lo, *hi;
            if ((rc = opt_const(g, 1, &lo, err)) || (rc = opt_const(g, 2, &hi, err)))
                return rc;
            if ((lo && lo->n != 1) || (hi && hi->n != 1))
                return ox_err(g, err, CC_EINVAL, "Clip bounds that are not single values");
            if (lo)
                d.alpha = lo->f[0];
            if (hi)
                d.beta = hi->f[0];
        }
    }
    long li = emit(g, &d, x->layer, x->rank, x->dims, err);
    return li < 0 ? (int)li : 0;
}

static int op_prelu(ox_graph *g, cc_error *err)
{
    ox_value *x;
    ox_const *s;
    int rc;
    if ((rc = need_layer(g, 0, &x, err)) || (rc = need_const(g, 1, &s, err)))
        return rc;
    long C = x->rank >= 2 ? x->dims[1] : 1;
    /* one slope, or one per channel laid along axis 1 */
    int per_channel = (long)s->n == C && s->n > 1;
    if (per_channel) {
        int lead = s->ndim - (x->rank - 1); /* axis of s aligned with axis 1 of x */
        if (lead < 0 || s->dims[lead] != C)
            per_channel = 0, s = NULL;
    }
    if (!s || (s->n != 1 && !per_channel))
        return ox_err(g, err, CC_EINVAL,
                      "slopes that are neither one value nor one per channel");
    cc_layer_desc d = {.op = CC_OP_PRELU, .out = per_channel ? C : 1};
    long li = emit(g, &d, x->layer, x->rank, x->dims, err);
    if (li < 0)
        return (int)li;
    return add_weight_copy(g, li, "weight", s, err);
}

static int op_softmax(ox_graph *g, const Onnx__NodeProto *n, cc_error *err)
{
    ox_value *x;
    int rc = need_layer(g, 0, &x, err);
    if (rc)
        return rc;
    long axis = ox_attr_i(n, "axis", g->opset >= 13 ? -1 : 1);
    if (axis < 0)
        axis += x->rank;
    cc_op op = !strcmp(n->op_type, "Softmax") ? CC_OP_SOFTMAX : CC_OP_LOG_SOFTMAX;
    if (x->rank == 2 && axis == 1) {
        cc_layer_desc d = {.op = op};
        long li = emit(g, &d, x->layer, 2, x->dims, err);
        return li < 0 ? (int)li : 0;
    }
    if (axis == 1 && g->opset >= 13) { /* over channels */
        cc_layer_desc d = {.op = op};
        long li = emit(g, &d, x->layer, x->rank, x->dims, err);
        return li < 0 ? (int)li : 0;
    }
    if (axis == 1) { /* before opset 13: over everything after the batch */
        long flat = 1;
        for (int k = 1; k < x->rank; k++)
            flat *= x->dims[k];
        cc_layer_desc r1 = {.op = CC_OP_RESHAPE, .out = flat, .nin = 1, .in = {x->layer}};
        long l1 = ox_add_layer(g, &r1, err);
        if (l1 < 0)
            return (int)l1;
        cc_layer_desc s = {.op = op, .nin = 1, .in = {l1}};
        long l2 = ox_add_layer(g, &s, err);
        if (l2 < 0)
            return (int)l2;
        long c, h, w;
        if ((rc = ox_sample_shape(g, x->rank, x->dims, &c, &h, &w, err)))
            return rc;
        cc_layer_desc r2 = {.op = CC_OP_RESHAPE, .out = c, .kh = h, .kw = w};
        long li = emit(g, &r2, l2, x->rank, x->dims, err);
        return li < 0 ? (int)li : 0;
    }
    return ox_err(g, err, CC_EINVAL,
                  "%s over axis %ld of a rank-%d tensor (supported: the features of (N, F), "
                  "the channels of (N, C, ...))", n->op_type, axis, x->rank);
}

static int op_pool(ox_graph *g, const Onnx__NodeProto *n, cc_error *err)
{
    ox_value *x;
    int rc;
    if ((rc = need_layer(g, 0, &x, err)) || (rc = need_image(g, x, "pooling", err)))
        return rc;
    int maxp = !strcmp(n->op_type, "MaxPool");
    if (maxp && n->n_output > 1 && n->output[1][0])
        return ox_err(g, err, CC_EINVAL, "the Indices output of MaxPool is not supported");
    cc_layer_desc d = {.op = maxp ? CC_OP_MAXPOOL2D : CC_OP_AVGPOOL2D};
    if ((rc = window_attrs(g, n, &d, x->dims[2], x->dims[3], 0, 0, 0, err)))
        return rc;
    if (!maxp && (d.dh != 1 || d.dw != 1))
        return ox_err(g, err, CC_EINVAL, "a dilated average pool");
    d.ceil_mode = (int)ox_attr_i(n, "ceil_mode", 0) != 0;
    d.exclude_pad = !maxp && !ox_attr_i(n, "count_include_pad", 0);
    long dims[4] = {x->dims[0], x->dims[1],
                    pool_out(x->dims[2], d.kh, d.sh, d.pt, d.pb, d.dh, d.ceil_mode),
                    pool_out(x->dims[3], d.kw, d.sw, d.pl, d.pr, d.dw, d.ceil_mode)};
    long li = emit(g, &d, x->layer, 4, dims, err);
    return li < 0 ? (int)li : 0;
}

static int op_reshape(ox_graph *g, const Onnx__NodeProto *n, cc_error *err)
{
    ox_value *x;
    ox_const *s;
    int rc;
    if ((rc = need_layer(g, 0, &x, err)))
        return rc;
    long dims[CC_ONNX_MAX_DIMS];
    int r;
    if (!strcmp(n->op_type, "Flatten")) {
        long axis = ox_attr_i(n, "axis", 1);
        if (axis < 0)
            axis += x->rank;
        if (axis != 1)
            return ox_err(g, err, CC_EINVAL,
                          "Flatten at axis %ld (supported: 1, keeping the batch)", axis);
        r = 2;
    } else {
        if ((rc = need_const(g, 1, &s, err)))
            return rc;
        if (s->ndim != 1 || s->n < 1 || s->n > 4)
            return ox_err(g, err, CC_EINVAL, "a target shape of %zu values (expected 1 to 4)",
                          s->n);
        r = (int)s->n;
        long t0 = s->i ? (long)(s->i[0] == OX_BATCH ? -2 : s->i[0]) : (long)ox_f2i(s->f[0]);
        int allow0 = (int)ox_attr_i(n, "allowzero", 0);
        if (!(t0 == -2 || (t0 == 0 && !allow0) || t0 == -1 || (g->batch && t0 == g->batch) ||
              (t0 == x->dims[0] && t0 > 0)))
            return ox_err(g, err, CC_EINVAL,
                          "a Reshape that changes the batch dimension (to %ld)", t0);
        size_t known = 1, total = 1;
        int infer = -1;
        for (int k = 1; k < x->rank; k++)
            total *= (size_t)x->dims[k];
        for (int k = 1; k < r; k++) {
            long v = s->i ? (long)s->i[k] : (long)ox_f2i(s->f[k]);
            if (v == 0 && !allow0 && k < x->rank)
                v = x->dims[k];
            if (v == -1 && infer < 0 && t0 != -1) {
                infer = k;
                continue;
            }
            if (v < 1 || v > CC_DIM_MAX)
                return ox_err(g, err, CC_EINVAL, "target dimension %d is %ld", k, v);
            dims[k] = v;
            known *= (size_t)v;
        }
        if (infer >= 0)
            dims[infer] = known && total % known == 0 ? (long)(total / known) : 0;
        if (t0 == -1 ? known != total : (infer < 0 && known != total) || (infer >= 0 && !dims[infer]))
            return ox_err(g, err, CC_ESHAPE, "cannot reshape %zu values per sample", total);
    }
    dims[0] = x->dims[0];
    if (r == 2) {
        size_t total = 1;
        for (int k = 1; k < x->rank; k++)
            total *= (size_t)x->dims[k];
        dims[1] = (long)total;
    }
    long c, h, w;
    if ((rc = ox_sample_shape(g, r, dims, &c, &h, &w, err)))
        return rc;
    cc_layer_desc d = {.op = r == 2 ? CC_OP_FLATTEN : CC_OP_RESHAPE, .out = c, .kh = h, .kw = w};
    long li = emit(g, &d, x->layer, r, dims, err);
    return li < 0 ? (int)li : 0;
}

static int op_pad(ox_graph *g, const Onnx__NodeProto *n, cc_error *err)
{
    ox_value *x;
    int rc;
    if ((rc = need_layer(g, 0, &x, err)))
        return rc;
    char mode[32];
    ox_attr_s(n, "mode", mode, sizeof mode);
    if (mode[0] && strcmp(mode, "constant"))
        return ox_err(g, err, CC_EINVAL, "Pad mode '%s' (supported: constant)", mode);
    long p[16];
    size_t m;
    double value = 0.0;
    if (g->opset < 11) {
        m = ox_attr_ints(n, "pads", p, 16);
        value = ox_attr_f(n, "value", 0.0);
    } else {
        ox_const *pc, *vc;
        if ((rc = need_const(g, 1, &pc, err)) || (rc = opt_const(g, 2, &vc, err)))
            return rc;
        if (n->n_input > 3 && n->input[3][0])
            return ox_err(g, err, CC_EINVAL, "Pad with axes is not supported");
        m = pc->n;
        for (size_t k = 0; k < m && k < 16; k++)
            p[k] = pc->i ? (long)pc->i[k] : (long)ox_f2i(pc->f[k]);
        if (vc && vc->n)
            value = vc->f[0];
    }
    int r = x->rank;
    if (m != (size_t)(2 * r) || (r != 3 && r != 4))
        return ox_err(g, err, CC_EINVAL,
                      "%zu pads for a rank-%d tensor (supported: the spatial axes of rank 3 "
                      "or 4)", m, r);
    for (int k = 0; k < 2 * r; k++)
        if (p[k] < 0 || p[k] > CC_DIM_MAX || ((k % r) < 2 && p[k]))
            return ox_err(g, err, CC_EINVAL,
                          "pads that are negative or touch the batch or channels");
    cc_layer_desc d = {.op = CC_OP_PAD, .pt = p[2], .pb = p[r + 2], .pl = r == 4 ? p[3] : 0,
                       .pr = r == 4 ? p[r + 3] : 0, .alpha = value};
    long dims[4] = {x->dims[0], x->dims[1], x->dims[2] + d.pt + d.pb,
                    r == 4 ? x->dims[3] + d.pl + d.pr : 0};
    long li = emit(g, &d, x->layer, r, dims, err);
    return li < 0 ? (int)li : 0;
}

static int op_concat(ox_graph *g, const Onnx__NodeProto *n, cc_error *err)
{
    if (n->n_input < 1 || n->n_input > CC_NET_MAX_IN)
        return ox_err(g, err, CC_EINVAL, "%zu inputs (supported: 1 to %d)", n->n_input,
                      CC_NET_MAX_IN);
    ox_value *v[CC_NET_MAX_IN];
    int rc;
    for (size_t k = 0; k < n->n_input; k++)
        if ((rc = need_layer(g, (int)k, &v[k], err)))
            return rc;
    long axis = ox_attr_i(n, "axis", 1);
    if (axis < 0)
        axis += v[0]->rank;
    if (axis != 1)
        return ox_err(g, err, CC_EINVAL, "Concat along axis %ld (supported: 1, the channels)",
                      axis);
    cc_layer_desc d = {.op = CC_OP_CONCAT, .nin = (int)n->n_input};
    long dims[CC_ONNX_MAX_DIMS];
    memcpy(dims, v[0]->dims, sizeof dims);
    dims[1] = 0;
    for (size_t k = 0; k < n->n_input; k++) {
        if (v[k]->rank != v[0]->rank)
            return ox_err(g, err, CC_ESHAPE, "inputs of different ranks");
        for (int j = 2; j < v[0]->rank; j++)
            if (v[k]->dims[j] != v[0]->dims[j])
                return ox_err(g, err, CC_ESHAPE, "inputs whose dimension %d differs", j);
        d.in[k] = v[k]->layer;
        dims[1] += v[k]->dims[1];
    }
    long li = emit(g, &d, d.in[0], v[0]->rank, dims, err);
    return li < 0 ? (int)li : 0;
}

/* Upsample and Resize in nearest mode by whole factors: the engine's
 * nearest upsampling, where the coordinate mapping picks input o / s
 * (half_pixel with round-to-nearest, asymmetric with floor, or factor 2). */
static int op_resize(ox_graph *g, const Onnx__NodeProto *n, cc_error *err)
{
    ox_value *x;
    int rc;
    if ((rc = need_layer(g, 0, &x, err)) || (rc = need_image(g, x, "resize", err)))
        return rc;
    int resize = !strcmp(n->op_type, "Resize");
    char mode[32], coord[40], near[40];
    ox_attr_s(n, "mode", mode, sizeof mode);
    ox_attr_s(n, "coordinate_transformation_mode", coord, sizeof coord);
    ox_attr_s(n, "nearest_mode", near, sizeof near);
    if (!coord[0])
        snprintf(coord, sizeof coord, "%s",
                 resize && g->opset >= 11 ? "half_pixel" : "asymmetric");
    if (!near[0])
        snprintf(near, sizeof near, "%s",
                 resize && g->opset >= 11 ? "round_prefer_floor" : "floor");
    if (mode[0] && strcmp(mode, "nearest"))
        return ox_err(g, err, CC_EINVAL, "%s mode '%s' (supported: nearest)", n->op_type, mode);
    double s[4] = {0, 0, 0, 0};
    ox_const *sc = NULL, *sz = NULL;
    if (!resize && g->opset < 9) {
        const Onnx__AttributeProto *a = ox_attr(n, "scales");
        if (!a || a->n_floats != 4)
            return ox_err(g, err, CC_EINVAL, "Upsample needs 4 scales");
        for (int k = 0; k < 4; k++)
            s[k] = a->floats[k];
    } else {
        int si = !resize || g->opset < 11 ? 1 : 2;
        if ((rc = opt_const(g, si, &sc, err)) ||
            (resize && g->opset >= 11 && (rc = opt_const(g, 3, &sz, err))))
            return rc;
        if (sc && sc->n == 4) {
            for (int k = 0; k < 4; k++)
                s[k] = sc->f[k];
        } else if (sz && sz->n == 4) {
            for (int k = 0; k < 4; k++)
                s[k] = x->dims[k]
                           ? (sz->i ? (double)sz->i[k] : (double)sz->f[k]) / x->dims[k]
                           : 1.0;
        } else {
            return ox_err(g, err, CC_EINVAL, "no 4 scales or sizes");
        }
    }
    /* range first: converting a double outside long's range is undefined */
    int whole = s[2] >= 1 && s[2] <= 1024 && s[3] >= 1 && s[3] <= 1024;
    long sh = whole ? (long)s[2] : 0, sw = whole ? (long)s[3] : 0;
    if (!whole || s[0] != 1.0 || s[1] != 1.0 || s[2] != (double)sh || s[3] != (double)sw)
        return ox_err(g, err, CC_EINVAL,
                      "scales %g, %g, %g, %g (supported: whole factors of height and width)",
                      s[0], s[1], s[2], s[3]);
    int half = !strcmp(coord, "half_pixel") || !strcmp(coord, "pytorch_half_pixel");
    int ok = (half && !strncmp(near, "round_prefer_", 13)) ||
             (!strcmp(coord, "asymmetric") &&
              (!strcmp(near, "floor") ||
               (!strcmp(near, "round_prefer_floor") && sh <= 2 && sw <= 2)));
    if (!ok)
        return ox_err(g, err, CC_EINVAL,
                      "coordinate mode '%s' with nearest mode '%s' (supported: the mappings "
                      "that pick input o / s)", coord, near);
    cc_layer_desc d = {.op = CC_OP_UPSAMPLE, .sh = sh, .sw = sw};
    long dims[4] = {x->dims[0], x->dims[1], x->dims[2] * sh, x->dims[3] * sw};
    long li = emit(g, &d, x->layer, 4, dims, err);
    return li < 0 ? (int)li : 0;
}

int ox_convert_node(ox_graph *g, const Onnx__NodeProto *n, cc_error *err)
{
    const char *op = n->op_type;
    static const char *const unary[] = {"Relu", "LeakyRelu", "Elu", "Selu", "Sigmoid",
                                        "Tanh", "Softplus", "HardSigmoid", "HardSwish",
                                        "Clip", NULL};
    for (int k = 0; unary[k]; k++)
        if (!strcmp(op, unary[k]))
            return op_unary(g, n, err);
    if (!strcmp(op, "Conv") || !strcmp(op, "ConvTranspose"))
        return op_conv(g, n, op[4] == 'T', err);
    if (!strcmp(op, "BatchNormalization"))
        return op_batchnorm(g, n, err);
    if (!strcmp(op, "Gemm") || !strcmp(op, "MatMul"))
        return op_gemm(g, n, op[0] == 'M', err);
    if (!strcmp(op, "Add") || !strcmp(op, "Sub") || !strcmp(op, "Mul") || !strcmp(op, "Div"))
        return op_binary(g, n, err);
    if (!strcmp(op, "PRelu"))
        return op_prelu(g, err);
    if (!strcmp(op, "Softmax") || !strcmp(op, "LogSoftmax"))
        return op_softmax(g, n, err);
    if (!strcmp(op, "MaxPool") || !strcmp(op, "AveragePool"))
        return op_pool(g, n, err);
    if (!strcmp(op, "Reshape") || !strcmp(op, "Flatten"))
        return op_reshape(g, n, err);
    if (!strcmp(op, "Pad"))
        return op_pad(g, n, err);
    if (!strcmp(op, "Concat"))
        return op_concat(g, n, err);
    if (!strcmp(op, "Resize") || !strcmp(op, "Upsample"))
        return op_resize(g, n, err);
    if (!strcmp(op, "GlobalAveragePool")) {
        ox_value *x;
        int rc;
        if ((rc = need_layer(g, 0, &x, err)) || (rc = need_image(g, x, "pooling", err)))
            return rc;
        cc_layer_desc d = {.op = CC_OP_GLOBAL_AVGPOOL};
        long dims[4] = {x->dims[0], x->dims[1], 1, 1};
        long li = emit(g, &d, x->layer, 4, dims, err);
        return li < 0 ? (int)li : 0;
    }
    if (!strcmp(op, "Dropout") || !strcmp(op, "Identity")) {
        ox_value *x;
        int rc = need_layer(g, 0, &x, err);
        if (rc)
            return rc;
        if (n->n_output > 1 && n->output[1][0])
            return ox_err(g, err, CC_EINVAL, "the mask output of Dropout is not supported");
        /* evaluation mode: the output is the input */
        return ox_def_layer(g, 0, x->layer, x->rank, x->dims, err);
    }
    return 1;
}
