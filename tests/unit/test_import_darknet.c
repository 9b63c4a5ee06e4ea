/* test_import_darknet.c - the darknet .cfg reader on hand-written
 * classifier cfgs (tests/data/darknet), with counts from the formulas:
 * convolution k*k*Cin*Cout weights + Cout biases, or with batch_normalize
 * no biases but BatchNorm's 2*Cout (darknet's biases and scales) and 2*Cout
 * running statistics; connected in*out + out; darknet's maxpool output
 * (in + padding - size)/stride + 1 with padding = size-1 by default. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/stack.h"

static cc_stack *load(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "tests/data/darknet/%s", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    cc_buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        cc_buf_append(&b, chunk, n);
    fclose(f);
    assert_int_equal(cc_stack_detect(b.data, b.len), CC_SOURCE_DARKNET);
    cc_stack *s = NULL;
    cc_error err;
    cc_error_clear(&err);
    if (cc_stack_parse(&s, b.data, b.len, CC_SOURCE_AUTO, &err) || cc_stack_infer(s, &err))
        fail_msg("%s: %d:%d: %s", name, err.line, err.col, err.msg);
    cc_buf_free(&b);
    return s;
}

/* conv with batch_normalize: weights + 2C (scales, biases) */
#define CONV_BN(k, cin, cout) ((int64_t)(k) * (k) * (cin) * (cout) + 2 * (cout))

static void test_tiny(void **state)
{
    (void)state;
    cc_stack *s = load("tiny.cfg");
    cc_stack_totals t;
    cc_stack_totals_get(s, 0, &t);
    int64_t want = CONV_BN(3, 3, 16) + CONV_BN(3, 16, 32) + CONV_BN(1, 32, 16) +
                   CONV_BN(3, 16, 128) + CONV_BN(1, 128, 32) + CONV_BN(3, 32, 256) +
                   CONV_BN(1, 256, 64) + CONV_BN(3, 64, 512) + (512 * 1000 + 1000);
    assert_int_equal(t.total_params, want);
    assert_int_equal(t.buffers, 2 * (16 + 32 + 16 + 128 + 32 + 256 + 64 + 512));
    const cc_layer *last = &s->layers[s->n - 1];
    assert_int_equal(last->kind, CC_LAYER_SOFTMAX);
    assert_int_equal(last->out.c, 1000);
    assert_int_equal(last->out.h, 1);
    /* the 1x1 convolution before the pooling sees 7x7 */
    assert_int_equal(s->layers[s->n - 3].in.h, 7);
    /* [cost] and the training keys are not layers */
    assert_true(s->n_notes >= 1);
    assert_non_null(strstr(s->notes[s->n_notes - 1].msg, "[cost]"));
    /* leaky slope is darknet's 0.1 */
    assert_int_equal(s->layers[2].kind, CC_LAYER_LEAKY_RELU);
    assert_true(s->layers[2].slope == 0.1);
    cc_stack_free(s);
}

static void test_mnist_fc(void **state)
{
    (void)state;
    cc_stack *s = load("mnist_fc.cfg");
    cc_stack_totals t;
    cc_stack_totals_get(s, 0, &t);
    /* 28 -conv5-> 24 -pool2(pad 1)-> (24+1-2)/2+1 = 12 -conv5-> 8
     * -pool3 s2 (pad 2)-> (8+2-3)/2+1 = 4: 4*4*50 = 800 inputs */
    assert_int_equal(t.total_params,
                     (25 * 1 * 20 + 20) + (25 * 20 * 50 + 50) + (800 * 500 + 500) + (500 * 10 + 10));
    assert_int_equal(t.buffers, 0);
    assert_int_equal(s->layers[2].out.h, 12);
    assert_int_equal(s->layers[5].out.h, 4);
    cc_stack_free(s);
}

static void test_resnet_tiny(void **state)
{
    (void)state;
    cc_stack *s = load("resnet_tiny.cfg");
    cc_stack_totals t;
    cc_stack_totals_get(s, 0, &t);
    assert_int_equal(t.total_params, CONV_BN(3, 3, 32) + 2 * CONV_BN(3, 32, 32) +
                                         CONV_BN(3, 32, 64) + CONV_BN(1, 32, 64) + 128 * 10 + 10);
    /* find the route that joins: 64 + 64 channels at 16x16 */
    const cc_layer *join = NULL, *back = NULL;
    for (size_t i = 0; i < s->n; i++)
        if (s->layers[i].kind == CC_LAYER_CONCAT) {
            if (s->layers[i].n_sources == 2)
                join = &s->layers[i];
            else
                back = &s->layers[i];
        }
    assert_non_null(join);
    assert_non_null(back);
    assert_int_equal(join->out.c, 128);
    assert_int_equal(join->out.h, 16);
    assert_int_equal(back->out.c, 32);
    assert_int_equal(back->out.h, 32);
    cc_stack_free(s);
}

static void expect_error(const char *text, int line, int col, const char *part)
{
    cc_stack *s = NULL;
    cc_error err;
    cc_error_clear(&err);
    int rc = cc_stack_parse_darknet(&s, text, strlen(text), &err);
    if (rc == 0) {
        rc = cc_stack_infer(s, &err);
        cc_stack_free(s);
    }
    assert_true(rc < 0);
    if (!strstr(err.msg, part) || err.line != line || err.col != col)
        fail_msg("got %d:%d: %s; expected %d:%d: ...%s...", err.line, err.col, err.msg, line, col,
                 part);
}

static void test_errors_and_notes(void **state)
{
    (void)state;
    const char *net = "[net]\nwidth=8\nheight=8\nchannels=3\n";
    char buf[512];
    snprintf(buf, sizeof buf, "%s[iseg]\nclasses=1\n", net);
    expect_error(buf, 5, 1, "unsupported section [iseg] at darknet layer 0");
    snprintf(buf, sizeof buf, "%s[convolutional]\nfilters=x8\n", net);
    expect_error(buf, 6, 9, "filters=x8 is not a whole number");
    snprintf(buf, sizeof buf, "%s[convolutional]\nfilters=8\nactivation=mish\n", net);
    expect_error(buf, 7, 12, "activation=mish is not supported");
    snprintf(buf, sizeof buf, "%s[convolutional]\nfilters=8\n[shortcut]\nfrom=-5\n", net);
    expect_error(buf, 8, 6, "layer -4 is not before");
    /* darknet adds maps of different sizes only in the same ratio in
     * height and width (its shortcut asserts it) */
    snprintf(buf, sizeof buf,
             "%s[convolutional]\nfilters=8\n[convolutional]\nfilters=4\nstride_x=2\n"
             "[shortcut]\nfrom=-2\n",
             net);
    expect_error(buf, 10, 1, "logistic_0 (darknet layer 0) gives 8x8x8 and logistic_1 (darknet layer 1) gives 4x8x4");
    expect_error("filters=3\n", 1, 1, "expected a section");
    expect_error("[net\n", 1, 1, "section header");
    expect_error("[net]\nwidth\n", 2, 1, "expected 'key=value'");
    expect_error("[net]\nwidth=8\n", 2, 1, "no layers");
    expect_error("[convolutional]\nfilters=8\n", 1, 1, "no input size");

    /* unknown keys are noted with their line, not fatal */
    snprintf(buf, sizeof buf, "%s[convolutional]\nfilters=8\n  colour = blue\n", net);
    cc_stack *s = NULL;
    assert_int_equal(cc_stack_parse_darknet(&s, buf, strlen(buf), NULL), 0);
    assert_int_equal(s->n_notes, 1);
    assert_int_equal(s->notes[0].line, 7);
    assert_int_equal(s->notes[0].col, 3);
    assert_non_null(strstr(s->notes[0].msg, "unknown key 'colour' in [convolutional]"));
    /* darknet's default activation for a convolution is logistic */
    assert_int_equal(s->layers[s->n - 1].kind, CC_LAYER_SIGMOID);
    cc_stack_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiny),
        cmocka_unit_test(test_mnist_fc),
        cmocka_unit_test(test_resnet_tiny),
        cmocka_unit_test(test_errors_and_notes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
