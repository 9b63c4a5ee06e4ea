/* net_fused.c - the fused relu + max pool fast path (bit-identical to the
 * two layers run one after the other). */
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
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ---- fused relu + max pool (no padding, no dilation, floor mode) ---------- */
/* y = max over the window of relu(x), the first maximum winning: exactly
 * what cc_relu_forward followed by cc_maxpool2d_forward computes (relu maps
 * NaN to 0, so no NaN reaches the pool). argmax holds the input index
 * y*W+x in the plane, as cc_maxpool2d_forward's does. */
#define MAXF(x, y) ((x) > (y) ? (x) : (y))

typedef struct pool_job {
    const net_layer *l;
    const float *in;   /* (B, C, H, W)   */
    float *dinp;       /* (B, C, H, W)   */
    int overwrite;
} pool_job;

static void relu_maxpool_fwd_chunk(void *ctx, int chunk, long p0, long p1)
{
    (void)chunk;
    const pool_job *J = ctx;
    const net_layer *l = J->l;
    const long H = l->ih, W = l->iw, OH = l->oh, OW = l->ow;
    const long kh = l->d.kh, kw = l->d.kw, sh = l->d.sh, sw = l->d.sw;
    for (long p = p0; p < p1; p++) {
        const float *x = J->in + (size_t)p * H * W;
        float *y = l->out + (size_t)p * OH * OW;
        int32_t *am = l->argmax + (size_t)p * OH * OW;
        if (kh == 2 && kw == 2 && sh == 2 && sw == 2) {
            for (long oy = 0; oy < OH; oy++) {
                const float *r0 = x + (size_t)(2 * oy) * W, *r1 = r0 + W;
                float *yr = y + (size_t)oy * OW;
                int32_t *ar = am + (size_t)oy * OW;
                const int32_t base = (int32_t)(2 * oy * W);
                long ox = 0;
#ifdef __SSE2__
                /* four windows at a time: even/odd columns of two rows */
                const __m128 zero = _mm_setzero_ps();
                const __m128i i1 = _mm_set1_epi32(1), iw = _mm_set1_epi32((int)W);
                const __m128i iw1 = _mm_set1_epi32((int)W + 1);
                for (; ox + 4 <= OW; ox += 4) {
                    __m128 p0 = _mm_loadu_ps(r0 + 2 * ox), p1 = _mm_loadu_ps(r0 + 2 * ox + 4);
                    __m128 q0 = _mm_loadu_ps(r1 + 2 * ox), q1 = _mm_loadu_ps(r1 + 2 * ox + 4);
                    /* maxps(v, 0) is v > 0 ? v : 0, NaN included */
                    __m128 a = _mm_max_ps(_mm_shuffle_ps(p0, p1, _MM_SHUFFLE(2, 0, 2, 0)), zero);
                    __m128 b = _mm_max_ps(_mm_shuffle_ps(p0, p1, _MM_SHUFFLE(3, 1, 3, 1)), zero);
                    __m128 c = _mm_max_ps(_mm_shuffle_ps(q0, q1, _MM_SHUFFLE(2, 0, 2, 0)), zero);
                    __m128 e = _mm_max_ps(_mm_shuffle_ps(q0, q1, _MM_SHUFFLE(3, 1, 3, 1)), zero);
                    __m128 best = _mm_max_ps(_mm_max_ps(a, b), _mm_max_ps(c, e));
                    /* offset of the first maximum: e, then c, b, a override */
                    __m128i off = iw1;
                    __m128i m = _mm_castps_si128(_mm_cmpeq_ps(c, best));
                    off = _mm_or_si128(_mm_and_si128(m, iw), _mm_andnot_si128(m, off));
                    m = _mm_castps_si128(_mm_cmpeq_ps(b, best));
                    off = _mm_or_si128(_mm_and_si128(m, i1), _mm_andnot_si128(m, off));
                    m = _mm_castps_si128(_mm_cmpeq_ps(a, best));
                    off = _mm_andnot_si128(m, off);
                    __m128i idx = _mm_add_epi32(
                        _mm_set1_epi32(base + (int32_t)(2 * ox)),
                        _mm_add_epi32(_mm_set_epi32(6, 4, 2, 0), off));
                    _mm_storeu_ps(yr + ox, best);
                    _mm_storeu_si128((__m128i *)(ar + ox), idx);
                }
#endif
                for (; ox < OW; ox++) {
                    const float a = MAXF(r0[2 * ox], 0.0f), b = MAXF(r0[2 * ox + 1], 0.0f);
                    const float c = MAXF(r1[2 * ox], 0.0f), e = MAXF(r1[2 * ox + 1], 0.0f);
                    const float best = MAXF(MAXF(a, b), MAXF(c, e));
                    /* the first maximum in window order a, b, c, e */
                    const int32_t off = a == best   ? 0
                                        : b == best ? 1
                                        : c == best ? (int32_t)W
                                                    : (int32_t)W + 1;
                    yr[ox] = best;
                    ar[ox] = base + (int32_t)(2 * ox) + off;
                }
            }
            continue;
        }
        for (long oy = 0; oy < OH; oy++)
            for (long ox = 0; ox < OW; ox++) {
                float best = 0.0f;
                int32_t bi = -1;
                for (long i = 0; i < kh; i++) {
                    const long iy = oy * sh + i;
                    for (long j = 0; j < kw; j++) {
                        const long ix = ox * sw + j;
                        float v = x[iy * W + ix];
                        v = v > 0.0f ? v : 0.0f;
                        if (bi < 0 || v > best) {
                            best = v;
                            bi = (int32_t)(iy * W + ix);
                        }
                    }
                }
                y[oy * OW + ox] = best;
                am[oy * OW + ox] = bi;
            }
    }
}

void cc_netp_relu_maxpool_forward(cc_net *net, net_layer *l, const float *in, long B)
{
    pool_job J = {.l = l, .in = in};
    long planes = B * l->ic;
    int chunks = planes >= 256 ? net->threads : 1;
    cc_parallel_chunks(chunks, planes, relu_maxpool_fwd_chunk, &J);
}

/* dinp[argmax] (+)= dout where the output is positive (the relu's
 * derivative at the chosen input). With overwrite, the windows tile the
 * plane and every other element is set to 0, so dinp needs no zeroing. */
static void relu_maxpool_bwd_chunk(void *ctx, int chunk, long p0, long p1)
{
    (void)chunk;
    const pool_job *J = ctx;
    const net_layer *l = J->l;
    const size_t plane = (size_t)l->ih * l->iw, oplane = (size_t)l->oh * l->ow;
    for (long p = p0; p < p1; p++) {
        float *dx = J->dinp + (size_t)p * plane;
        const float *dy = l->dout + (size_t)p * oplane;
        const float *y = l->out + (size_t)p * oplane;
        const int32_t *am = l->argmax + (size_t)p * oplane;
        if (J->overwrite)
            memset(dx, 0, plane * sizeof(float));
        for (size_t k = 0; k < oplane; k++)
            if (y[k] > 0.0f)
                dx[am[k]] += dy[k];
    }
}

void cc_netp_relu_maxpool_backward(cc_net *net, net_layer *l, float *dinp, int overwrite,
                                  long B)
{
    pool_job J = {.l = l, .dinp = dinp, .overwrite = overwrite};
    long planes = B * l->ic;
    int chunks = planes >= 256 ? net->threads : 1;
    cc_parallel_chunks(chunks, planes, relu_maxpool_bwd_chunk, &J);
}
