/* test_darknet_zoo.c - every cfg Debian's darknet ships
 * (tests/data/darknet/debian), against what darknet itself said about it
 * (expected.txt, written by tests/golden/gen_darknet.py): the floats of the
 * weights file darknet writes = convcalc's parameters + buffers, `darknet
 * ops` = cc_stack_darknet_ops, and the size of the last layer's output.
 * Then each section darknet has and convcalc reads, with counts from the
 * formulas of darknet's make_*_layer functions, and hostile inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/stack.h"

#define DIR "tests/data/darknet/debian/"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    cc_buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        cc_buf_append(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return b.data;
}

static void test_debian_cfgs(void **state)
{
    (void)state;
    size_t len;
    char *exp = slurp(DIR "expected.txt", &len);
    assert_non_null(exp);
    int n = 0;
    for (char *line = strtok(exp, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#')
            continue;
        char name[128];
        long long floats = -1, ops = -1, outputs = -1;
        assert_true(sscanf(line, "%127s floats=%lld ops=%lld", name, &floats, &ops) == 3);
        const char *o = strstr(line, "outputs=");
        if (o)
            outputs = atoll(o + 8);
        char path[256];
        snprintf(path, sizeof path, DIR "%s", name);
        size_t tl;
        char *text = slurp(path, &tl);
        if (!text)
            fail_msg("cannot read %s", path);
        cc_stack *s = NULL;
        cc_error err;
        cc_error_clear(&err);
        if (cc_stack_parse(&s, text, tl, CC_SOURCE_AUTO, &err) || cc_stack_infer(s, &err))
            fail_msg("%s:%d:%d: %s", name, err.line, err.col, err.msg);
        free(text);
        cc_stack_totals t;
        cc_stack_totals_get(s, 0, &t);
        if (t.total_params + t.buffers != floats)
            fail_msg("%s: %" PRId64 " parameters + %" PRId64 " buffers, darknet writes %lld",
                     name, t.total_params, t.buffers, floats);
        if (cc_stack_darknet_ops(s) != ops)
            fail_msg("%s: darknet ops %" PRId64 ", darknet says %lld", name,
                     cc_stack_darknet_ops(s), ops);
        /* darknet ops leaves only locally connected layers' MACs out */
        int64_t local = 0;
        for (size_t i = 0; i < s->n; i++)
            if (s->layers[i].kind == CC_LAYER_LOCAL)
                local += s->layers[i].counts.macs;
        assert_int_equal(2 * (t.macs - local), ops);
        /* the spec language reads back what --to-spec writes */
        cc_buf spec = {0};
        assert_int_equal(cc_stack_to_spec(&spec, s), 0);
        cc_stack *back = NULL;
        if (cc_stack_parse_spec(&back, spec.data, spec.len, &err) || cc_stack_infer(back, &err))
            fail_msg("%s as spec: %d:%d: %s", name, err.line, err.col, err.msg);
        cc_stack_totals tb;
        cc_stack_totals_get(back, 0, &tb);
        assert_int_equal(back->n, s->n);
        assert_int_equal(tb.total_params, t.total_params);
        assert_int_equal(tb.buffers, t.buffers);
        assert_int_equal(tb.macs, t.macs);
        assert_int_equal(tb.flops, t.flops);
        cc_stack_free(back);
        cc_buf_free(&spec);
        const cc_shape *last = &s->layers[s->n - 1].out;
        if (outputs >= 0 && (long long)last->c * last->h * last->w != outputs)
            fail_msg("%s: the last layer gives %ldx%ldx%ld, darknet %lld values", name,
                     last->c, last->h, last->w, outputs);
        cc_stack_free(s);
        n++;
    }
    free(exp);
    assert_int_equal(n, 45);
}

/* Every darknet layer whose line in darknet's layer table shows its
 * output (layers.txt): the last convcalc layer of that section gives as
 * many values. Sections convcalc does not make a layer of ([cost]) are
 * the only ones without. */
static void test_debian_layer_outputs(void **state)
{
    (void)state;
    size_t len;
    char *rows = slurp(DIR "layers.txt", &len);
    assert_non_null(rows);
    char cur[128] = "";
    cc_stack *s = NULL;
    int n = 0;
    char *save = NULL;
    for (char *line = strtok_r(rows, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#')
            continue;
        char name[128], kind[64];
        long idx;
        long long want;
        assert_int_equal(sscanf(line, "%127s %ld %63s %lld", name, &idx, kind, &want), 4);
        if (strcmp(name, cur)) {
            cc_stack_free(s);
            char path[256];
            snprintf(path, sizeof path, DIR "%s", name);
            size_t tl;
            char *text = slurp(path, &tl);
            assert_non_null(text);
            cc_error err;
            cc_error_clear(&err);
            s = NULL;
            if (cc_stack_parse(&s, text, tl, CC_SOURCE_DARKNET, &err) ||
                cc_stack_infer(s, &err))
                fail_msg("%s: %s", name, err.msg);
            free(text);
            snprintf(cur, sizeof cur, "%s", name);
        }
        const cc_layer *l = NULL;
        for (size_t i = 0; i < s->n; i++)
            if (s->layers[i].src_layer == idx + 1)
                l = &s->layers[i];
        if (!l) {
            if (strcmp(kind, "cost"))
                fail_msg("%s: no layer for darknet layer %ld (%s)", name, idx, kind);
            continue;
        }
        long long got = (long long)l->out.c * l->out.h * l->out.w;
        if (got != want)
            fail_msg("%s: darknet layer %ld (%s) gives %lld values, convcalc's %s %ldx%ldx%ld",
                     name, idx, kind, want, l->name, l->out.c, l->out.h, l->out.w);
        n++;
    }
    cc_stack_free(s);
    free(rows);
    assert_true(n > 1500);
}

/* ---- one section at a time ------------------------------------------------- */
static const char NET[] = "[net]\nwidth=8\nheight=8\nchannels=3\n";

static cc_stack *load(const char *body)
{
    char text[2048];
    snprintf(text, sizeof text, "%s%s", NET, body);
    cc_stack *s = NULL;
    cc_error err;
    cc_error_clear(&err);
    if (cc_stack_parse_darknet(&s, text, strlen(text), &err) || cc_stack_infer(s, &err))
        fail_msg("%d:%d: %s\n%s", err.line, err.col, err.msg, text);
    return s;
}

/* body must fail at line (counted in NET + body), column col, with part in
 * the message */
static void refuse(const char *body, int line, int col, const char *part)
{
    char text[2048];
    snprintf(text, sizeof text, "%s%s", NET, body);
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
        fail_msg("got %d:%d: %s; expected %d:%d: ...%s...", err.line, err.col, err.msg, line,
                 col, part);
}

static const cc_layer *last(const cc_stack *s)
{
    return &s->layers[s->n - 1];
}

static void expect_shape(const cc_layer *l, long c, long h, long w)
{
    if (l->out.c != c || l->out.h != h || l->out.w != w)
        fail_msg("%s: %ldx%ldx%ld, expected %ldx%ldx%ld", l->name, l->out.c, l->out.h, l->out.w,
                 c, h, w);
}

static void test_upsample_reorg_crop(void **state)
{
    (void)state;
    cc_stack *s = load("[upsample]\nstride=3\n");
    expect_shape(last(s), 3, 24, 24);
    assert_int_equal(last(s)->counts.params, 0);
    cc_stack_free(s);
    s = load("[upsample]\n"); /* darknet's default stride is 2 */
    expect_shape(last(s), 3, 16, 16);
    cc_stack_free(s);
    /* space to depth: 8x8x3 by 2 -> 4x4x12; and back */
    s = load("[reorg]\nstride=2\n[reorg]\nstride=2\nreverse=1\n");
    expect_shape(&s->layers[0], 12, 4, 4);
    expect_shape(&s->layers[1], 3, 8, 8);
    assert_int_equal(s->layers[0].counts.rf_h, 2);
    cc_stack_free(s);
    /* extra: a flat output of the values and `extra` more (go.cfg) */
    s = load("[reorg]\nstride=1\nextra=1\n[softmax]\n");
    assert_int_equal(last(s)->out.rank, 1);
    assert_int_equal(last(s)->out.c, 8 * 8 * 3 + 1);
    cc_stack_free(s);
    s = load("[crop]\ncrop_height=6\ncrop_width=5\n");
    expect_shape(last(s), 3, 6, 5);
    assert_int_equal(last(s)->counts.flops, 2 * 3 * 6 * 5); /* 2x - 1 per value */
    cc_stack_free(s);

    refuse("[upsample]\nstride=-2\n", 6, 8, "(layer 0) stride below 1");
    refuse("[upsample]\nstride=999999999\n", 5, 1, "factor 999999999x999999999");
    /* chained factors past CC_DIM_MAX: an error, not an overflow */
    refuse("[upsample]\nstride=1024\n[upsample]\nstride=1024\n[upsample]\nstride=1024\n", 9, 1,
           "is larger than 1000000000");
    refuse("[reorg]\nstride=65536\n", 5, 1, "stride 65536 does not divide");
    refuse("[reorg]\nstride=3\n", 5, 1, "stride 3 does not divide the input 8x8");
    refuse("[reorg]\nstride=2\nreverse=1\n", 5, 1, "channels divisible by 4");
    refuse("[reorg]\nstride=1\nextra=999999999999\n", 7, 7, "extra=999999999999 is not");
    refuse("[crop]\ncrop_height=9\ncrop_width=2\n", 5, 1, "a 9x2 crop of a 8x8 input");
}

static void test_local(void **state)
{
    (void)state;
    /* yolov1's local layer: with pad, out = (in - 1)/stride + 1; weights
     * per location, a bias per output */
    cc_stack *s = load("[local]\nfilters=4\nsize=3\nstride=2\npad=1\nactivation=leaky\n");
    const cc_layer *l = &s->layers[0];
    expect_shape(l, 4, 4, 4);
    int64_t loc = 4 * 4;
    assert_int_equal(l->counts.params, loc * 3 * 3 * 3 * 4 + loc * 4);
    assert_int_equal(l->counts.macs, loc * 4 * 3 * 3 * 3);
    assert_int_equal(s->layers[1].kind, CC_LAYER_LEAKY_RELU);
    cc_buf b = {0};
    cc_layer_param_formula(&b, l, 0);
    assert_string_equal(cc_buf_str(&b), "4*4 * (3*3*3 + 1) * 4 = 1792");
    cc_buf_free(&b);
    cc_stack_free(s);
    /* without pad: (8 - 3)/1 + 1 = 6 */
    s = load("[local]\nfilters=2\nsize=3\nactivation=linear\n");
    expect_shape(last(s), 2, 6, 6);
    assert_int_equal(cc_stack_darknet_ops(s), 0); /* darknet ops leaves local out */
    cc_stack_free(s);
    refuse("[local]\nfilters=2\nsize=9\n", 5, 1, "size 9 is larger than the 8x8 input");
    refuse("[connected]\noutput=5\n[local]\nfilters=2\n", 7, 1, "needs a C x H x W input");
}

static void test_recurrent(void **state)
{
    (void)state;
    /* gru: 3 sub-layers from the input, 3 from the state, each with a bias */
    cc_stack *s = load("[gru]\noutput=16\n");
    int64_t in = 8 * 8 * 3, h = 16;
    const cc_layer *l = last(s);
    assert_int_equal(l->out.rank, 1);
    assert_int_equal(l->out.c, 16);
    assert_int_equal(l->counts.params, 3 * (in * h + h) + 3 * (h * h + h));
    assert_int_equal(l->counts.buffers, 0);
    assert_int_equal(cc_stack_darknet_ops(s), 2 * (3 * in * h + 3 * h * h));
    cc_stack_free(s);
    /* rnn with batch_normalize: input, self and output layers, each with a
     * bias and a scale (parameters) and running mean and variance */
    s = load("[rnn]\noutput=10\nbatch_normalize=1\nactivation=leaky\n");
    l = last(s);
    h = 10;
    assert_int_equal(l->counts.params, (in * h + 2 * h) + 2 * (h * h + 2 * h));
    assert_int_equal(l->counts.buffers, 3 * 2 * h);
    assert_int_equal(s->n, 1); /* the activation is inside the cell */
    cc_stack_free(s);
    s = load("[lstm]\noutput=4\n[connected]\noutput=2\nactivation=linear\n");
    h = 4;
    assert_int_equal(s->layers[0].counts.params, 4 * (in * h + h) + 4 * (h * h + h));
    assert_int_equal(s->layers[1].counts.params, 4 * 2 + 2);
    cc_stack_free(s);
    refuse("[gru]\noutput=0\n", 6, 8, "output=0 is not a whole number");
    /* 192 inputs x 10^9 outputs x 3: the counts overflow cleanly */
    refuse("[lstm]\noutput=1000000000\n[lstm]\noutput=1000000000\n", 7, 1,
           "the operation count overflows");
}

static void test_detectors(void **state)
{
    (void)state;
    /* yolo: the mask picks 3 of 9 anchors; 3 x (2 classes + 4 + 1) = 21 */
    cc_stack *s = load("[convolutional]\nfilters=21\nsize=1\nactivation=linear\n"
                       "[yolo]\nmask=3,4,5\nnum=9\nclasses=2\nanchors=1,2,3\n");
    const cc_layer *l = last(s);
    assert_int_equal(l->kind, CC_LAYER_DETECT);
    assert_string_equal(l->type, "yolo");
    expect_shape(l, 21, 8, 8);
    assert_int_equal(l->counts.params, 0);
    cc_stack_free(s);
    /* region: num x (classes + coords + 1) */
    s = load("[convolutional]\nfilters=30\nsize=1\nactivation=linear\n"
             "[region]\nnum=5\nclasses=1\ncoords=4\n");
    expect_shape(last(s), 30, 8, 8);
    cc_stack_free(s);
    /* detection: side^2 x ((1 + coords) x num + classes) flat inputs */
    s = load("[connected]\noutput=98\nactivation=linear\n"
             "[detection]\nside=7\nnum=1\ncoords=1\nclasses=0\n");
    assert_int_equal(last(s)->out.c, 98);
    cc_stack_free(s);

    refuse("[yolo]\nmask=0,1\nnum=3\nclasses=1\n", 5, 1,
           "(darknet layer 0): 2 anchors x (1 classes + 4 coordinates + 1) = 12 channels, "
           "but the input has 3");
    refuse("[yolo]\nmask=0,7\nnum=3\n", 6, 6, "mask names an anchor outside 0 to num-1");
    refuse("[yolo]\nmask=0,x\n", 6, 6, "mask is a list of anchor numbers");
    refuse("[region]\nnum=1000000000\nclasses=1000000000\n", 5, 1, "are out of range");
    refuse("[detection]\nside=65536\nnum=65536\ncoords=65536\n", 5, 1, "side 65536");
    refuse("[detection]\nside=2\n", 5, 1, "but it gets 192");
}

static void test_shortcut_route_softmax(void **state)
{
    (void)state;
    /* darknet's resnet shortcut: from 8x8x3 onto 4x4x6; the 3 channels
     * both have are added at every second position */
    cc_stack *s = load("[convolutional]\nfilters=3\nsize=1\nactivation=linear\n"
                       "[convolutional]\nfilters=6\nsize=3\nstride=2\npad=1\n"
                       "activation=linear\n[shortcut]\nfrom=-2\nactivation=leaky\n");
    const cc_layer *add = &s->layers[2];
    assert_int_equal(add->kind, CC_LAYER_ADD);
    expect_shape(add, 6, 4, 4);
    assert_int_equal(add->counts.flops, 3 * 4 * 4);
    assert_int_equal(last(s)->kind, CC_LAYER_LEAKY_RELU);
    cc_stack_free(s);
    /* route groups (AlexeyAB's): half of 6 channels */
    s = load("[convolutional]\nfilters=6\nsize=1\nactivation=linear\n"
             "[route]\nlayers=-1\ngroups=2\ngroup_id=1\n"
             "[route]\nlayers=-1,-2\n");
    expect_shape(&s->layers[1], 3, 8, 8);
    expect_shape(&s->layers[2], 9, 8, 8);
    assert_true(s->n_notes >= 1);
    cc_stack_free(s);
    /* softmax groups: equal runs of values */
    s = load("[connected]\noutput=12\nactivation=linear\n[softmax]\ngroups=3\n");
    assert_int_equal(last(s)->groups, 3);
    cc_stack_free(s);

    refuse("[convolutional]\nfilters=6\nsize=1\n[route]\nlayers=-1\ngroups=4\n", 8, 1,
           "the groups must divide them");
    refuse("[convolutional]\nfilters=6\nsize=1\n[route]\nlayers=-1\ngroups=2\ngroup_id=2\n",
           11, 10, "group_id must be below groups");
    refuse("[connected]\noutput=10\n[softmax]\ngroups=3\n", 7, 1, "3 groups do not divide");
    refuse("[shortcut]\nfrom=5\n", 6, 6, "layer 5 is not before this one (layer 0)");
    refuse("[convolutional]\n[route]\nlayers=-1,x\n", 7, 8, "'x' is not a layer number");
    refuse("[convolutional]\nfilters=2\n[dropout]\n[connected]\n[activation]\n", 9, 1,
           "unsupported section [activation] at darknet layer 3");
    refuse("[convolutional]\nfilters=2\nactivation=mish\n", 7, 12, "(layer 0) activation=mish");
}

static void spec_refuses(const char *text, int col, const char *part)
{
    cc_stack *s = NULL;
    cc_error err;
    cc_error_clear(&err);
    assert_int_not_equal(cc_stack_parse_spec(&s, text, strlen(text), &err), 0);
    assert_null(s);
    if (!strstr(err.msg, part) || err.col != col)
        fail_msg("%s: got %d:%d: %s; expected col %d ...%s...", text, err.line, err.col,
                 err.msg, col, part);
}

static void test_spec_words(void **state)
{
    (void)state;
    cc_stack *s = NULL;
    cc_error err;
    const char *text = "input 8x8x4\nconv 6 1x1\nup: upsample 2\nreorg 2\n"
                       "reorg 2 reverse\ncrop 6x5 noadjust\nlocal 2 3x3 stride 2 pad\n"
                       "activation ramp\nadd -3 resample\nconcat -1 up groups 2 group_id 1\n"
                       "detect num 1 classes 0 coords 3 side 1\n";
    cc_error_clear(&err);
    spec_refuses("input 8x8x4\nupsample 0\n", 10, "upsample factor");
    spec_refuses("input 8x8x4\nrecurrent tanh 4\n", 11, "recurrent rnn|gru|lstm");
    spec_refuses("input 8x8x4\ndetect num 1 anchors 3\n", 14, "unexpected 'anchors'");
    spec_refuses("input 8x8x4\nlocal 4\n", 7, "local FILTERS KxK");
    spec_refuses("input 8x8x4\ncrop\n", 1, "crop needs its arguments");
    /* parses; the shapes then do not all fit (crop 6x5 of 8x8 is fine,
     * the detect at the end needs a flat input of the right size) */
    assert_int_equal(cc_stack_parse_spec(&s, text, strlen(text), &err), 0);
    assert_int_equal(s->layers[1].kind, CC_LAYER_UPSAMPLE);
    assert_int_equal(s->layers[3].reverse, 1);
    assert_int_equal(s->layers[4].noadjust, 1);
    assert_int_equal(s->layers[5].stride_h, 2);
    assert_string_equal(s->layers[6].type, "ramp");
    assert_int_equal(s->layers[7].resample, 1);
    assert_int_equal(s->layers[8].groups, 2);
    assert_int_equal(s->layers[8].group_id, 1);
    assert_int_equal(s->layers[9].det_side, 1);
    cc_stack_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_debian_cfgs),
        cmocka_unit_test(test_debian_layer_outputs),
        cmocka_unit_test(test_upsample_reorg_crop),
        cmocka_unit_test(test_local),
        cmocka_unit_test(test_recurrent),
        cmocka_unit_test(test_detectors),
        cmocka_unit_test(test_shortcut_route_softmax),
        cmocka_unit_test(test_spec_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
