/* tensor.c - float32 NCHW tensors with checked sizes and one owner. */
#include "convcalc/tensor.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest element count of any single buffer: 2^34 floats (64 GiB). A
 * request beyond it is refused with CC_ERANGE before malloc is asked, so a
 * hostile shape never reaches the allocator (which under ASan would abort). */
#define CC_MAX_FLOATS ((size_t)1 << 34)

int cc_shape_numel(size_t *out, int ndim, const long *shape, cc_error *err)
{
    if (ndim < 1 || ndim > CC_TENSOR_MAX_DIM)
        return cc_error_set(err, CC_EINVAL,
                            "a tensor has %d dimensions (expected 1 to %d)",
                            ndim, CC_TENSOR_MAX_DIM);
    if (!shape)
        return cc_error_set(err, CC_EINVAL, "no shape given");
    size_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 1)
            return cc_error_set(err, CC_EINVAL,
                                "dimension %d of a tensor is %ld (expected a positive size)",
                                i, shape[i]);
        if (shape[i] > CC_DIM_MAX)
            return cc_error_set(err, CC_ERANGE,
                                "dimension %d of a tensor is %ld (expected at most %ld)",
                                i, shape[i], (long)CC_DIM_MAX);
        if (cc_size_mul(n, (size_t)shape[i], &n) != 0 || n > CC_MAX_FLOATS)
            return cc_error_set(err, CC_ERANGE,
                                "a tensor of this shape would be too large "
                                "(expected at most %zu elements)", CC_MAX_FLOATS);
    }
    *out = n;
    return CC_OK;
}

float *cc_floats_new(size_t n, cc_error *err)
{
    if (n == 0) {
        cc_error_set(err, CC_EINVAL, "a buffer of 0 floats was requested");
        return NULL;
    }
    if (n > CC_MAX_FLOATS) {
        cc_error_set(err, CC_ERANGE,
                     "a buffer of %zu floats is too large (expected at most %zu)",
                     n, CC_MAX_FLOATS);
        return NULL;
    }
    size_t bytes = n * sizeof(float);
    bytes = (bytes + 63) & ~(size_t)63; /* aligned_alloc wants a multiple */
    float *p = aligned_alloc(64, bytes);
    if (!p) {
        cc_error_set(err, CC_ENOMEM, "out of memory allocating %zu floats", n);
        return NULL;
    }
    memset(p, 0, bytes);
    return p;
}

void cc_floats_free(float *p)
{
    free(p);
}

int cc_tensor_new(cc_tensor **out, int ndim, const long *shape, cc_error *err)
{
    if (!out)
        return cc_error_set(err, CC_EINVAL, "no place to store the tensor");
    *out = NULL;
    size_t n;
    int rc = cc_shape_numel(&n, ndim, shape, err);
    if (rc)
        return rc;
    cc_tensor *t = calloc(1, sizeof *t);
    if (!t)
        return cc_error_set(err, CC_ENOMEM, "out of memory allocating a tensor");
    t->data = cc_floats_new(n, err);
    if (!t->data) {
        free(t);
        return err ? err->code : CC_ENOMEM;
    }
    t->ndim = ndim;
    for (int i = 0; i < CC_TENSOR_MAX_DIM; i++)
        t->shape[i] = i < ndim ? shape[i] : 1;
    t->size = n;
    *out = t;
    return CC_OK;
}

int cc_tensor_new4(cc_tensor **out, long n, long c, long h, long w,
                   cc_error *err)
{
    long shape[4] = {n, c, h, w};
    return cc_tensor_new(out, 4, shape, err);
}

int cc_tensor_new2(cc_tensor **out, long n, long f, cc_error *err)
{
    long shape[2] = {n, f};
    return cc_tensor_new(out, 2, shape, err);
}

int cc_tensor_clone(cc_tensor **out, const cc_tensor *src, cc_error *err)
{
    if (!src)
        return cc_error_set(err, CC_EINVAL, "no tensor to clone");
    int rc = cc_tensor_new(out, src->ndim, src->shape, err);
    if (rc)
        return rc;
    memcpy((*out)->data, src->data, src->size * sizeof(float));
    return CC_OK;
}

void cc_tensor_free(cc_tensor *t)
{
    if (!t)
        return;
    cc_floats_free(t->data);
    free(t);
}

void cc_tensor_zero(cc_tensor *t)
{
    if (t && t->data)
        memset(t->data, 0, t->size * sizeof(float));
}

void cc_tensor_fill(cc_tensor *t, float v)
{
    if (!t || !t->data)
        return;
    for (size_t i = 0; i < t->size; i++)
        t->data[i] = v;
}

int cc_tensor_copy(cc_tensor *dst, const cc_tensor *src, cc_error *err)
{
    if (!dst || !src)
        return cc_error_set(err, CC_EINVAL, "no tensor to copy");
    if (dst->size != src->size) {
        char a[96], b[96];
        return cc_error_set(err, CC_ESHAPE,
                            "cannot copy a %s tensor into a %s tensor (expected the same number of elements)",
                            cc_tensor_shape_str(a, sizeof a, src),
                            cc_tensor_shape_str(b, sizeof b, dst));
    }
    if (dst != src)
        memmove(dst->data, src->data, src->size * sizeof(float));
    return CC_OK;
}

int cc_tensor_reshape(cc_tensor *t, int ndim, const long *shape, cc_error *err)
{
    if (!t)
        return cc_error_set(err, CC_EINVAL, "no tensor to reshape");
    size_t n;
    int rc = cc_shape_numel(&n, ndim, shape, err);
    if (rc)
        return rc;
    if (n != t->size) {
        char a[96];
        return cc_error_set(err, CC_ESHAPE,
                            "cannot reshape a %s tensor (%zu elements) to %zu elements "
                            "(expected the same number of elements)",
                            cc_tensor_shape_str(a, sizeof a, t), t->size, n);
    }
    t->ndim = ndim;
    for (int i = 0; i < CC_TENSOR_MAX_DIM; i++)
        t->shape[i] = i < ndim ? shape[i] : 1;
    return CC_OK;
}

int cc_tensor_same_shape(const cc_tensor *a, const cc_tensor *b)
{
    if (!a || !b || a->ndim != b->ndim)
        return 0;
    for (int i = 0; i < a->ndim; i++)
        if (a->shape[i] != b->shape[i])
            return 0;
    return 1;
}

char *cc_tensor_shape_str(char *out, size_t size, const cc_tensor *t)
{
    if (!out || size == 0)
        return out;
    out[0] = '\0';
    if (!t)
        return out;
    size_t len = 0;
    for (int i = 0; i < t->ndim && len < size; i++) {
        int k = snprintf(out + len, size - len, i ? "x%ld" : "%ld", t->shape[i]);
        if (k < 0)
            break;
        len += (size_t)k;
    }
    return out;
}
