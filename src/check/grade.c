/* grade.c - grading one answer against the computed answer: reading it,
 * comparing it, naming the mistakes that give its value, and feedback. */
#include "kinds.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/arith.h"
#include "results.h"

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
    free(g->reason);
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

static void grade_cells(cc_grade *g, cc_buf *fb, const ex_expect *e, const cc_matrix *m,
                        int partial)
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
    cc_buf_printf(fb, "%zu of %zu cells right%s.\n", total - wrong, total,
                  partial ? " (points in proportion: partial: cells)" : "");
}

static int popcount(ex_mask m)
{
    int n = 0;
    for (; m; m &= m - 1)
        n++;
    return n;
}

/* The mistakes that give the answer's value: those that give it alone,
 * else those of the pairs that give it; in the catalogue's order. */
static void set_mistakes(cc_grade *g, const ex_expect *e, const int *hit, int nhit)
{
    ex_mask single = 0, pair = 0;
    for (int i = 0; i < nhit; i++) {
        ex_mask m = e->alts[hit[i]].mask;
        if (popcount(m) == 1)
            single |= m;
        else
            pair |= m;
    }
    ex_mask m = single ? single : pair;
    g->n_mistakes = 0;
    /* the catalogue's order, with the catch-all off-by-one last */
    for (int k = 1; k < CC_MISTAKE_COUNT; k++)
        if (m & EX_BIT(k) && k != CC_MISTAKE_OFF_BY_ONE)
            g->mistakes[g->n_mistakes++] = (cc_mistake)k;
    if (m & EX_BIT(CC_MISTAKE_OFF_BY_ONE))
        g->mistakes[g->n_mistakes++] = CC_MISTAKE_OFF_BY_ONE;
    g->mistake = g->n_mistakes ? g->mistakes[0] : CC_MISTAKE_NONE;
}

/* The student's computation as the first named mistake gives it: one
 * mistake before a pair, a specific one before the catch-all off-by-one. */
static const char *mistake_quote(const ex_expect *e, const int *hit, int nhit)
{
    for (int pass = 0; pass < 3; pass++)
        for (int i = 0; i < nhit; i++) {
            const ex_alt *a = &e->alts[hit[i]];
            int one = popcount(a->mask) == 1;
            int generic = (a->mask & EX_BIT(CC_MISTAKE_OFF_BY_ONE)) != 0;
            if (a->quote[0] && (pass == 2 || (one && (pass == 1 || !generic))))
                return a->quote;
        }
    return NULL;
}

int ex_problem_grade(cc_grade *g, const cc_exset *set, const ex_problem *p, const char *answer,
                     const char *basedir, cc_error *err)
{
    memset(g, 0, sizeof *g);
    g->max_points = p->points;
    ex_expect e;
    int rc = ex_solve(&e, set, p, err);
    if (rc)
        return rc;
    cc_buf exp = {0}, fb = {0};
    ex_expected_line(&exp, &e, p);
    g->derivation = ex_strdup(cc_buf_str(&e.steps));
    int right = 0, hedged = 0, partial = p->partial_cells > 0 || (p->partial_cells == 0 && set->partial_cells);
    char why[256] = "";
    const char *note = NULL;
    cc_buf given = {0}, cells = {0};
    int hit[MAX_ALTS], nhit = 0;
    if (ex_blank(answer)) {
        g->verdict = CC_VERDICT_MISSING;
        cc_buf_printf(&fb, "No answer. The answer is %s.\n", cc_buf_str(&exp));
        goto done;
    }
    switch (e.type) {
    case ANS_SIZE: {
        long a[3];
        int n = ex_parse_size(answer, a, why, sizeof why);
        if (n == EX_HEDGED)
            hedged = 1;
        if (n <= 0)
            break;
        ex_fmt_size(&given, n, a);
        right = size_matches(a, n, e.v, e.n, e.square_ok, &note);
        for (int i = 0; !right && i < e.naccept; i++)
            right = size_matches(a, n, e.accept[i], 2, 1, &note);
        for (int i = 0; !right && i < e.nalts; i++) {
            const char *n2;
            if (size_matches(a, n, e.alts[i].v, e.alts[i].n, e.square_ok, &n2))
                hit[nhit++] = i;
        }
        break;
    }
    case ANS_COUNT: {
        int64_t c;
        int n = ex_parse_count(answer, &c, why, sizeof why);
        if (n == EX_HEDGED)
            hedged = 1;
        if (n <= 0)
            break;
        cc_buf_printf(&given, "%lld", (long long)c);
        right = c == e.count;
        for (int i = 0; !right && i < e.nalts; i++)
            if (e.alts[i].count == c)
                hit[nhit++] = i;
        break;
    }
    case ANS_CHOICE: {
        int k = ex_parse_choice(answer, p->choices, p->n_choices);
        if (k == EX_HEDGED) {
            hedged = 1;
            snprintf(why, sizeof why, "'%.120s' names more than one choice", answer);
            break;
        }
        if (k < 0) {
            snprintf(why, sizeof why, "cannot tell which choice '%.120s' means (expected a "
                                      "letter from a to %c)", answer, 'a' + (int)p->n_choices - 1);
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
        ex_matrix_line(&given, &m);
        size_t want = cc_matrix_size(&e.mat);
        for (int i = 0; i < e.nalts; i++) {
            const cc_matrix *am = &e.alts[i].mat;
            if (cc_matrix_size(am) == cc_matrix_size(&m) && am->cols == m.cols &&
                memcmp(am->data, m.data, cc_matrix_size(&m) * sizeof *m.data) == 0)
                hit[nhit++] = i;
        }
        if (cc_matrix_size(&m) == want && m.cols == e.mat.cols) {
            right = 1;
            for (size_t i = 0; i < want; i++)
                right &= cc_walk_values_equal(e.mat.data[i], m.data[i]);
            if (!right)
                grade_cells(g, &cells, &e, &m, partial);
        } else {
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
        if (why[0])
            hedged = 2; /* incomplete: wrong, with the reason */
        break;
    }
    if (right)
        nhit = 0;
    set_mistakes(g, &e, hit, nhit);
    if (why[0] && hedged) {
        g->verdict = CC_VERDICT_WRONG;
        g->reason = ex_strdup(why);
        cc_buf_printf(&fb, "Wrong: %s%s. The answer is %s.\n", why,
                      hedged == 1 ? " (a hedged answer cannot be graded right: give one)" : "",
                      cc_buf_str(&exp));
    } else if (why[0]) {
        g->verdict = CC_VERDICT_UNREADABLE;
        g->reason = ex_strdup(why);
        cc_buf_printf(&fb, "Unreadable: %s. A teacher should read this answer. The answer is "
                           "%s.\n", why, cc_buf_str(&exp));
    } else if (right) {
        g->verdict = CC_VERDICT_RIGHT;
        g->points = p->points;
        g->mistake = CC_MISTAKE_NONE;
        g->n_mistakes = 0;
        cc_buf_printf(&fb, "Right%s%s%s.\n", note ? " (" : "", note ? note : "", note ? ")" : "");
    } else {
        g->verdict = CC_VERDICT_WRONG;
        if (e.type != ANS_CHOICE && e.type != ANS_RESULTS)
            cc_buf_printf(&fb, "You wrote %s; the answer is %s.\n", cc_buf_str(&given),
                          cc_buf_str(&exp));
        const char *quote = mistake_quote(&e, hit, nhit);
        if (quote)
            cc_buf_printf(&fb, "Your computation: %s.\n", quote);
        if (g->n_mistakes == 1)
            cc_buf_printf(&fb, "Likely mistake: %s.\n", cc_mistake_text(g->mistake));
        else if (g->n_mistakes > 1) {
            cc_buf_puts(&fb, "Likely mistakes (together they give this value, or each does):\n");
            for (size_t k = 0; k < g->n_mistakes; k++)
                cc_buf_printf(&fb, "  %s: %s.\n", cc_mistake_name(g->mistakes[k]),
                              cc_mistake_text(g->mistakes[k]));
        }
        if (g->n_details && cells.len && partial) {
            size_t ok = 0;
            for (size_t k = 0; k < g->n_details; k++)
                ok += g->details[k].ok != 0;
            g->points = p->points * (double)ok / (double)g->n_details;
        }
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
    ex_expect_free(&e);
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

int cc_exset_walk(cc_walk **out, const cc_exset *set, size_t i, cc_error *err)
{
    if (!out)
        return cc_error_set(err, CC_EINVAL, "no place for the walk");
    *out = NULL;
    if (!set || i >= set->n)
        return cc_error_set(err, CC_EINVAL, "no problem %zu in this set", i + 1);
    if (set->p[i].kind != CC_EX_CONVOLVE)
        return cc_error_set(err, CC_EINVAL, "problem %s is not a convolution (kind %s)",
                            set->p[i].id, cc_exkind_name(set->p[i].kind));
    return ex_build_walk(out, &set->p[i], 0, 0, err);
}

int cc_exset_solution(cc_buf *out, const cc_exset *set, size_t i, cc_format fmt, cc_error *err)
{
    if (!set || i >= set->n)
        return cc_error_set(err, CC_EINVAL, "no problem %zu in this set", i + 1);
    return ex_problem_solution(out, set, &set->p[i], fmt, err);
}
