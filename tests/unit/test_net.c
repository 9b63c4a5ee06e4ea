/* test_net.c - the network object: finite-difference gradients through a
 * whole network (every parameter and the input), determinism (two runs
 * bit-identical, with threads and dropout), PyTorch's initialisation
 * ranges, parameter and buffer counts equal to the layer-stack module's,
 * names, eval mode, buffer reuse, and bad input (shapes that do not fit,
 * NaN losses, overflowing sizes) as library errors. */
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
#include "convcalc/optim.h"
#include "convcalc/rng.h"
#include "convcalc/stack.h"

static float *random_input(size_t n, uint64_t seed)
{
    cc_rng r;
    cc_rng_seed(&r, seed);
    float *x = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++)
        x[i] = cc_rng_normalf(&r, 0.0f, 1.0f);
    return x;
}

static double loss_of(cc_net *net, const float *x, long B, const int32_t *y)
{
    double loss = NAN;
    cc_error err;
    if (cc_net_forward(net, x, B, &err) || cc_net_loss(net, y, &loss, NULL, &err))
        fail_msg("%s", err.msg);
    return loss;
}

/* A smooth network (no kinks, so central differences are accurate) with a
 * strided, dilated, grouped, asymmetric-padded convolution, batch norm in
 * both forms, every smooth activation and a residual add. Float32 losses,
 * central differences with h = 3e-3 on a batch of 8 (batch norm over few
 * samples is strongly curved, so the truncation error O(h^2) matters):
 * agreement to 2e-2 relative + 2e-4 absolute; a wrong gradient is off by
 * far more. */
static void test_finite_differences(void **state)
{
    (void)state;
    cc_layer_desc L[] = {
        CC_CONV2D(4, 3, 1, 1),                       /* 0: 4x6x6               */
        CC_TANH(),                                   /* 1                      */
        CC_CONV2D(4, 3, 1, 1),                       /* 2: grouped, dilated    */
        CC_BATCHNORM(),                              /* 3                      */
        {.op = CC_OP_ELU},                           /* 4                      */
        CC_ADD(1),                                   /* 5: + output of 1       */
        CC_AVGPOOL2D(2, 2),                          /* 6: 4x3x3               */
        CC_FLATTEN(),                                /* 7: 36                  */
        CC_LINEAR(6),                                /* 8                      */
        CC_BATCHNORM(),                              /* 9: batchnorm1d         */
        CC_SIGMOID(),                                /* 10                     */
        {.op = CC_OP_LEAKY_RELU, .slope = 0.2},      /* 11 (no kink hit: >0)   */
        CC_LINEAR(3),                                /* 12                     */
    };
    L[2].groups = 2;
    L[2].dh = L[2].dw = 2;
    L[2].pt = 2, L[2].pb = 2, L[2].pl = 1, L[2].pr = 3;
    cc_net *net;
    cc_error err;
    if (cc_net_new(&net, L, sizeof L / sizeof L[0], 2, 6, 6, 3, &err))
        fail_msg("%s", err.msg);
    const long B = 8;
    float *x = random_input((size_t)B * 2 * 6 * 6, 5);
    int32_t y[8] = {0, 2, 1, 1, 0, 2, 2, 0};
    cc_net_want_dinput(net, 1);
    cc_net_zero_grad(net);
    double loss;
    if (cc_net_forward(net, x, B, &err) || cc_net_loss(net, y, &loss, NULL, &err) ||
        cc_net_backward(net, &err))
        fail_msg("%s", err.msg);
    float *dx = malloc((size_t)B * 72 * sizeof(float));
    assert_non_null(cc_net_dinput(net));
    memcpy(dx, cc_net_dinput(net), (size_t)B * 72 * sizeof(float));
    /* the finite-difference passes below run forward only: the parameter
     * gradients of the backward pass stay as they are */
    size_t np = cc_net_param_count(net);
    int checked = 0;
    const float h = 3e-3f;
    for (size_t i = 0; i < np; i++) {
        cc_net_tensor t;
        assert_int_equal(cc_net_param(net, i, &t, NULL), 0);
        for (size_t k = 0; k < t.numel; k += 1 + t.numel / 12) {
            float keep = t.data[k];
            t.data[k] = keep + h;
            double lp = loss_of(net, x, B, y);
            t.data[k] = keep - h;
            double lm = loss_of(net, x, B, y);
            t.data[k] = keep;
            double fd = (lp - lm) / (2.0 * h), an = t.grad[k];
            if (fabs(fd - an) > 2e-4 + 2e-2 * fabs(fd))
                fail_msg("%s[%zu]: analytic %g, finite difference %g", t.name, k, an, fd);
            checked++;
        }
    }
    assert_true(checked > 50);
    /* the input gradient */
    for (size_t k = 0; k < (size_t)B * 72; k += 7) {
        float keep = x[k];
        x[k] = keep + h;
        double lp = loss_of(net, x, B, y);
        x[k] = keep - h;
        double lm = loss_of(net, x, B, y);
        x[k] = keep;
        double fd = (lp - lm) / (2.0 * h);
        if (fabs(fd - dx[k]) > 2e-4 + 2e-2 * fabs(fd))
            fail_msg("input[%zu]: analytic %g, finite difference %g", k, dx[k], fd);
    }
    free(dx);
    free(x);
    cc_net_free(net);
}

static const cc_layer_desc ASSIGNMENT[] = {
    CC_CONV2D(32, 5, 1, 2), CC_RELU(), CC_MAXPOOL2D(2, 2),
    CC_CONV2D(64, 5, 1, 2), CC_RELU(), CC_MAXPOOL2D(2, 2),
    CC_CONV2D(128, 5, 1, 2), CC_RELU(), CC_MAXPOOL2D(2, 2),
    CC_FLATTEN(), CC_LINEAR(64), CC_RELU(), CC_LINEAR(10)};

/* A few SGD steps of a small net with dropout; returns the parameters. */
static float *train_small(int threads, uint64_t seed)
{
    cc_layer_desc L[] = {CC_CONV2D(8, 3, 1, 1), CC_BATCHNORM(), CC_RELU(),
                         CC_MAXPOOL2D(2, 2),    CC_DROPOUT(0.3), CC_FLATTEN(),
                         CC_LINEAR(16),         CC_RELU(),       CC_LINEAR(4)};
    cc_net *net;
    cc_error err;
    if (cc_net_new(&net, L, sizeof L / sizeof L[0], 3, 8, 8, seed, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(cc_net_set_threads(net, threads, &err), 0);
    cc_optim_config cfg;
    cc_optim_config_default(&cfg, CC_OPTIM_SGD);
    cfg.momentum = 0.9;
    cc_optim *opt;
    assert_int_equal(cc_optim_new(&opt, &cfg, &err), 0);
    assert_int_equal(cc_optim_add_net(opt, net, &err), 0);
    float *x = random_input(6 * 3 * 8 * 8, 11);
    int32_t y[6] = {0, 1, 2, 3, 0, 1};
    for (int s = 0; s < 4; s++) {
        double loss;
        cc_net_zero_grad(net);
        if (cc_net_forward(net, x, 6, &err) || cc_net_loss(net, y, &loss, NULL, &err) ||
            cc_net_backward(net, &err) || cc_optim_step(opt, &err))
            fail_msg("%s", err.msg);
    }
    size_t total = (size_t)cc_net_num_params(net) + (size_t)cc_net_num_buffers(net), at = 0;
    float *out = malloc(total * sizeof(float));
    for (size_t i = 0; i < cc_net_param_count(net) + cc_net_buffer_count(net); i++) {
        cc_net_tensor t;
        size_t np = cc_net_param_count(net);
        assert_int_equal(i < np ? cc_net_param(net, i, &t, NULL)
                                : cc_net_buffer(net, i - np, &t, NULL), 0);
        memcpy(out + at, t.data, t.numel * sizeof(float));
        at += t.numel;
    }
    assert_int_equal(at, total);
    free(x);
    cc_optim_free(opt);
    cc_net_free(net);
    return out;
}

static void test_determinism(void **state)
{
    (void)state;
    /* 8*3*9+8 + 2*8 + (8*16*16+16) ... computed from the net itself */
    for (int threads = 1; threads <= 2; threads++) {
        float *a = train_small(threads, 42), *b = train_small(threads, 42);
        float *c = train_small(threads, 43);
        size_t n = 8 * 27 + 8 + 16 + 16 * 128 + 16 + 4 * 16 + 4 + 16;
        assert_memory_equal(a, b, n * sizeof(float));
        assert_true(memcmp(a, c, n * sizeof(float)) != 0);
        free(a);
        free(b);
        free(c);
    }
}

static void test_init_matches_pytorch_ranges(void **state)
{
    (void)state;
    cc_net *net;
    cc_error err;
    if (cc_net_new(&net, ASSIGNMENT, 13, 3, 32, 32, 9, &err))
        fail_msg("%s", err.msg);
    /* fan_in: 3*25, 32*25, 64*25... bound 1/sqrt(fan_in) for weight and bias;
     * the variance of U(-b, b) is b^2/3 */
    static const struct { const char *name; double fan_in; } want[] = {
        {"0.weight", 75},   {"0.bias", 75},   {"3.weight", 800},  {"3.bias", 800},
        {"6.weight", 1600}, {"6.bias", 1600}, {"10.weight", 2048}, {"10.bias", 2048},
        {"12.weight", 64},  {"12.bias", 64}};
    assert_int_equal(cc_net_param_count(net), 10);
    for (size_t i = 0; i < 10; i++) {
        cc_net_tensor t;
        assert_int_equal(cc_net_param(net, i, &t, NULL), 0);
        assert_string_equal(t.name, want[i].name);
        double b = 1.0 / sqrt(want[i].fan_in), s = 0, s2 = 0;
        for (size_t k = 0; k < t.numel; k++) {
            assert_true(fabs(t.data[k]) <= b);
            s += t.data[k];
            s2 += (double)t.data[k] * t.data[k];
        }
        if (t.numel > 1000) {
            double var = s2 / t.numel;
            assert_true(fabs(var / (b * b / 3.0) - 1.0) < 0.1);
            assert_true(fabs(s / t.numel) < 0.05 * b);
        }
        assert_true(t.trainable);
    }
    cc_net_tensor w;
    assert_int_equal(cc_net_find(net, "6.weight", &w, NULL), 0);
    assert_int_equal(w.ndim, 4);
    assert_true(w.shape[0] == 128 && w.shape[1] == 64 && w.shape[2] == 5 && w.shape[3] == 5);
    assert_int_equal(cc_net_find(net, "10.weight", &w, NULL), 0);
    assert_true(w.ndim == 2 && w.shape[0] == 64 && w.shape[1] == 2048);
    /* same seed, same weights; cc_net_init redraws them */
    cc_net *again;
    assert_int_equal(cc_net_new(&again, ASSIGNMENT, 13, 3, 32, 32, 9, &err), 0);
    cc_net_tensor a, b;
    assert_int_equal(cc_net_param(net, 4, &a, NULL), 0);
    assert_int_equal(cc_net_param(again, 4, &b, NULL), 0);
    assert_memory_equal(a.data, b.data, a.numel * sizeof(float));
    cc_net_init(again, 10);
    assert_true(memcmp(a.data, b.data, a.numel * sizeof(float)) != 0);
    cc_net_free(again);
    cc_net_free(net);
}

/* Build from the stack module: the counts must be the stack's. */
static void check_stack_counts(const char *spec, int64_t want_params, int64_t want_buffers)
{
    cc_stack *s;
    cc_error err;
    if (cc_stack_parse(&s, spec, strlen(spec), CC_SOURCE_AUTO, &err) ||
        cc_stack_infer(s, &err))
        fail_msg("%s", err.msg);
    cc_stack_totals tot;
    cc_stack_totals_get(s, 0, &tot);
    cc_net *net;
    if (cc_net_from_stack(&net, s, 1, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(cc_net_num_params(net), tot.total_params);
    assert_int_equal(cc_net_num_trainable(net), tot.trainable_params);
    assert_int_equal(cc_net_num_buffers(net), tot.buffers);
    assert_int_equal(cc_net_num_params(net), want_params);
    assert_int_equal(cc_net_num_buffers(net), want_buffers);
    int64_t sum = 0;
    for (size_t i = 0; i < cc_net_param_count(net); i++) {
        cc_net_tensor t;
        assert_int_equal(cc_net_param(net, i, &t, NULL), 0);
        sum += (int64_t)t.numel;
    }
    assert_int_equal(sum, want_params);
    assert_int_equal(cc_net_layer_count(net), s->n);
    for (size_t i = 0; i < s->n; i++) {
        cc_net_layer_info info;
        assert_int_equal(cc_net_layer(net, i, &info, NULL), 0);
        assert_int_equal(info.params, s->layers[i].counts.params);
        assert_int_equal(info.buffers, s->layers[i].counts.buffers);
    }
    /* one forward pass on zeros in eval mode */
    long c, h, w;
    cc_net_input_shape(net, &c, &h, &w);
    size_t n = (size_t)c * (h ? h : 1) * (w ? w : 1) * 2;
    float *x = calloc(n, sizeof(float));
    cc_net_set_train(net, 0);
    assert_int_equal(cc_net_forward(net, x, 2, &err), 0);
    free(x);
    cc_net_free(net);
    cc_stack_free(s);
}

static void test_counts_equal_stack_module(void **state)
{
    (void)state;
    /* the assignment network: (75+1)*32 + (800+1)*64 + (1600+1)*128 +
     * (2048+1)*64 + (64+1)*10 */
    check_stack_counts("input 32x32x3\n"
                       "conv 32 5x5 pad 2\nrelu\nmaxpool 2\n"
                       "conv 64 5x5 pad 2\nrelu\nmaxpool 2\n"
                       "conv 128 5x5 pad 2\nrelu\nmaxpool 2\n"
                       "flatten\nlinear 2048->64\nrelu\nlinear 64->10\n",
                       2432 + 51264 + 204928 + 131136 + 650, 0);
    /* batch norm (buffers), grouped conv without bias, global pooling */
    check_stack_counts("input 16x16x8\n"
                       "conv 16 3x3 pad 1 groups 4 nobias\nbatchnorm\nrelu\n"
                       "globalavgpool\nflatten\nlinear 10\n",
                       16 * 2 * 9 + 32 + 170, 32);
}

/* PyTorch reprs from tests/data/torch with the counts PyTorch itself gave
 * (the .expect files, written by tests/golden/gen_torch_reprs.py). Lines
 * naming activations the engine does not implement are dropped first
 * (they have no parameters). */
static void check_torch_repr(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "tests/data/torch/%s.txt", name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char text[16384], line[512];
    size_t len = 0;
    while (fgets(line, sizeof line, f))
        if (!strstr(line, "GELU") && !strstr(line, "SiLU") && !strstr(line, "Hardswish") &&
            !strstr(line, "Hardsigmoid") && !strstr(line, "ReLU6")) {
            size_t n = strlen(line);
            assert_true(len + n < sizeof text);
            memcpy(text + len, line, n);
            len += n;
        }
    fclose(f);
    snprintf(path, sizeof path, "tests/data/torch/%s.expect", name);
    f = fopen(path, "r");
    assert_non_null(f);
    char input[64] = "";
    long long total = -1, buffers = -1;
    while (fgets(line, sizeof line, f)) {
        sscanf(line, "input %63s", input);
        sscanf(line, "total_params %lld", &total);
        sscanf(line, "buffers %lld", &buffers);
    }
    fclose(f);
    assert_true(input[0] && total >= 0 && buffers >= 0);
    cc_stack *s;
    cc_error err;
    cc_shape shp;
    if (cc_stack_parse(&s, text, len, CC_SOURCE_TORCH, &err) ||
        cc_shape_parse(input, &shp, &err) ||
        cc_stack_set_input(s, shp.h, shp.w, shp.c, &err) || cc_stack_infer(s, &err))
        fail_msg("%s: %s", name, err.msg);
    cc_net *net;
    if (cc_net_from_stack(&net, s, 1, &err))
        fail_msg("%s: %s", name, err.msg);
    assert_int_equal(cc_net_num_params(net), total);
    assert_int_equal(cc_net_num_buffers(net), buffers);
    /* one training step and one eval pass run */
    size_t n = (size_t)2 * shp.c * shp.h * shp.w;
    float *x = random_input(n, 4);
    int32_t y[2] = {0, 1};
    double loss;
    if (cc_net_forward(net, x, 2, &err) || cc_net_loss(net, y, &loss, NULL, &err) ||
        cc_net_backward(net, &err))
        fail_msg("%s: %s", name, err.msg);
    cc_net_set_train(net, 0);
    if (cc_net_forward(net, x, 2, &err))
        fail_msg("%s: %s", name, err.msg);
    free(x);
    cc_net_free(net);
    cc_stack_free(s);
}

static void test_counts_equal_pytorch(void **state)
{
    (void)state;
    check_torch_repr("assignment");
    check_torch_repr("lenet5");
    check_torch_repr("mobilenet_ish");
    check_torch_repr("blocknet");
}

static void test_stack_names_and_errors(void **state)
{
    (void)state;
    const char *spec = "input 8x8x3\nfeat: conv 4 3x3\nrelu\nflatten\nhead: linear 2\n";
    cc_stack *s;
    cc_error err;
    assert_int_equal(cc_stack_parse(&s, spec, strlen(spec), CC_SOURCE_SPEC, &err), 0);
    cc_net *net = NULL;
    /* not inferred yet */
    assert_int_equal(cc_net_from_stack(&net, s, 1, &err), CC_EINVAL);
    assert_null(net);
    assert_int_equal(cc_stack_infer(s, &err), 0);
    assert_int_equal(cc_net_from_stack(&net, s, 1, &err), 0);
    cc_net_tensor t;
    assert_int_equal(cc_net_find(net, "feat.weight", &t, &err), 0);
    assert_int_equal(cc_net_find(net, "head.bias", &t, &err), 0);
    assert_int_equal(cc_net_find(net, "0.weight", &t, &err), CC_EINVAL);
    cc_net_free(net);
    cc_stack_free(s);
    /* an activation the engine knows only by name (darknet's ramp) */
    const char *gelu = "input 8x8x3\nconv 4 3x3\nactivation ramp\nflatten\nlinear 2\n";
    assert_int_equal(cc_stack_parse(&s, gelu, strlen(gelu), CC_SOURCE_SPEC, &err), 0);
    assert_int_equal(cc_stack_infer(s, &err), 0);
    assert_int_equal(cc_net_from_stack(&net, s, 1, &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "does not implement"));
    assert_int_equal(err.line, 3);
    cc_stack_free(s);
}

static void test_bad_input_is_an_error(void **state)
{
    (void)state;
    cc_net *net = NULL;
    cc_error err;
    /* a kernel larger than the input */
    cc_layer_desc big[] = {CC_CONV2D(4, 7, 1, 0), CC_FLATTEN(), CC_LINEAR(2)};
    assert_true(cc_net_new(&net, big, 3, 1, 5, 5, 1, &err) < 0);
    assert_null(net);
    assert_non_null(strstr(err.msg, "layer 0 (conv2d)"));
    /* a convolution after flatten */
    cc_layer_desc flat[] = {CC_FLATTEN(), CC_CONV2D(4, 1, 1, 0)};
    assert_int_equal(cc_net_new(&net, flat, 2, 3, 4, 4, 1, &err), CC_ESHAPE);
    /* a residual add of different shapes */
    cc_layer_desc add[] = {CC_CONV2D(4, 3, 1, 1), CC_CONV2D(8, 3, 1, 1), CC_ADD(0)};
    assert_int_equal(cc_net_new(&net, add, 3, 3, 4, 4, 1, &err), CC_ESHAPE);
    cc_layer_desc fwd[] = {CC_CONV2D(4, 3, 1, 1), CC_ADD(1)};
    assert_int_equal(cc_net_new(&net, fwd, 2, 3, 4, 4, 1, &err), CC_EINVAL);
    /* softmax in the middle is a layer of its own (test_net_graph.c); dropout
     * p out of range, no layers */
    cc_layer_desc sm[] = {{.op = CC_OP_SOFTMAX}, CC_LINEAR(2)};
    assert_int_equal(cc_net_new(&net, sm, 2, 3, 0, 0, 1, &err), 0);
    cc_net_free(net);
    cc_layer_desc dp[] = {CC_DROPOUT(1.5), CC_LINEAR(2)};
    assert_int_equal(cc_net_new(&net, dp, 2, 3, 0, 0, 1, &err), CC_EINVAL);
    assert_int_equal(cc_net_new(&net, dp, 0, 3, 0, 0, 1, &err), CC_EINVAL);
    /* overflowing sizes */
    cc_layer_desc lin[] = {CC_LINEAR(2)};
    assert_int_equal(cc_net_new(&net, lin, 1, 1L << 40, 0, 0, 1, &err), CC_ERANGE);
    cc_layer_desc huge[] = {CC_LINEAR(1L << 40)};
    assert_int_equal(cc_net_new(&net, huge, 1, 4, 0, 0, 1, &err), CC_ERANGE);
    cc_layer_desc wide[] = {CC_LINEAR(1000000000L)};
    assert_int_equal(cc_net_new(&net, wide, 1, 100000, 0, 0, 1, &err), CC_ERANGE);
    cc_layer_desc conv[] = {CC_CONV2D(1000000, 3, 1, 1)};
    assert_int_equal(cc_net_new(&net, conv, 1, 3, 1000, 1000, 1, &err), CC_ERANGE);
    assert_null(net);
    /* a working net: bad batch sizes, labels, NaN losses, bad values */
    cc_layer_desc ok[] = {CC_LINEAR(3), {.op = CC_OP_SOFTMAX}};
    assert_int_equal(cc_net_new(&net, ok, 2, 4, 0, 0, 1, &err), 0);
    assert_int_equal(cc_net_classes(net), 3);
    float x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    int32_t y[2] = {0, 3};
    double loss;
    assert_int_equal(cc_net_reserve(net, 1L << 40, &err), CC_ERANGE);
    assert_int_equal(cc_net_forward(net, x, 0, &err), CC_EINVAL);
    assert_int_equal(cc_net_backward(net, &err), CC_EINVAL); /* no forward */
    assert_int_equal(cc_net_forward(net, x, 2, &err), 0);
    assert_int_equal(cc_net_loss(net, y, &loss, NULL, &err), CC_EINVAL); /* label 3 */
    assert_int_equal(cc_net_backward(net, &err), CC_EINVAL);            /* no loss */
    float bad[12];
    for (int i = 0; i < 12; i++)
        bad[i] = 3e38f; /* the logits overflow to infinity */
    assert_int_equal(cc_net_set(net, "0.weight", bad, 12, &err), 0);
    y[1] = 1;
    assert_int_equal(cc_net_forward(net, x, 2, &err), 0);
    assert_int_equal(cc_net_loss(net, y, &loss, NULL, &err), CC_ENUMERIC);
    bad[0] = NAN;
    assert_int_equal(cc_net_set(net, "0.weight", bad, 12, &err), CC_ENUMERIC);
    assert_int_equal(cc_net_set(net, "0.weight", bad, 11, &err), CC_ESHAPE);
    assert_int_equal(cc_net_set(net, "9.weight", bad, 12, &err), CC_EINVAL);
    assert_int_equal(cc_net_set_threads(net, 0, &err), CC_EINVAL);
    cc_net_free(net);
    /* batch norm in training mode needs more than one value per channel */
    cc_layer_desc bn[] = {CC_LINEAR(3), CC_BATCHNORM(), CC_LINEAR(2)};
    assert_int_equal(cc_net_new(&net, bn, 3, 4, 0, 0, 1, &err), 0);
    assert_int_equal(cc_net_forward(net, x, 1, &err), CC_ESHAPE);
    cc_net_set_train(net, 0);
    assert_int_equal(cc_net_forward(net, x, 1, &err), 0);
    cc_net_free(net);
}

static void test_eval_mode_buffers_and_reuse(void **state)
{
    (void)state;
    cc_layer_desc L[] = {CC_CONV2D(4, 3, 1, 1), CC_BATCHNORM(), CC_RELU(), CC_DROPOUT(0.5),
                         CC_GLOBAL_AVGPOOL(), CC_FLATTEN(), CC_LINEAR(3)};
    cc_net *net;
    cc_error err;
    assert_int_equal(cc_net_new(&net, L, 7, 2, 5, 5, 1, &err), 0);
    assert_int_equal(cc_net_num_buffers(net), 8);
    assert_int_equal(cc_net_buffer_count(net), 2);
    cc_net_tensor rm, rv;
    assert_int_equal(cc_net_find(net, "1.running_mean", &rm, &err), 0);
    assert_int_equal(cc_net_find(net, "1.running_var", &rv, &err), 0);
    assert_null(rm.grad);
    assert_false(rm.trainable);
    for (int k = 0; k < 4; k++)
        assert_true(rm.data[k] == 0.0f && rv.data[k] == 1.0f);
    float *x = random_input(8 * 50, 3);
    assert_int_equal(cc_net_forward(net, x, 8, &err), 0);
    size_t bytes = cc_net_activation_bytes(net);
    assert_true(bytes > 0);
    assert_true(rm.data[0] != 0.0f); /* training updates the running statistics */
    float keep = rm.data[0];
    /* eval: running statistics fixed, dropout off, output deterministic */
    cc_net_set_train(net, 0);
    assert_int_equal(cc_net_forward(net, x, 8, &err), 0);
    assert_true(rm.data[0] == keep);
    long b, k;
    float first[24];
    memcpy(first, cc_net_output(net, &b, &k), sizeof first);
    assert_int_equal(cc_net_forward(net, x, 8, &err), 0);
    assert_memory_equal(first, cc_net_output(net, NULL, NULL), sizeof first);
    /* a smaller batch reuses the buffers; the first rows agree */
    assert_int_equal(cc_net_forward(net, x, 3, &err), 0);
    assert_int_equal(cc_net_activation_bytes(net), bytes);
    assert_memory_equal(first, cc_net_output(net, &b, NULL), 9 * sizeof(float));
    assert_int_equal(b, 3);
    float probs[9];
    assert_int_equal(cc_net_probs(net, probs, &err), 0);
    assert_true(fabsf(probs[0] + probs[1] + probs[2] - 1.0f) < 1e-6f);
    cc_net_layer_info info;
    assert_int_equal(cc_net_layer(net, 4, &info, &err), 0);
    assert_true(info.op == CC_OP_GLOBAL_AVGPOOL && info.out_c == 4 && info.out_h == 1);
    assert_string_equal(cc_op_name(info.op), "global_avgpool");
    assert_int_equal(cc_net_layer(net, 7, &info, &err), CC_EINVAL);
    free(x);
    cc_net_free(net);
}

/* The fused relu + max pool fast path against the layer-by-layer
 * reference: outputs, input and parameter gradients bit-identical, for
 * tiling 2x2 windows (gradient overwrite), a plane that 2x2 does not tile,
 * 3x3 stride 2 windows, a relu at the very front and an add that reads a
 * pool output. */
static void run_for_compare(int fast, float *out, float *grads, float *dx)
{
    cc_layer_desc L[] = {CC_RELU(),         CC_MAXPOOL2D(2, 2),  /* 0-1: on the input */
                         CC_CONV2D(6, 3, 1, 1), CC_RELU(), CC_MAXPOOL2D(2, 2), /* 2-4: 9 -> 4 */
                         CC_CONV2D(6, 3, 1, 1), CC_RELU(), CC_MAXPOOL2D(2, 2), /* 5-7: 4 -> 2 */
                         CC_CONV2D(6, 3, 1, 1), CC_ADD(7), CC_RELU(),
                         CC_MAXPOOL2D(1, 1), /* 8-11 */
                         CC_FLATTEN(),      CC_LINEAR(5)};
    L[1] = (cc_layer_desc){.op = CC_OP_MAXPOOL2D, .kh = 3, .kw = 3, .sh = 1, .sw = 1};
    cc_net *net;
    cc_error err;
    if (cc_net_new(&net, L, sizeof L / sizeof L[0], 3, 11, 11, 21, &err))
        fail_msg("%s", err.msg);
    cc_net_set_fast(net, fast);
    cc_net_want_dinput(net, 1);
    float *x = random_input(5 * 3 * 11 * 11, 8);
    int32_t y[5] = {0, 1, 2, 3, 4};
    double loss;
    cc_net_zero_grad(net);
    for (int rep = 0; rep < 2; rep++) /* twice: buffers are reused */
        if (cc_net_forward(net, x, 5, &err) || cc_net_loss(net, y, &loss, NULL, &err) ||
            cc_net_backward(net, &err))
            fail_msg("%s", err.msg);
    memcpy(out, cc_net_output(net, NULL, NULL), 25 * sizeof(float));
    memcpy(dx, cc_net_dinput(net), 5 * 3 * 11 * 11 * sizeof(float));
    size_t at = 0;
    for (size_t i = 0; i < cc_net_param_count(net); i++) {
        cc_net_tensor t;
        assert_int_equal(cc_net_param(net, i, &t, NULL), 0);
        memcpy(grads + at, t.grad, t.numel * sizeof(float));
        at += t.numel;
    }
    assert_int_equal((int64_t)at, cc_net_num_params(net));
    free(x);
    cc_net_free(net);
}

static void test_fast_path_is_exact(void **state)
{
    (void)state;
    enum { NP = 3 * 9 * 6 + 6 + 2 * (6 * 54 + 6) + 24 * 5 + 5, NX = 5 * 3 * 11 * 11 };
    static float o1[25], o2[25], g1[NP], g2[NP], d1[NX], d2[NX];
    run_for_compare(0, o1, g1, d1);
    run_for_compare(1, o2, g2, d2);
    assert_memory_equal(o1, o2, sizeof o1);
    assert_memory_equal(g1, g2, sizeof g1);
    assert_memory_equal(d1, d2, sizeof d1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finite_differences),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_init_matches_pytorch_ranges),
        cmocka_unit_test(test_counts_equal_stack_module),
        cmocka_unit_test(test_counts_equal_pytorch),
        cmocka_unit_test(test_stack_names_and_errors),
        cmocka_unit_test(test_bad_input_is_an_error),
        cmocka_unit_test(test_eval_mode_buffers_and_reuse),
        cmocka_unit_test(test_fast_path_is_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
