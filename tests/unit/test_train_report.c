/* test_train_report.c - the results table in every format, the confusion
 * matrix, the CSV log and the learning-curve SVG. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/train.h"

static const cc_results res = {{1, 1, 0}, {900, 100, 0}, {0.25, 0.5, 0}, {0.9, 0.875, 0}};

static void test_results_formats(void **state)
{
    (void)state;
    cc_buf b = {0};
    cc_results_render(&b, &res, CC_FORMAT_TEXT);
    assert_string_equal(cc_buf_str(&b), "              Training  Validation        Test\n"
                                        "Loss            0.2500      0.5000           -\n"
                                        "Accuracy        90.00%      87.50%           -\n");
    cc_buf_reset(&b);
    cc_results_render(&b, &res, CC_FORMAT_MARKDOWN);
    assert_non_null(strstr(cc_buf_str(&b), "| Accuracy | 90.00% | 87.50% | - |"));
    cc_buf_reset(&b);
    cc_results_render(&b, &res, CC_FORMAT_LATEX);
    assert_non_null(strstr(cc_buf_str(&b), "Accuracy & 90.00\\,\\% & 87.50\\,\\% & - \\\\"));
    assert_non_null(strstr(cc_buf_str(&b), "\\begin{tabular}{lrrr}"));
    cc_buf_reset(&b);
    cc_results_render(&b, &res, CC_FORMAT_CSV);
    assert_string_equal(cc_buf_str(&b), "metric,train,validation,test\n"
                                        "loss,0.250000,0.500000,\n"
                                        "accuracy,0.900000,0.875000,\n");
    cc_buf_reset(&b);
    cc_results_render(&b, &res, CC_FORMAT_JSON);
    cJSON *j = cJSON_Parse(cc_buf_str(&b));
    assert_non_null(j);
    cJSON *tr = cJSON_GetObjectItem(j, "train");
    assert_true(cJSON_IsObject(tr));
    assert_true(cJSON_GetObjectItem(tr, "loss")->valuedouble == 0.25);
    assert_true(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "validation"), "accuracy")->valuedouble ==
                0.875);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "test")));
    cJSON_Delete(j);
    cc_buf_free(&b);
}

static void test_confusion(void **state)
{
    (void)state;
    int64_t m[4] = {8, 2, 1, 9};
    char names[2][24] = {"Coat", ""};
    cc_buf b = {0};
    cc_confusion_render(&b, m, 2, (const char(*)[24])names, CC_FORMAT_TEXT);
    assert_string_equal(cc_buf_str(&b), "true \\ predicted   0   1  recall\n"
                                        "0 Coat             8   2   80.0%\n"
                                        "1                  1   9   90.0%\n");
    cc_buf_reset(&b);
    cc_confusion_render(&b, m, 2, NULL, CC_FORMAT_JSON);
    assert_string_equal(cc_buf_str(&b), "{\"classes\": [\"0\", \"1\"], \"matrix\": [[8, 2], [1, 9]]}\n");
    cc_buf_free(&b);
}

static void test_log_and_curves(void **state)
{
    (void)state;
    cc_eval_point p[4] = {
        {1, 5, 320, CC_SPLIT_TRAIN, 2.0, 0.3, 0.05, 1.5},
        {1, 10, 640, CC_SPLIT_TRAIN, 1.0, 0.6, 0.05, 3.0},
        {1, 10, 640, CC_SPLIT_VAL, 1.2, 0.55, 0.05, 3.5},
        {2, 20, 1280, CC_SPLIT_TRAIN, 0.5, 0.8, 0.05, 6.0},
    };
    cc_buf b = {0};
    cc_history_csv(&b, p, 4);
    assert_string_equal(cc_buf_str(&b), "epoch,step,images,split,loss,accuracy,lr,seconds\n"
                                        "1,5,320,train,2.000000,0.300000,0.05,1.500\n"
                                        "1,10,640,train,1.000000,0.600000,0.05,3.000\n"
                                        "1,10,640,validation,1.200000,0.550000,0.05,3.500\n"
                                        "2,20,1280,train,0.500000,0.800000,0.05,6.000\n");
    cc_buf_reset(&b);
    cc_curves_svg(&b, p, 4, "a <b> & c");
    const char *s = cc_buf_str(&b);
    assert_non_null(strstr(s, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_non_null(strstr(s, "a &lt;b&gt; &amp; c"));
    assert_non_null(strstr(s, "cross-entropy loss"));
    assert_non_null(strstr(s, "accuracy (%)"));
    assert_non_null(strstr(s, ">validation</text>"));
    assert_non_null(strstr(s, "</svg>\n"));
    /* two panels x (training + validation) curves */
    int lines = 0;
    for (const char *q = s; (q = strstr(q, "<polyline")) != NULL; q++)
        lines++;
    assert_int_equal(lines, 4);
    /* loss axis from 0.4 to 2 with ticks every 0.2; steps 0..20 every 5 */
    assert_non_null(strstr(s, ">0.4</text>"));
    assert_non_null(strstr(s, ">1.4</text>"));
    assert_non_null(strstr(s, ">15</text>"));
    assert_non_null(strstr(s, ">20</text>"));
    /* the training loss curve: 3 points; x = 110 + step/20 * 480,
     * y = 580 - (loss - 0.4)/1.6 * 470 */
    const char *pl = strstr(s, "<polyline");
    assert_non_null(strstr(pl, "points=\"230.0,110.0 350.0,403.8 590.0,550.6\""));
    /* a 16:9 figure */
    assert_non_null(strstr(s, "viewBox=\"0 0 1280 720\""));
    cc_buf_free(&b);
}

/* The README's learning curves (tests/data/fmnist-curves.svg) are what
 * `train --plot` draws from that run's history, which `--log` recorded in
 * tests/data/fmnist-log.csv: the history is read back, the title made as
 * the train command makes it for the README's run (fashion-mnist, sgd,
 * batch 64; lr and the best epoch, the lowest validation loss, from the
 * log) and the figure compared. CONVCALC_UPDATE_FIGURES=1 rewrites it. */
static void test_readme_curves(void **state)
{
    (void)state;
    FILE *f = fopen("tests/data/fmnist-log.csv", "r");
    assert_non_null(f);
    cc_eval_point p[512];
    size_t n = 0;
    char line[256], split[32];
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "epoch,step,images,split,loss,accuracy,lr,seconds\n");
    long long step, images;
    while (n < 512 && fgets(line, sizeof line, f)) {
        cc_eval_point *q = &p[n++];
        assert_int_equal(sscanf(line, "%ld,%lld,%lld,%31[a-z],%lf,%lf,%lf,%lf", &q->epoch, &step,
                                &images, split, &q->loss, &q->accuracy, &q->lr, &q->seconds),
                         8);
        q->step = step;
        q->images = images;
        q->split = strcmp(split, "validation") == 0 ? CC_SPLIT_VAL : CC_SPLIT_TRAIN;
    }
    fclose(f);
    assert_true(n > 2);
    long best = 0, epochs = 0;
    double best_loss = 0;
    for (size_t i = 0; i < n; i++) {
        epochs = p[i].epoch > epochs ? p[i].epoch : epochs;
        if (p[i].split == CC_SPLIT_VAL && (best == 0 || p[i].loss < best_loss)) {
            best = p[i].epoch;
            best_loss = p[i].loss;
        }
    }
    char title[256];
    snprintf(title, sizeof title, "fashion-mnist: sgd lr %g, batch 64, best epoch %ld of %ld",
             p[0].lr, best, epochs);
    cc_buf b = {0};
    cc_curves_svg(&b, p, n, title);
    assert_false(cc_buf_failed(&b));
    if (getenv("CONVCALC_UPDATE_FIGURES")) {
        f = fopen("tests/data/fmnist-curves.svg", "w");
        assert_non_null(f);
        fputs(cc_buf_str(&b), f);
        fclose(f);
    }
    f = fopen("tests/data/fmnist-curves.svg", "r");
    assert_non_null(f);
    char *want = calloc(1, b.len + 2);
    assert_non_null(want);
    size_t got = fread(want, 1, b.len + 1, f);
    fclose(f);
    assert_int_equal(got, b.len);
    assert_memory_equal(want, cc_buf_str(&b), b.len);
    free(want);
    cc_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_results_formats),
        cmocka_unit_test(test_confusion),
        cmocka_unit_test(test_log_and_curves),
        cmocka_unit_test(test_readme_curves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
