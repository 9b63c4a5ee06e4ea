/* test_report.c - the table renderer (alignment, escaping in Markdown, CSV
 * and LaTeX) and the stack report: JSON keys and values, the Keras
 * convention, torchinfo's memory estimate worked by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <string.h>

#include "convcalc/report.h"

static void test_table_formats(void **state)
{
    (void)state;
    cc_table *t = cc_table_new(2);
    assert_non_null(t);
    cc_table_header(t, 0, "name", 0);
    cc_table_header(t, 1, "n", 1);
    cc_table_row(t);
    cc_table_cell(t, 0, "a|b_c");
    cc_table_cell(t, 1, "%d", 5);
    cc_table_rule(t);
    cc_table_row(t);
    cc_table_cell(t, 0, "x,\"y\"");
    cc_table_cell(t, 1, "1234");
    cc_buf b = {0};
    assert_int_equal(cc_table_render(&b, t, CC_FORMAT_TEXT), 0);
    /* widths 5 and 4, two blanks apart, numbers to the right */
    assert_string_equal(cc_buf_str(&b), "name      n\n"
                                        "-----------\n"
                                        "a|b_c     5\n"
                                        "-----------\n"
                                        "x,\"y\"  1234\n");
    cc_buf_reset(&b);
    assert_int_equal(cc_table_render(&b, t, CC_FORMAT_MARKDOWN), 0);
    assert_string_equal(cc_buf_str(&b), "| name | n |\n| --- | --: |\n| a\\|b_c | 5 |\n"
                                        "| x,\"y\" | 1234 |\n");
    cc_buf_reset(&b);
    assert_int_equal(cc_table_render(&b, t, CC_FORMAT_CSV), 0);
    assert_string_equal(cc_buf_str(&b), "name,n\r\na|b_c,5\r\n\"x,\"\"y\"\"\",1234\r\n");
    cc_buf_reset(&b);
    assert_int_equal(cc_table_render(&b, t, CC_FORMAT_LATEX), 0);
    assert_string_equal(cc_buf_str(&b), "\\begin{tabular}{lr}\n\\hline\nname & n \\\\\n\\hline\n"
                                        "a|b\\_c & 5 \\\\\n\\hline\nx,\"y\" & 1234 \\\\\n"
                                        "\\hline\n\\end{tabular}\n");
    assert_int_equal(cc_table_render(&b, t, CC_FORMAT_JSON), CC_EINVAL);
    cc_buf_free(&b);
    cc_table_free(t);
    cc_buf n = {0};
    cc_fmt_thousands(&n, -1234567);
    assert_string_equal(cc_buf_str(&n), "-1,234,567");
    cc_buf_free(&n);
}

static cc_stack *stack_of(const char *spec)
{
    cc_stack *s = NULL;
    assert_int_equal(cc_stack_parse_spec(&s, spec, strlen(spec), NULL), 0);
    assert_int_equal(cc_stack_infer(s, NULL), 0);
    return s;
}

static double num(cJSON *o, const char *key)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v))
        fail_msg("%s is not a number", key);
    return v->valuedouble;
}

static void test_json_and_memory(void **state)
{
    (void)state;
    cc_stack *s = stack_of("input 32x32x3\nconv 32 5x5 pad 2\nrelu\nmaxpool 2\n"
                           "conv 64 5x5 pad 2\nrelu\nmaxpool 2\nconv 128 5x5 pad 2\nrelu\n"
                           "maxpool 2\nflatten\nlinear 2048->64\nrelu\nlinear 64->10\n");
    cc_report_options o;
    cc_report_options_init(&o);
    o.format = CC_FORMAT_JSON;
    o.batch = 2;
    cc_buf b = {0};
    assert_int_equal(cc_report_stack(&b, s, &o, NULL), 0);
    cJSON *j = cJSON_Parse(cc_buf_str(&b));
    assert_non_null(j);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "layers")), 13);
    assert_true(num(j, "total_params") == 390410);
    assert_true(num(j, "trainable_params") == 390410);
    assert_true(num(j, "non_trainable_params") == 0);
    /* torchinfo: input 2*3*32*32*4 bytes; forward/backward = 2 x outputs of
     * the layers with parameters (32*32*32 + 64*16*16 + 128*8*8 + 64 + 10)
     * x batch 2 x 4 bytes; parameters 390410 * 4 */
    assert_true(num(j, "input_bytes") == 2 * 3 * 32 * 32 * 4);
    assert_true(num(j, "activation_bytes") == 2.0 * (32768 + 16384 + 8192 + 64 + 10) * 2 * 4);
    assert_true(num(j, "param_bytes") == 390410.0 * 4);
    cJSON *l0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "layers"), 0);
    assert_string_equal(cJSON_GetObjectItem(l0, "formula")->valuestring,
                        "(5*5*3 + 1) * 32 = 2432");
    assert_true(num(l0, "macs") == 32 * 32 * 32 * 75.0);
    assert_true(cJSON_GetArrayItem(cJSON_GetObjectItem(l0, "output_shape"), 0)->valuedouble == 32);
    cJSON_Delete(j);
    cc_buf_free(&b);
    cc_stack_free(s);
}

static void test_keras_convention(void **state)
{
    (void)state;
    cc_stack *s = stack_of("input 8x8x3\nconv 16 3x3 nobias\nbatchnorm\nrelu\n");
    cc_report_options o;
    cc_report_options_init(&o);
    o.format = CC_FORMAT_JSON;
    o.keras = 1;
    cc_buf b = {0};
    assert_int_equal(cc_report_stack(&b, s, &o, NULL), 0);
    cJSON *j = cJSON_Parse(cc_buf_str(&b));
    assert_true(num(j, "total_params") == 432 + 64);
    assert_true(num(j, "non_trainable_params") == 32);
    assert_true(num(j, "buffers") == 0);
    cJSON *bn = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "layers"), 1);
    assert_string_equal(cJSON_GetObjectItem(bn, "formula")->valuestring, "4*16 = 64");
    cJSON_Delete(j);
    /* the text report says which convention */
    cc_buf_reset(&b);
    o.format = CC_FORMAT_TEXT;
    assert_int_equal(cc_report_stack(&b, s, &o, NULL), 0);
    assert_non_null(strstr(cc_buf_str(&b), "Non-trainable params (BatchNorm moving mean and variance)"));
    o.keras = 0;
    cc_buf_reset(&b);
    assert_int_equal(cc_report_stack(&b, s, &o, NULL), 0);
    assert_non_null(strstr(cc_buf_str(&b), "2*16 = 32 (+32 buffers)"));
    cc_buf_free(&b);
    cc_stack_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_formats),
        cmocka_unit_test(test_json_and_memory),
        cmocka_unit_test(test_keras_convention),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
