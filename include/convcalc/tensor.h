/* convcalc/tensor.h - float32 tensors, NCHW, contiguous, one owner.
 *
 * A cc_tensor owns its data (allocated zeroed, 64-byte aligned). Shapes have
 * 1 to 4 dimensions; a 4-d tensor is (N, C, H, W), a 2-d one (N, features).
 * Every element count and byte size is checked for overflow before anything
 * is allocated, so a dimension of 2^40 is an error (CC_ERANGE), not a crash.
 * Whoever calls cc_tensor_new calls cc_tensor_free.
 *
 * The layer kernels (convcalc/layers.h) take plain float pointers; a tensor
 * is the usual way to own those buffers.
 */
#ifndef CONVCALC_TENSOR_H
#define CONVCALC_TENSOR_H

#include <stddef.h>

#include "convcalc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CC_TENSOR_MAX_DIM 4

typedef struct cc_tensor {
    float *data;                   /* size floats, owned                        */
    int ndim;                      /* 1..CC_TENSOR_MAX_DIM                      */
    long shape[CC_TENSOR_MAX_DIM]; /* shape[0..ndim-1]; the rest are 1          */
    size_t size;                   /* number of elements (product of the shape) */
} cc_tensor;

/* Number of elements of a shape, checked: each dimension must be in
 * 1..CC_DIM_MAX and the product (and its size in bytes) must fit in size_t.
 * Returns 0 and sets *out, or CC_EINVAL / CC_ERANGE with a message. */
int cc_shape_numel(size_t *out, int ndim, const long *shape, cc_error *err);

/* A new zero-filled tensor of the given shape. *out is NULL on failure. */
int cc_tensor_new(cc_tensor **out, int ndim, const long *shape, cc_error *err);
/* Shorthand for a 4-d (N, C, H, W) tensor. */
int cc_tensor_new4(cc_tensor **out, long n, long c, long h, long w,
                   cc_error *err);
/* Shorthand for a 2-d (N, F) tensor. */
int cc_tensor_new2(cc_tensor **out, long n, long f, cc_error *err);
/* A new tensor with the same shape and data as src. */
int cc_tensor_clone(cc_tensor **out, const cc_tensor *src, cc_error *err);
/* Free a tensor and its data (NULL is allowed). */
void cc_tensor_free(cc_tensor *t);

/* Set every element to 0 / to v. */
void cc_tensor_zero(cc_tensor *t);
void cc_tensor_fill(cc_tensor *t, float v);
/* Copy src's data into dst; the element counts must be equal (CC_ESHAPE). */
int cc_tensor_copy(cc_tensor *dst, const cc_tensor *src, cc_error *err);
/* Give t a new shape with the same number of elements (a view change only:
 * the data stays where it is). CC_ESHAPE if the counts differ. */
int cc_tensor_reshape(cc_tensor *t, int ndim, const long *shape,
                      cc_error *err);
/* 1 if a and b have the same ndim and shape, else 0. */
int cc_tensor_same_shape(const cc_tensor *a, const cc_tensor *b);
/* Write the shape as "2x3x32x32" into out (at most size bytes); returns out. */
char *cc_tensor_shape_str(char *out, size_t size, const cc_tensor *t);

/* Allocate n zeroed floats (64-byte aligned), n checked against overflow.
 * Release with cc_floats_free. Returns NULL (and fills err) on failure;
 * n == 0 is an error too. For workspaces and caches that are not tensors. */
float *cc_floats_new(size_t n, cc_error *err);
void cc_floats_free(float *p);

#ifdef __cplusplus
}
#endif
#endif
