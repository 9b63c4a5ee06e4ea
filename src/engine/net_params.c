/* net_params.c - parameters and buffers in two flat blocks, PyTorch's
 * default initialisation, lookup by name, and the structure queries. */
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
int cc_netp_build_params(cc_net *net, cc_error *err)
{
    size_t np = 0, nb = 0, nt = 0, ntb = 0;
    for (size_t i = 0; i < net->n; i++) {
        const net_layer *l = &net->L[i];
        if (l->d.op == CC_OP_CONV2D || l->d.op == CC_OP_LINEAR ||
            l->d.op == CC_OP_CONV_TRANSPOSE) {
            nt += l->d.no_bias ? 1 : 2;
        } else if (l->d.op == CC_OP_PRELU || l->d.op == CC_OP_SCALE) {
            nt += 1;
        } else if (l->d.op == CC_OP_LAYERNORM) {
            nt += l->bn_affine ? 2 : 0;
        } else if (l->d.op == CC_OP_CONST) {
            ntb += 1;
        } else if (l->d.op == CC_OP_BATCHNORM) {
            nt += l->bn_affine ? 2 : 0;
            ntb += l->bn_track ? 2 : 0;
        }
        if (l->nparams > 0 && cc_size_add(np, (size_t)l->nparams, &np))
            return cc_error_set(err, CC_ERANGE, "the network has too many parameters");
        if (l->nbuffers > 0 && cc_size_add(nb, (size_t)l->nbuffers, &nb))
            return cc_error_set(err, CC_ERANGE, "the network has too many buffers");
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
        if (d->op == CC_OP_CONV2D || d->op == CC_OP_LINEAR || d->op == CC_OP_CONV_TRANSPOSE) {
            size_t wn = (size_t)l->nparams - (d->no_bias ? 0 : (size_t)d->out);
            l->w = p;
            l->dw = g;
            if (d->op == CC_OP_CONV2D)
                tensor_slot(&net->P[net->nP++], l, i, "weight", p, g, wn, 4, d->out,
                            l->ic / d->groups, d->kh, d->kw);
            else if (d->op == CC_OP_CONV_TRANSPOSE) /* (in, out/groups, kh, kw) */
                tensor_slot(&net->P[net->nP++], l, i, "weight", p, g, wn, 4, l->ic,
                            d->out / d->groups, d->kh, d->kw);
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
        } else if (d->op == CC_OP_PRELU || d->op == CC_OP_SCALE) {
            size_t c = (size_t)l->nparams;
            l->w = p;
            l->dw = g;
            tensor_slot(&net->P[net->nP++], l, i, "weight", p, g, c, 1, (long)c, 0, 0, 0);
            p += c;
            g += c;
        } else if (d->op == CC_OP_CONST) {
            l->value = b;
            tensor_slot(&net->Bf[net->nB++], l, i, "value", b, NULL, l->out_n,
                         l->rank == 4 ? 3 : 1, l->oc, l->rank == 4 ? l->oh : 0,
                         l->rank == 4 ? l->ow : 0, 0);
            b += l->out_n;
        } else if (d->op == CC_OP_BATCHNORM || d->op == CC_OP_LAYERNORM) {
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
            if (l->bn_track && d->op == CC_OP_BATCHNORM) {
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
        } else if (d->op == CC_OP_CONV_TRANSPOSE) {
            /* PyTorch's fan_in for a transposed convolution is weight.size(1)
             * * kh * kw = out/groups * kh * kw */
            size_t wn = (size_t)l->nparams - (d->no_bias ? 0 : (size_t)d->out);
            double fan_in = (double)(d->out / d->groups) * d->kh * d->kw;
            float bound = (float)(1.0 / sqrt(fan_in));
            for (size_t k = 0; k < wn; k++)
                l->w[k] = cc_rng_rangef(&r, -bound, bound);
            if (l->b)
                for (long k = 0; k < d->out; k++)
                    l->b[k] = cc_rng_rangef(&r, -bound, bound);
        } else if (d->op == CC_OP_PRELU) {
            for (long k = 0; k < d->out; k++)
                l->w[k] = 0.25f;
        } else if (d->op == CC_OP_SCALE) {
            for (long k = 0; k < l->nparams; k++)
                l->w[k] = (float)d->alpha;
        } else if (d->op == CC_OP_CONST) {
            memset(l->value, 0, l->out_n * sizeof(float));
        } else if (d->op == CC_OP_BATCHNORM || d->op == CC_OP_LAYERNORM) {
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
    out->desc = &l->d;
    out->nin = l->nsrc;
    memcpy(out->in, l->src, sizeof out->in);
    out->in_rank = l->in_rank;
    out->in_c = l->ic;
    out->in_h = l->ih;
    out->in_w = l->iw;
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
