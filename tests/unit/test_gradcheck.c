/* test_gradcheck.c - finite-difference gradient checks for every layer and
 * every parameter: the analytic backward kernels (fast and naive) against
 * central differences of L = sum(R * forward(x)) for a random R, with L
 * summed in double. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "convcalc/layers.h"
#include "layers_testutil.h"

/* The layer under test: forward(ctx, out) computes the output from the
 * buffers ctx points at (which the checker perturbs). */
typedef void (*fwd_fn)(void *ctx, float *out);

/* Check analytic[i] = dL/dparam[i] for every i. */
static void gradcheck(const char *what, void *ctx, fwd_fn fwd, size_t nout,
                      const float *R, float *param, size_t np, const float *analytic,
                      double h, double atol, double rtol)
{
    float *out = tu_alloc(nout);
    for (size_t i = 0; i < np; i++) {
        float v = param[i];
        double L[2];
        for (int s = 0; s < 2; s++) {
            param[i] = (float)(v + (s ? -h : h));
            fwd(ctx, out);
            double sum = 0.0;
            for (size_t k = 0; k < nout; k++)
                sum += (double)R[k] * out[k];
            L[s] = sum;
        }
        param[i] = v;
        /* use the step actually taken in float */
        double hp = (double)(float)(v + h) - v, hm = v - (double)(float)(v - h);
        double num = (L[0] - L[1]) / (hp + hm);
        double err = fabs(num - analytic[i]);
        if (!(err <= atol + rtol * fabs(num))) {
            print_error("%s[%zu]: analytic %.8g, numeric %.8g\n", what, i,
                        (double)analytic[i], num);
            free(out);
            fail();
        }
    }
    free(out);
}

/* ---- conv ----------------------------------------------------------------- */
typedef struct conv_ctx {
    cc_conv2d_desc d;
    float *x, *w, *b, *work;
} conv_ctx;

static void conv_fwd(void *p, float *out)
{
    conv_ctx *c = p;
    assert_int_equal(cc_conv2d_forward_naive(out, c->x, c->w, c->b, &c->d, NULL), 0);
}

static void check_conv(long B, long C, long H, long W, long OC, long KH, long KW, long sh,
                       long sw, long pt, long pb, long pl, long pr, long dh, long dw, long G,
                       int bias, int fast)
{
    cc_rng r;
    cc_rng_seed(&r, 99);
    conv_ctx c;
    cc_conv2d_desc_init(&c.d);
    c.d.B = B; c.d.C = C; c.d.H = H; c.d.W = W; c.d.OC = OC; c.d.KH = KH; c.d.KW = KW;
    c.d.stride_h = sh; c.d.stride_w = sw; c.d.pad_top = pt; c.d.pad_bottom = pb;
    c.d.pad_left = pl; c.d.pad_right = pr; c.d.dil_h = dh; c.d.dil_w = dw; c.d.groups = G;
    c.d.threads = fast ? 2 : 1;
    c.d.backend = fast == 2 ? CC_CONV_ONEDNN : CC_CONV_BLAS; /* fast 0: naive */
    assert_int_equal(cc_conv2d_setup(&c.d, NULL), 0);
    if (fast == 2 && G == 1)
        assert_int_equal(c.d.impl, CC_CONV_ONEDNN);
    size_t ni = cc_conv2d_inp_size(&c.d), no = cc_conv2d_out_size(&c.d),
           nw = cc_conv2d_weight_size(&c.d);
    c.x = tu_alloc(ni); c.w = tu_alloc(nw); c.b = bias ? tu_alloc(OC) : NULL;
    c.work = tu_alloc(cc_conv2d_workspace(&c.d));
    float *R = tu_alloc(no), *dx = tu_alloc(ni), *dw_ = tu_alloc(nw), *db = tu_alloc(OC);
    tu_fill(c.x, ni, &r, -1, 1);
    tu_fill(c.w, nw, &r, -1, 1);
    if (bias)
        tu_fill(c.b, OC, &r, -1, 1);
    tu_fill(R, no, &r, -1, 1);
    if (fast)
        assert_int_equal(cc_conv2d_backward(dx, dw_, bias ? db : NULL, R, c.x, c.w, &c.d,
                                            c.work, NULL), 0);
    else
        assert_int_equal(cc_conv2d_backward_naive(dx, dw_, bias ? db : NULL, R, c.x, c.w,
                                                  &c.d, NULL), 0);
    gradcheck("conv dinp", &c, conv_fwd, no, R, c.x, ni, dx, 1e-2, 2e-3, 2e-3);
    gradcheck("conv dweight", &c, conv_fwd, no, R, c.w, nw, dw_, 1e-2, 2e-3, 2e-3);
    if (bias)
        gradcheck("conv dbias", &c, conv_fwd, no, R, c.b, OC, db, 1e-2, 2e-3, 2e-3);
    free(c.x); free(c.w); free(c.b); free(c.work); free(R); free(dx); free(dw_); free(db);
}

static void test_grad_conv(void **state)
{
    (void)state;
    for (int fast = 0; fast < 3; fast++) { /* naive, OpenBLAS, oneDNN */
        check_conv(2, 2, 5, 4, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, fast);
        /* enough input channels for oneDNN's own backward-data */
        check_conv(2, 16, 4, 3, 3, 3, 2, 1, 2, 1, 0, 1, 1, 1, 1, 1, 1, fast);
        check_conv(2, 4, 6, 5, 4, 2, 3, 2, 1, 0, 1, 2, 0, 1, 2, 2, 1, fast); /* asym, groups */
        check_conv(3, 2, 4, 4, 2, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, fast); /* 1x1 no bias */
        check_conv(1, 3, 7, 7, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 3, 1, fast); /* depthwise dil */
    }
}

/* ---- pooling -------------------------------------------------------------- */
typedef struct pool_ctx {
    cc_pool2d_desc d;
    float *x;
    int32_t *am;
    int avg;
} pool_ctx;

static void pool_fwd(void *p, float *out)
{
    pool_ctx *c = p;
    if (c->avg)
        assert_int_equal(cc_avgpool2d_forward(out, c->x, &c->d, NULL), 0);
    else
        assert_int_equal(cc_maxpool2d_forward(out, c->am, c->x, &c->d, NULL), 0);
}

static void check_pool(int avg, long H, long W, long K, long S, long P, long dil, int ceil,
                       int incl)
{
    cc_rng r;
    cc_rng_seed(&r, 5);
    pool_ctx c = {.avg = avg};
    cc_pool2d_desc_init(&c.d);
    c.d.B = 2; c.d.C = 2; c.d.H = H; c.d.W = W; c.d.KH = c.d.KW = K;
    c.d.stride_h = c.d.stride_w = S;
    c.d.pad_top = c.d.pad_bottom = c.d.pad_left = c.d.pad_right = P;
    c.d.dil_h = c.d.dil_w = dil; c.d.ceil_mode = ceil; c.d.count_include_pad = incl;
    assert_int_equal(cc_pool2d_setup(&c.d, NULL), 0);
    size_t ni = (size_t)2 * 2 * H * W, no = cc_pool2d_out_size(&c.d);
    c.x = tu_alloc(ni);
    c.am = calloc(no, sizeof(int32_t));
    /* distinct values at least 0.05 apart, so no window has a near tie */
    for (size_t i = 0; i < ni; i++)
        c.x[i] = 0.05f * (float)i;
    for (size_t i = ni - 1; i > 0; i--) {
        size_t j = cc_rng_below(&r, i + 1);
        float t = c.x[i]; c.x[i] = c.x[j]; c.x[j] = t;
    }
    float *R = tu_alloc(no), *dx = tu_alloc(ni), *out = tu_alloc(no);
    tu_fill(R, no, &r, -1, 1);
    pool_fwd(&c, out);
    if (avg)
        assert_int_equal(cc_avgpool2d_backward(dx, R, &c.d, NULL), 0);
    else
        assert_int_equal(cc_maxpool2d_backward(dx, R, c.am, &c.d, NULL), 0);
    gradcheck(avg ? "avgpool dinp" : "maxpool dinp", &c, pool_fwd, no, R, c.x, ni, dx, 1e-3,
              2e-3, 2e-3);
    free(c.x); free(c.am); free(R); free(dx); free(out);
}

static void test_grad_pool(void **state)
{
    (void)state;
    check_pool(0, 6, 5, 2, 2, 0, 1, 0, 1);
    check_pool(0, 7, 7, 3, 2, 1, 1, 1, 1);
    check_pool(0, 7, 6, 2, 1, 1, 2, 0, 1); /* dilation, overlapping */
    check_pool(1, 6, 5, 2, 2, 0, 1, 0, 1);
    check_pool(1, 7, 7, 3, 2, 1, 1, 1, 1);
    check_pool(1, 7, 7, 3, 2, 1, 1, 1, 0);
    check_pool(1, 5, 6, 3, 3, 1, 1, 1, 0);
}

typedef struct gap_ctx {
    float *x;
} gap_ctx;

static void gap_fwd(void *p, float *out)
{
    cc_global_avgpool_forward(out, ((gap_ctx *)p)->x, 2, 3, 10);
}

static void test_grad_global_avgpool(void **state)
{
    (void)state;
    cc_rng r;
    cc_rng_seed(&r, 6);
    gap_ctx c = {tu_alloc(60)};
    float *R = tu_alloc(6), *dx = tu_alloc(60);
    tu_fill(c.x, 60, &r, -1, 1);
    tu_fill(R, 6, &r, -1, 1);
    cc_global_avgpool_backward(dx, R, 2, 3, 10);
    gradcheck("gap dinp", &c, gap_fwd, 6, R, c.x, 60, dx, 1e-2, 1e-4, 1e-3);
    free(c.x); free(R); free(dx);
}

/* ---- batchnorm ------------------------------------------------------------ */
typedef struct bn_ctx {
    float *x, *w, *b, *mean, *rstd, *rm, *rv;
    long B, C, HW;
    int training;
} bn_ctx;

static void bn_fwd(void *p, float *out)
{
    bn_ctx *c = p;
    assert_int_equal(cc_batchnorm_forward(out, c->mean, c->rstd, c->training ? NULL : c->rm,
                                          c->training ? NULL : c->rv, c->x, c->w, c->b, c->B,
                                          c->C, c->HW, 1e-5f, 0.1f, c->training, NULL), 0);
}

static void check_bn(long B, long C, long HW, int training, int affine)
{
    cc_rng r;
    cc_rng_seed(&r, 8);
    bn_ctx c = {.B = B, .C = C, .HW = HW, .training = training};
    size_t n = (size_t)B * C * HW;
    c.x = tu_alloc(n); c.mean = tu_alloc(C); c.rstd = tu_alloc(C);
    c.rm = tu_alloc(C); c.rv = tu_alloc(C);
    c.w = affine ? tu_alloc(C) : NULL;
    c.b = affine ? tu_alloc(C) : NULL;
    tu_fill(c.x, n, &r, -2, 2);
    tu_fill(c.rm, C, &r, -0.5f, 0.5f);
    tu_fill(c.rv, C, &r, 0.5f, 2);
    if (affine) {
        tu_fill(c.w, C, &r, 0.5f, 1.5f);
        tu_fill(c.b, C, &r, -1, 1);
    }
    float *R = tu_alloc(n), *dx = tu_alloc(n), *dw = tu_alloc(C), *db = tu_alloc(C),
          *out = tu_alloc(n);
    tu_fill(R, n, &r, -1, 1);
    bn_fwd(&c, out);
    assert_int_equal(cc_batchnorm_backward(dx, affine ? dw : NULL, affine ? db : NULL, R, c.x,
                                           c.mean, c.rstd, c.w, B, C, HW, training, NULL), 0);
    gradcheck("bn dinp", &c, bn_fwd, n, R, c.x, n, dx, 1e-2, 3e-3, 3e-3);
    if (affine) {
        gradcheck("bn dweight", &c, bn_fwd, n, R, c.w, C, dw, 1e-2, 3e-3, 3e-3);
        gradcheck("bn dbias", &c, bn_fwd, n, R, c.b, C, db, 1e-2, 3e-3, 3e-3);
    }
    free(c.x); free(c.mean); free(c.rstd); free(c.rm); free(c.rv); free(c.w); free(c.b);
    free(R); free(dx); free(dw); free(db); free(out);
}

static void test_grad_batchnorm(void **state)
{
    (void)state;
    check_bn(4, 3, 5, 1, 1); /* 2d, training */
    check_bn(4, 3, 5, 0, 1); /* 2d, eval */
    check_bn(6, 4, 1, 1, 1); /* 1d (N, C) */
    check_bn(3, 2, 4, 1, 0); /* no affine */
}

/* ---- elementwise ---------------------------------------------------------- */
enum { ACT_RELU, ACT_LEAKY, ACT_ELU, ACT_SIGMOID, ACT_TANH, ACT_COUNT };
typedef struct act_ctx {
    float *x;
    size_t n;
    int kind;
} act_ctx;

static void act_fwd(void *p, float *out)
{
    act_ctx *c = p;
    switch (c->kind) {
    case ACT_RELU: cc_relu_forward(out, c->x, c->n); break;
    case ACT_LEAKY: cc_leaky_relu_forward(out, c->x, c->n, 0.1f); break;
    case ACT_ELU: cc_elu_forward(out, c->x, c->n, 0.7f); break;
    case ACT_SIGMOID: cc_sigmoid_forward(out, c->x, c->n); break;
    default: cc_tanh_forward(out, c->x, c->n); break;
    }
}

static void test_grad_activations(void **state)
{
    (void)state;
    static const char *names[] = {"relu", "leaky_relu", "elu", "sigmoid", "tanh"};
    cc_rng r;
    cc_rng_seed(&r, 11);
    const size_t n = 40;
    for (int k = 0; k < ACT_COUNT; k++) {
        act_ctx c = {tu_alloc(n), n, k};
        float *R = tu_alloc(n), *dx = tu_alloc(n), *out = tu_alloc(n);
        tu_fill(c.x, n, &r, -3, 3);
        for (size_t i = 0; i < n; i++) /* keep away from the kink at 0 */
            if (fabsf(c.x[i]) < 0.05f)
                c.x[i] = 0.5f;
        tu_fill(R, n, &r, -1, 1);
        act_fwd(&c, out);
        switch (k) {
        case ACT_RELU: cc_relu_backward(dx, R, out, n); break;
        case ACT_LEAKY: cc_leaky_relu_backward(dx, R, c.x, n, 0.1f); break;
        case ACT_ELU: cc_elu_backward(dx, R, c.x, n, 0.7f); break;
        case ACT_SIGMOID: cc_sigmoid_backward(dx, R, out, n); break;
        default: cc_tanh_backward(dx, R, out, n); break;
        }
        gradcheck(names[k], &c, act_fwd, n, R, c.x, n, dx, 1e-3, 1e-3, 1e-3);
        free(c.x); free(R); free(dx); free(out);
    }
}

typedef struct drop_ctx {
    float *x, *mask;
    size_t n;
} drop_ctx;

static void drop_fwd(void *p, float *out)
{
    drop_ctx *c = p;
    cc_rng r;
    cc_rng_seed(&r, 1234); /* the same mask every time */
    assert_int_equal(cc_dropout_forward(out, c->mask, c->x, c->n, 0.3f, 1, &r, NULL), 0);
}

typedef struct add_ctx {
    float *a, *b;
    size_t n;
} add_ctx;

static void add_fwd(void *p, float *out)
{
    add_ctx *c = p;
    cc_add_forward(out, c->a, c->b, c->n);
}

static void flat_fwd(void *p, float *out)
{
    add_ctx *c = p;
    cc_flatten_forward(out, c->a, c->n);
}

static void test_grad_dropout_add_flatten(void **state)
{
    (void)state;
    cc_rng r;
    cc_rng_seed(&r, 12);
    const size_t n = 50;
    drop_ctx c = {tu_alloc(n), tu_alloc(n), n};
    float *R = tu_alloc(n), *dx = tu_alloc(n), *out = tu_alloc(n), *db = tu_alloc(n);
    tu_fill(c.x, n, &r, -1, 1);
    tu_fill(R, n, &r, -1, 1);
    drop_fwd(&c, out);
    cc_dropout_backward(dx, R, c.mask, n);
    gradcheck("dropout", &c, drop_fwd, n, R, c.x, n, dx, 1e-2, 1e-3, 1e-3);

    add_ctx a = {c.x, tu_alloc(n), n};
    tu_fill(a.b, n, &r, -1, 1);
    memset(dx, 0, n * sizeof(float));
    cc_add_backward(dx, db, R, n);
    gradcheck("add da", &a, add_fwd, n, R, a.a, n, dx, 1e-2, 1e-4, 1e-3);
    gradcheck("add db", &a, add_fwd, n, R, a.b, n, db, 1e-2, 1e-4, 1e-3);
    memset(dx, 0, n * sizeof(float));
    cc_flatten_backward(dx, R, n);
    gradcheck("flatten", &a, flat_fwd, n, R, a.a, n, dx, 1e-2, 1e-4, 1e-3);
    free(c.x); free(c.mask); free(R); free(dx); free(out); free(db); free(a.b);
}

/* ---- linear and the loss -------------------------------------------------- */
typedef struct lin_ctx {
    float *x, *w, *b;
    long B, IN, OUT;
    int fast;
} lin_ctx;

static void lin_fwd(void *p, float *out)
{
    lin_ctx *c = p;
    if (c->fast)
        assert_int_equal(cc_linear_forward(out, c->x, c->w, c->b, c->B, c->IN, c->OUT, NULL), 0);
    else
        assert_int_equal(cc_linear_forward_naive(out, c->x, c->w, c->b, c->B, c->IN, c->OUT,
                                                 NULL), 0);
}

static void test_grad_linear(void **state)
{
    (void)state;
    cc_rng r;
    cc_rng_seed(&r, 13);
    for (int fast = 0; fast < 2; fast++) {
        lin_ctx c = {tu_alloc(3 * 7), tu_alloc(5 * 7), tu_alloc(5), 3, 7, 5, fast};
        float *R = tu_alloc(15), *dx = tu_alloc(21), *dw = tu_alloc(35), *db = tu_alloc(5);
        tu_fill(c.x, 21, &r, -1, 1);
        tu_fill(c.w, 35, &r, -1, 1);
        tu_fill(c.b, 5, &r, -1, 1);
        tu_fill(R, 15, &r, -1, 1);
        if (fast)
            assert_int_equal(cc_linear_backward(dx, dw, db, R, c.x, c.w, 3, 7, 5, NULL), 0);
        else
            assert_int_equal(cc_linear_backward_naive(dx, dw, db, R, c.x, c.w, 3, 7, 5, NULL), 0);
        gradcheck("linear dinp", &c, lin_fwd, 15, R, c.x, 21, dx, 1e-2, 1e-3, 1e-3);
        gradcheck("linear dweight", &c, lin_fwd, 15, R, c.w, 35, dw, 1e-2, 1e-3, 1e-3);
        gradcheck("linear dbias", &c, lin_fwd, 15, R, c.b, 5, db, 1e-2, 1e-3, 1e-3);
        free(c.x); free(c.w); free(c.b); free(R); free(dx); free(dw); free(db);
    }
}

typedef struct xent_ctx {
    float *logits, *probs;
    int32_t *t;
    long B, K;
} xent_ctx;

static void xent_fwd(void *p, float *out)
{
    xent_ctx *c = p;
    assert_int_equal(cc_softmax_xent_forward(out, c->probs, NULL, NULL, c->logits, c->t, c->B,
                                             c->K, NULL), 0);
}

static void test_grad_softmax_xent(void **state)
{
    (void)state;
    cc_rng r;
    cc_rng_seed(&r, 14);
    int32_t t[4] = {0, 3, 2, 3};
    xent_ctx c = {tu_alloc(16), tu_alloc(16), t, 4, 4};
    float one = 1.0f, loss, *dl = tu_alloc(16);
    tu_fill(c.logits, 16, &r, -3, 3);
    xent_fwd(&c, &loss);
    cc_softmax_xent_backward(dl, c.probs, t, 4, 4, 1.0f);
    gradcheck("xent dlogits", &c, xent_fwd, 1, &one, c.logits, 16, dl, 1e-2, 1e-4, 2e-3);
    free(c.logits); free(c.probs); free(dl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grad_conv),
        cmocka_unit_test(test_grad_pool),
        cmocka_unit_test(test_grad_global_avgpool),
        cmocka_unit_test(test_grad_batchnorm),
        cmocka_unit_test(test_grad_activations),
        cmocka_unit_test(test_grad_dropout_add_flatten),
        cmocka_unit_test(test_grad_linear),
        cmocka_unit_test(test_grad_softmax_xent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
