/* test_verify_stack.c - cc_net_from_stack, which `params --verify` uses:
 * every layer of the spec language the engine has an op for is built with
 * the stack's shapes and parameter counts (concat/route, upsample, relu6,
 * hardswish, hardsigmoid, silu, gelu), the element-wise layers before a
 * flattening linear layer match as the same values, and what the engine
 * does not implement is refused with the layer's number and darknet's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/net.h"
#include "convcalc/stack.h"

static cc_stack *stack_of(const char *text, cc_stack_source from)
{
    cc_stack *s = NULL;
    cc_error err;
    cc_error_clear(&err);
    if (cc_stack_parse(&s, text, strlen(text), from, &err) || cc_stack_infer(s, &err))
        fail_msg("%d:%d: %s", err.line, err.col, err.msg);
    return s;
}

/* Build s in the engine; every layer's shape and parameters must be the
 * stack's, and a forward pass must run. */
static void builds(const cc_stack *s)
{
    cc_net *net = NULL;
    cc_error err;
    cc_error_clear(&err);
    if (cc_net_from_stack(&net, s, 1, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(cc_net_layer_count(net), s->n);
    for (size_t i = 0; i < s->n; i++) {
        cc_net_layer_info info;
        assert_int_equal(cc_net_layer(net, i, &info, NULL), 0);
        assert_true(cc_net_stack_shape_match(&s->layers[i], info.out_c, info.out_h,
                                             info.out_w) != 0);
        assert_int_equal(info.params, s->layers[i].counts.params);
    }
    long c, h, w;
    cc_net_input_shape(net, &c, &h, &w);
    size_t n = (size_t)c * (size_t)(h ? h : 1) * (size_t)(w ? w : 1);
    float *x = calloc(n, sizeof *x);
    assert_non_null(x);
    cc_net_set_train(net, 0);
    assert_int_equal(cc_net_forward(net, x, 1, &err), 0);
    free(x);
    cc_net_free(net);
}

static void test_graph_layers(void **state)
{
    (void)state;
    cc_stack *s = stack_of("input 8x8x3\n"
                           "a: conv 4 3x3 pad 1\nrelu6\n"
                           "b: conv 4 1x1\nhardswish\n"
                           "concat -1 a\nsilu\ngelu\nhardsigmoid\n"
                           "conv 2 1x1\ngap\nflatten\nlinear 5\n",
                           CC_SOURCE_SPEC);
    builds(s);
    cc_stack_free(s);
    /* darknet: a route of two layers and an upsample (yolov3-tiny's neck) */
    s = stack_of("[net]\nwidth=8\nheight=8\nchannels=3\n"
                 "[convolutional]\nfilters=3\nsize=1\nactivation=leaky\n"
                 "[convolutional]\nfilters=4\nsize=3\nstride=2\npad=1\nactivation=leaky\n"
                 "[upsample]\nstride=2\n"
                 "[route]\nlayers=-1,-3\n"
                 "[convolutional]\nfilters=2\nsize=1\nactivation=linear\n",
                 CC_SOURCE_DARKNET);
    const cc_layer *up = &s->layers[4];
    assert_int_equal(up->kind, CC_LAYER_UPSAMPLE);
    assert_int_equal(up->out.h, 8);
    builds(s);
    cc_stack_free(s);
}

static void test_flattened_view(void **state)
{
    (void)state;
    /* the report flattens before the relu; the engine flattens in linear */
    cc_stack *s = stack_of("input 4x4x2\nrelu\nlinear 32->10 flatten\n", CC_SOURCE_SPEC);
    assert_int_equal(s->layers[0].out.rank, 1);
    assert_int_equal(cc_net_stack_shape_match(&s->layers[0], 2, 4, 4), 2);
    assert_int_equal(cc_net_stack_shape_match(&s->layers[0], 32, 1, 1), 1);
    assert_int_equal(cc_net_stack_shape_match(&s->layers[0], 2, 4, 3), 0);
    /* not for a layer that changes values' places */
    assert_int_equal(cc_net_stack_shape_match(&s->layers[1], 10, 1, 1), 1);
    assert_int_equal(cc_net_stack_shape_match(&s->layers[1], 5, 2, 1), 0);
    builds(s);
    cc_stack_free(s);
    s = stack_of("[net]\nwidth=4\nheight=4\nchannels=2\n[convolutional]\nfilters=3\nsize=3\n"
                 "pad=1\nactivation=relu\n[dropout]\n[connected]\noutput=5\n",
                 CC_SOURCE_DARKNET);
    builds(s);
    cc_stack_free(s);
}

static void refused(const char *cfg, const char *part)
{
    cc_stack *s = stack_of(cfg, CC_SOURCE_DARKNET);
    cc_net *net = NULL;
    cc_error err;
    cc_error_clear(&err);
    assert_int_not_equal(cc_net_from_stack(&net, s, 1, &err), 0);
    assert_null(net);
    if (!strstr(err.msg, part))
        fail_msg("got '%s', expected ...%s...", err.msg, part);
    cc_stack_free(s);
}

static void test_refused(void **state)
{
    (void)state;
    refused("[net]\nwidth=8\nheight=8\nchannels=3\n"
            "[convolutional]\nfilters=3\nsize=1\nactivation=linear\n"
            "[convolutional]\nfilters=6\nsize=3\nstride=2\npad=1\nactivation=linear\n"
            "[shortcut]\nfrom=-2\n",
            "layer 3 (shortcut, darknet layer 2, an add of two different shapes)");
    refused("[net]\nwidth=8\nheight=8\nchannels=3\n"
            "[convolutional]\nfilters=6\nsize=1\nactivation=linear\n[yolo]\nmask=0\nclasses=1\n",
            "layer 2 (yolo, darknet layer 1) is a kind the engine does not implement");
    /* channel groups of one source are a channel split; of several, not */
    refused("[net]\nwidth=8\nheight=8\nchannels=3\n"
            "[convolutional]\nfilters=6\nsize=1\nactivation=linear\n"
            "[convolutional]\nfilters=4\nsize=1\nactivation=linear\n[route]\nlayers=-1,-2\n"
            "groups=2\n",
            "channel groups of several sources");
    cc_stack *s = stack_of("[net]\nwidth=8\nheight=8\nchannels=3\n"
                           "[convolutional]\nfilters=6\nsize=1\nactivation=linear\n"
                           "[route]\nlayers=-1\ngroups=3\ngroup_id=2\n",
                           CC_SOURCE_DARKNET);
    builds(s);
    cc_net *net = NULL;
    cc_error err;
    assert_int_equal(cc_net_from_stack(&net, s, 1, &err), 0);
    cc_net_layer_info info;
    assert_int_equal(cc_net_layer(net, 1, &info, &err), 0);
    assert_int_equal(info.op, CC_OP_CHANNEL_SPLIT);
    assert_int_equal(info.out_c, 2);
    cc_net_free(net);
    cc_stack_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_graph_layers),
        cmocka_unit_test(test_flattened_view),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
