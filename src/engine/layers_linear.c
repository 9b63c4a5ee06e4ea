/* layers_linear.c - Linear (nn.Linear): out = inp * weight^T + bias. The fast
 * kernels are OpenBLAS sgemm calls; the naive twins are the plain loops. */
#include <cblas.h>
#include <limits.h>

#include "convcalc/layers.h"

static int lin_check(long B, long IN, long OUT, const void *a, const void *b,
                     const void *c, cc_error *err)
{
    if (B < 1 || IN < 1 || OUT < 1)
        return cc_error_set(err, CC_EINVAL,
                            "linear: batch %ld, in %ld, out %ld (expected positive sizes)",
                            B, IN, OUT);
    if (B > INT_MAX || IN > INT_MAX || OUT > INT_MAX)
        return cc_error_set(err, CC_ERANGE, "linear: a size exceeds %d", INT_MAX);
    size_t n;
    if (cc_size_mul((size_t)B, (size_t)IN, &n) || n > ((size_t)1 << 34) ||
        cc_size_mul((size_t)B, (size_t)OUT, &n) || n > ((size_t)1 << 34) ||
        cc_size_mul((size_t)OUT, (size_t)IN, &n) || n > ((size_t)1 << 34))
        return cc_error_set(err, CC_ERANGE,
                            "linear: buffers for batch %ld, %ld -> %ld are too large", B, IN,
                            OUT);
    if (!a || !b || !c)
        return cc_error_set(err, CC_EINVAL, "linear: a required buffer is missing");
    return CC_OK;
}

int cc_linear_forward(float *out, const float *inp, const float *weight,
                      const float *bias, long B, long IN, long OUT, cc_error *err)
{
    int rc = lin_check(B, IN, OUT, out, inp, weight, err);
    if (rc)
        return rc;
    for (long b = 0; b < B; b++)
        for (long o = 0; o < OUT; o++)
            out[(size_t)b * OUT + o] = bias ? bias[o] : 0.0f;
    /* out (B, OUT) += inp (B, IN) * weight^T (IN, OUT) */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, (int)OUT, (int)IN, 1.0f,
                inp, (int)IN, weight, (int)IN, 1.0f, out, (int)OUT);
    return CC_OK;
}

int cc_linear_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                       const float *inp, const float *weight, long B, long IN, long OUT,
                       cc_error *err)
{
    int rc = lin_check(B, IN, OUT, dout, inp, weight, err);
    if (rc)
        return rc;
    if (dinp) /* dinp (B, IN) += dout (B, OUT) * weight (OUT, IN) */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, (int)IN, (int)OUT,
                    1.0f, dout, (int)OUT, weight, (int)IN, 1.0f, dinp, (int)IN);
    if (dweight) /* dweight (OUT, IN) += dout^T (OUT, B) * inp (B, IN) */
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)OUT, (int)IN, (int)B,
                    1.0f, dout, (int)OUT, inp, (int)IN, 1.0f, dweight, (int)IN);
    if (dbias)
        for (long o = 0; o < OUT; o++) {
            float s = 0.0f;
            for (long b = 0; b < B; b++)
                s += dout[(size_t)b * OUT + o];
            dbias[o] += s;
        }
    return CC_OK;
}

int cc_linear_forward_naive(float *out, const float *inp, const float *weight,
                            const float *bias, long B, long IN, long OUT, cc_error *err)
{
    int rc = lin_check(B, IN, OUT, out, inp, weight, err);
    if (rc)
        return rc;
    for (long b = 0; b < B; b++)
        for (long o = 0; o < OUT; o++) {
            double s = bias ? bias[o] : 0.0;
            for (long i = 0; i < IN; i++)
                s += (double)inp[(size_t)b * IN + i] * weight[(size_t)o * IN + i];
            out[(size_t)b * OUT + o] = (float)s;
        }
    return CC_OK;
}

int cc_linear_backward_naive(float *dinp, float *dweight, float *dbias, const float *dout,
                             const float *inp, const float *weight, long B, long IN,
                             long OUT, cc_error *err)
{
    int rc = lin_check(B, IN, OUT, dout, inp, weight, err);
    if (rc)
        return rc;
    for (long b = 0; b < B; b++)
        for (long o = 0; o < OUT; o++) {
            float g = dout[(size_t)b * OUT + o];
            if (dbias)
                dbias[o] += g;
            for (long i = 0; i < IN; i++) {
                if (dinp)
                    dinp[(size_t)b * IN + i] += g * weight[(size_t)o * IN + i];
                if (dweight)
                    dweight[(size_t)o * IN + i] += g * inp[(size_t)b * IN + i];
            }
        }
    return CC_OK;
}
