/* test_net_graph.c - networks as graphs: residual adds, squeeze-excitation
 * products, concatenations, constants, and every newer layer (clip,
 * hardsigmoid, hardswish, SiLU, GELU, softplus, SELU, PReLU, softmax and
 * log-softmax inside a network, upsampling, padding, reshape, transposed
 * convolution; channel split and shuffle, adaptive average pooling,
 * layernorm over the channels, per-channel scale), each checked against
 * central finite differences of
 * L = sum(R * output) for the input and every parameter, with the fused
 * fast paths on and off; forward values against direct formulas; and bad
 * graphs (a later layer as input, shapes that do not combine) as errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/net.h"
#include "convcalc/rng.h"

static double objective(cc_net *net, const float *x, long B, const float *R)
{
    cc_error err;
    if (cc_net_forward(net, x, B, &err))
        fail_msg("%s", err.msg);
    long b, k;
    const float *o = cc_net_output(net, &b, &k);
    double s = 0.0;
    for (long i = 0; i < b * k; i++)
        s += (double)R[i] * o[i];
    return s;
}

static void check_one(const char *what, size_t idx, double analytic, double num)
{
    double e = fabs(analytic - num);
    if (!(e <= 3e-3 + 3e-2 * fabs(num)))
        fail_msg("%s[%zu]: analytic %.7g, numeric %.7g", what, idx, analytic, num);
}

/* Finite-difference check of the input and every parameter (a stride
 * through the larger ones keeps it fast). */
static void gradcheck_net(const cc_layer_desc *L, size_t n, long c, long h, long w, long B,
                          int fast, void (*setup)(cc_net *))
{
    cc_error err;
    cc_net *net;
    if (cc_net_new(&net, L, n, c, h, w, 7, &err))
        fail_msg("%s", err.msg);
    cc_net_set_train(net, 0);
    cc_net_set_fast(net, fast);
    cc_net_want_dinput(net, 1);
    if (setup)
        setup(net);
    size_t in_n = (size_t)c * (h ? h : 1) * (w ? w : 1) * B;
    cc_rng r;
    cc_rng_seed(&r, 12);
    float *x = malloc(in_n * sizeof(float));
    for (size_t i = 0; i < in_n; i++)
        x[i] = cc_rng_normalf(&r, 0.0f, 1.0f);
    long K = cc_net_classes(net);
    float *R = malloc((size_t)(B * K) * sizeof(float));
    for (long i = 0; i < B * K; i++)
        R[i] = cc_rng_normalf(&r, 0.0f, 1.0f);
    objective(net, x, B, R);
    cc_net_zero_grad(net);
    assert_int_equal(cc_net_set_doutput(net, R, &err), 0);
    if (cc_net_backward(net, &err))
        fail_msg("%s", err.msg);
    const float *dx = cc_net_dinput(net);
    assert_non_null(dx);
    float *dxa = malloc(in_n * sizeof(float));
    memcpy(dxa, dx, in_n * sizeof(float));
    const double hstep = 1e-3;
    size_t step = in_n > 64 ? in_n / 64 : 1;
    for (size_t i = 0; i < in_n; i += step) {
        float v = x[i];
        x[i] = (float)(v + hstep);
        double lp = objective(net, x, B, R);
        x[i] = (float)(v - hstep);
        double lm = objective(net, x, B, R);
        x[i] = v;
        check_one("input", i, dxa[i], (lp - lm) / (2 * hstep));
    }
    for (size_t p = 0; p < cc_net_param_count(net); p++) {
        cc_net_tensor t;
        assert_int_equal(cc_net_param(net, p, &t, &err), 0);
        size_t st = t.numel > 40 ? t.numel / 40 : 1;
        for (size_t i = 0; i < t.numel; i += st) {
            float v = t.data[i];
            t.data[i] = (float)(v + hstep);
            double lp = objective(net, x, B, R);
            t.data[i] = (float)(v - hstep);
            double lm = objective(net, x, B, R);
            t.data[i] = v;
            check_one(t.name, i, t.grad[i], (lp - lm) / (2 * hstep));
        }
    }
    free(x);
    free(R);
    free(dxa);
    cc_net_free(net);
}

static void test_residual(void **state)
{
    (void)state;
    cc_layer_desc L[] = {
        CC_CONV2D(4, 3, 1, 1), CC_RELU(), CC_CONV2D(4, 3, 1, 1), CC_ADD2(2, 1), CC_SILU(),
        CC_GELU(), CC_MAXPOOL2D(2, 2), CC_FLATTEN(), CC_LINEAR(3)};
    for (int f = 0; f < 2; f++)
        gradcheck_net(L, sizeof L / sizeof L[0], 2, 6, 6, 2, f, NULL);
}

static void test_squeeze_excitation(void **state)
{
    (void)state;
    cc_layer_desc L[] = {
        CC_CONV2D(4, 3, 1, 1),                                 /* 0: (4,5,5)   */
        CC_GLOBAL_AVGPOOL(),                                   /* 1: (4,1,1)   */
        CC_CONV2D(2, 1, 1, 0), CC_RELU(), CC_CONV2D(4, 1, 1, 0),/* 2..4        */
        CC_HARDSIGMOID(),                                      /* 5: the gate  */
        CC_MUL2(0, 5),                                         /* 6            */
        CC_HARDSWISH(), CC_FLATTEN(), CC_LINEAR(2)};
    for (int f = 0; f < 2; f++)
        gradcheck_net(L, sizeof L / sizeof L[0], 3, 5, 5, 3, f, NULL);
}

static void test_concat_upsample_convt(void **state)
{
    (void)state;
    cc_layer_desc L[12] = {
        CC_CONV2D(3, 3, 1, 1),                                          /* 0 */
        {.op = CC_OP_CONV2D, .out = 2, .kh = 1, .kw = 1, .nin = 1, .in = {-1}}, /* 1 */
        CC_CONCAT2(0, 1),                                               /* 2: 5ch */
        {.op = CC_OP_CLIP, .alpha = -0.5, .beta = 0.7},                 /* 3 */
        CC_UPSAMPLE(2),                                                 /* 4: 8x8 */
        {.op = CC_OP_PAD, .pt = 1, .pb = 0, .pl = 2, .pr = 1, .alpha = 0.25}, /* 5 */
        {.op = CC_OP_CONV_TRANSPOSE, .out = 4, .kh = 3, .kw = 2, .sh = 2, .sw = 1,
         .pt = 1, .pb = 1, .oph = 1},                                   /* 6 */
        {.op = CC_OP_PRELU, .out = 4},                                  /* 7 */
        {.op = CC_OP_SOFTMAX},                                          /* 8 */
        {.op = CC_OP_AVGPOOL2D, .kh = 4, .kw = 4, .sh = 4, .sw = 4},    /* 9 */
        CC_FLATTEN(), CC_LINEAR(3)};
    for (int f = 0; f < 2; f++)
        gradcheck_net(L, 12, 2, 4, 4, 2, f, NULL);
}

static void set_consts(cc_net *net)
{
    float v[3] = {1.5f, -2.0f, 2.5f};
    cc_error err;
    assert_int_equal(cc_net_set(net, "0.value", v, 3, &err), 0);
}

static void test_const_binary(void **state)
{
    (void)state;
    cc_layer_desc L[] = {
        {.op = CC_OP_CONST, .out = 3, .kh = 1, .kw = 1},               /* 0 */
        {.op = CC_OP_SUB, .nin = 2, .in = {-1, 0}},                     /* 1 */
        {.op = CC_OP_DIV, .nin = 2, .in = {1, 0}},                      /* 2 */
        {.op = CC_OP_SOFTPLUS},                                         /* 3 */
        {.op = CC_OP_SELU, .nin = 1, .in = {2}},                        /* 4 */
        CC_MUL2(3, 4),                                                  /* 5 */
        {.op = CC_OP_LOG_SOFTMAX},                                      /* 6 */
        {.op = CC_OP_PRELU},                                            /* 7 */
        CC_FLATTEN(),                                                   /* 8 */
        CC_LINEAR(6),                                                   /* 9 */
        {.op = CC_OP_RESHAPE, .out = 3, .kh = 2, .kw = 1},              /* 10 */
        CC_ADD2(10, -1),                                                /* 11 */
    };
    /* 11 adds the network input only when shapes match: use a 3x2x1 input */
    for (int f = 0; f < 2; f++)
        gradcheck_net(L, 12, 3, 2, 1, 2, f, set_consts);
}

/* Forward values against the formulas, element by element. */
static void test_forward_values(void **state)
{
    (void)state;
    const float xs[6] = {-4.0f, -1.0f, -0.2f, 0.0f, 0.7f, 3.5f};
    struct { cc_layer_desc d; double (*f)(double); } cases[] = {
        {CC_RELU6(), NULL}, {CC_HARDSIGMOID(), NULL}, {CC_HARDSWISH(), NULL},
        {CC_SILU(), NULL}, {CC_GELU(), NULL}, {{.op = CC_OP_SOFTPLUS}, NULL},
        {{.op = CC_OP_SELU}, NULL}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        cc_layer_desc L[2] = {cases[c].d, CC_FLATTEN()};
        cc_net *net;
        cc_error err;
        assert_int_equal(cc_net_new(&net, L, 2, 6, 0, 0, 1, &err), 0);
        cc_net_set_train(net, 0);
        assert_int_equal(cc_net_forward(net, xs, 1, &err), 0);
        const float *o = cc_net_output(net, NULL, NULL);
        for (int i = 0; i < 6; i++) {
            double x = xs[i], want;
            switch (c) {
            case 0: want = fmin(fmax(x, 0), 6); break;
            case 1: want = fmin(fmax(x / 6 + 0.5, 0), 1); break;
            case 2: want = x * fmin(fmax(x + 3, 0), 6) / 6; break;
            case 3: want = x / (1 + exp(-x)); break;
            case 4: want = 0.5 * x * (1 + erf(x / sqrt(2))); break;
            case 5: want = log1p(exp(x)); break;
            default: want = 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * expm1(x));
            }
            if (fabs(o[i] - want) > 1e-5 * (1 + fabs(want)))
                fail_msg("%s(%g) = %.8g, expected %.8g", cc_op_name(L[0].op), x, o[i], want);
        }
        cc_net_free(net);
    }
}

static void test_final_softmax_output(void **state)
{
    (void)state;
    cc_layer_desc L[] = {CC_LINEAR(4), {.op = CC_OP_SOFTMAX}};
    cc_net *net;
    cc_error err;
    assert_int_equal(cc_net_new(&net, L, 2, 3, 0, 0, 1, &err), 0);
    float x[6] = {1, 2, 3, -1, 0, 1}, p[8];
    assert_int_equal(cc_net_forward(net, x, 2, &err), 0);
    assert_int_equal(cc_net_final_output(net, p, &err), 0);
    for (int b = 0; b < 2; b++) {
        double s = 0;
        for (int k = 0; k < 4; k++)
            s += p[b * 4 + k];
        assert_true(fabs(s - 1.0) < 1e-6);
    }
    cc_net_free(net);
}

static void test_bad_graphs(void **state)
{
    (void)state;
    cc_net *net = NULL;
    cc_error err;
    cc_layer_desc fwd[] = {CC_CONV2D(2, 3, 1, 1), CC_ADD2(0, 2), CC_RELU()};
    assert_int_equal(cc_net_new(&net, fwd, 3, 1, 5, 5, 1, &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "earlier layer"));
    cc_layer_desc shapes[] = {CC_CONV2D(2, 3, 1, 1), CC_CONV2D(3, 3, 1, 1), CC_ADD2(0, 1)};
    assert_int_equal(cc_net_new(&net, shapes, 3, 1, 5, 5, 1, &err), CC_ESHAPE);
    cc_layer_desc cat[] = {CC_CONV2D(2, 3, 1, 0), CC_CONCAT2(0, -1)};
    assert_int_equal(cc_net_new(&net, cat, 2, 1, 5, 5, 1, &err), CC_ESHAPE);
    cc_layer_desc huge[] = {{.op = CC_OP_CONV_TRANSPOSE, .out = 1, .kh = 3, .kw = 3,
                             .sh = 1000000, .sw = 1000000}};
    assert_int_equal(cc_net_new(&net, huge, 1, 1, 5000, 5000, 1, &err), CC_ERANGE);
    cc_layer_desc many = {.op = CC_OP_CONCAT, .nin = CC_NET_MAX_IN + 1};
    assert_int_equal(cc_net_new(&net, &many, 1, 1, 5, 5, 1, &err), CC_EINVAL);
    assert_null(net);
}

/* ---- channel ops: split, shuffle, adaptive average pooling, layernorm,
 * scale ------------------------------------------------------------------ */

static void set_scales(cc_net *net)
{
    /* layer 6 (scale) gets distinct factors so its gradient is not uniform */
    float v[6] = {0.5f, -1.25f, 2.0f, 0.75f, -0.5f, 1.5f};
    cc_error err;
    assert_int_equal(cc_net_set(net, "6.weight", v, 6, &err), 0);
}

static void test_channel_ops_gradients(void **state)
{
    (void)state;
    cc_layer_desc L[] = {
        CC_CONV2D(6, 3, 1, 1),                                          /* 0: 6x5x5 */
        {.op = CC_OP_CHANNEL_SPLIT, .groups = 2, .chunk = 1},           /* 1: 3x5x5 */
        {.op = CC_OP_CHANNEL_SPLIT, .groups = 3, .chunk = 0, .nin = 1, .in = {0}}, /* 2: 2 */
        CC_CONCAT2(1, 2),                                               /* 3: 5x5x5 */
        {.op = CC_OP_CONCAT, .nin = 2, .in = {3, 2}},                   /* 4: 7x5x5 */
        {.op = CC_OP_CONV2D, .out = 6, .kh = 1, .kw = 1},               /* 5: 6x5x5 */
        {.op = CC_OP_SCALE},                                            /* 6 */
        {.op = CC_OP_CHANNEL_SHUFFLE, .groups = 3},                     /* 7 */
        {.op = CC_OP_LAYERNORM},                                        /* 8 */
        {.op = CC_OP_ADAPTIVE_AVGPOOL, .kh = 3, .kw = 2},               /* 9: 6x3x2 */
        {.op = CC_OP_ADAPTIVE_AVGPOOL, .kh = 4, .kw = 5},               /* 10: 6x4x5 */
        CC_FLATTEN(), {.op = CC_OP_LAYERNORM, .eps = 1e-3},             /* 11, 12 */
        CC_LINEAR(3)};
    for (int f = 0; f < 2; f++)
        gradcheck_net(L, sizeof L / sizeof L[0], 2, 5, 5, 2, f, set_scales);
}

/* One layer on a C x H x W input x: its output, copied to y. */
static void run_one(cc_layer_desc d, long C, long H, long W, const float *x, float *y,
                    size_t n_out)
{
    cc_net *net;
    cc_error err;
    if (cc_net_new(&net, &d, 1, C, H, W, 1, &err))
        fail_msg("%s", err.msg);
    cc_net_set_train(net, 0);
    if (cc_net_forward(net, x, 1, &err))
        fail_msg("%s", err.msg);
    long b, k;
    const float *o = cc_net_output(net, &b, &k);
    assert_int_equal((size_t)k, n_out);
    memcpy(y, o, n_out * sizeof(float));
    cc_net_free(net);
}

static void near(const char *what, size_t i, double got, double want)
{
    if (fabs(got - want) > 1e-5 * (1 + fabs(want)))
        fail_msg("%s[%zu] = %.8g, expected %.8g", what, i, got, want);
}

/* Forward values against the definitions, written out independently of
 * the engine: torch.chunk, ShuffleNet's view/transpose/view, PyTorch's
 * adaptive pooling windows (start floor(o*in/out), end ceil((o+1)*in/out))
 * and LayerNorm over the channels with eps 1e-5. */
static void test_channel_ops_values(void **state)
{
    (void)state;
    enum { C = 6, H = 5, W = 7 };
    float x[C * H * W], y[C * 9 * 10];
    cc_rng r;
    cc_rng_seed(&r, 3);
    for (int i = 0; i < C * H * W; i++)
        x[i] = cc_rng_normalf(&r, 0.5f, 2.0f);
    /* split: chunk 2 of 3 is channels 4, 5 */
    run_one((cc_layer_desc){.op = CC_OP_CHANNEL_SPLIT, .groups = 3, .chunk = 2}, C, H, W, x,
            y, 2 * H * W);
    for (int i = 0; i < 2 * H * W; i++)
        near("split", (size_t)i, y[i], x[4 * H * W + i]);
    /* shuffle by 2: x viewed (2, 3, HW), transposed to (3, 2, HW) */
    run_one((cc_layer_desc){.op = CC_OP_CHANNEL_SHUFFLE, .groups = 2}, C, H, W, x, y,
            C * H * W);
    for (int a = 0; a < 3; a++)
        for (int g = 0; g < 2; g++)
            for (int p = 0; p < H * W; p++)
                near("shuffle", (size_t)((a * 2 + g) * H * W + p), y[(a * 2 + g) * H * W + p],
                     x[(g * 3 + a) * H * W + p]);
    /* adaptive pooling, down (5x7 -> 3x4: uneven, overlapping windows) and
     * up (5x7 -> 9x10: repeated inputs) */
    const int outs[2][2] = {{3, 4}, {9, 10}};
    for (int t = 0; t < 2; t++) {
        int OH = outs[t][0], OW = outs[t][1];
        run_one((cc_layer_desc){.op = CC_OP_ADAPTIVE_AVGPOOL, .kh = OH, .kw = OW}, C, H, W,
                x, y, (size_t)C * OH * OW);
        for (int c = 0; c < C; c++)
            for (int oh = 0; oh < OH; oh++)
                for (int ow = 0; ow < OW; ow++) {
                    int h0 = (int)floor((double)oh * H / OH), h1 = (int)ceil((oh + 1.0) * H / OH);
                    int w0 = (int)floor((double)ow * W / OW), w1 = (int)ceil((ow + 1.0) * W / OW);
                    double s = 0;
                    for (int h = h0; h < h1; h++)
                        for (int w = w0; w < w1; w++)
                            s += x[(c * H + h) * W + w];
                    size_t k = (size_t)(c * OH + oh) * OW + ow;
                    near("adaptive_avgpool", k, y[k], s / ((h1 - h0) * (w1 - w0)));
                }
    }
    /* layernorm over the channels at each position (weight 1, bias 0) */
    run_one((cc_layer_desc){.op = CC_OP_LAYERNORM}, C, H, W, x, y, C * H * W);
    for (int p = 0; p < H * W; p++) {
        double m = 0, v = 0;
        for (int c = 0; c < C; c++)
            m += x[c * H * W + p] / (double)C;
        for (int c = 0; c < C; c++)
            v += (x[c * H * W + p] - m) * (x[c * H * W + p] - m) / C;
        for (int c = 0; c < C; c++)
            near("layernorm", (size_t)(c * H * W + p), y[c * H * W + p],
                 (x[c * H * W + p] - m) / sqrt(v + 1e-5));
    }
    /* scale: initialised to alpha */
    run_one((cc_layer_desc){.op = CC_OP_SCALE, .alpha = 1e-6}, C, H, W, x, y, C * H * W);
    for (int i = 0; i < C * H * W; i++)
        near("scale", (size_t)i, y[i], (float)1e-6 * x[i]);
}

static void test_channel_ops_bad(void **state)
{
    (void)state;
    cc_net *net = NULL;
    cc_error err;
    cc_layer_desc split = {.op = CC_OP_CHANNEL_SPLIT, .groups = 4, .chunk = 0};
    assert_int_equal(cc_net_new(&net, &split, 1, 6, 3, 3, 1, &err), CC_ESHAPE);
    assert_non_null(strstr(err.msg, "do not divide"));
    cc_layer_desc chunk = {.op = CC_OP_CHANNEL_SPLIT, .groups = 2, .chunk = 2};
    assert_int_equal(cc_net_new(&net, &chunk, 1, 6, 3, 3, 1, &err), CC_EINVAL);
    cc_layer_desc neg = {.op = CC_OP_CHANNEL_SHUFFLE, .groups = -3};
    assert_int_equal(cc_net_new(&net, &neg, 1, 6, 3, 3, 1, &err), CC_EINVAL);
    cc_layer_desc pool = {.op = CC_OP_ADAPTIVE_AVGPOOL, .kh = 0, .kw = 2};
    assert_int_equal(cc_net_new(&net, &pool, 1, 6, 3, 3, 1, &err), CC_EINVAL);
    cc_layer_desc flat = {.op = CC_OP_ADAPTIVE_AVGPOOL, .kh = 2, .kw = 2};
    assert_int_equal(cc_net_new(&net, &flat, 1, 6, 0, 0, 1, &err), CC_ESHAPE);
    cc_layer_desc huge = {.op = CC_OP_ADAPTIVE_AVGPOOL, .kh = 1L << 40, .kw = 1};
    assert_int_equal(cc_net_new(&net, &huge, 1, 6, 3, 3, 1, &err), CC_EINVAL);
    cc_layer_desc eps = {.op = CC_OP_LAYERNORM, .eps = -1};
    assert_int_equal(cc_net_new(&net, &eps, 1, 6, 3, 3, 1, &err), CC_EINVAL);
    assert_null(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_residual),
        cmocka_unit_test(test_squeeze_excitation),
        cmocka_unit_test(test_concat_upsample_convt),
        cmocka_unit_test(test_const_binary),
        cmocka_unit_test(test_forward_values),
        cmocka_unit_test(test_final_softmax_output),
        cmocka_unit_test(test_bad_graphs),
        cmocka_unit_test(test_channel_ops_gradients),
        cmocka_unit_test(test_channel_ops_values),
        cmocka_unit_test(test_channel_ops_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
