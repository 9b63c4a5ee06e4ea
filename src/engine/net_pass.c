/* net_pass.c - the forward pass, the loss and the backward pass over the
 * kernels of convcalc/layers.h. */
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
    const float *in = cc_netp_in(net, i);
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
            cc_netp_relu_maxpool_forward(net, l, cc_netp_in(net, i - 1), B);
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
    case CC_OP_FLATTEN:
    case CC_OP_IDENTITY:
        break;
    default:
        if (l->alias)
            break;
        rc = cc_netp_forward_op(net, i, B, err);
        if (rc == 1)
            rc = cc_error_set(err, CC_EINTERNAL, "unknown layer kind %d", (int)l->d.op);
    }
    return cc_netp_wrap(err, rc, i, l);
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
        rc = cc_netp_setup_descs(net, batch, err);
        if (rc)
            return rc;
        net->batch = batch;
    }
    net->x = x;
    cc_netp_link_aliases(net);
    for (size_t i = 0; i < net->n; i++) {
        if (net->L[i].d.op == CC_OP_BATCHNORM && net->train && net->L[i].ih * net->L[i].iw * batch < 2)
            return cc_netp_err(err, CC_ESHAPE, i, &net->L[i],
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

static int backward_layer(cc_net *net, size_t i, long B, cc_error *err)
{
    net_layer *l = &net->L[i];
    const float *in = cc_netp_in(net, i);
    float *din = cc_netp_din(net, i);
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
    case CC_OP_FLATTEN:
    case CC_OP_IDENTITY:
        break;
    case CC_OP_RELU:
        if (!l->fused_away && din)
            cc_relu_backward(din, l->dout, l->out, n);
        break;
    case CC_OP_MAXPOOL2D:
        if (l->fuse_relu) {
            float *dsrc = cc_netp_din(net, i - 1);
            if (dsrc)
                cc_netp_relu_maxpool_backward(net, l, dsrc, i >= 2 && net->L[i - 2].dout_overwrite, B);
        } else if (din) {
            rc = cc_maxpool2d_backward(din, l->dout, l->argmax, &l->pool, err);
        }
        break;
    default:
        if (l->alias)
            break;
        rc = cc_netp_backward_op(net, i, B, err);
        if (rc != 1)
            break;
        rc = 0;
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
    return cc_netp_wrap(err, rc, i, l);
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
