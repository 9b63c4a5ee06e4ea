/* convcalc/layers.h - the layer kernels of the reference CNN engine.
 *
 * Every layer has a forward and a backward kernel on plain float buffers,
 * float32, NCHW, contiguous. Conventions (as karpathy/llm.c train_gpt2.c):
 *   - arguments: outputs first, then caches, inputs, parameters, sizes;
 *   - a gradient buffer is named d<name> and holds the true gradient of the
 *     loss with respect to <name>; backward kernels ACCUMULATE (+=) into
 *     every gradient buffer, so a training step starts with zero_grad;
 *     a gradient pointer may be NULL when that gradient is not wanted
 *     (for instance dinp of the first layer);
 *   - forward kernels overwrite their outputs and caches;
 *   - each buffer's shape is in the comment beside it.
 * Kernels that can fail return 0 or a negative CC_E* code and fill err; they
 * never print and never abort. Elementwise kernels that cannot fail return
 * void.
 *
 * Fast and naive twins: where a kernel has a fast path (im2col + OpenBLAS
 * sgemm, threads), the naive reference kernel sits beside it under the
 * suffix _naive; tests compare the two. The naive convolution is the
 * textbook loop the walkthrough shows.
 *
 * Determinism: the same inputs and the same thread count give bit-identical
 * results. Forward convolution and input gradients do not depend on the
 * thread count at all; weight gradients are summed per thread and reduced
 * in a fixed order.
 */
#ifndef CONVCALC_LAYERS_H
#define CONVCALC_LAYERS_H

#include <stddef.h>
#include <stdint.h>

#include "convcalc/common.h"
#include "convcalc/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================== */
/* Conv2d (cross-correlation, as PyTorch's nn.Conv2d)                        */
/* ======================================================================== */
/* out[b][o][y][x] = bias[o] + sum over c in o's group, i, j of
 *   weight[o][c'][i][j] * inp[b][c][y*sh - pt + i*dh][x*sw - pl + j*dw]
 * (c' = c - group_start; positions outside the input read 0).
 *
 * Fill the descriptor with cc_conv2d_desc_init (defaults: stride 1,
 * dilation 1, padding 0, groups 1, threads 1), set the fields, then call
 * cc_conv2d_setup, which checks everything, computes OH, OW and the
 * workspace size, and marks the descriptor ready. The kernels refuse a
 * descriptor that was not set up (CC_EINVAL). */
typedef struct cc_conv2d_desc {
    /* set by the caller */
    long B, C, H, W;            /* input: batch, channels, height, width     */
    long OC;                    /* output channels (number of filters)       */
    long KH, KW;                /* kernel height, width                      */
    long stride_h, stride_w;    /* >= 1                                      */
    long pad_top, pad_bottom;   /* >= 0, zero padding (may differ per side)  */
    long pad_left, pad_right;   /* >= 0                                      */
    long dil_h, dil_w;          /* >= 1                                      */
    long groups;                /* >= 1, divides C and OC                    */
    int threads;                /* worker threads for the fast kernels, >= 1 */
    int backend;                /* CC_CONV_AUTO (default), CC_CONV_BLAS,     */
                                /* CC_CONV_ONEDNN: see cc_conv_backend       */
    /* filled by cc_conv2d_setup */
    long OH, OW;                /* output height, width                      */
    size_t work_floats;         /* workspace (floats) the fast kernels need  */
    int ready;                  /* nonzero once set up                       */
    int impl;                   /* the backend setup chose (BLAS or ONEDNN)  */
    size_t impl_floats;         /* of work_floats, the oneDNN part           */
} cc_conv2d_desc;

/* The fast convolution kernels (the naive twins are separate functions):
 * CC_CONV_BLAS is im2col + OpenBLAS sgemm; CC_CONV_ONEDNN runs oneDNN's
 * convolutions (forward, backward-weights, and backward-data when the input
 * has at least 16 channels; fewer go to the OpenBLAS path, which is faster
 * there), with NCHW converted to oneDNN's blocked layouts inside the call.
 * CC_CONV_AUTO picks oneDNN where it can run the convolution (groups 1),
 * unless the environment variable CONVCALC_CONV is "openblas". */
enum { CC_CONV_AUTO = 0, CC_CONV_BLAS = 1, CC_CONV_ONEDNN = 2 };
/* What CC_CONV_AUTO asks for: CC_CONV_BLAS if CONVCALC_CONV is "openblas",
 * else CC_CONV_ONEDNN (setup still falls back to OpenBLAS per layer where
 * oneDNN cannot run it). */
int cc_conv_auto_backend(void);
/* The name of a backend ("openblas", "onednn"; "auto" for CC_CONV_AUTO). */
const char *cc_conv_backend_name(int backend);
/* The instruction set oneDNN's kernels use on this machine ("avx512_core",
 * "avx2", ...). */
const char *cc_conv_onednn_isa(void);

void cc_conv2d_desc_init(cc_conv2d_desc *d);
/* Check the descriptor (positive sizes, groups dividing C and OC, kernel not
 * larger than the padded input, every buffer size free of overflow) and fill
 * OH, OW, work_floats. CC_EINVAL / CC_ESHAPE / CC_ERANGE with a message. */
int cc_conv2d_setup(cc_conv2d_desc *d, cc_error *err);
/* Workspace in floats the fast forward and backward kernels need (0 when no
 * workspace is needed); valid after cc_conv2d_setup. Allocate it once with
 * cc_floats_new and pass it to every call: it is reused across steps. */
size_t cc_conv2d_workspace(const cc_conv2d_desc *d);
/* Element counts of the buffers (valid after setup). */
size_t cc_conv2d_inp_size(const cc_conv2d_desc *d);    /* B*C*H*W             */
size_t cc_conv2d_out_size(const cc_conv2d_desc *d);    /* B*OC*OH*OW          */
size_t cc_conv2d_weight_size(const cc_conv2d_desc *d); /* OC*(C/groups)*KH*KW */

/* Fast forward: im2col + sgemm per sample (a 1x1, stride-1, unpadded
 * convolution skips im2col), threaded over the batch. work holds at least
 * cc_conv2d_workspace(d) floats (may be NULL when that is 0). */
int cc_conv2d_forward(float *out,          /* (B, OC, OH, OW)         */
                      const float *inp,    /* (B, C, H, W)            */
                      const float *weight, /* (OC, C/groups, KH, KW)  */
                      const float *bias,   /* (OC) or NULL            */
                      const cc_conv2d_desc *d, float *work, cc_error *err);
/* Fast backward; accumulates into dinp, dweight, dbias (each may be NULL). */
int cc_conv2d_backward(float *dinp,        /* (B, C, H, W) or NULL           */
                       float *dweight,     /* (OC, C/groups, KH, KW) or NULL */
                       float *dbias,       /* (OC) or NULL                   */
                       const float *dout,  /* (B, OC, OH, OW)                */
                       const float *inp,   /* (B, C, H, W)                   */
                       const float *weight,/* (OC, C/groups, KH, KW)         */
                       const cc_conv2d_desc *d, float *work, cc_error *err);
/* Naive reference twins: the plain seven-fold loop, one thread, no
 * workspace. */
int cc_conv2d_forward_naive(float *out, const float *inp, const float *weight,
                            const float *bias, const cc_conv2d_desc *d,
                            cc_error *err);
int cc_conv2d_backward_naive(float *dinp, float *dweight, float *dbias,
                             const float *dout, const float *inp,
                             const float *weight, const cc_conv2d_desc *d,
                             cc_error *err);

/* im2col for ONE sample (all channels): col row r = (c*KH + i)*KW + j,
 * column y*OW + x; col[r][y*OW+x] = inp[c][y*sh-pt+i*dh][x*sw-pl+j*dw] or 0.
 * col2im is its adjoint and accumulates (+=) into inp. */
void cc_im2col(float *col,       /* (C*KH*KW, OH*OW) */
               const float *inp, /* (C, H, W)        */
               const cc_conv2d_desc *d);
void cc_col2im(float *inp,       /* (C, H, W), accumulated */
               const float *col, /* (C*KH*KW, OH*OW)       */
               const cc_conv2d_desc *d);

/* ======================================================================== */
/* Pooling: MaxPool2d, AvgPool2d (as PyTorch), global average pooling        */
/* ======================================================================== */
typedef struct cc_pool2d_desc {
    /* set by the caller */
    long B, C, H, W;            /* input                                     */
    long KH, KW;                /* window                                    */
    long stride_h, stride_w;    /* >= 1 (PyTorch's default is the kernel)    */
    long pad_top, pad_bottom;   /* >= 0, at most half the window             */
    long pad_left, pad_right;
    long dil_h, dil_w;          /* >= 1; average pooling needs 1             */
    int ceil_mode;              /* round the output size up (PyTorch rule)   */
    int count_include_pad;      /* average: divide by the padded window (1,
                                   PyTorch's default) or by the real part (0) */
    /* filled by cc_pool2d_setup */
    long OH, OW;
    int ready;
} cc_pool2d_desc;

/* Defaults: stride = kernel (set KH, KW first, or set stride explicitly),
 * padding 0, dilation 1, ceil_mode 0, count_include_pad 1. Sets KH=KW=2. */
void cc_pool2d_desc_init(cc_pool2d_desc *d);
int cc_pool2d_setup(cc_pool2d_desc *d, cc_error *err);
size_t cc_pool2d_out_size(const cc_pool2d_desc *d); /* B*C*OH*OW */

/* Max pooling; padding never wins (it is -infinity). argmax records, per
 * output, the index y*W+x inside its input plane (for backward). */
int cc_maxpool2d_forward(float *out,       /* (B, C, OH, OW)           */
                         int32_t *argmax,  /* (B, C, OH, OW)           */
                         const float *inp, /* (B, C, H, W)             */
                         const cc_pool2d_desc *d, cc_error *err);
int cc_maxpool2d_backward(float *dinp,          /* (B, C, H, W)        */
                          const float *dout,    /* (B, C, OH, OW)      */
                          const int32_t *argmax,/* (B, C, OH, OW)      */
                          const cc_pool2d_desc *d, cc_error *err);
int cc_avgpool2d_forward(float *out,       /* (B, C, OH, OW) */
                         const float *inp, /* (B, C, H, W)   */
                         const cc_pool2d_desc *d, cc_error *err);
int cc_avgpool2d_backward(float *dinp,       /* (B, C, H, W)   */
                          const float *dout, /* (B, C, OH, OW) */
                          const cc_pool2d_desc *d, cc_error *err);

/* Global average pooling: out[b][c] = mean over the H*W plane. */
void cc_global_avgpool_forward(float *out,       /* (B, C)       */
                               const float *inp, /* (B, C, H, W) */
                               long B, long C, long HW);
void cc_global_avgpool_backward(float *dinp,       /* (B, C, H, W) */
                                const float *dout, /* (B, C)       */
                                long B, long C, long HW);

/* ======================================================================== */
/* BatchNorm1d / BatchNorm2d                                                 */
/* ======================================================================== */
/* One kernel for both: BatchNorm2d is (B, C, H*W); BatchNorm1d is (B, C, 1)
 * for (N, C) input or (B, C, L) for (N, C, L). Statistics are per channel
 * over B*HW values.
 * training != 0: normalise with the batch mean and the biased batch
 *   variance; then, if running_mean/running_var are not NULL, update them as
 *   PyTorch does: running = (1 - momentum) * running + momentum * batch, with
 *   the UNBIASED batch variance (n/(n-1)). Needs B*HW > 1 (CC_ESHAPE).
 * training == 0: normalise with running_mean and running_var.
 * mean and rstd are caches for backward: the statistics used, with
 * rstd = 1/sqrt(var + eps). weight/bias (gamma/beta) may be NULL (affine
 * off). Non-finite statistics give CC_ENUMERIC. */
int cc_batchnorm_forward(float *out,          /* (B, C, HW)                */
                         float *mean,         /* (C) cache                 */
                         float *rstd,         /* (C) cache                 */
                         float *running_mean, /* (C) or NULL, updated      */
                         float *running_var,  /* (C) or NULL, updated      */
                         const float *inp,    /* (B, C, HW)                */
                         const float *weight, /* (C) or NULL               */
                         const float *bias,   /* (C) or NULL               */
                         long B, long C, long HW, float eps, float momentum,
                         int training, cc_error *err);
/* Backward; training selects whether the statistics depended on the batch
 * (the full batch-norm gradient) or were constants (eval mode). */
int cc_batchnorm_backward(float *dinp,        /* (B, C, HW) or NULL */
                          float *dweight,     /* (C) or NULL        */
                          float *dbias,       /* (C) or NULL        */
                          const float *dout,  /* (B, C, HW)         */
                          const float *inp,   /* (B, C, HW)         */
                          const float *mean,  /* (C) cache          */
                          const float *rstd,  /* (C) cache          */
                          const float *weight,/* (C) or NULL        */
                          long B, long C, long HW, int training,
                          cc_error *err);

/* ======================================================================== */
/* Activations (elementwise over n values; forward may run in place)       */
/* ======================================================================== */
void cc_relu_forward(float *out, const float *inp, size_t n);
/* dinp += dout where out > 0 (out is the forward output; works in place) */
void cc_relu_backward(float *dinp, const float *dout, const float *out,
                      size_t n);
/* out = x if x > 0 else slope * x  (PyTorch default slope 0.01) */
void cc_leaky_relu_forward(float *out, const float *inp, size_t n,
                           float slope);
void cc_leaky_relu_backward(float *dinp, const float *dout, const float *inp,
                            size_t n, float slope);
/* out = x if x > 0 else alpha * (exp(x) - 1)  (PyTorch default alpha 1) */
void cc_elu_forward(float *out, const float *inp, size_t n, float alpha);
void cc_elu_backward(float *dinp, const float *dout, const float *inp,
                     size_t n, float alpha);
/* numerically stable for large |x|; backward uses the forward output */
void cc_sigmoid_forward(float *out, const float *inp, size_t n);
void cc_sigmoid_backward(float *dinp, const float *dout, const float *out,
                         size_t n);
void cc_tanh_forward(float *out, const float *inp, size_t n);
void cc_tanh_backward(float *dinp, const float *dout, const float *out,
                      size_t n);

/* ======================================================================== */
/* Dropout (inverted: kept values are scaled by 1/(1-p) in training)          */
/* ======================================================================== */
/* training != 0: each value is kept with probability 1-p, drawing one
 * cc_rng_uniformf per value from the caller's rng in order; mask holds the
 * factor applied (0 or 1/(1-p)). training == 0 (or p == 0): out = inp and
 * mask = 1. p must be in [0, 1] (p == 1 drops everything). */
int cc_dropout_forward(float *out,       /* (n)            */
                       float *mask,      /* (n) cache      */
                       const float *inp, /* (n)            */
                       size_t n, float p, int training, cc_rng *rng,
                       cc_error *err);
void cc_dropout_backward(float *dinp,       /* (n) */
                         const float *dout, /* (n) */
                         const float *mask, /* (n) */
                         size_t n);

/* ======================================================================== */
/* Flatten, residual add                                                      */
/* ======================================================================== */
/* Flatten (B, C, H, W) -> (B, C*H*W): in NCHW the data does not move, so a
 * network may simply alias the buffers; these copy (no-op when out == inp). */
void cc_flatten_forward(float *out, const float *inp, size_t n);
void cc_flatten_backward(float *dinp, const float *dout, size_t n);

/* Residual add: out = a + b; backward accumulates dout into da and db. */
void cc_add_forward(float *out, const float *a, const float *b, size_t n);
void cc_add_backward(float *da, float *db, const float *dout, size_t n);

/* ======================================================================== */
/* Linear (as nn.Linear: out = inp * weight^T + bias)                        */
/* ======================================================================== */
int cc_linear_forward(float *out,          /* (B, OUT)        */
                      const float *inp,    /* (B, IN)         */
                      const float *weight, /* (OUT, IN)       */
                      const float *bias,   /* (OUT) or NULL   */
                      long B, long IN, long OUT, cc_error *err);
int cc_linear_backward(float *dinp,         /* (B, IN) or NULL   */
                       float *dweight,      /* (OUT, IN) or NULL */
                       float *dbias,        /* (OUT) or NULL     */
                       const float *dout,   /* (B, OUT)          */
                       const float *inp,    /* (B, IN)           */
                       const float *weight, /* (OUT, IN)         */
                       long B, long IN, long OUT, cc_error *err);
int cc_linear_forward_naive(float *out, const float *inp, const float *weight,
                            const float *bias, long B, long IN, long OUT,
                            cc_error *err);
int cc_linear_backward_naive(float *dinp, float *dweight, float *dbias,
                             const float *dout, const float *inp,
                             const float *weight, long B, long IN, long OUT,
                             cc_error *err);

/* ======================================================================== */
/* Softmax and fused softmax + cross-entropy                                  */
/* ======================================================================== */
/* Softmax along the middle axis of (outer, K, inner), max-subtracted.
 * (B, K) logits are outer=B, inner=1. */
void cc_softmax_forward(float *out,       /* (outer, K, inner) */
                        const float *inp, /* (outer, K, inner) */
                        long outer, long K, long inner);

/* Fused softmax + cross-entropy with integer targets, mean over the batch
 * (nn.CrossEntropyLoss). Log-sum-exp with the max subtracted, so huge
 * logits do not overflow. Fills *loss, probs (the softmax, for backward),
 * and optionally per-sample losses and correctness (argmax == target; ties
 * go to the lowest index). CC_EINVAL for a target outside 0..K-1,
 * CC_ENUMERIC for a non-finite logit or loss. */
int cc_softmax_xent_forward(float *loss,           /* scalar              */
                            float *probs,          /* (B, K) cache        */
                            float *losses,         /* (B) or NULL         */
                            uint8_t *correct,      /* (B) or NULL         */
                            const float *logits,   /* (B, K)              */
                            const int32_t *targets,/* (B), in 0..K-1      */
                            long B, long K, cc_error *err);
/* dlogits += dloss * (probs - onehot(target)) / B */
void cc_softmax_xent_backward(float *dlogits,        /* (B, K) */
                              const float *probs,    /* (B, K) */
                              const int32_t *targets,/* (B)    */
                              long B, long K, float dloss);

/* ======================================================================== */
/* Threads                                                                    */
/* ======================================================================== */
/* Number of threads OpenBLAS itself uses (process-wide, OpenBLAS's own
 * setting). The convolution kernels thread over the batch themselves and
 * call OpenBLAS from their workers, so set this to 1 when d->threads > 1
 * to avoid oversubscribing the cores; the linear layer uses OpenBLAS's
 * threads. */
void cc_blas_set_threads(int n);

/* The name of the kernel set OpenBLAS runs ("Haswell", "SkylakeX", ...):
 * OpenBLAS picks it for the CPU unless OPENBLAS_CORETYPE names one. */
const char *cc_blas_core(void);

/* The machine's GEMM limit as this engine reaches it: the best FLOP/s of
 * m x m x m single-precision products (C = A B; m from 256 up to n in
 * steps of about half an octave, or n alone below 256), split by columns over
 * `threads` pool workers, each calling the backend's sgemm on one thread
 * (backend CC_CONV_BLAS: OpenBLAS's cblas_sgemm; CC_CONV_ONEDNN:
 * oneDNN's dnnl_sgemm), best of `reps` runs. n in 16..4096, reps >= 1.
 * CC_EINVAL for other values, CC_ENOMEM, CC_EINTERNAL if the backend
 * fails. */
int cc_gemm_peak(double *flops, int backend, int threads, long n, int reps, cc_error *err);

/* ======================================================================== */
/* Graph nodes and more activations (layers_graph.c, layers_act2.c)          */
/* ======================================================================== */
/* Binary elementwise ops over a batch: a is (B, n) per sample; b is (B, nb)
 * with nb = n (same shape), nb = C with n = C * inner (one value per
 * channel, broadcast over the plane) or nb = 1 (a scalar per sample).
 * kind: 0 add, 1 sub, 2 mul, 3 div. Backward accumulates into da and db
 * (either may be NULL), summing over the broadcast positions. */
void cc_binary_forward(float *out, const float *a, const float *b, long B, size_t n,
                       size_t nb, int kind);
void cc_binary_backward(float *da, float *db, const float *dout, const float *a,
                        const float *b, long B, size_t n, size_t nb, int kind);

/* Concatenation along the per-sample leading axis: k inputs of (B, sizes[j])
 * into (B, sum sizes); backward accumulates the slices into din[j] (NULL
 * entries are skipped). */
void cc_concat_forward(float *out, const float *const *inp, const size_t *sizes, int k,
                       long B);
void cc_concat_backward(float *const *din, const float *dout, const size_t *sizes, int k,
                        long B);

/* Nearest-neighbour upsampling by integer factors: (P, H, W) planes ->
 * (P, H*sh, W*sw); backward sums each block into its source. */
void cc_upsample_forward(float *out, const float *inp, long P, long H, long W, long sh,
                         long sw);
void cc_upsample_backward(float *dinp, const float *dout, long P, long H, long W, long sh,
                          long sw);

/* Constant padding of (P, H, W) planes by top/bottom/left/right with value
 * v; backward accumulates the inner window. */
void cc_pad_forward(float *out, const float *inp, long P, long H, long W, long pt, long pb,
                    long pl, long pr, float v);
void cc_pad_backward(float *dinp, const float *dout, long P, long H, long W, long pt,
                     long pb, long pl, long pr);

/* Elementwise activations (n values); backward accumulates dinp from the
 * input inp: clip to [lo, hi] (gradient 1 strictly inside), hardsigmoid
 * max(0, min(1, alpha*x + beta)), hardswish x*relu6(x+3)/6, silu
 * x*sigmoid(x), gelu x*Phi(x) (erf form), softplus log(1+exp(x)) (x for
 * x > 20, as PyTorch), selu gamma*(x > 0 ? x : alpha*(exp(x)-1)). */
void cc_clip_forward(float *out, const float *inp, size_t n, float lo, float hi);
void cc_clip_backward(float *dinp, const float *dout, const float *inp, size_t n, float lo,
                      float hi);
void cc_hardsigmoid_forward(float *out, const float *inp, size_t n, float alpha,
                            float beta);
void cc_hardsigmoid_backward(float *dinp, const float *dout, const float *inp, size_t n,
                             float alpha, float beta);
void cc_hardswish_forward(float *out, const float *inp, size_t n);
void cc_hardswish_backward(float *dinp, const float *dout, const float *inp, size_t n);
void cc_silu_forward(float *out, const float *inp, size_t n);
void cc_silu_backward(float *dinp, const float *dout, const float *inp, size_t n);
void cc_gelu_forward(float *out, const float *inp, size_t n);
void cc_gelu_backward(float *dinp, const float *dout, const float *inp, size_t n);
void cc_softplus_forward(float *out, const float *inp, size_t n);
void cc_softplus_backward(float *dinp, const float *dout, const float *inp, size_t n);
void cc_selu_forward(float *out, const float *inp, size_t n, float alpha, float gamma);
void cc_selu_backward(float *dinp, const float *dout, const float *inp, size_t n,
                      float alpha, float gamma);

/* PReLU on (B, C, inner): slope w[c] (nw = C) or w[0] (nw = 1); backward
 * accumulates dinp and dw (either may be NULL). */
void cc_prelu_forward(float *out, const float *inp, const float *w, long B, long C,
                      long inner, long nw);
void cc_prelu_backward(float *dinp, float *dw, const float *dout, const float *inp,
                       const float *w, long B, long C, long inner, long nw);

/* Log-softmax over K of (outer, K, inner), and the backward passes of
 * softmax and log-softmax from their outputs (accumulating into dinp). */
void cc_log_softmax_forward(float *out, const float *inp, long outer, long K, long inner);
void cc_softmax_backward(float *dinp, const float *dout, const float *out, long outer,
                         long K, long inner);
void cc_log_softmax_backward(float *dinp, const float *dout, const float *out, long outer,
                             long K, long inner);

#ifdef __cplusplus
}
#endif
#endif
