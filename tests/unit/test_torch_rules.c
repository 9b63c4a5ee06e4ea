/* test_torch_rules.c - one check per torch.nn module rule of the repr
 * reader, against counts worked out by hand from PyTorch's definitions
 * (weight and bias shapes in torch/nn/modules), and the reader's answers to
 * modules it does not know, unknown arguments, empty containers, extra
 * text, the module limit and hostile numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/stack.h"

/* Parse "Sequential(\n  (0): <m>\n)", set the input (h = 0: flat c) and
 * infer; the caller frees. */
static cc_stack *one(const char *m, long h, long w, long c)
{
    char text[1024];
    int n = snprintf(text, sizeof text, "Sequential(\n  (0): %s\n)\n", m);
    cc_stack *s = NULL;
    cc_error err;
    cc_error_clear(&err);
    if (cc_stack_parse_torch(&s, text, (size_t)n, &err))
        fail_msg("%s: %d:%d: %s", m, err.line, err.col, err.msg);
    if (c && cc_stack_set_input(s, h, w, c, &err))
        fail_msg("%s: %s", m, err.msg);
    if (cc_stack_infer(s, &err))
        fail_msg("%s: infer: %d:%d: %s", m, err.line, err.col, err.msg);
    return s;
}

static void counts(const char *m, long long params, long long buffers)
{
    cc_stack *s = one(m, 0, 0, 0);
    cc_stack_totals t;
    cc_stack_totals_get(s, 0, &t);
    if (t.total_params != params || t.buffers != buffers)
        fail_msg("%s: %lld params, %lld buffers; expected %lld, %lld", m,
                 (long long)t.total_params, (long long)t.buffers, params, buffers);
    cc_stack_free(s);
}

static void test_parameters(void **state)
{
    (void)state;
    counts("GroupNorm(8, 32, eps=1e-05, affine=True)", 2 * 32, 0);
    counts("GroupNorm(4, 64, eps=1e-05, affine=False)", 0, 0);
    counts("LayerNorm((768,), eps=1e-06, elementwise_affine=True)", 2 * 768, 0);
    counts("LayerNorm((4, 5), eps=1e-05, elementwise_affine=False)", 0, 0);
    counts("LayerNorm((4, 5), eps=1e-05, elementwise_affine=True)", 2 * 20, 0);
    counts("LayerNorm2d((96,), eps=1e-06, elementwise_affine=True)", 2 * 96, 0);
    counts("InstanceNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)",
           8, 8);
    counts("InstanceNorm1d(4, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)",
           0, 0);
    counts("BatchNorm3d(6, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", 12,
           12);
    counts("SyncBatchNorm(6, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", 12,
           12);
    counts("FrozenBatchNorm2d(64, eps=1e-05)", 0, 4 * 64);
    counts("LocalResponseNorm(5, alpha=0.0001, beta=0.75, k=1.0)", 0, 0);
    /* weight Cout x Cin/g x k..., bias Cout */
    counts("Conv1d(3, 4, kernel_size=(3,), stride=(1,))", 4 * 3 * 3 + 4, 0);
    counts("Conv3d(2, 4, kernel_size=(3, 3, 3), stride=(1, 1, 1), groups=2, bias=False)",
           4 * 1 * 27, 0);
    /* transposed: weight Cin x Cout/g x k..., bias Cout */
    counts("ConvTranspose1d(6, 4, kernel_size=(5,), stride=(2,), groups=2)", 6 * 2 * 5 + 4, 0);
    counts("ConvTranspose3d(2, 3, kernel_size=(2, 2, 2), stride=(2, 2, 2), bias=False)",
           2 * 3 * 8, 0);
    counts("Embedding(10, 3, padding_idx=0)", 30, 0);
    counts("EmbeddingBag(10, 3, mode=mean)", 30, 0);
    /* per layer and direction: G*H*(in + H) + 2*G*H (+ P*H projection) */
    counts("LSTM(10, 20)", 4 * 20 * (10 + 20) + 2 * 80, 0);
    counts("GRU(10, 20, num_layers=2, bidirectional=True)",
           2 * (3 * 20 * (10 + 20) + 120) + 2 * (3 * 20 * (40 + 20) + 120), 0);
    counts("LSTM(10, 20, proj_size=5)", 80 * 10 + 80 * 5 + 160 + 5 * 20, 0);
    counts("LSTM(10, 20, proj_size=5, num_layers=2, bidirectional=True)",
           2 * (80 * 10 + 80 * 5 + 160 + 100) + 2 * (80 * 10 + 80 * 5 + 160 + 100), 0);
    counts("RNN(10, 20, bias=False)", 20 * (10 + 20), 0);
    counts("LSTMCell(20, 30)", 4 * 30 * 50 + 2 * 120, 0);
    counts("GRUCell(30, 10, bias=False)", 3 * 10 * 40, 0);
    counts("RNNCell(10, 5)", 5 * 15 + 10, 0);
    counts("PReLU(num_parameters=3)", 3, 0);
    counts("PReLU(num_parameters=1)", 1, 0);
    counts("NonDynamicallyQuantizableLinear(in_features=16, out_features=16, bias=True)", 272, 0);
    counts("SELU(inplace=True)", 0, 0);
    counts("LogSoftmax(dim=1)", 0, 0);
    counts("StochasticDepth(p=0.1, mode=row)", 0, 0);
}

static void test_multihead_attention(void **state)
{
    (void)state;
    const char *t = "MultiheadAttention(\n"
                    "  (out_proj): NonDynamicallyQuantizableLinear(in_features=16, "
                    "out_features=16, bias=True)\n"
                    ")\n";
    cc_stack *s = NULL;
    assert_int_equal(cc_stack_parse_torch(&s, t, strlen(t), NULL), 0);
    assert_int_equal(cc_stack_infer(s, NULL), 0);
    cc_stack_totals tt;
    cc_stack_totals_get(s, 0, &tt);
    /* in_proj: 3E x E + 3E; out_proj: E x E + E */
    assert_int_equal(tt.total_params, 3 * 16 * 16 + 48 + 16 * 16 + 16);
    assert_int_equal(s->layers[0].implied, 1);
    cc_stack_free(s);
}

static void shape(const char *m, long h, long w, long c, long oc, long oh, long ow,
                  long long macs)
{
    cc_stack *s = one(m, h, w, c);
    const cc_shape *o = &s->layers[s->n - 1].out;
    if (o->rank != 3 || o->c != oc || o->h != oh || o->w != ow)
        fail_msg("%s: %ldx%ldx%ld, expected %ldx%ldx%ld", m, o->c, o->h, o->w, oc, oh, ow);
    assert_int_equal(s->layers[s->n - 1].counts.macs, macs);
    cc_stack_free(s);
}

static void test_shapes(void **state)
{
    (void)state;
    /* H_out = (H - 1) * s - 2p + d(k - 1) + output_padding + 1; MACs: input
     * elements x Cout/g x kernel area */
    shape("ConvTranspose2d(16, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), "
          "output_padding=(1, 1))", 7, 7, 16, 8, 14, 14, 16LL * 49 * 8 * 9);
    shape("ConvTranspose2d(4, 2, kernel_size=(2, 2), stride=(2, 2))", 3, 5, 4, 2, 6, 10,
          4LL * 15 * 2 * 4);
    shape("Upsample(scale_factor=2.0, mode=nearest)", 4, 5, 3, 3, 8, 10, 0);
    shape("Upsample(size=(7, 9), mode=bilinear)", 4, 5, 3, 3, 7, 9, 0);
    shape("UpsamplingNearest2d(scale_factor=3.0, mode=nearest)", 2, 2, 1, 1, 6, 6, 0);
    shape("PixelShuffle(upscale_factor=2)", 3, 3, 8, 2, 6, 6, 0);
    shape("PixelUnshuffle(downscale_factor=2)", 6, 6, 2, 8, 3, 3, 0);
    /* ZeroPad2d((left, right, top, bottom)) */
    shape("ZeroPad2d((1, 1, 2, 0))", 4, 5, 3, 3, 6, 7, 0);
    shape("ConstantPad2d(padding=(2, 2, 2, 2), value=0.5)", 4, 5, 3, 3, 8, 9, 0);
    shape("ReflectionPad2d((3, 3, 3, 3))", 4, 5, 3, 3, 10, 11, 0);
    shape("ReflectionPad1d((1, 2))", 4, 5, 3, 3, 4, 8, 0);
    shape("GroupNorm(2, 4, eps=1e-05, affine=True)", 3, 3, 4, 4, 3, 3, 0);
    shape("PReLU(num_parameters=4)", 3, 3, 4, 4, 3, 3, 0);
    shape("Unflatten(dim=1, unflattened_size=(2, 3, 4))", 0, 0, 24, 2, 3, 4, 0);
}

static const char *note_with(const cc_stack *s, const char *part)
{
    for (size_t i = 0; i < s->n_notes; i++)
        if (strstr(s->notes[i].msg, part))
            return s->notes[i].msg;
    return NULL;
}

static void test_unknown(void **state)
{
    (void)state;
    const char *t = "Net(\n"
                    "  (a): Foo(bar=1)\n"
                    "  (b): MyLinear(in_features=4, out_features=2, bias=True)\n"
                    "  (c): MyConv(3, 8, kernel_size=(3, 3), stride=(1, 1))\n"
                    "  (d): Foo()\n"
                    "  (e): BatchNorm2d(32, eps=1e-05, momentum=0.1, affine=True, "
                    "track_stats=True)\n"
                    "  (f): Sequential()\n"
                    "  (g): ModuleList()\n"
                    "  (h): Wrapper(\n"
                    "    Normalize(mean=[0.5], std=[0.5])\n"
                    "    (x): ReLU()\n"
                    "  )\n"
                    ")\n";
    cc_stack *s = NULL;
    cc_error err;
    cc_error_clear(&err);
    if (cc_stack_parse_torch(&s, t, strlen(t), &err))
        fail_msg("%d:%d: %s", err.line, err.col, err.msg);
    assert_int_equal(cc_stack_infer(s, NULL), 0);
    cc_stack_totals tt;
    cc_stack_totals_get(s, 0, &tt);
    assert_int_equal(tt.total_params, 0 + 10 + (27 * 8 + 8) + 0 + 64);
    assert_int_equal(s->n, 7); /* a b c d e f x: the empty ModuleList runs nothing */
    assert_int_equal(s->layers[5].kind, CC_LAYER_IDENTITY);
    const char *m = note_with(s, "'Foo' (and 1 more)");
    assert_non_null(m);
    assert_non_null(strstr(m, "exact only if"));
    assert_non_null(note_with(s, "read as a Linear"));
    assert_non_null(note_with(s, "read as a Conv2d"));
    assert_non_null(note_with(s, "Normalize(mean=[0.5], std=[0.5])"));
    int typo = 0;
    for (size_t i = 0; i < s->n_notes; i++)
        if (strstr(s->notes[i].msg, "'track_stats'")) {
            typo = 1;
            assert_int_equal(s->notes[i].line, 6);
            assert_int_equal(s->notes[i].col, 62);
        }
    assert_true(typo);
    cc_stack_free(s);
}

/* More modules than the old capacity doubling allowed (131072), then more
 * than the stated limit. */
static void test_module_limit(void **state)
{
    (void)state;
    for (int round = 0; round < 2; round++) {
        long n = round == 0 ? 140000 : 200001;
        cc_buf b = {0};
        cc_buf_puts(&b, "Sequential(\n");
        for (long i = 0; i < n; i++)
            cc_buf_printf(&b, "  (%ld): ReLU()\n", i);
        cc_buf_puts(&b, ")\n");
        assert_false(cc_buf_failed(&b));
        cc_stack *s = NULL;
        cc_error err;
        cc_error_clear(&err);
        int rc = cc_stack_parse_torch(&s, b.data, b.len, &err);
        if (round == 0) {
            assert_int_equal(rc, 0);
            assert_int_equal(s->n, (size_t)n);
            cc_stack_free(s);
        } else {
            assert_int_equal(rc, CC_ERANGE);
            assert_non_null(strstr(err.msg, "200000"));
        }
        cc_buf_free(&b);
    }
}

static void refused(const char *m, const char *part)
{
    char text[1024];
    int n = snprintf(text, sizeof text, "Sequential(\n  (0): %s\n)\n", m);
    cc_stack *s = NULL;
    cc_error err;
    cc_error_clear(&err);
    int rc = cc_stack_parse_torch(&s, text, (size_t)n, &err);
    if (rc == 0) {
        assert_int_equal(cc_stack_set_input(s, 8, 8, 4, NULL), 0);
        rc = cc_stack_infer(s, &err);
        cc_stack_free(s);
    }
    if (rc >= 0 || !strstr(err.msg, part) || err.line < 1)
        fail_msg("%s: rc %d, %d:%d: '%s' (expected ...%s...)", m, rc, err.line, err.col,
                 err.msg, part);
}

static void test_hostile(void **state)
{
    (void)state;
    refused("Embedding(99999999999999, 3)", "Embedding");
    refused("LSTM(10, 20, num_layers=99999)", "layers");
    refused("LSTM(10)", "required");
    refused("LayerNorm((1000000, 1000000, 1000000, 1000000, 1000000), eps=1e-05)", "overflows");
    refused("GroupNorm(3, 32, eps=1e-05, affine=True)", "divisor");
    refused("Conv1d(3, 4, kernel_size=(3,), groups=2)", "divisor");
    refused("ConvTranspose2d(4, 8, kernel_size=(3, 3, 3, 3))", "tuple");
    refused("PixelShuffle(upscale_factor=3)", "multiple of 9");
    refused("ZeroPad2d((1, 1, 2, 0), 7, 8)", "positional");
    refused("GroupNorm(2, 6, eps=1e-05, affine=True)", "expects 6 channels");
    refused("Unflatten(dim=1, unflattened_size=(2, 3, 4))", "expects 24 features");
    refused("ConvTranspose2d(4, 4, kernel_size=(3, 3), stride=(999999999, 999999999))", "out of range");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parameters),
        cmocka_unit_test(test_multihead_attention),
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_unknown),
        cmocka_unit_test(test_module_limit),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
