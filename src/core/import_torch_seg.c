/* import_torch_seg.c - the data flow of torchvision's segmentation models,
 * which a repr does not show. FCN and DeepLabV3 (_SimpleSegmentationModel)
 * run backbone -> classifier, then resize the result to the input's H x W
 * (F.interpolate, bilinear, align_corners=False); the optional
 * aux_classifier does the same from an earlier backbone stage, as a side
 * output. DeepLabV3's ASPP concatenates its branches, one of which pools
 * to 1x1 and is resized back (ASPPPooling). LRASPP multiplies its high
 * branch by a pooled scale, resizes it to the low stage, adds the two
 * classifiers and resizes to the input. The resizes are rows of type
 * (CLASS) named (interpolate). */
#include <stdio.h>
#include <string.h>

#include "import_torch_priv.h"

/* A bilinear resize (align_corners=False) to the H x W of layer `like`'s
 * output (CC_FROM_INPUT: the model's input). */
static int resize_like(tparser *tp, long like, const char *name, int depth, int idx)
{
    cc_layer l;
    cc_layer_init(&l, CC_LAYER_MODULE);
    l.rule = CC_RULE_UPSAMPLE;
    l.extra = 1;
    l.rule_arg[2] = l.rule_arg[3] = -1; /* the size of layer .from */
    l.from = like;
    return tt_synth(tp, &l, name, "(interpolate)", depth, idx);
}

/* Walk the backbone's stages (an IntermediateLayerGetter's children) in
 * order; *early is the output of the first stage whose last convolution
 * gives `channels` channels (the stage torchvision returns as "aux" or
 * "low"), -2 when channels is 0 or no stage does. */
static int backbone(tparser *tp, int b, const char *name, int depth, long channels,
                    long *early)
{
    char bname[96];
    snprintf(bname, sizeof bname, "%s%s%s", name, name[0] ? "." : "", tp->nodes[b].name);
    *early = -2;
    if (!tp->nodes[b].is_container)
        return tt_walk(tp, b, name, depth + 1);
    for (int k = tp->nodes[b].first_child; k >= 0; k = tp->nodes[k].next_sibling) {
        int rc = tt_walk(tp, k, bname, depth + 2);
        if (rc)
            return rc;
        int strided = 0;
        long first_in = 0, last_out = 0;
        tt_convs(tp, k, &strided, &first_in, &last_out);
        if (*early == -2 && channels > 0 && last_out == channels)
            *early = tt_cur(tp);
    }
    return 0;
}

/* The input channels of the first convolution under idx (0: none). */
static long in_channels(tparser *tp, int idx)
{
    int strided = 0;
    long first_in = 0, last_out = 0;
    cc_layer l;
    if (idx >= 0 && !tp->nodes[idx].is_container)
        return !strcmp(tp->nodes[idx].type, "Conv2d") && !tt_leaf_of(tp, idx, &l)
                   ? l.in_channels : 0;
    if (idx >= 0)
        tt_convs(tp, idx, &strided, &first_in, &last_out);
    return first_in;
}

/* Whether idx has only children named in `names` (anything else would be
 * left out of the flow, so such a module is walked as printed). */
static int only(const tparser *tp, int idx, const char *const *names)
{
    for (int k = tp->nodes[idx].first_child; k >= 0; k = tp->nodes[k].next_sibling) {
        int ok = 0;
        for (int i = 0; names[i]; i++)
            ok |= strcmp(tp->nodes[k].name, names[i]) == 0;
        if (!ok)
            return 0;
    }
    return 1;
}

static int walk_named(tparser *tp, int idx, const char *what, const char *name, int depth)
{
    int c = tt_child(tp, idx, what);
    return c < 0 ? 0 : tt_walk(tp, c, name, depth + 1);
}

/* FCN and DeepLabV3. */
static int simple_segmentation(tparser *tp, int idx, const char *name, int depth)
{
    long x = tt_cur(tp), aux_from = -2;
    int b = tt_child(tp, idx, "backbone"), aux = tt_child(tp, idx, "aux_classifier");
    static const char *const parts[] = {"backbone", "classifier", "aux_classifier", NULL};
    if (b < 0 || tt_child(tp, idx, "classifier") < 0 || !only(tp, idx, parts))
        return 1; /* not torchvision's layout: walked as printed */
    int rc = backbone(tp, b, name, depth, in_channels(tp, aux), &aux_from);
    if (rc || (rc = walk_named(tp, idx, "classifier", name, depth)) ||
        (rc = resize_like(tp, x, name, depth, idx)))
        return rc;
    if (aux < 0)
        return 0;
    if (aux_from == -2) {
        tt_warn(tp, tp->nodes[aux].line, tp->nodes[aux].col,
                "aux_classifier: no backbone stage gives its %ld input channels; it is "
                "not followed", in_channels(tp, aux));
        return 0;
    }
    long end = tt_cur(tp);
    if ((rc = tt_route(tp, aux_from, name, depth, idx)) ||
        (rc = tt_walk(tp, aux, name, depth + 1)) || (rc = resize_like(tp, x, name, depth, idx)))
        return rc;
    return tt_route(tp, end, name, depth, idx);
}

/* DeepLabV3's ASPP: project(cat(conv(x) for conv in convs)). */
static int aspp(tparser *tp, int idx, const char *name, int depth)
{
    int cv = tt_child(tp, idx, "convs");
    static const char *const parts[] = {"convs", "project", NULL};
    if (cv < 0 || tt_child(tp, idx, "project") < 0 || !only(tp, idx, parts) ||
        tp->nodes[cv].first_child < 0)
        return 1;
    char cname[96];
    snprintf(cname, sizeof cname, "%s%s%s", name, name[0] ? "." : "", tp->nodes[cv].name);
    long x = tt_cur(tp), ends[CC_CONCAT_MAX];
    int n = 0;
    for (int k = tp->nodes[cv].first_child; k >= 0; k = tp->nodes[k].next_sibling)
        if (tp->nodes[k].repeat != 1 || n++ == CC_CONCAT_MAX)
            return 1; /* a ModuleList printed as N x ...: walked as printed */
    n = 0;
    for (int k = tp->nodes[cv].first_child; k >= 0; k = tp->nodes[k].next_sibling) {
        int rc = tt_route(tp, x, name, depth, idx);
        if (rc || (rc = tt_walk(tp, k, cname, depth + 2)))
            return rc;
        ends[n++] = tt_cur(tp);
    }
    int rc = tt_concat(tp, ends, n, name, depth, idx);
    return rc ? rc : walk_named(tp, idx, "project", name, depth);
}

/* ASPPPooling: its layers, then a resize back to its input's H x W. */
static int aspp_pooling(tparser *tp, int idx, const char *name, int depth)
{
    long x = tt_cur(tp);
    int rc = tt_walk_children(tp, idx, name, depth);
    return rc ? rc : resize_like(tp, x, name, depth, idx);
}

/* LRASPP and its LRASPPHead. */
static int lraspp(tparser *tp, int idx, const char *name, int depth)
{
    int b = tt_child(tp, idx, "backbone"), h = tt_child(tp, idx, "classifier");
    int lc = h < 0 ? -1 : tt_child(tp, h, "low_classifier");
    if (b < 0 || lc < 0 || tt_child(tp, h, "cbr") < 0 || tt_child(tp, h, "scale") < 0 ||
        tt_child(tp, h, "high_classifier") < 0)
        return 1;
    static const char *const parts[] = {"backbone", "classifier", NULL};
    static const char *const head[] = {"cbr", "scale", "low_classifier", "high_classifier",
                                       NULL};
    if (!only(tp, idx, parts) || !only(tp, h, head))
        return 1;
    long x = tt_cur(tp), low = -2;
    int rc = backbone(tp, b, name, depth, in_channels(tp, lc), &low);
    if (rc)
        return rc;
    if (low == -2) { /* shapes after the backbone are not known */
        cc_layer l;
        cc_layer_init(&l, CC_LAYER_MODULE);
        l.rule = CC_RULE_OPAQUE;
        tt_warn(tp, tp->nodes[lc].line, tp->nodes[lc].col,
                "low_classifier: no backbone stage gives its %ld input channels, so the "
                "LRASPP head is not followed", in_channels(tp, lc));
        return tt_synth(tp, &l, name, "(classifier)", depth, idx);
    }
    char hname[96];
    snprintf(hname, sizeof hname, "%s%s%s", name, name[0] ? "." : "", tp->nodes[h].name);
    long high = tt_cur(tp);
    if ((rc = walk_named(tp, h, "cbr", hname, depth + 1)))
        return rc;
    long a = tt_cur(tp);
    if ((rc = tt_route(tp, high, hname, depth + 1, h)) ||
        (rc = walk_named(tp, h, "scale", hname, depth + 1)) ||
        (rc = tt_mul(tp, a, hname, depth + 1, h)) ||
        (rc = resize_like(tp, low, hname, depth + 1, h)))
        return rc;
    long up = tt_cur(tp);
    if ((rc = tt_route(tp, low, hname, depth + 1, h)) ||
        (rc = walk_named(tp, h, "low_classifier", hname, depth + 1)))
        return rc;
    long lo = tt_cur(tp);
    if ((rc = tt_route(tp, up, hname, depth + 1, h)) ||
        (rc = walk_named(tp, h, "high_classifier", hname, depth + 1)) ||
        (rc = tt_join(tp, lo, hname, depth + 1, h)))
        return rc;
    return resize_like(tp, x, name, depth, idx);
}

int tt_segmentation(tparser *tp, int idx, const char *name, int depth, int *handled)
{
    const char *t = tp->nodes[idx].type;
    size_t n = tp->s->n;
    int rc = 1;
    *handled = 1;
    if (!strcmp(t, "FCN") || !strcmp(t, "DeepLabV3"))
        rc = simple_segmentation(tp, idx, name, depth);
    else if (!strcmp(t, "ASPP"))
        rc = aspp(tp, idx, name, depth);
    else if (!strcmp(t, "ASPPPooling"))
        rc = aspp_pooling(tp, idx, name, depth);
    else if (!strcmp(t, "LRASPP"))
        rc = lraspp(tp, idx, name, depth);
    else
        *handled = 0;
    if (rc > 0 && tp->s->n == n) /* another layout: walked as printed */
        *handled = rc = 0;
    return rc;
}
