/* layers_pool.c - MaxPool2d, AvgPool2d (PyTorch semantics: padding, ceil
 * mode, dilation for max, count_include_pad for average) and global average
 * pooling, forward and backward. These are the reference kernels; they are
 * memory-bound and cheap next to the convolutions, so they have no separate
 * fast twin. */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "convcalc/arith.h"
#include "convcalc/layers.h"

void cc_pool2d_desc_init(cc_pool2d_desc *d)
{
    memset(d, 0, sizeof *d);
    d->KH = d->KW = 2;
    d->stride_h = d->stride_w = 2;
    d->dil_h = d->dil_w = 1;
    d->count_include_pad = 1;
}

int cc_pool2d_setup(cc_pool2d_desc *d, cc_error *err)
{
    if (!d)
        return cc_error_set(err, CC_EINVAL, "no pooling descriptor");
    d->ready = 0;
    if (d->B < 1 || d->C < 1)
        return cc_error_set(err, CC_EINVAL,
                            "pool2d: batch %ld and channels %ld (expected positive sizes)",
                            d->B, d->C);
    if (d->B > CC_DIM_MAX || d->C > CC_DIM_MAX)
        return cc_error_set(err, CC_ERANGE, "pool2d: a size exceeds the limit of %ld",
                            (long)CC_DIM_MAX);
    int rc = cc_pool_out(&d->OH, d->H, d->KH, d->stride_h, d->pad_top, d->pad_bottom,
                         d->dil_h, d->ceil_mode, err);
    if (!rc)
        rc = cc_pool_out(&d->OW, d->W, d->KW, d->stride_w, d->pad_left, d->pad_right,
                         d->dil_w, d->ceil_mode, err);
    if (rc) {
        if (err) {
            char msg[sizeof err->msg];
            memcpy(msg, err->msg, sizeof msg);
            cc_error_set(err, rc, "pool2d (height %ld, width %ld): %s", d->H, d->W, msg);
        }
        return rc;
    }
    size_t n = 1;
    if (cc_size_mul(n, (size_t)d->B, &n) || cc_size_mul(n, (size_t)d->C, &n) ||
        cc_size_mul(n, (size_t)d->H, &n) || cc_size_mul(n, (size_t)d->W, &n) ||
        n > ((size_t)1 << 34) || (size_t)d->H * (size_t)d->W > INT32_MAX)
        return cc_error_set(err, CC_ERANGE,
                            "pool2d: a %ldx%ldx%ldx%ld input would be too large",
                            d->B, d->C, d->H, d->W);
    d->ready = 1;
    return CC_OK;
}

size_t cc_pool2d_out_size(const cc_pool2d_desc *d)
{
    return (size_t)d->B * d->C * d->OH * d->OW;
}

static int pool_check(const cc_pool2d_desc *d, const void *a, const void *b,
                      cc_error *err)
{
    if (!d || !d->ready)
        return cc_error_set(err, CC_EINVAL,
                            "pool2d: the descriptor was not set up (call cc_pool2d_setup)");
    if (!a || !b)
        return cc_error_set(err, CC_EINVAL, "pool2d: a required buffer is missing");
    return CC_OK;
}

int cc_maxpool2d_forward(float *out, int32_t *argmax, const float *inp,
                         const cc_pool2d_desc *d, cc_error *err)
{
    int rc = pool_check(d, out, inp, err);
    if (rc || (rc = pool_check(d, argmax, argmax, err)))
        return rc;
    const size_t plane = (size_t)d->H * d->W, oplane = (size_t)d->OH * d->OW;
    for (size_t p = 0; p < (size_t)d->B * d->C; p++) {
        const float *x = inp + p * plane;
        float *y = out + p * oplane;
        int32_t *am = argmax + p * oplane;
        for (long oy = 0; oy < d->OH; oy++)
            for (long ox = 0; ox < d->OW; ox++) {
                float best = -INFINITY;
                long bi = -1;
                for (long i = 0; i < d->KH; i++) {
                    long iy = oy * d->stride_h - d->pad_top + i * d->dil_h;
                    if (iy < 0 || iy >= d->H)
                        continue;
                    for (long j = 0; j < d->KW; j++) {
                        long ix = ox * d->stride_w - d->pad_left + j * d->dil_w;
                        if (ix < 0 || ix >= d->W)
                            continue;
                        float v = x[iy * d->W + ix];
                        /* as PyTorch: the first maximum wins, NaN propagates */
                        if (bi < 0 || v > best || isnan(v)) {
                            best = v;
                            bi = iy * d->W + ix;
                            if (isnan(v))
                                goto done;
                        }
                    }
                }
            done:
                y[oy * d->OW + ox] = best;
                am[oy * d->OW + ox] = (int32_t)bi;
            }
    }
    return CC_OK;
}

int cc_maxpool2d_backward(float *dinp, const float *dout, const int32_t *argmax,
                          const cc_pool2d_desc *d, cc_error *err)
{
    int rc = pool_check(d, dinp, dout, err);
    if (rc || (rc = pool_check(d, argmax, argmax, err)))
        return rc;
    const size_t plane = (size_t)d->H * d->W, oplane = (size_t)d->OH * d->OW;
    for (size_t p = 0; p < (size_t)d->B * d->C; p++) {
        float *dx = dinp + p * plane;
        const float *dy = dout + p * oplane;
        const int32_t *am = argmax + p * oplane;
        for (size_t k = 0; k < oplane; k++) {
            if (am[k] < 0 || (size_t)am[k] >= plane)
                continue; /* a window with no input in it */
            dx[am[k]] += dy[k];
        }
    }
    return CC_OK;
}

/* The window of output (oy, ox) along one axis, as PyTorch computes it:
 * [start, end) clipped to the input, and the divisor's extent, which with
 * count_include_pad covers the padding but not what lies beyond it. */
static void avg_window(long o, long stride, long pad_begin, long pad_end,
                       long k, long in, long *start, long *end, long *padded_len)
{
    long s = o * stride - pad_begin;
    long e = s + k;
    if (e > in + pad_end)
        e = in + pad_end;
    *padded_len = e - s;
    if (s < 0)
        s = 0;
    if (e > in)
        e = in;
    *start = s;
    *end = e;
}

static int avg_check(const cc_pool2d_desc *d, cc_error *err)
{
    if (d->dil_h != 1 || d->dil_w != 1)
        return cc_error_set(err, CC_EINVAL,
                            "avgpool2d: dilation %ldx%ld (expected 1: average pooling has none)",
                            d->dil_h, d->dil_w);
    return CC_OK;
}

int cc_avgpool2d_forward(float *out, const float *inp, const cc_pool2d_desc *d,
                         cc_error *err)
{
    int rc = pool_check(d, out, inp, err);
    if (rc || (rc = avg_check(d, err)))
        return rc;
    const size_t plane = (size_t)d->H * d->W, oplane = (size_t)d->OH * d->OW;
    for (size_t p = 0; p < (size_t)d->B * d->C; p++) {
        const float *x = inp + p * plane;
        float *y = out + p * oplane;
        for (long oy = 0; oy < d->OH; oy++) {
            long y0, y1, ph;
            avg_window(oy, d->stride_h, d->pad_top, d->pad_bottom, d->KH, d->H, &y0, &y1, &ph);
            for (long ox = 0; ox < d->OW; ox++) {
                long x0, x1, pw;
                avg_window(ox, d->stride_w, d->pad_left, d->pad_right, d->KW, d->W, &x0, &x1,
                           &pw);
                long div = d->count_include_pad ? ph * pw : (y1 - y0) * (x1 - x0);
                double s = 0.0;
                for (long iy = y0; iy < y1; iy++)
                    for (long ix = x0; ix < x1; ix++)
                        s += x[iy * d->W + ix];
                y[oy * d->OW + ox] = div > 0 ? (float)(s / (double)div) : 0.0f;
            }
        }
    }
    return CC_OK;
}

int cc_avgpool2d_backward(float *dinp, const float *dout, const cc_pool2d_desc *d,
                          cc_error *err)
{
    int rc = pool_check(d, dinp, dout, err);
    if (rc || (rc = avg_check(d, err)))
        return rc;
    const size_t plane = (size_t)d->H * d->W, oplane = (size_t)d->OH * d->OW;
    for (size_t p = 0; p < (size_t)d->B * d->C; p++) {
        float *dx = dinp + p * plane;
        const float *dy = dout + p * oplane;
        for (long oy = 0; oy < d->OH; oy++) {
            long y0, y1, ph;
            avg_window(oy, d->stride_h, d->pad_top, d->pad_bottom, d->KH, d->H, &y0, &y1, &ph);
            for (long ox = 0; ox < d->OW; ox++) {
                long x0, x1, pw;
                avg_window(ox, d->stride_w, d->pad_left, d->pad_right, d->KW, d->W, &x0, &x1,
                           &pw);
                long div = d->count_include_pad ? ph * pw : (y1 - y0) * (x1 - x0);
                if (div <= 0)
                    continue;
                float g = dy[oy * d->OW + ox] / (float)div;
                for (long iy = y0; iy < y1; iy++)
                    for (long ix = x0; ix < x1; ix++)
                        dx[iy * d->W + ix] += g;
            }
        }
    }
    return CC_OK;
}

void cc_global_avgpool_forward(float *out, const float *inp, long B, long C, long HW)
{
    for (size_t p = 0; p < (size_t)B * C; p++) {
        const float *x = inp + p * HW;
        double s = 0.0;
        for (long k = 0; k < HW; k++)
            s += x[k];
        out[p] = (float)(s / (double)HW);
    }
}

void cc_global_avgpool_backward(float *dinp, const float *dout, long B, long C, long HW)
{
    for (size_t p = 0; p < (size_t)B * C; p++) {
        float g = dout[p] / (float)HW;
        float *dx = dinp + p * HW;
        for (long k = 0; k < HW; k++)
            dx[k] += g;
    }
}
