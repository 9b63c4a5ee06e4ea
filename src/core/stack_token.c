/* stack_token.c - shapes of the transformer steps a PyTorch repr brings
 * (CC_LAYER_MODULE rules CC_RULE_TOKENS to CC_RULE_SWAP): patches to a token
 * sequence, the class token, attention, Swin's patch merging and MaxViT's
 * window partitions. Token sequences are held channels-last: N tokens of D
 * features are D x N x 1, a map of tokens D x H x W (cc_layer.out_last). */
#include <stdio.h>

#include "core/stack_priv.h"

#define ERR(...) cc__module_err(err, l, __VA_ARGS__)

static int tokens_in(const cc_layer *l)
{
    return l->in.rank == 3 && l->in_last;
}

static int fits(long v)
{
    return v >= 1 && v <= CC_DIM_MAX;
}

/* Attention as forward() computes it with functions (no hook sees it):
 * the in-projection when the input is D (MultiheadAttention), and the two
 * products q k^T and (softmax) v: each of N query tokens against T keys,
 * D multiply-adds each. Swin pads the map to whole windows first. */
static int attention(cc_layer *l, cc_shape *o, cc_error *err)
{
    const cc_shape in = l->in;
    long win = l->rule_arg[0], d = l->rule_arg[2];
    int with_proj = l->rule_arg[1] != 0;
    long want = with_proj ? d : 3 * d;
    if (!(in.rank == 1 || tokens_in(l)) || d < 1 || in.c != want)
        return ERR("expects tokens of %ld features (%s)", want,
                   with_proj ? "the embedding" : "q, k and v");
    int64_t h = in.h, w = in.w, n = h * w, t = n, proj = 0, a, b;
    if (win > 0) {
        h = (h + win - 1) / win * win;
        w = (w + win - 1) / win * win;
        n = h * w;
        t = (int64_t)win * win;
    } else if (win < 0) {
        t = w;
    }
    /* in_proj: 3 d^2 per token; Swin's qkv (d -> 3d) and proj (d -> d)
     * also run on the padding, which their own rows do not count */
    int64_t per = with_proj ? 3 : win > 0 ? 4 : 0, extra = with_proj ? (int64_t)in.h * in.w
                                                                     : n - (int64_t)in.h * in.w;
    if (cc_i64_mul(extra, per, &a) || cc_i64_mul(a, d, &b) || cc_i64_mul(b, d, &proj))
        return ERR("the operation count overflows");
    if (cc_i64_mul(n, t, &a) || cc_i64_mul(a, 2 * (int64_t)d, &b) || b > INT64_MAX - proj)
        return ERR("the operation count overflows");
    l->counts.unhooked_macs = b + proj;
    *o = in;
    o->c = d;
    return 0;
}

int cc__token_infer(cc_stack *s, size_t i, cc_shape *out, cc_error *err)
{
    cc_layer *l = &s->layers[i];
    const cc_shape in = l->in;
    cc_shape o = in;
    switch (l->rule) {
    case CC_RULE_TOKENS:
        if (!(in.rank == 3 && !l->in_last))
            return ERR("expects a C x H x W map of patches");
        o = (cc_shape){3, in.c, in.h * in.w + l->rule_arg[0], 1};
        l->out_last = 1;
        break;
    case CC_RULE_CLASS_TOKEN:
        if (!tokens_in(l))
            return ERR("expects a sequence of tokens");
        o = (cc_shape){1, in.c, 1, 1};
        l->out_last = 0;
        break;
    case CC_RULE_ATTENTION: {
        int rc = attention(l, &o, err);
        if (rc)
            return rc;
        break;
    }
    case CC_RULE_PATCH_MERGE:
        if (!tokens_in(l))
            return ERR("expects a channels-last C x H x W map");
        o = (cc_shape){3, 4 * in.c, (in.h + 1) / 2, (in.w + 1) / 2};
        break;
    case CC_RULE_TABLE:
        o = (cc_shape){3, 2, l->rule_arg[0], l->rule_arg[0]};
        l->out_last = 1;
        break;
    case CC_RULE_PARTITION: {
        long p = l->rule_arg[0];
        if (!(in.rank == 3 && !l->in_last) || p < 1)
            return ERR("expects a C x H x W map");
        if (l->rule_arg[1]) { /* grid: windows of H/p pixels, strided */
            if (in.h % p)
                return ERR("expects H (%ld) to be a multiple of the partition size %ld", in.h,
                           p);
            p = in.h / p;
        }
        if (in.h % p || in.w % p)
            return ERR("expects H and W (%ldx%ld) to be multiples of %ld", in.h, in.w, p);
        o = (cc_shape){3, in.c, (in.h / p) * (in.w / p), p * p};
        l->out_last = 1;
        break;
    }
    case CC_RULE_DEPARTITION: {
        long f = l->from;
        if (f < 0 || (size_t)f >= i || s->layers[f].rule != CC_RULE_PARTITION)
            return ERR("has no partition before it");
        o = s->layers[f].in;
        if (!tokens_in(l) || in.c != o.c || (int64_t)in.h * in.w != (int64_t)o.h * o.w)
            return ERR("expects the windows of a %ldx%ldx%ld map", o.c, o.h, o.w);
        l->out_last = 0;
        break;
    }
    case CC_RULE_SWAP:
        if (!tokens_in(l))
            return ERR("expects a channels-last input");
        o.h = in.w;
        o.w = in.h;
        break;
    default:
        return ERR("not a token rule");
    }
    if (!fits(o.c) || !fits(o.h) || !fits(o.w))
        return ERR("output %ldx%ldx%ld is out of range (each 1 to %ld)", o.c, o.h, o.w,
                   (long)CC_DIM_MAX);
    *out = o;
    return 0;
}
