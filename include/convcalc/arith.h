/* convcalc/arith.h - the arithmetic of convolution and pooling layers.
 *
 * One spatial dimension at a time (height and width are computed
 * separately). Notation (Dumoulin & Visin, "A guide to convolution
 * arithmetic for deep learning"; PyTorch's Conv2d / MaxPool2d /
 * ConvTranspose2d documentation):
 *   I input size, F kernel size, S stride, D dilation,
 *   P_b / P_e padding before / after, O output size.
 *   effective kernel  F_eff = D*(F-1) + 1
 *   convolution       O = floor((I + P_b + P_e - F_eff) / S) + 1
 *   pooling           as convolution; with ceil_mode the division rounds up,
 *                     and (as PyTorch does) the last window must start
 *                     inside the input or the left padding
 *   transposed conv   O = (I-1)*S - P_b - P_e + F_eff + output_padding
 */
#ifndef CONVCALC_ARITH_H
#define CONVCALC_ARITH_H

#include "convcalc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Output size of a convolution along one dimension. Fails with CC_EINVAL for
 * non-positive sizes, negative padding or a kernel larger than the padded
 * input, CC_ERANGE when a value exceeds CC_DIM_MAX. */
int cc_conv_out(long *out, long in, long kernel, long stride, long pad_begin,
                long pad_end, long dilation, cc_error *err);

/* Output size of a pooling window along one dimension (ceil_mode as in
 * PyTorch's MaxPool2d/AvgPool2d). Padding must be at most half the kernel,
 * as PyTorch requires. */
int cc_pool_out(long *out, long in, long kernel, long stride, long pad_begin,
                long pad_end, long dilation, int ceil_mode, cc_error *err);

/* Output size of a transposed convolution along one dimension.
 * output_padding must be smaller than the stride or the dilation. */
int cc_tconv_out(long *out, long in, long kernel, long stride, long pad_begin,
                 long pad_end, long dilation, long output_padding,
                 cc_error *err);

#ifdef __cplusplus
}
#endif
#endif
