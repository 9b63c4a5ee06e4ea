/* test_arith_rf.c - receptive field and jump through a stack of layers:
 * r_out = r_in + (D*(k-1)) * j_in, j_out = j_in * s, from r = 1, j = 1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "convcalc/arith.h"

struct layer { long k, s, d; long want_rf, want_jump; };

static void run_stack(const struct layer *l, size_t n)
{
    cc_rf rf;
    cc_rf_init(&rf);
    assert_int_equal(rf.rf, 1);
    assert_int_equal(rf.jump, 1);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(cc_rf_step(&rf, l[i].k, l[i].s, l[i].d, NULL), 0);
        assert_int_equal(rf.rf, l[i].want_rf);
        assert_int_equal(rf.jump, l[i].want_jump);
    }
}

static void test_rf_guide_example(void **state)
{
    (void)state;
    /* Dang Ha The Hien, "A guide to receptive field arithmetic": two
     * 3x3 stride-2 convolutions: receptive field 3 then 7, jump 2 then 4. */
    static const struct layer l[] = {{3, 2, 1, 3, 2}, {3, 2, 1, 7, 4}};
    run_stack(l, 2);
}

static void test_rf_vgg_block(void **state)
{
    (void)state;
    /* three 3x3 convolutions see 7x7 (Simonyan & Zisserman); a 2x2/2 pool
     * adds 1, the next 3x3 conv adds 2*2 */
    static const struct layer l[] = {
        {3, 1, 1, 3, 1}, {3, 1, 1, 5, 1}, {3, 1, 1, 7, 1}, {2, 2, 1, 8, 2}, {3, 1, 1, 12, 2},
    };
    run_stack(l, 5);
}

static void test_rf_dilation(void **state)
{
    (void)state;
    /* WaveNet-style dilations 1, 2, 4, 8 with kernel 2: rf 2, 4, 8, 16;
     * Yu & Koltun: 3x3 with dilations 1, 2, 4: 3, 7, 15. */
    static const struct layer a[] = {{2, 1, 1, 2, 1}, {2, 1, 2, 4, 1}, {2, 1, 4, 8, 1}, {2, 1, 8, 16, 1}};
    run_stack(a, 4);
    static const struct layer b[] = {{3, 1, 1, 3, 1}, {3, 1, 2, 7, 1}, {3, 1, 4, 15, 1}};
    run_stack(b, 3);
}

static void test_rf_errors(void **state)
{
    (void)state;
    cc_rf rf;
    cc_error err;
    cc_rf_init(&rf);
    cc_error_clear(&err);
    assert_int_equal(cc_rf_step(&rf, 0, 1, 1, &err), CC_EINVAL);
    assert_true(err.msg[0] != '\0');
    assert_int_equal(cc_rf_step(&rf, 3, -1, 1, NULL), CC_EINVAL);
    assert_int_equal(cc_rf_step(&rf, 1L << 40, 1, 1, NULL), CC_ERANGE);
    /* stride 1e9 twice, then a big kernel: the field would pass 1e18 */
    assert_int_equal(cc_rf_step(&rf, 1, CC_DIM_MAX, 1, NULL), 0);
    assert_int_equal(cc_rf_step(&rf, 3, 1, 1, NULL), 0);
    assert_int_equal(rf.rf, 1 + 2 * CC_DIM_MAX);
    long before = rf.rf;
    assert_int_equal(cc_rf_step(&rf, CC_DIM_MAX, CC_DIM_MAX, CC_DIM_MAX, NULL), CC_ERANGE);
    assert_int_equal(rf.rf, before); /* unchanged on failure */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rf_guide_example),
        cmocka_unit_test(test_rf_vgg_block),
        cmocka_unit_test(test_rf_dilation),
        cmocka_unit_test(test_rf_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
