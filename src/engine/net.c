/* net.c - the network object: layer descriptions with their defaults,
 * shape inference over the list, construction and the settings (training
 * mode, threads). The rest of the object lives in the other net*.c files
 * (see net_priv.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/layers.h"
#include "convcalc/net.h"
#include "convcalc/rng.h"
#include "convcalc/tensor.h"
#include "engine/engine_internal.h"
#include "engine/net_priv.h"

/* ---------------------------------------------------------------------------- */

const char *cc_op_name(cc_op op)
{
    static const char *const names[CC_OP_COUNT] = {
        "conv2d", "linear", "maxpool2d", "avgpool2d", "global_avgpool", "batchnorm",
        "relu", "leaky_relu", "elu", "sigmoid", "tanh", "dropout", "flatten", "add",
        "softmax", "identity", "mul", "sub", "concat", "const", "clip", "hardsigmoid",
        "hardswish", "silu", "gelu", "softplus", "selu", "prelu", "log_softmax", "upsample",
        "conv_transpose2d", "pad", "reshape", "div", "channel_split", "channel_shuffle",
        "adaptive_avgpool", "layernorm", "scale", "upsample_bilinear"};
    return op >= 0 && op < CC_OP_COUNT ? names[op] : "?";
}

int cc_netp_err(cc_error *err, int code, size_t i, const net_layer *l, const char *fmt,
                     ...) __attribute__((format(printf, 5, 6)));
int cc_netp_err(cc_error *err, int code, size_t i, const net_layer *l, const char *fmt,
                     ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cc_error_set(err, code, "layer %zu (%s): %s", i, cc_op_name(l->d.op), msg);
}

/* Keep a kernel's message, prefixed with the layer. */
int cc_netp_wrap(cc_error *err, int rc, size_t i, const net_layer *l)
{
    if (rc && err) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        cc_error_set(err, rc, "layer %zu (%s): %s", i, cc_op_name(l->d.op), msg);
    }
    return rc;
}

static int fits_dim(long v)
{
    return v >= 0 && v <= CC_DIM_MAX;
}

int cc_netp_conv_desc(cc_conv2d_desc *c, const cc_layer_desc *d, long C, long H, long W,
                      long OC, cc_error *err)
{
    cc_conv2d_desc_init(c);
    c->B = 1;
    c->C = C;
    c->H = H;
    c->W = W;
    c->OC = OC;
    c->KH = d->kh;
    c->KW = d->kw;
    c->stride_h = d->sh;
    c->stride_w = d->sw;
    c->pad_top = d->pt;
    c->pad_bottom = d->pb;
    c->pad_left = d->pl;
    c->pad_right = d->pr;
    c->dil_h = d->dh;
    c->dil_w = d->dw;
    c->groups = d->groups;
    c->threads = 1;
    return cc_conv2d_setup(c, err);
}

/* Fill defaults and check the fields one layer uses. */
static int normalise_desc(cc_layer_desc *d, size_t i, const net_layer *l, cc_error *err)
{
    switch (d->op) {
    case CC_OP_CONV2D:
        if (d->groups == 0)
            d->groups = 1;
        if (d->sh == 0)
            d->sh = 1;
        if (d->sw == 0)
            d->sw = 1;
        /* fall through */
    case CC_OP_MAXPOOL2D:
    case CC_OP_AVGPOOL2D:
        if (d->op != CC_OP_CONV2D) {
            if (d->sh == 0)
                d->sh = d->kh;
            if (d->sw == 0)
                d->sw = d->kw;
        }
        if (d->dh == 0)
            d->dh = 1;
        if (d->dw == 0)
            d->dw = 1;
        if (d->kh < 1 || d->kw < 1 || d->sh < 1 || d->sw < 1 || d->dh < 1 || d->dw < 1 ||
            d->pt < 0 || d->pb < 0 || d->pl < 0 || d->pr < 0 || d->groups < 0)
            return cc_netp_err(err, CC_EINVAL, i, l,
                             "kernel %ldx%ld, stride %ldx%ld, dilation %ldx%ld, padding "
                             "%ld/%ld/%ld/%ld (expected positive kernel, stride and "
                             "dilation, padding >= 0)", d->kh, d->kw, d->sh, d->sw, d->dh,
                             d->dw, d->pt, d->pb, d->pl, d->pr);
        if (!fits_dim(d->kh) || !fits_dim(d->kw) || !fits_dim(d->sh) || !fits_dim(d->sw) ||
            !fits_dim(d->dh) || !fits_dim(d->dw) || !fits_dim(d->pt) || !fits_dim(d->pb) ||
            !fits_dim(d->pl) || !fits_dim(d->pr) || !fits_dim(d->groups))
            return cc_netp_err(err, CC_ERANGE, i, l, "a size is larger than %ld",
                             (long)CC_DIM_MAX);
        break;
    case CC_OP_BATCHNORM:
        if (d->eps == 0.0)
            d->eps = 1e-5;
        if (d->momentum == 0.0)
            d->momentum = 0.1;
        if (!(d->eps > 0.0 && isfinite(d->eps)) || !(d->momentum >= 0.0 && d->momentum <= 1.0))
            return cc_netp_err(err, CC_EINVAL, i, l,
                             "eps %g, momentum %g (expected eps > 0, momentum in [0, 1])",
                             d->eps, d->momentum);
        break;
    case CC_OP_LEAKY_RELU:
        if (d->slope == 0.0)
            d->slope = 0.01;
        if (!isfinite(d->slope))
            return cc_netp_err(err, CC_EINVAL, i, l, "the slope is not finite");
        break;
    case CC_OP_ELU:
        if (d->slope == 0.0)
            d->slope = 1.0;
        if (!isfinite(d->slope))
            return cc_netp_err(err, CC_EINVAL, i, l, "alpha is not finite");
        break;
    case CC_OP_DROPOUT:
        if (!d->has_p)
            d->p = 0.5;
        if (!(d->p >= 0.0 && d->p < 1.0))
            return cc_netp_err(err, CC_EINVAL, i, l, "p = %g (expected 0 <= p < 1)", d->p);
        break;
    default:
        return cc_netp_normalise_op(d, i, l, err);
    }
    return 0;
}

/* Infer layer i's output shape from its input shape. */
static int infer_layer(cc_net *net, size_t i, cc_error *err)
{
    net_layer *l = &net->L[i];
    cc_layer_desc *d = &l->d;
    int rc = normalise_desc(d, i, l, err);
    if (rc)
        return rc;
    l->rank = l->in_rank;
    l->oc = l->ic;
    l->oh = l->ih;
    l->ow = l->iw;
    l->bn_affine = 1;
    l->bn_track = 1;
    switch (d->op) {
    case CC_OP_CONV2D:
        if (l->in_rank != 4)
            return cc_netp_err(err, CC_ESHAPE, i, l,
                             "needs an image input (C x H x W) but gets %ld flat features",
                             l->ic);
        if (d->out < 1 || d->out > CC_DIM_MAX)
            return cc_netp_err(err, d->out < 1 ? CC_EINVAL : CC_ERANGE, i, l,
                             "%ld output channels (expected 1 to %ld)", d->out,
                             (long)CC_DIM_MAX);
        rc = cc_netp_conv_desc(&l->conv, d, l->ic, l->ih, l->iw, d->out, err);
        if (rc)
            return cc_netp_wrap(err, rc, i, l);
        l->oc = d->out;
        l->oh = l->conv.OH;
        l->ow = l->conv.OW;
        break;
    case CC_OP_MAXPOOL2D:
    case CC_OP_AVGPOOL2D:
        if (l->in_rank != 4)
            return cc_netp_err(err, CC_ESHAPE, i, l,
                             "needs an image input (C x H x W) but gets %ld flat features",
                             l->ic);
        cc_pool2d_desc_init(&l->pool);
        l->pool.B = 1;
        l->pool.C = l->ic;
        l->pool.H = l->ih;
        l->pool.W = l->iw;
        l->pool.KH = d->kh;
        l->pool.KW = d->kw;
        l->pool.stride_h = d->sh;
        l->pool.stride_w = d->sw;
        l->pool.pad_top = d->pt;
        l->pool.pad_bottom = d->pb;
        l->pool.pad_left = d->pl;
        l->pool.pad_right = d->pr;
        l->pool.dil_h = d->dh;
        l->pool.dil_w = d->dw;
        l->pool.ceil_mode = d->ceil_mode;
        l->pool.count_include_pad = !d->exclude_pad;
        rc = cc_pool2d_setup(&l->pool, err);
        if (rc)
            return cc_netp_wrap(err, rc, i, l);
        l->oh = l->pool.OH;
        l->ow = l->pool.OW;
        break;
    case CC_OP_GLOBAL_AVGPOOL:
        if (l->in_rank != 4)
            return cc_netp_err(err, CC_ESHAPE, i, l,
                             "needs an image input (C x H x W) but gets %ld flat features",
                             l->ic);
        l->oh = l->ow = 1;
        break;
    case CC_OP_BATCHNORM:
        l->nparams = 2 * l->ic;
        l->nbuffers = 2 * l->ic;
        break;
    case CC_OP_RELU:
    case CC_OP_LEAKY_RELU:
    case CC_OP_ELU:
    case CC_OP_SIGMOID:
    case CC_OP_TANH:
    case CC_OP_DROPOUT:
        break;
    case CC_OP_FLATTEN:
        l->alias = 1;
        l->rank = 2;
        l->oc = (long)l->in_n; /* in_n <= CC_DIM_MAX checked below */
        l->oh = l->ow = 1;
        break;
    case CC_OP_IDENTITY:
        l->alias = 1;
        break;
    case CC_OP_LINEAR:
        if (d->out < 1 || d->out > CC_DIM_MAX)
            return cc_netp_err(err, d->out < 1 ? CC_EINVAL : CC_ERANGE, i, l,
                             "%ld output features (expected 1 to %ld)", d->out,
                             (long)CC_DIM_MAX);
        if (l->in_n > (size_t)CC_DIM_MAX)
            return cc_netp_err(err, CC_ERANGE, i, l, "%zu input features are too many",
                             l->in_n);
        l->rank = 2;
        l->oc = d->out;
        l->oh = l->ow = 1;
        break;
    default:
        rc = cc_netp_infer_op(net, i, err);
        if (rc == 1)
            return cc_netp_err(err, CC_EINVAL, i, l, "unknown layer kind %d", (int)d->op);
        if (rc)
            return rc;
    }
    size_t n = 1;
    if (cc_size_mul(n, (size_t)l->oc, &n) || cc_size_mul(n, (size_t)l->oh, &n) ||
        cc_size_mul(n, (size_t)l->ow, &n) || n > ((size_t)1 << 34))
        return cc_netp_err(err, CC_ERANGE, i, l, "the output (%ldx%ldx%ld) is too large",
                         l->oc, l->oh, l->ow);
    l->out_n = n;
    if (d->op == CC_OP_CONV2D) {
        int64_t k = (int64_t)(l->ic / d->groups) * d->kh * d->kw;
        l->nparams = (int64_t)d->out * k + (d->no_bias ? 0 : d->out);
    } else if (d->op == CC_OP_LINEAR) {
        l->nparams = (int64_t)d->out * (int64_t)l->in_n + (d->no_bias ? 0 : d->out);
    }
    return 0;
}

/* Layer i's inputs: the desc's list, or the previous layer (and `from` for
 * add); mark the layers whose output is read by more than the next one. */
static int resolve_inputs(cc_net *net, size_t i, cc_error *err)
{
    net_layer *l = &net->L[i];
    const cc_layer_desc *d = &l->d;
    if (d->op == CC_OP_CONST) {
        l->nsrc = 0;
        return 0;
    }
    if (d->nin < 0 || d->nin > CC_NET_MAX_IN)
        return cc_netp_err(err, CC_EINVAL, i, l, "%d inputs (expected 0 to %d)", d->nin,
                           CC_NET_MAX_IN);
    if (d->nin == 0) {
        l->nsrc = 1;
        l->src[0] = (long)i - 1;
        if (d->op == CC_OP_ADD) {
            l->nsrc = 2;
            l->src[1] = d->from;
        }
    } else {
        l->nsrc = d->nin;
        memcpy(l->src, d->in, (size_t)d->nin * sizeof l->src[0]);
    }
    for (int k = 0; k < l->nsrc; k++) {
        long s = l->src[k];
        if (s < -1 || s >= (long)i)
            return cc_netp_err(err, CC_EINVAL, i, l,
                               "input %d is layer %ld (expected an earlier layer, or -1 "
                               "for the network input)", k + 1, s);
        if (s >= 0) {
            net_layer *src = &net->L[s];
            if (k > 0 || s != (long)i - 1 || src->readers > 0)
                src->referenced = 1;
            src->readers++;
            if (src->readers > 1)
                src->referenced = 1;
        }
    }
    return 0;
}

int cc_net_build_flags(cc_net **out, const cc_layer_desc *layers, size_t nlayers,
                     const unsigned char *flags, long in_c, long in_h, long in_w,
                     uint64_t seed, cc_error *err)
{
    *out = NULL;
    if (!layers || nlayers == 0)
        return cc_error_set(err, CC_EINVAL, "a network needs at least one layer");
    if (nlayers > 100000)
        return cc_error_set(err, CC_ERANGE, "%zu layers are too many", nlayers);
    int flat = in_h == 0 && in_w == 0;
    if (in_c < 1 || (!flat && (in_h < 1 || in_w < 1)))
        return cc_error_set(err, CC_EINVAL,
                            "input %ldx%ldx%ld (C x H x W): expected positive sizes "
                            "(H = W = 0 for flat features)", in_c, in_h, in_w);
    if (in_c > CC_DIM_MAX || in_h > CC_DIM_MAX || in_w > CC_DIM_MAX)
        return cc_error_set(err, CC_ERANGE, "input %ldx%ldx%ld is too large", in_c, in_h,
                            in_w);
    cc_net *net = calloc(1, sizeof *net);
    if (!net)
        return cc_error_set(err, CC_ENOMEM, "out of memory for the network");
    net->L = calloc(nlayers, sizeof *net->L);
    if (!net->L) {
        free(net);
        return cc_error_set(err, CC_ENOMEM, "out of memory for the network");
    }
    net->n = nlayers;
    net->in_c = in_c;
    net->in_h = flat ? 1 : in_h;
    net->in_w = flat ? 1 : in_w;
    net->in_rank = flat ? 2 : 4;
    net->train = 1;
    net->threads = 1;
    size_t n = 1;
    int rc = 0;
    if (cc_size_mul(n, (size_t)in_c, &n) || cc_size_mul(n, (size_t)net->in_h, &n) ||
        cc_size_mul(n, (size_t)net->in_w, &n) || n > ((size_t)1 << 34))
        rc = cc_error_set(err, CC_ERANGE, "input %ldx%ldx%ld is too large", in_c, in_h, in_w);
    net->in_n = n;
    for (size_t i = 0; !rc && i < nlayers; i++) {
        net_layer *l = &net->L[i];
        l->d = layers[i];
        l->d.name[sizeof l->d.name - 1] = '\0';
        if (l->d.name[0])
            snprintf(l->name, sizeof l->name, "%s", l->d.name);
        else
            snprintf(l->name, sizeof l->name, "%zu", i);
        rc = resolve_inputs(net, i, err);
        if (rc)
            break;
        const net_layer *prev = l->nsrc && l->src[0] >= 0 ? &net->L[l->src[0]] : NULL;
        l->in_rank = prev ? prev->rank : net->in_rank;
        l->ic = prev ? prev->oc : net->in_c;
        l->ih = prev ? prev->oh : net->in_h;
        l->iw = prev ? prev->ow : net->in_w;
        l->in_n = prev ? prev->out_n : net->in_n;
        rc = infer_layer(net, i, err);
        if (!rc && flags && l->d.op == CC_OP_BATCHNORM) {
            l->bn_affine = !(flags[i] & 1);
            l->bn_track = !(flags[i] & 2);
            l->nparams = l->bn_affine ? 2 * l->ic : 0;
            l->nbuffers = l->bn_track ? 2 * l->ic : 0;
        }
        if (!rc && flags && l->d.op == CC_OP_LAYERNORM && (flags[i] & 1)) {
            l->bn_affine = 0; /* elementwise_affine=False */
            l->nparams = 0;
        }
        if (!rc && flags)
            l->frozen = (flags[i] & 4) != 0;
    }
    if (!rc) {
        net_layer *last = &net->L[nlayers - 1];
        net->classes = (long)last->out_n;
        size_t o = nlayers - 1;
        while (net->L[o].alias && net->L[o].src[0] >= 0)
            o = (size_t)net->L[o].src[0];
        net->out_layer = o;
        if (net->L[o].alias)
            rc = cc_error_set(err, CC_EINVAL,
                              "the network computes nothing (every layer passes its "
                              "input through)");
    }
    if (!rc)
        rc = cc_netp_build_params(net, err);
    net->fast = 1;
    if (!rc)
        cc_netp_plan_fusion(net);
    if (rc) {
        cc_net_free(net);
        return rc;
    }
    cc_net_init(net, seed);
    *out = net;
    return 0;
}

int cc_net_new(cc_net **out, const cc_layer_desc *layers, size_t nlayers, long in_c,
               long in_h, long in_w, uint64_t seed, cc_error *err)
{
    return cc_net_build_flags(out, layers, nlayers, NULL, in_c, in_h, in_w, seed, err);
}

void cc_net_free(cc_net *net)
{
    if (!net)
        return;
    cc_netp_free_batch(net);
    cc_floats_free(net->params);
    cc_floats_free(net->grads);
    cc_floats_free(net->bufs);
    free(net->P);
    free(net->Bf);
    free(net->L);
    free(net);
}

void cc_net_set_train(cc_net *net, int train)
{
    net->train = train != 0;
}

int cc_net_is_train(const cc_net *net)
{
    return net->train;
}

void cc_net_seed_dropout(cc_net *net, uint64_t seed)
{
    cc_rng_seed(&net->drop_rng, seed);
}

int cc_net_set_threads(cc_net *net, int threads, cc_error *err)
{
    if (threads < 1 || threads > 64)
        return cc_error_set(err, CC_EINVAL, "%d threads (expected 1 to 64)", threads);
    if (threads != net->threads) {
        net->threads = threads;
        cc_netp_free_batch(net); /* conv workspaces depend on the thread count */
    }
    return 0;
}

int cc_net_threads(const cc_net *net)
{
    return net->threads;
}

void cc_net_want_dinput(cc_net *net, int want)
{
    net->want_dinput = want != 0;
}
