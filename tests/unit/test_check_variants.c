/* test_check_variants.c - the bundled exercise sets and their variants:
 * every set loads, its computed answers grade as right, and for many
 * variant ids: the same id gives the same sheet, different ids differ,
 * every variant is solvable (its own answers, read back through the
 * answer-sheet parser, grade as right). Runs from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/exercise.h"

static const char *const sets[] = {"cnn-basics",       "strides-dilation",
                                   "transposed-convolution", "receptive-fields",
                                   "classic-networks", "training-results"};
#define NSETS (sizeof sets / sizeof sets[0])
#define NVARIANTS 24

static char *render(const cc_exset *set)
{
    cc_buf b = {0};
    cc_error err;
    if (cc_exset_render(&b, set, 0, CC_FORMAT_TEXT, &err))
        fail_msg("render: %s", err.msg);
    return b.data;
}

static cc_exkind set_kind(const cc_exset *set, size_t i)
{
    cc_exinfo info;
    cc_exset_problem(set, i, &info);
    return info.kind;
}

/* Every expected answer as an answer sheet, graded: all must be right. */
static void answers_grade_right(const cc_exset *set, const char *label)
{
    cc_buf sheet = {0};
    cc_error err;
    size_t results = 0;
    for (size_t i = 0; i < cc_exset_count(set); i++) {
        cc_exinfo info;
        cc_exset_problem(set, i, &info);
        if (info.kind == CC_EX_RESULTS) { /* needs a trained model: test_check_results */
            results++;
            continue;
        }
        cc_buf_printf(&sheet, "%s: ", info.id);
        if (cc_exset_answer(&sheet, set, i, &err))
            fail_msg("%s: answer of %s: %s", label, info.id, err.msg);
        cc_buf_putc(&sheet, '\n');
    }
    cc_sheet *sh;
    if (cc_sheet_parse(&sh, sheet.data, sheet.len, label, &err))
        fail_msg("%s: sheet: %d:%d: %s\n%s", label, err.line, err.col, err.msg, sheet.data);
    cc_result r;
    if (cc_check_sheet(&r, set, sh, label, NULL, &err))
        fail_msg("%s: check: %s", label, err.msg);
    if (r.n_right + results != cc_exset_count(set)) {
        for (size_t i = 0; i < r.n; i++)
            if (r.grades[i].verdict != CC_VERDICT_RIGHT &&
                set_kind(set, i) != CC_EX_RESULTS)
                fail_msg("%s: problem %zu graded %s: %s\n%s", label, i + 1,
                         cc_verdict_name(r.grades[i].verdict), r.grades[i].feedback, sheet.data);
    }
    assert_int_equal(r.n_missing, results);
    cc_result_free(&r);
    cc_sheet_free(sh);
    cc_buf_free(&sheet);
}

static void test_bundled_sets_load(void **state)
{
    (void)state;
    char **names;
    cc_error err;
    assert_int_equal(cc_exset_bundled(&names, NULL, &err), 0);
    size_t n = 0;
    for (char **q = names; *q; q++)
        n++;
    assert_true(n >= NSETS);
    for (size_t i = 0; i < NSETS; i++) {
        int found = 0;
        for (char **q = names; *q; q++)
            found |= !strcmp(*q, sets[i]);
        if (!found)
            fail_msg("bundled set %s is not listed", sets[i]);
        cc_exset *set;
        if (cc_exset_load(&set, sets[i], NULL, &err))
            fail_msg("%s: %d:%d: %s", sets[i], err.line, err.col, err.msg);
        assert_true(cc_exset_count(set) >= 3);
        answers_grade_right(set, sets[i]);
        cc_exset_free(set);
    }
    cc_exset_names_free(names);
    cc_exset *set;
    assert_int_not_equal(cc_exset_load(&set, "no-such-set", NULL, &err), 0);
    assert_non_null(strstr(err.msg, "no such exercise set"));
}

/* The ids and answers the issue states for cnn-basics. */
static void test_cnn_basics_answers(void **state)
{
    (void)state;
    cc_exset *set;
    cc_error err;
    assert_int_equal(cc_exset_load(&set, "cnn-basics", NULL, &err), 0);
    static const char *const ids[] = {"1a", "1b", "1c", "1d", "1e", "1f", "1g"};
    static const char *const want[] = {
        "-11 2 4 -1 7; -24 8 12 -5 12; -19 10 4 -3 15", "c", "3", "5x5", "254x254", "252x252",
        "390410"};
    assert_int_equal(cc_exset_count(set), 7);
    for (size_t i = 0; i < 7; i++) {
        cc_exinfo info;
        cc_exset_problem(set, i, &info);
        assert_string_equal(info.id, ids[i]);
        cc_buf b = {0};
        assert_int_equal(cc_exset_answer(&b, set, i, &err), 0);
        assert_string_equal(cc_buf_str(&b), want[i]);
        cc_buf_free(&b);
    }
    cc_exset_free(set);
}

/* Published parameter counts: LeNet-5 61,706; torchvision AlexNet
 * 61,100,840; VGG-16 138,357,544. */
static void test_classic_networks_answers(void **state)
{
    (void)state;
    cc_exset *set;
    cc_error err;
    assert_int_equal(cc_exset_load(&set, "classic-networks", NULL, &err), 0);
    static const char *const want[][2] = {{"5a", "61706"}, {"5b", "61100840"},
                                          {"5c", "138357544"}, {"5d", "73856"},
                                          {"5e", "86704128"}, {"5f", "13x13x192"}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        cc_buf b = {0};
        long k = cc_exset_find(set, want[i][0]);
        assert_true(k >= 0);
        assert_int_equal(cc_exset_answer(&b, set, (size_t)k, &err), 0);
        assert_string_equal(cc_buf_str(&b), want[i][1]);
        cc_buf_free(&b);
    }
    cc_exset_free(set);
}

static void test_variants(void **state)
{
    (void)state;
    cc_error err;
    for (size_t s = 0; s < NSETS; s++) {
        cc_exset *base;
        assert_int_equal(cc_exset_load(&base, sets[s], NULL, &err), 0);
        char *orig = render(base);
        char *texts[NVARIANTS];
        size_t changed[64] = {0}; /* per problem: variants whose answer changed */
        for (int v = 0; v < NVARIANTS; v++) {
            char id[32];
            snprintf(id, sizeof id, "student-%d", v);
            cc_exset *a, *b;
            if (cc_exset_variant(&a, base, id, &err))
                fail_msg("%s variant %s: %s", sets[s], id, err.msg);
            assert_int_equal(cc_exset_variant(&b, base, id, &err), 0);
            assert_string_equal(cc_exset_variant_id(a), id);
            texts[v] = render(a);
            char *tb = render(b);
            assert_string_equal(texts[v], tb); /* same id, same sheet */
            free(tb);
            if (!strcmp(texts[v], orig))
                fail_msg("%s variant %s is the original sheet", sets[s], id);
            for (int w = 0; w < v; w++)
                if (!strcmp(texts[v], texts[w]))
                    fail_msg("%s: variants %d and %d are the same sheet", sets[s], v, w);
            answers_grade_right(a, id); /* solvable, and its answers read back */
            assert_int_equal(cc_exset_count(a), cc_exset_count(base));
            for (size_t i = 0; i < cc_exset_count(a) && i < 64; i++) {
                cc_buf x = {0}, y = {0};
                assert_int_equal(cc_exset_answer(&x, a, i, &err), 0);
                assert_int_equal(cc_exset_answer(&y, base, i, &err), 0);
                changed[i] += strcmp(cc_buf_str(&x), cc_buf_str(&y)) != 0;
                cc_buf_free(&x);
                cc_buf_free(&y);
            }
            cc_exset_free(a);
            cc_exset_free(b);
        }
        /* every problem whose numbers can change gets other answers in
         * most variants (a choice's key moves with the shuffle) */
        for (size_t i = 0; i < cc_exset_count(base) && i < 64; i++) {
            cc_exinfo info;
            cc_exset_problem(base, i, &info);
            if (changed[i] < NVARIANTS / 4 && info.kind != CC_EX_RESULTS)
                fail_msg("%s %s: only %zu of %d variants change the answer", sets[s], info.id,
                         changed[i], NVARIANTS);
        }
        for (int v = 0; v < NVARIANTS; v++)
            free(texts[v]);
        free(orig);
        cc_exset_free(base);
    }
}

static void test_variant_errors(void **state)
{
    (void)state;
    cc_exset *base, *v = NULL;
    cc_error err;
    assert_int_equal(cc_exset_load(&base, "cnn-basics", NULL, &err), 0);
    assert_int_equal(cc_exset_variant(&v, base, "", &err), CC_EINVAL);
    assert_null(v);
    assert_null(cc_exset_variant_id(base));
    cc_exset_free(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bundled_sets_load),
        cmocka_unit_test(test_cnn_basics_answers),
        cmocka_unit_test(test_classic_networks_answers),
        cmocka_unit_test(test_variants),
        cmocka_unit_test(test_variant_errors),
    };
    return cmocka_run_group_tests_name("check variants", tests, NULL, NULL);
}
