/* import_torch_vit.c - torchvision's transformers, whose data flow and some
 * parameters a repr does not show: VisionTransformer (patches to tokens,
 * class token and position embedding, EncoderBlock residuals, the class
 * token to the head), MultiheadAttention (its hidden in_proj), Swin and
 * Swin v2 (blocks, window attention, patch merging), MaxViT (MBConv, window
 * and grid partition attention). Everything is read from the module
 * classes and their printed arguments, never from a model's name.
 *
 * Forward hooks (the MACs convention) see only modules that are called:
 * the projections forward() applies as functions (MultiheadAttention's
 * in/out projections, Swin's qkv and proj) are marked `functional`, and
 * the attention products are a CC_RULE_ATTENTION row; their MACs go to
 * counts.unhooked_macs. */
#include <stdio.h>
#include <string.h>

#include "import_torch_priv.h"

/* Windows of 7 (Swin, MaxViT partitions) or 8 (Swin v2) and 32 channels
 * per head: how torchvision's builders make them; the repr prints neither
 * (Swin v2's heads show as cpb_mlp's output size, and are taken from it). */
#define WINDOW 7
#define WINDOW_V2 8
#define HEAD_DIM 32

static cc_layer *last(tparser *tp)
{
    return &tp->s->layers[tp->s->n - 1];
}

/* Walk child `what` of idx (if any); mark what it emitted functional. */
static int walk_child(tparser *tp, int idx, const char *what, const char *name, int depth,
                      int functional)
{
    int c = tt_child(tp, idx, what);
    if (c < 0)
        return 0;
    size_t before = tp->s->n;
    int rc = tt_walk(tp, c, name, depth + 1);
    for (size_t i = before; !rc && i < tp->s->n; i++)
        tp->s->layers[i].functional |= functional;
    return rc;
}

/* A synthesized module row with a token rule. */
static int token_row(tparser *tp, int rule, long a0, const char *name, const char *what,
                     int depth, int idx)
{
    cc_layer l;
    cc_layer_init(&l, CC_LAYER_MODULE);
    l.rule = rule;
    l.rule_arg[0] = a0;
    return tt_synth(tp, &l, name, what, depth, idx);
}

/* Make the last layer (an implied parameter row) the attention step. */
static void as_attention(tparser *tp, long window, int with_proj, long d)
{
    cc_layer *l = last(tp);
    l->rule = CC_RULE_ATTENTION;
    l->rule_arg[0] = window;
    l->rule_arg[1] = with_proj;
    l->rule_arg[2] = d;
}

/* MultiheadAttention: in_proj (3E x E weight, 3E bias) hidden behind the
 * printed out_proj (E = out_proj's in_features; its bias tells bias); both
 * are applied as functions, every token attending to every token. */
static int mha(tparser *tp, int idx, const char *name, int depth)
{
    cc_layer o;
    int oc = tt_child(tp, idx, "out_proj");
    if (tt_leaf_of(tp, oc, &o) || o.kind != CC_LAYER_LINEAR)
        return tt_walk_children(tp, idx, name, depth);
    long e = o.in_features;
    int64_t p = 3 * (int64_t)e * e + (o.bias ? 3 * (int64_t)e : 0);
    char f[96];
    snprintf(f, sizeof f, "3*%ld*%ld%s = %lld", e, e, o.bias ? " + 3*bias" : "", (long long)p);
    int rc = tt_hidden(tp, name, "in_proj", depth, &tp->nodes[idx], p, 0, 0, f);
    if (rc)
        return rc;
    as_attention(tp, 0, 1, e);
    for (int k = tp->nodes[idx].first_child; k >= 0; k = tp->nodes[k].next_sibling)
        if ((rc = walk_child(tp, idx, tp->nodes[k].name, name, depth, k == oc)))
            return rc;
    return 0;
}

/* VisionTransformer: conv_proj's D x H/p x W/p patches become H/p*W/p
 * tokens plus the class token; the encoder adds the position embedding
 * ((H/p * W/p + 1) x D, counted from the input size); the head reads the
 * class token. */
static int vit(tparser *tp, int idx, const char *name, int depth)
{
    cc_layer c;
    if (tt_leaf_of(tp, tt_child(tp, idx, "conv_proj"), &c) || c.kind != CC_LAYER_CONV)
        return tt_walk_children(tp, idx, name, depth);
    for (int k = tp->nodes[idx].first_child; k >= 0; k = tp->nodes[k].next_sibling) {
        int rc = 0;
        if (strcmp(tp->nodes[k].name, "encoder") == 0) {
            cc_layer l;
            cc_layer_init(&l, CC_LAYER_MODULE);
            l.rule = CC_RULE_POS_EMBED;
            l.rule_arg[0] = c.kernel_h;
            l.rule_arg[1] = c.filters;
            l.fixed_params = -1;
            l.implied = 1;
            l.line = tp->nodes[k].line;
            l.col = tp->nodes[k].col;
            l.depth = depth + 1;
            snprintf(l.name, sizeof l.name, "%s%sclass_token+encoder.pos_embedding", name,
                     name[0] ? "." : "");
            snprintf(l.type, sizeof l.type, "(VisionTransformer)");
            if ((rc = token_row(tp, CC_RULE_TOKENS, 1, name, "(tokens)", depth, idx)) ||
                (rc = tt_add(tp, &l)))
                return rc;
        }
        if (strcmp(tp->nodes[k].name, "heads") == 0 &&
            (rc = token_row(tp, CC_RULE_CLASS_TOKEN, 0, name, "(class token)", depth, idx)))
            return rc;
        if ((rc = tt_walk(tp, k, name, depth + 1)))
            return rc;
    }
    return 0;
}

/* x + f(x) twice: the two residual halves of a transformer block, each a
 * list of children. */
static int two_residuals(tparser *tp, int idx, const char *name, int depth,
                         const char *const *first, const char *const *second)
{
    long x = tt_cur(tp);
    int rc = tt_run_list(tp, idx, first, name, depth);
    if (rc || (rc = tt_join(tp, x, name, depth, idx)))
        return rc;
    x = tt_cur(tp);
    if ((rc = tt_run_list(tp, idx, second, name, depth)))
        return rc;
    return tt_join(tp, x, name, depth, idx);
}

/* ViT's EncoderBlock: x = x + dropout(attention(ln_1(x))); x + mlp(ln_2(x)). */
static int encoder_block(tparser *tp, int idx, const char *name, int depth)
{
    static const char *const a[] = {"ln_1", "self_attention", "dropout", NULL};
    static const char *const b[] = {"ln_2", "mlp", NULL};
    return two_residuals(tp, idx, name, depth, a, b);
}

/* SwinTransformerBlock: x + sd(attn(norm1(x))), then x + sd(mlp(norm2(x)));
 * the V2 block normalises after: x + sd(norm1(attn(x))), ... */
static int swin_block(tparser *tp, int idx, const char *name, int depth, int v2)
{
    static const char *const a[] = {"norm1", "attn", "stochastic_depth", NULL};
    static const char *const b[] = {"norm2", "mlp", "stochastic_depth", NULL};
    static const char *const a2[] = {"attn", "norm1", "stochastic_depth", NULL};
    static const char *const b2[] = {"mlp", "norm2", "stochastic_depth", NULL};
    return two_residuals(tp, idx, name, depth, v2 ? a2 : a, v2 ? b2 : b);
}

/* Swin's PatchMerging: the 2x2 neighbours side by side (4C x H/2 x W/2),
 * then norm and reduction (V2: reduction, then norm). */
static int patch_merging(tparser *tp, int idx, const char *name, int depth, int v2)
{
    static const char *const v1[] = {"norm", "reduction", NULL};
    static const char *const v2o[] = {"reduction", "norm", NULL};
    int rc = token_row(tp, CC_RULE_PATCH_MERGE, 0, name, "(patch merge)", depth, idx);
    return rc ? rc : tt_run_list(tp, idx, v2 ? v2o : v1, name, depth);
}

/* Swin v2's heads: the output size of the last Linear of cpb_mlp (which
 * maps each relative position to one bias per head); 0 if not printed. */
static long cpb_heads(tparser *tp, int idx)
{
    int c = tt_child(tp, idx, "cpb_mlp");
    if (c < 0 || !tp->nodes[c].is_container)
        return 0;
    cc_layer l;
    if (tt_leaf_of(tp, tp->nodes[c].last_child, &l) || l.kind != CC_LAYER_LINEAR)
        return 0;
    return l.out_features;
}

/* Swin's ShiftedWindowAttention(V2) and MaxViT's
 * RelativePositionalMultiHeadAttention: qkv, the attention in windows (its
 * relative position table is a hidden parameter), proj. Swin applies qkv
 * and proj as functions; V2 computes its bias table with cpb_mlp, a module
 * called on a 2 x (2w-1) x (2w-1) coordinate table; MaxViT calls to_qkv
 * and merge as modules. */
static int window_attention(tparser *tp, int idx, const char *name, int depth, int v2)
{
    cc_layer q;
    int maxvit = tt_child(tp, idx, "to_qkv") >= 0;
    int c = tt_child(tp, idx, maxvit ? "to_qkv" : "qkv");
    long heads = v2 ? cpb_heads(tp, idx) : 0;
    if (tt_leaf_of(tp, c, &q) || q.kind != CC_LAYER_LINEAR ||
        (heads <= 0 && q.in_features % HEAD_DIM))
        return tt_walk_children(tp, idx, name, depth);
    long d = q.in_features, w = v2 ? WINDOW_V2 : WINDOW;
    if (heads <= 0)
        heads = d / HEAD_DIM;
    long t = (2 * w - 1) * (2 * w - 1);
    int rc = walk_child(tp, idx, maxvit ? "to_qkv" : "qkv", name, depth, !maxvit);
    long qkv = tt_cur(tp);
    char f[96];
    if (!rc && v2 && tt_child(tp, idx, "cpb_mlp") >= 0 &&
        !(rc = token_row(tp, CC_RULE_TABLE, 2 * w - 1, name, "(coords table)", depth, idx)) &&
        !(rc = walk_child(tp, idx, "cpb_mlp", name, depth, 0)))
        rc = tt_route(tp, qkv, name, depth, idx);
    if (rc)
        return rc;
    if (v2) {
        snprintf(f, sizeof f, "%ld heads (logit scale)", heads);
        rc = tt_hidden(tp, name, "logit_scale", depth, &tp->nodes[idx], heads,
                       2 * t + w * w * w * w, 0, f);
    } else {
        snprintf(f, sizeof f, "(2*%ld-1)^2 * %ld heads = %lld", w, heads, (long long)t * heads);
        rc = tt_hidden(tp, name, "relative_position_bias_table", depth, &tp->nodes[idx],
                       (int64_t)t * heads, (int64_t)w * w * w * w, 0, f);
    }
    if (rc)
        return rc;
    as_attention(tp, maxvit ? -1 : w, 0, d);
    return walk_child(tp, idx, maxvit ? "merge" : "proj", name, depth, !maxvit);
}

/* MaxViT's MBConv: proj(x) + stochastic_depth(layers(x)). */
static int maxvit_mbconv(tparser *tp, int idx, const char *name, int depth)
{
    static const char *const body[] = {"layers", "stochastic_depth", NULL};
    static const char *const proj[] = {"proj", NULL};
    long x = tt_cur(tp);
    int rc = tt_run_list(tp, idx, body, name, depth);
    long m = tt_cur(tp);
    if (rc || (rc = tt_route(tp, x, name, depth, idx)) ||
        (rc = tt_run_list(tp, idx, proj, name, depth)))
        return rc;
    return tt_join(tp, m, name, depth, idx);
}

/* MaxViT's PartitionAttentionLayer: partition into windows (grid: the
 * partition_swap is a SwapAxes), attention and MLP residuals, back. */
static int partition_attention(tparser *tp, int idx, const char *name, int depth)
{
    static const char *const a[] = {"attn_layer", "stochastic_dropout", NULL};
    static const char *const b[] = {"mlp_layer", "stochastic_dropout", NULL};
    int sw = tt_child(tp, idx, "partition_swap");
    size_t before = tp->s->n;
    int rc = walk_child(tp, idx, "partition_op", name, depth, 0);
    if (rc || tp->s->n != before + 1 || last(tp)->kind != CC_LAYER_MODULE)
        return rc ? rc : tt_walk_children(tp, idx, name, depth);
    long part = tt_cur(tp);
    last(tp)->rule = CC_RULE_PARTITION;
    last(tp)->rule_arg[0] = WINDOW;
    last(tp)->rule_arg[1] = sw >= 0 && strcmp(tp->nodes[sw].type, "SwapAxes") == 0;
    if ((rc = walk_child(tp, idx, "partition_swap", name, depth, 0)) ||
        (rc = two_residuals(tp, idx, name, depth, a, b)) ||
        (rc = walk_child(tp, idx, "departition_swap", name, depth, 0)))
        return rc;
    before = tp->s->n;
    if ((rc = walk_child(tp, idx, "departition_op", name, depth, 0)))
        return rc;
    if (tp->s->n == before + 1 && last(tp)->kind == CC_LAYER_MODULE) {
        last(tp)->rule = CC_RULE_DEPARTITION;
        last(tp)->from = part;
    }
    return 0;
}

int tt_transformer(tparser *tp, int idx, const char *name, int depth, int *handled)
{
    const char *t = tp->nodes[idx].type;
    *handled = 1;
    if (!strcmp(t, "MultiheadAttention"))
        return mha(tp, idx, name, depth);
    if (!strcmp(t, "VisionTransformer"))
        return vit(tp, idx, name, depth);
    if (!strcmp(t, "EncoderBlock") && tt_child(tp, idx, "self_attention") >= 0 &&
        tt_child(tp, idx, "mlp") >= 0)
        return encoder_block(tp, idx, name, depth);
    if ((!strcmp(t, "SwinTransformerBlock") || !strcmp(t, "SwinTransformerBlockV2")) &&
        tt_child(tp, idx, "attn") >= 0 && tt_child(tp, idx, "mlp") >= 0)
        return swin_block(tp, idx, name, depth, !strcmp(t, "SwinTransformerBlockV2"));
    if (!strcmp(t, "PatchMerging") || !strcmp(t, "PatchMergingV2"))
        return patch_merging(tp, idx, name, depth, !strcmp(t, "PatchMergingV2"));
    if (!strcmp(t, "ShiftedWindowAttention") || !strcmp(t, "RelativePositionalMultiHeadAttention"))
        return window_attention(tp, idx, name, depth, 0);
    if (!strcmp(t, "ShiftedWindowAttentionV2"))
        return window_attention(tp, idx, name, depth, 1);
    if (!strcmp(t, "MBConv") && tt_child(tp, idx, "proj") >= 0 &&
        tt_child(tp, idx, "layers") >= 0)
        return maxvit_mbconv(tp, idx, name, depth);
    if (!strcmp(t, "PartitionAttentionLayer") && tt_child(tp, idx, "partition_op") >= 0)
        return partition_attention(tp, idx, name, depth);
    *handled = 0;
    return 0;
}
