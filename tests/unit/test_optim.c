/* test_optim.c - SGD (momentum, dampening, Nesterov, weight decay), Adam and
 * AdamW against torch.optim on a bare parameter vector for four steps, the
 * StepLR and CosineAnnealingLR schedules against torch.optim.lr_scheduler
 * (tests/golden/net.txt, made by tests/golden/gen_net.py), checkpointing of
 * the state, and bad configurations and gradients. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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

/* The configurations gen_net.py uses, by case name. */
static void config_for(const char *c, cc_optim_config *cfg)
{
    if (!strncmp(c, "sgd", 3)) {
        cc_optim_config_default(cfg, CC_OPTIM_SGD);
        if (!strcmp(c, "sgd"))
            cfg->lr = 0.1;
        else if (!strcmp(c, "sgd_momentum_wd"))
            cfg->lr = 0.05, cfg->momentum = 0.9, cfg->weight_decay = 5e-4;
        else if (!strcmp(c, "sgd_dampening"))
            cfg->lr = 0.05, cfg->momentum = 0.8, cfg->dampening = 0.3;
        else if (!strcmp(c, "sgd_nesterov_wd"))
            cfg->lr = 0.05, cfg->momentum = 0.9, cfg->nesterov = 1, cfg->weight_decay = 1e-3;
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

static const char *const CASES[] = {"sgd",  "sgd_momentum_wd", "sgd_dampening",
                                    "sgd_nesterov_wd", "adam", "adam_wd", "adamw"};

static const golden_rec *need(const char *fmt, const char *c, int t)
{
    char name[160];
    snprintf(name, sizeof name, fmt, c, t);
    const golden_rec *r = golden_find(&G, name);
    if (!r)
        fail_msg("golden record %s missing", name);
    return r;
}

static void test_matches_torch_optim(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++) {
        cc_optim_config cfg;
        config_for(CASES[k], &cfg);
        cc_optim *opt;
        cc_error err;
        assert_int_equal(cc_optim_new(&opt, &cfg, &err), 0);
        float p[7], g[7];
        const golden_rec *p0 = need("optim/%s/p0", CASES[k], 0);
        for (int i = 0; i < 7; i++)
            p[i] = (float)p0->v[i];
        assert_int_equal(cc_optim_add(opt, "w", p, g, 7, &err), 0);
        for (int t = 1; t <= 4; t++) {
            const golden_rec *gr = need("optim/%s/g%d", CASES[k], t);
            const golden_rec *pt = need("optim/%s/p%d", CASES[k], t);
            for (int i = 0; i < 7; i++)
                g[i] = (float)gr->v[i];
            assert_int_equal(cc_optim_step(opt, &err), 0);
            /* float32 updates, same operation order as ATen; a few ulps of
             * difference come from FMA use in ATen's vector kernels */
            double e = golden_excess(p, pt->v, 7, 1e-7, 2e-6);
            if (e > 1.0)
                fail_msg("%s step %d: off by %g of the tolerance", CASES[k], t, e);
        }
        assert_int_equal(cc_optim_steps(opt), 4);
        cc_optim_free(opt);
    }
}

static void test_schedules_match_torch(void **state)
{
    (void)state;
    cc_lr_schedule st = {.kind = CC_LR_STEP, .base_lr = 0.1, .step_size = 3, .gamma = 0.5};
    cc_lr_schedule co = {.kind = CC_LR_COSINE, .base_lr = 0.1, .t_max = 5, .eta_min = 0.001};
    cc_lr_schedule cn = {.kind = CC_LR_CONSTANT, .base_lr = 0.1};
    assert_int_equal(cc_lr_check(&st, NULL), 0);
    assert_int_equal(cc_lr_check(&co, NULL), 0);
    const golden_rec *rs = golden_find(&G, "lr/step");
    const golden_rec *rc = golden_find(&G, "lr/cosine");
    assert_non_null(rs);
    assert_non_null(rc);
    for (long e = 0; e < 12; e++) {
        assert_true(fabs(cc_lr_at(&st, e) - rs->v[e]) <= 1e-15);
        /* PyTorch updates the cosine rate recursively; the closed form
         * agrees to rounding */
        assert_true(fabs(cc_lr_at(&co, e) - rc->v[e]) <= 1e-12);
        assert_true(cc_lr_at(&cn, e) == 0.1);
    }
    cc_lr_schedule bad = st;
    bad.step_size = 0;
    assert_int_equal(cc_lr_check(&bad, NULL), CC_EINVAL);
    bad = co;
    bad.t_max = -1;
    assert_int_equal(cc_lr_check(&bad, NULL), CC_EINVAL);
    bad = co;
    bad.base_lr = NAN;
    assert_int_equal(cc_lr_check(&bad, NULL), CC_EINVAL);
}

/* Two steps, checkpoint (state buffers + step count) into a fresh optimizer,
 * two more steps: bit-identical to four uninterrupted steps. */
static void test_checkpoint_resume_is_exact(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++) {
        cc_optim_config cfg;
        config_for(CASES[k], &cfg);
        const golden_rec *p0 = need("optim/%s/p0", CASES[k], 0);
        float pa[7], pb[7], g[7];
        for (int i = 0; i < 7; i++)
            pa[i] = pb[i] = (float)p0->v[i];
        cc_optim *a, *b, *c;
        assert_int_equal(cc_optim_new(&a, &cfg, NULL), 0);
        assert_int_equal(cc_optim_new(&b, &cfg, NULL), 0);
        assert_int_equal(cc_optim_add(a, "w", pa, g, 7, NULL), 0);
        assert_int_equal(cc_optim_add(b, "w", pb, g, 7, NULL), 0);
        for (int t = 1; t <= 4; t++) {
            const golden_rec *gr = need("optim/%s/g%d", CASES[k], t);
            for (int i = 0; i < 7; i++)
                g[i] = (float)gr->v[i];
            assert_int_equal(cc_optim_step(a, NULL), 0);
            if (t == 2) { /* b is "killed" here and resumed as c */
                assert_int_equal(cc_optim_step(b, NULL), 0);
                assert_int_equal(cc_optim_new(&c, &cfg, NULL), 0);
                assert_int_equal(cc_optim_add(c, "w", pb, g, 7, NULL), 0);
                size_t ns = cc_optim_state_count(b);
                assert_int_equal(ns, cc_optim_state_count(c));
                assert_int_equal(ns, cfg.kind == CC_OPTIM_SGD ? (cfg.momentum > 0) : 2);
                for (size_t s = 0; s < ns; s++) {
                    cc_optim_state_view v;
                    assert_int_equal(cc_optim_state(b, s, &v, NULL), 0);
                    size_t n = 0;
                    float *dst = cc_optim_state_find(c, v.name, &n);
                    assert_non_null(dst);
                    assert_int_equal(n, v.n);
                    memcpy(dst, v.data, n * sizeof(float));
                }
                assert_int_equal(cc_optim_set_steps(c, cc_optim_steps(b), NULL), 0);
                cc_optim_free(b);
                b = c;
            } else {
                assert_int_equal(cc_optim_step(b, NULL), 0);
            }
        }
        assert_memory_equal(pa, pb, sizeof pa);
        cc_optim_free(a);
        cc_optim_free(b);
    }
}

static void test_state_names(void **state)
{
    (void)state;
    cc_optim_config cfg;
    cc_optim_config_default(&cfg, CC_OPTIM_ADAM);
    cc_optim *o;
    float p[3] = {0}, g[3] = {0}, q[2] = {0}, h[2] = {0};
    assert_int_equal(cc_optim_new(&o, &cfg, NULL), 0);
    assert_int_equal(cc_optim_add(o, "0.weight", p, g, 3, NULL), 0);
    assert_int_equal(cc_optim_add(o, "0.bias", q, h, 2, NULL), 0);
    cc_optim_state_view v;
    assert_int_equal(cc_optim_state(o, 3, &v, NULL), 0);
    assert_string_equal(v.name, "0.bias.exp_avg_sq");
    assert_int_equal(v.n, 2);
    assert_int_equal(cc_optim_state(o, 0, &v, NULL), 0);
    assert_string_equal(v.name, "0.weight.exp_avg");
    assert_int_equal(cc_optim_state(o, 4, &v, NULL), CC_EINVAL);
    assert_null(cc_optim_state_find(o, "nope", NULL));
    cc_optim_free(o);
}

static void test_bad_configs_and_gradients(void **state)
{
    (void)state;
    cc_optim_config cfg;
    cc_optim *o = NULL;
    cc_error err;
    cc_optim_config_default(&cfg, CC_OPTIM_SGD);
    cfg.lr = -1;
    assert_int_equal(cc_optim_new(&o, &cfg, &err), CC_EINVAL);
    assert_null(o);
    assert_non_null(strstr(err.msg, "learning rate"));
    cc_optim_config_default(&cfg, CC_OPTIM_SGD);
    cfg.nesterov = 1; /* without momentum */
    assert_int_equal(cc_optim_new(&o, &cfg, &err), CC_EINVAL);
    cfg.momentum = 0.9;
    cfg.dampening = 0.1; /* nesterov needs zero dampening */
    assert_int_equal(cc_optim_new(&o, &cfg, &err), CC_EINVAL);
    cc_optim_config_default(&cfg, CC_OPTIM_ADAM);
    cfg.beta2 = 1.0;
    assert_int_equal(cc_optim_new(&o, &cfg, &err), CC_EINVAL);
    cc_optim_config_default(&cfg, CC_OPTIM_ADAMW);
    cfg.weight_decay = INFINITY;
    assert_int_equal(cc_optim_new(&o, &cfg, &err), CC_EINVAL);
    cc_optim_config_default(&cfg, CC_OPTIM_ADAMW);
    assert_true(cfg.weight_decay == 0.01 && cfg.lr == 1e-3 && cfg.eps == 1e-8);
    assert_int_equal(cc_optim_new(&o, &cfg, &err), 0);
    float p[4] = {1, 2, 3, 4}, g[4] = {0.5f, NAN, 0, 0};
    assert_int_equal(cc_optim_add(o, "w", p, g, 0, &err), CC_EINVAL);
    assert_int_equal(cc_optim_add(o, "w", p, g, SIZE_MAX / 2, &err), CC_ERANGE);
    assert_int_equal(cc_optim_add(o, "w", p, g, 4, &err), 0);
    assert_int_equal(cc_optim_step(o, &err), CC_ENUMERIC);
    assert_non_null(strstr(err.msg, "NaN"));
    assert_true(p[0] == 1 && p[1] == 2); /* nothing changed */
    assert_int_equal(cc_optim_steps(o), 0);
    g[1] = 0;
    assert_int_equal(cc_optim_step(o, &err), 0);
    assert_true(p[0] < 1);
    assert_int_equal(cc_optim_set_lr(o, 0.0, &err), CC_EINVAL);
    assert_int_equal(cc_optim_set_lr(o, 0.5, &err), 0);
    assert_true(cc_optim_lr(o) == 0.5);
    assert_int_equal(cc_optim_set_steps(o, -1, &err), CC_EINVAL);
    cc_optim_free(o);
    cc_optim_kind kind;
    assert_int_equal(cc_optim_kind_parse("adamw", &kind), 0);
    assert_int_equal(kind, CC_OPTIM_ADAMW);
    assert_int_equal(cc_optim_kind_parse("rmsprop", &kind), CC_EINVAL);
    assert_string_equal(cc_optim_kind_name(CC_OPTIM_SGD), "sgd");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_torch_optim),
        cmocka_unit_test(test_schedules_match_torch),
        cmocka_unit_test(test_checkpoint_resume_is_exact),
        cmocka_unit_test(test_state_names),
        cmocka_unit_test(test_bad_configs_and_gradients),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
