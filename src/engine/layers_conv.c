/* layers_conv.c - Conv2d forward and backward: the naive reference loops
 * (what the walkthrough shows) and the fast path (im2col + OpenBLAS sgemm,
 * threaded over the batch with caller-supplied workspace). */
#include <cblas.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/arith.h"
#include "convcalc/layers.h"
#include "engine/engine_internal.h"

void cc_conv2d_desc_init(cc_conv2d_desc *d)
{
    memset(d, 0, sizeof *d);
    d->stride_h = d->stride_w = 1;
    d->dil_h = d->dil_w = 1;
    d->groups = 1;
    d->threads = 1;
}

/* Number of chunks (worker threads) the fast kernels use. */
static int conv_chunks(const cc_conv2d_desc *d)
{
    long t = d->threads < 1 ? 1 : d->threads;
    if (t > 64)
        t = 64;
    if (t > d->B)
        t = d->B;
    return (int)t;
}

/* 1x1, stride 1, no padding: the input plane already is the column matrix. */
static int conv_is_pointwise(const cc_conv2d_desc *d)
{
    return d->KH == 1 && d->KW == 1 && d->stride_h == 1 && d->stride_w == 1 &&
           d->pad_top == 0 && d->pad_bottom == 0 && d->pad_left == 0 &&
           d->pad_right == 0;
}

static int mul_chk(size_t *acc, long v)
{
    return cc_size_mul(*acc, (size_t)v, acc);
}

int cc_conv2d_setup(cc_conv2d_desc *d, cc_error *err)
{
    if (!d)
        return cc_error_set(err, CC_EINVAL, "no convolution descriptor");
    d->ready = 0;
    const long dims[] = {d->B, d->C, d->OC, d->groups};
    const char *names[] = {"batch size", "input channels", "output channels", "groups"};
    for (int i = 0; i < 4; i++) {
        if (dims[i] < 1)
            return cc_error_set(err, CC_EINVAL, "conv2d: %s is %ld (expected a positive number)",
                                names[i], dims[i]);
        if (dims[i] > CC_DIM_MAX)
            return cc_error_set(err, CC_ERANGE, "conv2d: %s is %ld (expected at most %ld)",
                                names[i], dims[i], (long)CC_DIM_MAX);
    }
    if (d->C % d->groups || d->OC % d->groups)
        return cc_error_set(err, CC_ESHAPE,
                            "conv2d: groups (%ld) must divide the input channels (%ld) and "
                            "the output channels (%ld)", d->groups, d->C, d->OC);
    if (d->threads < 1)
        return cc_error_set(err, CC_EINVAL, "conv2d: threads is %d (expected at least 1)",
                            d->threads);
    int rc = cc_conv_out(&d->OH, d->H, d->KH, d->stride_h, d->pad_top, d->pad_bottom,
                         d->dil_h, err);
    if (!rc)
        rc = cc_conv_out(&d->OW, d->W, d->KW, d->stride_w, d->pad_left, d->pad_right,
                         d->dil_w, err);
    if (rc) {
        if (err) {
            char msg[sizeof err->msg];
            memcpy(msg, err->msg, sizeof msg);
            cc_error_set(err, rc, "conv2d (height %ld, width %ld): %s", d->H, d->W, msg);
        }
        return rc;
    }
    /* Every buffer and every GEMM dimension must fit: sizes in size_t,
     * matrix sides in int (the BLAS interface). */
    size_t inp = 1, out = 1, wgt = 1, plane = 1, krows = 1, colsz;
    int bad = mul_chk(&inp, d->B) || mul_chk(&inp, d->C) || mul_chk(&inp, d->H) ||
              mul_chk(&inp, d->W) || mul_chk(&out, d->B) || mul_chk(&out, d->OC) ||
              mul_chk(&out, d->OH) || mul_chk(&out, d->OW) || mul_chk(&wgt, d->OC) ||
              mul_chk(&wgt, d->C / d->groups) || mul_chk(&wgt, d->KH) ||
              mul_chk(&wgt, d->KW) || mul_chk(&plane, d->OH) || mul_chk(&plane, d->OW) ||
              mul_chk(&krows, d->C) || mul_chk(&krows, d->KH) || mul_chk(&krows, d->KW) ||
              cc_size_mul(krows, plane, &colsz);
    if (!bad && (plane > INT_MAX || krows > INT_MAX || (size_t)d->OC > INT_MAX ||
                 (size_t)d->H * (size_t)d->W > INT_MAX || inp > ((size_t)1 << 34) ||
                 out > ((size_t)1 << 34) || colsz > ((size_t)1 << 34)))
        bad = 1;
    if (bad)
        return cc_error_set(err, CC_ERANGE,
                            "conv2d: the buffers for %ldx%ldx%ldx%ld input and %ld filters of "
                            "%ldx%ld would be too large", d->B, d->C, d->H, d->W, d->OC,
                            d->KH, d->KW);
    /* Per chunk: a column matrix (unless pointwise), a weight-gradient
     * partial and a bias-gradient partial. */
    size_t per = (conv_is_pointwise(d) ? 0 : colsz) + wgt + (size_t)d->OC;
    size_t work;
    if (cc_size_mul(per, (size_t)conv_chunks(d), &work) || work > ((size_t)1 << 34))
        return cc_error_set(err, CC_ERANGE, "conv2d: the workspace would be too large");
    d->work_floats = work;
    d->impl = CC_CONV_BLAS;
    d->impl_floats = 0;
    int want = d->backend == CC_CONV_AUTO ? cc_conv_auto_backend() : d->backend;
    size_t dn;
    if (want == CC_CONV_ONEDNN && cc_dnnl_conv_setup(d, &dn) == 0) {
        /* oneDNN's part, then the OpenBLAS workspace when backward-data
         * stays on OpenBLAS */
        size_t total = dn;
        if (!cc_dnnl_conv_has_bwd_data(d) && cc_size_add(dn, work, &total))
            return cc_error_set(err, CC_ERANGE, "conv2d: the workspace would be too large");
        d->impl = CC_CONV_ONEDNN;
        d->impl_floats = dn;
        d->work_floats = total;
    }
    d->ready = 1;
    return CC_OK;
}

int cc_conv_auto_backend(void)
{
    const char *env = getenv("CONVCALC_CONV");
    return env && !strcmp(env, "openblas") ? CC_CONV_BLAS : CC_CONV_ONEDNN;
}

const char *cc_conv_backend_name(int backend)
{
    return backend == CC_CONV_BLAS ? "openblas" : backend == CC_CONV_ONEDNN ? "onednn" : "auto";
}

size_t cc_conv2d_workspace(const cc_conv2d_desc *d)
{
    return d && d->ready ? d->work_floats : 0;
}

size_t cc_conv2d_inp_size(const cc_conv2d_desc *d)
{
    return (size_t)d->B * d->C * d->H * d->W;
}

size_t cc_conv2d_out_size(const cc_conv2d_desc *d)
{
    return (size_t)d->B * d->OC * d->OH * d->OW;
}

size_t cc_conv2d_weight_size(const cc_conv2d_desc *d)
{
    return (size_t)d->OC * (d->C / d->groups) * d->KH * d->KW;
}

static int conv_check(const cc_conv2d_desc *d, const void *a, const void *b,
                      cc_error *err)
{
    if (!d || !d->ready)
        return cc_error_set(err, CC_EINVAL,
                            "conv2d: the descriptor was not set up (call cc_conv2d_setup)");
    if (!a || !b)
        return cc_error_set(err, CC_EINVAL, "conv2d: a required buffer is missing");
    return CC_OK;
}

/* ---- naive reference ------------------------------------------------------ */

int cc_conv2d_forward_naive(float *out, const float *inp, const float *weight,
                            const float *bias, const cc_conv2d_desc *d,
                            cc_error *err)
{
    int rc = conv_check(d, out, inp, err);
    if (rc || (rc = conv_check(d, weight, weight, err)))
        return rc;
    const long Cg = d->C / d->groups, OCg = d->OC / d->groups;
    for (long b = 0; b < d->B; b++)
        for (long o = 0; o < d->OC; o++) {
            const long c0 = (o / OCg) * Cg; /* first input channel of o's group */
            for (long y = 0; y < d->OH; y++)
                for (long x = 0; x < d->OW; x++) {
                    double sum = bias ? bias[o] : 0.0;
                    for (long c = 0; c < Cg; c++)
                        for (long i = 0; i < d->KH; i++) {
                            long iy = y * d->stride_h - d->pad_top + i * d->dil_h;
                            if (iy < 0 || iy >= d->H)
                                continue;
                            for (long j = 0; j < d->KW; j++) {
                                long ix = x * d->stride_w - d->pad_left + j * d->dil_w;
                                if (ix < 0 || ix >= d->W)
                                    continue;
                                float w = weight[((o * Cg + c) * d->KH + i) * d->KW + j];
                                float v = inp[((b * d->C + c0 + c) * d->H + iy) * d->W + ix];
                                sum += (double)w * v;
                            }
                        }
                    out[((b * d->OC + o) * d->OH + y) * d->OW + x] = (float)sum;
                }
        }
    return CC_OK;
}

int cc_conv2d_backward_naive(float *dinp, float *dweight, float *dbias,
                             const float *dout, const float *inp,
                             const float *weight, const cc_conv2d_desc *d,
                             cc_error *err)
{
    int rc = conv_check(d, dout, inp, err);
    if (rc || (rc = conv_check(d, weight, weight, err)))
        return rc;
    const long Cg = d->C / d->groups, OCg = d->OC / d->groups;
    for (long b = 0; b < d->B; b++)
        for (long o = 0; o < d->OC; o++) {
            const long c0 = (o / OCg) * Cg;
            for (long y = 0; y < d->OH; y++)
                for (long x = 0; x < d->OW; x++) {
                    float g = dout[((b * d->OC + o) * d->OH + y) * d->OW + x];
                    if (dbias)
                        dbias[o] += g;
                    for (long c = 0; c < Cg; c++)
                        for (long i = 0; i < d->KH; i++) {
                            long iy = y * d->stride_h - d->pad_top + i * d->dil_h;
                            if (iy < 0 || iy >= d->H)
                                continue;
                            for (long j = 0; j < d->KW; j++) {
                                long ix = x * d->stride_w - d->pad_left + j * d->dil_w;
                                if (ix < 0 || ix >= d->W)
                                    continue;
                                size_t wi = ((o * Cg + c) * d->KH + i) * d->KW + j;
                                size_t xi = ((b * d->C + c0 + c) * d->H + iy) * d->W + ix;
                                if (dweight)
                                    dweight[wi] += g * inp[xi];
                                if (dinp)
                                    dinp[xi] += g * weight[wi];
                            }
                        }
                }
        }
    return CC_OK;
}

/* ---- fast path ------------------------------------------------------------ */

typedef struct conv_job {
    const cc_conv2d_desc *d;
    float *out, *dinp, *dweight, *dbias;
    const float *inp, *weight, *bias, *dout;
    float *work;
    size_t per; /* workspace floats per chunk */
} conv_job;

static void conv_forward_chunk(void *ctx, int chunk, long b0, long b1)
{
    const conv_job *J = ctx;
    const cc_conv2d_desc *d = J->d;
    const long G = d->groups, OCg = d->OC / G;
    const long K = (d->C / G) * d->KH * d->KW; /* GEMM inner size */
    const long N = d->OH * d->OW;
    const int direct = conv_is_pointwise(d);
    float *col = J->work + (size_t)chunk * J->per;
    for (long b = b0; b < b1; b++) {
        const float *x = J->inp + (size_t)b * d->C * d->H * d->W;
        float *y = J->out + (size_t)b * d->OC * N;
        if (!direct)
            cc_im2col(col, x, d);
        const float *src = direct ? x : col;
        for (long o = 0; o < d->OC; o++) {
            float v = J->bias ? J->bias[o] : 0.0f;
            float *row = y + (size_t)o * N;
            for (long k = 0; k < N; k++)
                row[k] = v;
        }
        for (long g = 0; g < G; g++)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)OCg, (int)N,
                        (int)K, 1.0f, J->weight + (size_t)g * OCg * K, (int)K,
                        src + (size_t)g * K * N, (int)N, 1.0f,
                        y + (size_t)g * OCg * N, (int)N);
    }
}

int cc_conv2d_forward(float *out, const float *inp, const float *weight,
                      const float *bias, const cc_conv2d_desc *d, float *work,
                      cc_error *err)
{
    int rc = conv_check(d, out, inp, err);
    if (rc || (rc = conv_check(d, weight, weight, err)))
        return rc;
    if (!work && d->work_floats)
        return cc_error_set(err, CC_EINVAL,
                            "conv2d: no workspace given (expected %zu floats)", d->work_floats);
    if (d->impl == CC_CONV_ONEDNN)
        return cc_dnnl_conv_forward(out, inp, weight, bias, d, work)
                   ? cc_error_set(err, CC_EINTERNAL, "conv2d: oneDNN's forward pass failed")
                   : CC_OK;
    conv_job J = {.d = d, .out = out, .inp = inp, .weight = weight, .bias = bias,
                  .work = work};
    J.per = d->work_floats / (size_t)conv_chunks(d);
    cc_parallel_chunks(conv_chunks(d), d->B, conv_forward_chunk, &J);
    return CC_OK;
}

static void conv_backward_chunk(void *ctx, int chunk, long b0, long b1)
{
    const conv_job *J = ctx;
    const cc_conv2d_desc *d = J->d;
    const long G = d->groups, OCg = d->OC / G;
    const long K = (d->C / G) * d->KH * d->KW;
    const long N = d->OH * d->OW;
    const int direct = conv_is_pointwise(d);
    const size_t wsize = cc_conv2d_weight_size(d);
    float *col = J->work + (size_t)chunk * J->per;
    float *pw = col + (direct ? 0 : (size_t)d->C * d->KH * d->KW * N); /* (OC, K) */
    float *pb = pw + wsize;                                             /* (OC)    */
    memset(pw, 0, (wsize + (size_t)d->OC) * sizeof(float));
    for (long b = b0; b < b1; b++) {
        const float *x = J->inp + (size_t)b * d->C * d->H * d->W;
        const float *dy = J->dout + (size_t)b * d->OC * N;
        if (J->dbias)
            for (long o = 0; o < d->OC; o++) {
                const float *row = dy + (size_t)o * N;
                float s = 0.0f;
                for (long k = 0; k < N; k++)
                    s += row[k];
                pb[o] += s;
            }
        if (J->dweight) {
            if (!direct)
                cc_im2col(col, x, d);
            const float *src = direct ? x : col;
            /* dW_g (OCg, K) += dY_g (OCg, N) * col_g^T (N, K) */
            for (long g = 0; g < G; g++)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)OCg, (int)K,
                            (int)N, 1.0f, dy + (size_t)g * OCg * N, (int)N,
                            src + (size_t)g * K * N, (int)N, 1.0f,
                            pw + (size_t)g * OCg * K, (int)K);
        }
        if (J->dinp) {
            float *dx = J->dinp + (size_t)b * d->C * d->H * d->W;
            /* dcol_g (K, N) = W_g^T (K, OCg) * dY_g (OCg, N); pointwise
             * convolutions accumulate straight into dinp. */
            for (long g = 0; g < G; g++)
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)N,
                            (int)OCg, 1.0f, J->weight + (size_t)g * OCg * K, (int)K,
                            dy + (size_t)g * OCg * N, (int)N, direct ? 1.0f : 0.0f,
                            (direct ? dx : col) + (size_t)g * K * N, (int)N);
            if (!direct)
                cc_col2im_scratch(dx, col, d);
        }
    }
}

/* The OpenBLAS backward pass with `floats` of workspace at work. */
static void blas_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                          const float *inp, const float *weight, const cc_conv2d_desc *d,
                          float *work, size_t floats)
{
    int chunks = conv_chunks(d);
    conv_job J = {.d = d, .dinp = dinp, .dweight = dweight, .dbias = dbias, .dout = dout,
                  .inp = inp, .weight = weight, .work = work};
    J.per = floats / (size_t)chunks;
    cc_parallel_chunks(chunks, d->B, conv_backward_chunk, &J);
    /* Reduce the per-chunk partials in chunk order (deterministic). */
    const size_t wsize = cc_conv2d_weight_size(d);
    const size_t off = J.per - wsize - (size_t)d->OC;
    for (int k = 0; k < chunks; k++) {
        const float *pw = work + (size_t)k * J.per + off;
        const float *pb = pw + wsize;
        if (dweight)
            for (size_t i = 0; i < wsize; i++)
                dweight[i] += pw[i];
        if (dbias)
            for (long o = 0; o < d->OC; o++)
                dbias[o] += pb[o];
    }
}

int cc_conv2d_backward(float *dinp, float *dweight, float *dbias,
                       const float *dout, const float *inp, const float *weight,
                       const cc_conv2d_desc *d, float *work, cc_error *err)
{
    int rc = conv_check(d, dout, inp, err);
    if (rc || (rc = conv_check(d, weight, weight, err)))
        return rc;
    if (!work && d->work_floats)
        return cc_error_set(err, CC_EINVAL,
                            "conv2d: no workspace given (expected %zu floats)", d->work_floats);
    if (d->impl == CC_CONV_ONEDNN) {
        if ((dweight || dbias) &&
            cc_dnnl_conv_backward_weights(dweight, dbias, dout, inp, d, work))
            return cc_error_set(err, CC_EINTERNAL, "conv2d: oneDNN's backward pass failed");
        if (dinp && cc_dnnl_conv_has_bwd_data(d)) {
            if (cc_dnnl_conv_backward_data(dinp, dout, weight, d, work))
                return cc_error_set(err, CC_EINTERNAL, "conv2d: oneDNN's backward pass failed");
        } else if (dinp) {
            blas_backward(dinp, NULL, NULL, dout, inp, weight, d, work + d->impl_floats,
                          d->work_floats - d->impl_floats);
        }
        return CC_OK;
    }
    blas_backward(dinp, dweight, dbias, dout, inp, weight, d, work, d->work_floats);
    return CC_OK;
}
