/* layers_graph.c - the kernels of graph nodes: broadcast binary ops (add,
 * sub, mul, div), concatenation, nearest upsampling and constant padding,
 * forward and backward. */
#include <string.h>

#include "convcalc/layers.h"

/* index of b's value for element k of a sample of n values */
static size_t bidx(size_t k, size_t n, size_t nb)
{
    if (nb == n)
        return k;
    if (nb == 1)
        return 0;
    return k / (n / nb); /* one value per channel of n / nb elements */
}

void cc_binary_forward(float *out, const float *a, const float *b, long B, size_t n,
                       size_t nb, int kind)
{
    for (long s = 0; s < B; s++) {
        const float *x = a + (size_t)s * n, *y = b + (size_t)s * nb;
        float *o = out + (size_t)s * n;
        for (size_t k = 0; k < n; k++) {
            float v = y[bidx(k, n, nb)];
            switch (kind) {
            case 0: o[k] = x[k] + v; break;
            case 1: o[k] = x[k] - v; break;
            case 2: o[k] = x[k] * v; break;
            default: o[k] = x[k] / v; break;
            }
        }
    }
}

void cc_binary_backward(float *da, float *db, const float *dout, const float *a,
                        const float *b, long B, size_t n, size_t nb, int kind)
{
    for (long s = 0; s < B; s++) {
        const float *x = a + (size_t)s * n, *y = b + (size_t)s * nb;
        const float *g = dout + (size_t)s * n;
        float *gx = da ? da + (size_t)s * n : NULL, *gy = db ? db + (size_t)s * nb : NULL;
        for (size_t k = 0; k < n; k++) {
            size_t j = bidx(k, n, nb);
            float v = y[j], ga, gb;
            switch (kind) {
            case 0: ga = g[k]; gb = g[k]; break;
            case 1: ga = g[k]; gb = -g[k]; break;
            case 2: ga = g[k] * v; gb = g[k] * x[k]; break;
            default: ga = g[k] / v; gb = -g[k] * x[k] / (v * v); break;
            }
            if (gx)
                gx[k] += ga;
            if (gy)
                gy[j] += gb;
        }
    }
}

void cc_concat_forward(float *out, const float *const *inp, const size_t *sizes, int k,
                       long B)
{
    size_t total = 0;
    for (int j = 0; j < k; j++)
        total += sizes[j];
    for (long s = 0; s < B; s++) {
        float *o = out + (size_t)s * total;
        for (int j = 0; j < k; j++) {
            memcpy(o, inp[j] + (size_t)s * sizes[j], sizes[j] * sizeof(float));
            o += sizes[j];
        }
    }
}

void cc_concat_backward(float *const *din, const float *dout, const size_t *sizes, int k,
                        long B)
{
    size_t total = 0;
    for (int j = 0; j < k; j++)
        total += sizes[j];
    for (long s = 0; s < B; s++) {
        const float *g = dout + (size_t)s * total;
        for (int j = 0; j < k; j++) {
            if (din[j]) {
                float *d = din[j] + (size_t)s * sizes[j];
                for (size_t e = 0; e < sizes[j]; e++)
                    d[e] += g[e];
            }
            g += sizes[j];
        }
    }
}

void cc_upsample_forward(float *out, const float *inp, long P, long H, long W, long sh,
                         long sw)
{
    const long OH = H * sh, OW = W * sw;
    for (long p = 0; p < P; p++)
        for (long oy = 0; oy < OH; oy++) {
            const float *x = inp + ((size_t)p * H + oy / sh) * W;
            float *y = out + ((size_t)p * OH + oy) * OW;
            for (long ox = 0; ox < OW; ox++)
                y[ox] = x[ox / sw];
        }
}

void cc_upsample_backward(float *dinp, const float *dout, long P, long H, long W, long sh,
                          long sw)
{
    const long OH = H * sh, OW = W * sw;
    for (long p = 0; p < P; p++)
        for (long oy = 0; oy < OH; oy++) {
            float *dx = dinp + ((size_t)p * H + oy / sh) * W;
            const float *dy = dout + ((size_t)p * OH + oy) * OW;
            for (long ox = 0; ox < OW; ox++)
                dx[ox / sw] += dy[ox];
        }
}

void cc_pad_forward(float *out, const float *inp, long P, long H, long W, long pt, long pb,
                    long pl, long pr, float v)
{
    const long OH = H + pt + pb, OW = W + pl + pr;
    for (long p = 0; p < P; p++)
        for (long oy = 0; oy < OH; oy++) {
            float *y = out + ((size_t)p * OH + oy) * OW;
            long iy = oy - pt;
            for (long ox = 0; ox < OW; ox++) {
                long ix = ox - pl;
                y[ox] = iy >= 0 && iy < H && ix >= 0 && ix < W
                            ? inp[((size_t)p * H + iy) * W + ix]
                            : v;
            }
        }
}

void cc_pad_backward(float *dinp, const float *dout, long P, long H, long W, long pt,
                     long pb, long pl, long pr)
{
    const long OH = H + pt + pb, OW = W + pl + pr;
    for (long p = 0; p < P; p++)
        for (long y = 0; y < H; y++) {
            float *dx = dinp + ((size_t)p * H + y) * W;
            const float *dy = dout + ((size_t)p * OH + y + pt) * OW + pl;
            for (long x = 0; x < W; x++)
                dx[x] += dy[x];
        }
}
