/* net_batch.c - activations, gradients, caches and workspaces sized once
 * per batch capacity; alias layers; the choice of fused fast paths. */
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


/* Decide the fused fast paths (see net_layer.fused_away). */
void cc_netp_plan_fusion(cc_net *net)
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
            pool->src[0] != (long)i - 1 || relu->readers != 1 ||
            d->pt || d->pb || d->pl || d->pr || d->dh != 1 || d->dw != 1 || d->ceil_mode)
            continue;
        relu->fused_away = 1;
        pool->fuse_relu = 1;
        /* windows that tile the plane write every input gradient */
        if (i >= 2 && relu->src[0] == (long)i - 2) {
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
        cc_netp_free_batch(net);
        cc_netp_plan_fusion(net);
    }
}

void cc_netp_free_batch(cc_net *net)
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

/* ---- per-batch buffers ---------------------------------------------------- */

/* Round up to 16 floats so every buffer starts 64-byte aligned. */
static size_t pad16(size_t n)
{
    return (n + 15) & ~(size_t)15;
}

/* Set up the kernels' descriptors for batch size B (cheap; no allocation). */
int cc_netp_setup_descs(cc_net *net, long B, cc_error *err)
{
    for (size_t i = 0; i < net->n; i++) {
        net_layer *l = &net->L[i];
        int rc = 0;
        if (l->d.op == CC_OP_CONV2D || l->d.op == CC_OP_CONV_TRANSPOSE) {
            l->conv.B = B;
            l->conv.threads = net->threads;
            rc = cc_conv2d_setup(&l->conv, err);
        } else if (l->d.op == CC_OP_MAXPOOL2D || l->d.op == CC_OP_AVGPOOL2D) {
            l->pool.B = B;
            rc = cc_pool2d_setup(&l->pool, err);
        }
        if (rc)
            return cc_netp_wrap(err, rc, i, l);
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
    cc_netp_free_batch(net);
    int rc = cc_netp_setup_descs(net, batch, err);
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
        if (l->d.op == CC_OP_CONV_TRANSPOSE)
            ADD_FLOATS(l->in_n);
        if (l->d.op == CC_OP_BATCHNORM)
            bad |= cc_size_add(total, 2 * pad16((size_t)l->ic), &total);
        if (l->d.op == CC_OP_MAXPOOL2D) {
            size_t c_;
            bad |= cc_size_mul(B, l->out_n, &c_) || cc_size_add(itotal, c_, &itotal);
        }
        if ((l->d.op == CC_OP_CONV2D || l->d.op == CC_OP_CONV_TRANSPOSE) &&
            cc_conv2d_workspace(&l->conv) > work)
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
        cc_netp_free_batch(net);
        return cc_error_set(err, CC_ENOMEM, "out of memory for a batch of %ld", batch);
    }
    net->arena_floats = total;
    net->iarena_n = itotal;
    float *p = net->arena;
    int32_t *q = net->iarena;
    for (size_t i = 0; i < net->n; i++) {
        net_layer *l = &net->L[i];
        if (l->alias || l->fused_away) {
            l->out = l->dout = NULL; /* aliases are resolved in cc_netp_link_aliases */
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
        if (l->d.op == CC_OP_CONV_TRANSPOSE) {
            l->tmp = p;
            p += pad16(B * l->in_n);
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

const float *cc_netp_src(const cc_net *net, const net_layer *l, int k)
{
    long s = k < l->nsrc ? l->src[k] : -1;
    return s < 0 ? net->x : net->L[s].out;
}

float *cc_netp_dsrc(const cc_net *net, const net_layer *l, int k)
{
    long s = k < l->nsrc ? l->src[k] : -1;
    return s < 0 ? (net->want_dinput ? net->dx : NULL) : net->L[s].dout;
}

size_t cc_netp_src_n(const cc_net *net, const net_layer *l, int k)
{
    long s = k < l->nsrc ? l->src[k] : -1;
    return s < 0 ? net->in_n : net->L[s].out_n;
}

/* Input and input-gradient buffers of layer i (aliases resolved). */
const float *cc_netp_in(const cc_net *net, size_t i)
{
    return cc_netp_src(net, &net->L[i], 0);
}

float *cc_netp_din(const cc_net *net, size_t i)
{
    return cc_netp_dsrc(net, &net->L[i], 0);
}

/* Aliased layers share their input's buffers; the input of layer 0 is the
 * caller's x, so an alias at the front points there. */
void cc_netp_link_aliases(cc_net *net)
{
    for (size_t i = 0; i < net->n; i++) {
        net_layer *l = &net->L[i];
        if (l->alias) {
            l->out = (float *)cc_netp_in(net, i);
            l->dout = l->src[0] < 0 ? net->dx : net->L[l->src[0]].dout;
        }
    }
}
