/* rng.c - splitmix64 seeding and the xoshiro256** generator; uniform,
 * bounded, normal (Box-Muller) deviates and Fisher-Yates shuffling. */
#include <math.h>

#include "convcalc/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void cc_rng_seed(cc_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    /* splitmix64 is a bijection of a counter, so four consecutive outputs
     * are never all zero; keep the guard for clarity. */
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
        r->s[0] = 1;
    r->spare = 0.0;
    r->has_spare = 0;
}

void cc_rng_split(cc_rng *parent, cc_rng *child)
{
    cc_rng_seed(child, cc_rng_u64(parent));
}

uint64_t cc_rng_u64(cc_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint32_t cc_rng_u32(cc_rng *r)
{
    return (uint32_t)(cc_rng_u64(r) >> 32);
}

uint64_t cc_rng_below(cc_rng *r, uint64_t n)
{
    if (n == 0)
        return 0;
    /* reject the incomplete last block of 2^64 mod n values */
    uint64_t limit = (uint64_t)0 - ((uint64_t)0 - n) % n; /* multiple of n, 0 = 2^64 */
    for (;;) {
        uint64_t x = cc_rng_u64(r);
        if (limit == 0 || x < limit)
            return x % n;
    }
}

double cc_rng_uniform(cc_rng *r)
{
    return (double)(cc_rng_u64(r) >> 11) * 0x1.0p-53;
}

float cc_rng_uniformf(cc_rng *r)
{
    return (float)(cc_rng_u64(r) >> 40) * 0x1.0p-24f;
}

float cc_rng_rangef(cc_rng *r, float lo, float hi)
{
    float v = lo + (hi - lo) * cc_rng_uniformf(r);
    /* rounding can land exactly on hi; keep the interval half-open */
    return v < hi ? v : lo;
}

double cc_rng_normal(cc_rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    /* u1 in (0, 1] so log(u1) is finite */
    double u1 = 1.0 - cc_rng_uniform(r);
    double u2 = cc_rng_uniform(r);
    double rad = sqrt(-2.0 * log(u1));
    double ang = 6.283185307179586476925286766559 * u2;
    r->spare = rad * sin(ang);
    r->has_spare = 1;
    return rad * cos(ang);
}

float cc_rng_normalf(cc_rng *r, float mean, float stddev)
{
    return (float)(mean + stddev * cc_rng_normal(r));
}

void cc_rng_shuffle_size(cc_rng *r, size_t *idx, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)cc_rng_below(r, (uint64_t)i);
        size_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}
