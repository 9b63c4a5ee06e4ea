/* test_torch_seg.c - the repr reader's flow for torchvision's segmentation
 * models on small reprs that torchvision printed for FCN (with an
 * aux_classifier), DeepLabV3 (DeepLabHead: ASPP with its pooling branch)
 * and LRASPP, built on a three-stage backbone (stem 3->8 stride 2, layer1
 * 8->16 stride 2, layer2 16->32 dilated 2). Shapes worked out by hand for a
 * 40x24x3 input: stem 8x20x12, layer1 16x10x6, layer2 32x10x6; every
 * model ends with its 5 classes resized to the input, 5x40x24 (PyTorch's
 * forward gives (1, 5, 40, 24) for each). Hostile variants whose aux or
 * low head fits no stage must say so and never show a wrong shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/stack.h"

static const char fcn[] =
    "FCN(\n"
    "  (backbone): IntermediateLayerGetter(\n"
    "    (stem): Conv2d(3, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))\n"
    "    (layer1): Sequential(\n"
    "      (0): Conv2d(8, 16, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))\n"
    "      (1): ReLU()\n"
    "    )\n"
    "    (layer2): Sequential(\n"
    "      (0): Conv2d(16, 32, kernel_size=(3, 3), stride=(1, 1), padding=(2, 2), dilation=(2, 2))\n"
    "      (1): ReLU()\n"
    "    )\n"
    "  )\n"
    "  (classifier): FCNHead(\n"
    "    (0): Conv2d(32, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)\n"
    "    (1): BatchNorm2d(8, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)\n"
    "    (2): ReLU()\n"
    "    (3): Dropout(p=0.1, inplace=False)\n"
    "    (4): Conv2d(8, 5, kernel_size=(1, 1), stride=(1, 1))\n"
    "  )\n"
    "  (aux_classifier): FCNHead(\n"
    "    (0): Conv2d(16, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)\n"
    "    (1): BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)\n"
    "    (2): ReLU()\n"
    "    (3): Dropout(p=0.1, inplace=False)\n"
    "    (4): Conv2d(4, 5, kernel_size=(1, 1), stride=(1, 1))\n"
    "  )\n"
    ")\n";

static const char deeplab[] =
    "DeepLabV3(\n"
    "  (backbone): IntermediateLayerGetter(\n"
    "    (stem): Conv2d(3, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))\n"
    "    (layer1): Sequential(\n"
    "      (0): Conv2d(8, 16, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))\n"
    "      (1): ReLU()\n"
    "    )\n"
    "    (layer2): Sequential(\n"
    "      (0): Conv2d(16, 32, kernel_size=(3, 3), stride=(1, 1), padding=(2, 2), dilation=(2, 2))\n"
    "      (1): ReLU()\n"
    "    )\n"
    "  )\n"
    "  (classifier): DeepLabHead(\n"
    "    (0): ASPP(\n"
    "      (convs): ModuleList(\n"
    "        (0): Sequential(\n"
    "          (0): Conv2d(32, 256, kernel_size=(1, 1), stride=(1, 1), bias=False)\n"
    "          (1): BatchNorm2d(256, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)\n"
    "          (2): ReLU()\n"
    "        )\n"
    "        (1): ASPPConv(\n"
    "          (0): Conv2d(32, 256, kernel_size=(3, 3), stride=(1, 1), padding=(12, 12), dilation=(12, 12), bias=False)\n"
    "          (1): BatchNorm2d(256, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)\n"
    "          (2): ReLU()\n"
    "        )\n"
    "        (2): ASPPConv(\n"
    "          (0): Conv2d(32, 256, kernel_size=(3, 3), stride=(1, 1), padding=(24, 24), dilation=(24, 24), bias=False)\n"
    "          (1): BatchNorm2d(256, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)\n"
    "          (2): ReLU()\n"
    "        )\n"
    "        (3): ASPPConv(\n"
    "          (0): Conv2d(32, 256, kernel_size=(3, 3), stride=(1, 1), padding=(36, 36), dilation=(36, 36), bias=False)\n"
    "          (1): BatchNorm2d(256, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)\n"
    "          (2): ReLU()\n"
    "        )\n"
    "        (4): ASPPPooling(\n"
    "          (0): AdaptiveAvgPool2d(output_size=1)\n"
    "          (1): Conv2d(32, 256, kernel_size=(1, 1), stride=(1, 1), bias=False)\n"
    "          (2): BatchNorm2d(256, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)\n"
    "          (3): ReLU()\n"
    "        )\n"
    "      )\n"
    "      (project): Sequential(\n"
    "        (0): Conv2d(1280, 256, kernel_size=(1, 1), stride=(1, 1), bias=False)\n"
    "        (1): BatchNorm2d(256, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)\n"
    "        (2): ReLU()\n"
    "        (3): Dropout(p=0.5, inplace=False)\n"
    "      )\n"
    "    )\n"
    "    (1): Conv2d(256, 256, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)\n"
    "    (2): BatchNorm2d(256, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)\n"
    "    (3): ReLU()\n"
    "    (4): Conv2d(256, 5, kernel_size=(1, 1), stride=(1, 1))\n"
    "  )\n"
    ")\n";

static const char lraspp[] =
    "LRASPP(\n"
    "  (backbone): IntermediateLayerGetter(\n"
    "    (stem): Conv2d(3, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))\n"
    "    (layer1): Sequential(\n"
    "      (0): Conv2d(8, 16, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))\n"
    "      (1): ReLU()\n"
    "    )\n"
    "    (layer2): Sequential(\n"
    "      (0): Conv2d(16, 32, kernel_size=(3, 3), stride=(1, 1), padding=(2, 2), dilation=(2, 2))\n"
    "      (1): ReLU()\n"
    "    )\n"
    "  )\n"
    "  (classifier): LRASPPHead(\n"
    "    (cbr): Sequential(\n"
    "      (0): Conv2d(32, 8, kernel_size=(1, 1), stride=(1, 1), bias=False)\n"
    "      (1): BatchNorm2d(8, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)\n"
    "      (2): ReLU(inplace=True)\n"
    "    )\n"
    "    (scale): Sequential(\n"
    "      (0): AdaptiveAvgPool2d(output_size=1)\n"
    "      (1): Conv2d(32, 8, kernel_size=(1, 1), stride=(1, 1), bias=False)\n"
    "      (2): Sigmoid()\n"
    "    )\n"
    "    (low_classifier): Conv2d(16, 5, kernel_size=(1, 1), stride=(1, 1))\n"
    "    (high_classifier): Conv2d(8, 5, kernel_size=(1, 1), stride=(1, 1))\n"
    "  )\n"
    ")\n";

static cc_stack *parse(const char *text, long h, long w, long c)
{
    cc_stack *s = NULL;
    cc_error err;
    cc_error_clear(&err);
    if (cc_stack_parse_torch(&s, text, strlen(text), &err))
        fail_msg("%d:%d: %s", err.line, err.col, err.msg);
    assert_int_equal(cc_stack_set_input(s, h, w, c, NULL), 0);
    if (cc_stack_infer(s, &err))
        fail_msg("infer: %d:%d: %s", err.line, err.col, err.msg);
    return s;
}

/* The output of the n-th layer named `name` (1: the first). */
static void out_is(const cc_stack *s, const char *name, int nth, long c, long h, long w)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->layers[i].name, name) == 0 && --nth == 0) {
            const cc_shape *o = &s->layers[i].out;
            if (o->rank != 3 || o->c != c || o->h != h || o->w != w)
                fail_msg("%s: %ldx%ldx%ld, expected %ldx%ldx%ld", name, o->c, o->h, o->w, c, h,
                         w);
            return;
        }
    fail_msg("no layer %s", name);
}

static void last_is(const cc_stack *s, long c, long h, long w)
{
    assert_true(s->shapes == CC_SHAPES_SEQUENTIAL || s->shapes == CC_SHAPES_ASSUMED);
    const cc_shape *o = &s->layers[s->n - 1].out;
    if (o->rank != 3 || o->c != c || o->h != h || o->w != w)
        fail_msg("last: %ldx%ldx%ld, expected %ldx%ldx%ld", o->c, o->h, o->w, c, h, w);
}

static int64_t macs(cc_stack *s)
{
    cc_stack_totals t;
    cc_stack_totals_get(s, 0, &t);
    return t.macs;
}

static void test_fcn(void **state)
{
    (void)state;
    cc_stack *s = parse(fcn, 40, 24, 3);
    out_is(s, "classifier.4", 1, 5, 10, 6);
    out_is(s, "(interpolate)", 1, 5, 40, 24);   /* out */
    out_is(s, "aux_classifier.0", 1, 4, 10, 6); /* from layer1's 16x10x6 */
    out_is(s, "(interpolate)", 2, 5, 40, 24);   /* aux */
    last_is(s, 5, 40, 24);
    /* Conv2d MACs, out elements x in/groups x kernel: stem 8*240*27 +
     * layer1 16*60*72 + layer2 32*60*144 + classifier 8*60*288 + 5*60*8 +
     * aux 4*60*144 + 5*60*4 */
    assert_int_equal(macs(s), 51840 + 69120 + 276480 + 138240 + 2400 + 34560 + 1200);
    cc_stack_free(s);
    /* another input size: the resizes follow it */
    s = parse(fcn, 64, 64, 3);
    out_is(s, "classifier.4", 1, 5, 16, 16);
    last_is(s, 5, 64, 64);
    cc_stack_free(s);
}

static void test_deeplab(void **state)
{
    (void)state;
    cc_stack *s = parse(deeplab, 40, 24, 3);
    out_is(s, "classifier.0.convs.4.0", 1, 32, 1, 1); /* the pooling branch */
    out_is(s, "classifier.0.convs.4.(interpolate)", 1, 256, 10, 6);
    out_is(s, "classifier.0.(cat)", 1, 5 * 256, 10, 6);
    out_is(s, "classifier.0.project.0", 1, 256, 10, 6);
    out_is(s, "classifier.4", 1, 5, 10, 6);
    last_is(s, 5, 40, 24);
    cc_stack_free(s);
}

static void test_lraspp(void **state)
{
    (void)state;
    cc_stack *s = parse(lraspp, 40, 24, 3);
    out_is(s, "classifier.(mul)", 1, 8, 10, 6);         /* cbr(high) * scale(high) */
    out_is(s, "classifier.low_classifier", 1, 5, 10, 6); /* from layer1 */
    out_is(s, "classifier.(add)", 1, 5, 10, 6);
    last_is(s, 5, 40, 24);
    cc_stack_free(s);
}

/* A copy of text with the first `from` replaced by `to`. */
static char *edit(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    assert_non_null(at);
    size_t n = strlen(text) + strlen(to) + 1;
    char *t = malloc(n);
    assert_non_null(t);
    snprintf(t, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    return t;
}

static int noted(const cc_stack *s, const char *what)
{
    for (size_t i = 0; i < s->n_notes; i++)
        if (strstr(s->notes[i].msg, what))
            return 1;
    return 0;
}

static void test_unfit_heads(void **state)
{
    (void)state;
    /* an aux head that takes 12 channels: no stage gives them, so it is
     * left out with a note; the main output is still right */
    char *t = edit(fcn, "Conv2d(16, 4,", "Conv2d(12, 4,");
    cc_stack *s = parse(t, 40, 24, 3);
    assert_true(noted(s, "aux_classifier"));
    last_is(s, 5, 40, 24);
    cc_stack_free(s);
    free(t);
    /* LRASPP's low stage cannot be found: shapes after the backbone are
     * unknown (never a wrong one), with a note naming why */
    t = edit(lraspp, "Conv2d(16, 5,", "Conv2d(12, 5,");
    s = parse(t, 40, 24, 3);
    assert_true(noted(s, "low_classifier"));
    assert_true(s->shapes != CC_SHAPES_SEQUENTIAL && s->shapes != CC_SHAPES_ASSUMED);
    cc_stack_free(s);
    free(t);
}

/* Layouts other than torchvision's are walked as printed: every module
 * and parameter is still counted. */
static void test_other_layouts(void **state)
{
    (void)state;
    static const char leaf[] =
        "FCN(\n"
        "  (backbone): Conv2d(3, 8, kernel_size=(1, 1), stride=(2, 2))\n"
        "  (classifier): Conv2d(8, 2, kernel_size=(1, 1), stride=(1, 1))\n"
        ")\n";
    cc_stack *s = parse(leaf, 10, 10, 3);
    out_is(s, "backbone", 1, 8, 5, 5);
    last_is(s, 2, 10, 10);
    cc_stack_totals t;
    cc_stack_totals_get(s, 0, &t);
    assert_int_equal(t.total_params, 32 + 18);
    cc_stack_free(s);
    static const char extra[] =
        "FCN(\n"
        "  (backbone): Conv2d(3, 8, kernel_size=(1, 1), stride=(1, 1))\n"
        "  (classifier): Conv2d(8, 2, kernel_size=(1, 1), stride=(1, 1))\n"
        "  (refine): Conv2d(2, 2, kernel_size=(1, 1), stride=(1, 1))\n"
        ")\n";
    s = parse(extra, 10, 10, 3);
    cc_stack_totals_get(s, 0, &t);
    assert_int_equal(t.total_params, 32 + 18 + 6);
    cc_stack_free(s);
    static const char empty[] =
        "ASPP(\n"
        "  (convs): ModuleList()\n"
        "  (project): Conv2d(32, 8, kernel_size=(1, 1), stride=(1, 1), bias=False)\n"
        ")\n";
    s = parse(empty, 10, 10, 32);
    last_is(s, 8, 10, 10);
    cc_stack_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fcn),
        cmocka_unit_test(test_deeplab),
        cmocka_unit_test(test_lraspp),
        cmocka_unit_test(test_unfit_heads),
        cmocka_unit_test(test_other_layouts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
