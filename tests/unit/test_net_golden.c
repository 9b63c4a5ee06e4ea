/* test_net_golden.c - whole networks against PyTorch (tests/golden/net.txt,
 * made by tests/golden/gen_net.py with python3-torch 1.13): from the same
 * initial weights, the first forward pass (logits) and backward pass
 * (every parameter gradient), then three steps of SGD (plain, momentum +
 * weight decay, dampening, Nesterov + weight decay), Adam (with and without
 * L2) and AdamW: the loss of every step and every parameter and BatchNorm
 * running statistic afterwards.
 *
 * Tolerances: logits and gradients 1e-5 relative + 1e-6 absolute (float32
 * sums in a different order); after three steps 1e-4 relative + 2e-6
 * absolute; losses 1e-5 relative. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "convcalc/net.h"
#include "convcalc/optim.h"
#include "golden_data.h"

static golden_file G;

static int setup(void **state)
{
    (void)state;
    return golden_load(&G, "tests/golden/net.txt");
}

static int teardown(void **state)
{
    (void)state;
    golden_free(&G);
    return 0;
}

/* The two networks of gen_net.py, as nn.Sequential indexes them. */
static cc_net *make_net(const char *which)
{
    cc_net *net = NULL;
    cc_error err;
    if (!strcmp(which, "a")) {
        cc_layer_desc L[] = {CC_CONV2D(4, 3, 1, 1), CC_RELU(),      CC_MAXPOOL2D(2, 2),
                             CC_CONV2D(6, 3, 1, 1), CC_RELU(),      CC_MAXPOOL2D(2, 2),
                             CC_FLATTEN(),          CC_LINEAR(8),   CC_RELU(),
                             CC_LINEAR(5)};
        if (cc_net_new(&net, L, sizeof L / sizeof L[0], 3, 8, 8, 1, &err))
            fail_msg("%s", err.msg);
    } else {
        cc_layer_desc L[] = {CC_CONV2D(4, 3, 2, 1), CC_BATCHNORM(), CC_RELU(),
                             CC_AVGPOOL2D(2, 2),    CC_FLATTEN(),   CC_LINEAR(8),
                             CC_BATCHNORM(),        CC_TANH(),      CC_LINEAR(5)};
        L[0].no_bias = 1;
        L[5].no_bias = 1;
        if (cc_net_new(&net, L, sizeof L / sizeof L[0], 3, 8, 8, 1, &err))
            fail_msg("%s", err.msg);
    }
    return net;
}

static const golden_rec *need(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const golden_rec *need(const char *fmt, ...)
{
    char name[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    const golden_rec *r = golden_find(&G, name);
    if (!r)
        fail_msg("golden record %s missing", name);
    return r;
}

/* Load net/<which>/init/<name> into every parameter and buffer. */
static void load_init(cc_net *net, const char *which)
{
    size_t np = cc_net_param_count(net), nb = cc_net_buffer_count(net);
    for (size_t i = 0; i < np + nb; i++) {
        cc_net_tensor t;
        assert_int_equal(i < np ? cc_net_param(net, i, &t, NULL)
                                : cc_net_buffer(net, i - np, &t, NULL), 0);
        const golden_rec *r = need("net/%s/init/%s", which, t.name);
        assert_int_equal(r->n, t.numel);
        float *v = malloc(r->n * sizeof(float));
        for (size_t k = 0; k < r->n; k++)
            v[k] = (float)r->v[k];
        cc_error err;
        if (cc_net_set(net, t.name, v, r->n, &err))
            fail_msg("%s", err.msg);
        free(v);
    }
    /* every initial tensor torch wrote is one of ours */
    char prefix[64];
    snprintf(prefix, sizeof prefix, "net/%s/init/", which);
    size_t count = 0;
    for (size_t i = 0; i < G.n; i++)
        count += !strncmp(G.recs[i].name, prefix, strlen(prefix));
    assert_int_equal(count, np + nb);
}

static void input_of(const char *which, float **x, int32_t *y)
{
    const golden_rec *rx = need("net/%s/x", which), *ry = need("net/%s/y", which);
    assert_int_equal(rx->n, 4 * 3 * 8 * 8);
    assert_int_equal(ry->n, 4);
    *x = malloc(rx->n * sizeof(float));
    for (size_t k = 0; k < rx->n; k++)
        (*x)[k] = (float)rx->v[k];
    for (int k = 0; k < 4; k++)
        y[k] = (int32_t)ry->v[k];
}

static void expect_close(const char *what, const float *a, const golden_rec *r, size_t n,
                         double atol, double rtol)
{
    assert_int_equal(r->n, n);
    double e = golden_excess(a, r->v, n, atol, rtol);
    if (e > 1.0)
        fail_msg("%s: off by %.3g times the tolerance", what, e);
}

static void first_pass(const char *which)
{
    cc_net *net = make_net(which);
    load_init(net, which);
    float *x;
    int32_t y[4];
    input_of(which, &x, y);
    cc_error err;
    double loss;
    cc_net_zero_grad(net);
    if (cc_net_forward(net, x, 4, &err) || cc_net_loss(net, y, &loss, NULL, &err) ||
        cc_net_backward(net, &err))
        fail_msg("%s", err.msg);
    long b, k;
    const float *logits = cc_net_output(net, &b, &k);
    assert_int_equal(b, 4);
    assert_int_equal(k, 5);
    expect_close("logits", logits, need("net/%s/logits0", which), 20, 1e-6, 1e-5);
    for (size_t i = 0; i < cc_net_param_count(net); i++) {
        cc_net_tensor t;
        assert_int_equal(cc_net_param(net, i, &t, NULL), 0);
        expect_close(t.name, t.grad, need("net/%s/grad0/%s", which, t.name), t.numel, 1e-6,
                     1e-5);
    }
    free(x);
    cc_net_free(net);
}

static void test_first_pass_net_a(void **state)
{
    (void)state;
    first_pass("a");
}

static void test_first_pass_net_b(void **state)
{
    (void)state;
    first_pass("b");
}

/* The configurations of gen_net.py's OPTIMS, by name. */
static void config_for(const char *c, cc_optim_config *cfg)
{
    if (!strncmp(c, "sgd", 3)) {
        cc_optim_config_default(cfg, CC_OPTIM_SGD);
        cfg->lr = !strcmp(c, "sgd") ? 0.1 : 0.05;
        if (!strcmp(c, "sgd_momentum_wd"))
            cfg->momentum = 0.9, cfg->weight_decay = 5e-4;
        else if (!strcmp(c, "sgd_dampening"))
            cfg->momentum = 0.8, cfg->dampening = 0.3;
        else if (!strcmp(c, "sgd_nesterov_wd"))
            cfg->momentum = 0.9, cfg->nesterov = 1, cfg->weight_decay = 1e-3;
    } else if (!strcmp(c, "adamw")) {
        cc_optim_config_default(cfg, CC_OPTIM_ADAMW);
        cfg->lr = 1e-2, cfg->weight_decay = 0.1;
    } else {
        cc_optim_config_default(cfg, CC_OPTIM_ADAM);
        cfg->lr = 1e-2;
        if (!strcmp(c, "adam_wd"))
            cfg->beta1 = 0.8, cfg->beta2 = 0.99, cfg->eps = 1e-6, cfg->weight_decay = 1e-2;
    }
}

static void three_steps(const char *which)
{
    static const char *const cases[] = {"sgd",  "sgd_momentum_wd", "sgd_dampening",
                                        "sgd_nesterov_wd", "adam", "adam_wd", "adamw"};
    float *x;
    int32_t y[4];
    input_of(which, &x, y);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        cc_net *net = make_net(which);
        load_init(net, which);
        cc_optim_config cfg;
        config_for(cases[c], &cfg);
        cc_optim *opt;
        cc_error err;
        assert_int_equal(cc_optim_new(&opt, &cfg, &err), 0);
        assert_int_equal(cc_optim_add_net(opt, net, &err), 0);
        float losses[3];
        for (int s = 0; s < 3; s++) {
            double loss;
            cc_net_zero_grad(net);
            if (cc_net_forward(net, x, 4, &err) || cc_net_loss(net, y, &loss, NULL, &err) ||
                cc_net_backward(net, &err) || cc_optim_step(opt, &err))
                fail_msg("%s step %d: %s", cases[c], s, err.msg);
            losses[s] = (float)loss;
        }
        char what[200];
        snprintf(what, sizeof what, "%s/%s losses", which, cases[c]);
        expect_close(what, losses, need("net/%s/%s/loss", which, cases[c]), 3, 1e-6, 1e-5);
        size_t np = cc_net_param_count(net), nb = cc_net_buffer_count(net);
        for (size_t i = 0; i < np + nb; i++) {
            cc_net_tensor t;
            assert_int_equal(i < np ? cc_net_param(net, i, &t, NULL)
                                    : cc_net_buffer(net, i - np, &t, NULL), 0);
            snprintf(what, sizeof what, "%s/%s %s", which, cases[c], t.name);
            expect_close(what, t.data, need("net/%s/%s/after/%s", which, cases[c], t.name),
                         t.numel, 2e-6, 1e-4);
        }
        cc_optim_free(opt);
        cc_net_free(net);
    }
    free(x);
}

static void test_three_steps_net_a(void **state)
{
    (void)state;
    three_steps("a");
}

static void test_three_steps_net_b(void **state)
{
    (void)state;
    three_steps("b");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_pass_net_a),
        cmocka_unit_test(test_first_pass_net_b),
        cmocka_unit_test(test_three_steps_net_a),
        cmocka_unit_test(test_three_steps_net_b),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
