/* import_torch_blocks.c - containers whose class the reader knows:
 * parameters their repr does not print (ConvNeXt's layer scale, SSD's L2
 * norm scale; the transformers' are in import_torch_vit.c), each added as
 * a layer marked `implied`. */
#include <stdio.h>
#include <string.h>

#include "import_torch_priv.h"

static int child(const tparser *tp, int idx, const char *name)
{
    for (int c = tp->nodes[idx].first_child; c >= 0; c = tp->nodes[c].next_sibling)
        if (strcmp(tp->nodes[c].name, name) == 0)
            return c;
    return -1;
}

/* The layer of leaf node c (a scratch parse), 0 or an error. */
static int leaf_of(tparser *tp, int c, cc_layer *l)
{
    if (c < 0 || tp->nodes[c].is_container)
        return -1;
    size_t notes = tp->s->n_notes;
    int rc = tt_leaf_layer(tp, &tp->nodes[c], l);
    tp->s->n_notes = notes; /* its warnings come when it is walked */
    return rc;
}

/* The first Conv2d leaf under idx, depth first. */
static int first_conv(tparser *tp, int idx, cc_layer *l)
{
    for (int c = tp->nodes[idx].first_child; c >= 0; c = tp->nodes[c].next_sibling) {
        if (tp->nodes[c].is_container) {
            if (first_conv(tp, c, l) == 0)
                return 0;
        } else if (strcmp(tp->nodes[c].type, "Conv2d") == 0 && leaf_of(tp, c, l) == 0) {
            return 0;
        }
    }
    return -1;
}

/* Append an implied parameter layer `prefix.what`. */
static int hidden(tparser *tp, const char *prefix, const char *what, int depth,
                  const tnode *at, int64_t params, int64_t buffers, long channels,
                  const char *formula)
{
    cc_layer l;
    cc_layer_init(&l, CC_LAYER_MODULE);
    l.rule = CC_RULE_KEEP;
    l.rule_arg[0] = channels;
    l.rule_arg[3] = 1; /* a table or a scale: no FLOPs of its own counted */
    l.fixed_params = params;
    l.fixed_buffers = buffers;
    l.implied = 1;
    l.line = at->line;
    l.col = at->col;
    l.depth = depth + 1;
    snprintf(l.name, sizeof l.name, "%s%s%s", prefix, prefix[0] ? "." : "", what);
    snprintf(l.type, sizeof l.type, "(%.36s)", at->type);
    snprintf(l.formula, sizeof l.formula, "%s", formula);
    return tt_add(tp, &l);
}

/* ConvNeXt's CNBlock: layer_scale (C x 1 x 1) multiplies the block's
 * output. */
static int cnblock(tparser *tp, int idx, const char *name, int depth)
{
    cc_layer c;
    int b = child(tp, idx, "block");
    if (b < 0 || first_conv(tp, b, &c))
        return tt_walk_children(tp, idx, name, depth);
    char f[96];
    snprintf(f, sizeof f, "%ld", c.filters);
    for (int k = tp->nodes[idx].first_child; k >= 0; k = tp->nodes[k].next_sibling) {
        int rc = tt_walk(tp, k, name, depth + 1);
        if (!rc && k == b)
            rc = hidden(tp, name, "layer_scale", depth, &tp->nodes[idx], c.filters, 0,
                        c.filters, f);
        if (rc)
            return rc;
    }
    return 0;
}

/* SSD's VGG feature extractor: an L2 norm scale per channel of conv4_3. */
static int ssd_vgg(tparser *tp, int idx, const char *name, int depth)
{
    int f = child(tp, idx, "features");
    int rc = tt_walk_children(tp, idx, name, depth);
    if (rc || f < 0)
        return rc;
    /* the last conv of "features" gives conv4_3's channels */
    long ch = 0;
    for (int k = tp->nodes[f].first_child; k >= 0; k = tp->nodes[k].next_sibling) {
        cc_layer l;
        if (strcmp(tp->nodes[k].type, "Conv2d") == 0 && leaf_of(tp, k, &l) == 0)
            ch = l.filters;
    }
    char fm[32];
    snprintf(fm, sizeof fm, "%ld", ch);
    return ch ? hidden(tp, name, "scale_weight", depth, &tp->nodes[idx], ch, 0, 0, fm) : 0;
}

int tt_block(tparser *tp, int idx, const char *name, int depth, int *handled)
{
    int rc = tt_flow(tp, idx, name, depth, handled);
    if (!rc && !*handled)
        rc = tt_segmentation(tp, idx, name, depth, handled);
    if (!rc && !*handled)
        rc = tt_transformer(tp, idx, name, depth, handled);
    if (!rc && !*handled)
        rc = tt_block_hidden(tp, idx, name, depth, handled);
    if (!rc && *handled) {
        const char *t = tp->nodes[idx].type;
        int k;
        for (k = 0; k < tp->n_known; k++)
            if (strcmp(tp->known[k], t) == 0)
                break;
        if (k == tp->n_known && k < 24)
            snprintf(tp->known[tp->n_known++], sizeof tp->known[0], "%s", t);
    }
    return rc;
}

int tt_block_hidden(tparser *tp, int idx, const char *name, int depth, int *handled)
{
    const char *t = tp->nodes[idx].type;
    *handled = 1;
    if (!strcmp(t, "CNBlock"))
        return cnblock(tp, idx, name, depth);
    if (!strcmp(t, "SSDFeatureExtractorVGG"))
        return ssd_vgg(tp, idx, name, depth);
    *handled = 0;
    return 0;
}

int tt_leaf_of(tparser *tp, int c, cc_layer *l)
{
    return leaf_of(tp, c, l);
}

int tt_hidden(tparser *tp, const char *prefix, const char *what, int depth, const tnode *at,
              int64_t params, int64_t buffers, long channels, const char *formula)
{
    return hidden(tp, prefix, what, depth, at, params, buffers, channels, formula);
}
