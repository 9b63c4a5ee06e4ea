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

/* Window taps k in [*k0, *k1) of output o along one axis land inside the
 * input: 0 <= o*stride - pad + k*dil < in. */
static void tap_range(long o, long stride, long pad, long dil, long ksize, long in,
                      long *k0, long *k1)
{
    long start = o * stride - pad;
    long a = start >= 0 ? 0 : (-start + dil - 1) / dil;
    long b = in - 1 - start < 0 ? 0 : (in - 1 - start) / dil + 1;
    if (b > ksize)
        b = ksize;
    if (a > b)
        a = b;
    *k0 = a;
    *k1 = b;
}

/* Outputs ox in [*a, *b) have every tap inside the input (no clipping). */
static void interior(long stride, long pad, long dil, long ksize, long in, long out, long *a,
                     long *b)
{
    long lo = (pad + stride - 1) / stride;
    long num = in - 1 + pad - (ksize - 1) * dil;
    long hi = num < 0 ? 0 : num / stride + 1;
    if (hi > out)
        hi = out;
    if (lo > hi)
        lo = hi;
    *a = lo;
    *b = hi;
}

int cc_maxpool2d_forward(float *out, int32_t *argmax, const float *inp,
                         const cc_pool2d_desc *d, cc_error *err)
{
    int rc = pool_check(d, out, inp, err);
    if (rc || (rc = pool_check(d, argmax, argmax, err)))
        return rc;
    const size_t plane = (size_t)d->H * d->W, oplane = (size_t)d->OH * d->OW;
    long oxa, oxb; /* columns whose windows need no clipping */
    interior(d->stride_w, d->pad_left, d->dil_w, d->KW, d->W, d->OW, &oxa, &oxb);
    for (size_t p = 0; p < (size_t)d->B * d->C; p++) {
        const float *x = inp + p * plane;
        float *y = out + p * oplane;
        int32_t *am = argmax + p * oplane;
        for (long oy = 0; oy < d->OH; oy++) {
            long i0, i1;
            tap_range(oy, d->stride_h, d->pad_top, d->dil_h, d->KH, d->H, &i0, &i1);
            const long y0 = oy * d->stride_h - d->pad_top;
            for (long ox = 0; ox < d->OW; ox++) {
                long j0 = 0, j1 = d->KW;
                if (ox < oxa || ox >= oxb)
                    tap_range(ox, d->stride_w, d->pad_left, d->dil_w, d->KW, d->W, &j0, &j1);
                const long x0 = ox * d->stride_w - d->pad_left;
                float best = -INFINITY;
                long bi = -1;
                if (i1 > i0 && j1 > j0) {
                    /* the first maximum wins (strict >, selects rather than
                     * branches); a NaN anywhere wins over everything, the
                     * first NaN, as in PyTorch */
                    int nan_seen = 0;
                    bi = (y0 + i0 * d->dil_h) * d->W + x0 + j0 * d->dil_w;
                    best = x[bi];
                    for (long i = i0; i < i1; i++) {
                        const long rowi = (y0 + i * d->dil_h) * d->W + x0;
                        for (long j = j0; j < j1; j++) {
                            const long idx = rowi + j * d->dil_w;
                            const float v = x[idx];
                            const int gt = v > best;
                            best = gt ? v : best;
                            bi = gt ? idx : bi;
                            nan_seen |= v != v;
                        }
                    }
                    if (nan_seen)
                        for (long i = i0; i < i1; i++)
                            for (long j = j0; j < j1; j++) {
                                const long idx = (y0 + i * d->dil_h) * d->W + x0 + j * d->dil_w;
                                if (isnan(x[idx])) {
                                    best = x[idx];
                                    bi = idx;
                                    goto done;
                                }
                            }
                }
            done:
                y[oy * d->OW + ox] = best;
                am[oy * d->OW + ox] = (int32_t)bi;
            }
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
