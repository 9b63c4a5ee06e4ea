/* engine_internal.h - helpers shared by the engine's kernels (private). */
#ifndef CONVCALC_ENGINE_INTERNAL_H
#define CONVCALC_ENGINE_INTERNAL_H

#include <stddef.h>

/* Run fn(ctx, chunk, begin, end) for `chunks` static, contiguous chunks of
 * [0, n): chunk k covers [k*n/chunks, (k+1)*n/chunks). Chunk 0 runs on the
 * calling thread, the others on fresh pthreads; if a thread cannot be
 * started its chunk runs on the caller. Results depend only on the chunking,
 * never on scheduling, so a fixed chunk count gives bit-identical output. */
typedef void (*cc_chunk_fn)(void *ctx, int chunk, long begin, long end);
void cc_parallel_chunks(int chunks, long n, cc_chunk_fn fn, void *ctx);

#endif
