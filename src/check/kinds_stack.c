/* kinds_stack.c - the stack kinds (stack-shape, params, macs,
 * receptive-field): the answer from the layer stack, layer by layer, and
 * the values the catalogue's rules give when applied to every layer. */
#include "kinds.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/arith.h"

/* ---- the stack kinds ---------------------------------------------------------- */

int ex_stack_of(cc_stack **out, const ex_problem *p, cc_error *err)
{
    *out = NULL;
    const ex_param *pr = ex_param_find(p, "stack");
    const char *text = pr->value;
    cc_error e2;
    cc_error_clear(&e2);
    cc_stack *s = NULL;
    int rc = cc_stack_parse(&s, text, strlen(text), CC_SOURCE_AUTO, &e2);
    if (!rc && ex_param_find(p, "input")) {
        cc_shape sh;
        const ex_param *ip = ex_param_find(p, "input");
        rc = cc_shape_parse(ip->value, &sh, &e2);
        if (rc) {
            cc_stack_free(s);
            return ex_param_error(err, rc, ip, 0, 0, "input: %s (expected HxWxC)", e2.msg);
        }
        rc = cc_stack_set_input(s, sh.rank == 3 ? sh.h : 0, sh.rank == 3 ? sh.w : 0, sh.c, &e2);
    }
    if (!rc)
        rc = cc_stack_infer(s, &e2);
    if (rc) {
        cc_stack_free(s);
        return ex_param_error(err, rc, pr, e2.line, e2.col, "stack of problem %s: %s", p->id,
                              e2.msg);
    }
    if (s->n == 0) {
        cc_stack_free(s);
        return ex_param_error(err, CC_EINVAL, pr, 0, 0, "the stack of problem %s has no layers",
                              p->id);
    }
    *out = s;
    return 0;
}

static int read_stack(ex_expect *e, const ex_problem *p, cc_error *err)
{
    return ex_stack_of(&e->stack, p, err);
}

int ex_is_pool(const cc_layer *l)
{
    return l->kind == CC_LAYER_MAXPOOL || l->kind == CC_LAYER_AVGPOOL;
}

long ex_layer_stride(const cc_layer *l, int w)
{
    long s = w ? l->stride_w : l->stride_h;
    if (s == 0)
        s = w ? l->kernel_w : l->kernel_h;
    return s;
}

void ex_stack_layer_line(cc_buf *b, const cc_layer *l, size_t i)
{
    cc_buf_printf(b, "%zu. ", i + 1);
    if (l->name[0])
        cc_buf_printf(b, "%s (", l->name);
    cc_layer_describe(b, l);
    if (l->name[0])
        cc_buf_puts(b, ")");
}

/* The output height and width of stack s as a student computes them with
 * variant v of mistake m on every convolution and pooling layer; the first
 * layer where the result departs is quoted into q. Returns 1 when the rule
 * changed something, 0 when it does not apply, -1 when there is no variant
 * v or the chain has layers no rule models. */
static int shape_chain(const cc_stack *s, cc_mistake m, int v, long out[2], cc_buf *q)
{
    long hw[2] = {s->input.h, s->input.w};
    int changed = 0, quoted = 0;
    if (s->input.rank != 3)
        return -1;
    for (size_t i = 0; i < s->n; i++) {
        const cc_layer *l = &s->layers[i];
        if (l->out.rank != 3)
            return -1;
        if (l->kind != CC_LAYER_CONV && !ex_is_pool(l)) {
            if (l->out.h != l->in.h || l->out.w != l->in.w)
                return -1;
            continue;
        }
        for (int d = 0; d < 2; d++) {
            ex_sizecalc c = {ex_is_pool(l) ? CC_EX_POOL_SIZE : CC_EX_OUTPUT_SIZE,
                             hw[d],
                             d ? l->kernel_w : l->kernel_h,
                             ex_layer_stride(l, d),
                             d ? l->pad_left : l->pad_top,
                             d ? l->pad_right : l->pad_bottom,
                             d ? l->dilation_w : l->dilation_h,
                             0,
                             l->ceil_mode,
                             1};
            if (c.d < 1)
                c.d = 1;
            ex_sizecalc right = c;
            int r = ex_size_rule(m, &c, v);
            if (r < 0)
                return -1;
            changed |= r;
            long o = ex_size_eval(&c);
            if (o < 1)
                return -1;
            long want = d ? l->out.w : l->out.h;
            if (o != want && !quoted) {
                right.in = d ? l->in.w : l->in.h;
                cc_buf_printf(q, "%s: %s", l->name[0] ? l->name : cc_layer_kind_name(l->kind),
                              d ? "width " : "height ");
                ex_size_print(q, &c);
                ex_quote_but(q, EX_BIT(m));
                cc_buf_puts(q, ": ");
                ex_size_print(q, &right);
                quoted = 1;
            }
            hw[d] = o;
        }
    }
    out[0] = hw[0];
    out[1] = hw[1];
    return changed;
}

int ex_solve_stack_shape(ex_expect *e, const ex_problem *p, cc_error *err)
{
    int rc = read_stack(e, p, err);
    if (rc)
        return rc;
    cc_stack *s = e->stack;
    if (s->shapes != CC_SHAPES_SEQUENTIAL && s->shapes != CC_SHAPES_ASSUMED)
        return cc_error_at(err, CC_EINVAL, p->line, 1,
                           "problem %s: the stack's shapes cannot be inferred (%s; give an "
                           "input size)", p->id, s->shape_note[0] ? s->shape_note : "no input");
    cc_buf_puts(&e->steps, "input: ");
    cc_shape_format(&e->steps, &s->input);
    cc_buf_puts(&e->steps, " (channels x height x width)\n");
    for (size_t i = 0; i < s->n; i++) {
        const cc_layer *l = &s->layers[i];
        ex_stack_layer_line(&e->steps, l, i);
        cc_buf_puts(&e->steps, ": ");
        cc_shape_format(&e->steps, &l->in);
        cc_buf_puts(&e->steps, " -> ");
        cc_shape_format(&e->steps, &l->out);
        if ((l->kind == CC_LAYER_CONV || ex_is_pool(l)) && l->in.rank == 3) {
            long eh = l->dilation_h * (l->kernel_h - 1) + 1;
            cc_buf_printf(&e->steps, "   %s((%ld + %ld + %ld - %ld) / %ld) + 1 = %ld",
                          l->ceil_mode ? "ceil" : "floor", l->in.h, l->pad_top, l->pad_bottom, eh,
                          ex_layer_stride(l, 0), l->out.h);
            if (l->out.w != l->out.h || l->in.w != l->in.h)
                cc_buf_printf(&e->steps, " (height), width %ld", l->out.w);
        }
        cc_buf_putc(&e->steps, '\n');
    }
    const cc_shape *o = &s->layers[s->n - 1].out;
    e->type = ANS_SIZE;
    if (o->rank == 3) {
        e->n = 3;
        e->v[0] = o->h;
        e->v[1] = o->w;
        e->v[2] = o->c;
        cc_buf_printf(&e->steps, "so the output is %ld x %ld x %ld (height x width x channels)\n",
                      o->h, o->w, o->c);
    } else {
        e->n = 1;
        e->v[0] = o->c;
        cc_buf_printf(&e->steps, "so the output is a vector of %ld values\n", o->c);
        return 0;
    }
    /* the chain again with each rule of the catalogue applied to every
     * convolution and pooling layer */
    for (int m = 1; m < CC_MISTAKE_COUNT; m++) {
        const ex_mistake_def *md = ex_mistake((cc_mistake)m);
        if (!md->size || !(md->kinds & EX_KIND_BIT(CC_EX_STACK_SHAPE)))
            continue;
        for (int v = 0; v < 8; v++) {
            long hw[2];
            cc_buf q = {0};
            int r = shape_chain(s, (cc_mistake)m, v, hw, &q);
            if (r > 0) {
                long vv[3] = {hw[0], hw[1], o->c};
                ex_alt *alt = ex_add_size_alt(e, EX_BIT(m), 3, vv);
                if (alt)
                    snprintf(alt->quote, sizeof alt->quote, "%s", cc_buf_str(&q));
            }
            cc_buf_free(&q);
            if (r < 0)
                break;
        }
    }
    if (o->h != o->w) {
        long v[3] = {o->w, o->h, o->c};
        ex_add_size_alt(e, EX_BIT(CC_MISTAKE_HEIGHT_WIDTH_SWAPPED), 3, v);
    }
    return 0;
}

int ex_solve_macs(ex_expect *e, const ex_problem *p, cc_error *err)
{
    int rc = read_stack(e, p, err);
    if (rc)
        return rc;
    cc_stack *s = e->stack;
    cc_stack_totals t;
    cc_stack_totals_get(s, 0, &t);
    if (t.macs < 0)
        return cc_error_at(err, CC_EINVAL, p->line, 1,
                           "problem %s: counting MACs needs every shape (give 'input:')", p->id);
    e->type = ANS_COUNT;
    e->count = t.macs;
    int first = 1;
    int64_t outputs = 0;
    cc_buf sum = {0};
    for (size_t i = 0; i < s->n; i++) {
        const cc_layer *l = &s->layers[i];
        if (l->counts.macs <= 0)
            continue;
        ex_stack_layer_line(&e->steps, l, i);
        if (l->kind == CC_LAYER_CONV)
            cc_buf_printf(&e->steps, ": %ld x %ld outputs x %ld filters x (%ld*%ld*%ld) = %lld\n",
                          l->out.h, l->out.w, l->out.c, l->kernel_h, l->kernel_w,
                          l->in.c / (l->groups > 0 ? l->groups : 1),
                          (long long)l->counts.macs);
        else
            cc_buf_printf(&e->steps, ": %lld\n", (long long)l->counts.macs);
        cc_buf_printf(&sum, first ? "%lld" : " + %lld", (long long)l->counts.macs);
        first = 0;
        outputs += l->counts.activations > 0 ? l->counts.activations : 0;
    }
    if (!first)
        cc_buf_printf(&e->steps, "total: %s = %lld MACs\n", cc_buf_str(&sum), (long long)e->count);
    cc_buf_free(&sum);
    ex_add_count_alt(e, EX_BIT(CC_MISTAKE_MACS_AS_FLOPS), 2 * e->count);
    if (t.flops >= 0)
        ex_add_count_alt(e, EX_BIT(CC_MISTAKE_MACS_AS_FLOPS), t.flops);
    if (outputs)
        ex_add_count_alt(e, EX_BIT(CC_MISTAKE_MACS_AS_FLOPS), 2 * e->count + outputs);
    return 0;
}

/* The receptive field after layer `upto` of chain c along dimension d,
 * as the chain's rules compute it; the step of that layer into b. */
static long rf_eval(const ex_rfchain *c, int d, size_t upto, cc_buf *b)
{
    long r = c->sum_kernels ? 0 : 1, j = 1;
    for (size_t i = 0; i <= upto && i < c->n; i++) {
        const ex_rflayer *l = &c->l[i];
        long eff = l->d[d] * (l->k[d] - 1) + 1, before = r;
        r += c->sum_kernels ? eff : (eff - 1) * j;
        if (b && i == upto) {
            if (c->sum_kernels)
                cc_buf_printf(b, "r = %ld + %ld = %ld", before, eff, r);
            else
                cc_buf_printf(b, "r = %ld + (%ld - 1)*%ld = %ld", before, eff, j, r);
        }
        if (!c->no_jump)
            j *= l->s[d];
    }
    if (upto + 1 >= c->n) {
        if (b && c->plus)
            cc_buf_printf(b, ", %+ld = %ld", c->plus, r + c->plus);
        r += c->plus;
    }
    return r;
}

/* Every rule of the catalogue for receptive fields, alone and in pairs,
 * applied to the chain of convolution and pooling layers. */
static int rf_alts(ex_expect *e, const cc_stack *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        n += s->layers[i].kind == CC_LAYER_CONV || ex_is_pool(&s->layers[i]);
    if (n == 0)
        return 0;
    ex_rflayer *base = calloc(n, sizeof *base), *c1 = calloc(n, sizeof *c1);
    ex_rflayer *c2 = calloc(n, sizeof *c2);
    if (!base || !c1 || !c2) {
        free(base);
        free(c1);
        free(c2);
        return CC_ENOMEM;
    }
    n = 0;
    for (size_t i = 0; i < s->n; i++) {
        const cc_layer *l = &s->layers[i];
        if (l->kind != CC_LAYER_CONV && !ex_is_pool(l))
            continue;
        for (int d = 0; d < 2; d++) {
            base[n].k[d] = d ? l->kernel_w : l->kernel_h;
            base[n].s[d] = ex_layer_stride(l, d);
            base[n].d[d] = d ? l->dilation_w : l->dilation_h;
            if (base[n].d[d] < 1)
                base[n].d[d] = 1;
        }
        base[n++].layer = i;
    }
    ex_rfchain want = {n, base, 0, 0, 0};
    const ex_mistake_def *cat = ex_mistakes();
    for (int a = 1; a < CC_MISTAKE_COUNT; a++) {
        if (!cat[a].rf || !(cat[a].kinds & EX_KIND_BIT(CC_EX_RECEPTIVE_FIELD)))
            continue;
        for (int va = 0; va < 8; va++) {
            memcpy(c1, base, n * sizeof *c1);
            ex_rfchain ca = {n, c1, 0, 0, 0};
            int r = cat[a].rf(&ca, va);
            if (r < 0)
                break;
            if (!r)
                continue;
            for (int b = a; b < CC_MISTAKE_COUNT; b++) {
                if (b != a && (!cat[b].rf || !(cat[b].kinds & EX_KIND_BIT(CC_EX_RECEPTIVE_FIELD))))
                    continue;
                for (int vb = 0; vb < 8; vb++) {
                    memcpy(c2, c1, n * sizeof *c2);
                    ex_rfchain cb = ca;
                    cb.l = c2;
                    if (b != a) {
                        int r2 = cat[b].rf(&cb, vb);
                        if (r2 < 0)
                            break;
                        if (!r2)
                            continue;
                    }
                    long v[2] = {rf_eval(&cb, 0, n - 1, NULL), rf_eval(&cb, 1, n - 1, NULL)};
                    ex_alt *alt = v[0] >= 1 && v[1] >= 1
                                      ? ex_add_size_alt(e, EX_BIT(a) | EX_BIT(b), 2, v)
                                      : NULL;
                    for (size_t i = 0; alt && i < n; i++) {
                        if (rf_eval(&cb, 0, i, NULL) == rf_eval(&want, 0, i, NULL))
                            continue;
                        cc_buf q = {0};
                        const cc_layer *l = &s->layers[base[i].layer];
                        cc_buf_printf(&q, "%s: ", l->name[0] ? l->name : "layer");
                        rf_eval(&cb, 0, i, &q);
                        ex_quote_but(&q, alt->mask);
                        cc_buf_puts(&q, ": ");
                        rf_eval(&want, 0, i, &q);
                        snprintf(alt->quote, sizeof alt->quote, "%s", cc_buf_str(&q));
                        cc_buf_free(&q);
                        break;
                    }
                    if (b == a)
                        break;
                }
            }
        }
    }
    free(base);
    free(c1);
    free(c2);
    return 0;
}

int ex_solve_rf(ex_expect *e, const ex_problem *p, cc_error *err)
{
    int rc = read_stack(e, p, err);
    if (rc)
        return rc;
    cc_stack *s = e->stack;
    cc_rf rf[2];
    for (int d = 0; d < 2; d++)
        cc_rf_init(&rf[d]);
    cc_buf_puts(&e->steps, "r = r_prev + (D*(F-1)+1 - 1) * j_prev,  j = j_prev * S,  "
                           "starting from r = 1, j = 1\n");
    for (size_t i = 0; i < s->n; i++) {
        const cc_layer *l = &s->layers[i];
        if (l->kind == CC_LAYER_LINEAR || l->kind == CC_LAYER_GLOBAL_AVGPOOL ||
            l->kind == CC_LAYER_ADAPTIVE_AVGPOOL || l->kind == CC_LAYER_FLATTEN ||
            l->kind == CC_LAYER_ADD || l->kind == CC_LAYER_CONCAT)
            return cc_error_at(err, CC_EINVAL, p->line, 1,
                               "problem %s: a receptive field is asked of a stack of "
                               "convolution and pooling layers (layer %zu is %s)",
                               p->id, i + 1, cc_layer_kind_name(l->kind));
        if (l->kind != CC_LAYER_CONV && !ex_is_pool(l))
            continue;
        long before = rf[0].rf, jb = rf[0].jump;
        for (int d = 0; d < 2; d++) {
            long k = d ? l->kernel_w : l->kernel_h, st = ex_layer_stride(l, d);
            long dil = d ? l->dilation_w : l->dilation_h;
            if (dil < 1)
                dil = 1;
            rc = cc_rf_step(&rf[d], k, st, dil, err);
            if (rc)
                return rc;
        }
        ex_stack_layer_line(&e->steps, l, i);
        long kh = l->kernel_h, dh = l->dilation_h < 1 ? 1 : l->dilation_h;
        cc_buf_printf(&e->steps, ": r = %ld + %ld * %ld = %ld, j = %ld * %ld = %ld\n", before,
                      dh * (kh - 1), jb, rf[0].rf, jb, ex_layer_stride(l, 0), rf[0].jump);
    }
    e->type = ANS_SIZE;
    e->n = 2;
    e->square_ok = 1;
    e->v[0] = rf[0].rf;
    e->v[1] = rf[1].rf;
    if (e->v[0] != e->v[1])
        cc_buf_printf(&e->steps, "(width: r = %ld)\n", e->v[1]);
    cc_buf_printf(&e->steps, "so the receptive field is %ldx%ld input pixels\n", e->v[0],
                  e->v[1]);
    return rf_alts(e, s);
}

