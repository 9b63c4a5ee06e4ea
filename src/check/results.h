/* results.h - the results-table kind: a trained model checked against the
 * numbers a student reports (private to src/check). */
#ifndef CONVCALC_EX_RESULTS_H
#define CONVCALC_EX_RESULTS_H

#include "ex_internal.h"

/* Check the problem's parameters; write what the checker will do. */
int ex_results_solve(cc_buf *steps, int64_t *params, const cc_exset *set, const ex_problem *p,
                     cc_error *err);
/* Grade an answer: fills g's details, fb (feedback), given; sets *right,
 * or why (unreadable answer). Returns nonzero only for failures that are
 * not the student's (out of memory). */
int ex_results_grade(cc_grade *g, cc_buf *fb, cc_buf *given, const cc_exset *set,
                     const ex_problem *p, const char *answer, const char *basedir, int *right,
                     char *why, size_t why_size, cc_error *err);

#endif
