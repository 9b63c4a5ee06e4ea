/* test_check_mistakes.c - the mistake catalogue on a set that is not one of
 * the bundled ones: every rule applied across a whole stack, pairs, every
 * mistake that gives the value listed, the student's computation quoted in
 * the formula of the item's own kind, partial credit, hints that do not
 * give the answer away. Every expected number is worked out by hand in the
 * comments from the rule as students apply it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/exercise.h"

static const char *text =
    "title: Mistakes\n"
    "partial: cells\n"
    "\n"
    "problem: bn\n"
    "kind: params\n"
    "input: 16x16x2\n"
    "stack:\n"
    "    conv 8 3x3 pad 1\n"
    "    batchnorm\n"
    "    relu\n"
    "    avgpool 2\n"
    "    conv 4 3x3 pad 1\n"
    "    batchnorm\n"
    "    relu\n"
    "    avgpool 2\n"
    "    flatten\n"
    "    linear 5\n"
    "\n"
    "problem: rf\n"
    "kind: receptive-field\n"
    "input: 32x32x1\n"
    "stack:\n"
    "    conv 8 5x5\n"
    "    maxpool 2\n"
    "    conv 8 5x5\n"
    "\n"
    "problem: tc\n"
    "kind: tconv-size\n"
    "input: 5\n"
    "kernel: 4\n"
    "stride: 3\n"
    "padding: 1\n"
    "output-padding: 2\n"
    "\n"
    "problem: mc\n"
    "kind: choice\n"
    "choice: one\n"
    "choice: two\n"
    "key: a\n"
    "\n"
    "problem: cv\n"
    "kind: convolve\n"
    "points: 4\n"
    "image: 1 2 3; 4 5 6; 7 8 9\n"
    "kernel: 1 0; 0 1\n";

static int setup(void **state)
{
    cc_exset *set;
    cc_error err;
    cc_error_clear(&err);
    if (cc_exset_parse(&set, text, strlen(text), "mistakes.txt", NULL, &err))
        fail_msg("set: %d:%d: %s", err.line, err.col, err.msg);
    *state = set;
    return 0;
}

static int teardown(void **state)
{
    cc_exset_free(*state);
    return 0;
}

/* Grade; the mistakes named must be exactly `want` (space-separated ids,
 * "" for none); the feedback must contain `quote` when given. */
static void mistakes_are(const cc_exset *set, const char *id, const char *answer,
                         const char *want, const char *quote)
{
    cc_grade g;
    cc_error err;
    long i = cc_exset_find(set, id);
    assert_true(i >= 0);
    assert_int_equal(cc_exset_grade(&g, set, (size_t)i, answer, NULL, &err), 0);
    char got[400] = "";
    for (size_t k = 0; k < g.n_mistakes; k++) {
        strcat(got, k ? " " : "");
        strcat(got, cc_mistake_name(g.mistakes[k]));
    }
    if (g.verdict != CC_VERDICT_WRONG || strcmp(got, want) != 0 ||
        (quote && !strstr(g.feedback, quote)))
        fail_msg("%s '%s': got %s [%s], expected wrong [%s] with '%s'\n%s", id, answer,
                 cc_verdict_name(g.verdict), got, want, quote ? quote : "", g.feedback);
    cc_grade_free(&g);
}

static void test_stack_rules(void **state)
{
    const cc_exset *set = *state;
    /* right: (3*3*2+1)*8 = 152, bn 16, (3*3*8+1)*4 = 292, bn 8, (4*4*4+1)*5 = 325 */
    cc_buf b = {0};
    cc_error err;
    assert_int_equal(cc_exset_answer(&b, set, 0, &err), 0);
    assert_string_equal(cc_buf_str(&b), "793");
    cc_buf_free(&b);
    /* (3*3+1)*2*8 = 160 and (3*3+1)*8*4 = 320 */
    mistakes_are(set, "bn", "829", "bias-per-input-channel",
                 "conv1: (3*3 + 1) * 2 * 8 = 160, but a filter has one bias: (3*3*2 + 1) * 8 "
                 "= 152");
    /* 144 + 16 + 288 + 8 + 320 */
    mistakes_are(set, "bn", "776", "bias-forgotten", "conv1: 3*3*2 * 8 = 144");
    /* the map before the last pooling is 8x8x4: (256+1)*5 = 1285 */
    mistakes_are(set, "bn", "1753", "flatten-before-last-pool",
                 "linear1: (256 + 1) * 5 = 1285");
    /* (2*2+1)*8 + (2*2+1)*4 = 60 */
    mistakes_are(set, "bn", "853", "pooling-parameters", NULL);
    /* 2*8 + 2*4 = 24 for pooling, and 4C instead of 2C for BatchNorm: also 24 */
    mistakes_are(set, "bn", "817", "pooling-parameters batchnorm-buffers-counted", NULL);
    mistakes_are(set, "bn", "769", "batchnorm-forgotten", "bn1: 0 * 8 = 0");
    /* (3*3+1)*8 + 16 + (3*3+1)*4 + 8 + 325 */
    mistakes_are(set, "bn", "469", "conv-without-input-channels",
                 "conv1: (3*3 + 1) * 8 = 80");
    /* a pair: no biases and no input channels: 72 + 16 + 36 + 8 + 320 */
    mistakes_are(set, "bn", "452", "bias-forgotten conv-without-input-channels", NULL);
    mistakes_are(set, "bn", "794", "", NULL);
}

static void test_rf_and_tconv(void **state)
{
    const cc_exset *set = *state;
    /* r = 1 + 4 = 5, then + 1*1 = 6 (j 2), then + 4*2 = 14 */
    mistakes_are(set, "rf", "12", "kernel-sizes-added", "maxpool1: r = 5 + 2 = 7");
    mistakes_are(set, "rf", "10", "stride-ignored", NULL); /* 5 + 1 + 4 */
    mistakes_are(set, "rf", "15", "off-by-one", NULL);
    /* (5-1)*3 - 2 + 3 + 2 + 1 = 16; without output_padding 14 */
    mistakes_are(set, "tc", "14", "output-padding-ignored",
                 "(5 - 1)*3 - 2*1 + 1*(4 - 1) + 0 (output_padding) + 1 = 14");
    /* the convolution formula: floor((5 + 2 - 4)/3) + 1 = 2 */
    mistakes_are(set, "tc", "2", "transposed-as-convolution", "floor((5 + 2*1 - 4) / 3) + 1 = 2");
    cc_grade g;
    cc_error err;
    assert_int_equal(cc_exset_grade(&g, set, 2, "14", NULL, &err), 0);
    assert_null(strstr(g.feedback, "floor(")); /* only the transposed formula */
    cc_grade_free(&g);
}

static void test_partial_and_hints(void **state)
{
    const cc_exset *set = *state;
    /* 1+5 2+6; 4+8 5+9 = 6 8; 12 14 (the kernel is symmetric under the flip) */
    cc_grade g;
    cc_error err;
    long cv = cc_exset_find(set, "cv");
    assert_int_equal(cc_exset_grade(&g, set, (size_t)cv, "6 8; 12 15", NULL, &err), 0);
    assert_int_equal(g.verdict, CC_VERDICT_WRONG);
    assert_true(g.points == 3); /* 3 of 4 cells */
    cc_grade_free(&g);
    assert_int_equal(cc_exset_grade(&g, set, (size_t)cv, "6 8; 12 14", NULL, &err), 0);
    assert_true(g.points == 4);
    cc_grade_free(&g);
    /* hints never show the answer */
    for (size_t i = 0; i < cc_exset_count(set); i++) {
        cc_exinfo info;
        cc_buf a = {0};
        assert_int_equal(cc_exset_problem(set, i, &info), 0);
        assert_int_equal(cc_exset_answer(&a, set, i, &err), 0);
        char key[64];
        snprintf(key, sizeof key, "such as %s", cc_buf_str(&a));
        int number = strspn(cc_buf_str(&a), "0123456789x") == strlen(cc_buf_str(&a));
        if (strstr(info.answer_hint, key) || (number && strstr(info.answer_hint, cc_buf_str(&a))))
            fail_msg("hint of %s gives the answer %s: %s", info.id, cc_buf_str(&a),
                     info.answer_hint);
        cc_buf_free(&a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stack_rules),
        cmocka_unit_test(test_rf_and_tconv),
        cmocka_unit_test(test_partial_and_hints),
    };
    return cmocka_run_group_tests_name("check mistakes", tests, setup, teardown);
}
