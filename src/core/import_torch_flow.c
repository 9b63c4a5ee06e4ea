/* import_torch_flow.c - the data flow of torchvision's blocks, which a
 * repr does not show: residual branches (BasicBlock, Bottleneck,
 * InvertedResidual, MBConv, FusedMBConv, ResBottleneckBlock, CNBlock),
 * squeeze-excitation products, Inception and Fire concatenations, DenseNet
 * blocks, ShuffleNet's channel split, and the pooling that some models'
 * forward() does as a function. Each becomes ordinary layers: a branch
 * starts with a one-source concat (a route), and add, concat and mul
 * layers join branches; all of these are marked implied = 2. */
#include <stdio.h>
#include <string.h>

#include "import_torch_priv.h"

static long cur(const tparser *tp)
{
    return tp->s->n ? (long)tp->s->n - 1 : CC_FROM_INPUT;
}

static int child(const tparser *tp, int idx, const char *name)
{
    for (int c = tp->nodes[idx].first_child; c >= 0; c = tp->nodes[c].next_sibling)
        if (strcmp(tp->nodes[c].name, name) == 0)
            return c;
    return -1;
}

static int synth(tparser *tp, cc_layer *l, const char *name, const char *what, int depth,
                 int idx)
{
    l->implied = 2;
    l->line = tp->nodes[idx].line;
    l->col = tp->nodes[idx].col;
    l->depth = depth + 1;
    snprintf(l->name, sizeof l->name, "%s%s%s", name, name[0] ? "." : "", what);
    snprintf(l->type, sizeof l->type, "(%.36s)", tp->nodes[idx].type);
    return tt_add(tp, l);
}

/* The output of layer `from` as the input of what follows. */
static int route(tparser *tp, long from, const char *name, int depth, int idx, long groups,
                 long group_id)
{
    cc_layer l;
    cc_layer_init(&l, CC_LAYER_CONCAT);
    l.sources[0] = from;
    l.n_sources = 1;
    l.groups = groups;
    l.group_id = group_id;
    return synth(tp, &l, name, "(branch)", depth, idx);
}

static int join(tparser *tp, cc_layer_kind kind, long from, const char *name, int depth, int idx)
{
    cc_layer l;
    cc_layer_init(&l, kind);
    l.from = from;
    return synth(tp, &l, name, kind == CC_LAYER_ADD ? "(add)" : "(mul)", depth, idx);
}

static int concat(tparser *tp, const long *src, int n, const char *name, int depth, int idx)
{
    cc_layer l;
    cc_layer_init(&l, CC_LAYER_CONCAT);
    for (int i = 0; i < n && i < CC_CONCAT_MAX; i++)
        l.sources[i] = src[i];
    l.n_sources = n;
    return synth(tp, &l, name, "(cat)", depth, idx);
}

/* Walk child `what` of idx; a module walked before is a repeated call. */
static int run(tparser *tp, int idx, const char *what, const char *name, int depth,
               int *seen, int nseen)
{
    int c = child(tp, idx, what);
    if (c < 0)
        return 0;
    size_t before = tp->s->n;
    int rc = tt_walk(tp, c, name, depth + 1);
    int again = 0;
    for (int i = 0; i < nseen; i++)
        if (seen[i] == c)
            again = 1;
    if (again)
        for (size_t i = before; i < tp->s->n; i++)
            tp->s->layers[i].repeat_call = 1;
    return rc;
}

/* Children in a fixed forward order (names may repeat), then nothing. */
static int run_list(tparser *tp, int idx, const char *const *names, const char *name,
                    int depth)
{
    int seen[16], n = 0;
    for (int i = 0; names[i]; i++) {
        int rc = run(tp, idx, names[i], name, depth, seen, n);
        if (rc)
            return rc;
        if (n < 16)
            seen[n++] = child(tp, idx, names[i]);
    }
    return 0;
}

/* Conv2d leaves under idx: whether any has a stride, the first one's input
 * channels and the last one's output channels. */
static void convs(tparser *tp, int idx, int *strided, long *first_in, long *last_out)
{
    for (int c = tp->nodes[idx].first_child; c >= 0; c = tp->nodes[c].next_sibling) {
        if (tp->nodes[c].is_container) {
            convs(tp, c, strided, first_in, last_out);
            continue;
        }
        if (strcmp(tp->nodes[c].type, "Conv2d") != 0)
            continue;
        cc_layer l;
        size_t notes = tp->s->n_notes;
        int rc = tt_leaf_layer(tp, &tp->nodes[c], &l);
        tp->s->n_notes = notes;
        if (rc)
            continue;
        if (l.stride_h != 1 || l.stride_w != 1)
            *strided = 1;
        if (*first_in == 0)
            *first_in = l.in_channels;
        *last_out = l.filters;
    }
}

/* ResNet's BasicBlock and Bottleneck: out = relu(main(x) + downsample(x)). */
static int resnet_block(tparser *tp, int idx, const char *name, int depth, int bottleneck)
{
    static const char *const basic[] = {"conv1", "bn1", "relu", "conv2", "bn2", NULL};
    static const char *const bott[] = {"conv1", "bn1", "relu", "conv2", "bn2", "relu",
                                       "conv3", "bn3", NULL};
    long x = cur(tp);
    int rc = run_list(tp, idx, bottleneck ? bott : basic, name, depth);
    long m = cur(tp), other = x;
    int d = child(tp, idx, "downsample");
    if (!rc && d >= 0) {
        if (!(rc = route(tp, x, name, depth, idx, 1, 0)) &&
            !(rc = tt_walk(tp, d, name, depth + 1)))
            other = m;
    }
    if (!rc)
        rc = join(tp, CC_LAYER_ADD, other, name, depth, idx);
    int relu = child(tp, idx, "relu");
    if (!rc && relu >= 0) {
        size_t before = tp->s->n;
        rc = tt_walk(tp, relu, name, depth + 1);
        for (size_t i = before; i < tp->s->n; i++)
            tp->s->layers[i].repeat_call = 1;
    }
    return rc;
}

/* InvertedResidual (MobileNet v2/v3), _InvertedResidual (MNASNet), MBConv,
 * FusedMBConv (EfficientNet): x + body(x) when no convolution has a stride
 * and the channels stay. */
static int inverted_residual(tparser *tp, int idx, const char *name, int depth)
{
    long x = cur(tp), first_in = 0, last_out = 0;
    int strided = 0;
    convs(tp, idx, &strided, &first_in, &last_out);
    int rc = tt_walk_children(tp, idx, name, depth);
    if (!rc && !strided && first_in > 0 && first_in == last_out)
        rc = join(tp, CC_LAYER_ADD, x, name, depth, idx);
    return rc;
}

/* torchvision.ops.SqueezeExcitation: x * scale(fc2(act(fc1(pool(x))))). */
static int squeeze_excitation(tparser *tp, int idx, const char *name, int depth)
{
    static const char *const order[] = {"avgpool", "fc1", "activation", "fc2",
                                        "scale_activation", NULL};
    long x = cur(tp);
    int rc = run_list(tp, idx, order, name, depth);
    return rc ? rc : join(tp, CC_LAYER_MUL, x, name, depth, idx);
}

/* RegNet's ResBottleneckBlock: activation(proj(x) + f(x)). */
static int regnet_block(tparser *tp, int idx, const char *name, int depth)
{
    long x = cur(tp), other = x;
    int p = child(tp, idx, "proj"), rc = 0;
    if (p >= 0) {
        if ((rc = tt_walk(tp, p, name, depth + 1)) || (rc = route(tp, x, name, depth, idx, 1, 0)))
            return rc;
        other = (long)tp->s->n - 2;
    }
    static const char *const order[] = {"f", NULL};
    if ((rc = run_list(tp, idx, order, name, depth)) ||
        (rc = join(tp, CC_LAYER_ADD, other, name, depth, idx)))
        return rc;
    static const char *const act[] = {"activation", NULL};
    return run_list(tp, idx, act, name, depth);
}

/* ConvNeXt's CNBlock: x + stochastic_depth(layer_scale * block(x)). The
 * layer scale itself is added by import_torch_blocks.c. */
static int cn_block(tparser *tp, int idx, const char *name, int depth, int *handled)
{
    long x = cur(tp);
    int rc = tt_block_hidden(tp, idx, name, depth, handled);
    if (rc || !*handled)
        return rc;
    return join(tp, CC_LAYER_ADD, x, name, depth, idx);
}

/* Branches that all start from the block's input, concatenated. Each entry
 * is a chain of child names; "|" starts a sub-branch from the chain's
 * point so far, whose ends are concatenated (InceptionE). "@avg" and
 * "@max" are the functional 3x3 poolings of Inception v3. */
static int pool3(tparser *tp, const char *what, const char *name, int depth, int idx)
{
    int mx = strcmp(what, "@max") == 0;
    cc_layer l;
    cc_layer_init(&l, mx ? CC_LAYER_MAXPOOL : CC_LAYER_AVGPOOL);
    l.kernel_h = l.kernel_w = 3;
    l.stride_h = l.stride_w = mx ? 2 : 1;
    if (!mx)
        l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = 1;
    return synth(tp, &l, name, mx ? "(max_pool2d)" : "(avg_pool2d)", depth, idx);
}

static int branches(tparser *tp, int idx, const char *name, int depth,
                    const char *const *const *chains)
{
    long x = cur(tp), ends[CC_CONCAT_MAX];
    int ne = 0, rc = 0;
    for (int b = 0; chains[b] && !rc; b++) {
        if (cur(tp) != x && (rc = route(tp, x, name, depth, idx, 1, 0)))
            return rc;
        long split = -1, sub[2];
        int ns = 0;
        for (int k = 0; chains[b][k] && !rc; k++) {
            const char *w = chains[b][k];
            if (w[0] == '|') {
                if (split < 0)
                    split = cur(tp);
                else {
                    sub[ns++] = cur(tp);
                    rc = route(tp, split, name, depth, idx, 1, 0);
                }
                continue;
            }
            if (w[0] == '@') {
                rc = pool3(tp, w, name, depth, idx);
                continue;
            }
            int c = child(tp, idx, w);
            if (c < 0)
                return cc_error_at(tp->err, CC_EINVAL, tp->nodes[idx].line,
                                   tp->nodes[idx].col, "%s: no child '%s' (torchvision's "
                                   "class has one)", tp->nodes[idx].type, w);
            rc = tt_walk(tp, c, name, depth + 1);
        }
        if (!rc && ns) {
            sub[ns++] = cur(tp);
            rc = concat(tp, sub, ns, name, depth, idx);
        }
        if (ne < CC_CONCAT_MAX)
            ends[ne++] = cur(tp);
    }
    return rc ? rc : concat(tp, ends, ne, name, depth, idx);
}

#define CHAIN(...) ((const char *const[]){__VA_ARGS__, NULL})

static int inception(tparser *tp, int idx, const char *name, int depth, const char *t)
{
    if (!strcmp(t, "Inception")) /* GoogLeNet */
        return branches(tp, idx, name, depth,
                        (const char *const *const[]){CHAIN("branch1"), CHAIN("branch2"),
                                                     CHAIN("branch3"), CHAIN("branch4"), NULL});
    if (!strcmp(t, "InceptionA"))
        return branches(tp, idx, name, depth,
                        (const char *const *const[]){
                            CHAIN("branch1x1"), CHAIN("branch5x5_1", "branch5x5_2"),
                            CHAIN("branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3"),
                            CHAIN("@avg", "branch_pool"), NULL});
    if (!strcmp(t, "InceptionB"))
        return branches(tp, idx, name, depth,
                        (const char *const *const[]){
                            CHAIN("branch3x3"),
                            CHAIN("branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3"),
                            CHAIN("@max"), NULL});
    if (!strcmp(t, "InceptionC"))
        return branches(tp, idx, name, depth,
                        (const char *const *const[]){
                            CHAIN("branch1x1"), CHAIN("branch7x7_1", "branch7x7_2", "branch7x7_3"),
                            CHAIN("branch7x7dbl_1", "branch7x7dbl_2", "branch7x7dbl_3",
                                  "branch7x7dbl_4", "branch7x7dbl_5"),
                            CHAIN("@avg", "branch_pool"), NULL});
    if (!strcmp(t, "InceptionD"))
        return branches(tp, idx, name, depth,
                        (const char *const *const[]){
                            CHAIN("branch3x3_1", "branch3x3_2"),
                            CHAIN("branch7x7x3_1", "branch7x7x3_2", "branch7x7x3_3",
                                  "branch7x7x3_4"),
                            CHAIN("@max"), NULL});
    /* InceptionE */
    return branches(tp, idx, name, depth,
                    (const char *const *const[]){
                        CHAIN("branch1x1"),
                        CHAIN("branch3x3_1", "|", "branch3x3_2a", "|", "branch3x3_2b"),
                        CHAIN("branch3x3dbl_1", "branch3x3dbl_2", "|", "branch3x3dbl_3a", "|",
                              "branch3x3dbl_3b"),
                        CHAIN("@avg", "branch_pool"), NULL});
}

/* SqueezeNet's Fire: cat(expand1x1(s), expand3x3(s)), s = squeeze(x). */
static int fire(tparser *tp, int idx, const char *name, int depth)
{
    static const char *const sq[] = {"squeeze", "squeeze_activation", NULL};
    static const char *const e1[] = {"expand1x1", "expand1x1_activation", NULL};
    static const char *const e3[] = {"expand3x3", "expand3x3_activation", NULL};
    int rc = run_list(tp, idx, sq, name, depth);
    long s = cur(tp), ends[2];
    if (rc || (rc = run_list(tp, idx, e1, name, depth)))
        return rc;
    ends[0] = cur(tp);
    if ((rc = route(tp, s, name, depth, idx, 1, 0)) || (rc = run_list(tp, idx, e3, name, depth)))
        return rc;
    ends[1] = cur(tp);
    return concat(tp, ends, 2, name, depth, idx);
}

/* DenseNet's _DenseBlock: every layer sees the concatenation of the
 * block's input and all earlier layers' outputs. */
static int dense_block(tparser *tp, int idx, const char *name, int depth)
{
    long c = cur(tp);
    for (int k = tp->nodes[idx].first_child; k >= 0; k = tp->nodes[k].next_sibling) {
        int rc = tt_walk(tp, k, name, depth + 1);
        long src[2] = {c, cur(tp)};
        if (rc || (rc = concat(tp, src, 2, name, depth, idx)))
            return rc;
        c = cur(tp);
    }
    return 0;
}

/* ShuffleNetV2's InvertedResidual: cat(branch1(x), branch2(x)) with a
 * stride, else cat(x1, branch2(x2)) for the two channel halves of x;
 * then the channels are shuffled in 2 groups. */
static int shuffle_unit(tparser *tp, int idx, const char *name, int depth)
{
    int b1 = child(tp, idx, "branch1"), b2 = child(tp, idx, "branch2"), rc;
    long x = cur(tp), ends[2];
    if (b1 >= 0 && tp->nodes[b1].is_container) {
        if ((rc = tt_walk(tp, b1, name, depth + 1)))
            return rc;
        ends[0] = cur(tp);
        if ((rc = route(tp, x, name, depth, idx, 1, 0)))
            return rc;
    } else {
        if ((rc = route(tp, x, name, depth, idx, 2, 0)))
            return rc;
        ends[0] = cur(tp);
        if ((rc = route(tp, x, name, depth, idx, 2, 1)))
            return rc;
    }
    if ((rc = tt_walk(tp, b2, name, depth + 1)))
        return rc;
    ends[1] = cur(tp);
    if ((rc = concat(tp, ends, 2, name, depth, idx)))
        return rc;
    /* forward() ends with channel_shuffle(out, 2) */
    cc_layer l;
    cc_layer_init(&l, CC_LAYER_MODULE);
    l.rule = CC_RULE_CHANNEL_SHUFFLE;
    l.rule_arg[0] = 2;
    return synth(tp, &l, name, "(channel_shuffle)", depth, idx);
}

/* Models whose forward() pools (and for DenseNet applies ReLU) as a
 * function before the child `before`. */
static int pooled_model(tparser *tp, int idx, const char *name, int depth, const char *before,
                        int relu)
{
    for (int k = tp->nodes[idx].first_child; k >= 0; k = tp->nodes[k].next_sibling) {
        int rc = 0;
        if (strcmp(tp->nodes[k].name, before) == 0) {
            cc_layer l;
            if (relu) {
                cc_layer_init(&l, CC_LAYER_RELU);
                rc = synth(tp, &l, name, "(relu)", depth, idx);
            }
            cc_layer_init(&l, CC_LAYER_GLOBAL_AVGPOOL);
            if (!rc)
                rc = synth(tp, &l, name, "(pool)", depth, idx);
        }
        if (rc || (rc = tt_walk(tp, k, name, depth + 1)))
            return rc;
    }
    return 0;
}

/* An auxiliary classifier with the poolings its forward() does as
 * functions: GoogLeNet's InceptionAux pools to 4x4 first; Inception v3's
 * pools 5x5 with stride 3, runs conv0 and conv1, then pools to 1x1. */
static int aux_head(tparser *tp, int c, const char *prefix, int depth)
{
    char name[96];
    snprintf(name, sizeof name, "%s%s%s", prefix, prefix[0] ? "." : "", tp->nodes[c].name);
    cc_layer l;
    int rc;
    if (child(tp, c, "conv0") < 0) {
        cc_layer_init(&l, CC_LAYER_ADAPTIVE_AVGPOOL);
        l.out_h = l.out_w = 4;
        return (rc = synth(tp, &l, name, "(adaptive_avg_pool2d)", depth, c)) ? rc
               : tt_walk_children(tp, c, name, depth + 1);
    }
    cc_layer_init(&l, CC_LAYER_AVGPOOL);
    l.kernel_h = l.kernel_w = 5;
    l.stride_h = l.stride_w = 3;
    static const char *const convs3[] = {"conv0", "conv1", NULL};
    static const char *const fc[] = {"fc", NULL};
    if ((rc = synth(tp, &l, name, "(avg_pool2d)", depth, c)) ||
        (rc = run_list(tp, c, convs3, name, depth + 1)))
        return rc;
    cc_layer_init(&l, CC_LAYER_GLOBAL_AVGPOOL);
    if ((rc = synth(tp, &l, name, "(adaptive_avg_pool2d)", depth, c)))
        return rc;
    return run_list(tp, c, fc, name, depth + 1);
}

/* GoogLeNet and Inception3 with their auxiliary classifiers: those run
 * only in training, from inception4a/4d (Mixed_6e); they are walked as a
 * side branch at the end whose operations are not counted (implied 3). */
static int with_aux(tparser *tp, int idx, const char *name, int depth)
{
    static const struct { const char *aux, *from; } at[] = {
        {"aux1", "inception4a"}, {"aux2", "inception4d"}, {"AuxLogits", "Mixed_6e"}};
    long out_of[3] = {-2, -2, -2};
    for (int k = tp->nodes[idx].first_child; k >= 0; k = tp->nodes[k].next_sibling) {
        int skip = 0;
        for (int a = 0; a < 3; a++)
            skip |= strcmp(tp->nodes[k].name, at[a].aux) == 0;
        if (skip)
            continue;
        int rc = tt_walk(tp, k, name, depth + 1);
        if (rc)
            return rc;
        for (int a = 0; a < 3; a++)
            if (strcmp(tp->nodes[k].name, at[a].from) == 0)
                out_of[a] = cur(tp);
    }
    long end = cur(tp);
    int any = 0;
    for (int a = 0; a < 3; a++) {
        int c = child(tp, idx, at[a].aux);
        if (c < 0 || out_of[a] == -2)
            continue;
        size_t before = tp->s->n;
        int rc = route(tp, out_of[a], name, depth, idx, 1, 0);
        if (!rc)
            rc = aux_head(tp, c, name, depth);
        if (rc)
            return rc;
        for (size_t i = before; i < tp->s->n; i++)
            tp->s->layers[i].implied = 3;
        any = 1;
    }
    return any ? route(tp, end, name, depth, idx, 1, 0) : 0;
}

int tt_flow(tparser *tp, int idx, const char *name, int depth, int *handled)
{
    const char *t = tp->nodes[idx].type;
    *handled = 1;
    if (!strcmp(t, "BasicBlock") || !strcmp(t, "Bottleneck"))
        return child(tp, idx, "conv1") >= 0
                   ? resnet_block(tp, idx, name, depth, !strcmp(t, "Bottleneck"))
                   : (*handled = 0);
    if (!strcmp(t, "InvertedResidual") && child(tp, idx, "branch2") >= 0)
        return shuffle_unit(tp, idx, name, depth);
    if (!strcmp(t, "InvertedResidual") || !strcmp(t, "_InvertedResidual") ||
        (!strcmp(t, "MBConv") && child(tp, idx, "proj") < 0) || !strcmp(t, "FusedMBConv"))
        return inverted_residual(tp, idx, name, depth);
    if (!strcmp(t, "SqueezeExcitation") && child(tp, idx, "fc2") >= 0)
        return squeeze_excitation(tp, idx, name, depth);
    if (!strcmp(t, "ResBottleneckBlock"))
        return regnet_block(tp, idx, name, depth);
    if (!strcmp(t, "CNBlock"))
        return cn_block(tp, idx, name, depth, handled);
    if (!strcmp(t, "Inception") || !strcmp(t, "InceptionA") || !strcmp(t, "InceptionB") ||
        !strcmp(t, "InceptionC") || !strcmp(t, "InceptionD") || !strcmp(t, "InceptionE"))
        return inception(tp, idx, name, depth, t);
    if (!strcmp(t, "Fire"))
        return fire(tp, idx, name, depth);
    if (!strcmp(t, "_DenseBlock"))
        return dense_block(tp, idx, name, depth);
    if (!strcmp(t, "DenseNet"))
        return pooled_model(tp, idx, name, depth, "classifier", 1);
    if (!strcmp(t, "MobileNetV2") || !strcmp(t, "MNASNet"))
        return pooled_model(tp, idx, name, depth, "classifier", 0);
    if (!strcmp(t, "ShuffleNetV2"))
        return pooled_model(tp, idx, name, depth, "fc", 0);
    if (!strcmp(t, "GoogLeNet") || !strcmp(t, "Inception3"))
        return with_aux(tp, idx, name, depth);
    *handled = 0;
    return 0;
}

/* The helpers above, for import_torch_vit.c. */
int tt_child(const tparser *tp, int idx, const char *name)
{
    return child(tp, idx, name);
}

long tt_cur(const tparser *tp)
{
    return cur(tp);
}

int tt_synth(tparser *tp, cc_layer *l, const char *name, const char *what, int depth, int idx)
{
    return synth(tp, l, name, what, depth, idx);
}

int tt_route(tparser *tp, long from, const char *name, int depth, int idx)
{
    return route(tp, from, name, depth, idx, 1, 0);
}

int tt_join(tparser *tp, long from, const char *name, int depth, int idx)
{
    return join(tp, CC_LAYER_ADD, from, name, depth, idx);
}

int tt_run_list(tparser *tp, int idx, const char *const *names, const char *name, int depth)
{
    return run_list(tp, idx, names, name, depth);
}

void tt_convs(tparser *tp, int idx, int *strided, long *first_in, long *last_out)
{
    convs(tp, idx, strided, first_in, last_out);
}

int tt_concat(tparser *tp, const long *src, int n, const char *name, int depth, int idx)
{
    return concat(tp, src, n, name, depth, idx);
}

int tt_mul(tparser *tp, long from, const char *name, int depth, int idx)
{
    return join(tp, CC_LAYER_MUL, from, name, depth, idx);
}
