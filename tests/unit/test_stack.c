/* test_stack.c - the spec reader, shape inference and counting on classic
 * networks whose parameter counts are published (LeNet-5: LeCun et al.
 * 1998 as usually re-implemented, 61,706; VGG-16: Simonyan & Zisserman
 * 2015, 138,357,544) and computed by hand from the formulas
 * (k*k*Cin/groups + 1)*Cout and (in + 1)*out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "convcalc/stack.h"

static cc_stack *parse_ok(const char *text)
{
    cc_stack *s = NULL;
    cc_error err;
    cc_error_clear(&err);
    int rc = cc_stack_parse_spec(&s, text, strlen(text), &err);
    if (rc)
        fail_msg("parse failed: %d:%d: %s", err.line, err.col, err.msg);
    rc = cc_stack_infer(s, &err);
    if (rc)
        fail_msg("infer failed: %d:%d: %s", err.line, err.col, err.msg);
    return s;
}

static const char *assignment =
    "# the assignment net\n"
    "input 32x32x3\n"
    "conv 32 5x5 pad 2\n"
    "relu\n"
    "maxpool 2\n"
    "conv 64 5x5 pad 2\n"
    "relu\n"
    "maxpool 2\n"
    "conv 128 5x5 pad 2\n"
    "relu\n"
    "maxpool 2\n"
    "flatten\n"
    "linear 2048->64\n"
    "relu\n"
    "linear 64->10\n";

static void test_assignment(void **state)
{
    (void)state;
    cc_stack *s = parse_ok(assignment);
    assert_int_equal(s->n, 13);
    assert_int_equal(s->shapes, CC_SHAPES_SEQUENTIAL);
    assert_int_equal(s->layers[0].counts.params, (5 * 5 * 3 + 1) * 32);
    assert_int_equal(s->layers[3].counts.params, (5 * 5 * 32 + 1) * 64);
    assert_int_equal(s->layers[6].counts.params, (5 * 5 * 64 + 1) * 128);
    assert_int_equal(s->layers[10].counts.params, (2048 + 1) * 64);
    assert_int_equal(s->layers[12].counts.params, (64 + 1) * 10);
    assert_int_equal(s->layers[8].out.c, 128);
    assert_int_equal(s->layers[8].out.h, 4);
    assert_int_equal(s->layers[10].in.c, 2048);
    /* MACs of the first conv: 32*32 outputs per filter, 32 filters, 75 each */
    assert_int_equal(s->layers[0].counts.macs, 32 * 32 * 32 * 75);
    assert_int_equal(s->layers[0].counts.flops, 32 * 32 * 32 * (2 * 75));
    /* receptive field: 5, then pool 2 -> 6 (jump 2), conv 5 -> 6+4*2 = 14 */
    assert_int_equal(s->layers[0].counts.rf_h, 5);
    assert_int_equal(s->layers[2].counts.rf_h, 6);
    assert_int_equal(s->layers[2].counts.jump_h, 2);
    assert_int_equal(s->layers[3].counts.rf_h, 14);
    assert_int_equal(s->layers[5].counts.rf_h, 16);
    assert_int_equal(s->layers[5].counts.jump_h, 4);
    assert_int_equal(s->layers[6].counts.rf_h, 32);
    cc_stack_totals t;
    cc_stack_totals_get(s, 0, &t);
    assert_int_equal(t.total_params, 390410);
    assert_int_equal(t.trainable_params, 390410);
    assert_int_equal(t.non_trainable_params, 0);
    cc_buf b = {0};
    cc_layer_param_formula(&b, &s->layers[0], 0);
    assert_string_equal(cc_buf_str(&b), "(5*5*3 + 1) * 32 = 2432");
    cc_buf_free(&b);
    cc_stack_free(s);
}

static void test_lenet5(void **state)
{
    (void)state;
    cc_stack *s = parse_ok("input 32x32x1\n"
                           "c1: conv 6 5x5\ntanh\navgpool 2\n"
                           "c3: conv 16 5x5\ntanh\navgpool 2\n"
                           "flatten\nf5: linear 120\ntanh\nf6: linear 84\ntanh\n"
                           "out: linear 10\n");
    cc_stack_totals t;
    cc_stack_totals_get(s, 0, &t);
    assert_int_equal(t.total_params, 61706);
    assert_string_equal(s->layers[0].name, "c1");
    assert_int_equal(s->layers[7].in.c, 400);
    cc_stack_free(s);
}

static void test_vgg16_repeat(void **state)
{
    (void)state;
    cc_stack *s = parse_ok("input 224x224x3\n"
                           "repeat 2 { \n conv 64 3x3 pad 1\n relu\n}\nmaxpool 2\n"
                           "repeat 2 {\n conv 128 3x3 pad 1\n relu\n}\nmaxpool 2\n"
                           "repeat 3 {\n conv 256 3x3 pad 1\n relu\n}\nmaxpool 2\n"
                           "repeat 2 {\n repeat 3 {\n  conv 512 3x3 pad 1\n  relu\n }\n"
                           " maxpool 2\n}\n"
                           "flatten\nlinear 4096\nrelu\ndropout\n"
                           "linear 4096\nrelu\ndropout\nlinear 1000\n");
    cc_stack_totals t;
    cc_stack_totals_get(s, 0, &t);
    assert_int_equal(t.total_params, 138357544);
    assert_int_equal(s->layers[s->n - 7].in.c, 7 * 7 * 512);
    cc_stack_free(s);
}

static void test_batchnorm_conventions(void **state)
{
    (void)state;
    cc_stack *s = parse_ok("input 8x8x3\nconv 16 3x3 pad 1 nobias\nbatchnorm\nrelu\n"
                           "flatten\nbatchnorm\nlinear 10\n");
    assert_int_equal(s->layers[1].kind, CC_LAYER_BATCHNORM2D);
    assert_int_equal(s->layers[4].kind, CC_LAYER_BATCHNORM1D);
    cc_stack_totals t;
    cc_stack_totals_get(s, 0, &t);
    int64_t conv = 3 * 3 * 3 * 16, bn2 = 2 * 16, bn1 = 2 * 1024, fc = 1025 * 10;
    assert_int_equal(t.total_params, conv + bn2 + bn1 + fc);
    assert_int_equal(t.non_trainable_params, 0);
    assert_int_equal(t.buffers, 2 * 16 + 2 * 1024);
    cc_stack_totals_get(s, 1, &t);
    assert_int_equal(t.total_params, conv + 4 * 16 + 4 * 1024 + fc);
    assert_int_equal(t.non_trainable_params, 2 * 16 + 2 * 1024);
    assert_int_equal(t.trainable_params, conv + bn2 + bn1 + fc);
    cc_stack_free(s);
}

static void test_depthwise_groups(void **state)
{
    (void)state;
    /* MobileNet-style separable block: depthwise 3x3 (groups = C) then
     * pointwise 1x1 */
    cc_stack *s = parse_ok("input 112x112x32\n"
                           "conv 32 3x3 pad 1 groups 32 nobias\nbatchnorm\nrelu\n"
                           "conv 64 1x1 nobias\nbatchnorm\nrelu\n");
    assert_int_equal(s->layers[0].counts.params, 3 * 3 * 32);
    assert_int_equal(s->layers[0].counts.macs, 112 * 112 * 32 * 9);
    assert_int_equal(s->layers[3].counts.params, 32 * 64);
    cc_stack_free(s);
}

static void test_residual_add(void **state)
{
    (void)state;
    cc_stack *s = parse_ok("input 8x8x16\n"
                           "repeat 2 {\n"
                           " start: identity\n"
                           " conv 16 3x3 pad 1\n relu\n conv 16 3x3 pad 1\n"
                           " add start\n relu\n"
                           "}\n");
    assert_int_equal(s->n, 12);
    assert_int_equal(s->layers[4].from, 0);
    assert_int_equal(s->layers[10].from, 6);
    assert_int_equal(s->layers[4].out.c, 16);
    /* receptive field of the sum: the longer path, 1 + 2 + 2 */
    assert_int_equal(s->layers[4].counts.rf_h, 5);
    cc_stack_free(s);
}

/* Receptive fields of a pasted PyTorch repr without an input size: they
 * follow from kernels, strides and dilations alone (computed by hand:
 * rf_out = rf_in + (dilation*(k-1)) * jump_in, jump_out = jump_in * stride). */
static void test_rf_without_input(void **state)
{
    (void)state;
    static const char repr[] =
        "Net(\n"
        "  (conv1): Conv2d(3, 6, kernel_size=(5, 5), stride=(1, 1))\n"
        "  (pool): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n"
        "  (conv2): Conv2d(6, 16, kernel_size=(3, 3), stride=(2, 2), dilation=(2, 2))\n"
        "  (conv3): Conv2d(16, 8, kernel_size=(3, 1), stride=(1, 3))\n"
        "  (drop): Dropout(p=0.5, inplace=False)\n"
        "  (fc1): Linear(in_features=400, out_features=10, bias=True)\n"
        ")\n";
    cc_stack *s = NULL;
    cc_error err;
    cc_error_clear(&err);
    assert_int_equal(cc_stack_parse(&s, repr, strlen(repr), CC_SOURCE_TORCH, &err), 0);
    assert_int_equal(cc_stack_infer(s, &err), 0);
    assert_int_equal(s->input.rank, 0);
    assert_int_equal(s->n, 6);
    /* conv1 5x5: 5, jump 1 */
    assert_int_equal(s->layers[0].counts.rf_h, 5);
    assert_int_equal(s->layers[0].counts.rf_w, 5);
    assert_int_equal(s->layers[0].counts.jump_h, 1);
    /* pool 2 stride 2: 5 + 1*1 = 6, jump 2 */
    assert_int_equal(s->layers[1].counts.rf_h, 6);
    assert_int_equal(s->layers[1].counts.jump_h, 2);
    /* conv2 3x3 dilation 2 stride 2: 6 + 4*2 = 14, jump 4 */
    assert_int_equal(s->layers[2].counts.rf_h, 14);
    assert_int_equal(s->layers[2].counts.rf_w, 14);
    assert_int_equal(s->layers[2].counts.jump_h, 4);
    /* conv3 3x1 stride 1x3: height 14 + 2*4 = 22, width stays 14; jumps 4, 12 */
    assert_int_equal(s->layers[3].counts.rf_h, 22);
    assert_int_equal(s->layers[3].counts.rf_w, 14);
    assert_int_equal(s->layers[3].counts.jump_w, 12);
    /* dropout keeps it, the linear layer sees everything */
    assert_int_equal(s->layers[4].counts.rf_h, 22);
    assert_int_equal(s->layers[5].counts.rf_h, -1);
    cc_stack_free(s);

    /* the same prefix with an input size gives the same fields */
    static const char spec[] = "input 40x40x3\nconv 6 5x5\nmaxpool 2\n"
                               "conv 16 3x3 stride 2 dilation 2\nconv 8 3x1 stride 1x3\n";
    s = parse_ok(spec);
    assert_int_equal(s->layers[0].counts.rf_h, 5);
    assert_int_equal(s->layers[2].counts.rf_h, 14);
    assert_int_equal(s->layers[3].counts.rf_h, 22);
    assert_int_equal(s->layers[3].counts.rf_w, 14);
    cc_stack_free(s);
}

static void test_to_spec_round_trip(void **state)
{
    (void)state;
    cc_stack *a = parse_ok("input 33x31x3\n"
                           "conv 8 3x5 stride 2x1 pad 0,1,2,0 dilation 2 nobias\n"
                           "batchnorm eps 0.001 momentum 0.01\nleakyrelu 0.2\n"
                           "maxpool 3 stride 2 pad 1 ceil\navgpool 2x1 exclude_pad\n"
                           "x: elu 0.5\nconv 8 3x3 pad same groups 2 frozen\nadd x\n"
                           "concat -1 -3\nadaptiveavgpool 2x3\n"
                           "flatten\ndropout 0.25\nlinear 96->20 nobias\nsigmoid\n");
    cc_buf b = {0};
    assert_int_equal(cc_stack_to_spec(&b, a), 0);
    cc_stack *c = parse_ok(cc_buf_str(&b));
    assert_int_equal(a->n, c->n);
    for (size_t i = 0; i < a->n; i++) {
        cc_layer *x = &a->layers[i], *y = &c->layers[i];
        assert_string_equal(x->name, y->name);
        assert_int_equal(x->kind, y->kind);
        /* field by field: a struct's padding bytes are unspecified */
        assert_int_equal(x->out.rank, y->out.rank);
        assert_int_equal(x->out.c, y->out.c);
        assert_int_equal(x->out.h, y->out.h);
        assert_int_equal(x->out.w, y->out.w);
        assert_memory_equal(&x->counts, &y->counts, sizeof x->counts);
        assert_true(x->eps == y->eps && x->slope == y->slope && x->p == y->p);
        assert_int_equal(x->from, y->from);
    }
    cc_buf b2 = {0};
    assert_int_equal(cc_stack_to_spec(&b2, c), 0);
    assert_string_equal(cc_buf_str(&b), cc_buf_str(&b2));
    cc_buf_free(&b);
    cc_buf_free(&b2);
    cc_stack_free(a);
    cc_stack_free(c);
}

/* Errors: the message, line and column. */
static void expect_error(const char *text, int line, int col, const char *part)
{
    cc_stack *s = NULL;
    cc_error err;
    cc_error_clear(&err);
    int rc = cc_stack_parse_spec(&s, text, strlen(text), &err);
    if (rc == 0) {
        rc = cc_stack_infer(s, &err);
        cc_stack_free(s);
    } else {
        assert_null(s);
    }
    assert_true(rc < 0);
    if (!strstr(err.msg, part) || err.line != line || err.col != col)
        fail_msg("got %d:%d: %s; expected %d:%d: ...%s...", err.line, err.col, err.msg, line, col,
                 part);
}

static void test_errors(void **state)
{
    (void)state;
    char assign_bad[1024];
    snprintf(assign_bad, sizeof assign_bad, "%s", assignment);
    /* drop the third pooling layer: 128*8*8 = 8192 reach the linear layer */
    char *p = strstr(assign_bad, "maxpool 2\nflatten");
    memmove(p, p + 10, strlen(p + 10) + 1);
    expect_error(assign_bad, 12, 1, "linear1 expects 2048 inputs but flatten1 gives 8192 (128x8x8 flattened)");
    expect_error("input 32x32x3\nconv 32 5x5\nlinear 10\n", 3, 1, "add a flatten layer");
    expect_error("input 4x4x1\nconv 2 5x5\n", 2, 1, "height");
    expect_error("input 8x8x3\nconv 32\n", 2, 1, "conv needs the number of filters");
    expect_error("input 8x8x3\n  convv 32 3x3\n", 2, 3, "unknown layer 'convv'");
    expect_error("input 8x8x3\nconv 32 3x3 strde 2\n", 2, 13, "unknown option 'strde'");
    expect_error("input 8x8x3\nrepeat 2 {\nrelu\n", 2, 1, "not closed");
    expect_error("input 8x8x3\nrelu\n}\n", 3, 1, "without a 'repeat");
    expect_error("conv 8 3x3\n", 1, 1, "no input size");
    expect_error("input 8x8x3\nadd nothere\n", 2, 5, "no earlier layer is named 'nothere'");
    expect_error("input 8x8x3\nconv 8 3x3\nadd input\n", 3, 1, "must be equal");
    expect_error("input 8x8x3\nconv 99999999999 3x3\n", 2, 6, "not a whole number");
    expect_error("input 1099511627776x8x3\n", 1, 7, "above");
    expect_error("input 8x8x3\nconv 6 3x3 groups 4\n", 2, 1, "groups 4 must divide");
    expect_error("input 8x8x3\ndropout 1.5\n", 2, 9, "dropout probability");
    expect_error("# nothing\n\n", 1, 1, "no layers");
    expect_error("input 8x8x3\nbatchnorm1d\n", 2, 1, "needs a flat input");
    expect_error("input 8x8x3\nflatten\nconv 3 1x1\n", 3, 1, "needs a C x H x W input");
}

static void test_shape_parse(void **state)
{
    (void)state;
    cc_shape s;
    assert_int_equal(cc_shape_parse("32x30x3", &s, NULL), 0);
    assert_int_equal(s.rank, 3);
    assert_int_equal(s.h, 32);
    assert_int_equal(s.w, 30);
    assert_int_equal(s.c, 3);
    assert_int_equal(cc_shape_parse("28x28", &s, NULL), 0);
    assert_int_equal(s.c, 1);
    assert_int_equal(cc_shape_parse("784", &s, NULL), 0);
    assert_int_equal(s.rank, 1);
    assert_int_not_equal(cc_shape_parse("0x3x3", &s, NULL), 0);
    assert_int_not_equal(cc_shape_parse("3x3x3x3", &s, NULL), 0);
    assert_int_not_equal(cc_shape_parse("", &s, NULL), 0);
    assert_int_not_equal(cc_shape_parse("32x", &s, NULL), 0);
    assert_int_equal(cc_stack_detect("input 3\n", 8), CC_SOURCE_SPEC);
    assert_int_equal(cc_stack_detect("# c\n[net]\n", 10), CC_SOURCE_DARKNET);
    assert_int_equal(cc_stack_detect("Net(\n  (fc): Linear()\n)", 20), CC_SOURCE_TORCH);
}

/* An "input" line above a pasted PyTorch print(model) gives its input
 * size; the repr's own line numbers stay (errors point into it). */
static void test_input_before_torch(void **state)
{
    (void)state;
    const char *t = "# a comment\n"
                    "input 12x10x2  # H x W x C\n"
                    "Net(\n"
                    "  (conv): Conv2d(2, 4, kernel_size=(3, 3), stride=(1, 2))\n"
                    "  (fc): Linear(in_features=160, out_features=3, bias=True)\n"
                    ")\n";
    assert_int_equal(cc_stack_detect(t, strlen(t)), CC_SOURCE_TORCH);
    cc_stack *s = NULL;
    cc_error err;
    cc_error_clear(&err);
    assert_int_equal(cc_stack_parse(&s, t, strlen(t), CC_SOURCE_AUTO, &err), 0);
    assert_int_equal(s->input.h, 12);
    assert_int_equal(s->input.w, 10);
    assert_int_equal(s->input.c, 2);
    assert_int_equal(s->input_line, 2);
    assert_int_equal(cc_stack_infer(s, &err), 0);
    /* conv: (12-3)/1+1 = 10 rows, (10-3)/2+1 = 4 columns, 4 channels */
    assert_int_equal(s->layers[0].out.h, 10);
    assert_int_equal(s->layers[0].out.w, 4);
    assert_int_equal(s->layers[0].out.c, 4);
    cc_stack_free(s);
    /* the same text read as torch explicitly */
    assert_int_equal(cc_stack_parse(&s, t, strlen(t), CC_SOURCE_TORCH, &err), 0);
    assert_int_equal(s->input.h, 12);
    cc_stack_free(s);
    /* a bad size: its line and column */
    const char *bad = "\ninput 12x0x2\nNet(\n  (fc): Linear(in_features=3, out_features=1)\n)\n";
    assert_int_not_equal(cc_stack_parse(&s, bad, strlen(bad), CC_SOURCE_AUTO, &err), 0);
    assert_null(s);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 7);
    /* an error inside the repr keeps the repr's line number */
    const char *inner = "input 4\nNet(\n  (fc): Linear(in_features=3, out_features=)\n)\n";
    assert_int_not_equal(cc_stack_parse(&s, inner, strlen(inner), CC_SOURCE_AUTO, &err), 0);
    assert_int_equal(err.line, 3);
    /* a spec text with an input line stays spec */
    const char *spec = "input 8x8x1\nconv 4 3\n";
    assert_int_equal(cc_stack_detect(spec, strlen(spec)), CC_SOURCE_SPEC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assignment),
        cmocka_unit_test(test_rf_without_input),
        cmocka_unit_test(test_lenet5),
        cmocka_unit_test(test_vgg16_repeat),
        cmocka_unit_test(test_batchnorm_conventions),
        cmocka_unit_test(test_depthwise_groups),
        cmocka_unit_test(test_residual_add),
        cmocka_unit_test(test_to_spec_round_trip),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_shape_parse),
        cmocka_unit_test(test_input_before_torch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
