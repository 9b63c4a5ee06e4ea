/* kinds.c - every kind of problem: its parameters, its expected answer
 * (computed with arith, walk and stack: no answer is stored), its worked
 * solution, the mistakes it recognises, and grading. */
#include "ex_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/arith.h"
#include "convcalc/matrix.h"
#include "convcalc/stack.h"
#include "convcalc/walk.h"
#include "results.h"

/* ---- the kinds ------------------------------------------------------------- */

#define EXPLAIN "explain"
static const char *const p_convolve[] = {"image", "kernel", "padding", "stride", "dilation",
                                         "mode", "bias", EXPLAIN, NULL};
static const char *const r_convolve[] = {"image", "kernel", NULL};
static const char *const p_outsize[] = {"input", "kernel", "stride", "padding", "dilation",
                                        EXPLAIN, NULL};
static const char *const r_in_kernel[] = {"input", "kernel", NULL};
static const char *const p_same[] = {"input", "kernel", "dilation", EXPLAIN, NULL};
static const char *const p_kernel[] = {"input", "output", "stride", "padding", "dilation",
                                       "odd", EXPLAIN, NULL};
static const char *const r_kernel[] = {"input", "output", NULL};
static const char *const p_pool[] = {"input", "kernel", "stride", "padding", "ceil", EXPLAIN,
                                     NULL};
static const char *const p_tconv[] = {"input", "kernel", "stride", "padding", "output-padding",
                                      "dilation", EXPLAIN, NULL};
static const char *const p_stack[] = {"stack", "input", EXPLAIN, NULL};
static const char *const r_stack[] = {"stack", NULL};
static const char *const p_choice[] = {EXPLAIN, NULL};
static const char *const p_results[] = {"stack", "input", "data", "tolerance", EXPLAIN, NULL};
static const char *const r_results[] = {"stack", "data", NULL};

#define HINT_SIZE "a size such as 28x28 (or 28 for a square)"
#define HINT_COUNT "a whole number (390410, 390,410 and 390 410 all count)"
static const ex_kind_info kinds[CC_EX_KIND_COUNT] = {
    [CC_EX_CONVOLVE] = {"convolve", "a matrix: numbers in rows, rows separated by ';' or new lines",
                        1, p_convolve, r_convolve},
    [CC_EX_OUTPUT_SIZE] = {"output-size", HINT_SIZE, 0, p_outsize, r_in_kernel},
    [CC_EX_SAME_PADDING] = {"same-padding", "the padding on each side, a number such as 2", 0,
                            p_same, r_in_kernel},
    [CC_EX_KERNEL_SIZE] = {"kernel-size", "a kernel size such as 3x3 (or 3)", 0, p_kernel,
                           r_kernel},
    [CC_EX_POOL_SIZE] = {"pool-size", HINT_SIZE, 0, p_pool, r_in_kernel},
    [CC_EX_STACK_SHAPE] = {"stack-shape", "a shape: height x width x channels, such as 6x6x128",
                           0, p_stack, r_stack},
    [CC_EX_PARAMS] = {"params", HINT_COUNT, 0, p_stack, r_stack},
    [CC_EX_RECEPTIVE_FIELD] = {"receptive-field", "a size in input pixels such as 7x7 (or 7)",
                               0, p_stack, r_stack},
    [CC_EX_TCONV_SIZE] = {"tconv-size", HINT_SIZE, 0, p_tconv, r_in_kernel},
    [CC_EX_MACS] = {"macs", HINT_COUNT, 0, p_stack, r_stack},
    [CC_EX_CHOICE] = {"choice", "the letter of one choice, such as c", 0, p_choice, NULL},
    [CC_EX_RESULTS] = {"results",
                       "the model file and the reported numbers: 'model FILE', then lines "
                       "'train|val|test loss X accuracy Y'",
                       1, p_results, r_results},
};

const ex_kind_info *ex_kind(cc_exkind k)
{
    return &kinds[(unsigned)k < CC_EX_KIND_COUNT ? k : 0];
}

const char *cc_exkind_name(cc_exkind kind)
{
    return (unsigned)kind < CC_EX_KIND_COUNT ? kinds[kind].name : "unknown";
}

const char *cc_verdict_name(cc_verdict v)
{
    switch (v) {
    case CC_VERDICT_RIGHT: return "right";
    case CC_VERDICT_WRONG: return "wrong";
    case CC_VERDICT_MISSING: return "missing";
    }
    return "unknown";
}

static const struct {
    const char *name, *text;
} mistakes[CC_MISTAKE_COUNT] = {
    [CC_MISTAKE_NONE] = {"", ""},
    [CC_MISTAKE_KERNEL_NOT_FLIPPED] = {"kernel-not-flipped",
                                       "the kernel was not flipped by 180 degrees: this is "
                                       "cross-correlation, not convolution"},
    [CC_MISTAKE_OFF_BY_ONE] = {"off-by-one",
                               "off by one: the +1 of the size formula (O = (I + 2P - F)/S + 1) "
                               "was left out or added twice"},
    [CC_MISTAKE_ONE_SIDED_PADDING] = {"one-sided-padding",
                                      "padding counted on one side only: it is added on both "
                                      "sides (2P)"},
    [CC_MISTAKE_FLOOR_CEIL] = {"floor-vs-ceil",
                               "rounded the wrong way: the division rounds down (floor) unless "
                               "ceil mode is asked for"},
    [CC_MISTAKE_BIAS_PER_INPUT] = {"bias-per-input-channel",
                                   "biases counted per input channel: there is one bias per "
                                   "filter (output channel)"},
    [CC_MISTAKE_BIAS_FORGOTTEN] = {"bias-forgotten",
                                   "the biases were left out: each filter and each output unit "
                                   "has one"},
    [CC_MISTAKE_POOL_PARAMS] = {"pooling-parameters",
                                "pooling layers were given parameters: pooling has none"},
    [CC_MISTAKE_NO_PADDING] = {"padding-ignored", "the padding was left out"},
    [CC_MISTAKE_DILATION_IGNORED] = {"dilation-ignored",
                                     "the dilation was ignored: a kernel F with dilation D "
                                     "spans D*(F-1)+1 pixels"},
    [CC_MISTAKE_TRANSPOSED_AS_CONV] = {"transposed-as-convolution",
                                       "the formula of an ordinary convolution was used: a "
                                       "transposed convolution gives O = (I-1)*S - 2P + "
                                       "D*(F-1) + output_padding + 1"},
    [CC_MISTAKE_STRIDE_IGNORED] = {"stride-ignored",
                                   "the stride was ignored (or, for receptive fields, the jump "
                                   "of earlier strides)"},
    [CC_MISTAKE_MACS_AS_FLOPS] = {"macs-as-flops",
                                  "multiplies and adds counted separately: one multiply-"
                                  "accumulate (MAC) is one of each"},
    [CC_MISTAKE_HEIGHT_WIDTH_SWAPPED] = {"height-width-swapped",
                                         "height and width swapped (sizes are height x width)"},
};

const char *cc_mistake_name(cc_mistake m)
{
    return (unsigned)m < CC_MISTAKE_COUNT ? mistakes[m].name : "";
}
const char *cc_mistake_text(cc_mistake m)
{
    return (unsigned)m < CC_MISTAKE_COUNT ? mistakes[m].text : "";
}

/* ---- expected answers ------------------------------------------------------ */

typedef enum { ANS_SIZE, ANS_COUNT, ANS_MATRIX, ANS_CHOICE, ANS_RESULTS } ans_type;

#define MAX_ALTS 24
#define MAX_ACCEPT 64

typedef struct ex_alt {
    cc_mistake m;
    int n;
    long v[3];
    int64_t count;
    cc_matrix mat; /* has data when a matrix */
} ex_alt;

typedef struct ex_expect {
    ans_type type;
    int n;               /* size: how many numbers (1..3) */
    long v[3];
    int square_ok;       /* a single number means n equal numbers */
    int naccept;         /* size: further acceptable answers (several kernels) */
    long accept[MAX_ACCEPT][2];
    int64_t count;
    cc_matrix mat;
    int choice;
    ex_alt alts[MAX_ALTS];
    int nalts;
    cc_buf steps;        /* the derivation, text, one step a line */
    cc_walk *walk;       /* convolve */
    cc_stack *stack;     /* stack kinds */
} ex_expect;

static void expect_free(ex_expect *e)
{
    cc_matrix_free(&e->mat);
    for (int i = 0; i < e->nalts; i++)
        cc_matrix_free(&e->alts[i].mat);
    cc_buf_free(&e->steps);
    cc_walk_free(e->walk);
    cc_stack_free(e->stack);
    memset(e, 0, sizeof *e);
}

static void add_size_alt(ex_expect *e, cc_mistake m, int n, const long *v)
{
    if (e->nalts >= MAX_ALTS)
        return;
    int same = n == e->n;
    for (int i = 0; same && i < n; i++)
        same = v[i] == e->v[i];
    if (same)
        return;
    ex_alt *a = &e->alts[e->nalts++];
    memset(a, 0, sizeof *a);
    a->m = m;
    a->n = n;
    memcpy(a->v, v, (size_t)n * sizeof *v);
}

static void add_count_alt(ex_expect *e, cc_mistake m, int64_t c)
{
    if (e->nalts >= MAX_ALTS || c == e->count || c < 0)
        return;
    ex_alt *a = &e->alts[e->nalts++];
    memset(a, 0, sizeof *a);
    a->m = m;
    a->count = c;
}

/* ---- parameters ------------------------------------------------------------- */

static int get_pair(const ex_problem *p, const char *name, long def, long min, long v[2],
                    cc_error *err)
{
    const ex_param *pr = ex_param_find(p, name);
    if (!pr) {
        v[0] = v[1] = def;
        return 0;
    }
    const char *s = pr->value ? pr->value : pr->raw;
    long t[3];
    char why[200];
    /* strict: N or HxW */
    const char *q = s;
    int digits = 0, xs = 0, ok = 1;
    while (*q == ' ')
        q++;
    for (; *q && ok; q++) {
        if (isdigit((unsigned char)*q))
            digits++;
        else if ((*q == 'x' || *q == 'X') && digits && !xs && isdigit((unsigned char)q[1]))
            xs = 1;
        else if (*q != ' ' || q[1])
            ok = 0;
    }
    if (!ok || !digits)
        return ex_param_error(err, CC_EINVAL, pr, 0, 0,
                              "%s: '%s' is not a size (expected N or HxW)", name, s);
    int n = ex_parse_size(s, t, why, sizeof why);
    if (n < 1 || n > 2)
        return ex_param_error(err, CC_EINVAL, pr, 0, 0, "%s: %s (expected N or HxW)", name,
                              n > 2 ? "too many numbers" : why);
    v[0] = t[0];
    v[1] = n == 2 ? t[1] : t[0];
    if (v[0] < min || v[1] < min)
        return ex_param_error(err, CC_EINVAL, pr, 0, 0, "%s must be at least %ld", name, min);
    return 0;
}

static int get_bool(const ex_problem *p, const char *name, int def, int *out, cc_error *err)
{
    const ex_param *pr = ex_param_find(p, name);
    if (!pr) {
        *out = def;
        return 0;
    }
    const char *s = pr->value;
    if (!strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "on"))
        *out = 1;
    else if (!strcmp(s, "no") || !strcmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "off"))
        *out = 0;
    else
        return ex_param_error(err, CC_EINVAL, pr, 0, 0, "%s: expected yes or no", name);
    return 0;
}

static void fmt_size(cc_buf *b, int n, const long *v)
{
    for (int i = 0; i < n; i++)
        cc_buf_printf(b, i ? "x%ld" : "%ld", v[i]);
}

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
        rc = get_pair(p, "input", 1, 1, d->in, err);
    if (!rc && ex_param_find(p, "kernel"))
        rc = get_pair(p, "kernel", 1, 1, d->k, err);
    if (!rc)
        rc = get_pair(p, "stride", p->kind == CC_EX_POOL_SIZE ? 0 : 1, 1, d->s, err);
    if (!rc && p->kind == CC_EX_POOL_SIZE && d->s[0] == 0) {
        d->s[0] = d->k[0];
        d->s[1] = d->k[1];
    }
    if (!rc)
        rc = get_pair(p, "padding", 0, 0, d->p, err);
    if (!rc)
        rc = get_pair(p, "dilation", 1, 1, d->d, err);
    if (!rc)
        rc = get_pair(p, "output-padding", 0, 0, d->op, err);
    if (!rc && ex_param_find(p, "output"))
        rc = get_pair(p, "output", 1, 1, d->out, err);
    if (!rc)
        rc = get_bool(p, "ceil", 0, &d->ceil, err);
    if (!rc)
        rc = get_bool(p, "odd", 1, &d->odd, err);
    return rc;
}

/* One forward size with the layer's own formula (through arith). */
static int fwd(cc_exkind kind, long in, long k, long s, long pb, long pe, long dil, long op,
               int ceil_mode, long *out)
{
    cc_error e;
    switch (kind) {
    case CC_EX_POOL_SIZE: return cc_pool_out(out, in, k, s, pb, pe, dil, ceil_mode, &e);
    case CC_EX_TCONV_SIZE: return cc_tconv_out(out, in, k, s, pb, pe, dil, op, &e);
    default: return cc_conv_out(out, in, k, s, pb, pe, dil, &e);
    }
}

enum tweak { TW_NONE, TW_ONE_SIDED, TW_NO_PAD, TW_NO_DIL, TW_NO_STRIDE, TW_CEIL, TW_AS_CONV };

/* The output size of dims d along dim i as a student with mistake tw would
 * compute it. Returns 0 and sets *out, or nonzero when it does not apply. */
static int fwd_tweaked(cc_exkind kind, const dims *d, int i, int tw, long *out)
{
    long in = d->in[i], k = d->k[i], s = d->s[i], p = d->p[i], dil = d->d[i], op = d->op[i];
    int ceil_mode = d->ceil;
    switch (tw) {
    case TW_ONE_SIDED:
        if (p == 0)
            return -1;
        return fwd(kind, in, k, s, p, 0, dil, op, ceil_mode, out);
    case TW_NO_PAD:
        if (p == 0)
            return -1;
        return fwd(kind, in, k, s, 0, 0, dil, op, ceil_mode, out);
    case TW_NO_DIL:
        if (dil == 1)
            return -1;
        return fwd(kind, in, k, s, p, p, 1, op, ceil_mode, out);
    case TW_NO_STRIDE:
        if (s == 1)
            return -1;
        return fwd(kind, in, k, 1, p, p, dil, kind == CC_EX_TCONV_SIZE ? 0 : op, ceil_mode, out);
    case TW_CEIL: {
        if (kind == CC_EX_POOL_SIZE)
            return fwd(kind, in, k, s, p, p, dil, op, !ceil_mode, out);
        if (kind != CC_EX_OUTPUT_SIZE)
            return -1;
        long span = in + 2 * p - (dil * (k - 1) + 1);
        if (span < 0 || span % s == 0)
            return -1;
        *out = (span + s - 1) / s + 1;
        return 0;
    }
    case TW_AS_CONV:
        if (kind != CC_EX_TCONV_SIZE)
            return -1;
        return fwd(CC_EX_OUTPUT_SIZE, in, k, s, p, p, dil, 0, 0, out);
    default: return fwd(kind, in, k, s, p, p, dil, op, ceil_mode, out);
    }
}

static void copy_steps(ex_expect *e, const cc_shape_answer *a)
{
    for (size_t i = 0; i < a->nconstraints; i++)
        cc_buf_printf(&e->steps, "(%s)\n", a->constraints[i]);
    for (size_t i = 0; i < a->nsteps; i++)
        cc_buf_printf(&e->steps, "%s\n", a->steps[i]);
}

static void size_alts(ex_expect *e, cc_exkind kind, const dims *d)
{
    static const struct {
        int tw;
        cc_mistake m;
    } tws[] = {
        {TW_AS_CONV, CC_MISTAKE_TRANSPOSED_AS_CONV}, {TW_ONE_SIDED, CC_MISTAKE_ONE_SIDED_PADDING},
        {TW_CEIL, CC_MISTAKE_FLOOR_CEIL},            {TW_NO_PAD, CC_MISTAKE_NO_PADDING},
        {TW_NO_DIL, CC_MISTAKE_DILATION_IGNORED},    {TW_NO_STRIDE, CC_MISTAKE_STRIDE_IGNORED},
    };
    for (size_t t = 0; t < sizeof tws / sizeof tws[0]; t++) {
        long v[2];
        if (fwd_tweaked(kind, d, 0, tws[t].tw, &v[0]) == 0 &&
            fwd_tweaked(kind, d, 1, tws[t].tw, &v[1]) == 0)
            add_size_alt(e, tws[t].m, 2, v);
    }
    long v[2] = {e->v[0] - 1, e->v[1] - 1};
    if (v[0] >= 1 && v[1] >= 1)
        add_size_alt(e, CC_MISTAKE_OFF_BY_ONE, 2, v);
    long w[2] = {e->v[0] + 1, e->v[1] + 1};
    add_size_alt(e, CC_MISTAKE_OFF_BY_ONE, 2, w);
    if (e->v[0] != e->v[1]) {
        long sw[2] = {e->v[1], e->v[0]};
        add_size_alt(e, CC_MISTAKE_HEIGHT_WIDTH_SWAPPED, 2, sw);
    }
}

static int solve_size(ex_expect *e, const ex_problem *p, cc_error *err)
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
        add_size_alt(e, CC_MISTAKE_ONE_SIDED_PADDING, 2, v);
        if (d.d[0] > 1 || d.d[1] > 1) {
            long w[2] = {(d.k[0] - 1) / 2, (d.k[1] - 1) / 2};
            add_size_alt(e, CC_MISTAKE_DILATION_IGNORED, 2, w);
        }
        long u[2] = {e->v[0] + 1, e->v[1] + 1}, l[2] = {e->v[0] - 1, e->v[1] - 1};
        add_size_alt(e, CC_MISTAKE_OFF_BY_ONE, 2, u);
        if (l[0] >= 0 && l[1] >= 0)
            add_size_alt(e, CC_MISTAKE_OFF_BY_ONE, 2, l);
    } else if (p->kind == CC_EX_KERNEL_SIZE) {
        long v[2];
        for (int i = 0; i < 2; i++) /* F = I + 2P - (O-1)S, with one P */
            v[i] = d.in[i] + d.p[i] - (d.out[i] - 1) * d.s[i];
        if (d.p[0] || d.p[1])
            add_size_alt(e, CC_MISTAKE_ONE_SIDED_PADDING, 2, v);
        for (int i = 0; i < 2; i++)
            v[i] = d.in[i] - (d.out[i] - 1) * d.s[i];
        if (d.p[0] || d.p[1])
            add_size_alt(e, CC_MISTAKE_NO_PADDING, 2, v);
        for (int i = 0; i < 2; i++)
            v[i] = d.in[i] + 2 * d.p[i] - d.out[i] + 1;
        if (d.s[0] > 1 || d.s[1] > 1)
            add_size_alt(e, CC_MISTAKE_STRIDE_IGNORED, 2, v);
        long u[2] = {e->v[0] - 1, e->v[1] - 1}, w[2] = {e->v[0] + 1, e->v[1] + 1};
        if (u[0] >= 1 && u[1] >= 1)
            add_size_alt(e, CC_MISTAKE_OFF_BY_ONE, 2, u);
        add_size_alt(e, CC_MISTAKE_OFF_BY_ONE, 2, w);
    } else {
        size_alts(e, p->kind, &d);
    }
    return 0;
}

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

static int is_pool(const cc_layer *l)
{
    return l->kind == CC_LAYER_MAXPOOL || l->kind == CC_LAYER_AVGPOOL;
}

static long layer_stride(const cc_layer *l, int w)
{
    long s = w ? l->stride_w : l->stride_h;
    if (s == 0)
        s = w ? l->kernel_w : l->kernel_h;
    return s;
}

static void stack_layer_line(cc_buf *b, const cc_layer *l, size_t i)
{
    cc_buf_printf(b, "%zu. ", i + 1);
    if (l->name[0])
        cc_buf_printf(b, "%s (", l->name);
    cc_layer_describe(b, l);
    if (l->name[0])
        cc_buf_puts(b, ")");
}

static int solve_stack_shape(ex_expect *e, const ex_problem *p, cc_error *err)
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
        stack_layer_line(&e->steps, l, i);
        cc_buf_puts(&e->steps, ": ");
        cc_shape_format(&e->steps, &l->in);
        cc_buf_puts(&e->steps, " -> ");
        cc_shape_format(&e->steps, &l->out);
        if ((l->kind == CC_LAYER_CONV || is_pool(l)) && l->in.rank == 3) {
            long eh = l->dilation_h * (l->kernel_h - 1) + 1;
            cc_buf_printf(&e->steps, "   %s((%ld + %ld + %ld - %ld) / %ld) + 1 = %ld",
                          l->ceil_mode ? "ceil" : "floor", l->in.h, l->pad_top, l->pad_bottom, eh,
                          layer_stride(l, 0), l->out.h);
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
    /* the chain again with each mistaken rule, where only convolution,
     * pooling and shape-keeping layers come in between */
    static const struct {
        int tw;
        cc_mistake m;
    } tws[] = {{TW_ONE_SIDED, CC_MISTAKE_ONE_SIDED_PADDING},
               {TW_CEIL, CC_MISTAKE_FLOOR_CEIL},
               {TW_NO_PAD, CC_MISTAKE_NO_PADDING},
               {TW_NO_STRIDE, CC_MISTAKE_STRIDE_IGNORED},
               {TW_NO_DIL, CC_MISTAKE_DILATION_IGNORED},
               {-1, CC_MISTAKE_OFF_BY_ONE}};
    for (size_t t = 0; t < sizeof tws / sizeof tws[0]; t++) {
        long h = s->input.h, w = s->input.w;
        int ok = s->input.rank == 3;
        for (size_t i = 0; ok && i < s->n; i++) {
            const cc_layer *l = &s->layers[i];
            if (l->out.rank != 3) {
                ok = 0;
                break;
            }
            if (l->kind != CC_LAYER_CONV && !is_pool(l)) {
                if (l->out.h != l->in.h || l->out.w != l->in.w)
                    ok = 0;
                continue;
            }
            cc_exkind k = is_pool(l) ? CC_EX_POOL_SIZE : CC_EX_OUTPUT_SIZE;
            long nh = 0, nw = 0;
            for (int dd = 0; dd < 2 && ok; dd++) {
                dims d = {0};
                d.in[0] = dd ? w : h;
                d.k[0] = dd ? l->kernel_w : l->kernel_h;
                d.s[0] = layer_stride(l, dd);
                d.p[0] = dd ? l->pad_left : l->pad_top;
                if ((dd ? l->pad_right : l->pad_bottom) != d.p[0]) {
                    ok = 0; /* asymmetric padding: no simple mistaken rule */
                    break;
                }
                d.d[0] = dd ? l->dilation_w : l->dilation_h;
                d.ceil = l->ceil_mode;
                long r;
                if (tws[t].tw < 0) {
                    if (fwd_tweaked(k, &d, 0, TW_NONE, &r))
                        ok = 0;
                    r -= 1; /* the +1 left out */
                    if (r < 1)
                        ok = 0;
                } else if (fwd_tweaked(k, &d, 0, tws[t].tw, &r) &&
                           fwd_tweaked(k, &d, 0, TW_NONE, &r)) {
                    ok = 0;
                }
                *(dd ? &nw : &nh) = r;
            }
            if (ok) {
                h = nh;
                w = nw;
            }
        }
        if (ok) {
            long v[3] = {h, w, o->c};
            add_size_alt(e, tws[t].m, 3, v);
        }
    }
    if (o->h != o->w) {
        long v[3] = {o->w, o->h, o->c};
        add_size_alt(e, CC_MISTAKE_HEIGHT_WIDTH_SWAPPED, 3, v);
    }
    return 0;
}

static int64_t layer_bias(const cc_layer *l)
{
    if (!l->bias || l->counts.params <= 0)
        return 0;
    if (l->kind == CC_LAYER_CONV)
        return l->filters;
    if (l->kind == CC_LAYER_LINEAR)
        return l->out_features;
    return 0;
}

static int64_t layer_inputs(const cc_layer *l)
{
    if (l->kind == CC_LAYER_CONV)
        return l->in.rank ? l->in.c : l->in_channels;
    if (l->kind == CC_LAYER_LINEAR) {
        if (l->in_features)
            return l->in_features;
        return l->in.rank == 3 ? l->in.c * l->in.h * l->in.w : l->in.c;
    }
    return 0;
}

static int solve_params(ex_expect *e, const ex_problem *p, cc_error *err)
{
    int rc = read_stack(e, p, err);
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
    int64_t bias = 0, per_in = 0, pool[5] = {0};
    int npool = 0, first = 1;
    cc_buf sum = {0};
    for (size_t i = 0; i < s->n; i++) {
        const cc_layer *l = &s->layers[i];
        if (l->counts.params > 0) {
            stack_layer_line(&e->steps, l, i);
            cc_buf_puts(&e->steps, ": ");
            cc_layer_param_formula(&e->steps, l, 0);
            cc_buf_putc(&e->steps, '\n');
            cc_buf_printf(&sum, first ? "%lld" : " + %lld", (long long)l->counts.params);
            first = 0;
        }
        int64_t b = layer_bias(l);
        if (b) {
            bias += b;
            per_in += layer_inputs(l);
        }
        if (is_pool(l) && l->in.rank == 3) {
            int64_t kk = (int64_t)l->kernel_h * l->kernel_w, c = l->in.c;
            pool[0] += kk * c;           /* a k x k window per channel */
            pool[1] += kk * c + c;       /* ... with a bias             */
            pool[2] += (kk * c + 1) * c; /* as if a convolution         */
            pool[3] += kk;               /* one shared window           */
            pool[4] += kk + 1;
            npool++;
        }
    }
    if (first)
        cc_buf_puts(&sum, "0");
    cc_buf_printf(&e->steps, "total: %s = %lld parameters\n", cc_buf_str(&sum),
                  (long long)e->count);
    cc_buf_free(&sum);
    if (bias) {
        add_count_alt(e, CC_MISTAKE_BIAS_FORGOTTEN, e->count - bias);
        add_count_alt(e, CC_MISTAKE_BIAS_PER_INPUT, e->count - bias + per_in);
    }
    for (int k = 0; npool && k < 5; k++)
        add_count_alt(e, CC_MISTAKE_POOL_PARAMS, e->count + pool[k]);
    return 0;
}

static int solve_macs(ex_expect *e, const ex_problem *p, cc_error *err)
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
        stack_layer_line(&e->steps, l, i);
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
    add_count_alt(e, CC_MISTAKE_MACS_AS_FLOPS, 2 * e->count);
    if (t.flops >= 0)
        add_count_alt(e, CC_MISTAKE_MACS_AS_FLOPS, t.flops);
    if (outputs)
        add_count_alt(e, CC_MISTAKE_MACS_AS_FLOPS, 2 * e->count + outputs);
    return 0;
}

static int solve_rf(ex_expect *e, const ex_problem *p, cc_error *err)
{
    int rc = read_stack(e, p, err);
    if (rc)
        return rc;
    cc_stack *s = e->stack;
    cc_rf rf[2], nostride[2], nodil[2];
    for (int d = 0; d < 2; d++) {
        cc_rf_init(&rf[d]);
        cc_rf_init(&nostride[d]);
        cc_rf_init(&nodil[d]);
    }
    cc_buf_puts(&e->steps, "r = r_prev + (D*(F-1)+1 - 1) * j_prev,  j = j_prev * S,  "
                           "starting from r = 1, j = 1\n");
    int dil_used = 0, stride_used = 0;
    for (size_t i = 0; i < s->n; i++) {
        const cc_layer *l = &s->layers[i];
        if (l->kind == CC_LAYER_LINEAR || l->kind == CC_LAYER_GLOBAL_AVGPOOL ||
            l->kind == CC_LAYER_ADAPTIVE_AVGPOOL || l->kind == CC_LAYER_FLATTEN ||
            l->kind == CC_LAYER_ADD || l->kind == CC_LAYER_CONCAT)
            return cc_error_at(err, CC_EINVAL, p->line, 1,
                               "problem %s: a receptive field is asked of a stack of "
                               "convolution and pooling layers (layer %zu is %s)",
                               p->id, i + 1, cc_layer_kind_name(l->kind));
        if (l->kind != CC_LAYER_CONV && !is_pool(l))
            continue;
        long before = rf[0].rf, jb = rf[0].jump;
        for (int d = 0; d < 2; d++) {
            long k = d ? l->kernel_w : l->kernel_h, st = layer_stride(l, d);
            long dil = d ? l->dilation_w : l->dilation_h;
            if (dil < 1)
                dil = 1;
            rc = cc_rf_step(&rf[d], k, st, dil, err);
            if (!rc)
                rc = cc_rf_step(&nostride[d], k, 1, dil, err);
            if (!rc)
                rc = cc_rf_step(&nodil[d], k, st, 1, err);
            if (rc)
                return rc;
            dil_used |= dil > 1;
            stride_used |= st > 1;
        }
        stack_layer_line(&e->steps, l, i);
        long kh = l->kernel_h, dh = l->dilation_h < 1 ? 1 : l->dilation_h;
        cc_buf_printf(&e->steps, ": r = %ld + %ld * %ld = %ld, j = %ld * %ld = %ld\n", before,
                      dh * (kh - 1), jb, rf[0].rf, jb, layer_stride(l, 0), rf[0].jump);
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
    long v[2];
    if (stride_used) {
        v[0] = nostride[0].rf;
        v[1] = nostride[1].rf;
        add_size_alt(e, CC_MISTAKE_STRIDE_IGNORED, 2, v);
    }
    if (dil_used) {
        v[0] = nodil[0].rf;
        v[1] = nodil[1].rf;
        add_size_alt(e, CC_MISTAKE_DILATION_IGNORED, 2, v);
    }
    v[0] = e->v[0] - 1;
    v[1] = e->v[1] - 1;
    if (v[0] >= 1 && v[1] >= 1)
        add_size_alt(e, CC_MISTAKE_OFF_BY_ONE, 2, v);
    v[0] = e->v[0] + 1;
    v[1] = e->v[1] + 1;
    add_size_alt(e, CC_MISTAKE_OFF_BY_ONE, 2, v);
    return 0;
}

/* ---- convolution by hand ------------------------------------------------------- */

static int read_matrix_param(const ex_problem *p, const char *name, cc_matrix *m, int builtin_image,
                             cc_error *err)
{
    const ex_param *pr = ex_param_find(p, name);
    if (strcmp(pr->value, "builtin") == 0 || strcmp(pr->value, "example") == 0) {
        cc_matrix img = {0}, ker = {0};
        cc_walk_spec spec;
        int rc = cc_walk_example(&img, &ker, &spec, err);
        if (rc)
            return rc;
        if (builtin_image) {
            *m = img;
            cc_matrix_free(&ker);
        } else {
            *m = ker;
            cc_matrix_free(&img);
        }
        return 0;
    }
    cc_error e2;
    cc_error_clear(&e2);
    int rc = cc_matrix_parse(m, pr->value, strlen(pr->value), &e2);
    if (rc)
        return ex_param_error(err, rc, pr, e2.line, e2.col, "%s: %s", name, e2.msg);
    return 0;
}

static int build_walk(cc_walk **out, const ex_problem *p, int flip_mode, int no_pad,
                      cc_error *err)
{
    cc_matrix img = {0}, ker = {0};
    double *bias = NULL;
    int rc = read_matrix_param(p, "image", &img, 1, err);
    if (!rc)
        rc = read_matrix_param(p, "kernel", &ker, 0, err);
    cc_walk_spec spec;
    cc_walk_spec_init(&spec);
    long v[2];
    if (!rc) {
        /* a kernel of one channel for a one-channel image is read as one
         * filter; a multi-channel kernel as one filter of C channels */
        if (ker.n == 1 && ker.c != img.c && img.c == 1) {
            ker.n = ker.c;
            ker.c = 1;
        }
        spec.input = &img;
        spec.kernels = &ker;
        rc = get_pair(p, "stride", 1, 1, v, err);
        spec.stride_h = v[0];
        spec.stride_w = v[1];
    }
    if (!rc) {
        rc = get_pair(p, "dilation", 1, 1, v, err);
        spec.dilation_h = v[0];
        spec.dilation_w = v[1];
    }
    const ex_param *pp = ex_param_find(p, "padding");
    if (!rc && pp) {
        if (!strcmp(pp->value, "same"))
            spec.pad_kind = CC_PAD_SAME;
        else if (!strcmp(pp->value, "valid"))
            spec.pad_kind = CC_PAD_VALID;
        else if (!strcmp(pp->value, "full"))
            spec.pad_kind = CC_PAD_FULL;
        else {
            rc = get_pair(p, "padding", 0, 0, v, err);
            spec.pad_top = spec.pad_bottom = v[0];
            spec.pad_left = spec.pad_right = v[1];
        }
    }
    if (!rc && no_pad)
        spec.pad_kind = CC_PAD_VALID;
    const ex_param *mp = ex_param_find(p, "mode");
    if (!rc && mp && cc_conv_mode_parse(mp->value, &spec.mode) != 0)
        rc = ex_param_error(err, CC_EINVAL, mp, 0, 0, "mode: expected convolution or correlation");
    if (!rc && flip_mode)
        spec.mode = spec.mode == CC_MODE_CONVOLUTION ? CC_MODE_CORRELATION : CC_MODE_CONVOLUTION;
    const ex_param *bp = ex_param_find(p, "bias");
    if (!rc && bp) {
        cc_matrix bm = {0};
        cc_error e2;
        rc = cc_matrix_parse(&bm, bp->value, strlen(bp->value), &e2);
        if (rc || (long)cc_matrix_size(&bm) != ker.n)
            rc = ex_param_error(err, CC_EINVAL, bp, 0, 0, "bias: expected %ld number(s), one per "
                                "filter", ker.n);
        else if (!(bias = malloc(cc_matrix_size(&bm) * sizeof *bias)))
            rc = cc_error_set(err, CC_ENOMEM, "out of memory");
        else
            memcpy(bias, bm.data, cc_matrix_size(&bm) * sizeof *bias);
        cc_matrix_free(&bm);
        spec.bias = bias;
    }
    if (!rc) {
        cc_error e2;
        cc_error_clear(&e2);
        rc = cc_walk_new(out, &spec, &e2);
        if (rc)
            rc = cc_error_at(err, rc, p->line, 1, "problem %s: %s", p->id, e2.msg);
    }
    cc_matrix_free(&img);
    cc_matrix_free(&ker);
    free(bias);
    return rc;
}

static int solve_convolve(ex_expect *e, const ex_problem *p, cc_error *err)
{
    int rc = build_walk(&e->walk, p, 0, 0, err);
    if (rc)
        return rc;
    e->type = ANS_MATRIX;
    rc = cc_matrix_copy(&e->mat, cc_walk_output(e->walk), err);
    if (rc)
        return rc;
    cc_walk_render_opts o;
    cc_walk_render_opts_init(&o);
    o.format = CC_FORMAT_TEXT;
    rc = cc_walk_render(&e->steps, e->walk, &o, err);
    if (rc)
        return rc;
    /* the same with the kernel as written (not flipped), and unpadded */
    for (int t = 0; t < 2; t++) {
        cc_walk *w2 = NULL;
        cc_error e2;
        if (build_walk(&w2, p, t == 0, t == 1, &e2) == 0 && e->nalts < MAX_ALTS) {
            ex_alt *a = &e->alts[e->nalts];
            memset(a, 0, sizeof *a);
            a->m = t == 0 ? CC_MISTAKE_KERNEL_NOT_FLIPPED : CC_MISTAKE_NO_PADDING;
            if (!cc_matrix_equal(cc_walk_output(w2), &e->mat) &&
                cc_matrix_copy(&a->mat, cc_walk_output(w2), &e2) == 0)
                e->nalts++;
        }
        cc_walk_free(w2);
    }
    return 0;
}

/* ---- every kind -------------------------------------------------------------- */

static int solve(ex_expect *e, const cc_exset *set, const ex_problem *p, cc_error *err)
{
    memset(e, 0, sizeof *e);
    int rc;
    switch (p->kind) {
    case CC_EX_CONVOLVE: rc = solve_convolve(e, p, err); break;
    case CC_EX_OUTPUT_SIZE:
    case CC_EX_SAME_PADDING:
    case CC_EX_KERNEL_SIZE:
    case CC_EX_POOL_SIZE:
    case CC_EX_TCONV_SIZE: rc = solve_size(e, p, err); break;
    case CC_EX_STACK_SHAPE: rc = solve_stack_shape(e, p, err); break;
    case CC_EX_PARAMS: rc = solve_params(e, p, err); break;
    case CC_EX_MACS: rc = solve_macs(e, p, err); break;
    case CC_EX_RECEPTIVE_FIELD: rc = solve_rf(e, p, err); break;
    case CC_EX_CHOICE:
        e->type = ANS_CHOICE;
        e->choice = p->key;
        cc_buf_printf(&e->steps, "The answer is (%c) %s.\n", 'a' + p->key, p->choices[p->key]);
        rc = 0;
        break;
    case CC_EX_RESULTS:
        e->type = ANS_RESULTS;
        rc = ex_results_solve(&e->steps, &e->count, set, p, err);
        break;
    default: rc = cc_error_set(err, CC_EINTERNAL, "unknown kind"); break;
    }
    const char *explain = ex_value(p, EXPLAIN);
    if (!rc && explain)
        cc_buf_printf(&e->steps, "%s\n", explain);
    if (!rc && cc_buf_failed(&e->steps))
        rc = cc_error_set(err, CC_ENOMEM, "out of memory");
    if (rc)
        expect_free(e);
    return rc;
}

int ex_problem_validate(const cc_exset *set, const ex_problem *p, cc_error *err)
{
    ex_expect e;
    int rc = solve(&e, set, p, err);
    if (!rc)
        expect_free(&e);
    return rc;
}

static void matrix_line(cc_buf *b, const cc_matrix *m)
{
    for (long n = 0; n < m->n; n++)
        for (long c = 0; c < m->c; c++) {
            if (n || c)
                cc_buf_puts(b, " | ");
            for (long r = 0; r < m->rows; r++) {
                if (r)
                    cc_buf_puts(b, "; ");
                for (long k = 0; k < m->cols; k++) {
                    char t[64];
                    cc_buf_printf(b, k ? " %s" : "%s",
                                  cc_matrix_fmt_value(t, sizeof t, cc_matrix_get(m, n, c, r, k)));
                }
            }
        }
}

static void expected_line(cc_buf *b, const ex_expect *e, const ex_problem *p)
{
    switch (e->type) {
    case ANS_SIZE:
        if (p->kind == CC_EX_SAME_PADDING && e->v[0] == e->v[1])
            cc_buf_printf(b, "%ld", e->v[0]);
        else
            fmt_size(b, e->n, e->v);

        break;
    case ANS_COUNT: cc_buf_printf(b, "%lld", (long long)e->count); break;
    case ANS_MATRIX: matrix_line(b, &e->mat); break;
    case ANS_CHOICE: cc_buf_printf(b, "%c", 'a' + e->choice); break;
    case ANS_RESULTS:
        cc_buf_printf(b, "a model of this network (%lld parameters) with its own loss and accuracy",
                      (long long)e->count);
        break;
    }
}

int ex_problem_answer(cc_buf *out, const cc_exset *set, const ex_problem *p, cc_error *err)
{
    ex_expect e;
    int rc = solve(&e, set, p, err);
    if (rc)
        return rc;
    expected_line(out, &e, p);
    expect_free(&e);
    return cc_buf_failed(out) ? cc_error_set(err, CC_ENOMEM, "out of memory") : 0;
}

static void put_escaped(cc_buf *b, const char *s, cc_format fmt);

int ex_problem_solution(cc_buf *out, const cc_exset *set, const ex_problem *p, cc_format fmt,
                        cc_error *err)
{
    if (p->kind == CC_EX_CONVOLVE && fmt != CC_FORMAT_TEXT) {
        cc_walk *w;
        int rc = build_walk(&w, p, 0, 0, err);
        if (rc)
            return rc;
        cc_walk_render_opts o;
        cc_walk_render_opts_init(&o);
        o.format = fmt;
        rc = cc_walk_render(out, w, &o, err);
        cc_walk_free(w);
        const char *explain = ex_value(p, EXPLAIN);
        if (!rc && explain)
            put_escaped(out, explain, fmt);
        return rc;
    }
    ex_expect e;
    int rc = solve(&e, set, p, err);
    if (rc)
        return rc;
    cc_buf ans = {0};
    expected_line(&ans, &e, p);
    if (fmt == CC_FORMAT_LATEX) {
        cc_buf_puts(out, "\\begin{verbatim}\n");
        cc_buf_puts(out, cc_buf_str(&e.steps));
        cc_buf_puts(out, "\\end{verbatim}\n");
        cc_buf_puts(out, "Answer: \\texttt{");
        put_escaped(out, cc_buf_str(&ans), fmt);
        cc_buf_puts(out, "}\n");
    } else if (fmt == CC_FORMAT_MARKDOWN) {
        cc_buf_puts(out, "```\n");
        cc_buf_puts(out, cc_buf_str(&e.steps));
        cc_buf_puts(out, "```\n\n");
        cc_buf_printf(out, "Answer: `%s`\n", cc_buf_str(&ans));
    } else {
        cc_buf_puts(out, cc_buf_str(&e.steps));
        cc_buf_printf(out, "Answer: %s\n", cc_buf_str(&ans));
    }
    cc_buf_free(&ans);
    expect_free(&e);
    return cc_buf_failed(out) ? cc_error_set(err, CC_ENOMEM, "out of memory") : 0;
}

static void put_escaped(cc_buf *b, const char *s, cc_format fmt)
{
    if (fmt != CC_FORMAT_LATEX) {
        cc_buf_puts(b, s);
        return;
    }
    for (; *s; s++) {
        switch (*s) {
        case '\\': cc_buf_puts(b, "\\textbackslash{}"); break;
        case '{': case '}': case '$': case '&': case '#': case '_': case '%':
            cc_buf_putc(b, '\\');
            cc_buf_putc(b, *s);
            break;
        case '^': cc_buf_puts(b, "\\^{}"); break;
        case '~': cc_buf_puts(b, "\\~{}"); break;
        default: cc_buf_putc(b, *s);
        }
    }
}

int ex_problem_given(cc_buf *out, const ex_problem *p, cc_format fmt, cc_error *err)
{
    switch (p->kind) {
    case CC_EX_CONVOLVE: {
        cc_matrix img = {0}, ker = {0};
        int rc = read_matrix_param(p, "image", &img, 1, err);
        if (!rc)
            rc = read_matrix_param(p, "kernel", &ker, 0, err);
        if (!rc) {
            const char *names[2] = {"image", "kernel"};
            const cc_matrix *ms[2] = {&img, &ker};
            for (int i = 0; i < 2; i++) {
                cc_buf_printf(out, fmt == CC_FORMAT_LATEX ? "%s: $" : "%s:\n", names[i]);
                for (long n = 0; n < ms[i]->n; n++)
                    for (long c = 0; c < ms[i]->c; c++) {
                        cc_matrix_render(out, ms[i], n, c, fmt, 2);
                        if (fmt == CC_FORMAT_LATEX)
                            cc_buf_puts(out, " ");
                    }
                cc_buf_puts(out, fmt == CC_FORMAT_LATEX ? "$\n\n" : "");
            }
        }
        cc_matrix_free(&img);
        cc_matrix_free(&ker);
        return rc;
    }
    case CC_EX_STACK_SHAPE:
    case CC_EX_PARAMS:
    case CC_EX_RECEPTIVE_FIELD:
    case CC_EX_MACS:
    case CC_EX_RESULTS: {
        const char *s = ex_value(p, "stack");
        const char *in = ex_value(p, "input");
        if (fmt == CC_FORMAT_LATEX)
            cc_buf_puts(out, "\\begin{verbatim}\n");
        else if (fmt == CC_FORMAT_MARKDOWN)
            cc_buf_puts(out, "```\n");
        if (in)
            cc_buf_printf(out, "(input %s)\n", in);
        cc_buf_puts(out, s ? s : "");
        cc_buf_puts(out, "\n");
        if (fmt == CC_FORMAT_LATEX)
            cc_buf_puts(out, "\\end{verbatim}\n");
        else if (fmt == CC_FORMAT_MARKDOWN)
            cc_buf_puts(out, "```\n");
        return 0;
    }
    default: return 0;
    }
}

int ex_default_prompt(cc_buf *out, const ex_problem *p)
{
    const char *in = ex_value(p, "input"), *k = ex_value(p, "kernel");
    const char *s = ex_value(p, "stride"), *pad = ex_value(p, "padding");
    switch (p->kind) {
    case CC_EX_CONVOLVE:
        cc_buf_printf(out, "Convolve the image with the kernel by hand (padding %s, stride %s, "
                           "%s).", pad ? pad : "0", s ? s : "1",
                      ex_value(p, "mode") ? ex_value(p, "mode") : "convolution: flip the kernel");
        break;
    case CC_EX_OUTPUT_SIZE:
        cc_buf_printf(out, "What is the output size of a %s kernel with stride %s and padding %s "
                           "on a %s input?", k, s ? s : "1", pad ? pad : "0", in);
        break;
    case CC_EX_SAME_PADDING:
        cc_buf_printf(out, "What padding keeps a %s input at its size with a %s kernel and "
                           "stride 1?", in, k);
        break;
    case CC_EX_KERNEL_SIZE:
        cc_buf_printf(out, "Which square kernel turns a %s input into %s (stride %s, padding %s)?",
                      in, ex_value(p, "output"), s ? s : "1", pad ? pad : "0");
        break;
    case CC_EX_POOL_SIZE:
        cc_buf_printf(out, "What is the size of a %s map after %s pooling with stride %s?", in, k,
                      s ? s : k);
        break;
    case CC_EX_TCONV_SIZE:
        cc_buf_printf(out, "What is the output size of a transposed convolution with a %s kernel, "
                           "stride %s and padding %s on a %s input?", k, s ? s : "1",
                      pad ? pad : "0", in);
        break;
    case CC_EX_STACK_SHAPE: cc_buf_puts(out, "What is the shape after this stack of layers?"); break;
    case CC_EX_PARAMS: cc_buf_puts(out, "How many parameters has this network?"); break;
    case CC_EX_RECEPTIVE_FIELD:
        cc_buf_puts(out, "What is the receptive field of the last layer, in input pixels?");
        break;
    case CC_EX_MACS:
        cc_buf_puts(out, "How many multiply-accumulates (MACs) does one forward pass take?");
        break;
    case CC_EX_CHOICE: cc_buf_puts(out, "Choose one."); break;
    case CC_EX_RESULTS:
        cc_buf_puts(out, "Train this network and report the model file and its loss and "
                         "accuracy on the training, validation and test sets.");
        break;
    default: break;
    }
    return 0;
}

/* ---- grading --------------------------------------------------------------------- */

int ex_grade_detail(cc_grade *g, const char *what, const char *expected, const char *given,
                    int ok)
{
    cc_grade_detail *nd = realloc(g->details, (g->n_details + 1) * sizeof *nd);
    if (!nd)
        return CC_ENOMEM;
    g->details = nd;
    cc_grade_detail *d = &nd[g->n_details];
    d->what = ex_strdup(what);
    d->expected = ex_strdup(expected);
    d->given = ex_strdup(given ? given : "");
    d->ok = ok;
    g->n_details++;
    return d->what && d->expected && d->given ? 0 : CC_ENOMEM;
}

void cc_grade_free(cc_grade *g)
{
    if (!g)
        return;
    free(g->expected);
    free(g->given);
    free(g->feedback);
    free(g->derivation);
    for (size_t i = 0; i < g->n_details; i++) {
        free(g->details[i].what);
        free(g->details[i].expected);
        free(g->details[i].given);
    }
    free(g->details);
    memset(g, 0, sizeof *g);
}

/* Does a size answer (n numbers) say the same as want (wn numbers)? */
static int size_matches(const long *a, int n, const long *want, int wn, int square_ok,
                        const char **note)
{
    *note = NULL;
    if (wn == 2) {
        if (n == 1 && square_ok)
            return a[0] == want[0] && a[0] == want[1];
        return n == 2 && a[0] == want[0] && a[1] == want[1];
    }
    if (wn == 3) {
        if (n == 3 && a[0] == want[0] && a[1] == want[1] && a[2] == want[2])
            return 1;
        if (n == 3 && a[0] == want[2] && a[1] == want[0] && a[2] == want[1]) {
            *note = "read as channels x height x width";
            return 1;
        }
        if (n == 2 && a[0] == want[0] && a[1] == want[1]) {
            *note = "height and width are right; the channels were not given";
            return 1;
        }
        if (n == 1 && want[0] == want[1] && a[0] == want[0]) {
            *note = "the size is right; the channels were not given";
            return 1;
        }
        return 0;
    }
    return n == 1 && a[0] == want[0];
}

/* How many wrong cells get their sum written out in the feedback. */
#define CELL_SUMS 4

static void grade_cells(cc_grade *g, cc_buf *fb, const ex_expect *e, const cc_matrix *m)
{
    const cc_matrix *x = &e->mat;
    size_t wrong = 0, total = cc_matrix_size(x);
    for (long n = 0; n < x->n; n++)
        for (long r = 0; r < x->rows; r++)
            for (long k = 0; k < x->cols; k++) {
                double want = cc_matrix_get(x, n, 0, r, k);
                double got = m->data[(size_t)((n * x->rows + r) * x->cols + k)];
                int ok = cc_walk_values_equal(want, got);
                char what[96], ws[64], gs[64];
                if (x->n > 1)
                    snprintf(what, sizeof what, "filter %ld, row %ld, column %ld", n + 1, r + 1,
                             k + 1);
                else
                    snprintf(what, sizeof what, "row %ld, column %ld", r + 1, k + 1);
                cc_matrix_fmt_value(ws, sizeof ws, want);
                cc_matrix_fmt_value(gs, sizeof gs, got);
                ex_grade_detail(g, what, ws, gs, ok);
                if (!ok && ++wrong > CELL_SUMS) {
                    cc_buf_printf(fb, wrong == CELL_SUMS + 1 ? "  also wrong: (%ld,%ld) is %s"
                                                             : ", (%ld,%ld) is %s",
                                  r + 1, k + 1, ws);
                } else if (!ok) {
                    cc_buf_printf(fb, "  %s: you wrote %s, it is ", what, gs);
                    size_t st = cc_walk_cell_step(e->walk, n, r, k);
                    cc_walk_step s = {0};
                    cc_error e2;
                    if (st != (size_t)-1 && cc_walk_step_get(e->walk, st, &s, &e2) == 0)
                        cc_walk_format_sum(fb, e->walk, &s, -1, CC_FORMAT_TEXT);
                    else
                        cc_buf_puts(fb, ws);
                    cc_walk_step_free(&s);
                    cc_buf_putc(fb, '\n');
                }
            }
    if (wrong > CELL_SUMS)
        cc_buf_putc(fb, '\n');
    cc_buf_printf(fb, "%zu of %zu cells right.\n", total - wrong, total);
}

int ex_problem_grade(cc_grade *g, const cc_exset *set, const ex_problem *p, const char *answer,
                     const char *basedir, cc_error *err)
{
    memset(g, 0, sizeof *g);
    g->max_points = p->points;
    ex_expect e;
    int rc = solve(&e, set, p, err);
    if (rc)
        return rc;
    cc_buf exp = {0}, fb = {0};
    expected_line(&exp, &e, p);
    g->derivation = ex_strdup(cc_buf_str(&e.steps));
    int right = 0;
    char why[256] = "";
    const char *note = NULL;
    cc_buf given = {0}, cells = {0};
    if (ex_blank(answer)) {
        g->verdict = CC_VERDICT_MISSING;
        cc_buf_printf(&fb, "No answer. The answer is %s.\n", cc_buf_str(&exp));
        goto done;
    }
    switch (e.type) {
    case ANS_SIZE: {
        long a[3];
        int n = ex_parse_size(answer, a, why, sizeof why);
        if (!n)
            break;
        fmt_size(&given, n, a);
        right = size_matches(a, n, e.v, e.n, e.square_ok, &note);
        for (int i = 0; !right && i < e.naccept; i++)
            right = size_matches(a, n, e.accept[i], 2, 1, &note);
        for (int i = 0; !right && i < e.nalts && !g->mistake; i++) {
            const char *n2;
            if (size_matches(a, n, e.alts[i].v, e.alts[i].n, e.square_ok, &n2))
                g->mistake = e.alts[i].m;
        }
        break;
    }
    case ANS_COUNT: {
        int64_t c;
        if (!ex_parse_count(answer, &c, why, sizeof why))
            break;
        cc_buf_printf(&given, "%lld", (long long)c);
        right = c == e.count;
        for (int i = 0; !right && i < e.nalts && !g->mistake; i++)
            if (e.alts[i].count == c)
                g->mistake = e.alts[i].m;
        break;
    }
    case ANS_CHOICE: {
        int k = ex_parse_choice(answer, p->choices, p->n_choices);
        if (k < 0) {
            snprintf(why, sizeof why, "cannot tell which choice '%s' means (expected a letter "
                                      "from a to %c)", answer, 'a' + (int)p->n_choices - 1);
            break;
        }
        cc_buf_printf(&given, "%c", 'a' + k);
        right = k == e.choice;
        if (!right)
            cc_buf_printf(&fb, "You chose (%c) %s; the answer is (%c) %s.\n", 'a' + k,
                          p->choices[k], 'a' + e.choice, p->choices[e.choice]);
        break;
    }
    case ANS_MATRIX: {
        cc_matrix m = {0};
        cc_error e2;
        cc_error_clear(&e2);
        if (cc_matrix_parse(&m, answer, strlen(answer), &e2) != 0) {
            snprintf(why, sizeof why, "cannot read the matrix: %.180s (line %d, column %d)",
                     e2.msg, e2.line, e2.col);
            break;
        }
        matrix_line(&given, &m);
        size_t want = cc_matrix_size(&e.mat);
        if (cc_matrix_size(&m) == want && m.cols == e.mat.cols) {
            for (int i = 0; i < e.nalts; i++) {
                const cc_matrix *am = &e.alts[i].mat;
                if (cc_matrix_size(am) == want && am->cols == m.cols &&
                    memcmp(am->data, m.data, want * sizeof *m.data) == 0)
                    g->mistake = e.alts[i].m;
            }
            right = memcmp(m.data, e.mat.data, want * sizeof *m.data) == 0;
            if (!right) {
                right = 1;
                for (size_t i = 0; i < want; i++)
                    right &= cc_walk_values_equal(e.mat.data[i], m.data[i]);
            }
            if (!right)
                grade_cells(g, &cells, &e, &m);
        } else {
            for (int i = 0; i < e.nalts; i++) {
                const cc_matrix *am = &e.alts[i].mat;
                if (cc_matrix_size(am) == cc_matrix_size(&m) && am->cols == m.cols &&
                    memcmp(am->data, m.data, cc_matrix_size(&m) * sizeof *m.data) == 0)
                    g->mistake = e.alts[i].m;
            }
            cc_buf_printf(&fb, "Your matrix is %ldx%ld; the output is %ldx%ld.\n",
                          m.rows * m.n * m.c, m.cols, e.mat.rows * e.mat.n, e.mat.cols);
        }
        cc_matrix_free(&m);
        break;
    }
    case ANS_RESULTS:
        rc = ex_results_grade(g, &fb, &given, set, p, answer, basedir, &right, why, sizeof why,
                              err);
        if (rc)
            goto fail;
        break;
    }
    if (why[0]) {
        g->verdict = CC_VERDICT_WRONG;
        cc_buf_printf(&fb, "Could not read the answer: %s. The answer is %s.\n", why,
                      cc_buf_str(&exp));
    } else if (right) {
        g->verdict = CC_VERDICT_RIGHT;
        g->points = p->points;
        g->mistake = CC_MISTAKE_NONE;
        cc_buf_printf(&fb, "Right%s%s%s.\n", note ? " (" : "", note ? note : "", note ? ")" : "");
    } else {
        g->verdict = CC_VERDICT_WRONG;
        if (e.type != ANS_CHOICE && e.type != ANS_RESULTS)
            cc_buf_printf(&fb, "You wrote %s; the answer is %s.\n", cc_buf_str(&given),
                          cc_buf_str(&exp));
        if (g->mistake)
            cc_buf_printf(&fb, "Likely mistake: %s.\n", cc_mistake_text(g->mistake));
        cc_buf_puts(&fb, cc_buf_str(&cells));
    }
    if (given.len)
        g->given = ex_strdup(cc_buf_str(&given));
done:
    if (g->verdict != CC_VERDICT_RIGHT && e.type == ANS_MATRIX) {
        cc_buf_puts(&fb, "The worked solution (convcalc exercise --solutions) shows every step.\n");
    } else if (g->verdict != CC_VERDICT_RIGHT && e.type != ANS_RESULTS && e.steps.len) {
        cc_buf_puts(&fb, "Worked solution:\n");
        for (const char *q = cc_buf_str(&e.steps); *q;) {
            const char *nl = strchr(q, '\n');
            size_t len = nl ? (size_t)(nl - q) : strlen(q);
            cc_buf_puts(&fb, "  ");
            cc_buf_append(&fb, q, len);
            cc_buf_putc(&fb, '\n');
            q += len + (nl ? 1 : 0);
        }
    }
    g->expected = ex_strdup(cc_buf_str(&exp));
    g->feedback = ex_strdup(cc_buf_str(&fb));
    if (!g->expected || !g->feedback || !g->derivation || cc_buf_failed(&fb) ||
        cc_buf_failed(&exp) || cc_buf_failed(&given))
        rc = cc_error_set(err, CC_ENOMEM, "out of memory");
fail:
    cc_buf_free(&exp);
    cc_buf_free(&fb);
    cc_buf_free(&given);
    cc_buf_free(&cells);
    expect_free(&e);
    if (rc)
        cc_grade_free(g);
    return rc;
}

int cc_exset_grade(cc_grade *out, const cc_exset *set, size_t i, const char *answer,
                   const char *basedir, cc_error *err)
{
    if (!set || !out || i >= set->n)
        return cc_error_set(err, CC_EINVAL, "no problem %zu in this set", i + 1);
    return ex_problem_grade(out, set, &set->p[i], answer, basedir ? basedir : set->basedir, err);
}

int cc_exset_answer(cc_buf *out, const cc_exset *set, size_t i, cc_error *err)
{
    if (!set || i >= set->n)
        return cc_error_set(err, CC_EINVAL, "no problem %zu in this set", i + 1);
    return ex_problem_answer(out, set, &set->p[i], err);
}

int cc_exset_solution(cc_buf *out, const cc_exset *set, size_t i, cc_format fmt, cc_error *err)
{
    if (!set || i >= set->n)
        return cc_error_set(err, CC_EINVAL, "no problem %zu in this set", i + 1);
    return ex_problem_solution(out, set, &set->p[i], fmt, err);
}
