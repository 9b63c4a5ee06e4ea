/* test_common.c - errors, buffers, formats, compact numbers, checked sizes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "convcalc/common.h"

static void test_error_set_and_position(void **state)
{
    (void)state;
    cc_error err;
    cc_error_clear(&err);
    assert_int_equal(cc_error_at(&err, CC_EINVAL, 3, 7, "bad %s", "thing"), CC_EINVAL);
    assert_int_equal(err.code, CC_EINVAL);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.col, 7);
    assert_string_equal(err.msg, "bad thing");
    cc_error_source(&err, "spec.txt");
    assert_string_equal(err.source, "spec.txt");
    assert_int_equal(err.line, 3);
    /* NULL error pointers are allowed everywhere */
    assert_int_equal(cc_error_set(NULL, CC_ERANGE, "x"), CC_ERANGE);
    assert_string_equal(cc_strerror(CC_ERANGE), "value out of range");
}

/* Context is prefixed to an error by passing its own message back in. */
static void test_error_prefixes_itself(void **state)
{
    (void)state;
    cc_error err;
    cc_error_clear(&err);
    cc_error_set(&err, CC_ESHAPE, "expected %d values, got %d", 9, 8);
    cc_error_set(&err, CC_ESHAPE, "tensor %s: %s", "conv1.weight", err.msg);
    assert_string_equal(err.msg, "tensor conv1.weight: expected 9 values, got 8");
    char longname[sizeof err.msg * 2];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    cc_error_set(&err, CC_EINVAL, "%s: %s", longname, err.msg);
    assert_int_equal(strlen(err.msg), sizeof err.msg - 1);
}

static void test_buf_grows_and_formats(void **state)
{
    (void)state;
    cc_buf b = {0};
    assert_string_equal(cc_buf_str(&b), "");
    for (int i = 0; i < 1000; i++)
        cc_buf_printf(&b, "%d,", i);
    assert_false(cc_buf_failed(&b));
    assert_int_equal(strncmp(cc_buf_str(&b), "0,1,2,3,", 8), 0);
    assert_int_equal(b.len, strlen(b.data));
    cc_buf_reset(&b);
    cc_buf_puts(&b, "ab");
    cc_buf_putc(&b, 'c');
    assert_string_equal(cc_buf_str(&b), "abc");
    cc_buf_free(&b);
}

static void test_format_names(void **state)
{
    (void)state;
    cc_format f;
    assert_int_equal(cc_format_parse("json", &f), 0);
    assert_int_equal(f, CC_FORMAT_JSON);
    assert_int_equal(cc_format_parse("md", &f), 0);
    assert_int_equal(f, CC_FORMAT_MARKDOWN);
    assert_int_equal(cc_format_parse("yaml", &f), CC_EINVAL);
    assert_int_equal(cc_format_parse(NULL, &f), CC_EINVAL);
    assert_string_equal(cc_format_name(CC_FORMAT_LATEX), "latex");
}

static void test_compact_numbers(void **state)
{
    (void)state;
    char s[32];
    assert_string_equal(cc_fmt_num(s, sizeof s, 2.0, 6), "2");
    assert_string_equal(cc_fmt_num(s, sizeof s, -7.0, 6), "-7");
    assert_string_equal(cc_fmt_num(s, sizeof s, -0.0, 6), "0");
    assert_string_equal(cc_fmt_num(s, sizeof s, 0.5, 6), "0.5");
    assert_string_equal(cc_fmt_num(s, sizeof s, 1.0 / 3.0, 4), "0.3333");
    assert_string_equal(cc_fmt_num(s, sizeof s, 1e20, 6), "1e+20");
}

static void test_checked_sizes(void **state)
{
    (void)state;
    size_t z;
    int64_t w;
    assert_int_equal(cc_size_mul(1u << 20, 1u << 20, &z), 0);
    assert_true(z == (size_t)1 << 40);
    assert_int_equal(cc_size_mul(SIZE_MAX / 2 + 1, 2, &z), CC_ERANGE);
    assert_int_equal(cc_size_add(SIZE_MAX, 1, &z), CC_ERANGE);
    assert_int_equal(cc_i64_mul(INT64_MAX / 3 + 1, 3, &w), CC_ERANGE);
    assert_int_equal(cc_i64_add(INT64_MAX, 1, &w), CC_ERANGE);
    assert_int_equal(cc_i64_mul(-4, 5, &w), 0);
    assert_true(w == -20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_set_and_position),
        cmocka_unit_test(test_error_prefixes_itself),
        cmocka_unit_test(test_buf_grows_and_formats),
        cmocka_unit_test(test_format_names),
        cmocka_unit_test(test_compact_numbers),
        cmocka_unit_test(test_checked_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
