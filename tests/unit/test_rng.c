/* test_rng.c - the seeded generator: reference outputs of splitmix64 +
 * xoshiro256** (computed by an independent Python transcription of the
 * published algorithms; splitmix64(0) = 0xe220a8397b1dcdaf is the value
 * quoted by its author), determinism, ranges and first moments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "convcalc/rng.h"

static void test_reference_sequences(void **state)
{
    (void)state;
    static const struct {
        uint64_t seed;
        uint64_t out[4];
    } ref[] = {
        {0, {0x99ec5f36cb75f2b4ULL, 0xbf6e1f784956452aULL, 0x1a5f849d4933e6e0ULL,
             0x6aa594f1262d2d2cULL}},
        {42, {0x15780b2e0c2ec716ULL, 0x6104d9866d113a7eULL, 0xae17533239e499a1ULL,
              0xecb8ad4703b360a1ULL}},
        {0xdeadbeefULL, {0xc5555444a74d7e83ULL, 0x65c30d37b4b16e38ULL,
                         0x54f773200a4efa23ULL, 0x429aed75fb958af7ULL}},
    };
    for (size_t k = 0; k < sizeof ref / sizeof ref[0]; k++) {
        cc_rng r;
        cc_rng_seed(&r, ref[k].seed);
        for (int i = 0; i < 4; i++)
            assert_true(cc_rng_u64(&r) == ref[k].out[i]);
    }
    cc_rng r;
    cc_rng_seed(&r, 0);
    /* the first state word is splitmix64's first output for seed 0 */
    assert_true(r.s[0] == 0xe220a8397b1dcdafULL);
}

static void test_same_seed_same_stream(void **state)
{
    (void)state;
    cc_rng a, b, c;
    cc_rng_seed(&a, 7);
    cc_rng_seed(&b, 7);
    cc_rng_seed(&c, 8);
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        double x = cc_rng_normal(&a), y = cc_rng_normal(&b);
        assert_memory_equal(&x, &y, sizeof x);
        differ += cc_rng_u64(&c) != cc_rng_u64(&a);
        (void)cc_rng_u64(&b);
    }
    assert_true(differ > 990);
    /* split children depend only on the parent's state */
    cc_rng p1, p2, k1, k2;
    cc_rng_seed(&p1, 99);
    cc_rng_seed(&p2, 99);
    cc_rng_split(&p1, &k1);
    cc_rng_split(&p2, &k2);
    assert_true(cc_rng_u64(&k1) == cc_rng_u64(&k2));
    assert_true(cc_rng_u64(&k1) != cc_rng_u64(&p1));
}

static void test_uniform_ranges_and_moments(void **state)
{
    (void)state;
    cc_rng r;
    cc_rng_seed(&r, 1);
    const int n = 200000;
    double sum = 0, sumf = 0, sumr = 0;
    for (int i = 0; i < n; i++) {
        double u = cc_rng_uniform(&r);
        float f = cc_rng_uniformf(&r);
        float g = cc_rng_rangef(&r, -0.25f, 0.75f);
        assert_true(u >= 0.0 && u < 1.0);
        assert_true(f >= 0.0f && f < 1.0f);
        assert_true(g >= -0.25f && g < 0.75f);
        sum += u;
        sumf += f;
        sumr += g;
    }
    /* standard error of the mean is 0.29/sqrt(n) ~ 6.5e-4; allow 6 sigma */
    assert_true(fabs(sum / n - 0.5) < 4e-3);
    assert_true(fabs(sumf / n - 0.5) < 4e-3);
    assert_true(fabs(sumr / n - 0.25) < 4e-3);
}

static void test_below_is_in_range_and_balanced(void **state)
{
    (void)state;
    cc_rng r;
    cc_rng_seed(&r, 3);
    assert_true(cc_rng_below(&r, 0) == 0);
    assert_true(cc_rng_below(&r, 1) == 0);
    long count[7] = {0};
    const int n = 70000;
    for (int i = 0; i < n; i++) {
        uint64_t v = cc_rng_below(&r, 7);
        assert_true(v < 7);
        count[v]++;
    }
    /* chi-square with 6 degrees of freedom; 22.5 is the 0.999 quantile */
    double chi = 0;
    for (int k = 0; k < 7; k++)
        chi += (count[k] - n / 7.0) * (count[k] - n / 7.0) / (n / 7.0);
    assert_true(chi < 22.5);
    uint64_t big = (UINT64_C(1) << 63) + 12345;
    for (int i = 0; i < 100; i++)
        assert_true(cc_rng_below(&r, big) < big);
}

static void test_normal_moments(void **state)
{
    (void)state;
    cc_rng r;
    cc_rng_seed(&r, 5);
    const int n = 200000;
    double s1 = 0, s2 = 0, s4 = 0;
    for (int i = 0; i < n; i++) {
        double z = cc_rng_normal(&r);
        assert_true(isfinite(z));
        s1 += z;
        s2 += z * z;
        s4 += z * z * z * z;
    }
    double mean = s1 / n, var = s2 / n - mean * mean;
    assert_true(fabs(mean) < 0.015);
    assert_true(fabs(var - 1.0) < 0.02);
    assert_true(fabs(s4 / n - 3.0) < 0.1); /* kurtosis of a normal */
    float f = cc_rng_normalf(&r, 10.0f, 0.0f);
    assert_true(f == 10.0f);
}

static void test_shuffle_is_a_permutation(void **state)
{
    (void)state;
    cc_rng r;
    cc_rng_seed(&r, 11);
    size_t idx[100];
    int seen[100];
    for (size_t i = 0; i < 100; i++)
        idx[i] = i;
    cc_rng_shuffle_size(&r, idx, 100);
    memset(seen, 0, sizeof seen);
    size_t fixed = 0;
    for (size_t i = 0; i < 100; i++) {
        assert_true(idx[i] < 100);
        seen[idx[i]]++;
        fixed += idx[i] == i;
    }
    for (size_t i = 0; i < 100; i++)
        assert_int_equal(seen[i], 1);
    assert_true(fixed < 10);
    cc_rng_shuffle_size(&r, idx, 0); /* empty and single are no-ops */
    cc_rng_shuffle_size(&r, idx, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_sequences),
        cmocka_unit_test(test_same_seed_same_stream),
        cmocka_unit_test(test_uniform_ranges_and_moments),
        cmocka_unit_test(test_below_is_in_range_and_balanced),
        cmocka_unit_test(test_normal_moments),
        cmocka_unit_test(test_shuffle_is_a_permutation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
