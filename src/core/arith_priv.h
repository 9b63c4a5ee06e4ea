/* arith_priv.h - shared between the shape solver and its renderers. */
#ifndef CONVCALC_ARITH_PRIV_H
#define CONVCALC_ARITH_PRIV_H

#include "convcalc/arith.h"

/* The output along dimension d with x put in for var (CC_VAR_NONE/OUTPUT:
 * nothing replaced); the padding used in *pb, *pe. */
int arith_forward(const cc_shape_query *q, int d, cc_shape_var var, long x, long *out,
                  long *pb, long *pe, cc_error *err);

/* The answer's value as the command line writes it: "5", "5x5", "3,4",
 * "2..3x4", ... Appends to out. */
void arith_value_text(const cc_shape_answer *a, cc_buf *out);

/* The field of d that holds var (NULL for padding and none). */
long *arith_dim_field(cc_shape_dim *d, cc_shape_var var);

/* Append a formatted line to a string list; CC_ENOMEM on failure. */
int arith_list_add(char ***list, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The steps of dimension d of a solved answer (a->dims[d]), each line
 * starting with prefix, appended to the answer's steps (arith_steps.c). */
int arith_dim_steps(cc_shape_answer *a, int d, const char *prefix);

#endif
