/* svg_stack_fold.c - the boxes of a network diagram: one block per
 * feature map, and the folding that keeps a large network legible on one
 * 16:9 slide (repeated units drawn once with their count, modules as one
 * box, runs of boxes merged as the last resort). */
#include <stdio.h>
#include <string.h>

#include "convcalc/svg.h"
#include "stack_priv.h"
#include "svg_stack_priv.h"

/* Layers that keep their input's shape and only decorate the block
 * before them (they are listed under it). */
static int decorates(const cc_layer *l)
{
    return cc_layer_elementwise(l->kind) || l->kind == CC_LAYER_BATCHNORM1D ||
           l->kind == CC_LAYER_BATCHNORM2D || l->kind == CC_LAYER_SOFTMAX;
}

static int role_of(const cc_layer *l)
{
    switch (l->kind) {
    case CC_LAYER_CONV: return CC_SVG_SKY;
    case CC_LAYER_MAXPOOL:
    case CC_LAYER_AVGPOOL:
    case CC_LAYER_GLOBAL_AVGPOOL:
    case CC_LAYER_ADAPTIVE_AVGPOOL: return CC_SVG_ORANGE;
    case CC_LAYER_LINEAR: return CC_SVG_GREEN;
    case CC_LAYER_ADD:
    case CC_LAYER_MUL:
    case CC_LAYER_CONCAT: return CC_SVG_PURPLE;
    case CC_LAYER_FLATTEN: return CC_SVG_YELLOW;
    default: return CC_SVG_SHADE;
    }
}

/* FNV-1a */
static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ c[i]) * 1099511628211ULL;
    return h;
}

static uint64_t mix_long(uint64_t h, long v) { return mix(h, &v, sizeof v); }

/* What layer i is, without the channel counts it was given (they grow
 * along a DenseNet block) and with its references relative to i. */
static uint64_t layer_sig(uint64_t h, const cc_stack *s, size_t i, cc_buf *tmp)
{
    cc_layer c = s->layers[i];
    c.in_channels = 0;
    c.num_features = 0;
    c.in_features = 0;
    c.from = 0;
    c.n_sources = 0;
    c.fixed_params = 0;
    c.fixed_buffers = 0;
    cc_buf_reset(tmp);
    cc_layer_describe(tmp, &c);
    cc_buf_puts(tmp, c.type);
    h = mix(h, cc_buf_str(tmp), tmp->len);
    const cc_layer *l = &s->layers[i];
    if (l->kind == CC_LAYER_ADD || l->kind == CC_LAYER_MUL)
        h = mix_long(h, l->from == CC_FROM_INPUT ? -1 : (long)i - l->from);
    if (l->kind == CC_LAYER_CONCAT)
        for (int k = 0; k < l->n_sources && k < CC_CONCAT_MAX; k++)
            h = mix_long(h, l->sources[k] == CC_FROM_INPUT ? -1 : (long)i - l->sources[k]);
    return h;
}

size_t svg_blocks(svg_block *bs, const cc_stack *st)
{
    size_t nb = 1;
    bs[0] = (svg_block){(size_t)-1, (size_t)-1, st->input, 0, CC_SVG_SHADE, 0, 1};
    cc_buf tmp = {0};
    for (size_t i = 0; i < st->n; i++) {
        const cc_layer *l = &st->layers[i];
        svg_block *prev = &bs[nb - 1];
        int same = l->out.rank == 0 || (l->out.rank == prev->shape.rank &&
                                         l->out.c == prev->shape.c && l->out.h == prev->shape.h &&
                                         l->out.w == prev->shape.w);
        if (decorates(l) && nb > 1 && same) {
            prev->last = i;
            if (prev->params >= 0)
                prev->params = l->counts.params < 0 ? -1 : prev->params + l->counts.params;
            prev->sig = layer_sig(prev->sig, st, i, &tmp);
            continue;
        }
        bs[nb++] = (svg_block){i, i, l->out, l->counts.params, role_of(l),
                               l->kind == CC_LAYER_CONV ? l->filters : 0,
                               layer_sig(14695981039346656037ULL, st, i, &tmp)};
    }
    cc_buf_free(&tmp);
    return nb;
}

/* ---- folding -------------------------------------------------------------- */
static uint64_t range_sig(const svg_block *bs, size_t b0, size_t b1, long reps)
{
    uint64_t h = mix_long(14695981039346656037ULL, reps);
    for (size_t b = b0; b < b1; b++)
        h = mix(h, &bs[b].sig, sizeof bs[b].sig);
    return h;
}

static int same_run(const svg_item *it, size_t a, size_t b, size_t p)
{
    for (size_t k = 0; k < p; k++)
        if (it[a + k].sig != it[b + k].sig)
            return 0;
    return 1;
}

/* The longest run of k >= 2 equal consecutive units of p items (p up to
 * 16) that starts at item i: the one covering most items, the shorter unit
 * on a tie. Returns p * k (0: none). */
static size_t best_run(const svg_item *it, size_t n, size_t i, size_t *bp, size_t *bk)
{
    size_t best_p = 0, best_k = 1;
    for (size_t p = 1; p <= 16 && i + 2 * p <= n; p++) {
        size_t k = 1;
        while (i + (k + 1) * p <= n && same_run(it, i, i + k * p, p))
            k++;
        if (k >= 2 && p * k > best_p * best_k) {
            best_p = p;
            best_k = k;
        }
    }
    *bp = best_p;
    *bk = best_k;
    return best_k >= 2 ? best_p * best_k : 0;
}

/* Fold every run of equal consecutive units into one REPEAT item, scanning
 * from the start; a run is not taken when one starting within its next 16
 * items covers more (a stem that looks like a unit's first layer must not
 * shift the units out of step). Item 0 (the input) stays. */
static size_t fold_repeats(svg_item *it, size_t n, const svg_block *bs)
{
    size_t out = n ? 1 : 0;
    for (size_t i = 1; i < n;) {
        size_t best_p, best_k, bp, bk;
        size_t cov = best_run(it, n, i, &best_p, &best_k);
        for (size_t j = i + 1; cov && j < i + cov && j <= i + 16; j++)
            if (best_run(it, n, j, &bp, &bk) > cov)
                cov = 0;
        if (!cov) {
            it[out++] = it[i++];
            continue;
        }
        svg_item r = {0};
        r.how = SVG_ITEM_REPEAT;
        r.b0 = it[i].b0;
        r.b1 = it[i + best_p * best_k - 1].b1;
        r.unit_b1 = it[i + best_p - 1].b1;
        r.reps = (long)best_k;
        r.unit_how = best_p == 1 ? it[i].how : SVG_ITEM_ONE;
        memcpy(r.label, it[i].label, sizeof r.label);
        r.sig = range_sig(bs, r.b0, r.b1, r.reps);
        it[out++] = r;
        i += best_p * best_k;
    }
    return out;
}

/* The first d dotted parts of the name of block b's main layer ("" for
 * the input); returns how many parts the name has. */
static int name_prefix(char *dst, size_t cap, const cc_stack *s, const svg_block *b, int d)
{
    dst[0] = '\0';
    if (b->first == (size_t)-1)
        return 0;
    const char *name = s->layers[b->first].name;
    int parts = name[0] ? 1 : 0;
    size_t cut = strlen(name);
    int seen = 0;
    for (size_t k = 0; name[k]; k++)
        if (name[k] == '.') {
            parts++;
            if (++seen == d && cut == strlen(name))
                cut = k;
        }
    snprintf(dst, cap, "%.*s", (int)cut, name);
    return parts;
}

static size_t one_per_block(svg_item *it, const svg_block *bs, size_t nb)
{
    for (size_t b = 0; b < nb; b++)
        it[b] = (svg_item){.b0 = b, .b1 = b + 1, .how = SVG_ITEM_ONE, .reps = 1,
                           .unit_b1 = b + 1, .sig = bs[b].sig};
    return nb;
}

/* Blocks whose names share the first d parts as one MODULE item. */
static size_t by_module(svg_item *it, const svg_block *bs, size_t nb, const cc_stack *s, int d)
{
    size_t n = 0;
    char cur[96], pre[96];
    for (size_t b = 0; b < nb; b++) {
        int parts = name_prefix(pre, sizeof pre, s, &bs[b], d);
        if (n > 0 && parts > d && it[n - 1].how == SVG_ITEM_MODULE && strcmp(cur, pre) == 0) {
            it[n - 1].b1 = b + 1;
            it[n - 1].unit_b1 = b + 1;
            continue;
        }
        it[n] = (svg_item){.b0 = b, .b1 = b + 1, .reps = 1, .unit_b1 = b + 1,
                           .how = parts > d ? SVG_ITEM_MODULE : SVG_ITEM_ONE};
        if (parts > d) {
            memcpy(cur, pre, sizeof cur);
            memcpy(it[n].label, pre, sizeof it[n].label);
        }
        n++;
    }
    for (size_t k = 0; k < n; k++) {
        if (it[k].how == SVG_ITEM_MODULE && it[k].b1 == it[k].b0 + 1)
            it[k].how = SVG_ITEM_ONE; /* a module of one block is that block */
        it[k].sig = it[k].how == SVG_ITEM_ONE ? bs[it[k].b0].sig
                                              : range_sig(bs, it[k].b0, it[k].b1, 0);
    }
    return n;
}

size_t svg_fold(svg_item *it, const svg_block *bs, size_t nb, const cc_stack *s, int *rule)
{
    size_t n = one_per_block(it, bs, nb);
    *rule = SVG_ITEM_ONE;
    if (n <= SVG_MAX_ITEMS)
        return n;
    *rule = SVG_ITEM_REPEAT;
    n = fold_repeats(it, n, bs);
    if (n <= SVG_MAX_ITEMS)
        return n;
    int depth = 0;
    char pre[96];
    for (size_t b = 0; b < nb; b++) {
        int parts = name_prefix(pre, sizeof pre, s, &bs[b], 0);
        depth = parts > depth ? parts : depth;
    }
    *rule = SVG_ITEM_MODULE;
    for (int d = depth - 1; d >= 1; d--) {
        n = fold_repeats(it, by_module(it, bs, nb, s, d), bs);
        if (n <= SVG_MAX_ITEMS)
            return n;
    }
    /* the last resort: runs of consecutive items, as even as they come */
    *rule = SVG_ITEM_RUN;
    size_t per = (n - 1 + SVG_MAX_ITEMS - 2) / (SVG_MAX_ITEMS - 1), m = 1;
    for (size_t i = 1; i < n; i += per) {
        size_t j = i + per < n ? i + per : n;
        if (j == i + 1) {
            it[m++] = it[i];
            continue;
        }
        svg_item r = {.b0 = it[i].b0, .b1 = it[j - 1].b1, .how = SVG_ITEM_RUN, .reps = 1};
        r.unit_b1 = r.b1;
        it[m++] = r;
    }
    return m;
}
