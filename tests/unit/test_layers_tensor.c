/* test_layers_tensor.c - tensors: shapes, checked sizes, copy, reshape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "convcalc/tensor.h"

static void test_tensor_new_and_shape(void **state)
{
    (void)state;
    cc_tensor *t = NULL;
    cc_error err;
    assert_int_equal(cc_tensor_new4(&t, 2, 3, 4, 5, &err), 0);
    assert_int_equal(t->ndim, 4);
    assert_int_equal(t->size, 120);
    assert_int_equal((uintptr_t)t->data % 64, 0);
    for (size_t i = 0; i < t->size; i++)
        assert_true(t->data[i] == 0.0f);
    char s[64];
    assert_string_equal(cc_tensor_shape_str(s, sizeof s, t), "2x3x4x5");
    cc_tensor_fill(t, 2.5f);
    cc_tensor *u = NULL;
    assert_int_equal(cc_tensor_clone(&u, t, &err), 0);
    assert_true(cc_tensor_same_shape(t, u));
    assert_true(u->data[119] == 2.5f);
    long flat[2] = {2, 60};
    assert_int_equal(cc_tensor_reshape(u, 2, flat, &err), 0);
    assert_false(cc_tensor_same_shape(t, u));
    assert_int_equal(u->shape[1], 60);
    assert_int_equal(u->shape[2], 1);
    long bad[2] = {7, 7};
    assert_int_equal(cc_tensor_reshape(u, 2, bad, &err), CC_ESHAPE);
    assert_non_null(strstr(err.msg, "2x60"));
    cc_tensor_zero(t);
    assert_int_equal(cc_tensor_copy(t, u, &err), 0);
    assert_true(t->data[0] == 2.5f);
    cc_tensor *v = NULL;
    assert_int_equal(cc_tensor_new2(&v, 3, 3, &err), 0);
    assert_int_equal(cc_tensor_copy(v, t, &err), CC_ESHAPE);
    cc_tensor_free(t);
    cc_tensor_free(u);
    cc_tensor_free(v);
    cc_tensor_free(NULL);
}

static void test_tensor_bad_sizes(void **state)
{
    (void)state;
    cc_tensor *t = (cc_tensor *)1;
    cc_error err;
    assert_int_equal(cc_tensor_new4(&t, 1L << 40, 1, 1, 1, &err), CC_ERANGE);
    assert_null(t);
    /* every dimension allowed, the product not */
    assert_int_equal(cc_tensor_new4(&t, 1000000, 1000000, 1000000, 1000000, &err), CC_ERANGE);
    assert_int_equal(cc_tensor_new4(&t, 100000, 100000, 100, 1, &err), CC_ERANGE);
    assert_int_equal(cc_tensor_new4(&t, 0, 1, 1, 1, &err), CC_EINVAL);
    assert_int_equal(cc_tensor_new4(&t, 1, -3, 1, 1, &err), CC_EINVAL);
    long shape[5] = {1, 1, 1, 1, 1};
    assert_int_equal(cc_tensor_new(&t, 5, shape, &err), CC_EINVAL);
    assert_int_equal(cc_tensor_new(&t, 0, shape, &err), CC_EINVAL);
    assert_null(cc_floats_new(0, &err));
    assert_null(cc_floats_new(SIZE_MAX / 2, &err));
    assert_int_equal(err.code, CC_ERANGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tensor_new_and_shape),
        cmocka_unit_test(test_tensor_bad_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
