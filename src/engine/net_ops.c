/* net_ops.c - the graph nodes (add, sub, mul, div, concat, const) and the
 * newer layers (clip, hardsigmoid, hardswish, SiLU, GELU, softplus, SELU,
 * PReLU, softmax and log-softmax inside a network, nearest upsampling,
 * constant padding, reshape, transposed convolution): defaults, shape
 * inference, forward and backward. net.c and net_pass.c hand over every op
 * they do not handle themselves. */
#include <math.h>
#include <string.h>

#include "convcalc/layers.h"
#include "convcalc/net.h"
#include "engine/net_priv.h"

/* Shape of input k of layer l: rank, channels, height, width. */
static void src_shape(const cc_net *net, const net_layer *l, int k, int *rank, long *c,
                      long *h, long *w)
{
    long s = k < l->nsrc ? l->src[k] : -1;
    if (s < 0) {
        *rank = net->in_rank;
        *c = net->in_c;
        *h = net->in_h;
        *w = net->in_w;
    } else {
        *rank = net->L[s].rank;
        *c = net->L[s].oc;
        *h = net->L[s].oh;
        *w = net->L[s].ow;
    }
}

static int binary_kind(cc_op op)
{
    return op == CC_OP_ADD ? 0 : op == CC_OP_SUB ? 1 : op == CC_OP_MUL ? 2 : 3;
}

static int is_binary(cc_op op)
{
    return op == CC_OP_ADD || op == CC_OP_SUB || op == CC_OP_MUL || op == CC_OP_DIV;
}

int cc_netp_normalise_op(cc_layer_desc *d, size_t i, const net_layer *l, cc_error *err)
{
    switch (d->op) {
    case CC_OP_CONV_TRANSPOSE:
        if (d->groups == 0)
            d->groups = 1;
        if (d->sh == 0)
            d->sh = 1;
        if (d->sw == 0)
            d->sw = 1;
        if (d->dh == 0)
            d->dh = 1;
        if (d->dw == 0)
            d->dw = 1;
        if (d->kh < 1 || d->kw < 1 || d->sh < 1 || d->sw < 1 || d->dh < 1 || d->dw < 1 ||
            d->pt < 0 || d->pb < 0 || d->pl < 0 || d->pr < 0 || d->groups < 1 ||
            d->oph < 0 || d->opw < 0)
            return cc_netp_err(err, CC_EINVAL, i, l,
                               "kernel %ldx%ld, stride %ldx%ld, dilation %ldx%ld, padding "
                               "%ld/%ld/%ld/%ld, output padding %ldx%ld (expected positive "
                               "kernel, stride and dilation, paddings >= 0)", d->kh, d->kw,
                               d->sh, d->sw, d->dh, d->dw, d->pt, d->pb, d->pl, d->pr,
                               d->oph, d->opw);
        if (d->kh > CC_DIM_MAX || d->kw > CC_DIM_MAX || d->sh > CC_DIM_MAX ||
            d->sw > CC_DIM_MAX || d->dh > CC_DIM_MAX || d->dw > CC_DIM_MAX ||
            d->pt > CC_DIM_MAX || d->pb > CC_DIM_MAX || d->pl > CC_DIM_MAX ||
            d->pr > CC_DIM_MAX || d->groups > CC_DIM_MAX || d->oph > CC_DIM_MAX ||
            d->opw > CC_DIM_MAX)
            return cc_netp_err(err, CC_ERANGE, i, l, "a size is larger than %ld",
                               (long)CC_DIM_MAX);
        if ((d->oph >= d->sh && d->oph >= d->dh) || (d->opw >= d->sw && d->opw >= d->dw))
            return cc_netp_err(err, CC_EINVAL, i, l,
                               "output padding %ldx%ld (expected smaller than the stride "
                               "or the dilation)", d->oph, d->opw);
        break;
    case CC_OP_CLIP:
        if (isnan(d->alpha) || isnan(d->beta) || d->alpha > d->beta)
            return cc_netp_err(err, CC_EINVAL, i, l,
                               "clip to [%g, %g] (expected min <= max)", d->alpha, d->beta);
        break;
    case CC_OP_HARDSIGMOID:
        if (d->alpha == 0.0)
            d->alpha = 1.0 / 6.0;
        if (d->beta == 0.0)
            d->beta = 0.5;
        /* fall through */
    case CC_OP_SELU:
        if (d->op == CC_OP_SELU) {
            if (d->alpha == 0.0)
                d->alpha = 1.6732632423543772848170429916717;
            if (d->beta == 0.0)
                d->beta = 1.0507009873554804934193349852946;
        }
        /* fall through */
    case CC_OP_PAD:
        if (!isfinite(d->alpha) || !isfinite(d->beta))
            return cc_netp_err(err, CC_EINVAL, i, l, "a coefficient is not finite");
        if (d->op == CC_OP_PAD &&
            (d->pt < 0 || d->pb < 0 || d->pl < 0 || d->pr < 0 || d->pt > CC_DIM_MAX ||
             d->pb > CC_DIM_MAX || d->pl > CC_DIM_MAX || d->pr > CC_DIM_MAX))
            return cc_netp_err(err, CC_EINVAL, i, l,
                               "padding %ld/%ld/%ld/%ld (expected 0 to %ld)", d->pt, d->pb,
                               d->pl, d->pr, (long)CC_DIM_MAX);
        break;
    case CC_OP_UPSAMPLE:
        if (d->sh == 0)
            d->sh = 2;
        if (d->sw == 0)
            d->sw = d->sh;
        if (d->sh < 1 || d->sw < 1 || d->sh > 1024 || d->sw > 1024)
            return cc_netp_err(err, CC_EINVAL, i, l,
                               "scale %ldx%ld (expected whole factors 1 to 1024)", d->sh,
                               d->sw);
        break;
    case CC_OP_PRELU:
        if (d->out == 0)
            d->out = 1;
        break;
    default:
        return cc_netp_normalise_chan(d, i, l, err);
    }
    return 0;
}

static int need_image(size_t i, const net_layer *l, cc_error *err)
{
    if (l->in_rank == 4)
        return 0;
    return cc_netp_err(err, CC_ESHAPE, i, l,
                       "needs an image input (C x H x W) but gets %ld flat features", l->ic);
}

static int infer_concat(cc_net *net, size_t i, net_layer *l, cc_error *err)
{
    long c = 0;
    for (int k = 0; k < l->nsrc; k++) {
        int r;
        long kc, kh, kw;
        src_shape(net, l, k, &r, &kc, &kh, &kw);
        if (r != l->in_rank || (r == 4 && (kh != l->ih || kw != l->iw)))
            return cc_netp_err(err, CC_ESHAPE, i, l,
                               "input %d is %ldx%ldx%ld but input 1 is %ldx%ldx%ld (expected "
                               "the same height and width)", k + 1, kc, kh, kw, l->ic,
                               l->ih, l->iw);
        c += kc;
        if (c > CC_DIM_MAX)
            return cc_netp_err(err, CC_ERANGE, i, l, "too many channels");
    }
    l->oc = c;
    return 0;
}

static int infer_convt(cc_net *net, size_t i, net_layer *l, cc_error *err)
{
    (void)net;
    const cc_layer_desc *d = &l->d;
    int rc = need_image(i, l, err);
    if (rc)
        return rc;
    if (d->out < 1 || d->out > CC_DIM_MAX)
        return cc_netp_err(err, d->out < 1 ? CC_EINVAL : CC_ERANGE, i, l,
                           "%ld output channels (expected 1 to %ld)", d->out,
                           (long)CC_DIM_MAX);
    /* (H - 1) * s - pads + d * (k - 1) + 1 + output padding, in double
     * first so a hostile size cannot overflow */
    double oh = (double)(l->ih - 1) * d->sh - d->pt - d->pb + (double)d->dh * (d->kh - 1) +
                1 + d->oph;
    double ow = (double)(l->iw - 1) * d->sw - d->pl - d->pr + (double)d->dw * (d->kw - 1) +
                1 + d->opw;
    if (oh < 1 || ow < 1 || oh > CC_DIM_MAX || ow > CC_DIM_MAX)
        return cc_netp_err(err, oh < 1 || ow < 1 ? CC_ESHAPE : CC_ERANGE, i, l,
                           "the output would be %.0fx%.0f (expected 1 to %ld)", oh, ow,
                           (long)CC_DIM_MAX);
    if (l->ic % d->groups || d->out % d->groups)
        return cc_netp_err(err, CC_ESHAPE, i, l,
                           "groups (%ld) must divide the input (%ld) and output (%ld) "
                           "channels", d->groups, l->ic, d->out);
    /* the convolution this one is the transpose of: out -> in */
    rc = cc_netp_conv_desc(&l->conv, d, d->out, (long)oh, (long)ow, l->ic, err);
    if (rc)
        return cc_netp_wrap(err, rc, i, l);
    if (l->conv.OH != l->ih || l->conv.OW != l->iw)
        return cc_netp_err(err, CC_ESHAPE, i, l,
                           "output %.0fx%.0f does not map back onto the %ldx%ld input", oh,
                           ow, l->ih, l->iw);
    l->oc = d->out;
    l->oh = (long)oh;
    l->ow = (long)ow;
    l->nparams = (int64_t)l->ic * (d->out / d->groups) * d->kh * d->kw +
                 (d->no_bias ? 0 : d->out);
    return 0;
}

int cc_netp_infer_op(cc_net *net, size_t i, cc_error *err)
{
    net_layer *l = &net->L[i];
    const cc_layer_desc *d = &l->d;
    int rc;
    if (is_binary(d->op)) {
        if (l->nsrc != 2)
            return cc_netp_err(err, CC_EINVAL, i, l, "%d inputs (expected 2)", l->nsrc);
        size_t nb = cc_netp_src_n(net, l, 1);
        if (nb != l->in_n && nb != 1 && nb != (size_t)l->ic) {
            int r;
            long c, h, w;
            src_shape(net, l, 1, &r, &c, &h, &w);
            return cc_netp_err(err, CC_ESHAPE, i, l,
                               "combines %ldx%ldx%ld with %ldx%ldx%ld (expected the same "
                               "shape, one value per channel, or one value)", l->ic, l->ih,
                               l->iw, c, h, w);
        }
        return 0;
    }
    switch (d->op) {
    case CC_OP_CONCAT:
        return infer_concat(net, i, l, err);
    case CC_OP_CONST:
        if (d->out < 1 || d->out > CC_DIM_MAX || d->kh < 0 || d->kh > CC_DIM_MAX ||
            d->kw < 0 || d->kw > CC_DIM_MAX || (d->kh == 0) != (d->kw == 0))
            return cc_netp_err(err, CC_EINVAL, i, l,
                               "a constant of %ldx%ldx%ld (expected positive sizes)", d->out,
                               d->kh, d->kw);
        l->rank = d->kh ? 4 : 2;
        l->oc = d->out;
        l->oh = d->kh ? d->kh : 1;
        l->ow = d->kw ? d->kw : 1;
        {
            size_t n;
            if (cc_size_mul((size_t)l->oc, (size_t)l->oh, &n) ||
                cc_size_mul(n, (size_t)l->ow, &n) || n > ((size_t)1 << 31))
                return cc_netp_err(err, CC_ERANGE, i, l, "the constant is too large");
            l->nbuffers = (int64_t)n;
        }
        return 0;
    case CC_OP_SOFTMAX:
    case CC_OP_LOG_SOFTMAX:
        /* as the last layer, folded into the loss; elsewhere over channels */
        l->alias = i + 1 == net->n;
        return 0;
    case CC_OP_CLIP:
    case CC_OP_HARDSIGMOID:
    case CC_OP_HARDSWISH:
    case CC_OP_SILU:
    case CC_OP_GELU:
    case CC_OP_SOFTPLUS:
    case CC_OP_SELU:
        return 0;
    case CC_OP_PRELU:
        if (d->out != 1 && d->out != l->ic)
            return cc_netp_err(err, CC_ESHAPE, i, l,
                               "%ld slopes for %ld channels (expected 1 or one per channel)",
                               d->out, l->ic);
        l->nparams = d->out;
        return 0;
    case CC_OP_UPSAMPLE:
        if ((rc = need_image(i, l, err)))
            return rc;
        if ((double)l->ih * d->sh > CC_DIM_MAX || (double)l->iw * d->sw > CC_DIM_MAX)
            return cc_netp_err(err, CC_ERANGE, i, l, "the output is too large");
        l->oh = l->ih * d->sh;
        l->ow = l->iw * d->sw;
        return 0;
    case CC_OP_PAD:
        if ((rc = need_image(i, l, err)))
            return rc;
        if ((double)l->ih + d->pt + d->pb > CC_DIM_MAX ||
            (double)l->iw + d->pl + d->pr > CC_DIM_MAX)
            return cc_netp_err(err, CC_ERANGE, i, l, "the output is too large");
        l->oh = l->ih + d->pt + d->pb;
        l->ow = l->iw + d->pl + d->pr;
        return 0;
    case CC_OP_RESHAPE: {
        long h = d->kh ? d->kh : 1, w = d->kw ? d->kw : 1;
        if (d->out < 1 || d->out > CC_DIM_MAX || d->kh < 0 || d->kw < 0 ||
            d->kh > CC_DIM_MAX || d->kw > CC_DIM_MAX ||
            (double)d->out * h * w != (double)l->in_n)
            return cc_netp_err(err, CC_ESHAPE, i, l,
                               "cannot view %zu values as %ldx%ldx%ld", l->in_n, d->out,
                               d->kh, d->kw);
        l->alias = 1;
        l->rank = d->kh ? 4 : 2;
        l->oc = d->out;
        l->oh = h;
        l->ow = w;
        return 0;
    }
    case CC_OP_CONV_TRANSPOSE:
        return infer_convt(net, i, l, err);
    default:
        return cc_netp_infer_chan(net, i, err);
    }
}

static void convt_bias(float *out, const float *b, long B, long C, size_t plane)
{
    for (long s = 0; s < B; s++)
        for (long c = 0; c < C; c++) {
            float *y = out + ((size_t)s * C + c) * plane;
            for (size_t k = 0; k < plane; k++)
                y[k] += b[c];
        }
}

int cc_netp_forward_op(cc_net *net, size_t i, long B, cc_error *err)
{
    net_layer *l = &net->L[i];
    const cc_layer_desc *d = &l->d;
    const float *in = l->nsrc ? cc_netp_src(net, l, 0) : NULL;
    const size_t n = (size_t)B * l->out_n;
    const float a = (float)d->alpha, b = (float)d->beta;
    if (is_binary(d->op)) {
        cc_binary_forward(l->out, in, cc_netp_src(net, l, 1), B, l->in_n,
                          cc_netp_src_n(net, l, 1), binary_kind(d->op));
        return 0;
    }
    switch (d->op) {
    case CC_OP_CONCAT: {
        const float *ins[CC_NET_MAX_IN];
        size_t sizes[CC_NET_MAX_IN];
        for (int k = 0; k < l->nsrc; k++) {
            ins[k] = cc_netp_src(net, l, k);
            sizes[k] = cc_netp_src_n(net, l, k);
        }
        cc_concat_forward(l->out, ins, sizes, l->nsrc, B);
        return 0;
    }
    case CC_OP_CONST:
        for (long s = 0; s < B; s++)
            memcpy(l->out + (size_t)s * l->out_n, l->value, l->out_n * sizeof(float));
        return 0;
    case CC_OP_CLIP: cc_clip_forward(l->out, in, n, a, b); return 0;
    case CC_OP_HARDSIGMOID: cc_hardsigmoid_forward(l->out, in, n, a, b); return 0;
    case CC_OP_HARDSWISH: cc_hardswish_forward(l->out, in, n); return 0;
    case CC_OP_SILU: cc_silu_forward(l->out, in, n); return 0;
    case CC_OP_GELU: cc_gelu_forward(l->out, in, n); return 0;
    case CC_OP_SOFTPLUS: cc_softplus_forward(l->out, in, n); return 0;
    case CC_OP_SELU: cc_selu_forward(l->out, in, n, a, b); return 0;
    case CC_OP_PRELU:
        cc_prelu_forward(l->out, in, l->w, B, l->ic, l->ih * l->iw, d->out);
        return 0;
    case CC_OP_SOFTMAX:
        cc_softmax_forward(l->out, in, B, l->ic, l->ih * l->iw);
        return 0;
    case CC_OP_LOG_SOFTMAX:
        cc_log_softmax_forward(l->out, in, B, l->ic, l->ih * l->iw);
        return 0;
    case CC_OP_UPSAMPLE:
        cc_upsample_forward(l->out, in, B * l->ic, l->ih, l->iw, d->sh, d->sw);
        return 0;
    case CC_OP_PAD:
        cc_pad_forward(l->out, in, B * l->ic, l->ih, l->iw, d->pt, d->pb, d->pl, d->pr, a);
        return 0;
    case CC_OP_CONV_TRANSPOSE: {
        cc_blas_set_threads(1);
        memset(l->out, 0, n * sizeof(float));
        /* the input gradient of the convolution out -> in */
        int rc = cc_conv2d_backward(l->out, NULL, NULL, in, l->out, l->w, &l->conv,
                                    net->work, err);
        if (!rc && l->b)
            convt_bias(l->out, l->b, B, l->oc, (size_t)l->oh * l->ow);
        return rc;
    }
    default:
        return cc_netp_forward_chan(net, i, B, err);
    }
}

int cc_netp_backward_op(cc_net *net, size_t i, long B, cc_error *err)
{
    net_layer *l = &net->L[i];
    const cc_layer_desc *d = &l->d;
    const float *in = l->nsrc ? cc_netp_src(net, l, 0) : NULL;
    float *din = l->nsrc ? cc_netp_dsrc(net, l, 0) : NULL;
    const size_t n = (size_t)B * l->out_n;
    const float a = (float)d->alpha, b = (float)d->beta;
    if (is_binary(d->op)) {
        float *db = cc_netp_dsrc(net, l, 1);
        if (din || db)
            cc_binary_backward(din, db, l->dout, in, cc_netp_src(net, l, 1), B, l->in_n,
                               cc_netp_src_n(net, l, 1), binary_kind(d->op));
        return 0;
    }
    switch (d->op) {
    case CC_OP_CONCAT: {
        float *dins[CC_NET_MAX_IN];
        size_t sizes[CC_NET_MAX_IN];
        for (int k = 0; k < l->nsrc; k++) {
            dins[k] = cc_netp_dsrc(net, l, k);
            sizes[k] = cc_netp_src_n(net, l, k);
        }
        cc_concat_backward(dins, l->dout, sizes, l->nsrc, B);
        return 0;
    }
    case CC_OP_CONST:
        return 0;
    case CC_OP_PRELU:
        cc_prelu_backward(din, l->frozen ? NULL : l->dw, l->dout, in, l->w, B, l->ic,
                          l->ih * l->iw, d->out);
        return 0;
    case CC_OP_CONV_TRANSPOSE: {
        cc_blas_set_threads(1);
        int rc = 0;
        if (din) {
            rc = cc_conv2d_forward(l->tmp, l->dout, l->w, NULL, &l->conv, net->work, err);
            for (size_t k = 0; !rc && k < (size_t)B * l->in_n; k++)
                din[k] += l->tmp[k];
        }
        if (!rc && !l->frozen)
            rc = cc_conv2d_backward(NULL, l->dw, NULL, in, l->dout, l->w, &l->conv,
                                    net->work, err);
        if (!rc && !l->frozen && l->db) {
            const size_t plane = (size_t)l->oh * l->ow;
            for (long s = 0; s < B; s++)
                for (long c = 0; c < l->oc; c++) {
                    const float *g = l->dout + ((size_t)s * l->oc + c) * plane;
                    float acc = 0.0f;
                    for (size_t k = 0; k < plane; k++)
                        acc += g[k];
                    l->db[c] += acc;
                }
        }
        return rc;
    }
    default:
        if (cc_netp_backward_chan(net, i, B, err) == 0)
            return 0;
        break;
    }
    if (!din) {
        switch (d->op) {
        case CC_OP_CLIP: case CC_OP_HARDSIGMOID: case CC_OP_HARDSWISH: case CC_OP_SILU:
        case CC_OP_GELU: case CC_OP_SOFTPLUS: case CC_OP_SELU: case CC_OP_SOFTMAX:
        case CC_OP_LOG_SOFTMAX: case CC_OP_UPSAMPLE: case CC_OP_PAD:
            return 0;
        default:
            return 1;
        }
    }
    switch (d->op) {
    case CC_OP_CLIP: cc_clip_backward(din, l->dout, in, n, a, b); return 0;
    case CC_OP_HARDSIGMOID: cc_hardsigmoid_backward(din, l->dout, in, n, a, b); return 0;
    case CC_OP_HARDSWISH: cc_hardswish_backward(din, l->dout, in, n); return 0;
    case CC_OP_SILU: cc_silu_backward(din, l->dout, in, n); return 0;
    case CC_OP_GELU: cc_gelu_backward(din, l->dout, in, n); return 0;
    case CC_OP_SOFTPLUS: cc_softplus_backward(din, l->dout, in, n); return 0;
    case CC_OP_SELU: cc_selu_backward(din, l->dout, in, n, a, b); return 0;
    case CC_OP_SOFTMAX:
        cc_softmax_backward(din, l->dout, l->out, B, l->ic, l->ih * l->iw);
        return 0;
    case CC_OP_LOG_SOFTMAX:
        cc_log_softmax_backward(din, l->dout, l->out, B, l->ic, l->ih * l->iw);
        return 0;
    case CC_OP_UPSAMPLE:
        cc_upsample_backward(din, l->dout, B * l->ic, l->ih, l->iw, d->sh, d->sw);
        return 0;
    case CC_OP_PAD:
        cc_pad_backward(din, l->dout, B * l->ic, l->ih, l->iw, d->pt, d->pb, d->pl, d->pr);
        return 0;
    default:
        return 1;
    }
}

int cc_net_final_output(const cc_net *net, float *out, cc_error *err)
{
    long B, K;
    const float *o = cc_net_output(net, &B, &K);
    if (!o)
        return cc_error_set(err, CC_EINVAL, "no forward pass to take the output from");
    const net_layer *last = &net->L[net->n - 1];
    if (last->alias && last->d.op == CC_OP_SOFTMAX)
        cc_softmax_forward(out, o, B, last->ic, last->ih * last->iw);
    else if (last->alias && last->d.op == CC_OP_LOG_SOFTMAX)
        cc_log_softmax_forward(out, o, B, last->ic, last->ih * last->iw);
    else
        memcpy(out, o, (size_t)B * K * sizeof(float));
    return 0;
}
