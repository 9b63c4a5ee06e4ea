/* test_check.c - exercise sets and grading: every kind, every recognised
 * mistake, the forgiving answer parser, sheets, and malformed input.
 * Expected values are worked out by hand from the formulas (Dumoulin &
 * Visin 2016; PyTorch's Conv2d/MaxPool2d/ConvTranspose2d shape formulas;
 * Araujo et al. 2019 for receptive fields) and published parameter counts
 * (torchvision's AlexNet 61,100,840 and VGG-16 138,357,544; LeNet-5 61,706). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/exercise.h"

/* A set with one problem of every kind (and some twice, for the mistakes
 * that need other numbers). */
static const char *every_kind =
    "title: Every kind\n"
    "intro: For the tests.\n"
    "\n"
    "problem: conv\n"
    "kind: convolve\n"
    "points: 4\n"
    "image: 1 2 3; 4 5 6; 7 8 9\n"
    "kernel: 1 2; 3 4\n"
    "prompt: Convolve.\n"
    "\n"
    "problem: convpad\n"
    "kind: convolve\n"
    "image: 1 2 3; 4 5 6; 7 8 9\n"
    "kernel: 1 2; 3 4\n"
    "padding: 1\n"
    "\n"
    "problem: out\n"
    "kind: output-size\n"
    "input: 32\n"
    "kernel: 3\n"
    "stride: 2\n"
    "padding: 2\n"
    "\n"
    "problem: out1\n"
    "kind: output-size\n"
    "input: 28\n"
    "kernel: 5\n"
    "\n"
    "problem: dil\n"
    "kind: output-size\n"
    "input: 64\n"
    "kernel: 3\n"
    "dilation: 2\n"
    "\n"
    "problem: rect\n"
    "kind: output-size\n"
    "input: 224x160\n"
    "kernel: 7\n"
    "stride: 2\n"
    "padding: 3\n"
    "\n"
    "problem: same\n"
    "kind: same-padding\n"
    "input: 32\n"
    "kernel: 7\n"
    "\n"
    "problem: samedil\n"
    "kind: same-padding\n"
    "input: 40\n"
    "kernel: 3\n"
    "dilation: 2\n"
    "\n"
    "problem: ker\n"
    "kind: kernel-size\n"
    "input: 512\n"
    "output: 508\n"
    "\n"
    "problem: kerpad\n"
    "kind: kernel-size\n"
    "input: 32\n"
    "output: 32\n"
    "padding: 1\n"
    "\n"
    "problem: pool\n"
    "kind: pool-size\n"
    "input: 508\n"
    "kernel: 2\n"
    "stride: 2\n"
    "\n"
    "problem: poolceil\n"
    "kind: pool-size\n"
    "input: 7\n"
    "kernel: 2\n"
    "ceil: yes\n"
    "\n"
    "problem: shape\n"
    "kind: stack-shape\n"
    "input: 64x64x3\n"
    "stack:\n"
    "    conv 16 3x3 stride 2 pad 1\n"
    "    relu\n"
    "    conv 32 3x3 stride 2 pad 1\n"
    "\n"
    "problem: params\n"
    "kind: params\n"
    "points: 3\n"
    "input: 32x32x3\n"
    "stack:\n"
    "    conv 32 5x5 pad 2\n"
    "    relu\n"
    "    maxpool 2\n"
    "    conv 64 5x5 pad 2\n"
    "    relu\n"
    "    maxpool 2\n"
    "    conv 128 5x5 pad 2\n"
    "    relu\n"
    "    maxpool 2\n"
    "    flatten\n"
    "    linear 64\n"
    "    relu\n"
    "    linear 10\n"
    "\n"
    "problem: rf\n"
    "kind: receptive-field\n"
    "input: 32x32x3\n"
    "stack:\n"
    "    conv 16 3x3 pad 1\n"
    "    maxpool 2\n"
    "    conv 32 3x3 pad 1\n"
    "\n"
    "problem: rfdil\n"
    "kind: receptive-field\n"
    "input: 64x64x3\n"
    "stack:\n"
    "    conv 16 3x3 pad 1\n"
    "    conv 16 3x3 pad 2 dilation 2\n"
    "    conv 16 3x3 pad 4 dilation 4\n"
    "\n"
    "problem: tconv\n"
    "kind: tconv-size\n"
    "input: 4\n"
    "kernel: 3\n"
    "stride: 2\n"
    "padding: 1\n"
    "\n"
    "problem: macs\n"
    "kind: macs\n"
    "input: 224x224x3\n"
    "stack:\n"
    "    conv 64 3x3 pad 1\n"
    "\n"
    "problem: mc\n"
    "kind: choice\n"
    "prompt: Which layer reduces sensitivity to translation?\n"
    "choice: a convolutional layer\n"
    "choice: an activation function\n"
    "choice: max pooling\n"
    "key: c\n";

static cc_exset *load(const char *text)
{
    cc_exset *set = NULL;
    cc_error err;
    cc_error_clear(&err);
    int rc = cc_exset_parse(&set, text, strlen(text), "test.txt", ".", &err);
    if (rc)
        fail_msg("parse failed: %d:%d: %s", err.line, err.col, err.msg);
    return set;
}

static int setup(void **state)
{
    *state = load(every_kind);
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    cc_exset_free(*state);
    return 0;
}

/* Grade `answer` to problem `id`; check verdict and mistake. */
static void grade_is(const cc_exset *set, const char *id, const char *answer, cc_verdict want,
                     cc_mistake mistake)
{
    long i = cc_exset_find(set, id);
    if (i < 0)
        fail_msg("no problem %s", id);
    cc_grade g;
    cc_error err;
    cc_error_clear(&err);
    int rc = cc_exset_grade(&g, set, (size_t)i, answer, NULL, &err);
    if (rc)
        fail_msg("grading %s failed: %s", id, err.msg);
    int named = mistake == CC_MISTAKE_NONE ? g.n_mistakes == 0 : 0;
    for (size_t k = 0; k < g.n_mistakes; k++)
        named |= g.mistakes[k] == mistake;
    if (g.n_mistakes)
        assert_int_equal(g.mistake, g.mistakes[0]);
    if (g.verdict != want || !named)
        fail_msg("%s: answer '%s': got %s/%s, expected %s/%s (expected answer %s)\n%s", id,
                 answer ? answer : "(null)", cc_verdict_name(g.verdict),
                 cc_mistake_name(g.mistake), cc_verdict_name(want), cc_mistake_name(mistake),
                 g.expected, g.feedback);
    if (want == CC_VERDICT_RIGHT)
        assert_true(g.points == g.max_points);
    else
        assert_true(g.points == 0);
    assert_non_null(g.expected);
    assert_non_null(g.feedback);
    cc_grade_free(&g);
}

#define RIGHT(id, a) grade_is(set, id, a, CC_VERDICT_RIGHT, CC_MISTAKE_NONE)
#define WRONG(id, a, m) grade_is(set, id, a, CC_VERDICT_WRONG, m)

static void expected_is(const cc_exset *set, const char *id, const char *want)
{
    cc_buf b = {0};
    cc_error err;
    long i = cc_exset_find(set, id);
    assert_true(i >= 0);
    assert_int_equal(cc_exset_answer(&b, set, (size_t)i, &err), 0);
    assert_string_equal(cc_buf_str(&b), want);
    cc_buf_free(&b);
}

static void test_expected_answers(void **state)
{
    const cc_exset *set = *state;
    /* convolution: the flipped kernel [[4,3],[2,1]] slid over the image */
    expected_is(set, "conv", "23 33; 53 63");
    expected_is(set, "convpad", "1 4 7 6; 7 23 33 24; 19 53 63 42; 21 52 59 36");
    expected_is(set, "out", "17x17");    /* floor((32+4-3)/2)+1 */
    expected_is(set, "out1", "24x24");   /* 28-5+1 */
    expected_is(set, "dil", "60x60");    /* 64-(2*2+1)+1 */
    expected_is(set, "rect", "112x80");  /* floor(223/2)+1, floor(159/2)+1 */
    expected_is(set, "same", "3");       /* (7-1)/2 */
    expected_is(set, "samedil", "2");    /* 2*(3-1)/2 */
    expected_is(set, "ker", "5x5");      /* 512-508+1 */
    expected_is(set, "kerpad", "3x3");   /* 32+2-32+1 */
    expected_is(set, "pool", "254x254");
    expected_is(set, "poolceil", "4x4"); /* ceil(5/2)+1 */
    expected_is(set, "shape", "16x16x32");
    expected_is(set, "params", "390410");
    expected_is(set, "rf", "8x8");       /* 3, 3+1*1=4 (j 2), 4+2*2=8 */
    expected_is(set, "rfdil", "15x15");  /* 3, 3+4=7, 7+8=15 */
    expected_is(set, "tconv", "7x7");    /* (4-1)*2-2+3 */
    expected_is(set, "macs", "86704128"); /* 224*224*64*27 */
    expected_is(set, "mc", "c");
}

static void test_convolve(void **state)
{
    const cc_exset *set = *state;
    RIGHT("conv", "23 33; 53 63");
    RIGHT("conv", "[[23, 33], [53, 63]]");
    RIGHT("conv", "23 33\n53 63");
    RIGHT("conv", "23,33\n53,63\n");
    /* cross-correlation: the kernel as written */
    WRONG("conv", "37 47; 67 77", CC_MISTAKE_KERNEL_NOT_FLIPPED);
    WRONG("conv", "23 33; 53 64", CC_MISTAKE_NONE);
    /* the padded problem answered without padding */
    WRONG("convpad", "23 33; 53 63", CC_MISTAKE_NO_PADDING);
    WRONG("conv", "23 33 53 63", CC_MISTAKE_NONE); /* one row: wrong shape */
    grade_is(set, "conv", "", CC_VERDICT_MISSING, CC_MISTAKE_NONE);
}

static void test_convolve_cells(void **state)
{
    const cc_exset *set = *state;
    cc_grade g;
    cc_error err;
    assert_int_equal(cc_exset_grade(&g, set, (size_t)cc_exset_find(set, "conv"),
                                    "23 33; 50 63", NULL, &err),
                     0);
    assert_int_equal(g.verdict, CC_VERDICT_WRONG);
    assert_int_equal(g.n_details, 4);
    int ok = 0;
    for (size_t i = 0; i < g.n_details; i++)
        ok += g.details[i].ok;
    assert_int_equal(ok, 3);
    assert_string_equal(g.details[2].what, "row 2, column 1");
    assert_string_equal(g.details[2].expected, "53");
    assert_string_equal(g.details[2].given, "50");
    assert_false(g.details[2].ok);
    /* the feedback writes the wrong cell's sum out */
    assert_non_null(strstr(g.feedback, "row 2, column 1: you wrote 50"));
    assert_non_null(strstr(g.feedback, "= 53"));
    assert_non_null(strstr(g.feedback, "3 of 4 cells right"));
    cc_grade_free(&g);
}

static void test_sizes_and_mistakes(void **state)
{
    const cc_exset *set = *state;
    RIGHT("out", "17x17");
    RIGHT("out", "17");
    WRONG("out", "16", CC_MISTAKE_ONE_SIDED_PADDING); /* floor((32+2-3)/2)+1 */
    WRONG("out", "18x18", CC_MISTAKE_FLOOR_CEIL);     /* ceil(33/2)+1 */
    WRONG("out", "15", CC_MISTAKE_NO_PADDING);        /* floor(29/2)+1 */
    WRONG("out", "34", CC_MISTAKE_STRIDE_IGNORED);
    WRONG("out", "40", CC_MISTAKE_NONE);
    WRONG("out1", "23", CC_MISTAKE_OFF_BY_ONE);
    WRONG("out1", "25x25", CC_MISTAKE_OFF_BY_ONE);
    WRONG("dil", "62", CC_MISTAKE_DILATION_IGNORED);
    RIGHT("rect", "112x80");
    RIGHT("rect", "112 by 80");
    WRONG("rect", "80x112", CC_MISTAKE_HEIGHT_WIDTH_SWAPPED);
    WRONG("rect", "112", CC_MISTAKE_NONE); /* not square: one number is not enough */
    RIGHT("same", "3");
    RIGHT("same", "P = 3");
    WRONG("same", "6", CC_MISTAKE_ONE_SIDED_PADDING);
    WRONG("same", "4", CC_MISTAKE_OFF_BY_ONE);
    RIGHT("samedil", "2");
    WRONG("samedil", "1", CC_MISTAKE_DILATION_IGNORED);
    WRONG("ker", "4x4", CC_MISTAKE_OFF_BY_ONE);
    WRONG("ker", "6", CC_MISTAKE_OFF_BY_ONE);
    WRONG("kerpad", "2", CC_MISTAKE_ONE_SIDED_PADDING);
    WRONG("kerpad", "1", CC_MISTAKE_NO_PADDING);
    RIGHT("pool", "254x254");
    WRONG("pool", "255", CC_MISTAKE_OFF_BY_ONE);
    WRONG("pool", "507", CC_MISTAKE_STRIDE_IGNORED);
    RIGHT("poolceil", "4");
    WRONG("poolceil", "3x3", CC_MISTAKE_FLOOR_CEIL);
    RIGHT("tconv", "7x7");
    WRONG("tconv", "2x2", CC_MISTAKE_TRANSPOSED_AS_CONV);
    WRONG("tconv", "8", CC_MISTAKE_ONE_SIDED_PADDING);
    WRONG("tconv", "4", CC_MISTAKE_STRIDE_IGNORED);
    WRONG("tconv", "6", CC_MISTAKE_OFF_BY_ONE);
}

static void test_forgiving_sizes(void **state)
{
    const cc_exset *set = *state;
    static const char *const right[] = {
        "5x5", "5X5", "5 x 5", "5 \xC3\x97 5", "5\xC3\x97" "5", "5 by 5", "5 BY 5", "(5, 5)",
        "[5,5]", "5", "5*5", " 5x5 ", "F = 5", "kernel 5x5", "512 - 508 + 1 = 5",
        "5x5 kernel", "a 5 by 5 kernel",
    };
    for (size_t i = 0; i < sizeof right / sizeof right[0]; i++)
        RIGHT("ker", right[i]);
    static const char *const unreadable[] = {"five", "5.5", "-5", "5x5x5x5", "5 or 7", "5?"};
    for (size_t i = 0; i < sizeof unreadable / sizeof unreadable[0]; i++) {
        cc_grade g;
        cc_error err;
        assert_int_equal(cc_exset_grade(&g, set, (size_t)cc_exset_find(set, "ker"),
                                        unreadable[i], NULL, &err),
                         0);
        int hedge = strstr(unreadable[i], " or ") != NULL;
        if (g.verdict != (hedge ? CC_VERDICT_WRONG : CC_VERDICT_UNREADABLE) || !g.reason)
            fail_msg("'%s' should be unreadable: %s", unreadable[i], g.feedback);
        assert_null(g.given);
        cc_grade_free(&g);
    }
    /* blank and missing answers are missing, not errors */
    grade_is(set, "ker", NULL, CC_VERDICT_MISSING, CC_MISTAKE_NONE);
    grade_is(set, "ker", "", CC_VERDICT_MISSING, CC_MISTAKE_NONE);
    grade_is(set, "ker", "  \n\t ", CC_VERDICT_MISSING, CC_MISTAKE_NONE);
}

static void test_forgiving_counts(void **state)
{
    const cc_exset *set = *state;
    static const char *const right[] = {
        "390410", "390,410", "390 410", "390_410", "390'410", "390410 parameters",
        "390,410 params", "2432 + 51264 + 204928 + 131136 + 650 = 390410", "total: 390410",
        "390\xC2\xA0" "410", "390\xE2\x80\x89" "410",
    };
    for (size_t i = 0; i < sizeof right / sizeof right[0]; i++)
        RIGHT("params", right[i]);
    /* digit groups that are not thousands are not one number */
    static const char *const unreadable[] = {"390,41", "3,90,410", "390410.5", "about 390k"};
    for (size_t i = 0; i < sizeof unreadable / sizeof unreadable[0]; i++) {
        cc_grade g;
        cc_error err;
        assert_int_equal(cc_exset_grade(&g, set, (size_t)cc_exset_find(set, "params"),
                                        unreadable[i], NULL, &err),
                         0);
        if (g.verdict != CC_VERDICT_UNREADABLE || !g.reason || g.points != 0)
            fail_msg("'%s' should be unreadable: %s", unreadable[i], g.feedback);
        cc_grade_free(&g);
    }
}

static void test_params_mistakes(void **state)
{
    const cc_exset *set = *state;
    /* biases: 32 + 64 + 128 + 64 + 10 = 298 */
    WRONG("params", "390112", CC_MISTAKE_BIAS_FORGOTTEN);
    /* a bias per input channel of every filter, (5*5 + 1) * Cin * Cout per
     * convolution: 3*26*32 + 32*26*64 + 64*26*128 + 131136 + 650 */
    WRONG("params", "400522", CC_MISTAKE_BIAS_PER_INPUT);
    WRONG("params", "392323", CC_MISTAKE_NONE); /* Cin biases per layer: no student's rule */
    /* a 2x2 window per channel for each pooling layer: 4*(32+64+128) = 896 */
    WRONG("params", "391306", CC_MISTAKE_POOL_PARAMS);
    WRONG("params", "390411", CC_MISTAKE_NONE);
    RIGHT("macs", "86,704,128");
    WRONG("macs", "173408256", CC_MISTAKE_MACS_AS_FLOPS);
}

static void test_stack_shape_and_rf(void **state)
{
    const cc_exset *set = *state;
    RIGHT("shape", "16x16x32");
    RIGHT("shape", "32x16x16"); /* channels first, as PyTorch prints */
    RIGHT("shape", "16x16");
    WRONG("shape", "17x17x32", CC_MISTAKE_FLOOR_CEIL);
    WRONG("shape", "16x16x16", CC_MISTAKE_NONE);
    RIGHT("rf", "8x8");
    RIGHT("rf", "8");
    WRONG("rf", "6", CC_MISTAKE_STRIDE_IGNORED); /* 1 + 2 + 1 + 2 */
    WRONG("rf", "9", CC_MISTAKE_OFF_BY_ONE);
    RIGHT("rfdil", "15");
    WRONG("rfdil", "7", CC_MISTAKE_DILATION_IGNORED);
}

static void test_choice(void **state)
{
    const cc_exset *set = *state;
    static const char *const right[] = {"c", "C", "(c)", "c)", "c.", "max pooling",
                                        "Max Pooling.", "(c) max pooling", "c max pooling",
                                        "pooling"};
    for (size_t i = 0; i < sizeof right / sizeof right[0]; i++)
        RIGHT("mc", right[i]);
    WRONG("mc", "a", CC_MISTAKE_NONE);
    WRONG("mc", "a convolutional layer", CC_MISTAKE_NONE);
    WRONG("mc", "an activation function", CC_MISTAKE_NONE);
    cc_grade g;
    cc_error err;
    assert_int_equal(cc_exset_grade(&g, set, (size_t)cc_exset_find(set, "mc"), "z", NULL, &err),
                     0);
    assert_int_equal(g.verdict, CC_VERDICT_UNREADABLE);
    assert_non_null(strstr(g.feedback, "Unreadable"));
    cc_grade_free(&g);
    /* the letter after the option's text; two options named: wrong */
    RIGHT("mc", "max pooling (c)");
    WRONG("mc", "a or c", CC_MISTAKE_NONE);
    /* only brackets (a fuzz finding: the reader ran past the end) */
    static const char *const brackets[] = {"(", "[", " ( [ ", "(("};
    for (size_t i = 0; i < sizeof brackets / sizeof brackets[0]; i++) {
        assert_int_equal(cc_exset_grade(&g, set, (size_t)cc_exset_find(set, "mc"), brackets[i],
                                        NULL, &err), 0);
        assert_int_not_equal(g.verdict, CC_VERDICT_RIGHT);
        cc_grade_free(&g);
    }
}

static void test_wrong_answer_has_derivation(void **state)
{
    const cc_exset *set = *state;
    cc_grade g;
    cc_error err;
    assert_int_equal(cc_exset_grade(&g, set, (size_t)cc_exset_find(set, "ker"), "4", NULL, &err),
                     0);
    assert_string_equal(g.expected, "5x5");
    assert_string_equal(g.given, "4");
    assert_non_null(strstr(g.feedback, "Likely mistake: off by one"));
    assert_non_null(strstr(g.feedback, "Worked solution"));
    assert_non_null(strstr(g.derivation, "F = 5"));
    cc_grade_free(&g);
    assert_int_equal(cc_exset_grade(&g, set, (size_t)cc_exset_find(set, "params"), "390112",
                                    NULL, &err),
                     0);
    assert_non_null(strstr(g.feedback, "(5*5*3 + 1) * 32 = 2432"));
    assert_non_null(strstr(g.feedback, "= 390410"));
    cc_grade_free(&g);
}

static void test_problem_info(void **state)
{
    const cc_exset *set = *state;
    assert_string_equal(cc_exset_title(set), "Every kind");
    assert_string_equal(cc_exset_intro(set), "For the tests.");
    assert_null(cc_exset_variant_id(set));
    cc_exinfo info;
    long i = cc_exset_find(set, "mc");
    assert_int_equal(cc_exset_problem(set, (size_t)i, &info), 0);
    assert_int_equal(info.kind, CC_EX_CHOICE);
    assert_int_equal(info.n_choices, 3);
    assert_string_equal(info.choices[2], "max pooling");
    assert_string_equal(info.prompt, "Which layer reduces sensitivity to translation?");
    i = cc_exset_find(set, "conv");
    assert_int_equal(cc_exset_problem(set, (size_t)i, &info), 0);
    assert_int_equal(info.kind, CC_EX_CONVOLVE);
    assert_true(info.multiline);
    assert_true(info.points == 4);
    assert_non_null(strstr(info.given, "kernel"));
    /* a default prompt where the set gives none */
    i = cc_exset_find(set, "out1");
    assert_int_equal(cc_exset_problem(set, (size_t)i, &info), 0);
    assert_non_null(strstr(info.prompt, "28"));
    /* forgiving ids */
    assert_int_equal(cc_exset_find(set, "Q out1"), i);
    assert_int_equal(cc_exset_find(set, "OUT1)"), i);
    assert_int_equal(cc_exset_find(set, "nope"), -1);
    for (int k = 0; k < CC_EX_KIND_COUNT; k++)
        assert_true(strlen(cc_exkind_name((cc_exkind)k)) > 0);
    for (int m = 1; m < CC_MISTAKE_COUNT; m++) {
        assert_true(strlen(cc_mistake_name((cc_mistake)m)) > 0);
        assert_true(strlen(cc_mistake_text((cc_mistake)m)) > 0);
    }
}

/* ---- sets: references, placeholders, malformed input ---------------------- */

static void test_references_and_placeholders(void **state)
{
    (void)state;
    cc_exset *set = load("problem: a\nkind: kernel-size\ninput: 512\noutput: 508\n"
                         "problem: b\nkind: pool-size\ninput: @a.output\nkernel: 2\n"
                         "prompt: Pool {input}x{input} by {kernel}; {{literal}}.\n"
                         "problem: c\nkind: output-size\ninput: @b.answer\nkernel: 3\n"
                         "problem: d\nkind: params\nf: 8\ninput: 4x4x1\n"
                         "stack:\n  conv {f} 3x3\n  flatten\n  linear 2\n");
    expected_is(set, "b", "254x254");
    expected_is(set, "c", "252x252");
    expected_is(set, "d", "146"); /* (9+1)*8 + (2*2*8+1)*2 */
    cc_exinfo info;
    cc_exset_problem(set, 1, &info);
    assert_string_equal(info.prompt, "Pool 508x508 by 2; {literal}.");
    cc_exset_free(set);
}

struct bad_set {
    const char *text;
    int line, col;
    const char *msg;
};

static void test_malformed_sets(void **state)
{
    (void)state;
    static const struct bad_set cases[] = {
        {"", 1, 1, "no problems"},
        {"# only a comment\n", 1, 1, "no problems"},
        {"title: x\nproblem: 1a\n", 2, 1, "no kind"},
        {"problem: 1a\nkind: frobnicate\n", 2, 7, "unknown kind"},
        {"problem: 1a\nkind: output-size\ninput: 32\n", 1, 1, "needs 'kernel:'"},
        {"problem: 1a\nkind: output-size\ninput: 32\nkernel: 3\nwidth: 4\n", 5, 1,
         "no parameter 'width'"},
        {"problem: 1a\nkind: output-size\ninput: 3x\nkernel: 3\n", 3, 8, "input"},
        {"problem: 1a\nkind: output-size\ninput: 32\nkernel: 40\n", 1, 1, "no solution"},
        {"problem: 1a\nkind: output-size\ninput: 32\nkernel: 3\npoints: lots\n", 5, 9,
         "bad points"},
        {"problem: 1a\nkind: choice\nchoice: x\nchoice: y\n", 1, 1, "needs 'key"},
        {"problem: 1a\nkind: choice\nchoice: x\nchoice: y\nkey: e\n", 5, 6, "names no choice"},
        {"problem: 1a\nkind: choice\nchoice: x\nkey: a\n", 1, 1, "at least two"},
        {"problem: 1a\nkind: same-padding\ninput: 32\nkernel: 4\n", 1, 1, "no solution"},
        {"problem: 1a\nkind: output-size\ninput: 32\nkernel: 3\nproblem: 1a\n", 5, 10,
         "used twice"},
        {"  indented first\n", 1, 3, "continues nothing"},
        {"problem: 1a\nkind output-size\n", 2, 6, "expected ':'"},
        {"problem: 1 a\n", 1, 10, "bad problem id"},
        {"problem: 1a\nkind: pool-size\ninput: @zz.output\nkernel: 2\n", 3, 9,
         "not an earlier problem"},
        {"problem: 1a\nkind: pool-size\ninput: 8\nkernel: 2\nprompt: {nope}\n", 5, 1,
         "{nope}"},
        {"problem: 1a\nkind: params\nstack:\n  conv 8 3x3\n  linear\n", 5, 3, "stack"},
        {"problem: 1a\nkind: convolve\nimage: 1 2; 3\nkernel: 1\n", 3, 0, "image"},
        {"problem: 1a\nkind: output-size\ninput: 32\nkernel: 3\nvary width: 3 5\n", 5, 6,
         "vary 'width'"},
        {"problem: 1a\nkind: output-size\ninput: 32\nkernel: 3\nvary kernel: 9..3\n", 5, 14,
         "bad choices"},
        {"intro: x\nkind: output-size\n", 2, 1, "before the first problem"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct bad_set *c = &cases[i];
        cc_exset *set = NULL;
        cc_error err;
        cc_error_clear(&err);
        int rc = cc_exset_parse(&set, c->text, strlen(c->text), "bad.txt", ".", &err);
        if (rc == 0) {
            cc_exset_free(set);
            fail_msg("case %zu parsed but should not: %s", i, c->text);
        }
        assert_null(set);
        if (err.line != c->line || (c->col && err.col != c->col) || !strstr(err.msg, c->msg))
            fail_msg("case %zu: got %d:%d: %s; expected %d:%d: ...%s...", i, err.line, err.col,
                     err.msg, c->line, c->col, c->msg);
        assert_string_equal(err.source, "bad.txt");
    }
}

/* ---- sheets ------------------------------------------------------------------ */

static void test_sheet_parse(void **state)
{
    const cc_exset *set = *state;
    const char *text = "# a comment\n"
                       "name: Ada Lovelace\n"
                       "conv:\n"
                       "  23 33\n"
                       "  53 63\n"
                       "Q out) 17x17\n"
                       "ker. 5\n"
                       "params = 390,410\n"
                       "same:\n"
                       "rf: 9\n";
    cc_sheet *sh;
    cc_error err;
    cc_error_clear(&err);
    assert_int_equal(cc_sheet_parse(&sh, text, strlen(text), "ada.txt", &err), 0);
    assert_string_equal(cc_sheet_name(sh), "Ada Lovelace");
    assert_null(cc_sheet_variant(sh));
    assert_int_equal(cc_sheet_count(sh), 6);
    const char *id, *ans;
    int line;
    cc_sheet_entry(sh, 0, &id, &ans, &line);
    assert_string_equal(id, "conv");
    assert_string_equal(ans, "23 33\n53 63");
    assert_int_equal(line, 3);
    cc_result r;
    assert_int_equal(cc_check_sheet(&r, set, sh, "ada", NULL, &err), 0);
    assert_string_equal(r.name, "Ada Lovelace");
    assert_int_equal(r.n, cc_exset_count(set));
    size_t conv = (size_t)cc_exset_find(set, "conv"), rf = (size_t)cc_exset_find(set, "rf");
    size_t same = (size_t)cc_exset_find(set, "same"), dil = (size_t)cc_exset_find(set, "dil");
    assert_int_equal(r.grades[conv].verdict, CC_VERDICT_RIGHT);
    assert_int_equal(r.grades[(size_t)cc_exset_find(set, "out")].verdict, CC_VERDICT_RIGHT);
    assert_int_equal(r.grades[(size_t)cc_exset_find(set, "ker")].verdict, CC_VERDICT_RIGHT);
    assert_int_equal(r.grades[(size_t)cc_exset_find(set, "params")].verdict, CC_VERDICT_RIGHT);
    assert_int_equal(r.grades[same].verdict, CC_VERDICT_MISSING); /* blank */
    assert_int_equal(r.grades[dil].verdict, CC_VERDICT_MISSING);  /* absent */
    assert_int_equal(r.grades[rf].verdict, CC_VERDICT_WRONG);
    assert_int_equal(r.grades[rf].mistake, CC_MISTAKE_OFF_BY_ONE);
    assert_int_equal(r.n_right, 4);
    assert_int_equal(r.n_wrong, 1);
    assert_int_equal(r.n_missing, cc_exset_count(set) - 5);
    assert_true(r.score == 4 + 1 + 1 + 3);
    assert_true(r.max_score == cc_exset_total_points(set));

    /* JSON has items with id, verdict, expected and mistake */
    cc_buf b = {0};
    assert_int_equal(cc_result_render(&b, set, &r, CC_FORMAT_JSON, &err), 0);
    assert_non_null(strstr(cc_buf_str(&b), "\"items\""));
    assert_non_null(strstr(cc_buf_str(&b), "\"mistake\":\t[\"off-by-one\"]"));
    assert_non_null(strstr(cc_buf_str(&b), "\"verdict\":\t\"missing\""));
    cc_buf_reset(&b);
    /* a gradebook of two sheets */
    cc_result two[2] = {r, r};
    assert_int_equal(cc_gradebook_render(&b, set, two, 2, CC_FORMAT_CSV, &err), 0);
    const char *csv = cc_buf_str(&b);
    assert_true(strncmp(csv, "sheet,conv,convpad,out,", 23) == 0);
    assert_non_null(strstr(csv, "\nAda Lovelace,4,0,1,"));
    assert_non_null(strstr(csv, ",9,"));
    cc_buf_reset(&b);
    cc_gradebook_summary(&b, set, two, 2);
    assert_non_null(strstr(cc_buf_str(&b), "rf     missed by 2 (2 wrong, 0 missing)"));
    cc_buf_free(&b);
    cc_result_free(&r);
    cc_sheet_free(sh);
}

static void test_malformed_sheets(void **state)
{
    const cc_exset *set = *state;
    static const struct bad_set cases[] = {
        {"just some words\n", 1, 1, "expected 'id: answer'"},
        {"name: x\nfree text here\n", 2, 1, "expected 'id: answer'"},
        {"out: 3\nOUT: 4\n", 2, 1, "given twice"},
        {"out: 3\nx\0y: 2\n", 2, 2, "NUL"},
    };
    static const size_t lens[] = {0, 0, 0, 13};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cc_sheet *sh = NULL;
        cc_error err;
        cc_error_clear(&err);
        size_t len = lens[i] ? lens[i] : strlen(cases[i].text);
        int rc = cc_sheet_parse(&sh, cases[i].text, len, "s.txt", &err);
        assert_int_not_equal(rc, 0);
        assert_null(sh);
        if (err.line != cases[i].line || err.col != cases[i].col ||
            !strstr(err.msg, cases[i].msg))
            fail_msg("sheet case %zu: got %d:%d: %s", i, err.line, err.col, err.msg);
        assert_string_equal(err.source, "s.txt");
    }
    /* an id the set does not have: an error at its line */
    cc_sheet *sh;
    cc_error err;
    assert_int_equal(cc_sheet_parse(&sh, "out: 17\n1z: 4\n", 14, "s.txt", &err), 0);
    cc_result r;
    assert_int_equal(cc_check_sheet(&r, set, sh, NULL, NULL, &err), CC_EINVAL);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.msg, "no problem '1z'"));
    assert_string_equal(err.source, "s.txt");
    cc_sheet_free(sh);
    /* an empty sheet: everything missing */
    assert_int_equal(cc_sheet_parse(&sh, "", 0, "empty.txt", &err), 0);
    assert_int_equal(cc_check_sheet(&r, set, sh, "empty", NULL, &err), 0);
    assert_int_equal(r.n_missing, cc_exset_count(set));
    assert_true(r.score == 0);
    cc_result_free(&r);
    cc_sheet_free(sh);
}

static void test_render_formats(void **state)
{
    const cc_exset *set = *state;
    cc_error err;
    for (int f = CC_FORMAT_TEXT; f <= CC_FORMAT_LATEX; f++)
        for (int sol = 0; sol < 2; sol++) {
            cc_buf b = {0};
            if (cc_exset_render(&b, set, sol, (cc_format)f, &err))
                fail_msg("render %d/%d: %s", f, sol, err.msg);
            assert_non_null(strstr(cc_buf_str(&b), "Every kind"));
            if (sol)
                assert_non_null(strstr(cc_buf_str(&b), "390410"));
            else
                assert_null(strstr(cc_buf_str(&b), "390410"));
            if (f == CC_FORMAT_LATEX) {
                assert_non_null(strstr(cc_buf_str(&b), "\\begin{document}"));
                assert_non_null(strstr(cc_buf_str(&b), "\\end{document}"));
            }
            cc_buf_free(&b);
        }
    cc_buf b = {0};
    assert_int_equal(cc_exset_render(&b, set, 0, CC_FORMAT_JSON, &err), CC_EINVAL);
    cc_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expected_answers),
        cmocka_unit_test(test_convolve),
        cmocka_unit_test(test_convolve_cells),
        cmocka_unit_test(test_sizes_and_mistakes),
        cmocka_unit_test(test_forgiving_sizes),
        cmocka_unit_test(test_forgiving_counts),
        cmocka_unit_test(test_params_mistakes),
        cmocka_unit_test(test_stack_shape_and_rf),
        cmocka_unit_test(test_choice),
        cmocka_unit_test(test_wrong_answer_has_derivation),
        cmocka_unit_test(test_problem_info),
        cmocka_unit_test(test_sheet_parse),
        cmocka_unit_test(test_malformed_sheets),
        cmocka_unit_test(test_render_formats),
    };
    const struct CMUnitTest plain[] = {
        cmocka_unit_test(test_references_and_placeholders),
        cmocka_unit_test(test_malformed_sets),
    };
    int fails = cmocka_run_group_tests_name("check", tests, setup, teardown);
    fails += cmocka_run_group_tests_name("check sets", plain, NULL, NULL);
    return fails;
}
