/* test_arith_sizes.c - the three output-size formulas, table-driven, against
 * the relationships of Dumoulin & Visin (2016) and PyTorch's documented
 * shape formulas for Conv2d, MaxPool2d (ceil_mode) and ConvTranspose2d. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "convcalc/arith.h"

struct size_case {
    long i, f, s, pb, pe, d, extra; /* extra: ceil_mode or output_padding */
    long want;                      /* -1: an error is expected */
};

static void test_conv_out_table(void **state)
{
    (void)state;
    static const struct size_case cases[] = {
        /* Dumoulin & Visin relationship 1: no padding, unit stride */
        {4, 3, 1, 0, 0, 1, 0, 2},
        /* relationship 2: padding, unit stride: o = i - k + 2p + 1 */
        {5, 4, 1, 2, 2, 1, 0, 6},
        /* half (same) padding: k = 2n+1, p = n -> o = i */
        {5, 3, 1, 1, 1, 1, 0, 5},
        {32, 7, 1, 3, 3, 1, 0, 32},
        /* full padding: p = k - 1 -> o = i + k - 1 */
        {5, 3, 1, 2, 2, 1, 0, 7},
        /* relationship 5: no padding, strides: floor((i-k)/s) + 1 */
        {5, 3, 2, 0, 0, 1, 0, 2},
        /* relationship 6: padding and strides, odd */
        {5, 3, 2, 1, 1, 1, 0, 3},
        {6, 3, 2, 1, 1, 1, 0, 3},
        /* dilation: k_eff = k + (k-1)(d-1) */
        {7, 3, 1, 0, 0, 2, 0, 3},
        /* the assignment: 512 -> 508 with a 5x5 kernel */
        {512, 5, 1, 0, 0, 1, 0, 508},
        /* asymmetric padding (SAME_UPPER for an even kernel) */
        {8, 4, 1, 1, 2, 1, 0, 8},
        /* errors */
        {3, 5, 1, 0, 0, 1, 0, -1},
        {0, 1, 1, 0, 0, 1, 0, -1},
        {5, 3, 0, 0, 0, 1, 0, -1},
        {5, 3, 1, -1, 0, 1, 0, -1},
        {1L << 40, 3, 1, 0, 0, 1, 0, -1},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const struct size_case *c = &cases[k];
        long o = 0;
        cc_error err;
        cc_error_clear(&err);
        int rc = cc_conv_out(&o, c->i, c->f, c->s, c->pb, c->pe, c->d, &err);
        if (c->want < 0) {
            assert_true(rc < 0);
            assert_true(err.msg[0] != '\0');
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(o, c->want);
        }
    }
}

static void test_pool_out_table(void **state)
{
    (void)state;
    static const struct size_case cases[] = {
        {508, 2, 2, 0, 0, 1, 0, 254},
        {5, 2, 2, 0, 0, 1, 0, 2},
        {5, 2, 2, 0, 0, 1, 1, 3},  /* ceil_mode keeps the partial window */
        {6, 3, 2, 0, 0, 1, 1, 3},  /* (6-3)/2 = 1.5 -> ceil 2 -> 3 */
        {6, 3, 2, 1, 1, 1, 1, 4},  /* last window starts at 6 = i + pb - 1: kept */
        {5, 3, 2, 1, 1, 1, 1, 3},  /* (7-3)/2 exact: 3 */
        {4, 2, 2, 1, 1, 1, 1, 3},  /* ceil: 4 windows, the last would start at 6 >= 4+1: dropped */
        {5, 3, 1, 2, 2, 1, 0, -1}, /* padding larger than half the kernel */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const struct size_case *c = &cases[k];
        long o = 0;
        int rc = cc_pool_out(&o, c->i, c->f, c->s, c->pb, c->pe, c->d, (int)c->extra, NULL);
        if (c->want < 0) {
            assert_true(rc < 0);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(o, c->want);
        }
    }
}

static void test_tconv_out_table(void **state)
{
    (void)state;
    static const struct size_case cases[] = {
        /* Dumoulin & Visin: transposed of relationship 1: o' = i' + (k-1) */
        {2, 3, 1, 0, 0, 1, 0, 4},
        /* transposed of full padding conv */
        {7, 3, 1, 2, 2, 1, 0, 5},
        /* stride 2 with output_padding (relationship 14) */
        {3, 3, 2, 1, 1, 1, 1, 6},
        {3, 3, 2, 1, 1, 1, 0, 5},
        /* PyTorch docs: (H-1)*s - 2p + d(k-1) + op + 1 */
        {16, 4, 2, 1, 1, 1, 0, 32},
        {4, 3, 1, 0, 0, 2, 0, 8},
        {3, 3, 2, 1, 1, 1, 2, -1}, /* output_padding >= stride and dilation */
        {1, 1, 1, 1, 1, 1, 0, -1}, /* padding removes everything */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const struct size_case *c = &cases[k];
        long o = 0;
        int rc = cc_tconv_out(&o, c->i, c->f, c->s, c->pb, c->pe, c->d, c->extra, NULL);
        if (c->want < 0) {
            assert_true(rc < 0);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(o, c->want);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_out_table),
        cmocka_unit_test(test_pool_out_table),
        cmocka_unit_test(test_tconv_out_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
