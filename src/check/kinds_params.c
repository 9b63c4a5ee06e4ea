/* kinds_params.c - the params kind: the count of every layer as a formula
 * with its numbers (ex_lcalc), the total, and the totals the catalogue's
 * rules give when applied to every layer of the stack (one rule, or a pair),
 * with the student's computation quoted at the first layer where it departs. */
#include "kinds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t ex_lcalc_eval(const ex_lcalc *c)
{
    int64_t kk = c->kh * c->kw;
    switch (c->kind) {
    case LC_CONV: {
        int64_t cin = c->no_cin ? 1 : c->cin / c->groups;
        int64_t b = c->bias ? (c->bias_per_in ? c->cin * c->cout : c->cout) : 0;
        return kk * cin * c->cout + b;
    }
    case LC_LINEAR: return c->n_in * c->cout + (c->bias ? c->cout : 0);
    case LC_BN: return c->per_channel * c->cout;
    case LC_POOL:
        switch (c->pool_rule) {
        case 1: return (kk + 1) * c->cout;
        case 2: return 2 * c->cout;
        case 3: return kk * c->cout;
        case 4: return kk;
        case 5: return kk + 1;
        case 6: return (kk * c->cout + 1) * c->cout;
        default: return 0;
        }
    default: return c->other;
    }
}

void ex_lcalc_print(cc_buf *b, const ex_lcalc *c)
{
    long long kh = (long long)c->kh, kw = (long long)c->kw, co = (long long)c->cout;
    switch (c->kind) {
    case LC_CONV:
        if (c->bias && c->bias_per_in)
            cc_buf_printf(b, "(%lld*%lld + 1) * %lld * %lld", kh, kw, (long long)c->cin, co);
        else if (c->no_cin)
            cc_buf_printf(b, c->bias ? "(%lld*%lld + 1) * %lld" : "%lld*%lld * %lld", kh, kw, co);
        else
            cc_buf_printf(b, c->bias ? "(%lld*%lld*%lld + 1) * %lld" : "%lld*%lld*%lld * %lld",
                          kh, kw, (long long)(c->cin / c->groups), co);
        break;
    case LC_LINEAR:
        cc_buf_printf(b, c->bias ? "(%lld + 1) * %lld" : "%lld * %lld", (long long)c->n_in, co);
        break;
    case LC_BN: cc_buf_printf(b, "%lld * %lld", (long long)c->per_channel, co); break;
    case LC_POOL:
        switch (c->pool_rule) {
        case 1: cc_buf_printf(b, "(%lld*%lld + 1) * %lld", kh, kw, co); break;
        case 2: cc_buf_printf(b, "2 * %lld", co); break;
        case 3: cc_buf_printf(b, "%lld*%lld * %lld", kh, kw, co); break;
        case 4: cc_buf_printf(b, "%lld*%lld", kh, kw); break;
        case 5: cc_buf_printf(b, "%lld*%lld + 1", kh, kw); break;
        case 6: cc_buf_printf(b, "(%lld*%lld*%lld + 1) * %lld", kh, kw, co, co); break;
        default: cc_buf_puts(b, "0"); return;
        }
        break;
    default: break;
    }
    cc_buf_printf(b, c->kind == LC_OTHER ? "%lld" : " = %lld", (long long)ex_lcalc_eval(c));
}

/* The computation of layer l's count; LC_OTHER (its count as is) where the
 * model does not give the library's own count. */
static void lcalc_of(ex_lcalc *c, const cc_layer *l)
{
    memset(c, 0, sizeof *c);
    c->other = l->counts.params > 0 ? l->counts.params : 0;
    c->groups = 1;
    switch (l->kind) {
    case CC_LAYER_CONV:
        c->kind = LC_CONV;
        c->kh = l->kernel_h;
        c->kw = l->kernel_w;
        c->cin = l->in.rank ? l->in.c : l->in_channels;
        c->cout = l->filters;
        c->groups = l->groups > 0 ? l->groups : 1;
        c->bias = l->bias != 0;
        break;
    case CC_LAYER_LINEAR:
        c->kind = LC_LINEAR;
        c->n_in = l->in_features ? l->in_features
                  : l->in.rank == 3 ? (int64_t)l->in.c * l->in.h * l->in.w
                                    : l->in.c;
        c->cout = l->out_features;
        c->bias = l->bias != 0;
        break;
    case CC_LAYER_BATCHNORM1D:
    case CC_LAYER_BATCHNORM2D:
        c->kind = LC_BN;
        c->per_channel = l->affine ? 2 : 0;
        c->cout = l->in.rank ? l->in.c : l->num_features;
        break;
    case CC_LAYER_MAXPOOL:
    case CC_LAYER_AVGPOOL:
        if (l->in.rank != 3)
            return;
        c->kind = LC_POOL;
        c->kh = l->kernel_h;
        c->kw = l->kernel_w;
        c->cout = l->in.c;
        break;
    default: return;
    }
    if (ex_lcalc_eval(c) != c->other || l->frozen) {
        int64_t other = c->other;
        memset(c, 0, sizeof *c);
        c->other = other;
        c->groups = 1;
    }
}

static int64_t lcalc_total(const ex_lcalc *c, size_t n)
{
    int64_t t = 0;
    for (size_t i = 0; i < n; i++)
        t += ex_lcalc_eval(&c[i]);
    return t;
}

/* "conv1: (5*5 + 1) * 3 * 32 = 2496, but a filter has one bias: (5*5*3 + 1)
 * * 32 = 2432" at the first layer where got departs from want; the "but"
 * names the mistakes (of m[0..nm-1], variants v) that change that layer. */
static void params_quote(ex_alt *a, const cc_stack *s, const ex_lcalc *want, const ex_lcalc *got,
                         const int *m, const int *v, int nm, ex_lcalc *tmp)
{
    for (size_t i = 0; i < s->n; i++) {
        if (ex_lcalc_eval(&want[i]) == ex_lcalc_eval(&got[i]))
            continue;
        ex_mask here = 0;
        for (int k = 0; k < nm; k++) {
            memcpy(tmp, want, s->n * sizeof *tmp);
            if (ex_mistake((cc_mistake)m[k])->layers(s, tmp, v[k]) > 0 &&
                ex_lcalc_eval(&tmp[i]) != ex_lcalc_eval(&want[i]))
                here |= EX_BIT(m[k]);
        }
        cc_buf q = {0};
        const cc_layer *l = &s->layers[i];
        if (l->name[0])
            cc_buf_printf(&q, "%s: ", l->name);
        else
            cc_buf_printf(&q, "layer %zu: ", i + 1);
        ex_lcalc_print(&q, &got[i]);
        ex_quote_but(&q, here ? here : a->mask);
        cc_buf_puts(&q, ": ");
        ex_lcalc_print(&q, &want[i]);
        snprintf(a->quote, sizeof a->quote, "%s", cc_buf_str(&q));
        cc_buf_free(&q);
        return;
    }
}

/* Every rule of the catalogue that changes layer counts, alone and in
 * pairs, applied to every layer. */
static int params_alts(ex_expect *e, const cc_stack *s)
{
    size_t n = s->n;
    ex_lcalc *base = calloc(n, sizeof *base), *c = calloc(n, sizeof *c);
    ex_lcalc *d = calloc(n, sizeof *d), *tmp = calloc(n, sizeof *tmp);
    if (!base || !c || !d || !tmp) {
        free(base);
        free(c);
        free(d);
        free(tmp);
        return CC_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        lcalc_of(&base[i], &s->layers[i]);
    const ex_mistake_def *cat = ex_mistakes();
    for (int a = 1; a < CC_MISTAKE_COUNT; a++) {
        if (!cat[a].layers || !(cat[a].kinds & EX_KIND_BIT(CC_EX_PARAMS)))
            continue;
        for (int va = 0; va < 8; va++) {
            memcpy(c, base, n * sizeof *c);
            int r = cat[a].layers(s, c, va);
            if (r < 0)
                break;
            if (!r)
                continue;
            for (int b = a; b < CC_MISTAKE_COUNT; b++) {
                if (b != a && (!cat[b].layers || !(cat[b].kinds & EX_KIND_BIT(CC_EX_PARAMS))))
                    continue;
                for (int vb = 0; vb < 8; vb++) {
                    memcpy(d, c, n * sizeof *d);
                    if (b != a) {
                        int r2 = cat[b].layers(s, d, vb);
                        if (r2 < 0)
                            break;
                        if (!r2)
                            continue;
                    }
                    int ms[2] = {a, b}, vs[2] = {va, vb};
                    ex_alt *alt = ex_add_count_alt(e, EX_BIT(a) | EX_BIT(b), lcalc_total(d, n));
                    if (alt)
                        params_quote(alt, s, base, d, ms, vs, b == a ? 1 : 2, tmp);
                    if (b == a)
                        break;
                }
            }
        }
    }
    free(base);
    free(c);
    free(d);
    free(tmp);
    return 0;
}

int ex_solve_params(ex_expect *e, const ex_problem *p, cc_error *err)
{
    int rc = ex_stack_of(&e->stack, p, err);
    if (rc)
        return rc;
    cc_stack *s = e->stack;
    cc_stack_totals t;
    cc_stack_totals_get(s, 0, &t);
    if (t.total_params < 0)
        return cc_error_at(err, CC_EINVAL, p->line, 1,
                           "problem %s: the parameter count needs the input size (give 'input:')",
                           p->id);
    e->type = ANS_COUNT;
    e->count = t.total_params;
    int first = 1;
    cc_buf sum = {0};
    for (size_t i = 0; i < s->n; i++) {
        const cc_layer *l = &s->layers[i];
        if (l->counts.params > 0) {
            ex_stack_layer_line(&e->steps, l, i);
            cc_buf_puts(&e->steps, ": ");
            cc_layer_param_formula(&e->steps, l, 0);
            cc_buf_putc(&e->steps, '\n');
            cc_buf_printf(&sum, first ? "%lld" : " + %lld", (long long)l->counts.params);
            first = 0;
        }
    }
    if (first)
        cc_buf_puts(&sum, "0");
    cc_buf_printf(&e->steps, "total: %s = %lld parameters\n", cc_buf_str(&sum),
                  (long long)e->count);
    cc_buf_free(&sum);
    if (params_alts(e, s))
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    return 0;
}
