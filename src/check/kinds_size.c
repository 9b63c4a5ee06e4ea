/* kinds_size.c - the size kinds (output-size, pool-size, tconv-size,
 * same-padding, kernel-size): the answer through the shape solver, the
 * formula with its numbers, and the values the catalogue's rules give. */
#include "kinds.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/arith.h"

/* ---- the size kinds (through the shape solver) ------------------------------ */

typedef struct dims {
    long in[2], k[2], s[2], p[2], d[2], op[2], out[2];
    int ceil, odd;
} dims;

static int read_dims(const ex_problem *p, dims *d, cc_error *err)
{
    memset(d, 0, sizeof *d);
    int rc = 0;
    if (ex_param_find(p, "input"))
        rc = ex_get_pair(p, "input", 1, 1, d->in, err);
    if (!rc && ex_param_find(p, "kernel"))
        rc = ex_get_pair(p, "kernel", 1, 1, d->k, err);
    if (!rc)
        rc = ex_get_pair(p, "stride", p->kind == CC_EX_POOL_SIZE ? 0 : 1, 1, d->s, err);
    if (!rc && p->kind == CC_EX_POOL_SIZE && d->s[0] == 0) {
        d->s[0] = d->k[0];
        d->s[1] = d->k[1];
    }
    if (!rc)
        rc = ex_get_pair(p, "padding", 0, 0, d->p, err);
    if (!rc)
        rc = ex_get_pair(p, "dilation", 1, 1, d->d, err);
    if (!rc)
        rc = ex_get_pair(p, "output-padding", 0, 0, d->op, err);
    if (!rc && ex_param_find(p, "output"))
        rc = ex_get_pair(p, "output", 1, 1, d->out, err);
    if (!rc)
        rc = ex_get_bool(p, "ceil", 0, &d->ceil, err);
    if (!rc)
        rc = ex_get_bool(p, "odd", 1, &d->odd, err);
    return rc;
}

long ex_size_eval(const ex_sizecalc *c)
{
    long eff = c->d * (c->k - 1) + 1;
    if (c->kind == CC_EX_TCONV_SIZE) {
        long o = (c->in - 1) * c->s - c->pb - c->pe + c->d * (c->k - 1) + c->op + c->plus;
        return o >= 1 ? o : -1;
    }
    long span = c->in + c->pb + c->pe - eff;
    if (span < 0 || c->s < 1)
        return -1;
    long o = (c->ceil ? (span + c->s - 1) / c->s : span / c->s) + c->plus;
    /* ceil mode (pooling, as PyTorch): the last window starts in the input */
    if (c->ceil && c->kind == CC_EX_POOL_SIZE && c->plus == 1 && (o - 1) * c->s >= c->in + c->pb)
        o--;
    return o >= 1 ? o : -1;
}

void ex_size_print(cc_buf *b, const ex_sizecalc *c)
{
    char eff[64];
    if (c->d > 1)
        snprintf(eff, sizeof eff, "(%ld*(%ld - 1) + 1)", c->d, c->k);
    else
        snprintf(eff, sizeof eff, "%ld", c->k);
    char pad[64];
    if (c->pb == c->pe)
        snprintf(pad, sizeof pad, "2*%ld", c->pb);
    else
        snprintf(pad, sizeof pad, "%ld + %ld", c->pb, c->pe);
    if (c->kind == CC_EX_TCONV_SIZE) {
        cc_buf_printf(b, "(%ld - 1)*%ld - %s%s%s + %ld*(%ld - 1) + %ld (output_padding)", c->in, c->s,
                      c->pb == c->pe ? "" : "(", pad, c->pb == c->pe ? "" : ")", c->d, c->k,
                      c->op);
    } else {
        cc_buf_printf(b, "%s((%ld + %s - %s) / %ld)", c->ceil ? "ceil" : "floor", c->in, pad, eff,
                      c->s);
    }
    if (c->plus)
        cc_buf_printf(b, " + %ld", c->plus);
    long o = ex_size_eval(c);
    if (o >= 1)
        cc_buf_printf(b, " = %ld", o);
    else
        cc_buf_puts(b, " (no size)");
}

/* "but padding goes on both sides, and ..." for the mistakes of mask m */
void ex_quote_but(cc_buf *b, ex_mask m)
{
    int first = 1;
    for (int k = 1; k < CC_MISTAKE_COUNT; k++)
        if (m & EX_BIT(k)) {
            cc_buf_printf(b, first ? ", but %s" : ", and %s", ex_mistake((cc_mistake)k)->but);
            first = 0;
        }
}

/* The student's formula against the right one, for the first dimension
 * where they differ. */
static void size_quote(ex_alt *a, const ex_sizecalc *want, const ex_sizecalc *got, int ndims,
                       const char *label)
{
    cc_buf q = {0};
    for (int i = 0; i < ndims; i++) {
        if (ex_size_eval(&want[i]) == ex_size_eval(&got[i]))
            continue;
        if (label)
            cc_buf_printf(&q, "%s: ", label);
        if (ndims == 2 && (want[0].in != want[1].in || ex_size_eval(&want[0]) !=
                                                           ex_size_eval(&want[1])))
            cc_buf_puts(&q, i ? "width " : "height ");
        ex_size_print(&q, &got[i]);
        ex_quote_but(&q, a->mask);
        cc_buf_puts(&q, ": ");
        ex_size_print(&q, &want[i]);
        break;
    }
    snprintf(a->quote, sizeof a->quote, "%s", cc_buf_str(&q));
    cc_buf_free(&q);
}

int ex_size_rule(cc_mistake m, ex_sizecalc *c, int v)
{
    const ex_mistake_def *d = ex_mistake(m);
    return d->size ? d->size(c, v) : -1;
}

/* Every rule of the catalogue for this kind, and every pair of them,
 * applied to the size formula of both dimensions. */
static void size_alts(ex_expect *e, cc_exkind kind, const ex_sizecalc base[2])
{
    const ex_mistake_def *cat = ex_mistakes();
    for (int a = 1; a < CC_MISTAKE_COUNT; a++) {
        if (!(cat[a].kinds & EX_KIND_BIT(kind)) || !cat[a].size)
            continue;
        for (int va = 0; va < 8; va++) {
            ex_sizecalc c[2] = {base[0], base[1]};
            int r0 = cat[a].size(&c[0], va), r1 = cat[a].size(&c[1], va);
            if (r0 < 0 || r1 < 0)
                break;
            if (!r0 && !r1)
                continue;
            for (int b = a; b < CC_MISTAKE_COUNT; b++) {
                if (b != a && (!(cat[b].kinds & EX_KIND_BIT(kind)) || !cat[b].size))
                    continue;
                for (int vb = 0; vb < 8; vb++) {
                    ex_sizecalc d[2] = {c[0], c[1]};
                    if (b != a) {
                        int s0 = cat[b].size(&d[0], vb), s1 = cat[b].size(&d[1], vb);
                        if (s0 < 0 || s1 < 0)
                            break;
                        if (!s0 && !s1)
                            continue;
                    }
                    long v[2] = {ex_size_eval(&d[0]), ex_size_eval(&d[1])};
                    ex_alt *alt = v[0] >= 1 && v[1] >= 1
                                      ? ex_add_size_alt(e, EX_BIT(a) | EX_BIT(b), 2, v)
                                      : NULL;
                    if (alt)
                        size_quote(alt, base, d, 2, NULL);
                    if (b == a)
                        break;
                }
            }
        }
    }
    if (e->v[0] != e->v[1]) {
        long sw[2] = {e->v[1], e->v[0]};
        ex_add_size_alt(e, EX_BIT(CC_MISTAKE_HEIGHT_WIDTH_SWAPPED), 2, sw);
    }
}

static void copy_steps(ex_expect *e, const cc_shape_answer *a)
{
    for (size_t i = 0; i < a->nconstraints; i++)
        cc_buf_printf(&e->steps, "(%s)\n", a->constraints[i]);
    for (size_t i = 0; i < a->nsteps; i++)
        cc_buf_printf(&e->steps, "%s\n", a->steps[i]);
}

int ex_solve_size(ex_expect *e, const ex_problem *p, cc_error *err)
{
    dims d;
    int rc = read_dims(p, &d, err);
    if (rc)
        return rc;
    cc_shape_query q;
    cc_shape_query_init(&q, p->kind == CC_EX_POOL_SIZE    ? CC_SHAPE_POOL
                            : p->kind == CC_EX_TCONV_SIZE ? CC_SHAPE_TCONV
                                                          : CC_SHAPE_CONV);
    q.ndims = 2;
    for (int i = 0; i < 2; i++) {
        cc_shape_dim *sd = &q.dim[i];
        sd->input = d.in[i];
        sd->kernel = d.k[i];
        sd->stride = d.s[i];
        sd->dilation = d.d[i];
        sd->pad_begin = sd->pad_end = d.p[i];
        sd->output_padding = d.op[i];
        sd->output = 0;
    }
    q.ceil_mode = d.ceil;
    switch (p->kind) {
    case CC_EX_SAME_PADDING:
        q.unknown = CC_VAR_PADDING;
        q.per_side = 0;
        for (int i = 0; i < 2; i++)
            q.dim[i].output = d.in[i];
        break;
    case CC_EX_KERNEL_SIZE:
        q.unknown = CC_VAR_KERNEL;
        q.odd_kernel = d.odd;
        for (int i = 0; i < 2; i++)
            q.dim[i].output = d.out[i];
        break;
    default: q.unknown = CC_VAR_OUTPUT; break;
    }
    cc_shape_answer a;
    cc_shape_answer_init(&a);
    cc_error e2;
    cc_error_clear(&e2);
    rc = cc_shape_solve(&a, &q, &e2);
    if (rc) {
        cc_shape_answer_free(&a);
        return cc_error_at(err, rc, p->line, 1, "problem %s has no solution: %s", p->id, e2.msg);
    }
    if (!a.found) {
        cc_shape_answer_free(&a);
        return cc_error_at(err, CC_ENOSOL, p->line, 1,
                           "problem %s has no solution (the shape solver finds no integer "
                           "%s)",
                           p->id, cc_shape_var_name(q.unknown));
    }
    copy_steps(e, &a);
    e->type = ANS_SIZE;
    e->n = 2;
    e->square_ok = 1;
    for (int i = 0; i < 2; i++) {
        const cc_shape_dim_answer *da = &a.dim[a.ndims == 2 ? i : 0];
        if (q.unknown == CC_VAR_OUTPUT) {
            e->v[i] = da->output;
        } else {
            if (da->unbounded || da->count < 1) {
                cc_shape_answer_free(&a);
                return cc_error_at(err, CC_ENOSOL, p->line, 1,
                                   "problem %s has no single answer (%s)", p->id,
                                   da->unbounded ? "any large value works" : "no solution");
            }
            e->v[i] = cc_shape_answer_value(&a, a.ndims == 2 ? i : 0, 0);
        }
    }
    if (p->kind == CC_EX_KERNEL_SIZE) {
        /* with a stride, several kernels may give the same output: all count */
        long c0 = a.dim[0].count, c1 = a.dim[a.ndims == 2 ? 1 : 0].count;
        int square = a.ndims != 2; /* a square question: square kernels */
        for (long i = 0; i < c0 && e->naccept < MAX_ACCEPT; i++)
            for (long j = 0; j < c1 && e->naccept < MAX_ACCEPT; j++) {
                if (square && i != j)
                    continue;
                e->accept[e->naccept][0] = cc_shape_answer_value(&a, 0, i);
                e->accept[e->naccept][1] = cc_shape_answer_value(&a, a.ndims == 2 ? 1 : 0, j);
                e->naccept++;
            }
    }
    cc_shape_answer_free(&a);

    /* recognised mistakes */
    if (p->kind == CC_EX_SAME_PADDING) {
        long v[2] = {2 * e->v[0], 2 * e->v[1]};
        ex_add_size_alt(e, EX_BIT(CC_MISTAKE_ONE_SIDED_PADDING), 2, v);
        if (d.d[0] > 1 || d.d[1] > 1) {
            long w[2] = {(d.k[0] - 1) / 2, (d.k[1] - 1) / 2};
            ex_add_size_alt(e, EX_BIT(CC_MISTAKE_DILATION_IGNORED), 2, w);
        }
        long u[2] = {e->v[0] + 1, e->v[1] + 1}, l[2] = {e->v[0] - 1, e->v[1] - 1};
        ex_add_size_alt(e, EX_BIT(CC_MISTAKE_OFF_BY_ONE), 2, u);
        if (l[0] >= 0 && l[1] >= 0)
            ex_add_size_alt(e, EX_BIT(CC_MISTAKE_OFF_BY_ONE), 2, l);
    } else if (p->kind == CC_EX_KERNEL_SIZE) {
        long v[2];
        for (int i = 0; i < 2; i++) /* F = I + 2P - (O-1)S, with one P */
            v[i] = d.in[i] + d.p[i] - (d.out[i] - 1) * d.s[i];
        if (d.p[0] || d.p[1])
            ex_add_size_alt(e, EX_BIT(CC_MISTAKE_ONE_SIDED_PADDING), 2, v);
        for (int i = 0; i < 2; i++)
            v[i] = d.in[i] - (d.out[i] - 1) * d.s[i];
        if (d.p[0] || d.p[1])
            ex_add_size_alt(e, EX_BIT(CC_MISTAKE_NO_PADDING), 2, v);
        for (int i = 0; i < 2; i++)
            v[i] = d.in[i] + 2 * d.p[i] - d.out[i] + 1;
        if (d.s[0] > 1 || d.s[1] > 1)
            ex_add_size_alt(e, EX_BIT(CC_MISTAKE_STRIDE_IGNORED), 2, v);
        long u[2] = {e->v[0] - 1, e->v[1] - 1}, w[2] = {e->v[0] + 1, e->v[1] + 1};
        if (u[0] >= 1 && u[1] >= 1)
            ex_add_size_alt(e, EX_BIT(CC_MISTAKE_OFF_BY_ONE), 2, u);
        ex_add_size_alt(e, EX_BIT(CC_MISTAKE_OFF_BY_ONE), 2, w);
    } else {
        ex_sizecalc base[2];
        for (int i = 0; i < 2; i++) {
            ex_sizecalc c = {p->kind, d.in[i], d.k[i], d.s[i], d.p[i], d.p[i], d.d[i], d.op[i],
                             d.ceil, 1};
            base[i] = c;
        }
        size_alts(e, p->kind, base);
    }
    return 0;
}

