/* test_torch_transformer.c - the repr reader's transformer flow on small
 * hand-written reprs of torchvision's classes, against shapes and MACs
 * worked out by hand: a ViT (patches to tokens, class token, encoder block
 * residuals, the attention hooks miss), a Swin stage whose map is padded to
 * whole windows (the padding's projections and products), and hostile
 * variants (blocks in the wrong place, missing children, maps that do not
 * divide into windows) that must give a clear answer, never a crash.
 * test_torch_zoo.c checks the same flow against PyTorch's forward hooks on
 * torchvision's models and on custom sizes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/stack.h"

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

static const cc_layer *named(const cc_stack *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->layers[i].name, name) == 0)
            return &s->layers[i];
    fail_msg("no layer %s", name);
    return NULL;
}

static void out_is(const cc_stack *s, const char *name, long c, long h, long w, int last)
{
    const cc_layer *l = named(s, name);
    if (l->out.c != c || l->out.h != h || l->out.w != w || l->out_last != last)
        fail_msg("%s: %ldx%ldx%ld (last %d), expected %ldx%ldx%ld (last %d)", name, l->out.c,
                 l->out.h, l->out.w, l->out_last, c, h, w, last);
}

static const char vit[] =
    "VisionTransformer(\n"
    "  (conv_proj): Conv2d(3, 8, kernel_size=(4, 4), stride=(4, 4))\n"
    "  (encoder): Encoder(\n"
    "    (dropout): Dropout(p=0.0, inplace=False)\n"
    "    (layers): Sequential(\n"
    "      (encoder_layer_0): EncoderBlock(\n"
    "        (ln_1): LayerNorm((8,), eps=1e-06, elementwise_affine=True)\n"
    "        (self_attention): MultiheadAttention(\n"
    "          (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, "
    "bias=True)\n"
    "        )\n"
    "        (dropout): Dropout(p=0.0, inplace=False)\n"
    "        (ln_2): LayerNorm((8,), eps=1e-06, elementwise_affine=True)\n"
    "        (mlp): MLPBlock(\n"
    "          (0): Linear(in_features=8, out_features=16, bias=True)\n"
    "          (1): GELU(approximate='none')\n"
    "          (2): Dropout(p=0.0, inplace=False)\n"
    "          (3): Linear(in_features=16, out_features=8, bias=True)\n"
    "          (4): Dropout(p=0.0, inplace=False)\n"
    "        )\n"
    "      )\n"
    "    )\n"
    "    (ln): LayerNorm((8,), eps=1e-06, elementwise_affine=True)\n"
    "  )\n"
    "  (heads): Sequential(\n"
    "    (head): Linear(in_features=8, out_features=3, bias=True)\n"
    "  )\n"
    ")\n";

static void test_vit(void **state)
{
    (void)state;
    cc_stack *s = parse(vit, 16, 16, 3); /* 4 x 4 patches of 4 x 4: 16 + 1 tokens */
    out_is(s, "conv_proj", 8, 4, 4, 0);
    out_is(s, "(tokens)", 8, 17, 1, 1);
    out_is(s, "encoder.layers.encoder_layer_0.mlp.0", 16, 17, 1, 1);
    out_is(s, "encoder.ln", 8, 17, 1, 1);
    assert_int_equal(named(s, "heads.head")->out.rank, 1);
    cc_stack_totals t;
    cc_stack_totals_get(s, 0, &t);
    /* hooks: conv 16 positions * 8 * (4*4*3), mlp 2 * 17 * 8 * 16, head 8 * 3 */
    assert_int_equal(t.macs, 16 * 8 * 48 + 2 * 17 * 8 * 16 + 8 * 3);
    /* missed: in_proj 17 * 8 * 24, out_proj 17 * 8 * 8, q k^T and a v
     * 2 * 17 * 17 * 8 */
    assert_int_equal(t.unhooked_macs, 17 * 8 * 24 + 17 * 8 * 8 + 2 * 17 * 17 * 8);
    assert_int_equal(named(s, "encoder.layers.encoder_layer_0.self_attention.out_proj")
                         ->counts.macs, 0);
    /* parameters: conv 3*16*8 + 8, position embedding (16 + 1 + 1) * 8,
     * 3 LayerNorms 3 * 16, in_proj 3*64 + 24, out_proj 64 + 8, mlp
     * 8*16+16 + 16*8+8, head 8*3+3 */
    assert_int_equal(t.total_params, 392 + 144 + 48 + 216 + 72 + 144 + 136 + 27);
    cc_stack_free(s);
}

static const char swin[] =
    "SwinTransformer(\n"
    "  (features): Sequential(\n"
    "    (0): Sequential(\n"
    "      (0): Conv2d(3, 32, kernel_size=(2, 2), stride=(2, 2))\n"
    "      (1): Permute()\n"
    "      (2): LayerNorm((32,), eps=1e-05, elementwise_affine=True)\n"
    "    )\n"
    "    (1): Sequential(\n"
    "      (0): SwinTransformerBlock(\n"
    "        (norm1): LayerNorm((32,), eps=1e-05, elementwise_affine=True)\n"
    "        (attn): ShiftedWindowAttention(\n"
    "          (qkv): Linear(in_features=32, out_features=96, bias=True)\n"
    "          (proj): Linear(in_features=32, out_features=32, bias=True)\n"
    "        )\n"
    "        (stochastic_depth): StochasticDepth(p=0.0, mode=row)\n"
    "        (norm2): LayerNorm((32,), eps=1e-05, elementwise_affine=True)\n"
    "        (mlp): MLP(\n"
    "          (0): Linear(in_features=32, out_features=64, bias=True)\n"
    "          (1): GELU(approximate='none')\n"
    "          (2): Dropout(p=0.0, inplace=False)\n"
    "          (3): Linear(in_features=64, out_features=32, bias=True)\n"
    "          (4): Dropout(p=0.0, inplace=False)\n"
    "        )\n"
    "      )\n"
    "    )\n"
    "    (2): PatchMerging(\n"
    "      (reduction): Linear(in_features=128, out_features=64, bias=False)\n"
    "      (norm): LayerNorm((128,), eps=1e-05, elementwise_affine=True)\n"
    "    )\n"
    "  )\n"
    "  (norm): LayerNorm((64,), eps=1e-05, elementwise_affine=True)\n"
    "  (permute): Permute()\n"
    "  (avgpool): AdaptiveAvgPool2d(output_size=1)\n"
    "  (flatten): Flatten(start_dim=1, end_dim=-1)\n"
    "  (head): Linear(in_features=64, out_features=5, bias=True)\n"
    ")\n";

static void test_swin_padded(void **state)
{
    (void)state;
    cc_stack *s = parse(swin, 20, 20, 3); /* a 10 x 10 map, windows of 7: padded to 14 */
    out_is(s, "features.0.2", 32, 10, 10, 1);
    out_is(s, "features.1.0.attn.qkv", 96, 10, 10, 1);
    out_is(s, "features.1.0.attn.proj", 32, 10, 10, 1);
    out_is(s, "features.2.(patch merge)", 128, 5, 5, 1);
    out_is(s, "features.2.reduction", 64, 5, 5, 1);
    out_is(s, "permute", 64, 5, 5, 0);
    cc_stack_totals t;
    cc_stack_totals_get(s, 0, &t);
    /* hooks: conv 100 * 32 * 12, mlp 2 * 100 * 32 * 64, reduction
     * 25 * 128 * 64, head 64 * 5 */
    assert_int_equal(t.macs, 100 * 32 * 12 + 2 * 100 * 32 * 64 + 25 * 128 * 64 + 64 * 5);
    /* missed: qkv and proj on the 14 x 14 padded map (196 * 32 * 128),
     * the products 2 * 196 tokens * 49 keys * 32 */
    assert_int_equal(t.unhooked_macs, 196 * 32 * 128 + 2 * 196 * 49 * 32);
    cc_stack_free(s);
}

/* A repr whose transformer pieces do not fit: parsed, shapes unknown with
 * a note naming the line, parameters still counted. */
static void unknown_shapes(const char *text, long h, long w, long c, const char *part)
{
    cc_stack *s = parse(text, h, w, c);
    if (s->shapes != CC_SHAPES_UNKNOWN || !strstr(s->shape_note, part))
        fail_msg("shapes %d, note '%s' (expected unknown, naming '%s')", (int)s->shapes,
                 s->shape_note, part);
    cc_stack_totals t;
    cc_stack_totals_get(s, 0, &t);
    assert_true(t.total_params > 0);
    assert_int_equal(t.macs, -1);
    cc_stack_free(s);
}

static void test_hostile(void **state)
{
    (void)state;
    /* patch merging on a channels-first map (no Permute before it) */
    unknown_shapes("Net(\n  (conv): Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))\n"
                   "  (merge): PatchMerging(\n"
                   "    (reduction): Linear(in_features=32, out_features=16, bias=False)\n"
                   "    (norm): LayerNorm((32,), eps=1e-05, elementwise_affine=True)\n  )\n)\n",
                   8, 8, 3, "channels-last");
    /* a SwapAxes on a flat input */
    unknown_shapes("Net(\n  (fc): Linear(in_features=12, out_features=4, bias=True)\n"
                   "  (swap): SwapAxes()\n)\n",
                   0, 0, 12, "channels-last");
    /* ViT patches whose embedding does not match the attention */
    unknown_shapes("Net(\n  (conv): Conv2d(3, 8, kernel_size=(2, 2), stride=(2, 2))\n"
                   "  (p): Permute()\n"
                   "  (attn): MultiheadAttention(\n"
                   "    (out_proj): NonDynamicallyQuantizableLinear(in_features=6, "
                   "out_features=6, bias=True)\n  )\n)\n",
                   4, 4, 3, "expects tokens of 6 features");
    /* a MaxViT partition on a map that does not divide into 7 x 7 windows */
    unknown_shapes("Net(\n  (conv): Conv2d(3, 32, kernel_size=(1, 1), stride=(1, 1))\n"
                   "  (layer): PartitionAttentionLayer(\n"
                   "    (partition_op): WindowPartition()\n"
                   "    (departition_op): WindowDepartition()\n"
                   "    (partition_swap): Identity()\n"
                   "    (departition_swap): Identity()\n"
                   "    (attn_layer): Sequential(\n"
                   "      (0): LayerNorm((32,), eps=1e-05, elementwise_affine=True)\n"
                   "    )\n"
                   "    (mlp_layer): Sequential(\n"
                   "      (0): Linear(in_features=32, out_features=32, bias=True)\n"
                   "    )\n"
                   "    (stochastic_dropout): StochasticDepth(p=0.0, mode=row)\n  )\n)\n",
                   10, 10, 3, "multiples of 7");
    /* a map so large that the counts overflow: said, not undefined */
    unknown_shapes(swin, 1000000000L, 1000000000L, 3, "overflows");
    /* 10^9 tokens: the projections fit, every-token attention does not */
    unknown_shapes(vit, 126488, 126488, 3, "in_proj (MultiheadAttention): the operation count");
    /* classes with children missing are walked as plain containers */
    cc_stack *s = parse("VisionTransformer(\n  (heads): Sequential(\n"
                        "    (head): Linear(in_features=8, out_features=3, bias=True)\n  )\n)\n",
                        0, 0, 8);
    cc_stack_totals t;
    cc_stack_totals_get(s, 0, &t);
    assert_int_equal(t.total_params, 27);
    assert_int_equal(t.macs, 24);
    cc_stack_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vit),
        cmocka_unit_test(test_swin_padded),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
