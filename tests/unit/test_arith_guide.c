/* test_arith_guide.c - every relationship of Dumoulin & Visin, "A guide to
 * convolution arithmetic for deep learning" (2016/2018), written as the
 * paper states it, checked against cc_conv_out / cc_tconv_out over a grid
 * of sizes; and each transposed relationship as the inverse of its
 * convolution (same kernel, stride and padding, with a = (i + 2p - k) mod s
 * as output padding, returns the original input size). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "convcalc/arith.h"

static long conv(long i, long k, long s, long p, long d)
{
    long o = -1;
    assert_int_equal(cc_conv_out(&o, i, k, s, p, p, d, NULL), 0);
    return o;
}

static long tconv(long i, long k, long s, long p, long a)
{
    long o = -1;
    assert_int_equal(cc_tconv_out(&o, i, k, s, p, p, 1, a, NULL), 0);
    return o;
}

static void test_convolution_relationships(void **state)
{
    (void)state;
    long n = 0;
    for (long i = 1; i <= 24; i++)
        for (long k = 1; k <= 7 && k <= i; k++) {
            /* Relationship 1: no padding, unit strides: o = (i - k) + 1 */
            assert_int_equal(conv(i, k, 1, 0, 1), i - k + 1);
            for (long p = 0; p <= 4; p++) {
                /* Relationship 2: zero padding, unit strides: o = (i - k) + 2p + 1 */
                assert_int_equal(conv(i, k, 1, p, 1), i - k + 2 * p + 1);
                for (long s = 1; s <= 4; s++) {
                    /* Relationship 5 (p = 0) and 6: o = floor((i + 2p - k)/s) + 1 */
                    assert_int_equal(conv(i, k, s, p, 1), (i + 2 * p - k) / s + 1);
                    for (long d = 1; d <= 3; d++) {
                        long keff = k + (k - 1) * (d - 1);
                        if (keff > i + 2 * p)
                            continue;
                        /* Relationship 15: dilated: floor((i + 2p - k - (k-1)(d-1))/s) + 1 */
                        assert_int_equal(conv(i, k, s, p, d),
                                         (i + 2 * p - k - (k - 1) * (d - 1)) / s + 1);
                        n++;
                    }
                }
            }
            if (k % 2 == 1) /* Relationship 3: half padding, k = 2n + 1, p = n: o = i */
                assert_int_equal(conv(i, k, 1, k / 2, 1), i);
            /* Relationship 4: full padding, p = k - 1: o = i + (k - 1) */
            assert_int_equal(conv(i, k, 1, k - 1, 1), i + k - 1);
        }
    assert_true(n > 1000);
}

static void test_transposed_relationships(void **state)
{
    (void)state;
    long n = 0;
    for (long i = 1; i <= 24; i++)
        for (long k = 1; k <= 7 && k <= i; k++) {
            /* Relationship 8: the transpose of (no padding, unit strides) has
             * i' = i - k + 1 and o' = i' + (k - 1) */
            long ip = i - k + 1;
            assert_int_equal(tconv(ip, k, 1, 0, 0), ip + k - 1);
            for (long p = 0; p <= k - 1; p++) {
                /* Relationship 9: padding, unit strides: o' = i' + (k - 1) - 2p */
                ip = conv(i, k, 1, p, 1);
                if (ip + k - 1 - 2 * p >= 1)
                    assert_int_equal(tconv(ip, k, 1, p, 0), ip + k - 1 - 2 * p);
            }
            if (k % 2 == 1) /* Relationship 10: half padding: o' = i' */
                assert_int_equal(tconv(i, k, 1, k / 2, 0), i);
            /* Relationship 11: full padding, p = k - 1: o' = i' - (k - 1) */
            if (i > k - 1)
                assert_int_equal(tconv(i, k, 1, k - 1, 0), i - (k - 1));
            for (long s = 1; s <= 4; s++)
                for (long p = 0; p <= 3; p++) {
                    ip = conv(i, k, s, p, 1);
                    long a = (i + 2 * p - k) % s;
                    if (a == 0 && p == 0) /* Relationship 12: o' = s(i' - 1) + k */
                        assert_int_equal(tconv(ip, k, s, 0, 0), s * (ip - 1) + k);
                    if (a == 0 && s * (ip - 1) + k - 2 * p >= 1) /* 13: ... - 2p */
                        assert_int_equal(tconv(ip, k, s, p, 0), s * (ip - 1) + k - 2 * p);
                    /* Relationship 14: o' = s(i' - 1) + a + k - 2p, which is i */
                    if (s * (ip - 1) + a + k - 2 * p >= 1) {
                        assert_int_equal(tconv(ip, k, s, p, a), s * (ip - 1) + a + k - 2 * p);
                        assert_int_equal(tconv(ip, k, s, p, a), i);
                        n++;
                    }
                }
        }
    assert_true(n > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_convolution_relationships),
        cmocka_unit_test(test_transposed_relationships),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
