/* test_net_chan_golden.c - the engine's channel ops (bilinear upsampling,
 * adaptive average pooling, layernorm over the channels, channel shuffle,
 * channel split, per-channel scale) against PyTorch: forward output, input
 * gradient and parameter gradients of every case in tests/golden/chan.txt,
 * made by tests/golden/gen_chan.py with Debian's python3-torch. Each case
 * is one layer built through cc_net_new and run through cc_net_forward /
 * cc_net_set_doutput / cc_net_backward. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/net.h"
#include "golden_data.h"

static golden_file G;

static const golden_rec *rec(const char *kind, int i, const char *what)
{
    char key[160];
    snprintf(key, sizeof key, "%s/%d/%s", kind, i, what);
    return golden_find(&G, key);
}

static float *floats(const golden_rec *r)
{
    float *f = malloc((r->n ? r->n : 1) * sizeof *f);
    assert_non_null(f);
    for (size_t i = 0; i < r->n; i++)
        f[i] = (float)r->v[i];
    return f;
}

static void same(const char *kind, int i, const char *what, const float *got, size_t n)
{
    const golden_rec *r = rec(kind, i, what);
    assert_non_null(r);
    assert_int_equal(r->n, n);
    double e = golden_excess(got, r->v, n, 1e-5, 1e-4);
    if (!(e <= 1.0))
        fail_msg("%s/%d/%s differs from PyTorch (excess %g)", kind, i, what, e);
}

/* Run case i of kind with layer d (cfg starts B C H W); returns 0 when
 * there is no such case. */
static int run_case(const char *kind, int i, cc_layer_desc (*make)(const double *cfg))
{
    const golden_rec *cfg = rec(kind, i, "cfg");
    if (!cfg)
        return 0;
    const double *c = cfg->v;
    long B = (long)c[0], C = (long)c[1], H = (long)c[2], W = (long)c[3];
    cc_layer_desc d = make(c);
    cc_net *net;
    cc_error err;
    if (cc_net_new(&net, &d, 1, C, H, W, 1, &err))
        fail_msg("%s/%d: %s", kind, i, err.msg);
    cc_net_set_train(net, 0);
    cc_net_want_dinput(net, 1);
    const golden_rec *w = rec(kind, i, "w"), *b = rec(kind, i, "b");
    if (w) {
        float *f = floats(w);
        assert_int_equal(cc_net_set(net, "0.weight", f, w->n, &err), 0);
        free(f);
    }
    if (b) {
        float *f = floats(b);
        assert_int_equal(cc_net_set(net, "0.bias", f, b->n, &err), 0);
        free(f);
    }
    float *x = floats(rec(kind, i, "x"));
    float *dy = floats(rec(kind, i, "dy"));
    if (cc_net_forward(net, x, B, &err))
        fail_msg("%s/%d: %s", kind, i, err.msg);
    long ob, ok;
    const float *y = cc_net_output(net, &ob, &ok);
    same(kind, i, "y", y, (size_t)(ob * ok));
    cc_net_zero_grad(net);
    assert_int_equal(cc_net_set_doutput(net, dy, &err), 0);
    if (cc_net_backward(net, &err))
        fail_msg("%s/%d: %s", kind, i, err.msg);
    same(kind, i, "dx", cc_net_dinput(net), rec(kind, i, "x")->n);
    cc_net_tensor t;
    if (w) {
        assert_int_equal(cc_net_find(net, "0.weight", &t, &err), 0);
        same(kind, i, "dw", t.grad, t.numel);
    }
    if (b) {
        assert_int_equal(cc_net_find(net, "0.bias", &t, &err), 0);
        same(kind, i, "db", t.grad, t.numel);
    }
    free(x);
    free(dy);
    cc_net_free(net);
    return 1;
}

static cc_layer_desc bilinear(const double *c)
{
    return (cc_layer_desc){.op = CC_OP_UPSAMPLE_BILINEAR, .sh = (long)c[4], .sw = (long)c[5]};
}

static cc_layer_desc adaptive(const double *c)
{
    return (cc_layer_desc){.op = CC_OP_ADAPTIVE_AVGPOOL, .kh = (long)c[4], .kw = (long)c[5]};
}

static cc_layer_desc layernorm(const double *c)
{
    return (cc_layer_desc){.op = CC_OP_LAYERNORM, .eps = c[4]};
}

static cc_layer_desc shuffle(const double *c)
{
    return (cc_layer_desc){.op = CC_OP_CHANNEL_SHUFFLE, .groups = (long)c[4]};
}

static cc_layer_desc split(const double *c)
{
    return (cc_layer_desc){.op = CC_OP_CHANNEL_SPLIT, .groups = (long)c[4],
                           .chunk = (long)c[5]};
}

static cc_layer_desc scale(const double *c)
{
    (void)c;
    return (cc_layer_desc){.op = CC_OP_SCALE};
}

static void run_kind(const char *kind, cc_layer_desc (*make)(const double *cfg), int least)
{
    int n = 0;
    while (run_case(kind, n, make))
        n++;
    if (n < least)
        fail_msg("%s: %d cases in tests/golden/chan.txt, expected at least %d", kind, n, least);
}

static void test_bilinear(void **state)
{
    (void)state;
    run_kind("bilinear", bilinear, 4);
}

static void test_adaptive(void **state)
{
    (void)state;
    run_kind("adaptive", adaptive, 5);
}

static void test_layernorm(void **state)
{
    (void)state;
    run_kind("layernorm", layernorm, 3);
}

static void test_shuffle_split_scale(void **state)
{
    (void)state;
    run_kind("shuffle", shuffle, 3);
    run_kind("split", split, 3);
    run_kind("scale", scale, 1);
}

static int setup(void **state)
{
    (void)state;
    return golden_load(&G, "tests/golden/chan.txt");
}

static int teardown(void **state)
{
    (void)state;
    golden_free(&G);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bilinear),
        cmocka_unit_test(test_adaptive),
        cmocka_unit_test(test_layernorm),
        cmocka_unit_test(test_shuffle_split_scale),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
