/* results.c - the results-table kind. */
#include "results.h"

int ex_results_solve(cc_buf *steps, const cc_exset *set, const ex_problem *p, cc_error *err)
{
    (void)steps;
    (void)set;
    return cc_error_at(err, CC_EINVAL, p->line, 1,
                       "problem %s: results problems need the model evaluator, which this "
                       "build does not have yet", p->id);
}

int ex_results_grade(cc_grade *g, cc_buf *fb, cc_buf *given, const cc_exset *set,
                     const ex_problem *p, const char *answer, const char *basedir, int *right,
                     char *why, size_t why_size, cc_error *err)
{
    (void)g; (void)fb; (void)given; (void)answer; (void)basedir; (void)right; (void)why;
    (void)why_size;
    return ex_results_solve(NULL, set, p, err);
}
