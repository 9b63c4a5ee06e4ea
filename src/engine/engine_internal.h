/* engine_internal.h - helpers shared by the engine's kernels (private). */
#ifndef CONVCALC_ENGINE_INTERNAL_H
#define CONVCALC_ENGINE_INTERNAL_H

#include <stddef.h>

#include "convcalc/layers.h"

/* Run fn(ctx, chunk, begin, end) for `chunks` static, contiguous chunks of
 * [0, n): chunk k covers [k*n/chunks, (k+1)*n/chunks). Chunk 0 runs on the
 * calling thread, the others on the persistent workers of pool.c; a chunk
 * without a worker (one could not be started, or the pool is busy with
 * another job) runs on the caller. Results depend only on the chunking,
 * never on scheduling, so a fixed chunk count gives bit-identical output. */
typedef void (*cc_chunk_fn)(void *ctx, int chunk, long begin, long end);
void cc_parallel_chunks(int chunks, long n, cc_chunk_fn fn, void *ctx);

/* cc_col2im that may overwrite col (the backward pass's scratch), which
 * lets stride-1 "same" convolutions add whole row blocks at once. */
void cc_col2im_scratch(float *inp, float *col, const cc_conv2d_desc *d);

/* The oneDNN backend (conv_dnnl.c). Setup builds (or finds) the primitives
 * for d's chunk batch sizes and says how many workspace floats they need;
 * nonzero: oneDNN cannot run this convolution. The kernels return nonzero
 * if oneDNN failed; gradients accumulate. */
int cc_dnnl_conv_setup(const cc_conv2d_desc *d, size_t *work_floats);
int cc_dnnl_conv_has_bwd_data(const cc_conv2d_desc *d);
int cc_dnnl_conv_forward(float *out, const float *inp, const float *weight, const float *bias,
                         const cc_conv2d_desc *d, float *work);
int cc_dnnl_conv_backward_data(float *dinp, const float *dout, const float *weight,
                               const cc_conv2d_desc *d, float *work);
int cc_dnnl_conv_backward_weights(float *dweight, float *dbias, const float *dout,
                                  const float *inp, const cc_conv2d_desc *d, float *work);

#endif
