/* convcalc/rng.h - a small seeded pseudo-random generator for the engine
 * (weight initialisation, dropout masks, shuffling, synthetic data).
 *
 * xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom number
 * generators", 2018) seeded through splitmix64, so any 64-bit seed (0
 * included) gives a well-mixed state. The state is a plain value owned by
 * the caller: no global state, copying a cc_rng forks an identical stream,
 * and the same seed always gives the same sequence on every platform.
 *
 * For independent streams (one per thread, one per layer) use
 * cc_rng_split: it draws a fresh seed from the parent, so the children
 * depend only on the parent's seed and the order of the splits.
 */
#ifndef CONVCALC_RNG_H
#define CONVCALC_RNG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cc_rng {
    uint64_t s[4];     /* xoshiro256** state, never all zero              */
    double spare;      /* second normal deviate of the last Box-Muller pair */
    int has_spare;     /* 1 when spare is valid                            */
} cc_rng;

/* Seed the generator (splitmix64 expands the seed into the state). */
void cc_rng_seed(cc_rng *r, uint64_t seed);
/* Seed child from a value drawn from parent (an independent stream). */
void cc_rng_split(cc_rng *parent, cc_rng *child);

/* 64 random bits. */
uint64_t cc_rng_u64(cc_rng *r);
/* 32 random bits (the high half of cc_rng_u64). */
uint32_t cc_rng_u32(cc_rng *r);
/* Uniform integer in [0, n) without modulo bias; n == 0 gives 0. */
uint64_t cc_rng_below(cc_rng *r, uint64_t n);

/* Uniform double in [0, 1) with 53 random bits. */
double cc_rng_uniform(cc_rng *r);
/* Uniform float in [0, 1) with 24 random bits (never rounds up to 1). */
float cc_rng_uniformf(cc_rng *r);
/* Uniform float in [lo, hi). */
float cc_rng_rangef(cc_rng *r, float lo, float hi);

/* Standard normal deviate (mean 0, variance 1), Box-Muller in double
 * precision; the second value of each pair is kept for the next call. */
double cc_rng_normal(cc_rng *r);
/* Normal float with the given mean and standard deviation. */
float cc_rng_normalf(cc_rng *r, float mean, float stddev);

/* Shuffle idx[0..n) in place (Fisher-Yates). */
void cc_rng_shuffle_size(cc_rng *r, size_t *idx, size_t n);

#ifdef __cplusplus
}
#endif
#endif
