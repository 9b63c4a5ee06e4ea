/* test_layers_golden.c - every layer against PyTorch: forward outputs, input
 * and parameter gradients, running statistics. The numbers come from
 * tests/golden/layers.txt, made by tests/golden/gen_layers.py with Debian's
 * python3-torch; this test needs no Python. Fast and naive kernels are both
 * checked. Tolerance: |ours - torch| <= 1e-5 + 1e-4 |torch| (float32
 * kernels summing in a different order). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "convcalc/layers.h"
#include "golden_data.h"

#define ATOL 1e-5
#define RTOL 1e-4

static golden_file G;

static int load(void **state)
{
    (void)state;
    return golden_load(&G, "tests/golden/layers.txt");
}

static int unload(void **state)
{
    (void)state;
    golden_free(&G);
    return 0;
}

/* The record PREFIX/NAME (must exist) as new floats; *n gets its size. */
static float *get(const char *prefix, const char *name, size_t *n)
{
    char key[200];
    snprintf(key, sizeof key, "%s/%s", prefix, name);
    const golden_rec *r = golden_find(&G, key);
    if (!r) {
        print_error("golden record %s is missing\n", key);
        fail();
    }
    float *p = calloc(r->n ? r->n : 1, sizeof(float));
    assert_non_null(p);
    for (size_t i = 0; i < r->n; i++)
        p[i] = (float)r->v[i];
    if (n)
        *n = r->n;
    return p;
}

static int has(const char *prefix, const char *name)
{
    char key[200];
    snprintf(key, sizeof key, "%s/%s", prefix, name);
    return golden_find(&G, key) != NULL;
}

/* Compare n floats with the record PREFIX/NAME. */
static void expect(const char *prefix, const char *name, const float *got, size_t n)
{
    char key[200];
    snprintf(key, sizeof key, "%s/%s", prefix, name);
    const golden_rec *r = golden_find(&G, key);
    assert_non_null(r);
    assert_int_equal(r->n, n);
    double e = golden_excess(got, r->v, n, ATOL, RTOL);
    if (!(e <= 1.0)) {
        print_error("%s: mismatch against PyTorch (excess %g)\n", key, e);
        fail();
    }
}

static float *zeros(size_t n)
{
    float *p = calloc(n ? n : 1, sizeof(float));
    assert_non_null(p);
    return p;
}

static void test_golden_conv(void **state)
{
    (void)state;
    int cases = 0;
    for (int i = 0;; i++) {
        char pre[64];
        snprintf(pre, sizeof pre, "conv/%d", i);
        if (!has(pre, "cfg"))
            break;
        float *cfg = get(pre, "cfg", NULL);
        /* B C H W OC KH KW sh sw pt pb pl pr dh dw groups bias */
        for (int fast = 0; fast < 3; fast++) { /* naive, OpenBLAS, oneDNN */
            cc_conv2d_desc d;
            cc_conv2d_desc_init(&d);
            d.B = (long)cfg[0]; d.C = (long)cfg[1]; d.H = (long)cfg[2]; d.W = (long)cfg[3];
            d.OC = (long)cfg[4]; d.KH = (long)cfg[5]; d.KW = (long)cfg[6];
            d.stride_h = (long)cfg[7]; d.stride_w = (long)cfg[8];
            d.pad_top = (long)cfg[9]; d.pad_bottom = (long)cfg[10];
            d.pad_left = (long)cfg[11]; d.pad_right = (long)cfg[12];
            d.dil_h = (long)cfg[13]; d.dil_w = (long)cfg[14]; d.groups = (long)cfg[15];
            d.threads = fast ? 2 : 1;
            d.backend = fast == 2 ? CC_CONV_ONEDNN : CC_CONV_BLAS;
            int bias = cfg[16] != 0;
            assert_int_equal(cc_conv2d_setup(&d, NULL), 0);
            if (fast == 2 && d.groups == 1)
                assert_int_equal(d.impl, CC_CONV_ONEDNN);
            size_t ni, nw, no;
            float *x = get(pre, "x", &ni), *w = get(pre, "w", &nw), *dy = get(pre, "dy", &no);
            float *b = bias ? get(pre, "b", NULL) : NULL;
            assert_int_equal(ni, cc_conv2d_inp_size(&d));
            assert_int_equal(nw, cc_conv2d_weight_size(&d));
            assert_int_equal(no, cc_conv2d_out_size(&d));
            float *y = zeros(no), *dx = zeros(ni), *dw = zeros(nw), *db = zeros(d.OC);
            float *work = zeros(cc_conv2d_workspace(&d));
            if (fast) {
                assert_int_equal(cc_conv2d_forward(y, x, w, b, &d, work, NULL), 0);
                assert_int_equal(cc_conv2d_backward(dx, dw, bias ? db : NULL, dy, x, w, &d,
                                                    work, NULL), 0);
            } else {
                assert_int_equal(cc_conv2d_forward_naive(y, x, w, b, &d, NULL), 0);
                assert_int_equal(cc_conv2d_backward_naive(dx, dw, bias ? db : NULL, dy, x, w,
                                                          &d, NULL), 0);
            }
            expect(pre, "y", y, no);
            expect(pre, "dx", dx, ni);
            expect(pre, "dw", dw, nw);
            if (bias)
                expect(pre, "db", db, (size_t)d.OC);
            free(x); free(w); free(dy); free(b); free(y); free(dx); free(dw); free(db);
            free(work);
        }
        free(cfg);
        cases++;
    }
    assert_true(cases >= 7);
}

static void test_golden_pool(void **state)
{
    (void)state;
    int cases = 0;
    for (int avg = 0; avg < 2; avg++)
        for (int i = 0;; i++) {
            char pre[64];
            snprintf(pre, sizeof pre, "%s/%d", avg ? "avgpool" : "maxpool", i);
            if (!has(pre, "cfg"))
                break;
            float *cfg = get(pre, "cfg", NULL);
            /* max: B C H W K S P dil ceil; avg: B C H W K S P ceil count_include_pad */
            cc_pool2d_desc d;
            cc_pool2d_desc_init(&d);
            d.B = (long)cfg[0]; d.C = (long)cfg[1]; d.H = (long)cfg[2]; d.W = (long)cfg[3];
            d.KH = d.KW = (long)cfg[4];
            d.stride_h = d.stride_w = (long)cfg[5];
            d.pad_top = d.pad_bottom = d.pad_left = d.pad_right = (long)cfg[6];
            if (avg) {
                d.ceil_mode = cfg[7] != 0;
                d.count_include_pad = cfg[8] != 0;
            } else {
                d.dil_h = d.dil_w = (long)cfg[7];
                d.ceil_mode = cfg[8] != 0;
            }
            assert_int_equal(cc_pool2d_setup(&d, NULL), 0);
            size_t ni, no;
            float *x = get(pre, "x", &ni), *dy = get(pre, "dy", &no);
            assert_int_equal(no, cc_pool2d_out_size(&d));
            float *y = zeros(no), *dx = zeros(ni);
            int32_t *am = calloc(no, sizeof *am);
            if (avg) {
                assert_int_equal(cc_avgpool2d_forward(y, x, &d, NULL), 0);
                assert_int_equal(cc_avgpool2d_backward(dx, dy, &d, NULL), 0);
            } else {
                assert_int_equal(cc_maxpool2d_forward(y, am, x, &d, NULL), 0);
                assert_int_equal(cc_maxpool2d_backward(dx, dy, am, &d, NULL), 0);
            }
            expect(pre, "y", y, no);
            expect(pre, "dx", dx, ni);
            free(cfg); free(x); free(dy); free(y); free(dx); free(am);
            cases++;
        }
    assert_true(cases >= 11);
    /* global average pooling */
    float *cfg = get("gap/0", "cfg", NULL);
    long B = (long)cfg[0], C = (long)cfg[1], HW = (long)cfg[2] * (long)cfg[3];
    size_t ni;
    float *x = get("gap/0", "x", &ni), *dy = get("gap/0", "dy", NULL);
    float *y = zeros((size_t)B * C), *dx = zeros(ni);
    cc_global_avgpool_forward(y, x, B, C, HW);
    cc_global_avgpool_backward(dx, dy, B, C, HW);
    expect("gap/0", "y", y, (size_t)B * C);
    expect("gap/0", "dx", dx, ni);
    free(cfg); free(x); free(dy); free(y); free(dx);
}

static void test_golden_batchnorm(void **state)
{
    (void)state;
    int cases = 0;
    for (int i = 0;; i++) {
        char pre[64];
        snprintf(pre, sizeof pre, "bn/%d", i);
        if (!has(pre, "cfg"))
            break;
        float *cfg = get(pre, "cfg", NULL);
        long B = (long)cfg[0], C = (long)cfg[1], HW = (long)cfg[2];
        int training = cfg[3] != 0;
        size_t n;
        float *x = get(pre, "x", &n), *w = get(pre, "w", NULL), *b = get(pre, "b", NULL);
        float *dy = get(pre, "dy", NULL), *rm = get(pre, "rm0", NULL), *rv = get(pre, "rv0", NULL);
        float *y = zeros(n), *dx = zeros(n), *dw = zeros(C), *db = zeros(C);
        float *mean = zeros(C), *rstd = zeros(C);
        assert_int_equal(cc_batchnorm_forward(y, mean, rstd, rm, rv, x, w, b, B, C, HW, cfg[5],
                                              cfg[4], training, NULL), 0);
        assert_int_equal(cc_batchnorm_backward(dx, dw, db, dy, x, mean, rstd, w, B, C, HW,
                                               training, NULL), 0);
        expect(pre, "y", y, n);
        expect(pre, "dx", dx, n);
        expect(pre, "dw", dw, (size_t)C);
        expect(pre, "db", db, (size_t)C);
        expect(pre, "rm", rm, (size_t)C);
        expect(pre, "rv", rv, (size_t)C);
        free(cfg); free(x); free(w); free(b); free(dy); free(rm); free(rv); free(y); free(dx);
        free(dw); free(db); free(mean); free(rstd);
        cases++;
    }
    assert_true(cases >= 4);
}

static void test_golden_activations(void **state)
{
    (void)state;
    int cases = 0;
    for (int i = 0;; i++) {
        char pre[64];
        snprintf(pre, sizeof pre, "act/%d", i);
        if (!has(pre, "cfg"))
            break;
        float *cfg = get(pre, "cfg", NULL);
        size_t n;
        float *x = get(pre, "x", &n), *dy = get(pre, "dy", NULL);
        float *y = zeros(n), *dx = zeros(n);
        float a = cfg[1];
        switch ((int)cfg[0]) {
        case 0:
            cc_relu_forward(y, x, n);
            cc_relu_backward(dx, dy, y, n);
            break;
        case 1:
            cc_leaky_relu_forward(y, x, n, a);
            cc_leaky_relu_backward(dx, dy, x, n, a);
            break;
        case 2:
            cc_elu_forward(y, x, n, a);
            cc_elu_backward(dx, dy, x, n, a);
            break;
        case 3:
            cc_sigmoid_forward(y, x, n);
            cc_sigmoid_backward(dx, dy, y, n);
            break;
        default:
            cc_tanh_forward(y, x, n);
            cc_tanh_backward(dx, dy, y, n);
            break;
        }
        expect(pre, "y", y, n);
        expect(pre, "dx", dx, n);
        free(cfg); free(x); free(dy); free(y); free(dx);
        cases++;
    }
    assert_true(cases >= 5);
}

static void test_golden_linear(void **state)
{
    (void)state;
    int cases = 0;
    for (int i = 0;; i++) {
        char pre[64];
        snprintf(pre, sizeof pre, "linear/%d", i);
        if (!has(pre, "cfg"))
            break;
        float *cfg = get(pre, "cfg", NULL);
        long B = (long)cfg[0], IN = (long)cfg[1], OUT = (long)cfg[2];
        int bias = cfg[3] != 0;
        for (int fast = 0; fast < 2; fast++) {
            float *x = get(pre, "x", NULL), *w = get(pre, "w", NULL), *dy = get(pre, "dy", NULL);
            float *b = bias ? get(pre, "b", NULL) : NULL;
            float *y = zeros((size_t)B * OUT), *dx = zeros((size_t)B * IN),
                  *dw = zeros((size_t)OUT * IN), *db = zeros(OUT);
            if (fast) {
                assert_int_equal(cc_linear_forward(y, x, w, b, B, IN, OUT, NULL), 0);
                assert_int_equal(cc_linear_backward(dx, dw, bias ? db : NULL, dy, x, w, B, IN,
                                                    OUT, NULL), 0);
            } else {
                assert_int_equal(cc_linear_forward_naive(y, x, w, b, B, IN, OUT, NULL), 0);
                assert_int_equal(cc_linear_backward_naive(dx, dw, bias ? db : NULL, dy, x, w, B,
                                                          IN, OUT, NULL), 0);
            }
            expect(pre, "y", y, (size_t)B * OUT);
            expect(pre, "dx", dx, (size_t)B * IN);
            expect(pre, "dw", dw, (size_t)OUT * IN);
            if (bias)
                expect(pre, "db", db, (size_t)OUT);
            free(x); free(w); free(dy); free(b); free(y); free(dx); free(dw); free(db);
        }
        free(cfg);
        cases++;
    }
    assert_true(cases >= 2);
}

static void test_golden_softmax_xent(void **state)
{
    (void)state;
    float *cfg = get("softmax/0", "cfg", NULL);
    size_t n;
    float *x = get("softmax/0", "x", &n), *y = zeros(n);
    cc_softmax_forward(y, x, (long)cfg[0], (long)cfg[1], (long)cfg[2]);
    expect("softmax/0", "y", y, n);
    free(cfg); free(x); free(y);
    for (int i = 0; i < 2; i++) {
        char pre[64];
        snprintf(pre, sizeof pre, "xent/%d", i);
        cfg = get(pre, "cfg", NULL);
        long B = (long)cfg[0], K = (long)cfg[1];
        float *lg = get(pre, "x", NULL), *tf = get(pre, "t", NULL);
        int32_t *t = calloc((size_t)B, sizeof *t);
        for (long b = 0; b < B; b++)
            t[b] = (int32_t)tf[b];
        float *probs = zeros((size_t)B * K), *dx = zeros((size_t)B * K), *losses = zeros(B);
        uint8_t *correct = calloc((size_t)B, 1);
        float loss;
        assert_int_equal(cc_softmax_xent_forward(&loss, probs, losses, correct, lg, t, B, K,
                                                 NULL), 0);
        cc_softmax_xent_backward(dx, probs, t, B, K, 1.0f);
        expect(pre, "loss", &loss, 1);
        expect(pre, "dx", dx, (size_t)B * K);
        double s = 0;
        for (long b = 0; b < B; b++) {
            s += losses[b];
            long am = 0;
            for (long k = 1; k < K; k++)
                if (lg[b * K + k] > lg[b * K + am])
                    am = k;
            assert_int_equal(correct[b], am == t[b]);
        }
        assert_true(fabs(s / B - loss) <= 1e-5 * (1 + fabs(loss)));
        free(cfg); free(lg); free(tf); free(t); free(probs); free(dx); free(losses);
        free(correct);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_conv),
        cmocka_unit_test(test_golden_pool),
        cmocka_unit_test(test_golden_batchnorm),
        cmocka_unit_test(test_golden_activations),
        cmocka_unit_test(test_golden_linear),
        cmocka_unit_test(test_golden_softmax_xent),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
