/* kinds.c - every kind of problem: its parameters, its expected answer
 * (computed with arith, walk and stack: no answer is stored), its worked
 * solution, the mistakes it recognises, and grading. */
#include "kinds.h"

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
static const char *const p_results[] = {"stack", "input", "data", "tolerance", "mean", "std",
                                         EXPLAIN, NULL};
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
    case CC_VERDICT_UNREADABLE: return "unreadable";
    }
    return "unknown";
}

/* ---- expected answers ------------------------------------------------------ */

void ex_expect_free(ex_expect *e)
{
    cc_matrix_free(&e->mat);
    for (int i = 0; i < e->nalts; i++)
        cc_matrix_free(&e->alts[i].mat);
    cc_buf_free(&e->steps);
    cc_walk_free(e->walk);
    cc_stack_free(e->stack);
    memset(e, 0, sizeof *e);
}

/* Is there already an alternative with this value and these mistakes? */
static int alt_known(const ex_expect *e, ex_mask m, int n, const long *v, int64_t c)
{
    for (int i = 0; i < e->nalts; i++) {
        const ex_alt *a = &e->alts[i];
        if (a->mask != m || a->n != n || a->count != c)
            continue;
        int same = 1;
        for (int k = 0; same && k < n; k++)
            same = a->v[k] == v[k];
        if (same)
            return 1;
    }
    return 0;
}

ex_alt *ex_add_size_alt(ex_expect *e, ex_mask m, int n, const long *v)
{
    if (e->nalts >= MAX_ALTS)
        return NULL;
    int same = n == e->n;
    for (int i = 0; same && i < n; i++)
        same = v[i] == e->v[i];
    for (int i = 0; i < n; i++)
        if (v[i] < 0)
            return NULL;
    if (same || alt_known(e, m, n, v, 0))
        return NULL;
    ex_alt *a = &e->alts[e->nalts++];
    memset(a, 0, sizeof *a);
    a->mask = m;
    a->n = n;
    memcpy(a->v, v, (size_t)n * sizeof *v);
    return a;
}

ex_alt *ex_add_count_alt(ex_expect *e, ex_mask m, int64_t c)
{
    if (e->nalts >= MAX_ALTS || c == e->count || c < 0 || alt_known(e, m, 0, NULL, c))
        return NULL;
    ex_alt *a = &e->alts[e->nalts++];
    memset(a, 0, sizeof *a);
    a->mask = m;
    a->count = c;
    return a;
}

/* ---- parameters ------------------------------------------------------------- */

int ex_get_pair(const ex_problem *p, const char *name, long def, long min, long v[2],
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

int ex_get_bool(const ex_problem *p, const char *name, int def, int *out, cc_error *err)
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

void ex_fmt_size(cc_buf *b, int n, const long *v)
{
    for (int i = 0; i < n; i++)
        cc_buf_printf(b, i ? "x%ld" : "%ld", v[i]);
}

/* ---- every kind -------------------------------------------------------------- */

int ex_solve(ex_expect *e, const cc_exset *set, const ex_problem *p, cc_error *err)
{
    memset(e, 0, sizeof *e);
    int rc;
    switch (p->kind) {
    case CC_EX_CONVOLVE: rc = ex_solve_convolve(e, p, err); break;
    case CC_EX_OUTPUT_SIZE:
    case CC_EX_SAME_PADDING:
    case CC_EX_KERNEL_SIZE:
    case CC_EX_POOL_SIZE:
    case CC_EX_TCONV_SIZE: rc = ex_solve_size(e, p, err); break;
    case CC_EX_STACK_SHAPE: rc = ex_solve_stack_shape(e, p, err); break;
    case CC_EX_PARAMS: rc = ex_solve_params(e, p, err); break;
    case CC_EX_MACS: rc = ex_solve_macs(e, p, err); break;
    case CC_EX_RECEPTIVE_FIELD: rc = ex_solve_rf(e, p, err); break;
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
        ex_expect_free(e);
    return rc;
}

int ex_problem_validate(const cc_exset *set, const ex_problem *p, cc_error *err)
{
    ex_expect e;
    int rc = ex_solve(&e, set, p, err);
    if (!rc)
        ex_expect_free(&e);
    return rc;
}

void ex_matrix_line(cc_buf *b, const cc_matrix *m)
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

void ex_expected_line(cc_buf *b, const ex_expect *e, const ex_problem *p)
{
    switch (e->type) {
    case ANS_SIZE:
        if (p->kind == CC_EX_SAME_PADDING && e->v[0] == e->v[1])
            cc_buf_printf(b, "%ld", e->v[0]);
        else
            ex_fmt_size(b, e->n, e->v);

        break;
    case ANS_COUNT: cc_buf_printf(b, "%lld", (long long)e->count); break;
    case ANS_MATRIX: ex_matrix_line(b, &e->mat); break;
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
    int rc = ex_solve(&e, set, p, err);
    if (rc)
        return rc;
    ex_expected_line(out, &e, p);
    ex_expect_free(&e);
    return cc_buf_failed(out) ? cc_error_set(err, CC_ENOMEM, "out of memory") : 0;
}

static void put_escaped(cc_buf *b, const char *s, cc_format fmt);

int ex_problem_solution(cc_buf *out, const cc_exset *set, const ex_problem *p, cc_format fmt,
                        cc_error *err)
{
    if (p->kind == CC_EX_CONVOLVE && fmt != CC_FORMAT_TEXT) {
        cc_walk *w;
        int rc = ex_build_walk(&w, p, 0, 0, err);
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
    int rc = ex_solve(&e, set, p, err);
    if (rc)
        return rc;
    cc_buf ans = {0};
    ex_expected_line(&ans, &e, p);
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
    ex_expect_free(&e);
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
        int rc = ex_read_matrix_param(p, "image", &img, 1, err);
        if (!rc)
            rc = ex_read_matrix_param(p, "kernel", &ker, 0, err);
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

/* The first of the candidates that is none of the answer's numbers. */
static long not_answer(const ex_expect *e, const long *cand, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int clash = 0;
        for (int k = 0; k < e->n; k++)
            clash |= cand[i] == e->v[k];
        for (int k = 0; k < e->naccept; k++)
            clash |= cand[i] == e->accept[k][0] || cand[i] == e->accept[k][1];
        if (!clash)
            return cand[i];
    }
    return cand[n - 1] + e->v[0] + 1;
}

char *ex_problem_hint(const cc_exset *set, const ex_problem *p)
{
    ex_expect e;
    cc_error err;
    cc_buf b = {0};
    if (ex_solve(&e, set, p, &err) != 0)
        return ex_strdup(ex_kind(p->kind)->hint);
    static const long sizes[] = {28, 14, 12, 10, 9, 20}, pads[] = {2, 1, 4, 5};
    static const long kernels[] = {3, 5, 7, 9, 11};
    switch (p->kind) {
    case CC_EX_OUTPUT_SIZE:
    case CC_EX_POOL_SIZE:
    case CC_EX_TCONV_SIZE: {
        long v = not_answer(&e, sizes, 6);
        cc_buf_printf(&b, "a size such as %ldx%ld (or %ld for a square)", v, v, v);
        break;
    }
    case CC_EX_SAME_PADDING:
        cc_buf_printf(&b, "the padding on each side, a number such as %ld",
                      not_answer(&e, pads, 4));
        break;
    case CC_EX_KERNEL_SIZE: {
        long v = not_answer(&e, kernels, 5);
        cc_buf_printf(&b, "a kernel size such as %ldx%ld (or %ld)", v, v, v);
        break;
    }
    case CC_EX_RECEPTIVE_FIELD: {
        long v = not_answer(&e, kernels, 5);
        cc_buf_printf(&b, "a size in input pixels such as %ldx%ld (or %ld)", v, v, v);
        break;
    }
    case CC_EX_STACK_SHAPE: {
        long v = not_answer(&e, sizes, 6), c = e.n == 3 && e.v[2] == 128 ? 64 : 128;
        cc_buf_printf(&b, "a shape: height x width x channels, such as %ldx%ldx%ld", v, v, c);
        break;
    }
    case CC_EX_PARAMS:
    case CC_EX_MACS: {
        long long v = e.count == 123456 ? 654321 : 123456;
        cc_buf_printf(&b, "a whole number (%lld, %lld,%03lld and %lld %03lld all count)", v,
                      v / 1000, v % 1000, v / 1000, v % 1000);
        break;
    }
    case CC_EX_CHOICE:
        cc_buf_printf(&b, "the letter of one choice, such as %c", e.choice == 0 ? 'b' : 'a');
        break;
    default: cc_buf_puts(&b, ex_kind(p->kind)->hint); break;
    }
    ex_expect_free(&e);
    char *r = cc_buf_failed(&b) ? NULL : ex_strdup(cc_buf_str(&b));
    cc_buf_free(&b);
    return r;
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

