/* test_matrix.c - matrix parsing (every syntax, malformed input with its
 * position) and printing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "convcalc/matrix.h"

static void parse_ok(const char *text, long n, long c, long r, long k, const double *want,
                     cc_matrix *m)
{
    cc_error err;
    cc_error_clear(&err);
    int rc = cc_matrix_parse(m, text, strlen(text), &err);
    if (rc)
        fail_msg("'%s': %s (line %d col %d)", text, err.msg, err.line, err.col);
    assert_int_equal(m->n, n);
    assert_int_equal(m->c, c);
    assert_int_equal(m->rows, r);
    assert_int_equal(m->cols, k);
    if (want)
        for (size_t i = 0; i < cc_matrix_size(m); i++)
            if (m->data[i] != want[i])
                fail_msg("'%s': value %zu is %g, expected %g", text, i, m->data[i], want[i]);
}

static void parse_bad(const char *text, int code, int line, int col, const char *needle)
{
    cc_matrix m;
    cc_error err;
    cc_error_clear(&err);
    int rc = cc_matrix_parse(&m, text, strlen(text), &err);
    if (rc == 0) {
        cc_matrix_free(&m);
        fail_msg("'%s' was accepted", text);
    }
    assert_null(m.data);
    if (rc != code || err.line != line || err.col != col ||
        (needle && !strstr(err.msg, needle)))
        fail_msg("'%s': got code %d at %d:%d '%s', expected %d at %d:%d with '%s'", text, rc,
                 err.line, err.col, err.msg, code, line, col, needle ? needle : "");
}

static const double two_by_three[6] = {2, 1, 2, 3, 9, 1};

static void test_plain_forms(void **state)
{
    (void)state;
    cc_matrix m;
    const char *same[] = {
        "2 1 2; 3 9 1",
        "2 1 2\n3 9 1\n",
        "2,1,2\n3,9,1",
        "2, 1, 2;3 ,9,1",
        "  2\t1 2 ;\r\n 3 9 1 ;\n\n",
        "# a comment\n2 1 2  # first row\n3 9 1\n",
        "\xEF\xBB\xBF" "2 1 2\n3 9 1",
        "2 1 2;\n3 9 1",
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        parse_ok(same[i], 1, 1, 2, 3, two_by_three, &m);
        cc_matrix_free(&m);
    }
    parse_ok("7", 1, 1, 1, 1, (double[]){7}, &m);
    cc_matrix_free(&m);
    parse_ok("-1.5 +2 .25 1e2 -3E-1 2.", 1, 1, 1, 6, (double[]){-1.5, 2, 0.25, 100, -0.3, 2}, &m);
    cc_matrix_free(&m);
    /* U+2212 MINUS SIGN as pasted from a PDF */
    parse_ok("\xE2\x88\x92" "1 2", 1, 1, 1, 2, (double[]){-1, 2}, &m);
    cc_matrix_free(&m);
    /* -0 is stored as 0 (prints "0") */
    parse_ok("-0", 1, 1, 1, 1, (double[]){0}, &m);
    char s[16];
    assert_string_equal(cc_matrix_fmt_value(s, sizeof s, m.data[0]), "0");
    cc_matrix_free(&m);
}

static void test_channels_and_filters(void **state)
{
    (void)state;
    cc_matrix m;
    const double v[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    parse_ok("1 2; 3 4 | 5 6; 7 8", 1, 2, 2, 2, v, &m);
    cc_matrix_free(&m);
    parse_ok("1 2\n3 4\n\n5 6\n7 8\n", 1, 2, 2, 2, v, &m);
    cc_matrix_free(&m);
    parse_ok("1 2\n3 4\n \n\n5 6\n7 8", 1, 2, 2, 2, v, &m);
    cc_matrix_free(&m);
    parse_ok("1 2 || 3 4 || 5 6 || 7 8", 4, 1, 1, 2, v, &m);
    cc_matrix_free(&m);
    parse_ok("1 2\n3 4\n---\n5 6\n7 8\n", 2, 1, 2, 2, v, &m);
    cc_matrix_free(&m);
    parse_ok("1 | 2 || 3 | 4 || 5 | 6 || 7 | 8", 4, 2, 1, 1, v, &m);
    cc_matrix_free(&m);
    parse_ok("1 2\n\n3 4\n---\n5 6\n\n7 8", 2, 2, 1, 2, v, &m);
    cc_matrix_free(&m);
}

static void test_brackets(void **state)
{
    (void)state;
    cc_matrix m;
    parse_ok("[[2,1,2],[3,9,1]]", 1, 1, 2, 3, two_by_three, &m);
    cc_matrix_free(&m);
    parse_ok("  [[2, 1, 2],\n   [3, 9, 1]]\n", 1, 1, 2, 3, two_by_three, &m);
    cc_matrix_free(&m);
    /* NumPy's print leaves the commas out */
    parse_ok("[[2 1 2]\n [3 9 1]]", 1, 1, 2, 3, two_by_three, &m);
    cc_matrix_free(&m);
    parse_ok("array([[2, 1, 2],\n       [3, 9, 1]])", 1, 1, 2, 3, two_by_three, &m);
    cc_matrix_free(&m);
    parse_ok("tensor([[2., 1., 2.],\n        [3., 9., 1.]], dtype=torch.float64)", 1, 1, 2, 3,
             two_by_three, &m);
    cc_matrix_free(&m);
    parse_ok("np.array([[2,1,2],[3,9,1]], dtype=np.int64)", 1, 1, 2, 3, two_by_three, &m);
    cc_matrix_free(&m);
    parse_ok("[1, 2, 3]", 1, 1, 1, 3, (double[]){1, 2, 3}, &m);
    cc_matrix_free(&m);
    const double v[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    parse_ok("[[[1,2],[3,4]],[[5,6],[7,8]]]", 1, 2, 2, 2, v, &m);
    cc_matrix_free(&m);
    parse_ok("[[[[1,2]],[[3,4]]],[[[5,6]],[[7,8]]]]", 2, 2, 1, 2, v, &m);
    cc_matrix_free(&m);
}

static void test_malformed(void **state)
{
    (void)state;
    /* ragged rows: the position of the first extra value, or the row's end */
    parse_bad("2 1 2; 3 9", CC_EINVAL, 1, 11, "this row has 2 values, expected 3");
    parse_bad("2 1 2; 3 9 1 4", CC_EINVAL, 1, 14, "more than 3 values");
    parse_bad("1 2\n3 4 5\n", CC_EINVAL, 2, 5, "more than 2 values");
    parse_bad("1 2\n3\n", CC_EINVAL, 2, 2, "this row has 1 value, expected 2");
    parse_bad("[[1,2],[3]]", CC_EINVAL, 1, 10, "this row has 1 value, expected 2");
    parse_bad("[[1,2],\n [3,4,5]]", CC_EINVAL, 2, 8, "this row has 3 values, expected 2");
    /* channels and filters that do not match */
    parse_bad("1 2; 3 4 | 5 6", CC_EINVAL, 1, 15, "this channel has 1 row, expected 2");
    parse_bad("1 2 || 3 4 | 5 6", CC_EINVAL, 1, 17, "this filter has 2 channels, expected 1");
    parse_bad("[[[1,2]],[[3,4],[5,6]]]", CC_EINVAL, 1, 22, "this matrix has 2 rows");
    /* stray characters */
    parse_bad("1 2; 3 x", CC_EINVAL, 1, 8, "unexpected 'x'");
    parse_bad("1 2; 3 4a", CC_EINVAL, 1, 9, "unexpected 'a' after the number 4");
    parse_bad("1 2\n3 4)", CC_EINVAL, 2, 4, "unexpected ')'");
    parse_bad("1 - 2", CC_EINVAL, 1, 4, "expected a digit, found a blank");
    parse_bad("1e 2", CC_EINVAL, 1, 3, "exponent");
    parse_bad("[[1,2],[3,4]] 5", CC_EINVAL, 1, 15, "after the end of the matrix");
    parse_bad("[[1,2],[3;4]]", CC_EINVAL, 1, 10, "unexpected ';'");
    parse_bad("[[1,2],[3,4]", CC_EINVAL, 1, 13, "missing ']'");
    parse_bad("[[1,,2]]", CC_EINVAL, 1, 5, "after ','");
    parse_bad("[[1,2,]]", CC_EINVAL, 1, 7, "after ','");
    parse_bad("[[1,2],3]", CC_EINVAL, 1, 8, "expected '['");
    parse_bad("[1,[2]]", CC_EINVAL, 1, 4, "expected a number, found '['");
    parse_bad("[[[[[1]]]]]", CC_EINVAL, 1, 5, "nested too deeply");
    parse_bad("array([[1,2]]", CC_EINVAL, 1, 14, "missing ')'");
    parse_bad("1,,2", CC_EINVAL, 1, 3, "empty field");
    parse_bad("1,2,", CC_EINVAL, 1, 5, "empty field");
    parse_bad(",1", CC_EINVAL, 1, 1, "empty field");
    parse_bad("1 2;; 3 4", CC_EINVAL, 1, 5, "empty row");
    parse_bad("1 2 | | 3 4", CC_EINVAL, 1, 7, "empty channel");
    parse_bad("1 2 |", CC_EINVAL, 1, 5, "nothing follows");
    parse_bad("1 2\n--\n3 4", CC_EINVAL, 2, 1, "'---'");
    parse_bad("1 2\n\xC3\xA9", CC_EINVAL, 2, 1, "byte 0xc3");
    /* columns count characters, not bytes */
    parse_bad("\xE2\x88\x92" "1 x", CC_EINVAL, 1, 4, "unexpected 'x'");
    /* empty matrices */
    parse_bad("", CC_EINVAL, 1, 1, "empty matrix");
    parse_bad("  \n\n# only a comment\n", CC_EINVAL, 4, 1, "empty matrix");
    parse_bad("[]", CC_EINVAL, 1, 2, "empty list");
    parse_bad("[[ ]]", CC_EINVAL, 1, 4, "empty list");
    /* numbers out of range */
    parse_bad("1 2e400", CC_ERANGE, 1, 3, "too large");
    parse_bad("1e16", CC_ERANGE, 1, 1, "too large");
    parse_bad("nan", CC_EINVAL, 1, 1, "unexpected 'n'");
    parse_bad("inf 1", CC_EINVAL, 1, 1, "unexpected 'i'");
    char longnum[200];
    memset(longnum, '1', sizeof longnum - 1);
    longnum[0] = '0';
    longnum[1] = '.';
    longnum[sizeof longnum - 1] = '\0';
    parse_bad(longnum, CC_ERANGE, 1, 1, "too long");
}

static void test_not_nul_terminated(void **state)
{
    (void)state;
    /* only len bytes are read */
    const char text[] = {'1', ' ', '2', ';', '3', ' ', '4', 'x', 'y'};
    cc_matrix m;
    cc_error err;
    assert_int_equal(cc_matrix_parse(&m, text, 7, &err), 0);
    assert_int_equal(m.rows, 2);
    assert_int_equal(m.cols, 2);
    cc_matrix_free(&m);
}

static void test_sizes_checked(void **state)
{
    (void)state;
    cc_matrix m;
    cc_error err;
    cc_error_clear(&err);
    assert_int_equal(cc_matrix_new(&m, 1, 1, 1L << 40, 1, &err), CC_ERANGE);
    assert_null(m.data);
    assert_int_equal(cc_matrix_new(&m, 1, CC_DIM_MAX, CC_DIM_MAX, CC_DIM_MAX, &err), CC_ERANGE);
    assert_int_equal(cc_matrix_new(&m, 1, 1, 0, 3, &err), CC_EINVAL);
    assert_int_equal(cc_matrix_new(&m, 2, 3, 4, 5, &err), 0);
    assert_int_equal(cc_matrix_size(&m), 120);
    cc_matrix_set(&m, 1, 2, 3, 4, 7.5);
    assert_true(cc_matrix_get(&m, 1, 2, 3, 4) == 7.5);
    assert_true(m.data[119] == 7.5);
    assert_true(cc_matrix_plane(&m, 1, 2) == m.data + 100);
    cc_matrix copy;
    assert_int_equal(cc_matrix_copy(&copy, &m, &err), 0);
    assert_true(cc_matrix_equal(&copy, &m));
    assert_false(cc_matrix_is_integer(&m));
    copy.data[0] = 1;
    assert_false(cc_matrix_equal(&copy, &m));
    cc_matrix_free(&copy);
    cc_matrix_free(&m);
    cc_matrix_free(&m); /* twice is safe */
}

static void test_render(void **state)
{
    (void)state;
    cc_matrix m;
    cc_error err;
    assert_int_equal(cc_matrix_from(&m, 1, 1, 2, 3, (double[]){-11, 2, 0.5, 3, 100, -0.25}, &err),
                     0);
    cc_buf b = {0};
    assert_int_equal(cc_matrix_render(&b, &m, 0, 0, CC_FORMAT_TEXT, 2), 0);
    assert_string_equal(cc_buf_str(&b), "  [ -11   2   0.5 ]\n"
                                        "  [   3 100 -0.25 ]\n");
    cc_buf_reset(&b);
    assert_int_equal(cc_matrix_render(&b, &m, 0, 0, CC_FORMAT_LATEX, 0), 0);
    assert_string_equal(cc_buf_str(&b),
                        "\\begin{bmatrix} -11 & 2 & 0.5 \\\\ 3 & 100 & -0.25 \\end{bmatrix}");
    cc_buf_reset(&b);
    assert_int_equal(cc_matrix_render(&b, &m, 0, 0, CC_FORMAT_CSV, 0), 0);
    assert_string_equal(cc_buf_str(&b), "-11,2,0.5\n3,100,-0.25\n");
    cc_buf_reset(&b);
    assert_int_equal(cc_matrix_render(&b, &m, 0, 0, CC_FORMAT_JSON, 0), 0);
    assert_string_equal(cc_buf_str(&b), "[[-11,2,0.5],[3,100,-0.25]]");
    cc_buf_reset(&b);
    assert_int_equal(cc_matrix_render(&b, &m, 0, 0, CC_FORMAT_MARKDOWN, 0), 0);
    assert_string_equal(cc_buf_str(&b), "    [ -11   2   0.5 ]\n"
                                        "    [   3 100 -0.25 ]\n");
    assert_int_equal(cc_matrix_render(&b, &m, 0, 1, CC_FORMAT_TEXT, 0), CC_EINVAL);
    assert_int_equal(cc_matrix_col_width(&m, 0, 0, 2), 5);
    /* reals print compactly, whole numbers exactly */
    char s[32];
    assert_string_equal(cc_matrix_fmt_value(s, sizeof s, 1.0 / 3), "0.333333");
    assert_string_equal(cc_matrix_fmt_value(s, sizeof s, 123456789012.0), "123456789012");
    cc_matrix_free(&m);
    /* round trip: what the JSON form prints parses back to the same matrix */
    cc_matrix a, back;
    const char *four = "[[[[1,2.5]],[[3,4]]],[[[5,6]],[[7,-8]]]]";
    assert_int_equal(cc_matrix_parse(&a, four, strlen(four), &err), 0);
    cc_buf_reset(&b);
    assert_int_equal(cc_matrix_render_json(&b, &a), 0);
    assert_string_equal(cc_buf_str(&b), "[[[[1,2.5]],[[3,4]]],[[[5,6]],[[7,-8]]]]");
    assert_int_equal(cc_matrix_parse(&back, b.data, b.len, &err), 0);
    assert_true(cc_matrix_equal(&a, &back));
    cc_matrix_free(&a);
    cc_matrix_free(&back);
    cc_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_forms),      cmocka_unit_test(test_channels_and_filters),
        cmocka_unit_test(test_brackets),         cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_not_nul_terminated), cmocka_unit_test(test_sizes_checked),
        cmocka_unit_test(test_render),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
