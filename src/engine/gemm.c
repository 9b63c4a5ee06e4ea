/* gemm.c - the fast paths' plumbing: im2col / col2im (one sample, all
 * channels) and OpenBLAS's thread setting (the threads are in pool.c).
 * The matrix products themselves are OpenBLAS's cblas_sgemm. */
#include <cblas.h>
#include <string.h>

#include "convcalc/layers.h"
#include "engine/engine_internal.h"

/* Output columns x in [*x0, *x1) read input column x*s - p + off inside
 * [0, n); the rest read padding. */
static void valid_range(long *x0, long *x1, long out, long n, long s, long p,
                        long off)
{
    long lo = p - off; /* need x*s >= lo */
    long a = lo <= 0 ? 0 : (lo + s - 1) / s;
    long hi = n - 1 + p - off; /* need x*s <= hi */
    long b = hi < 0 ? 0 : hi / s + 1;
    if (a > out)
        a = out;
    if (b > out)
        b = out;
    if (b < a)
        b = a;
    *x0 = a;
    *x1 = b;
}

/* im2col when stride is 1 and the output is as wide as the input ("same"
 * convolutions): the valid rows of a column-matrix row are one contiguous
 * run of the input plane, copied at once; the columns that fall in the
 * left/right padding are zeroed afterwards. */
static void im2col_same_s1(float *col, const float *inp, const cc_conv2d_desc *d)
{
    const long C = d->C, H = d->H, W = d->W, OH = d->OH, OW = d->OW;
    const size_t plane_n = (size_t)H * W;
    for (long c = 0; c < C; c++) {
        const float *plane = inp + (size_t)c * plane_n;
        for (long i = 0; i < d->KH; i++) {
            /* output rows y whose input row y - pt + i*dh is inside */
            long off = i * d->dil_h - d->pad_top;
            long ya = off < 0 ? -off : 0, yb = H - off < OH ? H - off : OH;
            if (yb < ya)
                yb = ya;
            for (long j = 0; j < d->KW; j++) {
                float *row = col + ((size_t)(c * d->KH + i) * d->KW + j) * OH * OW;
                long shift = j * d->dil_w - d->pad_left;
                long x0, x1;
                valid_range(&x0, &x1, OW, W, 1, d->pad_left, j * d->dil_w);
                for (size_t k = 0; k < (size_t)ya * OW; k++)
                    row[k] = 0.0f;
                for (size_t k = (size_t)yb * OW; k < (size_t)OH * OW; k++)
                    row[k] = 0.0f;
                if (yb == ya)
                    continue;
                /* dst k <-> src index (ya + off) * W + shift + k */
                long s0 = (ya + off) * W + shift, n = (yb - ya) * OW;
                long k0 = s0 < 0 ? -s0 : 0;
                long k1 = s0 + n > (long)plane_n ? (long)plane_n - s0 : n;
                float *dst = row + (size_t)ya * OW;
                for (long k = 0; k < k0; k++)
                    dst[k] = 0.0f;
                if (k1 > k0)
                    memcpy(dst + k0, plane + s0 + k0, (size_t)(k1 - k0) * sizeof(float));
                for (long k = k1 > k0 ? k1 : k0; k < n; k++)
                    dst[k] = 0.0f;
                if (x0 > 0 || x1 < OW)
                    for (long y = ya; y < yb; y++) {
                        float *r = row + (size_t)y * OW;
                        for (long x = 0; x < x0; x++)
                            r[x] = 0.0f;
                        for (long x = x1; x < OW; x++)
                            r[x] = 0.0f;
                    }
            }
        }
    }
}

void cc_im2col(float *col, const float *inp, const cc_conv2d_desc *d)
{
    if (d->stride_h == 1 && d->stride_w == 1 && d->OW == d->W) {
        im2col_same_s1(col, inp, d);
        return;
    }
    const long C = d->C, H = d->H, W = d->W, OH = d->OH, OW = d->OW;
    const long sh = d->stride_h, sw = d->stride_w;
    for (long c = 0; c < C; c++) {
        const float *plane = inp + (size_t)c * H * W;
        for (long i = 0; i < d->KH; i++) {
            for (long j = 0; j < d->KW; j++) {
                float *row = col + ((size_t)(c * d->KH + i) * d->KW + j) * OH * OW;
                long x0, x1;
                valid_range(&x0, &x1, OW, W, sw, d->pad_left, j * d->dil_w);
                for (long y = 0; y < OH; y++) {
                    float *dst = row + (size_t)y * OW;
                    long iy = y * sh - d->pad_top + i * d->dil_h;
                    if (iy < 0 || iy >= H) {
                        memset(dst, 0, (size_t)OW * sizeof(float));
                        continue;
                    }
                    const float *src = plane + (size_t)iy * W - d->pad_left + j * d->dil_w;
                    for (long x = 0; x < x0; x++)
                        dst[x] = 0.0f;
                    if (sw == 1) {
                        if (x1 > x0)
                            memcpy(dst + x0, src + x0, (size_t)(x1 - x0) * sizeof(float));
                    } else {
                        for (long x = x0; x < x1; x++)
                            dst[x] = src[x * sw];
                    }
                    for (long x = x1; x < OW; x++)
                        dst[x] = 0.0f;
                }
            }
        }
    }
}

void cc_col2im(float *inp, const float *col, const cc_conv2d_desc *d)
{
    const long C = d->C, H = d->H, W = d->W, OH = d->OH, OW = d->OW;
    const long sh = d->stride_h, sw = d->stride_w;
    for (long c = 0; c < C; c++) {
        float *plane = inp + (size_t)c * H * W;
        for (long i = 0; i < d->KH; i++) {
            for (long j = 0; j < d->KW; j++) {
                const float *row = col + ((size_t)(c * d->KH + i) * d->KW + j) * OH * OW;
                long x0, x1;
                valid_range(&x0, &x1, OW, W, sw, d->pad_left, j * d->dil_w);
                for (long y = 0; y < OH; y++) {
                    long iy = y * sh - d->pad_top + i * d->dil_h;
                    if (iy < 0 || iy >= H)
                        continue;
                    const float *src = row + (size_t)y * OW;
                    float *dst = plane + (size_t)iy * W - d->pad_left + j * d->dil_w;
                    for (long x = x0; x < x1; x++)
                        dst[x * sw] += src[x];
                }
            }
        }
    }
}

void cc_col2im_scratch(float *inp, float *col, const cc_conv2d_desc *d)
{
    if (!(d->stride_h == 1 && d->stride_w == 1 && d->OW == d->W)) {
        cc_col2im(inp, col, d);
        return;
    }
    /* The adjoint of im2col_same_s1: zero the entries that belong to the
     * left/right padding, then add each row's valid block as one run. */
    const long C = d->C, H = d->H, W = d->W, OH = d->OH, OW = d->OW;
    const size_t plane_n = (size_t)H * W;
    for (long c = 0; c < C; c++) {
        float *plane = inp + (size_t)c * plane_n;
        for (long i = 0; i < d->KH; i++) {
            long off = i * d->dil_h - d->pad_top;
            long ya = off < 0 ? -off : 0, yb = H - off < OH ? H - off : OH;
            if (yb <= ya)
                continue;
            for (long j = 0; j < d->KW; j++) {
                float *row = col + ((size_t)(c * d->KH + i) * d->KW + j) * OH * OW;
                long shift = j * d->dil_w - d->pad_left;
                long x0, x1;
                valid_range(&x0, &x1, OW, W, 1, d->pad_left, j * d->dil_w);
                if (x0 > 0 || x1 < OW)
                    for (long y = ya; y < yb; y++) {
                        float *r = row + (size_t)y * OW;
                        for (long x = 0; x < x0; x++)
                            r[x] = 0.0f;
                        for (long x = x1; x < OW; x++)
                            r[x] = 0.0f;
                    }
                long s0 = (ya + off) * W + shift, n = (yb - ya) * OW;
                long k0 = s0 < 0 ? -s0 : 0;
                long k1 = s0 + n > (long)plane_n ? (long)plane_n - s0 : n;
                const float *src = row + (size_t)ya * OW;
                float *dst = plane + s0;
                for (long k = k0; k < k1; k++)
                    dst[k] += src[k];
            }
        }
    }
}

void cc_blas_set_threads(int n)
{
    openblas_set_num_threads(n < 1 ? 1 : n);
}

const char *cc_blas_core(void)
{
    const char *name = openblas_get_corename();
    return name ? name : "unknown";
}
