/* walk_priv.h - the walk's inside, shared by walk.c (convolution, the
 * step index), walk_ops.c (transposed convolution, pooling, activation)
 * and walk_im2col.c. Not installed. */
#ifndef CONVCALC_WALK_PRIV_H
#define CONVCALC_WALK_PRIV_H

#include "convcalc/walk.h"

/* Largest number of values any matrix of a walk may hold, and the largest
 * number of multiplications the output may take: a walk is for learning,
 * and beyond these it would take minutes and gigabytes. */
#define WALK_MAX_VALUES ((size_t)1 << 26)
#define WALK_MAX_WORK ((size_t)1 << 34)
/* Doubles hold every integer up to 2^53 exactly. */
#define EXACT_MAX 9007199254740992.0

struct cc_walk {
    cc_walk_geom g;
    cc_matrix input;   /* 1 x C x H x W   */
    cc_matrix padded;  /* 1 x C x PH x PW */
    cc_matrix kernels; /* K x C x Fh x Fw (empty for pooling) */
    cc_matrix applied; /* K x C x Fh x Fw (empty for pooling) */
    cc_matrix preact;  /* K x 1 x OH x OW, before the activation */
    cc_matrix output;  /* K x 1 x OH x OW */
    double *bias;      /* K               */
    size_t nsteps;
    /* steps of each filter: kernel step (0/1), scatter steps, cell steps */
    size_t per_kernel, per_scatter, per_cell;
};

/* n*c*h*w with overflow and size checks ("the WHAT is too large"). */
int cc__walk_check_count(long n, long c, long h, long w, const char *what, cc_error *err);

/* The stride and dilation the windows of CELL steps move by: the
 * walk's own, except stride 1 for a transposed walk's equivalent
 * convolution. */
long cc__walk_cell_stride_h(const cc_walk_geom *g);
long cc__walk_cell_stride_w(const cc_walk_geom *g);

/* walk_ops.c */
/* Geometry of a transposed walk or a pooling walk (g has the sizes of the
 * spec filled in: channels, in_*, filters, k_*, stride, dilation, pads). */
int cc__walk_tconv_geom(cc_walk_geom *g, const cc_walk_spec *spec, cc_error *err);
int cc__walk_pool_geom(cc_walk_geom *g, const cc_walk_spec *spec, cc_error *err);
/* Fill w->padded of a transposed walk (zeros inserted, bordered). */
void cc__walk_tconv_fill(cc_walk *w);
/* Pooling output into w->preact (every cell). */
int cc__walk_pool_compute(cc_walk *w, cc_error *err);
/* Fill a pooling CELL step (filter = channel, out_row/out_col set). */
int cc__walk_pool_cell(const cc_walk *w, cc_walk_step *st, cc_error *err);
/* Fill a SCATTER step (filter, in_row, in_col set). */
int cc__walk_scatter(const cc_walk *w, cc_walk_step *st, cc_error *err);
/* Make room for n doubles (and t tap flags) in the step's buffers. */
int cc__walk_step_reserve(cc_walk_step *st, size_t n, size_t t, cc_error *err);

#endif
