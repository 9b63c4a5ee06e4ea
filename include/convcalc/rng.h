/* convcalc/rng.h - a tiny seeded pseudo-random generator for the engine.
 *
 * xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom number
 * generators", 2018), seeded by expanding a 64-bit seed with splitmix64, as
 * the authors recommend. The state lives in the caller's cc_rng: there is no
 * hidden global generator, so the same seed always gives the same stream
 * (initialisation, dropout masks, shuffling). Everything is static inline;
 * the generator is not cryptographic.
 */
#ifndef CONVCALC_RNG_H
#define CONVCALC_RNG_H

#include <math.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cc_rng {
    uint64_t s[4];
} cc_rng;

/* One step of splitmix64: advances *x and returns the next output. */
static inline uint64_t cc_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Seed the generator; any seed (0 included) gives a valid, distinct state. */
static inline void cc_rng_seed(cc_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = cc_splitmix64(&x);
}

static inline uint64_t cc_rng_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* Next 64 random bits (xoshiro256**). */
static inline uint64_t cc_rng_next(cc_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = cc_rng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = cc_rng_rotl(s[3], 45);
    return result;
}

/* Uniform double in [0, 1) with 53 random bits. */
static inline double cc_rng_uniform(cc_rng *r)
{
    return (double)(cc_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform float in [0, 1) with 24 random bits. */
static inline float cc_rng_uniformf(cc_rng *r)
{
    return (float)(cc_rng_next(r) >> 40) * (1.0f / 16777216.0f);
}

/* Uniform integer in [0, n) for n >= 1 (Lemire's multiply-shift with
 * rejection, so there is no modulo bias). */
static inline uint64_t cc_rng_below(cc_rng *r, uint64_t n)
{
    if (n <= 1)
        return 0;
    uint64_t threshold = (0 - n) % n;
    for (;;) {
        uint64_t x = cc_rng_next(r);
        unsigned __int128 m = (unsigned __int128)x * n;
        if ((uint64_t)m >= threshold)
            return (uint64_t)(m >> 64);
    }
}

/* Standard normal sample (Box-Muller; one of the pair is discarded so the
 * state stays a plain 256-bit value). */
static inline double cc_rng_normal(cc_rng *r)
{
    double u1 = 1.0 - cc_rng_uniform(r); /* (0, 1]: log is finite */
    double u2 = cc_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
}

#ifdef __cplusplus
}
#endif
#endif
