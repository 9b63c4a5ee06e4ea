/* test_train.c - the training loop: a short real run on a slice of
 * Fashion-MNIST that must beat chance by far; resuming an interrupted run
 * ends bit-identical to an uninterrupted one; early stopping restores the
 * best weights; a saved model evaluates to the same numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convcalc/data.h"
#include "convcalc/model.h"
#include "convcalc/net.h"
#include "convcalc/stack.h"
#include "convcalc/train.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s/cc-train-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static cc_stack *parse(const char *spec)
{
    cc_stack *s = NULL;
    cc_error err;
    cc_error_clear(&err);
    if (cc_stack_parse_spec(&s, spec, strlen(spec), &err) != 0)
        fail_msg("spec: %d:%d %s", err.line, err.col, err.msg);
    return s;
}

static void put32(FILE *f, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    assert_int_equal(fwrite(b, 1, 4, f), 4);
}

/* A learnable synthetic set written as IDX files: 8x8 images, class k has a
 * bright row k % 8 (and a bright column for k >= 8) over seeded noise. */
static void write_synthetic(const char *prefix, uint32_t n, uint32_t seed, char *img, char *lab)
{
    sprintf(img, "%s/%s-images", dir, prefix);
    sprintf(lab, "%s/%s-labels", dir, prefix);
    FILE *fi = fopen(img, "wb"), *fl = fopen(lab, "wb");
    assert_non_null(fi);
    assert_non_null(fl);
    put32(fi, 0x803);
    put32(fi, n);
    put32(fi, 8);
    put32(fi, 8);
    put32(fl, 0x801);
    put32(fl, n);
    uint32_t s = seed * 2654435761u + 1;
    for (uint32_t i = 0; i < n; i++) {
        int k = (int)(i % 10);
        fputc(k, fl);
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++) {
                s = s * 1664525u + 1013904223u;
                int v = (int)(s >> 26); /* noise 0..63 */
                if (y == k % 8 || (k >= 8 && x == k - 6))
                    v += 150;
                fputc(v, fi);
            }
    }
    fclose(fi);
    fclose(fl);
}

static const char *small_spec = "input 8x8x1\n"
                                "conv 4 3x3 pad 1\n"
                                "relu\n"
                                "maxpool 2\n"
                                "flatten\n"
                                "linear 64->10\n";

static cc_data *synthetic_data(void)
{
    char ti[512], tl[512], vi[512], vl[512], src[2100];
    write_synthetic("train", 200, 1, ti, tl);
    write_synthetic("test", 60, 2, vi, vl);
    snprintf(src, sizeof src, "idx:%s,%s,%s,%s", ti, tl, vi, vl);
    cc_data *d;
    cc_error err;
    cc_error_clear(&err);
    if (cc_data_load(&d, src, &err) != 0)
        fail_msg("load: %s: %s", err.source, err.msg);
    return d;
}

static void config(cc_train_config *cfg, const char *ckpt)
{
    cc_train_config_default(cfg);
    cfg->epochs = 3;
    cfg->batch = 16;
    cfg->optim.lr = 0.05;
    cfg->optim.momentum = 0.9;
    cfg->prep.val_fraction = 0.2;
    cfg->seed = 7;
    cfg->checkpoint = ckpt;
}

static void weights(cc_train_run *r, float **out, size_t *n)
{
    cc_net *net = cc_train_net(r);
    size_t total = 0, np = cc_net_param_count(net);
    cc_net_tensor t;
    for (size_t i = 0; i < np; i++) {
        assert_int_equal(cc_net_param(net, i, &t, NULL), 0);
        total += t.numel;
    }
    float *w = malloc(total * sizeof *w), *p = w;
    for (size_t i = 0; i < np; i++) {
        assert_int_equal(cc_net_param(net, i, &t, NULL), 0);
        memcpy(p, t.data, t.numel * sizeof *p);
        p += t.numel;
    }
    *out = w;
    *n = total;
}

static void test_resume_is_bit_identical(void **state)
{
    (void)state;
    cc_data *d = synthetic_data();
    cc_stack *s = parse(small_spec);
    char ck_a[512], ck_b[512];
    snprintf(ck_a, sizeof ck_a, "%s/a.ckpt", dir);
    snprintf(ck_b, sizeof ck_b, "%s/b.ckpt", dir);
    cc_error err;
    cc_error_clear(&err);
    cc_train_config cfg;

    /* A: uninterrupted */
    config(&cfg, ck_a);
    cc_train_run *a;
    assert_int_equal(cc_train_new(&a, s, d, &cfg, &err), 0);
    assert_int_equal(cc_train_fit(a, &err), 0);
    assert_true(cc_train_finished(a));

    /* B: interrupted in the middle of epoch 2 (160 training images, 10
     * batches an epoch), then resumed by a new run from the checkpoint */
    config(&cfg, ck_b);
    cfg.stop_after_steps = 14;
    cc_train_run *b;
    assert_int_equal(cc_train_new(&b, s, d, &cfg, &err), 0);
    assert_int_equal(cc_train_fit(b, &err), 0);
    assert_false(cc_train_finished(b));
    cc_train_free(b);
    cfg.stop_after_steps = 0;
    cfg.resume = 1;
    assert_int_equal(cc_train_new(&b, s, d, &cfg, &err), 0);
    if (cc_train_fit(b, &err) != 0)
        fail_msg("resume: %s: %s", err.source, err.msg);
    assert_true(cc_train_finished(b));
    long resumed;
    cc_train_summary(b, NULL, NULL, NULL, &resumed);
    assert_int_equal(resumed, 1);

    const cc_results *ra = cc_train_results(a), *rb = cc_train_results(b);
    for (int k = 0; k < 3; k++) {
        assert_memory_equal(&ra->loss[k], &rb->loss[k], sizeof(double));
        assert_memory_equal(&ra->accuracy[k], &rb->accuracy[k], sizeof(double));
    }
    float *wa, *wb;
    size_t na, nb;
    weights(a, &wa, &na);
    weights(b, &wb, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(wa, wb, na * sizeof(float));
    size_t ha, hb;
    const cc_eval_point *pa = cc_train_history(a, &ha), *pb = cc_train_history(b, &hb);
    assert_int_equal(ha, hb);
    for (size_t i = 0; i < ha; i++) {
        assert_int_equal(pa[i].step, pb[i].step);
        assert_memory_equal(&pa[i].loss, &pb[i].loss, sizeof(double));
    }
    /* the checkpoint refuses another configuration */
    cfg.optim.lr = 0.01;
    cc_train_run *c;
    assert_int_equal(cc_train_new(&c, s, d, &cfg, &err), 0);
    assert_int_equal(cc_train_fit(c, &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "another learning rate"));
    assert_non_null(strstr(err.source, "b.ckpt"));
    cc_train_free(c);

    free(wa);
    free(wb);
    cc_train_free(a);
    cc_train_free(b);
    cc_stack_free(s);
    cc_data_free(d);
}

static void test_best_weights_and_model_file(void **state)
{
    (void)state;
    cc_data *d = synthetic_data();
    cc_stack *s = parse(small_spec);
    cc_error err;
    cc_error_clear(&err);
    cc_train_config cfg;
    config(&cfg, NULL);
    cfg.epochs = 6;
    cfg.optim.lr = 0.3; /* too high on purpose: the validation loss wanders */
    cfg.patience = 2;
    cc_train_run *r;
    assert_int_equal(cc_train_new(&r, s, d, &cfg, &err), 0);
    assert_int_equal(cc_train_fit(r, &err), 0);
    long epochs_run, best;
    int early;
    cc_train_summary(r, &epochs_run, &best, &early, NULL);
    /* the best epoch has the lowest validation loss in the history, and the
     * final validation loss (best weights restored) is exactly that loss */
    size_t nh;
    const cc_eval_point *h = cc_train_history(r, &nh);
    double lowest = INFINITY;
    long lowest_epoch = 0, vals = 0;
    for (size_t i = 0; i < nh; i++)
        if (h[i].split == CC_SPLIT_VAL) {
            vals++;
            if (h[i].loss < lowest) {
                lowest = h[i].loss;
                lowest_epoch = h[i].epoch;
            }
        }
    assert_int_equal(vals, epochs_run);
    assert_int_equal(best, lowest_epoch);
    const cc_results *res = cc_train_results(r);
    assert_memory_equal(&res->loss[CC_SPLIT_VAL], &lowest, sizeof(double));
    if (early)
        assert_int_equal(epochs_run - best, 2);
    else
        assert_int_equal(epochs_run, 6);

    /* the model file: self-describing, and evaluates to the same numbers */
    char path[512], src[2100];
    snprintf(path, sizeof path, "%s/m.safetensors", dir);
    assert_int_equal(cc_train_save_model(r, path, &err), 0);
    cc_safetensors *st;
    assert_int_equal(cc_st_load(&st, path, &err), 0);
    assert_non_null(strstr(cc_st_meta(st, "convcalc.stack"), "conv 4 3x3 pad 1"));
    assert_non_null(cc_st_meta(st, "convcalc.normalize.mean"));
    cc_st_free(st);
    snprintf(src, sizeof src, "idx:%s/train-images,%s/train-labels,%s/test-images,%s/test-labels",
             dir, dir, dir, dir);
    cc_results ev;
    int64_t *conf;
    int classes;
    if (cc_model_evaluate(path, src, 32, 1, &ev, &conf, &classes, &err) != 0)
        fail_msg("evaluate: %s: %s", err.source, err.msg);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(ev.n[k], res->n[k]);
        assert_true(fabs(ev.loss[k] - res->loss[k]) < 1e-6);
        assert_true(fabs(ev.accuracy[k] - res->accuracy[k]) < 1e-12);
    }
    int64_t total = 0;
    for (int i = 0; i < classes * classes; i++)
        total += conf[i];
    assert_int_equal(total, 60);
    free(conf);
    /* a model file that is not one */
    assert_int_equal(cc_model_evaluate("/nonexistent.safetensors", src, 32, 1, &ev, NULL, NULL,
                                       &err),
                     CC_EINVAL);
    cc_train_free(r);
    cc_stack_free(s);
    cc_data_free(d);
}

/* A real run: 3000 Fashion-MNIST training images, 1000 test images, one
 * small network, two epochs. Chance is 10%. */
static void test_fashion_mnist_slice(void **state)
{
    (void)state;
    cc_data *d;
    cc_error err;
    cc_error_clear(&err);
    if (access(CC_FASHION_MNIST_DIR "/train-images-idx3-ubyte.gz", R_OK) != 0)
        fail_msg("Debian's dataset-fashion-mnist is not installed (make deps installs it)");
    assert_int_equal(cc_data_load(&d, "fashion-mnist", &err), 0);
    assert_int_equal(d->train.n, 60000);
    assert_int_equal(d->test.n, 10000);
    cc_data_limit(d, 3000, 1000);
    cc_stack *s = parse("input 28x28x1\n"
                        "conv 8 5x5 pad 2\n"
                        "relu\n"
                        "maxpool 2\n"
                        "conv 16 5x5 pad 2\n"
                        "relu\n"
                        "maxpool 2\n"
                        "flatten\n"
                        "linear 784->10\n");
    cc_train_config cfg;
    cc_train_config_default(&cfg);
    cfg.epochs = 2;
    cfg.batch = 32;
    cc_optim_config_default(&cfg.optim, CC_OPTIM_ADAM);
    cfg.optim.lr = 0.003;
    cfg.threads = 2;
    cc_train_run *r;
    assert_int_equal(cc_train_new(&r, s, d, &cfg, &err), 0);
    if (cc_train_fit(r, &err) != 0)
        fail_msg("fit: %s", err.msg);
    const cc_results *res = cc_train_results(r);
    printf("  fashion-mnist slice: test accuracy %.2f%%, loss %.4f\n",
           100 * res->accuracy[CC_SPLIT_TEST], res->loss[CC_SPLIT_TEST]);
    assert_int_equal(res->n[CC_SPLIT_TEST], 1000);
    assert_int_equal(res->n[CC_SPLIT_VAL], 300);
    assert_true(res->accuracy[CC_SPLIT_TEST] > 0.70);
    assert_true(res->loss[CC_SPLIT_TEST] < 0.8); /* chance: ln 10 = 2.30 */
    cc_train_free(r);
    cc_stack_free(s);
    cc_data_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resume_is_bit_identical),
        cmocka_unit_test(test_best_weights_and_model_file),
        cmocka_unit_test(test_fashion_mnist_slice),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
