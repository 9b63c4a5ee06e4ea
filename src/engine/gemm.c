/* gemm.c - the fast paths' plumbing: im2col / col2im (one sample, all
 * channels) and OpenBLAS's thread setting (the threads are in pool.c).
 * The matrix products themselves are OpenBLAS's cblas_sgemm. */
#include <cblas.h>
#include <dnnl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

extern void omp_set_num_threads(int n);

typedef struct peak_job {
    const float *a, *b;
    float *c;
    long n;
    int backend, failed;
} peak_job;

static void peak_chunk(void *ctx, int chunk, long c0, long c1)
{
    (void)chunk;
    peak_job *J = ctx;
    const long n = J->n, w = c1 - c0;
    if (w <= 0)
        return;
    if (J->backend == CC_CONV_ONEDNN) {
        omp_set_num_threads(1);
        if (dnnl_sgemm('N', 'N', n, w, n, 1.0f, J->a, n, J->b + c0, n, 0.0f, J->c + c0, n) !=
            dnnl_success)
            J->failed = 1;
    } else {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)w, (int)n, 1.0f,
                    J->a, (int)n, J->b + c0, (int)n, 0.0f, J->c + c0, (int)n);
    }
}

static int gemm_peak_n(double *flops, int backend, int threads, long n, int reps, cc_error *err)
{
    if (!flops || n < 16 || n > 4096 || reps < 1 || threads < 1 || threads > 64 ||
        (backend != CC_CONV_BLAS && backend != CC_CONV_ONEDNN))
        return cc_error_set(err, CC_EINVAL, "gemm peak: bad arguments (n %ld, %d threads)", n,
                            threads);
    const size_t nn = (size_t)n * (size_t)n;
    float *m = malloc(3 * nn * sizeof(float));
    if (!m)
        return cc_error_set(err, CC_ENOMEM, "gemm peak: out of memory");
    for (size_t i = 0; i < 2 * nn; i++)
        m[i] = (float)(i % 13) * 0.01f - 0.06f;
    peak_job J = {.a = m, .b = m + nn, .c = m + 2 * nn, .n = n, .backend = backend};
    cc_blas_set_threads(1);
    double best = 0.0;
    /* one untimed run first: page faults, JIT, thread start */
    for (int r = 0; r <= reps && !J.failed; r++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        cc_parallel_chunks(threads, n, peak_chunk, &J);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        double f = 2.0 * (double)n * (double)n * (double)n / (s > 0 ? s : 1e-9);
        if (r > 0 && f > best)
            best = f;
    }
    free(m);
    if (J.failed)
        return cc_error_set(err, CC_EINTERNAL, "gemm peak: oneDNN's sgemm failed");
    *flops = best;
    return CC_OK;
}

int cc_gemm_peak(double *flops, int backend, int threads, long n, int reps, cc_error *err)
{
    /* the sizes up to n from 256 in steps of half an octave: the best one
     * depends on the caches */
    double best = 0.0;
    int rc = 0;
    for (long m = 256; m <= n && !rc; m = m * 3 / 2) {
        double f = 0.0;
        rc = gemm_peak_n(&f, backend, threads, m - m % 16, reps, err);
        if (f > best)
            best = f;
    }
    if (n < 256)
        rc = gemm_peak_n(&best, backend, threads, n, reps, err);
    if (!rc)
        *flops = best;
    return rc;
}
