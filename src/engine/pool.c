/* pool.c - the engine's persistent worker threads.
 *
 * cc_parallel_chunks() hands chunks 1..chunks-1 of a job to threads that
 * live for the whole process (started on first use, joined at exit) and runs
 * chunk 0 itself, so a layer call costs a wake-up, not a thread creation.
 * Which chunk covers which range depends only on (chunks, n), never on the
 * scheduling, so results are bit-identical for a given chunk count.
 *
 * One job runs at a time. A call made while the pool is busy (from inside a
 * chunk, or from a second application thread) runs all its chunks on the
 * calling thread, one after the other, in chunk order: the same ranges, so
 * the same results. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "engine/engine_internal.h"

#define POOL_MAX 64 /* chunks per job; workers are POOL_MAX - 1 */

static struct {
    pthread_mutex_t mu;
    pthread_cond_t wake, done;
    pthread_t tid[POOL_MAX];
    unsigned long seen0[POOL_MAX]; /* generation a worker started at */
    int workers;                   /* started: ids 1..workers        */
    int stop;
    unsigned long gen; /* bumped for every job handed out */
    cc_chunk_fn fn;
    void *ctx;
    long n;
    int chunks;  /* the job's chunk count: it alone decides the ranges */
    int helped;  /* chunks 1..helped-1 go to workers, the rest to the caller */
    int pending;
} P = {.mu = PTHREAD_MUTEX_INITIALIZER,
       .wake = PTHREAD_COND_INITIALIZER,
       .done = PTHREAD_COND_INITIALIZER};

static atomic_flag busy = ATOMIC_FLAG_INIT;

static long chunk_begin(long n, int chunks, int k)
{
    return (long)((__int128)n * k / chunks);
}

static void *worker_main(void *arg)
{
    const int k = (int)(intptr_t)arg;
    pthread_mutex_lock(&P.mu);
    unsigned long seen = P.seen0[k];
    for (;;) {
        while (!P.stop && P.gen == seen)
            pthread_cond_wait(&P.wake, &P.mu);
        if (P.stop)
            break;
        seen = P.gen;
        if (k >= P.helped)
            continue;
        cc_chunk_fn fn = P.fn;
        void *ctx = P.ctx;
        long b = chunk_begin(P.n, P.chunks, k), e = chunk_begin(P.n, P.chunks, k + 1);
        pthread_mutex_unlock(&P.mu);
        fn(ctx, k, b, e);
        pthread_mutex_lock(&P.mu);
        if (--P.pending == 0)
            pthread_cond_signal(&P.done);
    }
    pthread_mutex_unlock(&P.mu);
    return NULL;
}

/* Start workers up to id want-1 (P.mu held). Stops at the first thread that
 * cannot be created; the caller runs the chunks nobody took. */
static void grow(int want)
{
    while (P.workers + 1 < want) {
        int k = P.workers + 1;
        P.seen0[k] = P.gen;
        if (pthread_create(&P.tid[k], NULL, worker_main, (void *)(intptr_t)k) != 0)
            break;
        P.workers = k;
    }
}

__attribute__((destructor)) static void pool_shutdown(void)
{
    pthread_mutex_lock(&P.mu);
    P.stop = 1;
    pthread_cond_broadcast(&P.wake);
    int workers = P.workers;
    pthread_mutex_unlock(&P.mu);
    for (int k = 1; k <= workers; k++)
        pthread_join(P.tid[k], NULL);
    P.workers = 0;
}

void cc_parallel_chunks(int chunks, long n, cc_chunk_fn fn, void *ctx)
{
    if (chunks < 1)
        chunks = 1;
    if (chunks > POOL_MAX)
        chunks = POOL_MAX;
    if (chunks == 1) {
        fn(ctx, 0, 0, n);
        return;
    }
    /* every chunk is called, even with an empty range (callers may reduce
     * per-chunk partials); tiny jobs are not worth a wake-up */
    if (n < 2 || atomic_flag_test_and_set(&busy)) {
        /* n < 2 took no flag; a busy pool's flag belongs to its job */
        for (int k = 0; k < chunks; k++)
            fn(ctx, k, chunk_begin(n, chunks, k), chunk_begin(n, chunks, k + 1));
        return;
    }
    pthread_mutex_lock(&P.mu);
    grow(chunks);
    int helped = P.workers + 1 < chunks ? P.workers + 1 : chunks; /* chunks with a thread */
    P.fn = fn;
    P.ctx = ctx;
    P.n = n;
    P.chunks = chunks;
    P.helped = helped;
    P.pending = helped - 1;
    P.gen++;
    if (helped > 1)
        pthread_cond_broadcast(&P.wake);
    pthread_mutex_unlock(&P.mu);
    fn(ctx, 0, chunk_begin(n, chunks, 0), chunk_begin(n, chunks, 1));
    pthread_mutex_lock(&P.mu);
    while (P.pending > 0)
        pthread_cond_wait(&P.done, &P.mu);
    pthread_mutex_unlock(&P.mu);
    for (int k = helped; k < chunks; k++)
        fn(ctx, k, chunk_begin(n, chunks, k), chunk_begin(n, chunks, k + 1));
    atomic_flag_clear(&busy);
}

