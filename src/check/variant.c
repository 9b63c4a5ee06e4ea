/* variant.c - other numbers of the same kind and difficulty for a problem.
 *
 * A parameter with `vary NAME: a b c` takes one of the teacher's choices.
 * Otherwise each kind has its own generator that keeps what makes the
 * problem easy or hard: odd kernels stay odd, stride 1 stays 1, "same"
 * padding stays "same", a division that leaves a remainder (so floor
 * matters) still leaves one, a kernel that is not symmetric stays so (so
 * flipping matters). The caller (cc_exset_variant) checks that every
 * variant has a solution and draws again if not. */
#include "ex_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/arith.h"
#include "convcalc/matrix.h"
#include "convcalc/walk.h"

static long pick(cc_rng *r, long lo, long hi)
{
    if (hi <= lo)
        return lo;
    return lo + (long)cc_rng_below(r, (uint64_t)(hi - lo + 1));
}

static ex_param *param(ex_problem *p, const char *name)
{
    for (size_t i = 0; i < p->n_params; i++)
        if (strcmp(p->params[i].name, name) == 0)
            return &p->params[i];
    return NULL;
}

/* A parameter the generator may change: given, and neither a reference
 * nor a template. */
static ex_param *free_param(ex_problem *p, const char *name)
{
    ex_param *pr = param(p, name);
    if (!pr || pr->raw[0] == '@' || strchr(pr->raw, '{'))
        return NULL;
    return pr;
}

static int set_raw(ex_param *pr, const char *v)
{
    char *d = ex_strdup(v);
    if (!d)
        return CC_ENOMEM;
    free(pr->raw);
    pr->raw = d;
    return 0;
}

/* Read a pair "N" or "HxW" from a raw value; returns the count or 0. */
static int raw_pair(const ex_param *pr, long v[2])
{
    if (!pr)
        return 0;
    long t[3];
    int n = ex_parse_size(pr->raw, t, NULL, 0);
    if (n < 1 || n > 2)
        return 0;
    v[0] = t[0];
    v[1] = n == 2 ? t[1] : t[0];
    return n;
}

static int set_pair(ex_param *pr, int n, const long v[2])
{
    char b[64];
    if (n == 2 && v[0] != v[1])
        snprintf(b, sizeof b, "%ldx%ld", v[0], v[1]);
    else if (n == 2)
        snprintf(b, sizeof b, "%ldx%ld", v[0], v[0]);
    else
        snprintf(b, sizeof b, "%ld", v[0]);
    return set_raw(pr, b);
}

/* A size of about the same magnitude and the same parity. */
static long jitter_size(cc_rng *r, long v, long min)
{
    if (v <= 4)
        return pick(r, v > min ? v : min, v + 3);
    long lo = (long)(v * 0.6), hi = (long)(v * 1.5);
    if (lo < min)
        lo = min;
    long x = pick(r, lo, hi);
    if ((x - v) % 2)
        x = x + 1 <= hi ? x + 1 : x - 1;
    return x < min ? min : x;
}

static long jitter_kernel(cc_rng *r, long k)
{
    if (k <= 1)
        return k;
    long lo = k - 2 >= (k % 2 ? 3 : 2) ? k - 2 : (k % 2 ? 3 : 2);
    long x = lo + 2 * pick(r, 0, 3); /* same parity, up to k + 4 */
    return x;
}

static long jitter_stride(cc_rng *r, long s)
{
    if (s <= 1)
        return 1;
    return s <= 3 ? pick(r, 2, 3) : pick(r, s - 1, s + 1);
}

/* The geometry of a size problem, per dimension. */
typedef struct g2 {
    int nin, nk, ns, np, nd, nop, nout; /* how many numbers each was written with */
    long in[2], k[2], s[2], p[2], d[2], op[2], out[2];
} g2;

static void read_g2(ex_problem *p, g2 *g)
{
    memset(g, 0, sizeof *g);
    g->nin = raw_pair(free_param(p, "input"), g->in);
    g->nk = raw_pair(free_param(p, "kernel"), g->k);
    g->ns = raw_pair(free_param(p, "stride"), g->s);
    g->np = raw_pair(free_param(p, "padding"), g->p);
    g->nd = raw_pair(free_param(p, "dilation"), g->d);
    g->nop = raw_pair(free_param(p, "output-padding"), g->op);
    g->nout = raw_pair(free_param(p, "output"), g->out);
    for (int i = 0; i < 2; i++) {
        if (!g->ns)
            g->s[i] = p->kind == CC_EX_POOL_SIZE ? g->k[i] : 1;
        if (!g->nd)
            g->d[i] = 1;
    }
}

static int write_g2(ex_problem *p, const g2 *g)
{
    int rc = 0;
    if (!rc && g->nin)
        rc = set_pair(free_param(p, "input"), g->nin, g->in);
    if (!rc && g->nk)
        rc = set_pair(free_param(p, "kernel"), g->nk, g->k);
    if (!rc && g->ns)
        rc = set_pair(free_param(p, "stride"), g->ns, g->s);
    if (!rc && g->np)
        rc = set_pair(free_param(p, "padding"), g->np, g->p);
    if (!rc && g->nd)
        rc = set_pair(free_param(p, "dilation"), g->nd, g->d);
    if (!rc && g->nop)
        rc = set_pair(free_param(p, "output-padding"), g->nop, g->op);
    if (!rc && g->nout)
        rc = set_pair(free_param(p, "output"), g->nout, g->out);
    return rc;
}

/* New numbers for one dimension (dim i), or copy dimension 0 when the
 * original was square in that quantity. */
static void vary_dim(cc_rng *r, const g2 *o, g2 *g, int i, cc_exkind kind)
{
    int same_in = o->in[0] == o->in[1], same_k = o->k[0] == o->k[1];
    if (i == 1 && same_in)
        g->in[1] = g->in[0];
    else if (o->nin)
        g->in[i] = jitter_size(r, o->in[i], 1);
    if (i == 1 && same_k)
        g->k[1] = g->k[0];
    else if (o->nk)
        g->k[i] = kind == CC_EX_POOL_SIZE ? pick(r, 2, 3) : jitter_kernel(r, o->k[i]);
    if (i == 1 && o->s[0] == o->s[1])
        g->s[1] = g->s[0];
    else if (kind == CC_EX_POOL_SIZE && o->s[i] == o->k[i])
        g->s[i] = g->k[i];
    else if (o->ns)
        g->s[i] = jitter_stride(r, o->s[i]);
    if (i == 1 && o->d[0] == o->d[1])
        g->d[1] = g->d[0];
    else if (o->nd && o->d[i] > 1)
        g->d[i] = pick(r, 2, 3);
    long half = g->d[i] * (g->k[i] - 1) / 2;
    if (i == 1 && o->p[0] == o->p[1] && o->k[0] == o->k[1])
        g->p[1] = g->p[0];
    else if (o->np && o->p[i] > 0) {
        long ohalf = o->d[i] * (o->k[i] - 1) / 2;
        if (kind == CC_EX_POOL_SIZE)
            g->p[i] = pick(r, 0, g->k[i] / 2);
        else if (o->p[i] == ohalf)
            g->p[i] = half; /* "same" padding stays "same" */
        else
            g->p[i] = pick(r, 1, g->k[i] > 1 ? g->k[i] - 1 : 1);
    }
    if (o->nop && o->op[i] > 0)
        g->op[i] = g->s[i] > 1 ? pick(r, 1, g->s[i] - 1) : 0;
}

/* Does the division of the size formula leave a remainder (floor matters)? */
static int remainder_of(const g2 *g, int i)
{
    long span = g->in[i] + 2 * g->p[i] - (g->d[i] * (g->k[i] - 1) + 1);
    return span >= 0 && g->s[i] > 0 ? (int)(span % g->s[i] != 0) : -1;
}

/* kernel-size: only odd kernels count unless `odd: no`. */
static int odd_only(ex_problem *p)
{
    ex_param *pr = param(p, "odd");
    return !pr || !(strcmp(pr->raw, "no") == 0 || strcmp(pr->raw, "false") == 0 ||
                    strcmp(pr->raw, "0") == 0 || strcmp(pr->raw, "off") == 0);
}

static int vary_size(ex_problem *p, cc_rng *r)
{
    g2 o, g;
    read_g2(p, &o);
    for (int tries = 0; tries < 64; tries++) {
        g = o;
        for (int i = 0; i < 2; i++)
            vary_dim(r, &o, &g, i, p->kind);
        if (p->kind == CC_EX_SAME_PADDING) {
            for (int i = 0; i < 2; i++)
                if (i == 0 || o.k[1] != o.k[0])
                    g.k[i] = 3 + 2 * pick(r, 0, 4);
            if (o.k[1] == o.k[0])
                g.k[1] = g.k[0];
        }
        if (p->kind == CC_EX_KERNEL_SIZE) {
            /* the kernel is the unknown: choose it, then the output */
            long f[2];
            for (int i = 0; i < 2; i++) {
                long of = o.in[i] + 2 * o.p[i] - (o.out[i] - 1) * o.s[i];
                f[i] = (i == 1 && o.in[0] == o.in[1] && o.out[0] == o.out[1]) ? f[0]
                                                                               : jitter_kernel(r, of);
                cc_error e;
                if (cc_conv_out(&g.out[i], g.in[i], f[i], g.s[i], g.p[i], g.p[i], g.d[i], &e))
                    g.out[i] = 0;
                if (o.p[i] > 0 && o.p[i] == o.d[i] * (of - 1) / 2)
                    g.p[i] = g.d[i] * (f[i] - 1) / 2;
            }
            if (g.out[0] < 1 || g.out[1] < 1)
                continue;
            /* one kernel only, as in a hand-written question */
            int unique = 1;
            for (int i = 0; i < 2 && unique; i++) {
                int count = 0;
                for (long k = 1; k <= g.in[i] + 2 * g.p[i] && count < 2; k++) {
                    long o;
                    cc_error e;
                    if ((k % 2 || !odd_only(p)) &&
                        cc_conv_out(&o, g.in[i], k, g.s[i], g.p[i], g.p[i], g.d[i], &e) == 0 &&
                        o == g.out[i])
                        count++;
                }
                unique = count == 1;
            }
            if (!unique)
                continue;
        }
        int keep = 1;
        if (p->kind == CC_EX_OUTPUT_SIZE || p->kind == CC_EX_POOL_SIZE)
            for (int i = 0; i < 2; i++)
                keep &= remainder_of(&g, i) == remainder_of(&o, i) && remainder_of(&g, i) >= 0;
        if (keep && memcmp(&g, &o, sizeof g) != 0)
            return write_g2(p, &g);
    }
    return 0; /* nothing found: the caller keeps or retries */
}

static void matrix_text(cc_buf *b, const cc_matrix *m)
{
    for (long n = 0; n < m->n; n++)
        for (long c = 0; c < m->c; c++) {
            if (n)
                cc_buf_puts(b, c ? " | " : " || ");
            else if (c)
                cc_buf_puts(b, " | ");
            for (long rr = 0; rr < m->rows; rr++) {
                if (rr)
                    cc_buf_puts(b, "; ");
                for (long k = 0; k < m->cols; k++) {
                    char t[64];
                    cc_buf_printf(b, k ? " %s" : "%s",
                                  cc_matrix_fmt_value(t, sizeof t, cc_matrix_get(m, n, c, rr, k)));
                }
            }
        }
}

/* 1 if m equals its 180-degree rotation (then flipping changes nothing). */
static int flip_symmetric(const cc_matrix *m)
{
    size_t plane = (size_t)(m->rows * m->cols);
    for (size_t i = 0; i < cc_matrix_size(m); i++) {
        size_t base = i - i % plane, off = i % plane;
        if (m->data[i] != m->data[base + plane - 1 - off])
            return 0;
    }
    return 1;
}

static int vary_matrix(ex_problem *p, const char *name, cc_rng *r, int keep_asym)
{
    ex_param *pr = free_param(p, name);
    if (!pr)
        return 0;
    cc_matrix m = {0};
    cc_error e;
    int rc;
    if (!strcmp(pr->raw, "builtin") || !strcmp(pr->raw, "example")) {
        cc_matrix img = {0}, ker = {0};
        cc_walk_spec spec;
        rc = cc_walk_example(&img, &ker, &spec, &e);
        if (rc)
            return rc;
        if (!strcmp(name, "image")) {
            m = img;
            cc_matrix_free(&ker);
        } else {
            m = ker;
            cc_matrix_free(&img);
        }
    } else if ((rc = cc_matrix_parse(&m, pr->raw, strlen(pr->raw), &e)) != 0) {
        return 0; /* not ours to report: validation will */
    }
    if (!cc_matrix_is_integer(&m)) {
        cc_matrix_free(&m);
        return 0;
    }
    double lo = m.data[0], hi = m.data[0];
    for (size_t i = 0; i < cc_matrix_size(&m); i++) {
        lo = fmin(lo, m.data[i]);
        hi = fmax(hi, m.data[i]);
    }
    int asym = keep_asym && !flip_symmetric(&m);
    for (int t = 0; t < 64; t++) {
        int nonzero = 0;
        for (size_t i = 0; i < cc_matrix_size(&m); i++) {
            m.data[i] = (double)pick(r, (long)lo, (long)hi);
            nonzero |= m.data[i] != 0;
        }
        if (nonzero && (!asym || !flip_symmetric(&m)))
            break;
    }
    cc_buf b = {0};
    matrix_text(&b, &m);
    cc_matrix_free(&m);
    if (cc_buf_failed(&b))
        return CC_ENOMEM;
    rc = set_raw(pr, cc_buf_str(&b));
    cc_buf_free(&b);
    return rc;
}

static int vary_choice(ex_problem *p, cc_rng *r)
{
    size_t n = p->n_choices;
    if (n < 2)
        return 0;
    size_t idx[26];
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    cc_rng_shuffle_size(r, idx, n);
    char *tmp[26];
    for (size_t i = 0; i < n; i++)
        tmp[i] = p->choices[idx[i]];
    int key = p->key;
    for (size_t i = 0; i < n; i++) {
        p->choices[i] = tmp[i];
        if ((int)idx[i] == p->key)
            key = (int)i;
    }
    p->key = key;
    return 0;
}

int ex_vary(ex_problem *p, cc_rng *r, cc_error *err)
{
    int teacher = 0, rc = 0;
    for (size_t i = 0; i < p->n_params && !rc; i++) {
        ex_param *pr = &p->params[i];
        if (!pr->n_vary)
            continue;
        teacher = 1;
        rc = set_raw(pr, pr->vary[cc_rng_below(r, pr->n_vary)]);
    }
    if (!rc && p->kind == CC_EX_CHOICE)
        rc = vary_choice(p, r);
    if (!rc && !teacher) {
        switch (p->kind) {
        case CC_EX_OUTPUT_SIZE:
        case CC_EX_SAME_PADDING:
        case CC_EX_KERNEL_SIZE:
        case CC_EX_POOL_SIZE:
        case CC_EX_TCONV_SIZE: rc = vary_size(p, r); break;
        case CC_EX_CONVOLVE:
            rc = vary_matrix(p, "image", r, 0);
            if (!rc)
                rc = vary_matrix(p, "kernel", r, 1);
            break;
        default: break; /* stacks change only where the teacher says (vary) */
        }
    }
    if (rc == CC_ENOMEM)
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    return rc;
}
