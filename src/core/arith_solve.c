/* arith_solve.c - the shape solver: any one of input, kernel, padding,
 * stride, dilation or output, for convolution, pooling and transposed
 * convolution, with its derivation as steps.
 *
 * How it solves: every output-size formula is monotone in each of its
 * quantities (non-decreasing or non-increasing) on the values for which it
 * is defined, and those values form an interval. So the solver finds that
 * interval (probes, then bisection on "is this defined"), reads the
 * direction from its two ends, and bisects for the first and the last value
 * that give the wanted output. The solutions are exactly the values the
 * forward formulas (cc_conv_out, cc_pool_out, cc_tconv_out) accept, and the
 * steps show the algebra a student writes down. */
#include "convcalc/arith.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arith_priv.h"

/* ---- names ------------------------------------------------------------------ */

const char *cc_shape_var_name(cc_shape_var v)
{
    switch (v) {
    case CC_VAR_INPUT: return "input";
    case CC_VAR_KERNEL: return "kernel";
    case CC_VAR_PADDING: return "padding";
    case CC_VAR_STRIDE: return "stride";
    case CC_VAR_DILATION: return "dilation";
    case CC_VAR_OUTPUT: return "output";
    default: return "none";
    }
}

const char *cc_shape_kind_name(cc_shape_kind k)
{
    switch (k) {
    case CC_SHAPE_POOL: return "pooling";
    case CC_SHAPE_TCONV: return "transposed convolution";
    default: return "convolution";
    }
}

/* ---- queries ------------------------------------------------------------------ */

void cc_shape_query_init(cc_shape_query *q, cc_shape_kind kind)
{
    memset(q, 0, sizeof *q);
    q->kind = kind;
    q->unknown = CC_VAR_NONE;
    q->ndims = 1;
    for (int d = 0; d < 2; d++) {
        q->dim[d].stride = 1;
        q->dim[d].dilation = 1;
    }
    q->padding = CC_PADDING_EXPLICIT;
}

/* Parse a whole decimal number at *s (no sign), advancing *s. */
static int parse_num(const char **s, long *out, const char *what, cc_error *err)
{
    const char *p = *s;
    if (*p == '-' || *p == '+')
        return cc_error_set(err, CC_EINVAL, "%s: '%s' has a sign (expected a whole number)",
                            what, p);
    if (*p < '0' || *p > '9')
        return cc_error_set(err, CC_EINVAL, "%s: expected a whole number at '%s'", what, p);
    long v = 0;
    int big = 0;
    while (*p >= '0' && *p <= '9') {
        if (v > (CC_DIM_MAX * 10L))
            big = 1;
        else
            v = v * 10 + (*p - '0');
        p++;
    }
    if (big || v > CC_DIM_MAX)
        return cc_error_set(err, CC_ERANGE, "%s: %.*s is too large (at most %ld)", what,
                            (int)(p - *s), *s, CC_DIM_MAX);
    *s = p;
    *out = v;
    return 0;
}

/* "N" or "HxW" -> v[0], v[1]; *two = 1 for HxW. */
static int parse_pair(const char *text, long v[2], int *two, const char *what, cc_error *err)
{
    const char *p = text;
    int rc = parse_num(&p, &v[0], what, err);
    if (rc)
        return rc;
    *two = 0;
    v[1] = v[0];
    if (*p == 'x' || *p == 'X') {
        p++;
        rc = parse_num(&p, &v[1], what, err);
        if (rc)
            return rc;
        *two = 1;
    }
    if (*p)
        return cc_error_set(err, CC_EINVAL, "%s: unexpected '%s' in '%s' (expected N or HxW)",
                            what, p, text);
    return 0;
}

long *arith_dim_field(cc_shape_dim *d, cc_shape_var var)
{
    switch (var) {
    case CC_VAR_INPUT: return &d->input;
    case CC_VAR_KERNEL: return &d->kernel;
    case CC_VAR_STRIDE: return &d->stride;
    case CC_VAR_DILATION: return &d->dilation;
    case CC_VAR_OUTPUT: return &d->output;
    default: return NULL;
    }
}

static int parse_padding(cc_shape_query *q, const char *text, cc_error *err)
{
    if (strcmp(text, "valid") == 0 || strcmp(text, "same") == 0 || strcmp(text, "full") == 0) {
        q->padding = text[0] == 'v' ? CC_PADDING_VALID
                     : text[0] == 's' ? CC_PADDING_SAME : CC_PADDING_FULL;
        for (int d = 0; d < 2; d++)
            q->dim[d].pad_begin = q->dim[d].pad_end = 0;
        return 0;
    }
    long b[2], e[2];
    int parts = 0;
    const char *p = text;
    for (;;) {
        int rc = parse_num(&p, &b[parts], "padding", err);
        if (rc)
            return rc;
        e[parts] = b[parts];
        if (*p == ',') {
            p++;
            rc = parse_num(&p, &e[parts], "padding", err);
            if (rc)
                return rc;
        }
        parts++;
        if (parts == 1 && (*p == 'x' || *p == 'X')) {
            p++;
            continue;
        }
        break;
    }
    if (*p)
        return cc_error_set(err, CC_EINVAL,
                            "padding: unexpected '%s' in '%s' (expected P, B,E, HxW of those, "
                            "valid, same or full)", p, text);
    q->padding = CC_PADDING_EXPLICIT;
    if (parts == 2)
        q->ndims = 2;
    for (int d = 0; d < 2; d++) {
        int k = parts == 2 ? d : 0;
        q->dim[d].pad_begin = b[k];
        q->dim[d].pad_end = e[k];
    }
    return 0;
}

int cc_shape_query_set(cc_shape_query *q, cc_shape_var var, const char *text, cc_error *err)
{
    if (!text)
        return cc_error_set(err, CC_EINVAL, "no value given");
    if (var == CC_VAR_PADDING)
        return parse_padding(q, text, err);
    long *f0 = arith_dim_field(&q->dim[0], var), *f1 = arith_dim_field(&q->dim[1], var);
    if (!f0)
        return cc_error_set(err, CC_EINVAL, "not a quantity of a layer shape");
    long v[2];
    int two;
    int rc = parse_pair(text, v, &two, cc_shape_var_name(var), err);
    if (rc)
        return rc;
    *f0 = v[0];
    *f1 = v[1];
    if (two)
        q->ndims = 2;
    return 0;
}

int cc_shape_query_set_output_padding(cc_shape_query *q, const char *text, cc_error *err)
{
    long v[2];
    int two;
    int rc = parse_pair(text, v, &two, "output padding", err);
    if (rc)
        return rc;
    q->dim[0].output_padding = v[0];
    q->dim[1].output_padding = v[1];
    if (two)
        q->ndims = 2;
    return 0;
}

/* ---- answers ------------------------------------------------------------------- */

void cc_shape_answer_init(cc_shape_answer *a)
{
    memset(a, 0, sizeof *a);
}

static void free_list(char **l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(l[i]);
    free(l);
}

void cc_shape_answer_free(cc_shape_answer *a)
{
    if (!a)
        return;
    free_list(a->steps, a->nsteps);
    free_list(a->constraints, a->nconstraints);
    memset(a, 0, sizeof *a);
}

long cc_shape_answer_value(const cc_shape_answer *a, int d, long i)
{
    const cc_shape_dim_answer *da = &a->dim[d < a->ndims ? d : 0];
    return da->lo + i * da->step;
}

void cc_shape_answer_padding(const cc_shape_answer *a, long value, long *pad_begin,
                             long *pad_end)
{
    if (a->query.per_side) {
        *pad_begin = value / 2;
        *pad_end = value - value / 2;
    } else {
        *pad_begin = *pad_end = value;
    }
}

int arith_list_add(char ***list, size_t *n, const char *fmt, ...)
{
    cc_buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    cc_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (cc_buf_failed(&b) || !b.data) {
        cc_buf_free(&b);
        return CC_ENOMEM;
    }
    char **grown = realloc(*list, (*n + 1) * sizeof **list);
    if (!grown) {
        cc_buf_free(&b);
        return CC_ENOMEM;
    }
    *list = grown;
    (*list)[(*n)++] = b.data;
    return 0;
}

/* ---- the forward formulas with one quantity replaced ------------------------------ */

/* The dimension's values with x put in for the unknown; resolves the padding
 * mode. Returns the output in *out, the padding used in *pb and *pe. */
int arith_forward(const cc_shape_query *q, int d, cc_shape_var var, long x, long *out,
                  long *pb, long *pe, cc_error *err)
{
    cc_shape_dim v = q->dim[d];
    long *f = arith_dim_field(&v, var);
    if (f)
        *f = x;
    cc_padding_mode mode = q->padding;
    if (var == CC_VAR_PADDING) {
        mode = CC_PADDING_EXPLICIT;
        if (q->per_side) {
            v.pad_begin = x / 2;
            v.pad_end = x - x / 2;
        } else {
            v.pad_begin = v.pad_end = x;
        }
    }
    switch (mode) {
    case CC_PADDING_VALID:
        v.pad_begin = v.pad_end = 0;
        break;
    case CC_PADDING_FULL:
        if (v.kernel < 1 || v.dilation < 1 || v.kernel > CC_DIM_MAX || v.dilation > CC_DIM_MAX)
            break; /* the forward formula reports it */
        v.pad_begin = v.pad_end = v.dilation * (v.kernel - 1);
        if (v.pad_begin > CC_DIM_MAX)
            return cc_error_set(err, CC_ERANGE, "full padding %ld exceeds the limit of %ld",
                                v.pad_begin, CC_DIM_MAX);
        break;
    case CC_PADDING_SAME: {
        if (q->kind == CC_SHAPE_TCONV)
            return cc_error_set(err, CC_EINVAL,
                                "'same' padding is defined for convolution and pooling only");
        long o;
        int rc = cc_same_padding(&v.pad_begin, &v.pad_end, &o, v.input, v.kernel, v.stride,
                                 v.dilation, err);
        if (rc)
            return rc;
        break;
    }
    default:
        break;
    }
    *pb = v.pad_begin;
    *pe = v.pad_end;
    switch (q->kind) {
    case CC_SHAPE_POOL:
        return cc_pool_out(out, v.input, v.kernel, v.stride, v.pad_begin, v.pad_end, v.dilation,
                           q->ceil_mode, err);
    case CC_SHAPE_TCONV:
        return cc_tconv_out(out, v.input, v.kernel, v.stride, v.pad_begin, v.pad_end, v.dilation,
                            v.output_padding, err);
    default:
        return cc_conv_out(out, v.input, v.kernel, v.stride, v.pad_begin, v.pad_end, v.dilation,
                           err);
    }
}

static int defined_at(const cc_shape_query *q, int d, cc_shape_var var, long x, long *out)
{
    long pb, pe;
    return arith_forward(q, d, var, x, out, &pb, &pe, NULL) == 0;
}

/* Smallest x in [lo, hi] with pred(x) true, pred monotone false..true;
 * hi + 1 when none. kind 0: defined; 1: sign*f(x) >= target;
 * 2: sign*f(x) > target. */
struct pred {
    const cc_shape_query *q;
    int d;
    cc_shape_var var;
    int kind;
    int want_defined; /* kind 0: search for defined (1) or undefined (0) */
    long sign, target;
};

static int pred_at(const struct pred *p, long x)
{
    long o;
    int ok = defined_at(p->q, p->d, p->var, x, &o);
    if (p->kind == 0)
        return ok == p->want_defined;
    if (!ok)
        return 0;
    return p->kind == 1 ? p->sign * o >= p->target : p->sign * o > p->target;
}

static long first_true(const struct pred *p, long lo, long hi)
{
    long a = lo, b = hi + 1; /* answer in [a, b] */
    while (a < b) {
        long m = a + (b - a) / 2;
        if (pred_at(p, m))
            b = m;
        else
            a = m + 1;
    }
    return a;
}

/* The largest value a quantity may take in the search. */
static long var_max(const cc_shape_query *q, cc_shape_var var)
{
    if (var == CC_VAR_PADDING && q->per_side)
        return 2 * CC_DIM_MAX;
    return CC_DIM_MAX;
}

static long var_min(cc_shape_var var)
{
    return var == CC_VAR_PADDING ? 0 : 1;
}

/* Find the interval [*a, *b] on which the formula is defined. Returns 0, or
 * the forward formula's error for a representative value. */
static int find_domain(const cc_shape_query *q, int d, cc_shape_var var, long *a, long *b,
                       cc_error *err)
{
    long lo = var_min(var), hi = var_max(q, var);
    long probes[80];
    int n = 0;
    const cc_shape_dim *v = &q->dim[d];
    long maxpad = v->pad_begin > v->pad_end ? v->pad_begin : v->pad_end;
    probes[n++] = lo;
    probes[n++] = lo + 1;
    if (q->kind == CC_SHAPE_POOL) {
        probes[n++] = 2 * maxpad;     /* kernel at least twice the padding */
        probes[n++] = 2 * maxpad + 1;
        probes[n++] = v->kernel / 2;  /* padding at most half the kernel */
        probes[n++] = 2 * (v->kernel / 2);
    }
    probes[n++] = v->output_padding + 1; /* stride or dilation above it */
    for (long p = 2; p <= hi && n < 76; p *= 2)
        probes[n++] = p;
    probes[n++] = hi;
    long found = -1;
    for (int i = 0; i < n && found < 0; i++) {
        long o;
        if (probes[i] >= lo && probes[i] <= hi && defined_at(q, d, var, probes[i], &o))
            found = probes[i];
    }
    if (found < 0) {
        long o, pb, pe;
        int rc = arith_forward(q, d, var, lo, &o, &pb, &pe, err);
        if (rc == 0) /* cannot happen: lo was probed */
            rc = cc_error_set(err, CC_EINTERNAL, "solver domain search failed");
        return rc;
    }
    struct pred p = {q, d, var, 0, 1, 0, 0};
    *a = first_true(&p, lo, found);
    p.want_defined = 0;
    *b = first_true(&p, found, hi) - 1;
    return 0;
}

/* ---- solving one dimension ------------------------------------------------------------ */

static void add_near(cc_shape_dim_answer *da, const cc_shape_query *q, int d, cc_shape_var var,
                     long x)
{
    long o, pb, pe;
    if (da->nnear >= CC_SHAPE_MAX_NEAR || arith_forward(q, d, var, x, &o, &pb, &pe, NULL) != 0)
        return;
    for (size_t i = 0; i < da->nnear; i++)
        if (da->near[i].value == x && da->near[i].pad_end == pe)
            return;
    cc_shape_near *n = &da->near[da->nnear++];
    n->value = x;
    n->pad_end = pe;
    n->output = o;
    if (var == CC_VAR_PADDING)
        n->value = pb;
}

/* Solve dimension d for var (not output/none). */
static int solve_dim(cc_shape_dim_answer *da, const cc_shape_query *q, int d, cc_shape_var var,
                     cc_error *err)
{
    long a = 0, b = 0;
    int rc = find_domain(q, d, var, &a, &b, err);
    if (rc)
        return rc;
    long fa, fb, target = q->dim[d].output;
    defined_at(q, d, var, a, &fa);
    defined_at(q, d, var, b, &fb);
    long sign = fa <= fb ? 1 : -1;
    struct pred p = {q, d, var, 1, 1, sign, sign * target};
    long lo = first_true(&p, a, b);   /* first with sign*f >= sign*O */
    p.kind = 2;
    long hi = first_true(&p, a, b) - 1; /* last with sign*f <= sign*O */
    long step = 1;
    if (var == CC_VAR_KERNEL && q->odd_kernel) {
        if (lo % 2 == 0)
            lo++;
        if (hi % 2 == 0)
            hi--;
        step = 2;
    }
    da->step = step;
    da->output = target;
    if (lo <= hi) {
        da->found = 1;
        da->lo = lo;
        da->hi = hi;
        da->count = (hi - lo) / step + 1;
        da->unbounded = hi + step > b && b == var_max(q, var);
        long o;
        if (da->count == 1)
            arith_forward(q, d, var, lo, &o, &da->pad_begin, &da->pad_end, NULL);
        else
            arith_forward(q, d, var, lo, &o, &da->pad_begin, &da->pad_end, NULL);
        return 0;
    }
    /* No solution: the nearest values on either side (with the step). */
    da->found = 0;
    long below = hi, above = lo; /* hi < lo here */
    if (step == 2) {
        if (below % 2 == 0)
            below--;
        if (above % 2 == 0)
            above++;
    }
    if (below >= a)
        add_near(da, q, d, var, below);
    if (above <= b)
        add_near(da, q, d, var, above);
    if (var == CC_VAR_PADDING && !q->per_side) {
        /* symmetric padding cannot do it: maybe padding per side can */
        cc_shape_query q2 = *q;
        q2.per_side = 1;
        cc_shape_dim_answer d2;
        memset(&d2, 0, sizeof d2);
        if (solve_dim(&d2, &q2, d, var, NULL) == 0 && d2.found)
            add_near(da, &q2, d, var, d2.lo);
    }
    return 0;
}

/* ---- the solver -------------------------------------------------------------------------- */

static int check_known(const cc_shape_query *q, int d, cc_error *err)
{
    const cc_shape_dim *v = &q->dim[d];
    static const struct { cc_shape_var var; const char *name; int min; } f[] = {
        {CC_VAR_INPUT, "input size", 1}, {CC_VAR_KERNEL, "kernel size", 1},
        {CC_VAR_STRIDE, "stride", 1},    {CC_VAR_DILATION, "dilation", 1},
        {CC_VAR_OUTPUT, "output size", 1},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (f[i].var == q->unknown)
            continue;
        if (f[i].var == CC_VAR_OUTPUT && q->unknown == CC_VAR_NONE && v->output == 0)
            continue; /* not given: just compute it */
        long val = *arith_dim_field((cc_shape_dim *)v, f[i].var);
        if (val < f[i].min)
            return cc_error_set(err, CC_EINVAL, "%s must be positive (got %ld)", f[i].name, val);
        if (val > CC_DIM_MAX)
            return cc_error_set(err, CC_ERANGE, "%s %ld exceeds the limit of %ld", f[i].name, val,
                                CC_DIM_MAX);
    }
    if (q->unknown != CC_VAR_PADDING && q->padding == CC_PADDING_EXPLICIT) {
        if (v->pad_begin < 0 || v->pad_end < 0)
            return cc_error_set(err, CC_EINVAL, "padding must not be negative (got %ld, %ld)",
                                v->pad_begin, v->pad_end);
        if (v->pad_begin > CC_DIM_MAX || v->pad_end > CC_DIM_MAX)
            return cc_error_set(err, CC_ERANGE, "padding exceeds the limit of %ld", CC_DIM_MAX);
    }
    if (v->output_padding < 0 || v->output_padding > CC_DIM_MAX)
        return cc_error_set(err, v->output_padding < 0 ? CC_EINVAL : CC_ERANGE,
                            "output padding must be 0 to %ld (got %ld)", CC_DIM_MAX,
                            v->output_padding);
    if (q->kind != CC_SHAPE_TCONV && v->output_padding != 0)
        return cc_error_set(err, CC_EINVAL, "output padding belongs to transposed convolution");
    return 0;
}

static int same_dim(const cc_shape_dim *a, const cc_shape_dim *b, cc_shape_var unknown)
{
    cc_shape_dim x = *a, y = *b;
    long *fx = arith_dim_field(&x, unknown), *fy = arith_dim_field(&y, unknown);
    if (fx)
        *fx = *fy = 0;
    if (unknown == CC_VAR_PADDING)
        x.pad_begin = x.pad_end = y.pad_begin = y.pad_end = 0;
    return memcmp(&x, &y, sizeof x) == 0;
}

static int add_constraints(cc_shape_answer *a)
{
    const cc_shape_query *q = &a->query;
    int rc = 0;
#define C(...) do { if (!rc) rc = arith_list_add(&a->constraints, &a->nconstraints, __VA_ARGS__); } while (0)
    if (a->square)
        C("square: height and width are the same, so one equation gives both");
    else if (q->ndims == 2)
        C("height and width solved separately");
    if (a->solved == CC_VAR_KERNEL)
        C(q->odd_kernel ? "odd kernel: only odd sizes count" : "any kernel size (odd or even)");
    if (a->solved == CC_VAR_PADDING)
        C(q->per_side ? "padding per side: P is the total, P_b = floor(P/2) before and "
                        "P_e = P - P_b after (the extra one at the end, as SAME_UPPER)"
                      : "symmetric padding: the same P on both sides");
    if (q->padding == CC_PADDING_SAME && a->solved != CC_VAR_PADDING)
        C("same padding: output = ceil(input/stride); an odd total padding puts the extra "
          "one at the end (SAME_UPPER)");
    if (q->kind == CC_SHAPE_POOL) {
        C("pooling: the padding is at most half the window (as PyTorch requires)");
        if (q->ceil_mode)
            C("ceil_mode: the division rounds up, but a window that would start in the "
              "right padding is dropped (as PyTorch does)");
    }
    if (q->kind == CC_SHAPE_TCONV)
        C("transposed convolution: output padding smaller than the stride or the dilation");
    if (a->solved != CC_VAR_OUTPUT && a->solved != CC_VAR_PADDING && a->solved != CC_VAR_INPUT)
        C("whole numbers only");
#undef C
    return rc;
}

int cc_shape_solve(cc_shape_answer *a, const cc_shape_query *q, cc_error *err)
{
    cc_shape_answer_free(a);
    if (q->ndims != 1 && q->ndims != 2)
        return cc_error_set(err, CC_EINVAL, "a question has 1 or 2 dimensions (got %d)", q->ndims);
    if (q->kind != CC_SHAPE_CONV && q->kind != CC_SHAPE_POOL && q->kind != CC_SHAPE_TCONV)
        return cc_error_set(err, CC_EINVAL, "unknown layer kind");
    if (q->unknown < CC_VAR_NONE || q->unknown > CC_VAR_OUTPUT)
        return cc_error_set(err, CC_EINVAL, "unknown quantity to solve for");
    if (q->kind == CC_SHAPE_TCONV && q->padding == CC_PADDING_SAME)
        return cc_error_set(err, CC_EINVAL,
                            "'same' padding is defined for convolution and pooling only");
    a->query = *q;
    cc_shape_query *aq = &a->query;
    if (aq->ndims == 1)
        aq->dim[1] = aq->dim[0];
    a->solved = q->unknown == CC_VAR_NONE ? CC_VAR_OUTPUT : q->unknown;
    a->square = aq->ndims == 2 && same_dim(&aq->dim[0], &aq->dim[1], q->unknown);
    a->ndims = aq->ndims == 2 && !a->square ? 2 : 1;
    int rc = 0;
    for (int d = 0; d < a->ndims && !rc; d++)
        rc = check_known(aq, d, err);
    if (rc)
        return rc;
    a->found = 1;
    for (int d = 0; d < a->ndims; d++) {
        cc_shape_dim_answer *da = &a->dim[d];
        if (a->solved == CC_VAR_OUTPUT) {
            long o;
            rc = arith_forward(aq, d, CC_VAR_NONE, 0, &o, &da->pad_begin, &da->pad_end, err);
            if (rc)
                return rc;
            da->found = 1;
            da->lo = da->hi = o;
            da->step = 1;
            da->count = 1;
            da->output = o;
            if (q->unknown == CC_VAR_NONE && aq->dim[d].output > 0) {
                a->checked = 1;
                if (o != aq->dim[d].output) {
                    da->nnear = 1;
                    da->near[0].value = aq->dim[d].output;
                    da->near[0].output = o;
                }
            }
        } else {
            rc = solve_dim(da, aq, d, a->solved, err);
            if (rc)
                return rc;
            /* an even kernel that works when only odd ones count */
            if (!da->found && a->solved == CC_VAR_KERNEL && aq->odd_kernel) {
                cc_shape_query q2 = *aq;
                q2.odd_kernel = 0;
                cc_shape_dim_answer d2;
                memset(&d2, 0, sizeof d2);
                if (solve_dim(&d2, &q2, d, a->solved, NULL) == 0 && d2.found)
                    add_near(da, &q2, d, a->solved, d2.lo);
            }
        }
        if (!da->found)
            a->found = 0;
    }
    if (a->checked) {
        a->matches = 1;
        for (int d = 0; d < a->ndims; d++)
            if (a->dim[d].nnear)
                a->matches = 0;
    }
    if (a->ndims == 1)
        a->dim[1] = a->dim[0];
    /* fill in a unique solution */
    for (int d = 0; d < 2; d++) {
        cc_shape_dim_answer *da = &a->dim[d];
        if (!da->found || da->count != 1 || da->unbounded)
            continue;
        cc_shape_dim *v = &aq->dim[d];
        if (a->solved == CC_VAR_PADDING) {
            v->pad_begin = da->pad_begin;
            v->pad_end = da->pad_end;
        } else if (a->solved == CC_VAR_OUTPUT) {
            if (q->unknown == CC_VAR_OUTPUT || v->output == 0)
                v->output = da->lo;
        } else {
            *arith_dim_field(v, a->solved) = da->lo;
        }
    }
    rc = add_constraints(a);
    if (rc)
        return cc_error_set(err, rc, "out of memory");
    for (int d = 0; d < a->ndims && !rc; d++)
        rc = arith_dim_steps(a, d, a->ndims == 2 ? (d == 0 ? "height: " : "width: ") : "");
    if (rc)
        return cc_error_set(err, rc, "out of memory");
    return 0;
}
