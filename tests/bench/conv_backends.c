/* conv_backends.c - the measurement behind the engine's choice of
 * convolution backend (tests/bench/backends.sh builds and runs it).
 *
 * For each convolution of the assignment network (32x32x3) and of its
 * Fashion-MNIST variant (28x28x1), at the per-thread batch the engine uses
 * (batch 64 split over THREADS), it times through the library's own API
 * (cc_conv2d_forward / cc_conv2d_backward, one thread, layout conversions
 * included) the forward pass, backward-data and backward-weights with
 * CC_CONV_BLAS (im2col + OpenBLAS, per sample) and CC_CONV_ONEDNN. It then
 * times the GEMM a whole-batch im2col would need (M = OC, N = B*OH*OW,
 * K = C*KH*KW) with OpenBLAS, oneDNN's sgemm and libxsmm, without the im2col
 * itself: an upper bound for a whole-batch GEMM backend. Best of REPS runs,
 * GFLOP/s (2 x MACs / s). */
#include <cblas.h>
#include <dnnl.h>
#include <libxsmm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "convcalc/layers.h"

extern void omp_set_num_threads(int n);

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static float *buf(size_t n)
{
    float *p = malloc((n ? n : 1) * sizeof(float));
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(3);
    }
    for (size_t i = 0; i < n; i++)
        p[i] = (float)((i * 2654435761u) % 1000) * 1e-3f - 0.5f;
    return p;
}

static void layer(long B, long C, long H, long W, long OC, long K, long P, int reps)
{
    double macs = 0, t[2][3];
    for (int be = 0; be < 2; be++) {
        cc_conv2d_desc d;
        cc_conv2d_desc_init(&d);
        d.B = B; d.C = C; d.H = H; d.W = W; d.OC = OC; d.KH = d.KW = K;
        d.pad_top = d.pad_bottom = d.pad_left = d.pad_right = P;
        d.backend = be ? CC_CONV_ONEDNN : CC_CONV_BLAS;
        if (cc_conv2d_setup(&d, NULL)) {
            fprintf(stderr, "setup failed\n");
            exit(3);
        }
        macs = (double)B * OC * d.OH * d.OW * C * K * K;
        size_t ni = cc_conv2d_inp_size(&d), no = cc_conv2d_out_size(&d),
               nw = cc_conv2d_weight_size(&d);
        float *x = buf(ni), *w = buf(nw), *b = buf(OC), *y = buf(no), *dy = buf(no),
              *dx = buf(ni), *dw = buf(nw), *db = buf(OC), *work = buf(cc_conv2d_workspace(&d));
        for (int k = 0; k < 3; k++)
            t[be][k] = 1e30;
        for (int r = 0; r <= reps; r++) { /* run 0 warms up */
            double t0 = now();
            cc_conv2d_forward(y, x, w, b, &d, work, NULL);
            double t1 = now();
            cc_conv2d_backward(dx, NULL, NULL, dy, x, w, &d, work, NULL);
            double t2 = now();
            cc_conv2d_backward(NULL, dw, db, dy, x, w, &d, work, NULL);
            double t3 = now();
            if (r) {
                t[be][0] = t1 - t0 < t[be][0] ? t1 - t0 : t[be][0];
                t[be][1] = t2 - t1 < t[be][1] ? t2 - t1 : t[be][1];
                t[be][2] = t3 - t2 < t[be][2] ? t3 - t2 : t[be][2];
            }
        }
        free(x); free(w); free(b); free(y); free(dy); free(dx); free(dw); free(db); free(work);
    }
    printf("conv B%-3ld %3ldx%-3ld C%-3ld -> OC%-3ld %ldx%ld pad %ld   ", B, H, W, C, OC, K, K, P);
    static const char *const what[] = {"forward", "bwd-data", "bwd-weights"};
    for (int k = 0; k < 3; k++)
        printf("%s %5.1f / %5.1f  ", what[k], 2 * macs / t[0][k] / 1e9, 2 * macs / t[1][k] / 1e9);
    printf(" (GFLOP/s, OpenBLAS / oneDNN)\n");
    /* the whole-batch GEMM */
    long M = OC, N = B * (H + 2 * P - K + 1) * (W + 2 * P - K + 1), KK = C * K * K;
    float *a = buf((size_t)M * KK), *bb = buf((size_t)KK * N), *c = buf((size_t)M * N);
    double g[3] = {1e30, 1e30, 1e30};
    for (int r = 0; r <= reps; r++) {
        double t0 = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)M, (int)N, (int)KK, 1.0f, a,
                    (int)KK, bb, (int)N, 0.0f, c, (int)N);
        double t1 = now();
        dnnl_sgemm('N', 'N', M, N, KK, 1.0f, a, KK, bb, N, 0.0f, c, N);
        double t2 = now();
        /* column-major libxsmm: C^T = B^T A^T */
        const libxsmm_blasint m = N, n = M, k = KK;
        const float one = 1.0f, zero = 0.0f;
        libxsmm_sgemm("N", "N", &m, &n, &k, &one, bb, &m, a, &k, &zero, c, &m);
        double t3 = now();
        if (r) {
            g[0] = t1 - t0 < g[0] ? t1 - t0 : g[0];
            g[1] = t2 - t1 < g[1] ? t2 - t1 : g[1];
            g[2] = t3 - t2 < g[2] ? t3 - t2 : g[2];
        }
    }
    double f = 2.0 * (double)M * N * KK;
    printf("     whole-batch GEMM %ldx%ldx%ld: OpenBLAS %.1f, oneDNN sgemm %.1f, libxsmm %.1f GFLOP/s"
           " (no im2col)\n", M, N, KK, f / g[0] / 1e9, f / g[1] / 1e9, f / g[2] / 1e9);
    free(a); free(bb); free(c);
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 2, reps = argc > 2 ? atoi(argv[2]) : 5;
    long B = 64 / (threads > 0 ? threads : 1);
    omp_set_num_threads(1);
    cc_blas_set_threads(1);
    libxsmm_init();
    printf("one thread, batch %ld per thread; OpenBLAS core %s, oneDNN ISA %s\n", B,
           cc_blas_core(), cc_conv_onednn_isa());
    layer(B, 3, 32, 32, 32, 5, 2, reps);
    layer(B, 32, 16, 16, 64, 5, 2, reps);
    layer(B, 64, 8, 8, 128, 5, 2, reps);
    layer(B, 1, 28, 28, 32, 5, 2, reps);
    layer(B, 32, 14, 14, 64, 5, 2, reps);
    layer(B, 64, 7, 7, 128, 5, 2, reps);
    libxsmm_finalize();
    return 0;
}
