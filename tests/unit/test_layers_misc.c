/* test_layers_misc.c - behaviour the goldens do not cover: dropout
 * statistics and determinism, numerically hostile losses, in-place
 * activations, NaN in pooling, and bad input for every kernel that can
 * fail (an error code and message, never an abort). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "convcalc/layers.h"
#include "layers_testutil.h"

static void test_dropout(void **state)
{
    (void)state;
    const size_t n = 20000;
    float *x = tu_alloc(n), *y = tu_alloc(n), *m = tu_alloc(n), *y2 = tu_alloc(n),
          *m2 = tu_alloc(n), *dx = tu_alloc(n);
    for (size_t i = 0; i < n; i++)
        x[i] = 1.0f + (float)(i % 7);
    cc_rng r, r2;
    cc_rng_seed(&r, 77);
    cc_rng_seed(&r2, 77);
    assert_int_equal(cc_dropout_forward(y, m, x, n, 0.25f, 1, &r, NULL), 0);
    assert_int_equal(cc_dropout_forward(y2, m2, x, n, 0.25f, 1, &r2, NULL), 0);
    assert_memory_equal(y, y2, n * sizeof(float)); /* same seed, same mask */
    size_t kept = 0;
    double sum_x = 0, sum_y = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(m[i] == 0.0f || fabsf(m[i] - 1.0f / 0.75f) < 1e-6f);
        assert_true(y[i] == x[i] * m[i]);
        kept += m[i] != 0.0f;
        sum_x += x[i];
        sum_y += y[i];
    }
    /* about 75% kept (binomial sd ~ 0.3%), and the expectation is preserved */
    assert_true(kept > n * 0.73 && kept < n * 0.77);
    assert_true(fabs(sum_y / sum_x - 1.0) < 0.03);
    /* the generator advanced: a second draw differs */
    assert_int_equal(cc_dropout_forward(y2, m2, x, n, 0.25f, 1, &r, NULL), 0);
    assert_memory_not_equal(m, m2, n * sizeof(float));
    cc_dropout_backward(dx, x, m, n);
    for (size_t i = 0; i < n; i++)
        assert_true(dx[i] == x[i] * m[i]);
    /* eval: identity, no generator needed */
    assert_int_equal(cc_dropout_forward(y, m, x, n, 0.5f, 0, NULL, NULL), 0);
    assert_memory_equal(y, x, n * sizeof(float));
    /* p = 1 drops everything */
    assert_int_equal(cc_dropout_forward(y, m, x, n, 1.0f, 1, &r, NULL), 0);
    for (size_t i = 0; i < n; i++)
        assert_true(y[i] == 0.0f);
    cc_error err;
    assert_int_equal(cc_dropout_forward(y, m, x, n, 1.5f, 1, &r, &err), CC_EINVAL);
    assert_int_equal(cc_dropout_forward(y, m, x, n, NAN, 1, &r, &err), CC_EINVAL);
    assert_int_equal(cc_dropout_forward(y, m, x, n, 0.5f, 1, NULL, &err), CC_EINVAL);
    free(x); free(y); free(m); free(y2); free(m2); free(dx);
}

static void test_xent_hostile(void **state)
{
    (void)state;
    float probs[6], loss, losses[2];
    uint8_t correct[2];
    int32_t t[2] = {0, 2};
    cc_error err;
    /* huge logits: stable, exact answers */
    float big[6] = {1e30f, 0.0f, -1e30f, 1000.0f, -1000.0f, 1000.0f};
    assert_int_equal(cc_softmax_xent_forward(&loss, probs, losses, correct, big, t, 2, 3, &err), 0);
    assert_true(isfinite(loss));
    assert_float_equal(losses[0], 0.0f, 0.0f);
    assert_float_equal(losses[1], logf(2.0f), 1e-6f);
    assert_int_equal(correct[0], 1);
    assert_int_equal(correct[1], 0); /* tie: the lowest index wins */
    /* the loss itself overflows: an error, not inf */
    float worse[6] = {3e38f, 0.0f, -3e38f, 3e38f, 0.0f, -3e38f};
    int32_t t22[2] = {2, 2};
    assert_int_equal(cc_softmax_xent_forward(&loss, probs, NULL, NULL, worse, t22, 2, 3, &err),
                     CC_ENUMERIC);
    assert_non_null(strstr(err.msg, "not finite"));
    float nan_[6] = {0, NAN, 0, 0, 0, 0};
    assert_int_equal(cc_softmax_xent_forward(&loss, probs, NULL, NULL, nan_, t, 2, 3, &err),
                     CC_ENUMERIC);
    float inf_[6] = {0, 0, 0, INFINITY, 0, 0};
    assert_int_equal(cc_softmax_xent_forward(&loss, probs, NULL, NULL, inf_, t, 2, 3, &err),
                     CC_ENUMERIC);
    int32_t bad_t[2] = {0, 3};
    float ok[6] = {0};
    assert_int_equal(cc_softmax_xent_forward(&loss, probs, NULL, NULL, ok, bad_t, 2, 3, &err),
                     CC_EINVAL);
    assert_non_null(strstr(err.msg, "target 3"));
    bad_t[1] = -1;
    assert_int_equal(cc_softmax_xent_forward(&loss, probs, NULL, NULL, ok, bad_t, 2, 3, &err),
                     CC_EINVAL);
    assert_int_equal(cc_softmax_xent_forward(&loss, probs, NULL, NULL, ok, t, 0, 3, &err),
                     CC_EINVAL);
    assert_int_equal(cc_softmax_xent_forward(&loss, probs, NULL, NULL, ok, t, 1L << 40,
                                             1L << 40, &err), CC_ERANGE);
    /* softmax of huge values */
    float sm[3];
    cc_softmax_forward(sm, big, 1, 3, 1);
    assert_float_equal(sm[0], 1.0f, 0.0f);
    assert_float_equal(sm[2], 0.0f, 0.0f);
}

static void test_activations_in_place_and_extremes(void **state)
{
    (void)state;
    float x[6] = {-100.0f, -1.0f, 0.0f, 0.5f, 100.0f, -0.0f};
    float y[6];
    cc_sigmoid_forward(y, x, 6);
    assert_float_equal(y[0], 0.0f, 1e-30f);
    assert_float_equal(y[4], 1.0f, 0.0f);
    assert_false(isnan(y[0]));
    cc_elu_forward(y, x, 6, 1.0f);
    assert_float_equal(y[0], -1.0f, 0.0f);
    float z[6];
    memcpy(z, x, sizeof z);
    cc_relu_forward(z, z, 6); /* in place */
    assert_float_equal(z[0], 0.0f, 0.0f);
    assert_float_equal(z[3], 0.5f, 0.0f);
    float d[6] = {0}, g[6] = {1, 1, 1, 1, 1, 1};
    cc_relu_backward(d, g, z, 6); /* from the output: works after in place */
    assert_float_equal(d[0], 0.0f, 0.0f);
    assert_float_equal(d[2], 0.0f, 0.0f); /* PyTorch: gradient 0 at 0 */
    assert_float_equal(d[3], 1.0f, 0.0f);
    cc_relu_backward(d, g, z, 6); /* accumulates */
    assert_float_equal(d[3], 2.0f, 0.0f);
    /* NaN passes through (torch.relu), in the vector body and the tail */
    float nx[7] = {NAN, -1, 2, -INFINITY, INFINITY, -2, NAN}, ny[7];
    cc_relu_forward(ny, nx, 7);
    assert_true(isnan(ny[0]) && isnan(ny[6]));
    assert_float_equal(ny[1], 0.0f, 0.0f);
    assert_float_equal(ny[2], 2.0f, 0.0f);
    assert_float_equal(ny[3], 0.0f, 0.0f);
    assert_true(isinf(ny[4]));
}

static void test_pool_nan_and_bad_input(void **state)
{
    (void)state;
    cc_pool2d_desc d;
    cc_error err;
    cc_pool2d_desc_init(&d);
    d.B = 1; d.C = 1; d.H = 2; d.W = 2;
    assert_int_equal(cc_pool2d_setup(&d, &err), 0);
    float x[4] = {1, NAN, 3, 2}, y[1], dx[4] = {0}, g[1] = {1};
    int32_t am[1];
    assert_int_equal(cc_maxpool2d_forward(y, am, x, &d, &err), 0);
    assert_true(isnan(y[0])); /* NaN propagates as in PyTorch */
    assert_int_equal(am[0], 1);
    assert_int_equal(cc_maxpool2d_backward(dx, g, am, &d, &err), 0);
    assert_float_equal(dx[1], 1.0f, 0.0f);
    /* a window of -inf still has a maximum (the first), as in PyTorch */
    float ninf[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
    assert_int_equal(cc_maxpool2d_forward(y, am, ninf, &d, &err), 0);
    assert_true(isinf(y[0]) && y[0] < 0);
    assert_int_equal(am[0], 0);
    /* a NaN later in the window wins */
    float late[4] = {1, 2, 3, NAN};
    assert_int_equal(cc_maxpool2d_forward(y, am, late, &d, &err), 0);
    assert_true(isnan(y[0]));
    assert_int_equal(am[0], 3);
    /* ties: the first maximum wins */
    float tie[4] = {0, 5, 5, 1};
    assert_int_equal(cc_maxpool2d_forward(y, am, tie, &d, &err), 0);
    assert_int_equal(am[0], 1);
    d.KH = d.KW = 3; d.stride_h = d.stride_w = 1;
    assert_int_equal(cc_pool2d_setup(&d, &err), CC_ESHAPE); /* window > input */
    assert_non_null(strstr(err.msg, "pool2d"));
    assert_int_equal(cc_maxpool2d_forward(y, am, x, &d, &err), CC_EINVAL); /* not ready */
    d.KH = d.KW = 2; d.pad_top = 2;
    assert_int_equal(cc_pool2d_setup(&d, &err), CC_EINVAL); /* pad > half */
    d.pad_top = 0; d.stride_w = 0;
    assert_int_equal(cc_pool2d_setup(&d, &err), CC_EINVAL);
    d.stride_w = 1; d.B = 0;
    assert_int_equal(cc_pool2d_setup(&d, &err), CC_EINVAL);
    d.B = 1000000000; d.C = 1000000000; d.H = 1000; d.W = 1000;
    assert_int_equal(cc_pool2d_setup(&d, &err), CC_ERANGE);
    d.B = 1; d.C = 1; d.H = 1L << 40;
    assert_int_equal(cc_pool2d_setup(&d, &err), CC_ERANGE);
    /* average pooling has no dilation */
    cc_pool2d_desc_init(&d);
    d.B = 1; d.C = 1; d.H = 5; d.W = 5; d.dil_h = 2;
    assert_int_equal(cc_pool2d_setup(&d, &err), 0);
    float big[25] = {0}, out[4];
    assert_int_equal(cc_avgpool2d_forward(out, big, &d, &err), CC_EINVAL);
}

static void test_batchnorm_bad_input(void **state)
{
    (void)state;
    float x[6] = {1, 2, 3, 4, 5, 6}, y[6], mean[3], rstd[3], rm[3] = {0}, rv[3] = {1, 1, 1};
    cc_error err;
    /* one value per channel cannot be normalised in training */
    assert_int_equal(cc_batchnorm_forward(y, mean, rstd, rm, rv, x, NULL, NULL, 1, 3, 1, 1e-5f,
                                          0.1f, 1, &err), CC_ESHAPE);
    /* ... but can in eval mode */
    assert_int_equal(cc_batchnorm_forward(y, mean, rstd, rm, rv, x, NULL, NULL, 1, 3, 1, 1e-5f,
                                          0.1f, 0, &err), 0);
    assert_float_equal(y[0], 1.0f / sqrtf(1.0f + 1e-5f), 1e-6f);
    assert_int_equal(cc_batchnorm_forward(y, mean, rstd, NULL, NULL, x, NULL, NULL, 2, 3, 1,
                                          1e-5f, 0.1f, 0, &err), CC_EINVAL);
    assert_int_equal(cc_batchnorm_forward(y, mean, rstd, rm, rv, x, NULL, NULL, 2, 3, 1, 0.0f,
                                          0.1f, 1, &err), CC_EINVAL);
    assert_int_equal(cc_batchnorm_forward(y, mean, rstd, rm, rv, x, NULL, NULL, 2, 3, 1, 1e-5f,
                                          1.5f, 1, &err), CC_EINVAL);
    x[2] = NAN;
    assert_int_equal(cc_batchnorm_forward(y, mean, rstd, rm, rv, x, NULL, NULL, 2, 3, 1, 1e-5f,
                                          0.1f, 1, &err), CC_ENUMERIC);
    float nrv[3] = {-5, 1, 1};
    x[2] = 3;
    assert_int_equal(cc_batchnorm_forward(y, mean, rstd, rm, nrv, x, NULL, NULL, 2, 3, 1, 1e-5f,
                                          0.1f, 0, &err), CC_ENUMERIC);
    assert_int_equal(cc_batchnorm_forward(y, mean, rstd, rm, rv, x, NULL, NULL, 1L << 40, 1L << 40,
                                          1, 1e-5f, 0.1f, 1, &err), CC_ERANGE);
    /* momentum 0 leaves the running statistics alone, 1 replaces them */
    float rm2[3] = {7, 7, 7}, rv2[3] = {7, 7, 7};
    assert_int_equal(cc_batchnorm_forward(y, mean, rstd, rm2, rv2, x, NULL, NULL, 2, 3, 1,
                                          1e-5f, 0.0f, 1, &err), 0);
    assert_float_equal(rm2[0], 7.0f, 0.0f);
    assert_int_equal(cc_batchnorm_forward(y, mean, rstd, rm2, rv2, x, NULL, NULL, 2, 3, 1,
                                          1e-5f, 1.0f, 1, &err), 0);
    assert_float_equal(rm2[0], 2.5f, 1e-6f);  /* mean of 1 and 4 */
    assert_float_equal(rv2[0], 4.5f, 1e-5f);  /* unbiased: ((1.5^2)*2)/1 */
}

static void test_linear_bad_input(void **state)
{
    (void)state;
    float a[4] = {0};
    cc_error err;
    assert_int_equal(cc_linear_forward(a, a, a, NULL, 0, 2, 2, &err), CC_EINVAL);
    assert_int_equal(cc_linear_forward(a, a, a, NULL, 1L << 40, 2, 2, &err), CC_ERANGE);
    assert_int_equal(cc_linear_forward(a, a, a, NULL, 1000000, 1000000, 1000000, &err), CC_ERANGE);
    assert_int_equal(cc_linear_backward(a, a, a, NULL, a, a, 1, 2, 2, &err), CC_EINVAL);
    assert_int_equal(cc_linear_forward_naive(NULL, a, a, NULL, 1, 2, 2, &err), CC_EINVAL);
    /* fast and naive agree on a bigger case, gradients accumulate */
    cc_rng r;
    cc_rng_seed(&r, 1);
    long B = 9, IN = 33, OUT = 17;
    float *x = tu_alloc(B * IN), *w = tu_alloc(OUT * IN), *b = tu_alloc(OUT);
    float *y1 = tu_alloc(B * OUT), *y2 = tu_alloc(B * OUT);
    tu_fill(x, B * IN, &r, -1, 1);
    tu_fill(w, OUT * IN, &r, -1, 1);
    tu_fill(b, OUT, &r, -1, 1);
    assert_int_equal(cc_linear_forward(y1, x, w, b, B, IN, OUT, NULL), 0);
    assert_int_equal(cc_linear_forward_naive(y2, x, w, b, B, IN, OUT, NULL), 0);
    tu_assert_close(y1, y2, (size_t)(B * OUT), 1e-5, 1e-5);
    free(x); free(w); free(b); free(y1); free(y2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dropout),
        cmocka_unit_test(test_xent_hostile),
        cmocka_unit_test(test_activations_in_place_and_extremes),
        cmocka_unit_test(test_pool_nan_and_bad_input),
        cmocka_unit_test(test_batchnorm_bad_input),
        cmocka_unit_test(test_linear_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
