/* net_chan.c - the channel ops: channel split, channel shuffle, adaptive
 * average pooling, layer normalisation over the channels, a learnable
 * per-channel scale, and bilinear upsampling: defaults, shape inference,
 * forward and backward.
 * net_ops.c hands these ops over. A rank-4 input (C, H, W) is C channels
 * of H*W positions; a rank-2 input (F) is F channels of one position. */
#include <math.h>
#include <string.h>

#include "convcalc/net.h"
#include "engine/net_priv.h"

static int is_chan(cc_op op)
{
    return op == CC_OP_CHANNEL_SPLIT || op == CC_OP_CHANNEL_SHUFFLE ||
           op == CC_OP_ADAPTIVE_AVGPOOL || op == CC_OP_LAYERNORM || op == CC_OP_SCALE ||
           op == CC_OP_UPSAMPLE_BILINEAR;
}

int cc_netp_normalise_chan(cc_layer_desc *d, size_t i, const net_layer *l, cc_error *err)
{
    switch (d->op) {
    case CC_OP_CHANNEL_SPLIT:
    case CC_OP_CHANNEL_SHUFFLE:
        if (d->groups == 0)
            d->groups = 1;
        if (d->groups < 1 || d->groups > CC_DIM_MAX ||
            (d->op == CC_OP_CHANNEL_SPLIT && (d->chunk < 0 || d->chunk >= d->groups)))
            return cc_netp_err(err, CC_EINVAL, i, l,
                               "groups %ld, chunk %ld (expected groups >= 1 and a chunk "
                               "from 0 to groups - 1)", d->groups, d->chunk);
        break;
    case CC_OP_ADAPTIVE_AVGPOOL:
        if (d->kh < 1 || d->kw < 1 || d->kh > CC_DIM_MAX || d->kw > CC_DIM_MAX)
            return cc_netp_err(err, CC_EINVAL, i, l,
                               "output %ldx%ld (expected 1 to %ld)", d->kh, d->kw,
                               (long)CC_DIM_MAX);
        break;
    case CC_OP_LAYERNORM:
        if (d->eps == 0.0)
            d->eps = 1e-5;
        if (!(d->eps > 0.0 && isfinite(d->eps)))
            return cc_netp_err(err, CC_EINVAL, i, l, "eps %g (expected > 0)", d->eps);
        break;
    case CC_OP_UPSAMPLE_BILINEAR:
        if (d->sh == 0)
            d->sh = 2;
        if (d->sw == 0)
            d->sw = d->sh;
        if (d->sh < 1 || d->sw < 1 || d->sh > 1024 || d->sw > 1024)
            return cc_netp_err(err, CC_EINVAL, i, l,
                               "scale %ldx%ld (expected whole factors 1 to 1024)", d->sh,
                               d->sw);
        break;
    case CC_OP_SCALE:
        if (d->alpha == 0.0)
            d->alpha = 1.0;
        if (!isfinite(d->alpha))
            return cc_netp_err(err, CC_EINVAL, i, l, "the initial scale is not finite");
        break;
    default:
        break;
    }
    return 0;
}

int cc_netp_infer_chan(cc_net *net, size_t i, cc_error *err)
{
    net_layer *l = &net->L[i];
    const cc_layer_desc *d = &l->d;
    switch (d->op) {
    case CC_OP_CHANNEL_SPLIT:
    case CC_OP_CHANNEL_SHUFFLE:
        if (l->ic % d->groups)
            return cc_netp_err(err, CC_ESHAPE, i, l,
                               "%ld groups do not divide %ld channels", d->groups, l->ic);
        if (d->op == CC_OP_CHANNEL_SPLIT)
            l->oc = l->ic / d->groups;
        return 0;
    case CC_OP_ADAPTIVE_AVGPOOL:
        if (l->in_rank != 4)
            return cc_netp_err(err, CC_ESHAPE, i, l,
                               "needs an image input (C x H x W) but gets %ld flat features",
                               l->ic);
        l->oh = d->kh;
        l->ow = d->kw;
        return 0;
    case CC_OP_LAYERNORM:
        l->nparams = 2 * (int64_t)l->ic;
        return 0;
    case CC_OP_UPSAMPLE_BILINEAR:
        if (l->in_rank != 4)
            return cc_netp_err(err, CC_ESHAPE, i, l,
                               "needs an image input (C x H x W) but gets %ld flat features",
                               l->ic);
        if ((double)l->ih * d->sh > CC_DIM_MAX || (double)l->iw * d->sw > CC_DIM_MAX)
            return cc_netp_err(err, CC_ERANGE, i, l, "the output is too large");
        l->oh = l->ih * d->sh;
        l->ow = l->iw * d->sw;
        return 0;
    case CC_OP_SCALE:
        l->nparams = l->ic;
        return 0;
    default:
        return 1;
    }
}

/* Window [*a, *b) of output o of n over an input of size in. */
static void window(long o, long n, long in, long *a, long *b)
{
    *a = (long)((int64_t)o * in / n);
    *b = (long)(((int64_t)(o + 1) * in + n - 1) / n);
}

static void adaptive_forward(float *out, const float *in, long P, long H, long W, long OH,
                             long OW)
{
    for (long p = 0; p < P; p++) {
        const float *x = in + (size_t)p * H * W;
        float *y = out + (size_t)p * OH * OW;
        for (long oh = 0; oh < OH; oh++) {
            long h0, h1;
            window(oh, OH, H, &h0, &h1);
            for (long ow = 0; ow < OW; ow++) {
                long w0, w1;
                window(ow, OW, W, &w0, &w1);
                double s = 0.0;
                for (long h = h0; h < h1; h++)
                    for (long w = w0; w < w1; w++)
                        s += x[h * W + w];
                y[oh * OW + ow] = (float)(s / ((double)(h1 - h0) * (w1 - w0)));
            }
        }
    }
}

static void adaptive_backward(float *din, const float *dout, long P, long H, long W, long OH,
                              long OW)
{
    for (long p = 0; p < P; p++) {
        float *dx = din + (size_t)p * H * W;
        const float *dy = dout + (size_t)p * OH * OW;
        for (long oh = 0; oh < OH; oh++) {
            long h0, h1;
            window(oh, OH, H, &h0, &h1);
            for (long ow = 0; ow < OW; ow++) {
                long w0, w1;
                window(ow, OW, W, &w0, &w1);
                float g = (float)(dy[oh * OW + ow] / ((double)(h1 - h0) * (w1 - w0)));
                for (long h = h0; h < h1; h++)
                    for (long w = w0; w < w1; w++)
                        dx[h * W + w] += g;
            }
        }
    }
}

/* Output o of a bilinear upsampling by s of an axis of n: the two input
 * positions and the weight of the second (align_corners=False). */
static void lerp_at(long o, long s, long n, long *i0, long *i1, float *t)
{
    double src = ((double)o + 0.5) / (double)s - 0.5;
    if (src < 0.0)
        src = 0.0;
    *i0 = (long)src;
    if (*i0 > n - 1)
        *i0 = n - 1;
    *i1 = *i0 + 1 < n ? *i0 + 1 : n - 1;
    *t = (float)(src - (double)*i0);
}

/* Bilinear upsampling of P planes H x W by sh x sw; backward (din != NULL)
 * scatters dout into din instead. */
static void bilinear(float *out, const float *in, float *din, const float *dout, long P,
                     long H, long W, long sh, long sw)
{
    const long OH = H * sh, OW = W * sw;
    for (long p = 0; p < P; p++) {
        size_t ip = (size_t)p * H * W, op = (size_t)p * OH * OW;
        for (long oh = 0; oh < OH; oh++) {
            long h0, h1, w0, w1;
            float th, tw;
            lerp_at(oh, sh, H, &h0, &h1, &th);
            for (long ow = 0; ow < OW; ow++) {
                lerp_at(ow, sw, W, &w0, &w1, &tw);
                const float a = (1 - th) * (1 - tw), b = (1 - th) * tw, c = th * (1 - tw),
                            e = th * tw;
                const size_t k = op + (size_t)oh * OW + ow;
                if (din) {
                    const float g = dout[k];
                    din[ip + h0 * W + w0] += a * g;
                    din[ip + h0 * W + w1] += b * g;
                    din[ip + h1 * W + w0] += c * g;
                    din[ip + h1 * W + w1] += e * g;
                } else {
                    out[k] = a * in[ip + h0 * W + w0] + b * in[ip + h0 * W + w1] +
                             c * in[ip + h1 * W + w0] + e * in[ip + h1 * W + w1];
                }
            }
        }
    }
}

/* Mean and 1/std over the C channels of position p of one sample x. */
static void ln_stats(const float *x, long C, size_t P, size_t p, double eps, double *mean,
                     double *rstd)
{
    double s = 0.0, q = 0.0;
    for (long c = 0; c < C; c++)
        s += x[(size_t)c * P + p];
    *mean = s / (double)C;
    for (long c = 0; c < C; c++) {
        double v = x[(size_t)c * P + p] - *mean;
        q += v * v;
    }
    *rstd = 1.0 / sqrt(q / (double)C + eps);
}

static void ln_forward(const net_layer *l, float *out, const float *in, long B)
{
    const long C = l->ic;
    const size_t P = (size_t)l->ih * l->iw;
    for (long s = 0; s < B; s++) {
        const float *x = in + (size_t)s * l->in_n;
        float *y = out + (size_t)s * l->out_n;
        for (size_t p = 0; p < P; p++) {
            double mean, rstd;
            ln_stats(x, C, P, p, l->d.eps, &mean, &rstd);
            for (long c = 0; c < C; c++) {
                double v = (x[(size_t)c * P + p] - mean) * rstd;
                if (l->w)
                    v = v * l->w[c] + l->b[c];
                y[(size_t)c * P + p] = (float)v;
            }
        }
    }
}

/* dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * weight. */
static void ln_backward(const net_layer *l, float *din, const float *dout, const float *in,
                        long B)
{
    const long C = l->ic;
    const size_t P = (size_t)l->ih * l->iw;
    float *dw = l->frozen ? NULL : l->dw, *db = l->frozen ? NULL : l->db;
    for (long s = 0; s < B; s++) {
        const float *x = in + (size_t)s * l->in_n;
        const float *dy = dout + (size_t)s * l->out_n;
        float *dx = din ? din + (size_t)s * l->in_n : NULL;
        for (size_t p = 0; p < P; p++) {
            double mean, rstd, sg = 0.0, sgx = 0.0;
            ln_stats(x, C, P, p, l->d.eps, &mean, &rstd);
            for (long c = 0; c < C; c++) {
                size_t k = (size_t)c * P + p;
                double xh = (x[k] - mean) * rstd, g = dy[k] * (l->w ? l->w[c] : 1.0f);
                sg += g;
                sgx += g * xh;
                if (dw) {
                    dw[c] += (float)(dy[k] * xh);
                    db[c] += dy[k];
                }
            }
            if (!dx)
                continue;
            sg /= (double)C;
            sgx /= (double)C;
            for (long c = 0; c < C; c++) {
                size_t k = (size_t)c * P + p;
                double xh = (x[k] - mean) * rstd, g = dy[k] * (l->w ? l->w[c] : 1.0f);
                dx[k] += (float)(rstd * (g - sg - xh * sgx));
            }
        }
    }
}

int cc_netp_forward_chan(cc_net *net, size_t i, long B, cc_error *err)
{
    (void)err;
    net_layer *l = &net->L[i];
    const cc_layer_desc *d = &l->d;
    if (!is_chan(d->op))
        return 1;
    const float *in = cc_netp_src(net, l, 0);
    const size_t P = (size_t)l->ih * l->iw;
    const long C = l->ic, G = d->groups;
    for (long s = 0; d->op != CC_OP_ADAPTIVE_AVGPOOL && d->op != CC_OP_LAYERNORM &&
                     d->op != CC_OP_UPSAMPLE_BILINEAR && s < B;
         s++) {
        const float *x = in + (size_t)s * l->in_n;
        float *y = l->out + (size_t)s * l->out_n;
        if (d->op == CC_OP_CHANNEL_SPLIT) {
            memcpy(y, x + (size_t)d->chunk * l->out_n, l->out_n * sizeof(float));
        } else if (d->op == CC_OP_CHANNEL_SHUFFLE) {
            for (long g = 0; g < G; g++)
                for (long j = 0; j < C / G; j++)
                    memcpy(y + (size_t)(j * G + g) * P, x + (size_t)(g * (C / G) + j) * P,
                           P * sizeof(float));
        } else {
            for (long c = 0; c < C; c++)
                for (size_t p = 0; p < P; p++)
                    y[(size_t)c * P + p] = x[(size_t)c * P + p] * l->w[c];
        }
    }
    if (d->op == CC_OP_UPSAMPLE_BILINEAR)
        bilinear(l->out, in, NULL, NULL, B * C, l->ih, l->iw, d->sh, d->sw);
    else if (d->op == CC_OP_ADAPTIVE_AVGPOOL)
        adaptive_forward(l->out, in, B * C, l->ih, l->iw, l->oh, l->ow);
    else if (d->op == CC_OP_LAYERNORM)
        ln_forward(l, l->out, in, B);
    return 0;
}

int cc_netp_backward_chan(cc_net *net, size_t i, long B, cc_error *err)
{
    (void)err;
    net_layer *l = &net->L[i];
    const cc_layer_desc *d = &l->d;
    if (!is_chan(d->op))
        return 1;
    const float *in = cc_netp_src(net, l, 0);
    float *din = cc_netp_dsrc(net, l, 0);
    const size_t P = (size_t)l->ih * l->iw;
    const long C = l->ic, G = d->groups;
    if (d->op == CC_OP_LAYERNORM) {
        ln_backward(l, din, l->dout, in, B);
        return 0;
    }
    if (d->op == CC_OP_SCALE && !l->frozen)
        for (long s = 0; s < B; s++)
            for (long c = 0; c < C; c++) {
                const float *x = in + (size_t)s * l->in_n + (size_t)c * P;
                const float *dy = l->dout + (size_t)s * l->out_n + (size_t)c * P;
                double acc = 0.0;
                for (size_t p = 0; p < P; p++)
                    acc += (double)dy[p] * x[p];
                l->dw[c] += (float)acc;
            }
    if (!din)
        return 0;
    if (d->op == CC_OP_ADAPTIVE_AVGPOOL) {
        adaptive_backward(din, l->dout, B * C, l->ih, l->iw, l->oh, l->ow);
        return 0;
    }
    if (d->op == CC_OP_UPSAMPLE_BILINEAR) {
        bilinear(NULL, NULL, din, l->dout, B * C, l->ih, l->iw, d->sh, d->sw);
        return 0;
    }
    for (long s = 0; s < B; s++) {
        float *dx = din + (size_t)s * l->in_n;
        const float *dy = l->dout + (size_t)s * l->out_n;
        if (d->op == CC_OP_CHANNEL_SPLIT) {
            float *t = dx + (size_t)d->chunk * l->out_n;
            for (size_t k = 0; k < l->out_n; k++)
                t[k] += dy[k];
        } else if (d->op == CC_OP_CHANNEL_SHUFFLE) {
            for (long g = 0; g < G; g++)
                for (long j = 0; j < C / G; j++) {
                    float *t = dx + (size_t)(g * (C / G) + j) * P;
                    const float *u = dy + (size_t)(j * G + g) * P;
                    for (size_t p = 0; p < P; p++)
                        t[p] += u[p];
                }
        } else {
            for (long c = 0; c < C; c++)
                for (size_t p = 0; p < P; p++)
                    dx[(size_t)c * P + p] += dy[(size_t)c * P + p] * l->w[c];
        }
    }
    return 0;
}
