/* test_layers_conv.c - Conv2d: hand-computed cases, fast vs naive kernels
 * (forward and all gradients) over many geometries, thread-count
 * determinism, im2col/col2im adjointness, bad descriptors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "convcalc/layers.h"
#include "convcalc/tensor.h"
#include "layers_testutil.h"

static void test_conv_by_hand(void **state)
{
    (void)state;
    /* 1x1x3x3 input, one 2x2 kernel, stride 1, no padding, bias 1 */
    const float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    const float w[4] = {1, 0, 0, -1};
    const float bias[1] = {1};
    float y[4], yn[4];
    cc_conv2d_desc d;
    cc_conv2d_desc_init(&d);
    d.B = 1; d.C = 1; d.H = 3; d.W = 3; d.OC = 1; d.KH = 2; d.KW = 2;
    assert_int_equal(cc_conv2d_setup(&d, NULL), 0);
    assert_int_equal(d.OH, 2);
    assert_int_equal(d.OW, 2);
    float *work = cc_floats_new(cc_conv2d_workspace(&d) ? cc_conv2d_workspace(&d) : 1, NULL);
    assert_int_equal(cc_conv2d_forward(y, x, w, bias, &d, work, NULL), 0);
    assert_int_equal(cc_conv2d_forward_naive(yn, x, w, bias, &d, NULL), 0);
    /* each output = x[y][x] - x[y+1][x+1] + 1 = -4 + 1 */
    for (int i = 0; i < 4; i++) {
        assert_float_equal(y[i], -3.0f, 0.0f);
        assert_float_equal(yn[i], -3.0f, 0.0f);
    }
    /* padding 1 on the left only, stride 2: out 2x2 (H: (3-2)/2+1=1?) */
    cc_conv2d_desc_init(&d);
    d.B = 1; d.C = 1; d.H = 3; d.W = 3; d.OC = 1; d.KH = 2; d.KW = 2;
    d.pad_left = 1; d.stride_w = 2;
    assert_int_equal(cc_conv2d_setup(&d, NULL), 0);
    assert_int_equal(d.OH, 2);
    assert_int_equal(d.OW, 2); /* (3+1-2)/2+1 */
    assert_int_equal(cc_conv2d_forward_naive(yn, x, w, NULL, &d, NULL), 0);
    /* out[0][0]: window cols -1..0 rows 0..1: 1*pad(0) + -1*x[1][0]=4 -> -4 */
    assert_float_equal(yn[0], -4.0f, 0.0f);
    /* out[0][1]: cols 1..2 rows 0..1: x[0][1]=2 - x[1][2]=6 -> -4 */
    assert_float_equal(yn[1], -4.0f, 0.0f);
    assert_float_equal(yn[2], -7.0f, 0.0f);
    cc_floats_free(work);
}

typedef struct geom {
    long B, C, H, W, OC, KH, KW, sh, sw, pt, pb, pl, pr, dh, dw, G;
} geom;

static const geom geoms[] = {
    {2, 3, 7, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    {3, 2, 8, 9, 3, 3, 2, 2, 3, 0, 2, 1, 0, 1, 1, 1},
    {2, 4, 9, 7, 6, 3, 3, 1, 2, 2, 1, 0, 3, 2, 1, 2},
    {1, 6, 5, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 6},  /* depthwise */
    {4, 4, 6, 6, 8, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1},  /* pointwise, no im2col */
    {2, 4, 6, 6, 4, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 2},  /* pointwise, grouped */
    {3, 3, 11, 10, 5, 5, 5, 2, 2, 2, 2, 2, 2, 1, 1, 1},
    {2, 2, 5, 5, 2, 2, 2, 3, 3, 0, 0, 0, 0, 2, 2, 1},
    {5, 1, 4, 4, 2, 4, 4, 1, 1, 0, 0, 0, 0, 1, 1, 1},  /* kernel covers input */
    {2, 2, 3, 3, 3, 1, 1, 2, 2, 1, 1, 1, 1, 1, 1, 1},  /* 1x1 with stride/pad */
    /* stride 1 and output as wide as the input: im2col's contiguous path */
    {2, 3, 6, 7, 4, 3, 3, 1, 1, 0, 1, 1, 3, 2, 2, 1},  /* dilated, asymmetric */
    {2, 2, 5, 5, 3, 3, 3, 1, 1, 2, 0, 2, 0, 1, 1, 1},  /* padding on one side */
    {1, 2, 4, 3, 2, 2, 1, 1, 1, 3, 2, 0, 0, 3, 1, 1},  /* rows of pure padding */
    /* 16+ input channels: oneDNN's own backward-data */
    {3, 17, 6, 5, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    {2, 16, 9, 8, 18, 3, 2, 2, 1, 1, 0, 2, 1, 2, 1, 1},  /* strided, dilated */
};

static void setup_geom(cc_conv2d_desc *d, const geom *g, int threads)
{
    cc_conv2d_desc_init(d);
    d->backend = CC_CONV_BLAS;
    d->B = g->B; d->C = g->C; d->H = g->H; d->W = g->W; d->OC = g->OC;
    d->KH = g->KH; d->KW = g->KW; d->stride_h = g->sh; d->stride_w = g->sw;
    d->pad_top = g->pt; d->pad_bottom = g->pb; d->pad_left = g->pl; d->pad_right = g->pr;
    d->dil_h = g->dh; d->dil_w = g->dw; d->groups = g->G; d->threads = threads;
}

static void test_conv_fast_matches_naive(void **state)
{
    (void)state;
    cc_rng r;
    cc_rng_seed(&r, 42);
    for (size_t gi = 0; gi < sizeof geoms / sizeof geoms[0]; gi++) {
        for (int run = 0; run < 6; run++) { /* 1-3 threads x OpenBLAS, oneDNN */
            const int threads = run % 3 + 1;
            cc_conv2d_desc d;
            setup_geom(&d, &geoms[gi], threads);
            d.backend = run < 3 ? CC_CONV_BLAS : CC_CONV_ONEDNN;
            cc_error err;
            int rc = cc_conv2d_setup(&d, &err);
            if (rc)
                print_error("geometry %zu: %s\n", gi, err.msg);
            assert_int_equal(rc, 0);
            size_t ni = cc_conv2d_inp_size(&d), no = cc_conv2d_out_size(&d),
                   nw = cc_conv2d_weight_size(&d);
            float *x = tu_alloc(ni), *w = tu_alloc(nw), *b = tu_alloc(d.OC);
            float *y1 = tu_alloc(no), *y2 = tu_alloc(no), *dy = tu_alloc(no);
            float *dx1 = tu_alloc(ni), *dx2 = tu_alloc(ni), *dw1 = tu_alloc(nw),
                  *dw2 = tu_alloc(nw), *db1 = tu_alloc(d.OC), *db2 = tu_alloc(d.OC);
            float *work = tu_alloc(cc_conv2d_workspace(&d));
            tu_fill(x, ni, &r, -1, 1);
            tu_fill(w, nw, &r, -1, 1);
            tu_fill(b, d.OC, &r, -1, 1);
            tu_fill(dy, no, &r, -1, 1);
            /* gradients accumulate: start from the same nonzero values */
            tu_fill(dx1, ni, &r, -1, 1);
            memcpy(dx2, dx1, ni * sizeof(float));
            tu_fill(dw1, nw, &r, -1, 1);
            memcpy(dw2, dw1, nw * sizeof(float));
            tu_fill(db1, d.OC, &r, -1, 1);
            memcpy(db2, db1, d.OC * sizeof(float));
            assert_int_equal(cc_conv2d_forward(y1, x, w, b, &d, work, NULL), 0);
            assert_int_equal(cc_conv2d_forward_naive(y2, x, w, b, &d, NULL), 0);
            tu_assert_close(y1, y2, no, 1e-5, 1e-5);
            assert_int_equal(cc_conv2d_backward(dx1, dw1, db1, dy, x, w, &d, work, NULL), 0);
            assert_int_equal(cc_conv2d_backward_naive(dx2, dw2, db2, dy, x, w, &d, NULL), 0);
            tu_assert_close(dx1, dx2, ni, 1e-5, 1e-5);
            tu_assert_close(dw1, dw2, nw, 1e-5, 1e-5);
            tu_assert_close(db1, db2, (size_t)d.OC, 1e-5, 1e-5);
            /* no bias: outputs shift by exactly the bias */
            assert_int_equal(cc_conv2d_forward(y1, x, w, NULL, &d, work, NULL), 0);
            for (size_t i = 0; i < no; i++) {
                long o = (long)((i / (size_t)(d.OH * d.OW)) % (size_t)d.OC);
                assert_true(fabsf(y1[i] + b[o] - y2[i]) <= 1e-5f * (1 + fabsf(y2[i])));
            }
            free(x); free(w); free(b); free(y1); free(y2); free(dy); free(dx1); free(dx2);
            free(dw1); free(dw2); free(db1); free(db2); free(work);
        }
    }
}

/* Same thread count -> bit-identical; forward and dinp do not depend on the
 * thread count at all. NULL gradients are skipped. */
static void deterministic_case(const geom *g, int backend)
{
    cc_rng r;
    cc_rng_seed(&r, 7);
    cc_conv2d_desc d1, d2;
    setup_geom(&d1, g, 1);
    setup_geom(&d2, g, 2);
    d1.backend = d2.backend = backend;
    assert_int_equal(cc_conv2d_setup(&d1, NULL), 0);
    assert_int_equal(cc_conv2d_setup(&d2, NULL), 0);
    assert_int_equal(d2.impl, backend);
    if (backend == CC_CONV_BLAS)
        assert_true(cc_conv2d_workspace(&d2) > cc_conv2d_workspace(&d1));
    size_t wmax = cc_conv2d_workspace(&d2) > cc_conv2d_workspace(&d1)
                      ? cc_conv2d_workspace(&d2) : cc_conv2d_workspace(&d1);
    size_t ni = cc_conv2d_inp_size(&d1), no = cc_conv2d_out_size(&d1),
           nw = cc_conv2d_weight_size(&d1);
    float *x = tu_alloc(ni), *w = tu_alloc(nw), *dy = tu_alloc(no);
    float *y[3], *dx[3], *dw[3];
    float *work = tu_alloc(wmax);
    tu_fill(x, ni, &r, -1, 1);
    tu_fill(w, nw, &r, -1, 1);
    tu_fill(dy, no, &r, -1, 1);
    for (int k = 0; k < 3; k++) {
        const cc_conv2d_desc *d = k == 0 ? &d1 : &d2;
        y[k] = tu_alloc(no);
        dx[k] = tu_alloc(ni);
        dw[k] = tu_alloc(nw);
        assert_int_equal(cc_conv2d_forward(y[k], x, w, NULL, d, work, NULL), 0);
        assert_int_equal(cc_conv2d_backward(dx[k], dw[k], NULL, dy, x, w, d, work, NULL), 0);
    }
    assert_memory_equal(y[0], y[1], no * sizeof(float));
    assert_memory_equal(dx[0], dx[1], ni * sizeof(float));
    assert_memory_equal(y[1], y[2], no * sizeof(float));
    assert_memory_equal(dx[1], dx[2], ni * sizeof(float));
    assert_memory_equal(dw[1], dw[2], nw * sizeof(float));
    /* only dinp wanted */
    float *dxo = tu_alloc(ni);
    assert_int_equal(cc_conv2d_backward(dxo, NULL, NULL, dy, x, w, &d2, work, NULL), 0);
    assert_memory_equal(dxo, dx[0], ni * sizeof(float));
    free(dxo);
    for (int k = 0; k < 3; k++) {
        free(y[k]); free(dx[k]); free(dw[k]);
    }
    free(x); free(w); free(dy); free(work);
}

static void test_conv_deterministic(void **state)
{
    (void)state;
    const size_t last = sizeof geoms / sizeof geoms[0] - 2; /* 17 input channels */
    for (int backend = CC_CONV_BLAS; backend <= CC_CONV_ONEDNN; backend++) {
        deterministic_case(&geoms[6], backend);
        deterministic_case(&geoms[last], backend);
    }
}

/* <im2col(x), c> == <x, col2im(c)> for random x, c. */
static void test_im2col_adjoint(void **state)
{
    (void)state;
    cc_rng r;
    cc_rng_seed(&r, 3);
    for (size_t gi = 0; gi < sizeof geoms / sizeof geoms[0]; gi++) {
        cc_conv2d_desc d;
        setup_geom(&d, &geoms[gi], 1);
        assert_int_equal(cc_conv2d_setup(&d, NULL), 0);
        size_t ni = (size_t)d.C * d.H * d.W, nc = (size_t)d.C * d.KH * d.KW * d.OH * d.OW;
        float *x = tu_alloc(ni), *c = tu_alloc(nc), *col = tu_alloc(nc), *xi = tu_alloc(ni);
        tu_fill(x, ni, &r, -1, 1);
        tu_fill(c, nc, &r, -1, 1);
        cc_im2col(col, x, &d);
        cc_col2im(xi, c, &d);
        double a = 0, b = 0;
        for (size_t i = 0; i < nc; i++)
            a += (double)col[i] * c[i];
        for (size_t i = 0; i < ni; i++)
            b += (double)x[i] * xi[i];
        assert_true(fabs(a - b) < 1e-4 * (1 + fabs(a)));
        free(x); free(c); free(col); free(xi);
    }
}

static void test_conv_bad_input(void **state)
{
    (void)state;
    cc_conv2d_desc d;
    cc_error err;
    float buf[16] = {0};
    cc_conv2d_desc_init(&d);
    d.B = 1; d.C = 3; d.H = 4; d.W = 4; d.OC = 4; d.KH = 5; d.KW = 5;
    assert_int_equal(cc_conv2d_setup(&d, &err), CC_ESHAPE); /* kernel > input */
    assert_non_null(strstr(err.msg, "conv2d"));
    d.KH = d.KW = 3; d.groups = 2;
    assert_int_equal(cc_conv2d_setup(&d, &err), CC_ESHAPE); /* 2 does not divide 3 */
    d.groups = 1; d.B = 0;
    assert_int_equal(cc_conv2d_setup(&d, &err), CC_EINVAL);
    d.B = 1; d.stride_h = 0;
    assert_int_equal(cc_conv2d_setup(&d, &err), CC_EINVAL);
    d.stride_h = 1; d.pad_left = -1;
    assert_int_equal(cc_conv2d_setup(&d, &err), CC_EINVAL);
    d.pad_left = 0; d.H = 1L << 40;
    assert_int_equal(cc_conv2d_setup(&d, &err), CC_ERANGE);
    /* each dimension fine, the product too large */
    d.H = 1000000; d.W = 1000000; d.C = 1000; d.B = 1000;
    assert_int_equal(cc_conv2d_setup(&d, &err), CC_ERANGE);
    /* kernels refuse a descriptor that was not set up, or a missing workspace */
    cc_conv2d_desc_init(&d);
    d.B = 1; d.C = 1; d.H = 3; d.W = 3; d.OC = 1; d.KH = 2; d.KW = 2;
    assert_int_equal(cc_conv2d_forward(buf, buf, buf, NULL, &d, buf, &err), CC_EINVAL);
    assert_int_equal(cc_conv2d_setup(&d, &err), 0);
    assert_int_equal(cc_conv2d_forward(buf, buf, buf, NULL, &d, NULL, &err), CC_EINVAL);
    assert_int_equal(cc_conv2d_forward_naive(NULL, buf, buf, NULL, &d, &err), CC_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_by_hand),
        cmocka_unit_test(test_conv_fast_matches_naive),
        cmocka_unit_test(test_conv_deterministic),
        cmocka_unit_test(test_im2col_adjoint),
        cmocka_unit_test(test_conv_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
