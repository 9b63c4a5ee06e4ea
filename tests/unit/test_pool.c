/* test_pool.c - the engine's persistent worker threads (src/engine/pool.c):
 * every index is covered exactly once by the chunk that owns its range,
 * workers persist across calls, and calls from inside a chunk still work. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdatomic.h>
#include <string.h>

#include "engine/engine_internal.h"

#define MAXN 1000

typedef struct cover {
    int chunks;
    long n;
    atomic_int hits[MAXN];
    int owner[MAXN];
    pthread_t who[64];
} cover;

static void cover_chunk(void *ctx, int chunk, long b, long e)
{
    cover *c = ctx;
    c->who[chunk] = pthread_self();
    /* the documented split: chunk k covers [k*n/chunks, (k+1)*n/chunks) */
    assert_int_equal(b, (long)((__int128)c->n * chunk / c->chunks));
    assert_int_equal(e, (long)((__int128)c->n * (chunk + 1) / c->chunks));
    for (long i = b; i < e; i++) {
        atomic_fetch_add(&c->hits[i], 1);
        c->owner[i] = chunk;
    }
}

static void test_pool_covers_once(void **state)
{
    (void)state;
    static cover c;
    const long ns[] = {1, 2, 3, 7, 64, 999};
    for (int chunks = 1; chunks <= 9; chunks++)
        for (size_t t = 0; t < sizeof ns / sizeof ns[0]; t++) {
            memset(&c, 0, sizeof c);
            c.chunks = chunks;
            c.n = ns[t];
            cc_parallel_chunks(chunks, c.n, cover_chunk, &c);
            for (long i = 0; i < c.n; i++)
                assert_int_equal(atomic_load(&c.hits[i]), 1);
        }
}

/* The thread that runs chunk 1 is the same from one call to the next: the
 * workers persist instead of being created per call. */
static void test_pool_persists(void **state)
{
    (void)state;
    static cover c;
    pthread_t first = 0;
    for (int rep = 0; rep < 200; rep++) {
        memset(&c, 0, sizeof c);
        c.chunks = 2;
        c.n = 100;
        cc_parallel_chunks(2, c.n, cover_chunk, &c);
        assert_false(pthread_equal(c.who[0], c.who[1]));
        assert_true(pthread_equal(c.who[0], pthread_self()));
        if (rep == 0)
            first = c.who[1];
        else
            assert_true(pthread_equal(first, c.who[1]));
    }
}

typedef struct nest {
    atomic_long sum;
} nest;

static void inner_chunk(void *ctx, int chunk, long b, long e)
{
    (void)chunk;
    nest *s = ctx;
    for (long i = b; i < e; i++)
        atomic_fetch_add(&s->sum, i);
}

static void outer_chunk(void *ctx, int chunk, long b, long e)
{
    (void)chunk;
    for (long i = b; i < e; i++)
        cc_parallel_chunks(3, 10, inner_chunk, ctx); /* pool busy: runs here */
}

static void test_pool_nested(void **state)
{
    (void)state;
    nest s;
    atomic_init(&s.sum, 0);
    cc_parallel_chunks(4, 8, outer_chunk, &s);
    assert_int_equal(atomic_load(&s.sum), 8 * 45);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_covers_once),
        cmocka_unit_test(test_pool_persists),
        cmocka_unit_test(test_pool_nested),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
