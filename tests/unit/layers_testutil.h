/* layers_testutil.h - helpers shared by the layer tests (header-only). */
#ifndef LAYERS_TESTUTIL_H
#define LAYERS_TESTUTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "convcalc/rng.h"

/* Fill n floats with uniform values in [lo, hi). */
static inline void tu_fill(float *p, size_t n, cc_rng *r, float lo, float hi)
{
    for (size_t i = 0; i < n; i++)
        p[i] = lo + (hi - lo) * cc_rng_uniformf(r);
}

static inline float *tu_alloc(size_t n)
{
    float *p = calloc(n ? n : 1, sizeof(float));
    if (!p)
        abort(); /* tests only */
    return p;
}

/* Largest |a-b| / (atol + rtol*|b|); <= 1 means every element is close. */
static inline double tu_close_ratio(const float *a, const float *b, size_t n, double atol,
                                    double rtol, size_t *worst)
{
    double r = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]) / (atol + rtol * fabs((double)b[i]));
        if (!(d <= r)) { /* NaN counts as worst */
            r = isnan(d) ? INFINITY : d;
            if (worst)
                *worst = i;
        }
    }
    return r;
}

#define tu_assert_close(a, b, n, atol, rtol)                                            \
    do {                                                                                \
        size_t w_ = 0;                                                                  \
        double r_ = tu_close_ratio((a), (b), (n), (atol), (rtol), &w_);                 \
        if (!(r_ <= 1.0)) {                                                             \
            print_error("%s vs %s: element %zu: %.9g vs %.9g (ratio %g)\n", #a, #b, w_, \
                        (double)(a)[w_], (double)(b)[w_], r_);                          \
            fail();                                                                     \
        }                                                                               \
    } while (0)

#endif
