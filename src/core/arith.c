/* arith.c - output sizes of convolution, pooling and transposed convolution. */
#include "convcalc/arith.h"

static int check_dims(long in, long kernel, long stride, long pad_begin,
                      long pad_end, long dilation, cc_error *err)
{
    if (in < 1)
        return cc_error_set(err, CC_EINVAL, "input size must be positive (got %ld)", in);
    if (kernel < 1)
        return cc_error_set(err, CC_EINVAL, "kernel size must be positive (got %ld)", kernel);
    if (stride < 1)
        return cc_error_set(err, CC_EINVAL, "stride must be positive (got %ld)", stride);
    if (dilation < 1)
        return cc_error_set(err, CC_EINVAL, "dilation must be positive (got %ld)", dilation);
    if (pad_begin < 0 || pad_end < 0)
        return cc_error_set(err, CC_EINVAL, "padding must not be negative (got %ld, %ld)",
                            pad_begin, pad_end);
    if (in > CC_DIM_MAX || kernel > CC_DIM_MAX || stride > CC_DIM_MAX ||
        dilation > CC_DIM_MAX || pad_begin > CC_DIM_MAX || pad_end > CC_DIM_MAX)
        return cc_error_set(err, CC_ERANGE, "a size exceeds the limit of %ld", CC_DIM_MAX);
    return CC_OK;
}

/* All values are at most CC_DIM_MAX (1e9), so the sums and the product
 * D*(F-1) fit comfortably in 64 bits; long is 64 bits on every target we
 * build for, and the static assert keeps it so. */
_Static_assert(sizeof(long) >= 8, "convcalc needs a 64-bit long");

int cc_conv_out(long *out, long in, long kernel, long stride, long pad_begin,
                long pad_end, long dilation, cc_error *err)
{
    int rc = check_dims(in, kernel, stride, pad_begin, pad_end, dilation, err);
    if (rc)
        return rc;
    long eff = dilation * (kernel - 1) + 1;
    long padded = in + pad_begin + pad_end;
    if (eff > padded)
        return cc_error_set(err, CC_ESHAPE,
                            "kernel (effective size %ld) is larger than the padded input (%ld)",
                            eff, padded);
    *out = (padded - eff) / stride + 1;
    return CC_OK;
}

int cc_pool_out(long *out, long in, long kernel, long stride, long pad_begin,
                long pad_end, long dilation, int ceil_mode, cc_error *err)
{
    int rc = check_dims(in, kernel, stride, pad_begin, pad_end, dilation, err);
    if (rc)
        return rc;
    if (pad_begin * 2 > kernel || pad_end * 2 > kernel)
        return cc_error_set(err, CC_EINVAL,
                            "pooling padding must be at most half the kernel size "
                            "(padding %ld, kernel %ld)",
                            pad_begin > pad_end ? pad_begin : pad_end, kernel);
    long eff = dilation * (kernel - 1) + 1;
    long padded = in + pad_begin + pad_end;
    /* As PyTorch's pooling_output_shape: with ceil_mode the numerator gets
     * stride - 1 added before the (flooring) division, so a window may hang
     * over the end; then the last window must start inside the input or
     * the left padding, otherwise it is dropped. */
    long numer = padded - eff + (ceil_mode ? stride - 1 : 0);
    long o = (numer >= 0 ? numer / stride : -((-numer + stride - 1) / stride)) + 1;
    if (ceil_mode && (o - 1) * stride >= in + pad_begin)
        o--;
    if (o < 1)
        return cc_error_set(err, CC_ESHAPE,
                            "pooling window (effective size %ld) is larger than the padded input (%ld)",
                            eff, padded);
    *out = o;
    return CC_OK;
}

int cc_tconv_out(long *out, long in, long kernel, long stride, long pad_begin,
                 long pad_end, long dilation, long output_padding, cc_error *err)
{
    int rc = check_dims(in, kernel, stride, pad_begin, pad_end, dilation, err);
    if (rc)
        return rc;
    if (output_padding < 0 || (output_padding >= stride && output_padding >= dilation))
        return cc_error_set(err, CC_EINVAL,
                            "output padding must be smaller than the stride or the dilation "
                            "(got %ld, stride %ld, dilation %ld)",
                            output_padding, stride, dilation);
    long o = (in - 1) * stride - pad_begin - pad_end + dilation * (kernel - 1) +
             output_padding + 1;
    if (o < 1)
        return cc_error_set(err, CC_ESHAPE,
                            "the padding removes the whole output (size would be %ld)", o);
    *out = o;
    return CC_OK;
}

int cc_same_padding(long *pad_begin, long *pad_end, long *out, long in,
                    long kernel, long stride, long dilation, cc_error *err)
{
    int rc = check_dims(in, kernel, stride, 0, 0, dilation, err);
    if (rc)
        return rc;
    long o = (in + stride - 1) / stride;
    long total = (o - 1) * stride + dilation * (kernel - 1) + 1 - in;
    if (total < 0)
        total = 0;
    *pad_begin = total / 2;
    *pad_end = total - total / 2;
    *out = o;
    return CC_OK;
}

/* ---- receptive field ------------------------------------------------------ */

void cc_rf_init(cc_rf *state)
{
    state->rf = 1;
    state->jump = 1;
}

int cc_rf_step(cc_rf *state, long kernel, long stride, long dilation, cc_error *err)
{
    if (kernel < 1 || stride < 1 || dilation < 1)
        return cc_error_set(err, CC_EINVAL,
                            "kernel, stride and dilation must be positive (got %ld, %ld, %ld)",
                            kernel, stride, dilation);
    if (kernel > CC_DIM_MAX || stride > CC_DIM_MAX || dilation > CC_DIM_MAX)
        return cc_error_set(err, CC_ERANGE, "a size exceeds the limit of %ld", CC_DIM_MAX);
    const int64_t limit = (int64_t)CC_DIM_MAX * CC_DIM_MAX;
    int64_t eff, grow, rf, jump;
    if (cc_i64_mul(dilation, kernel - 1, &eff) || cc_i64_mul(eff, state->jump, &grow) ||
        cc_i64_add(state->rf, grow, &rf) || cc_i64_mul(state->jump, stride, &jump) ||
        rf > limit || jump > limit)
        return cc_error_set(err, CC_ERANGE,
                            "the receptive field grows beyond %lld input pixels",
                            (long long)limit);
    state->rf = (long)rf;
    state->jump = (long)jump;
    return CC_OK;
}
