/* net.c - the network object: shape inference over a list of layer
 * descriptions, parameters and buffers in two flat blocks, PyTorch's default
 * initialisation, activations and workspaces sized once per batch
 * capacity, and the forward, loss and backward passes over the kernels of
 * convcalc/layers.h. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "convcalc/layers.h"
#include "convcalc/net.h"
#include "convcalc/rng.h"
#include "convcalc/tensor.h"
#include "engine/engine_internal.h"
#include "engine/net_internal.h"

/* A parameter or buffer tensor: a slice of the net's flat blocks. */
typedef struct net_tensor {
    char name[128];
    float *data;  /* [numel] */
    float *grad;  /* [numel], NULL for buffers */
    size_t numel;
    int ndim;
    long shape[4];
    size_t layer;
    int trainable;
} net_tensor;

typedef struct net_layer {
    cc_layer_desc d;   /* with defaults filled in                         */
    char name[96];     /* parameter-name prefix                           */
    int in_rank, rank; /* 4: (C,H,W) per sample; 2: (F) per sample         */
    long ic, ih, iw;   /* input per sample                                */
    long oc, oh, ow;   /* output per sample (F,1,1 when flat)              */
    size_t in_n, out_n;/* elements per sample                             */
    int alias;         /* output is the input (flatten, identity, softmax) */
    int bn_affine, bn_track; /* batchnorm: gamma/beta, running statistics */
    int frozen;        /* parameters are not trainable                    */
    /* parameters (slices of net->params / net->grads) and buffers */
    float *w, *dw;     /* conv (OC, C/g, KH, KW); linear (OUT, IN); bn (C) */
    float *b, *db;     /* (OC) / (OUT) / (C), or NULL                     */
    float *rmean, *rvar; /* bn (C) running statistics, or NULL             */
    int64_t nparams, nbuffers;
    /* per batch */
    cc_conv2d_desc conv;
    cc_pool2d_desc pool;
    float *out;        /* (B, out_n) activation (aliases for alias layers) */
    float *dout;       /* (B, out_n) gradient of the loss w.r.t. out       */
    int32_t *argmax;   /* maxpool (B, out_n)                               */
    float *mask;       /* dropout (B, out_n)                               */
    float *mean, *rstd;/* batchnorm (C) caches                             */
    int referenced;    /* an add layer reads this output                  */
    /* fast path: a relu followed by a max pool without padding is done in
     * one pass by the pool (max commutes with relu), so the relu's output
     * and gradient are never materialised */
    int fused_away;    /* relu done by the next layer: no buffers, no work */
    int fuse_relu;     /* max pool that applies the relu before it        */
    int dout_overwrite;/* the consumer's backward writes every element of
                          dout, so it need not be zeroed first            */
} net_layer;

struct cc_net {
    net_layer *L;         /* [n] */
    size_t n;
    long in_c, in_h, in_w;/* input per sample                              */
    int in_rank;
    size_t in_n;
    long classes;
    size_t out_layer;     /* index whose buffers hold the output (aliases resolved) */
    float *params, *grads;/* [nparam_floats] every parameter, and its gradient */
    size_t nparam_floats;
    float *bufs;          /* [nbuf_floats] running statistics             */
    size_t nbuf_floats;
    net_tensor *P, *Bf;   /* [nP] parameters, [nB] buffers                */
    size_t nP, nB;
    int64_t num_params, num_trainable, num_buffers;
    int train, threads, want_dinput, fast;
    cc_rng drop_rng;
    /* per batch */
    long cap, batch;      /* allocated capacity, current batch            */
    float *arena;         /* every float buffer below, one allocation     */
    size_t arena_floats;
    int32_t *iarena;      /* argmax indexes                               */
    size_t iarena_n;
    float *work;          /* shared conv workspace                         */
    float *dx;            /* (cap, in_n) gradient w.r.t. the input         */
    float *probs;         /* (cap, classes) softmax of the output          */
    int32_t *labels;      /* (cap) copy of the last labels                 */
    const float *x;       /* the last input (the caller keeps it)          */
    int forward_ok, seed_ok, dinput_ok;
};

/* ---------------------------------------------------------------------------- */

const char *cc_op_name(cc_op op)
{
    static const char *const names[CC_OP_COUNT] = {
        "conv2d", "linear", "maxpool2d", "avgpool2d", "global_avgpool", "batchnorm",
        "relu", "leaky_relu", "elu", "sigmoid", "tanh", "dropout", "flatten", "add",
        "softmax", "identity"};
    return op >= 0 && op < CC_OP_COUNT ? names[op] : "?";
}

static int layer_err(cc_error *err, int code, size_t i, const net_layer *l, const char *fmt,
                     ...) __attribute__((format(printf, 5, 6)));
static int layer_err(cc_error *err, int code, size_t i, const net_layer *l, const char *fmt,
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
static int layer_wrap(cc_error *err, int rc, size_t i, const net_layer *l)
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
            return layer_err(err, CC_EINVAL, i, l,
                             "kernel %ldx%ld, stride %ldx%ld, dilation %ldx%ld, padding "
                             "%ld/%ld/%ld/%ld (expected positive kernel, stride and "
                             "dilation, padding >= 0)", d->kh, d->kw, d->sh, d->sw, d->dh,
                             d->dw, d->pt, d->pb, d->pl, d->pr);
        if (!fits_dim(d->kh) || !fits_dim(d->kw) || !fits_dim(d->sh) || !fits_dim(d->sw) ||
            !fits_dim(d->dh) || !fits_dim(d->dw) || !fits_dim(d->pt) || !fits_dim(d->pb) ||
            !fits_dim(d->pl) || !fits_dim(d->pr) || !fits_dim(d->groups))
            return layer_err(err, CC_ERANGE, i, l, "a size is larger than %ld",
                             (long)CC_DIM_MAX);
        break;
    case CC_OP_BATCHNORM:
        if (d->eps == 0.0)
            d->eps = 1e-5;
        if (d->momentum == 0.0)
            d->momentum = 0.1;
        if (!(d->eps > 0.0 && isfinite(d->eps)) || !(d->momentum >= 0.0 && d->momentum <= 1.0))
            return layer_err(err, CC_EINVAL, i, l,
                             "eps %g, momentum %g (expected eps > 0, momentum in [0, 1])",
                             d->eps, d->momentum);
        break;
    case CC_OP_LEAKY_RELU:
        if (d->slope == 0.0)
            d->slope = 0.01;
        if (!isfinite(d->slope))
            return layer_err(err, CC_EINVAL, i, l, "the slope is not finite");
        break;
    case CC_OP_ELU:
        if (d->slope == 0.0)
            d->slope = 1.0;
        if (!isfinite(d->slope))
            return layer_err(err, CC_EINVAL, i, l, "alpha is not finite");
        break;
    case CC_OP_DROPOUT:
        if (!d->has_p)
            d->p = 0.5;
        if (!(d->p >= 0.0 && d->p < 1.0))
            return layer_err(err, CC_EINVAL, i, l, "p = %g (expected 0 <= p < 1)", d->p);
        break;
    default:
        break;
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
            return layer_err(err, CC_ESHAPE, i, l,
                             "needs an image input (C x H x W) but gets %ld flat features",
                             l->ic);
        if (d->out < 1 || d->out > CC_DIM_MAX)
            return layer_err(err, d->out < 1 ? CC_EINVAL : CC_ERANGE, i, l,
                             "%ld output channels (expected 1 to %ld)", d->out,
                             (long)CC_DIM_MAX);
        cc_conv2d_desc_init(&l->conv);
        l->conv.B = 1;
        l->conv.C = l->ic;
        l->conv.H = l->ih;
        l->conv.W = l->iw;
        l->conv.OC = d->out;
        l->conv.KH = d->kh;
        l->conv.KW = d->kw;
        l->conv.stride_h = d->sh;
        l->conv.stride_w = d->sw;
        l->conv.pad_top = d->pt;
        l->conv.pad_bottom = d->pb;
        l->conv.pad_left = d->pl;
        l->conv.pad_right = d->pr;
        l->conv.dil_h = d->dh;
        l->conv.dil_w = d->dw;
        l->conv.groups = d->groups;
        l->conv.threads = 1;
        rc = cc_conv2d_setup(&l->conv, err);
        if (rc)
            return layer_wrap(err, rc, i, l);
        l->oc = d->out;
        l->oh = l->conv.OH;
        l->ow = l->conv.OW;
        break;
    case CC_OP_MAXPOOL2D:
    case CC_OP_AVGPOOL2D:
        if (l->in_rank != 4)
            return layer_err(err, CC_ESHAPE, i, l,
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
            return layer_wrap(err, rc, i, l);
        l->oh = l->pool.OH;
        l->ow = l->pool.OW;
        break;
    case CC_OP_GLOBAL_AVGPOOL:
        if (l->in_rank != 4)
            return layer_err(err, CC_ESHAPE, i, l,
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
    case CC_OP_SOFTMAX:
        if (i + 1 != net->n)
            return layer_err(err, CC_EINVAL, i, l,
                             "softmax is only supported as the last layer (it is folded "
                             "into the cross-entropy loss)");
        l->alias = 1;
        break;
    case CC_OP_LINEAR:
        if (d->out < 1 || d->out > CC_DIM_MAX)
            return layer_err(err, d->out < 1 ? CC_EINVAL : CC_ERANGE, i, l,
                             "%ld output features (expected 1 to %ld)", d->out,
                             (long)CC_DIM_MAX);
        if (l->in_n > (size_t)CC_DIM_MAX)
            return layer_err(err, CC_ERANGE, i, l, "%zu input features are too many",
                             l->in_n);
        l->rank = 2;
        l->oc = d->out;
        l->oh = l->ow = 1;
        break;
    case CC_OP_ADD: {
        if (d->from < -1 || d->from >= (long)i)
            return layer_err(err, CC_EINVAL, i, l,
                             "adds the output of layer %ld (expected an earlier layer, "
                             "or -1 for the input)", d->from);
        long fc = d->from < 0 ? net->in_c : net->L[d->from].oc;
        long fh = d->from < 0 ? (net->in_rank == 4 ? net->in_h : 1) : net->L[d->from].oh;
        long fw = d->from < 0 ? (net->in_rank == 4 ? net->in_w : 1) : net->L[d->from].ow;
        if (fc != l->ic || fh != l->ih || fw != l->iw)
            return layer_err(err, CC_ESHAPE, i, l,
                             "adds %ldx%ldx%ld (layer %ld) to %ldx%ldx%ld: the shapes "
                             "differ", fc, fh, fw, d->from, l->ic, l->ih, l->iw);
        if (d->from >= 0)
            net->L[d->from].referenced = 1;
        break;
    }
    default:
        return layer_err(err, CC_EINVAL, i, l, "unknown layer kind %d", (int)d->op);
    }
    size_t n = 1;
    if (cc_size_mul(n, (size_t)l->oc, &n) || cc_size_mul(n, (size_t)l->oh, &n) ||
        cc_size_mul(n, (size_t)l->ow, &n) || n > ((size_t)1 << 34))
        return layer_err(err, CC_ERANGE, i, l, "the output (%ldx%ldx%ld) is too large",
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

static void tensor_slot(net_tensor *t, const net_layer *l, size_t li, const char *what,
                        float *data, float *grad, size_t numel, int ndim, long s0, long s1,
                        long s2, long s3)
{
    snprintf(t->name, sizeof t->name, "%s.%s", l->name, what);
    t->data = data;
    t->grad = grad;
    t->numel = numel;
    t->ndim = ndim;
    t->shape[0] = s0;
    t->shape[1] = s1;
    t->shape[2] = s2;
    t->shape[3] = s3;
    t->layer = li;
    t->trainable = grad != NULL && !l->frozen;
}

/* Carve the parameter and buffer blocks into tensors. */
static int build_params(cc_net *net, cc_error *err)
{
    size_t np = 0, nb = 0, nt = 0, ntb = 0;
    for (size_t i = 0; i < net->n; i++) {
        const net_layer *l = &net->L[i];
        if (l->d.op == CC_OP_CONV2D || l->d.op == CC_OP_LINEAR) {
            nt += l->d.no_bias ? 1 : 2;
        } else if (l->d.op == CC_OP_BATCHNORM) {
            nt += l->bn_affine ? 2 : 0;
            ntb += l->bn_track ? 2 : 0;
        }
        if (l->nparams > 0 && cc_size_add(np, (size_t)l->nparams, &np))
            return cc_error_set(err, CC_ERANGE, "the network has too many parameters");
        if (l->nbuffers > 0)
            nb += (size_t)l->nbuffers;
    }
    if (np > ((size_t)1 << 33) || nb > ((size_t)1 << 33))
        return cc_error_set(err, CC_ERANGE, "the network has too many parameters (%zu)", np);
    net->nparam_floats = np;
    net->nbuf_floats = nb;
    if (np) {
        net->params = cc_floats_new(np, err);
        net->grads = net->params ? cc_floats_new(np, err) : NULL;
        if (!net->grads)
            return err ? err->code : CC_ENOMEM;
    }
    if (nb && !(net->bufs = cc_floats_new(nb, err)))
        return err ? err->code : CC_ENOMEM;
    net->P = calloc(nt ? nt : 1, sizeof *net->P);
    net->Bf = calloc(ntb ? ntb : 1, sizeof *net->Bf);
    if (!net->P || !net->Bf)
        return cc_error_set(err, CC_ENOMEM, "out of memory for the parameter list");
    float *p = net->params, *g = net->grads, *b = net->bufs;
    for (size_t i = 0; i < net->n; i++) {
        net_layer *l = &net->L[i];
        const cc_layer_desc *d = &l->d;
        if (d->op == CC_OP_CONV2D || d->op == CC_OP_LINEAR) {
            size_t wn = (size_t)l->nparams - (d->no_bias ? 0 : (size_t)d->out);
            l->w = p;
            l->dw = g;
            if (d->op == CC_OP_CONV2D)
                tensor_slot(&net->P[net->nP++], l, i, "weight", p, g, wn, 4, d->out,
                            l->ic / d->groups, d->kh, d->kw);
            else
                tensor_slot(&net->P[net->nP++], l, i, "weight", p, g, wn, 2, d->out,
                            (long)l->in_n, 0, 0);
            p += wn;
            g += wn;
            if (!d->no_bias) {
                l->b = p;
                l->db = g;
                tensor_slot(&net->P[net->nP++], l, i, "bias", p, g, (size_t)d->out, 1, d->out,
                            0, 0, 0);
                p += d->out;
                g += d->out;
            }
        } else if (d->op == CC_OP_BATCHNORM) {
            size_t c = (size_t)l->ic;
            if (l->bn_affine) {
                l->w = p;
                l->dw = g;
                l->b = p + c;
                l->db = g + c;
                tensor_slot(&net->P[net->nP++], l, i, "weight", p, g, c, 1, l->ic, 0, 0, 0);
                tensor_slot(&net->P[net->nP++], l, i, "bias", p + c, g + c, c, 1, l->ic, 0, 0,
                            0);
                p += 2 * c;
                g += 2 * c;
            }
            if (l->bn_track) {
                l->rmean = b;
                l->rvar = b + c;
                tensor_slot(&net->Bf[net->nB++], l, i, "running_mean", b, NULL, c, 1, l->ic, 0,
                            0, 0);
                tensor_slot(&net->Bf[net->nB++], l, i, "running_var", b + c, NULL, c, 1, l->ic,
                            0, 0, 0);
                b += 2 * c;
            }
        }
        net->num_params += l->nparams;
        net->num_buffers += l->nbuffers;
        if (!l->frozen)
            net->num_trainable += l->nparams;
    }
    return 0;
}

void cc_net_init(cc_net *net, uint64_t seed)
{
    cc_rng r;
    cc_rng_seed(&r, seed);
    for (size_t i = 0; i < net->n; i++) {
        net_layer *l = &net->L[i];
        const cc_layer_desc *d = &l->d;
        if (d->op == CC_OP_CONV2D || d->op == CC_OP_LINEAR) {
            /* kaiming_uniform_(a = sqrt(5)): gain sqrt(2 / (1 + 5)), bound
             * gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in); the bias bound is
             * 1 / sqrt(fan_in) too (nn.Conv2d/nn.Linear reset_parameters). */
            size_t wn = (size_t)l->nparams - (d->no_bias ? 0 : (size_t)d->out);
            double fan_in = (double)wn / (double)d->out;
            float bound = (float)(1.0 / sqrt(fan_in));
            for (size_t k = 0; k < wn; k++)
                l->w[k] = cc_rng_rangef(&r, -bound, bound);
            if (l->b)
                for (long k = 0; k < d->out; k++)
                    l->b[k] = cc_rng_rangef(&r, -bound, bound);
        } else if (d->op == CC_OP_BATCHNORM) {
            for (long k = 0; k < l->ic; k++) {
                if (l->w) {
                    l->w[k] = 1.0f;
                    l->b[k] = 0.0f;
                }
                if (l->rmean) {
                    l->rmean[k] = 0.0f;
                    l->rvar[k] = 1.0f;
                }
            }
        }
    }
    cc_rng_split(&r, &net->drop_rng);
    if (net->grads)
        memset(net->grads, 0, net->nparam_floats * sizeof(float));
}

static void free_batch(cc_net *net);

/* Decide the fused fast paths (see net_layer.fused_away). */
static void plan_fusion(cc_net *net)
{
    for (size_t i = 0; i < net->n; i++) {
        net_layer *l = &net->L[i];
        l->fused_away = l->fuse_relu = l->dout_overwrite = 0;
    }
    if (!net->fast)
        return;
    for (size_t i = 1; i < net->n; i++) {
        net_layer *pool = &net->L[i], *relu = &net->L[i - 1];
        const cc_layer_desc *d = &pool->d;
        if (pool->d.op != CC_OP_MAXPOOL2D || relu->d.op != CC_OP_RELU || relu->referenced ||
            d->pt || d->pb || d->pl || d->pr || d->dh != 1 || d->dw != 1 || d->ceil_mode)
            continue;
        relu->fused_away = 1;
        pool->fuse_relu = 1;
        /* windows that tile the plane write every input gradient */
        if (i >= 2) {
            net_layer *src = &net->L[i - 2];
            if (!src->alias && !src->referenced && d->kh == d->sh && d->kw == d->sw &&
                pool->ih % d->kh == 0 && pool->iw % d->kw == 0)
                src->dout_overwrite = 1;
        }
    }
}

void cc_net_set_fast(cc_net *net, int fast)
{
    if ((fast != 0) != net->fast) {
        net->fast = fast != 0;
        free_batch(net);
        plan_fusion(net);
    }
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
        const net_layer *prev = i ? &net->L[i - 1] : NULL;
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
        if (!rc && flags)
            l->frozen = (flags[i] & 4) != 0;
    }
    if (!rc) {
        net_layer *last = &net->L[nlayers - 1];
        net->classes = (long)last->out_n;
        size_t o = nlayers - 1;
        while (net->L[o].alias && o > 0)
            o--;
        net->out_layer = o;
        if (net->L[o].alias)
            rc = cc_error_set(err, CC_EINVAL,
                              "the network computes nothing (every layer passes its "
                              "input through)");
    }
    if (!rc)
        rc = build_params(net, err);
    net->fast = 1;
    if (!rc)
        plan_fusion(net);
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

static void free_batch(cc_net *net)
{
    cc_floats_free(net->arena);
    free(net->iarena);
    net->arena = NULL;
    net->iarena = NULL;
    net->arena_floats = 0;
    net->iarena_n = 0;
    net->cap = 0;
    net->forward_ok = net->seed_ok = net->dinput_ok = 0;
}

void cc_net_free(cc_net *net)
{
    if (!net)
        return;
    free_batch(net);
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
        free_batch(net); /* conv workspaces depend on the thread count */
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

/* ---- per-batch buffers ---------------------------------------------------- */

/* Round up to 16 floats so every buffer starts 64-byte aligned. */
static size_t pad16(size_t n)
{
    return (n + 15) & ~(size_t)15;
}

/* Set up the kernels' descriptors for batch size B (cheap; no allocation). */
static int setup_descs(cc_net *net, long B, cc_error *err)
{
    for (size_t i = 0; i < net->n; i++) {
        net_layer *l = &net->L[i];
        int rc = 0;
        if (l->d.op == CC_OP_CONV2D) {
            l->conv.B = B;
            l->conv.threads = net->threads;
            rc = cc_conv2d_setup(&l->conv, err);
        } else if (l->d.op == CC_OP_MAXPOOL2D || l->d.op == CC_OP_AVGPOOL2D) {
            l->pool.B = B;
            rc = cc_pool2d_setup(&l->pool, err);
        }
        if (rc)
            return layer_wrap(err, rc, i, l);
    }
    return 0;
}

int cc_net_reserve(cc_net *net, long batch, cc_error *err)
{
    if (batch < 1 || batch > CC_DIM_MAX)
        return cc_error_set(err, batch < 1 ? CC_EINVAL : CC_ERANGE,
                            "batch size %ld (expected 1 to %ld)", batch, (long)CC_DIM_MAX);
    if (batch <= net->cap)
        return 0;
    free_batch(net);
    int rc = setup_descs(net, batch, err);
    if (rc)
        return rc;
    /* Count floats: per layer out + dout (unless aliased), dropout masks,
     * batchnorm caches; the input gradient, probabilities, the largest conv
     * workspace; int32 argmax indexes and labels. */
    size_t total = 0, itotal = 0, work = 0;
    const size_t B = (size_t)batch;
    int bad = 0;
#define ADD_FLOATS(count)                                                   \
    do {                                                                    \
        size_t c_;                                                          \
        bad |= cc_size_mul(B, (count), &c_) || cc_size_add(total, pad16(c_), &total); \
    } while (0)
    for (size_t i = 0; i < net->n; i++) {
        const net_layer *l = &net->L[i];
        if (!l->alias && !l->fused_away) {
            ADD_FLOATS(l->out_n);
            ADD_FLOATS(l->out_n);
        }
        if (l->d.op == CC_OP_DROPOUT)
            ADD_FLOATS(l->out_n);
        if (l->d.op == CC_OP_BATCHNORM)
            bad |= cc_size_add(total, 2 * pad16((size_t)l->ic), &total);
        if (l->d.op == CC_OP_MAXPOOL2D) {
            size_t c_;
            bad |= cc_size_mul(B, l->out_n, &c_) || cc_size_add(itotal, c_, &itotal);
        }
        if (l->d.op == CC_OP_CONV2D && cc_conv2d_workspace(&l->conv) > work)
            work = cc_conv2d_workspace(&l->conv);
    }
    ADD_FLOATS(net->in_n);
    ADD_FLOATS((size_t)net->classes);
    bad |= cc_size_add(total, pad16(work), &total);
    bad |= cc_size_add(itotal, B, &itotal);
#undef ADD_FLOATS
    if (bad || total > ((size_t)1 << 36))
        return cc_error_set(err, CC_ERANGE,
                            "the activations for a batch of %ld would be too large", batch);
    net->arena = cc_floats_new(total, err);
    if (!net->arena)
        return err ? err->code : CC_ENOMEM;
    net->iarena = malloc(itotal * sizeof(int32_t));
    if (!net->iarena) {
        free_batch(net);
        return cc_error_set(err, CC_ENOMEM, "out of memory for a batch of %ld", batch);
    }
    net->arena_floats = total;
    net->iarena_n = itotal;
    float *p = net->arena;
    int32_t *q = net->iarena;
    for (size_t i = 0; i < net->n; i++) {
        net_layer *l = &net->L[i];
        if (l->alias || l->fused_away) {
            l->out = l->dout = NULL; /* aliases are resolved in link_aliases */
        } else {
            l->out = p;
            p += pad16(B * l->out_n);
            l->dout = p;
            p += pad16(B * l->out_n);
        }
        if (l->d.op == CC_OP_DROPOUT) {
            l->mask = p;
            p += pad16(B * l->out_n);
        }
        if (l->d.op == CC_OP_BATCHNORM) {
            l->mean = p;
            p += pad16((size_t)l->ic);
            l->rstd = p;
            p += pad16((size_t)l->ic);
        }
        if (l->d.op == CC_OP_MAXPOOL2D) {
            l->argmax = q;
            q += B * l->out_n;
        }
    }
    net->dx = p;
    p += pad16(B * net->in_n);
    net->probs = p;
    p += pad16(B * (size_t)net->classes);
    net->work = work ? p : NULL;
    net->labels = q;
    net->cap = batch;
    net->batch = 0;
    return 0;
}

/* Input and input-gradient buffers of layer i (aliases resolved). */
static const float *layer_in(const cc_net *net, size_t i)
{
    return i == 0 ? net->x : net->L[i - 1].out;
}

static float *layer_din(const cc_net *net, size_t i)
{
    return i == 0 ? (net->want_dinput ? net->dx : NULL) : net->L[i - 1].dout;
}

/* Aliased layers share their input's buffers; the input of layer 0 is the
 * caller's x, so an alias at the front points there. */
static void link_aliases(cc_net *net)
{
    for (size_t i = 0; i < net->n; i++) {
        net_layer *l = &net->L[i];
        if (l->alias) {
            l->out = (float *)layer_in(net, i);
            l->dout = i == 0 ? net->dx : net->L[i - 1].dout;
        }
    }
}

/* ---- fused relu + max pool (no padding, no dilation, floor mode) ---------- */
/* y = max over the window of relu(x), the first maximum winning: exactly
 * what cc_relu_forward followed by cc_maxpool2d_forward computes (relu maps
 * NaN to 0, so no NaN reaches the pool). argmax holds the input index
 * y*W+x in the plane, as cc_maxpool2d_forward's does. */
#define MAXF(x, y) ((x) > (y) ? (x) : (y))

typedef struct pool_job {
    const net_layer *l;
    const float *in;   /* (B, C, H, W)   */
    float *dinp;       /* (B, C, H, W)   */
    int overwrite;
} pool_job;

static void relu_maxpool_fwd_chunk(void *ctx, int chunk, long p0, long p1)
{
    (void)chunk;
    const pool_job *J = ctx;
    const net_layer *l = J->l;
    const long H = l->ih, W = l->iw, OH = l->oh, OW = l->ow;
    const long kh = l->d.kh, kw = l->d.kw, sh = l->d.sh, sw = l->d.sw;
    for (long p = p0; p < p1; p++) {
        const float *x = J->in + (size_t)p * H * W;
        float *y = l->out + (size_t)p * OH * OW;
        int32_t *am = l->argmax + (size_t)p * OH * OW;
        if (kh == 2 && kw == 2 && sh == 2 && sw == 2) {
            for (long oy = 0; oy < OH; oy++) {
                const float *r0 = x + (size_t)(2 * oy) * W, *r1 = r0 + W;
                float *yr = y + (size_t)oy * OW;
                int32_t *ar = am + (size_t)oy * OW;
                const int32_t base = (int32_t)(2 * oy * W);
                long ox = 0;
#ifdef __SSE2__
                /* four windows at a time: even/odd columns of two rows */
                const __m128 zero = _mm_setzero_ps();
                const __m128i i1 = _mm_set1_epi32(1), iw = _mm_set1_epi32((int)W);
                const __m128i iw1 = _mm_set1_epi32((int)W + 1);
                for (; ox + 4 <= OW; ox += 4) {
                    __m128 p0 = _mm_loadu_ps(r0 + 2 * ox), p1 = _mm_loadu_ps(r0 + 2 * ox + 4);
                    __m128 q0 = _mm_loadu_ps(r1 + 2 * ox), q1 = _mm_loadu_ps(r1 + 2 * ox + 4);
                    /* maxps(v, 0) is v > 0 ? v : 0, NaN included */
                    __m128 a = _mm_max_ps(_mm_shuffle_ps(p0, p1, _MM_SHUFFLE(2, 0, 2, 0)), zero);
                    __m128 b = _mm_max_ps(_mm_shuffle_ps(p0, p1, _MM_SHUFFLE(3, 1, 3, 1)), zero);
                    __m128 c = _mm_max_ps(_mm_shuffle_ps(q0, q1, _MM_SHUFFLE(2, 0, 2, 0)), zero);
                    __m128 e = _mm_max_ps(_mm_shuffle_ps(q0, q1, _MM_SHUFFLE(3, 1, 3, 1)), zero);
                    __m128 best = _mm_max_ps(_mm_max_ps(a, b), _mm_max_ps(c, e));
                    /* offset of the first maximum: e, then c, b, a override */
                    __m128i off = iw1;
                    __m128i m = _mm_castps_si128(_mm_cmpeq_ps(c, best));
                    off = _mm_or_si128(_mm_and_si128(m, iw), _mm_andnot_si128(m, off));
                    m = _mm_castps_si128(_mm_cmpeq_ps(b, best));
                    off = _mm_or_si128(_mm_and_si128(m, i1), _mm_andnot_si128(m, off));
                    m = _mm_castps_si128(_mm_cmpeq_ps(a, best));
                    off = _mm_andnot_si128(m, off);
                    __m128i idx = _mm_add_epi32(
                        _mm_set1_epi32(base + (int32_t)(2 * ox)),
                        _mm_add_epi32(_mm_set_epi32(6, 4, 2, 0), off));
                    _mm_storeu_ps(yr + ox, best);
                    _mm_storeu_si128((__m128i *)(ar + ox), idx);
                }
#endif
                for (; ox < OW; ox++) {
                    const float a = MAXF(r0[2 * ox], 0.0f), b = MAXF(r0[2 * ox + 1], 0.0f);
                    const float c = MAXF(r1[2 * ox], 0.0f), e = MAXF(r1[2 * ox + 1], 0.0f);
                    const float best = MAXF(MAXF(a, b), MAXF(c, e));
                    /* the first maximum in window order a, b, c, e */
                    const int32_t off = a == best   ? 0
                                        : b == best ? 1
                                        : c == best ? (int32_t)W
                                                    : (int32_t)W + 1;
                    yr[ox] = best;
                    ar[ox] = base + (int32_t)(2 * ox) + off;
                }
            }
            continue;
        }
        for (long oy = 0; oy < OH; oy++)
            for (long ox = 0; ox < OW; ox++) {
                float best = 0.0f;
                int32_t bi = -1;
                for (long i = 0; i < kh; i++) {
                    const long iy = oy * sh + i;
                    for (long j = 0; j < kw; j++) {
                        const long ix = ox * sw + j;
                        float v = x[iy * W + ix];
                        v = v > 0.0f ? v : 0.0f;
                        if (bi < 0 || v > best) {
                            best = v;
                            bi = (int32_t)(iy * W + ix);
                        }
                    }
                }
                y[oy * OW + ox] = best;
                am[oy * OW + ox] = bi;
            }
    }
}

static void relu_maxpool_forward(cc_net *net, net_layer *l, const float *in, long B)
{
    pool_job J = {.l = l, .in = in};
    long planes = B * l->ic;
    int chunks = planes >= 256 ? net->threads : 1;
    cc_parallel_chunks(chunks, planes, relu_maxpool_fwd_chunk, &J);
}

/* dinp[argmax] (+)= dout where the output is positive (the relu's
 * derivative at the chosen input). With overwrite, the windows tile the
 * plane and every other element is set to 0, so dinp needs no zeroing. */
static void relu_maxpool_bwd_chunk(void *ctx, int chunk, long p0, long p1)
{
    (void)chunk;
    const pool_job *J = ctx;
    const net_layer *l = J->l;
    const size_t plane = (size_t)l->ih * l->iw, oplane = (size_t)l->oh * l->ow;
    for (long p = p0; p < p1; p++) {
        float *dx = J->dinp + (size_t)p * plane;
        const float *dy = l->dout + (size_t)p * oplane;
        const float *y = l->out + (size_t)p * oplane;
        const int32_t *am = l->argmax + (size_t)p * oplane;
        if (J->overwrite)
            memset(dx, 0, plane * sizeof(float));
        for (size_t k = 0; k < oplane; k++)
            if (y[k] > 0.0f)
                dx[am[k]] += dy[k];
    }
}

static void relu_maxpool_backward(cc_net *net, net_layer *l, float *dinp, int overwrite,
                                  long B)
{
    pool_job J = {.l = l, .dinp = dinp, .overwrite = overwrite};
    long planes = B * l->ic;
    int chunks = planes >= 256 ? net->threads : 1;
    cc_parallel_chunks(chunks, planes, relu_maxpool_bwd_chunk, &J);
}

/* ---- forward ---------------------------------------------------------------- */

/* OpenBLAS threads for a linear layer: the net's threads for big products;
 * one for small ones, where waking OpenBLAS's workers costs more than it
 * gains (and they would then spin beside the convolution's threads). */
static int linear_threads(const cc_net *net, const net_layer *l, long B)
{
    double macs = (double)B * (double)l->in_n * (double)l->oc;
    return macs >= 5e7 ? net->threads : 1;
}

static int forward_layer(cc_net *net, size_t i, long B, cc_error *err)
{
    net_layer *l = &net->L[i];
    const float *in = layer_in(net, i);
    const size_t n = (size_t)B * l->out_n;
    int rc = 0;
    switch (l->d.op) {
    case CC_OP_CONV2D:
        cc_blas_set_threads(1); /* the kernel threads over the batch itself */
        rc = cc_conv2d_forward(l->out, in, l->w, l->b, &l->conv, net->work, err);
        break;
    case CC_OP_LINEAR:
        cc_blas_set_threads(linear_threads(net, l, B));
        rc = cc_linear_forward(l->out, in, l->w, l->b, B, (long)l->in_n, l->oc, err);
        break;
    case CC_OP_MAXPOOL2D:
        if (l->fuse_relu)
            relu_maxpool_forward(net, l, layer_in(net, i - 1), B);
        else
            rc = cc_maxpool2d_forward(l->out, l->argmax, in, &l->pool, err);
        break;
    case CC_OP_AVGPOOL2D:
        rc = cc_avgpool2d_forward(l->out, in, &l->pool, err);
        break;
    case CC_OP_GLOBAL_AVGPOOL:
        cc_global_avgpool_forward(l->out, in, B, l->ic, l->ih * l->iw);
        break;
    case CC_OP_BATCHNORM: {
        int training = net->train || !l->bn_track;
        rc = cc_batchnorm_forward(l->out, l->mean, l->rstd, l->rmean, l->rvar, in, l->w, l->b, B, l->ic,
                                  l->ih * l->iw, (float)l->d.eps, (float)l->d.momentum,
                                  training, err);
        break;
    }
    case CC_OP_RELU:
        if (!l->fused_away)
            cc_relu_forward(l->out, in, n);
        break;
    case CC_OP_LEAKY_RELU:
        cc_leaky_relu_forward(l->out, in, n, (float)l->d.slope);
        break;
    case CC_OP_ELU:
        cc_elu_forward(l->out, in, n, (float)l->d.slope);
        break;
    case CC_OP_SIGMOID:
        cc_sigmoid_forward(l->out, in, n);
        break;
    case CC_OP_TANH:
        cc_tanh_forward(l->out, in, n);
        break;
    case CC_OP_DROPOUT:
        rc = cc_dropout_forward(l->out, l->mask, in, n, (float)l->d.p, net->train,
                                &net->drop_rng, err);
        break;
    case CC_OP_ADD: {
        const float *other = l->d.from < 0 ? net->x : net->L[l->d.from].out;
        cc_add_forward(l->out, in, other, n);
        break;
    }
    case CC_OP_FLATTEN:
    case CC_OP_IDENTITY:
    case CC_OP_SOFTMAX:
        break;
    default:
        rc = cc_error_set(err, CC_EINTERNAL, "unknown layer kind %d", (int)l->d.op);
    }
    return layer_wrap(err, rc, i, l);
}

int cc_net_forward(cc_net *net, const float *x, long batch, cc_error *err)
{
    net->forward_ok = net->seed_ok = net->dinput_ok = 0;
    if (!x)
        return cc_error_set(err, CC_EINVAL, "no input batch");
    int rc = cc_net_reserve(net, batch, err);
    if (rc)
        return rc;
    if (batch != net->batch) {
        rc = setup_descs(net, batch, err);
        if (rc)
            return rc;
        net->batch = batch;
    }
    net->x = x;
    link_aliases(net);
    for (size_t i = 0; i < net->n; i++) {
        if (net->L[i].d.op == CC_OP_BATCHNORM && net->train && net->L[i].ih * net->L[i].iw * batch < 2)
            return layer_err(err, CC_ESHAPE, i, &net->L[i],
                             "training needs more than one value per channel (batch %ld "
                             "of %ldx%ld); use eval mode or a larger batch", batch,
                             net->L[i].ih, net->L[i].iw);
        rc = forward_layer(net, i, batch, err);
        if (rc)
            return rc;
    }
    net->forward_ok = 1;
    return 0;
}

const float *cc_net_output(const cc_net *net, long *batch, long *classes)
{
    if (batch)
        *batch = net->forward_ok ? net->batch : 0;
    if (classes)
        *classes = net->classes;
    return net->forward_ok ? net->L[net->out_layer].out : NULL;
}

int cc_net_probs(const cc_net *net, float *probs, cc_error *err)
{
    if (!net->forward_ok)
        return cc_error_set(err, CC_EINVAL, "no forward pass to take probabilities from");
    cc_softmax_forward(probs, net->L[net->out_layer].out, net->batch, net->classes, 1);
    return 0;
}

static int output_is_flat(const cc_net *net, cc_error *err)
{
    const net_layer *l = &net->L[net->n - 1];
    if (l->rank == 4 && (l->oh != 1 || l->ow != 1))
        return cc_error_set(err, CC_ESHAPE,
                            "the network's output is %ldx%ldx%ld per sample; cross-entropy "
                            "needs flat class scores (end with flatten and linear)", l->oc,
                            l->oh, l->ow);
    return 0;
}

int cc_net_loss(cc_net *net, const int32_t *labels, double *loss, long *correct,
                cc_error *err)
{
    net->seed_ok = 0;
    if (!net->forward_ok)
        return cc_error_set(err, CC_EINVAL, "cc_net_loss needs a forward pass first");
    if (!labels)
        return cc_error_set(err, CC_EINVAL, "no labels");
    int rc = output_is_flat(net, err);
    if (rc)
        return rc;
    const long B = net->batch, K = net->classes;
    const float *logits = net->L[net->out_layer].out;
    float l = 0.0f;
    rc = cc_softmax_xent_forward(&l, net->probs, NULL, NULL, logits, labels, B, K, err);
    if (rc)
        return rc;
    if (correct) {
        long c = 0;
        for (long b = 0; b < B; b++) {
            const float *x = logits + (size_t)b * K;
            long am = 0;
            for (long k = 1; k < K; k++)
                if (x[k] > x[am])
                    am = k;
            c += am == labels[b];
        }
        *correct = c;
    }
    memcpy(net->labels, labels, (size_t)B * sizeof(int32_t));
    float *dlogits = net->L[net->out_layer].dout;
    memset(dlogits, 0, (size_t)B * K * sizeof(float));
    cc_softmax_xent_backward(dlogits, net->probs, net->labels, B, K, 1.0f);
    if (loss)
        *loss = l;
    net->seed_ok = 1;
    return 0;
}

int cc_net_set_doutput(cc_net *net, const float *dout, cc_error *err)
{
    if (!net->forward_ok)
        return cc_error_set(err, CC_EINVAL, "cc_net_set_doutput needs a forward pass first");
    if (!dout)
        return cc_error_set(err, CC_EINVAL, "no output gradient");
    memcpy(net->L[net->out_layer].dout, dout,
           (size_t)net->batch * (size_t)net->classes * sizeof(float));
    net->seed_ok = 1;
    return 0;
}

/* ---- backward --------------------------------------------------------------- */

static void accumulate(float *dst, const float *src, size_t n)
{
    for (size_t k = 0; k < n; k++)
        dst[k] += src[k];
}

static int backward_layer(cc_net *net, size_t i, long B, cc_error *err)
{
    net_layer *l = &net->L[i];
    const float *in = layer_in(net, i);
    float *din = layer_din(net, i);
    const size_t n = (size_t)B * l->out_n;
    int rc = 0;
    switch (l->d.op) {
    case CC_OP_CONV2D:
        cc_blas_set_threads(1);
        rc = cc_conv2d_backward(din, l->frozen ? NULL : l->dw, l->frozen ? NULL : l->db,
                                l->dout, in, l->w, &l->conv, net->work, err);
        break;
    case CC_OP_LINEAR:
        cc_blas_set_threads(linear_threads(net, l, B));
        rc = cc_linear_backward(din, l->frozen ? NULL : l->dw, l->frozen ? NULL : l->db,
                                l->dout, in, l->w, B, (long)l->in_n, l->oc, err);
        break;
    case CC_OP_BATCHNORM:
        rc = cc_batchnorm_backward(din, l->frozen ? NULL : l->dw, l->frozen ? NULL : l->db,
                                   l->dout, in, l->mean, l->rstd, l->w, B, l->ic,
                                   l->ih * l->iw, net->train || !l->bn_track, err);
        break;
    case CC_OP_ADD:
        if (l->d.from >= 0 || net->want_dinput) {
            float *dother = l->d.from < 0 ? net->dx : net->L[l->d.from].dout;
            if (din)
                cc_add_backward(din, dother, l->dout, n);
            else
                accumulate(dother, l->dout, n);
        } else if (din) {
            accumulate(din, l->dout, n);
        }
        break;
    case CC_OP_FLATTEN:
    case CC_OP_IDENTITY:
    case CC_OP_SOFTMAX:
        break;
    case CC_OP_RELU:
        if (!l->fused_away && din)
            cc_relu_backward(din, l->dout, l->out, n);
        break;
    case CC_OP_MAXPOOL2D:
        if (l->fuse_relu) {
            float *dsrc = layer_din(net, i - 1);
            if (dsrc)
                relu_maxpool_backward(net, l, dsrc, i >= 2 && net->L[i - 2].dout_overwrite, B);
        } else if (din) {
            rc = cc_maxpool2d_backward(din, l->dout, l->argmax, &l->pool, err);
        }
        break;
    default:
        if (!din) /* nothing before this layer wants a gradient */
            break;
        switch (l->d.op) {
        case CC_OP_AVGPOOL2D:
            rc = cc_avgpool2d_backward(din, l->dout, &l->pool, err);
            break;
        case CC_OP_GLOBAL_AVGPOOL:
            cc_global_avgpool_backward(din, l->dout, B, l->ic, l->ih * l->iw);
            break;
        case CC_OP_LEAKY_RELU:
            cc_leaky_relu_backward(din, l->dout, in, n, (float)l->d.slope);
            break;
        case CC_OP_ELU:
            cc_elu_backward(din, l->dout, in, n, (float)l->d.slope);
            break;
        case CC_OP_SIGMOID:
            cc_sigmoid_backward(din, l->dout, l->out, n);
            break;
        case CC_OP_TANH:
            cc_tanh_backward(din, l->dout, l->out, n);
            break;
        case CC_OP_DROPOUT:
            cc_dropout_backward(din, l->dout, l->mask, n);
            break;
        default:
            rc = cc_error_set(err, CC_EINTERNAL, "unknown layer kind %d", (int)l->d.op);
        }
    }
    return layer_wrap(err, rc, i, l);
}

int cc_net_backward(cc_net *net, cc_error *err)
{
    if (!net->forward_ok || !net->seed_ok)
        return cc_error_set(err, CC_EINVAL,
                            "cc_net_backward needs a forward pass and a loss (or an output "
                            "gradient) first");
    const long B = net->batch;
    /* every gradient buffer but the output's starts at zero (the kernels
     * accumulate) */
    for (size_t i = 0; i < net->n; i++) {
        net_layer *l = &net->L[i];
        if (!l->alias && !l->fused_away && !l->dout_overwrite && i != net->out_layer)
            memset(l->dout, 0, (size_t)B * l->out_n * sizeof(float));
    }
    if (net->want_dinput)
        memset(net->dx, 0, (size_t)B * net->in_n * sizeof(float));
    for (size_t i = net->n; i-- > 0;) {
        int rc = backward_layer(net, i, B, err);
        if (rc)
            return rc;
    }
    net->seed_ok = 0; /* a second backward would need a new loss */
    net->dinput_ok = net->want_dinput;
    return 0;
}

const float *cc_net_dinput(const cc_net *net)
{
    return net->dinput_ok ? net->dx : NULL;
}

void cc_net_zero_grad(cc_net *net)
{
    if (net->grads)
        memset(net->grads, 0, net->nparam_floats * sizeof(float));
}

/* ---- parameters and buffers --------------------------------------------------- */

static void view_of(const net_tensor *t, cc_net_tensor *out)
{
    out->name = t->name;
    out->data = t->data;
    out->grad = t->grad;
    out->numel = t->numel;
    out->ndim = t->ndim;
    memcpy(out->shape, t->shape, sizeof out->shape);
    out->layer = t->layer;
    out->trainable = t->trainable;
}

size_t cc_net_param_count(const cc_net *net)
{
    return net->nP;
}

int cc_net_param(cc_net *net, size_t i, cc_net_tensor *out, cc_error *err)
{
    if (i >= net->nP)
        return cc_error_set(err, CC_EINVAL, "parameter %zu does not exist (the network has %zu)",
                            i, net->nP);
    view_of(&net->P[i], out);
    return 0;
}

size_t cc_net_buffer_count(const cc_net *net)
{
    return net->nB;
}

int cc_net_buffer(cc_net *net, size_t i, cc_net_tensor *out, cc_error *err)
{
    if (i >= net->nB)
        return cc_error_set(err, CC_EINVAL, "buffer %zu does not exist (the network has %zu)",
                            i, net->nB);
    view_of(&net->Bf[i], out);
    return 0;
}

int cc_net_find(cc_net *net, const char *name, cc_net_tensor *out, cc_error *err)
{
    for (size_t i = 0; name && i < net->nP; i++)
        if (!strcmp(net->P[i].name, name)) {
            view_of(&net->P[i], out);
            return 0;
        }
    for (size_t i = 0; name && i < net->nB; i++)
        if (!strcmp(net->Bf[i].name, name)) {
            view_of(&net->Bf[i], out);
            return 0;
        }
    return cc_error_set(err, CC_EINVAL, "the network has no parameter or buffer called '%s'",
                        name ? name : "(null)");
}

int cc_net_set(cc_net *net, const char *name, const float *data, size_t numel, cc_error *err)
{
    cc_net_tensor t;
    int rc = cc_net_find(net, name, &t, err);
    if (rc)
        return rc;
    if (numel != t.numel)
        return cc_error_set(err, CC_ESHAPE, "'%s' holds %zu values, not %zu", name, t.numel,
                            numel);
    for (size_t i = 0; i < numel; i++)
        if (!isfinite(data[i]))
            return cc_error_set(err, CC_ENUMERIC, "value %zu for '%s' is not finite", i, name);
    memcpy(t.data, data, numel * sizeof(float));
    return 0;
}

int64_t cc_net_num_params(const cc_net *net)
{
    return net->num_params;
}

int64_t cc_net_num_trainable(const cc_net *net)
{
    return net->num_trainable;
}

int64_t cc_net_num_buffers(const cc_net *net)
{
    return net->num_buffers;
}

/* ---- structure ------------------------------------------------------------- */

size_t cc_net_layer_count(const cc_net *net)
{
    return net->n;
}

int cc_net_layer(const cc_net *net, size_t i, cc_net_layer_info *out, cc_error *err)
{
    if (i >= net->n)
        return cc_error_set(err, CC_EINVAL, "layer %zu does not exist (the network has %zu)", i,
                            net->n);
    const net_layer *l = &net->L[i];
    out->op = l->d.op;
    out->name = l->name;
    out->rank = l->rank;
    out->out_c = l->oc;
    out->out_h = l->oh;
    out->out_w = l->ow;
    out->params = l->nparams;
    out->buffers = l->nbuffers;
    return 0;
}

void cc_net_input_shape(const cc_net *net, long *c, long *h, long *w)
{
    if (c)
        *c = net->in_c;
    if (h)
        *h = net->in_rank == 4 ? net->in_h : 0;
    if (w)
        *w = net->in_rank == 4 ? net->in_w : 0;
}

long cc_net_classes(const cc_net *net)
{
    return net->classes;
}

size_t cc_net_activation_bytes(const cc_net *net)
{
    return net->arena_floats * sizeof(float) + net->iarena_n * sizeof(int32_t);
}

size_t cc_net_param_bytes(const cc_net *net)
{
    return (2 * net->nparam_floats + net->nbuf_floats) * sizeof(float);
}
