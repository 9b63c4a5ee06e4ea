/* test_check_results.c - the results-table kind against a real model: a
 * tiny network is trained with the engine on a small IDX data set written
 * here, saved as safetensors, and the checker must reproduce the training
 * run's own results table from the model file alone (a second, independent
 * path: load, rebuild, evaluate), reject wrong numbers, and notice a model
 * of another network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convcalc/exercise.h"
#include "convcalc/stack.h"
#include "convcalc/train.h"

typedef struct fixture {
    char dir[64];
    char source[1024];
    char model[256];     /* the problem's network */
    char other[256];     /* another network */
    cc_results res;      /* what training reported for model */
    char limited[160];   /* net_a trained on a subset */
    cc_results lres;
    char text[2048];     /* the exercise set */
} fixture;

static void put_be32(FILE *f, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    fwrite(b, 1, 4, f);
}

/* n 8x8 images: class 0 bright on the left, class 1 on the right, noise. */
static void write_idx(const char *images, const char *labels, int n, unsigned seed)
{
    FILE *fi = fopen(images, "wb"), *fl = fopen(labels, "wb");
    assert_non_null(fi);
    assert_non_null(fl);
    put_be32(fi, 0x803);
    put_be32(fi, (uint32_t)n);
    put_be32(fi, 8);
    put_be32(fi, 8);
    put_be32(fl, 0x801);
    put_be32(fl, (uint32_t)n);
    for (int i = 0; i < n; i++) {
        int cls = i % 2;
        for (int r = 0; r < 8; r++)
            for (int c = 0; c < 8; c++) {
                seed = seed * 1103515245u + 12345u;
                int noise = (int)((seed >> 16) % 90);
                int bright = (c < 4) == (cls == 0) ? 140 : 0;
                fputc(bright + noise, fi);
            }
        fputc(cls, fl);
    }
    fclose(fi);
    fclose(fl);
}

static const char *net_a = "input 8x8x1\nconv 4 3x3\nrelu\nflatten\nlinear 2\n";
static const char *net_b = "input 8x8x1\nconv 6 3x3\nrelu\nflatten\nlinear 2\n";

static void train_and_save(const char *spec, const cc_data *data, const char *path,
                           cc_results *out)
{
    cc_stack *s;
    cc_error err;
    cc_error_clear(&err);
    if (cc_stack_parse(&s, spec, strlen(spec), CC_SOURCE_SPEC, &err) || cc_stack_infer(s, &err))
        fail_msg("stack: %s", err.msg);
    cc_train_config cfg;
    cc_train_config_default(&cfg);
    cfg.epochs = 2;
    cfg.batch = 16;
    cfg.optim.lr = 0.05;
    cc_train_run *run;
    if (cc_train_new(&run, s, data, &cfg, &err) || cc_train_fit(run, &err))
        fail_msg("train: %s", err.msg);
    if (out)
        *out = *cc_train_results(run);
    if (cc_train_save_model(run, path, &err))
        fail_msg("save: %s", err.msg);
    cc_train_free(run);
    cc_stack_free(s);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/cc-check-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    char ti[128], tl[128], si[128], sl[128];
    snprintf(ti, sizeof ti, "%s/train-images", f->dir);
    snprintf(tl, sizeof tl, "%s/train-labels", f->dir);
    snprintf(si, sizeof si, "%s/test-images", f->dir);
    snprintf(sl, sizeof sl, "%s/test-labels", f->dir);
    write_idx(ti, tl, 160, 7);
    write_idx(si, sl, 60, 99);
    snprintf(f->source, sizeof f->source, "idx:%s,%s,%s,%s", ti, tl, si, sl);
    cc_data *data;
    cc_error err;
    if (cc_data_load(&data, f->source, &err))
        fail_msg("data: %s", err.msg);
    snprintf(f->model, sizeof f->model, "%s/a.safetensors", f->dir);
    snprintf(f->other, sizeof f->other, "%s/b.safetensors", f->dir);
    train_and_save(net_a, data, f->model, &f->res);
    train_and_save(net_b, data, f->other, NULL);
    /* the same network on the first 100 training and 40 test images only,
     * as `convcalc train --limit 100 --limit-test 40` */
    cc_data_limit(data, 100, 40);
    snprintf(f->limited, sizeof f->limited, "%s/c.safetensors", f->dir);
    train_and_save(net_a, data, f->limited, &f->lres);
    cc_data_free(data);
    snprintf(f->text, sizeof f->text,
             "problem: r\nkind: results\npoints: 5\ndata: %s\ntolerance: 0.001\n"
             "stack:\n    conv 4 3x3\n    relu\n    flatten\n    linear 2\ninput: 8x8x1\n",
             f->source);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    const char *names[] = {"train-images", "train-labels", "test-images", "test-labels",
                           "a.safetensors", "b.safetensors", "c.safetensors"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s/%s", f->dir, names[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static void grade_opt(fixture *f, const char *answer, const char *basedir, int as_trained,
                      cc_grade *g)
{
    cc_exset *set;
    cc_error err;
    cc_error_clear(&err);
    if (cc_exset_parse(&set, f->text, strlen(f->text), "r.txt", NULL, &err))
        fail_msg("set: %d:%d: %s", err.line, err.col, err.msg);
    cc_exset_set_as_trained(set, as_trained);
    if (cc_exset_grade(g, set, 0, answer, basedir, &err))
        fail_msg("grade: %s", err.msg);
    cc_exset_free(set);
}

static void grade(fixture *f, const char *answer, const char *basedir, cc_grade *g)
{
    grade_opt(f, answer, basedir, 0, g);
}

static void report(char *out, size_t size, const char *model, const cc_results *r, double bump)
{
    snprintf(out, size,
             "model %s\ntrain loss %.4f accuracy %.4f\nval loss %.4f accuracy %.4f\n"
             "test loss %.4f accuracy %.4f\n",
             model, r->loss[0], r->accuracy[0], r->loss[1], r->accuracy[1], r->loss[2],
             r->accuracy[2] + bump);
}

static void test_reproduced(void **state)
{
    fixture *f = *state;
    assert_true(f->res.have[0] && f->res.have[1] && f->res.have[2]);
    char ans[1024];
    report(ans, sizeof ans, f->model, &f->res, 0);
    cc_grade g;
    grade(f, ans, NULL, &g);
    if (g.verdict != CC_VERDICT_RIGHT)
        fail_msg("expected right:\n%s", g.feedback);
    assert_true(g.points == 5);
    assert_non_null(strstr(g.feedback, "Reproduced 6 of 6"));
    cc_grade_free(&g);
    /* relative to the sheet's directory, accuracy in percent, as a table */
    char table[1024];
    snprintf(table, sizeof table,
             "a.safetensors\n"
             "            Training  Validation  Test\n"
             "Loss        %.4f    %.4f      %.4f\n"
             "Accuracy    %.2f%%    %.2f%%      %.2f%%\n",
             f->res.loss[0], f->res.loss[1], f->res.loss[2], 100 * f->res.accuracy[0],
             100 * f->res.accuracy[1], 100 * f->res.accuracy[2]);
    grade(f, table, f->dir, &g);
    if (g.verdict != CC_VERDICT_RIGHT)
        fail_msg("expected right (table):\n%s", g.feedback);
    cc_grade_free(&g);
}

static void test_wrong_number(void **state)
{
    fixture *f = *state;
    char ans[1024];
    report(ans, sizeof ans, f->model, &f->res, f->res.accuracy[2] > 0.5 ? -0.2 : 0.2);
    cc_grade g;
    grade(f, ans, NULL, &g);
    assert_int_equal(g.verdict, CC_VERDICT_WRONG);
    assert_non_null(strstr(g.feedback, "Reproduced 5 of 6"));
    assert_non_null(strstr(g.feedback, "test accuracy: you reported"));
    int found = 0;
    for (size_t i = 0; i < g.n_details; i++)
        if (!strcmp(g.details[i].what, "test accuracy")) {
            assert_false(g.details[i].ok);
            found = 1;
        } else {
            assert_true(g.details[i].ok);
        }
    assert_true(found);
    cc_grade_free(&g);
}

static void test_other_network(void **state)
{
    fixture *f = *state;
    cc_results r;
    cc_error err;
    int64_t *conf = NULL;
    int classes = 0;
    assert_int_equal(cc_model_evaluate(f->other, f->source, 64, 1, &r, &conf, &classes, &err), 0);
    free(conf);
    char ans[1024];
    report(ans, sizeof ans, f->other, &r, 0);
    cc_grade g;
    grade(f, ans, NULL, &g);
    /* its own numbers are reproduced, but it is not the problem's network */
    assert_int_equal(g.verdict, CC_VERDICT_WRONG);
    assert_non_null(strstr(g.feedback, "not the problem's network"));
    assert_non_null(strstr(g.feedback, "Reproduced 6 of 6"));
    cc_grade_free(&g);
}

static void test_unreadable(void **state)
{
    fixture *f = *state;
    cc_grade g;
    grade(f, "train loss 0.3 accuracy 0.9\n", NULL, &g);
    assert_int_equal(g.verdict, CC_VERDICT_WRONG);
    assert_non_null(strstr(g.feedback, "no model file"));
    cc_grade_free(&g);
    grade(f, "model nowhere.safetensors\ntest loss 0.3 accuracy 0.9\n", f->dir, &g);
    assert_int_equal(g.verdict, CC_VERDICT_WRONG);
    assert_non_null(strstr(g.feedback, "Cannot load the model file"));
    cc_grade_free(&g);
    grade(f, "", NULL, &g);
    assert_int_equal(g.verdict, CC_VERDICT_MISSING);
    cc_grade_free(&g);
    /* only some numbers reported: the rest are missing */
    char ans[512];
    snprintf(ans, sizeof ans, "model %s\ntest loss %.4f accuracy %.4f\n", f->model,
             f->res.loss[2], f->res.accuracy[2]);
    grade(f, ans, NULL, &g);
    assert_int_equal(g.verdict, CC_VERDICT_WRONG);
    assert_non_null(strstr(g.feedback, "train loss: not reported"));
    cc_grade_free(&g);
}

/* A model trained on a subset: recognised from the split sizes its file
 * records; graded on those images with the option. */
static void test_subset(void **state)
{
    fixture *f = *state;
    assert_true(f->lres.n[0] + f->lres.n[1] == 100 && f->lres.n[2] == 40);
    char ans[1024];
    report(ans, sizeof ans, f->limited, &f->lres, 0);
    cc_grade g;
    grade(f, ans, NULL, &g);
    assert_int_equal(g.verdict, CC_VERDICT_WRONG);
    if (!strstr(g.feedback, "trained on a subset") || !strstr(g.feedback, "--as-trained"))
        fail_msg("subset not named:\n%s", g.feedback);
    cc_grade_free(&g);
    grade_opt(f, ans, NULL, 1, &g);
    if (g.verdict != CC_VERDICT_RIGHT)
        fail_msg("expected right with --as-trained:\n%s", g.feedback);
    cc_grade_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reproduced),
        cmocka_unit_test(test_wrong_number),
        cmocka_unit_test(test_other_network),
        cmocka_unit_test(test_unreadable),
        cmocka_unit_test(test_subset),
    };
    return cmocka_run_group_tests_name("check results", tests, setup, teardown);
}
