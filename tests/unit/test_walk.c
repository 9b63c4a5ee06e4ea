/* test_walk.c - the worked convolution: every step kind, the sums written
 * out, "try it yourself", padding modes, errors, and the renderers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <string.h>

#include "convcalc/arith.h"
#include "convcalc/walk.h"

static cc_matrix parse(const char *text)
{
    cc_matrix m;
    cc_error err;
    cc_error_clear(&err);
    if (cc_matrix_parse(&m, text, strlen(text), &err))
        fail_msg("'%s': %s", text, err.msg);
    return m;
}

static cc_walk *walk_of(const char *img, const char *ker, cc_walk_spec *spec)
{
    cc_matrix a = parse(img), b = parse(ker);
    spec->input = &a;
    spec->kernels = &b;
    cc_walk *w;
    cc_error err;
    cc_error_clear(&err);
    if (cc_walk_new(&w, spec, &err))
        fail_msg("walk: %s", err.msg);
    cc_matrix_free(&a);
    cc_matrix_free(&b);
    spec->input = spec->kernels = NULL;
    return w;
}

/* The built-in example, worked by hand in the textbook way: the kernel
 * rotated by 180 degrees, padding 1. */
static void test_example_every_step(void **state)
{
    (void)state;
    cc_walk *w;
    cc_error err;
    assert_int_equal(cc_walk_new_example(&w, &err), 0);
    const cc_walk_geom *g = cc_walk_geometry(w);
    assert_int_equal(g->out_h, 3);
    assert_int_equal(g->out_w, 5);
    assert_int_equal(g->padded_h, 5);
    assert_int_equal(g->padded_w, 7);
    assert_true(g->integer);
    assert_int_equal(g->mode, CC_MODE_CONVOLUTION);
    assert_int_equal(cc_walk_nsteps(w), 18);

    cc_walk_step st = {0};
    /* step 1: padding */
    assert_int_equal(cc_walk_step_get(w, 0, &st, &err), 0);
    assert_int_equal(st.kind, CC_STEP_PAD);
    const cc_matrix *p = cc_walk_padded(w);
    assert_true(cc_matrix_get(p, 0, 0, 0, 0) == 0);
    assert_true(cc_matrix_get(p, 0, 0, 1, 1) == 2);
    assert_true(cc_matrix_get(p, 0, 0, 2, 2) == 9);
    assert_true(cc_matrix_get(p, 0, 0, 3, 6) == 0);
    /* step 2: the flip */
    assert_int_equal(cc_walk_step_get(w, 1, &st, &err), 0);
    assert_int_equal(st.kind, CC_STEP_KERNEL);
    assert_int_equal(st.filter, 0);
    const double flipped[9] = {1, 0, -1, 2, 0, -2, 1, 0, -1};
    for (int i = 0; i < 9; i++)
        assert_true(st.kernel[i] == flipped[i]);
    /* step 3: output cell (1,1): window rows 1-3, cols 1-3 of the padded input */
    assert_int_equal(cc_walk_step_get(w, 2, &st, &err), 0);
    assert_int_equal(st.kind, CC_STEP_CELL);
    assert_int_equal(st.out_row, 0);
    assert_int_equal(st.out_col, 0);
    assert_int_equal(st.win_row, 0);
    assert_int_equal(st.win_col, 0);
    const double window[9] = {0, 0, 0, 0, 2, 1, 0, 3, 9};
    const double products[9] = {0, 0, 0, 0, 0, -2, 0, 0, -9};
    for (int i = 0; i < 9; i++) {
        assert_true(st.window[i] == window[i]);
        assert_true(st.products[i] == products[i]);
    }
    assert_true(st.sum == -11);
    assert_true(st.channel_sums[0] == -11);
    assert_true(st.value == -11);
    cc_buf b = {0};
    assert_int_equal(cc_walk_format_sum(&b, w, &st, -1, CC_FORMAT_TEXT), 0);
    assert_string_equal(cc_buf_str(&b),
                        "0*1 + 0*0 + 0*(-1) + 0*2 + 2*0 + 1*(-2) + 0*1 + 3*0 + 9*(-1) = -11");
    cc_buf_reset(&b);
    assert_int_equal(cc_walk_format_sum(&b, w, &st, 0, CC_FORMAT_LATEX), 0);
    assert_non_null(strstr(cc_buf_str(&b), "1 \\cdot (-2) + "));
    cc_buf_reset(&b);
    assert_int_equal(cc_walk_format_sum(&b, w, &st, -1, CC_FORMAT_JSON), 0);
    assert_int_equal(b.data[0], '"');
    /* the last step: the output */
    assert_int_equal(cc_walk_step_get(w, 17, &st, &err), 0);
    assert_int_equal(st.kind, CC_STEP_OUTPUT);
    const double want[15] = {-11, 2, 4, -1, 7, -24, 8, 12, -5, 12, -19, 10, 4, -3, 15};
    const cc_matrix *y = cc_walk_output(w);
    assert_int_equal(y->n, 1);
    for (int i = 0; i < 15; i++)
        assert_true(y->data[i] == want[i]);
    /* out of range */
    assert_int_equal(cc_walk_step_get(w, 18, &st, &err), CC_EINVAL);
    assert_int_equal(cc_walk_format_sum(&b, w, &st, -1, CC_FORMAT_TEXT), CC_EINVAL);
    /* jumping to a cell */
    assert_int_equal(cc_walk_cell_step(w, 0, 2, 4), 16);
    assert_int_equal(cc_walk_cell_step(w, 0, -1, -1), 1);
    assert_int_equal(cc_walk_cell_step(w, 0, 3, 0), (size_t)-1);
    assert_int_equal(cc_walk_cell_step(w, 1, 0, 0), (size_t)-1);
    assert_int_equal(cc_walk_step_get(w, cc_walk_cell_step(w, 0, 1, 2), &st, &err), 0);
    assert_true(st.value == 12);
    assert_int_equal(st.win_row, 1);
    assert_int_equal(st.win_col, 2);
    cc_buf_free(&b);
    cc_walk_step_free(&st);
    cc_walk_free(w);
}

/* Correlation slides the kernel as written: the same data give the mirrored
 * response (for this antisymmetric kernel, the negated output). */
static void test_correlation_no_flip(void **state)
{
    (void)state;
    cc_matrix img, ker;
    cc_walk_spec spec;
    cc_error err;
    assert_int_equal(cc_walk_example(&img, &ker, &spec, &err), 0);
    spec.mode = CC_MODE_CORRELATION;
    cc_walk *w, *wc;
    assert_int_equal(cc_walk_new(&w, &spec, &err), 0);
    spec.mode = CC_MODE_CONVOLUTION;
    assert_int_equal(cc_walk_new(&wc, &spec, &err), 0);
    cc_matrix_free(&img);
    cc_matrix_free(&ker);
    assert_true(cc_matrix_equal(cc_walk_applied(w), cc_walk_kernels(w)));
    const cc_matrix *a = cc_walk_output(w), *b = cc_walk_output(wc);
    for (size_t i = 0; i < cc_matrix_size(a); i++)
        assert_true(a->data[i] == -b->data[i]);
    cc_walk_free(w);
    cc_walk_free(wc);
}

/* Two channels, two filters, a bias: per-channel sums and their total. */
static void test_channels_filters_bias(void **state)
{
    (void)state;
    cc_walk_spec spec;
    cc_walk_spec_init(&spec);
    const double bias[2] = {1, -0.5};
    spec.bias = bias;
    spec.mode = CC_MODE_CORRELATION;
    cc_walk *w = walk_of("1 2 3; 4 5 6; 7 8 9 | 1 0 0; 0 1 0; 0 0 1",
                         "1 0; 0 1 | 2 2; 2 2 || 1 1; 1 1 | 0 0; 0 -1", &spec);
    const cc_walk_geom *g = cc_walk_geometry(w);
    assert_int_equal(g->channels, 2);
    assert_int_equal(g->filters, 2);
    assert_int_equal(g->out_h, 2);
    assert_int_equal(g->out_w, 2);
    assert_false(g->integer); /* the bias -0.5 */
    assert_int_equal(cc_walk_nsteps(w), 2 + 2 * (1 + 4));
    cc_walk_step st = {0};
    cc_error err;
    /* filter 2, cell (2,2): window ch1 [5 6; 8 9], ch2 [1 0; 0 1] */
    size_t i = cc_walk_cell_step(w, 1, 1, 1);
    assert_int_equal(i, 10);
    assert_int_equal(cc_walk_step_get(w, i, &st, &err), 0);
    assert_int_equal(st.kind, CC_STEP_CELL);
    assert_int_equal(st.filter, 1);
    assert_int_equal(st.channels, 2);
    assert_true(st.channel_sums[0] == 28);
    assert_true(st.channel_sums[1] == -1);
    assert_true(st.sum == 27);
    assert_true(st.bias == -0.5);
    assert_true(st.value == 26.5);
    cc_buf b = {0};
    assert_int_equal(cc_walk_format_sum(&b, w, &st, -1, CC_FORMAT_TEXT), 0);
    assert_string_equal(cc_buf_str(&b), "channel 1: 5*1 + 6*1 + 8*1 + 9*1 = 28\n"
                                        "channel 2: 1*0 + 0*0 + 0*0 + 1*(-1) = -1\n"
                                        "total: 28 + (-1) + (-0.5) (bias) = 26.5");
    cc_buf_reset(&b);
    assert_int_equal(cc_walk_format_sum(&b, w, &st, 1, CC_FORMAT_TEXT), 0);
    assert_string_equal(cc_buf_str(&b), "1*0 + 0*0 + 0*0 + 1*(-1) = -1");
    assert_int_equal(cc_walk_format_sum(&b, w, &st, 2, CC_FORMAT_TEXT), CC_EINVAL);
    /* the kernel step of filter 2 */
    assert_int_equal(cc_walk_step_get(w, 6, &st, &err), 0);
    assert_int_equal(st.kind, CC_STEP_KERNEL);
    assert_int_equal(st.filter, 1);
    assert_true(cc_walk_bias(w, 0) == 1);
    assert_true(cc_walk_bias(w, 7) == 0);
    /* "try it yourself" */
    assert_int_equal(cc_walk_step_get(w, i, &st, &err), 0);
    int ok;
    assert_int_equal(cc_walk_check_cell(&st, 26.5, NULL, NULL, &ok), 0);
    assert_true(ok);
    double guess[8] = {5, 6, 8, 9, 0, 0, 0, 1}; /* sign wrong in the last one */
    unsigned char wrong[8];
    assert_int_equal(cc_walk_check_cell(&st, 27.5, guess, wrong, &ok), 2);
    assert_false(ok);
    for (int t = 0; t < 7; t++)
        assert_int_equal(wrong[t], 0);
    assert_int_equal(wrong[7], 1);
    assert_true(cc_walk_values_equal(0.1 + 0.2, 0.3));
    assert_false(cc_walk_values_equal(1, 1.001));
    cc_buf_free(&b);
    cc_walk_step_free(&st);
    cc_walk_free(w);
}

/* Stride and dilation: where the taps fall. */
static void test_stride_dilation_taps(void **state)
{
    (void)state;
    cc_walk_spec spec;
    cc_walk_spec_init(&spec);
    spec.stride_h = 2;
    spec.stride_w = 1;
    spec.dilation_h = 1;
    spec.dilation_w = 2;
    spec.mode = CC_MODE_CORRELATION;
    cc_walk *w = walk_of("1 2 3 4 5; 6 7 8 9 10; 11 12 13 14 15; 16 17 18 19 20; 21 22 23 24 25",
                         "1 0; 0 1", &spec);
    const cc_walk_geom *g = cc_walk_geometry(w);
    assert_int_equal(g->eff_h, 2);
    assert_int_equal(g->eff_w, 3);
    assert_int_equal(g->out_h, 2); /* floor((5-2)/2)+1 */
    assert_int_equal(g->out_w, 3); /* 5-3+1 */
    cc_walk_step st = {0};
    cc_error err;
    assert_int_equal(cc_walk_step_get(w, cc_walk_cell_step(w, 0, 1, 2), &st, &err), 0);
    assert_int_equal(st.win_row, 2);
    assert_int_equal(st.win_col, 2);
    /* taps (2,2) (2,4) (3,2) (3,4): 13 15 18 20 */
    assert_true(st.window[0] == 13 && st.window[1] == 15 && st.window[2] == 18 &&
                st.window[3] == 20);
    assert_true(st.value == 13 + 20);
    cc_walk_step_free(&st);
    cc_walk_free(w);
}

/* valid / same / full agree with the shape arithmetic (arith.h). */
static void test_padding_kinds(void **state)
{
    (void)state;
    struct {
        cc_pad_kind kind;
        long s, d, top, bottom, left, right, oh, ow;
    } cases[] = {
        {CC_PAD_VALID, 1, 1, 0, 0, 0, 0, 3, 3},
        {CC_PAD_SAME, 1, 1, 0, 1, 1, 1, 4, 5},  /* even kernel height: extra at the end */
        {CC_PAD_SAME, 2, 1, 0, 0, 1, 1, 2, 3},  /* ceil(4/2), ceil(5/2) */
        {CC_PAD_FULL, 1, 1, 1, 1, 2, 2, 5, 7},
        {CC_PAD_FULL, 1, 2, 2, 2, 4, 4, 6, 9},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cc_walk_spec spec;
        cc_walk_spec_init(&spec);
        spec.pad_kind = cases[i].kind;
        spec.stride_h = spec.stride_w = cases[i].s;
        spec.dilation_h = spec.dilation_w = cases[i].d;
        /* 4x5 input, 2x3 kernel */
        cc_walk *w = walk_of("1 2 3 4 5; 6 7 8 9 0; 1 2 3 4 5; 6 7 8 9 0", "1 2 3; 4 5 6", &spec);
        const cc_walk_geom *g = cc_walk_geometry(w);
        if (g->pad_top != cases[i].top || g->pad_bottom != cases[i].bottom ||
            g->pad_left != cases[i].left || g->pad_right != cases[i].right ||
            g->out_h != cases[i].oh || g->out_w != cases[i].ow)
            fail_msg("case %zu: padding %ld %ld %ld %ld, output %ldx%ld", i, g->pad_top,
                     g->pad_bottom, g->pad_left, g->pad_right, g->out_h, g->out_w);
        long o;
        cc_error err;
        assert_int_equal(cc_conv_out(&o, 4, 2, cases[i].s, g->pad_top, g->pad_bottom,
                                     cases[i].d, &err),
                         0);
        assert_int_equal(o, g->out_h);
        cc_walk_free(w);
    }
}

static void expect_error(const char *img, const char *ker, cc_walk_spec *spec, int code,
                         const char *needle)
{
    cc_matrix a = parse(img), b = parse(ker);
    spec->input = &a;
    spec->kernels = &b;
    cc_walk *w = (cc_walk *)1;
    cc_error err;
    cc_error_clear(&err);
    int rc = cc_walk_new(&w, spec, &err);
    cc_matrix_free(&a);
    cc_matrix_free(&b);
    if (rc != code || !strstr(err.msg, needle))
        fail_msg("got %d '%s', expected %d with '%s'", rc, err.msg, code, needle);
    assert_null(w);
}

static void test_errors(void **state)
{
    (void)state;
    cc_walk_spec spec;
    cc_walk_spec_init(&spec);
    expect_error("1 2; 3 4", "1 2 3; 4 5 6; 7 8 9", &spec, CC_ESHAPE, "larger than the padded");
    expect_error("1 2; 3 4 | 5 6; 7 8", "1", &spec, CC_ESHAPE, "1 channel but the input has 2");
    spec.stride_h = 0;
    expect_error("1 2; 3 4", "1", &spec, CC_EINVAL, "stride");
    spec.stride_h = 1;
    spec.dilation_w = -1;
    expect_error("1 2; 3 4", "1", &spec, CC_EINVAL, "dilation");
    spec.dilation_w = 1;
    spec.pad_left = -1;
    expect_error("1 2; 3 4", "1", &spec, CC_EINVAL, "negative");
    spec.pad_left = 1L << 40; /* hostile padding: an error, not a crash */
    expect_error("1 2; 3 4", "1", &spec, CC_ERANGE, "width");
    spec.pad_left = 100000;
    spec.pad_top = 100000;
    expect_error("1 2; 3 4", "1", &spec, CC_ERANGE, "too large");
    spec.pad_left = spec.pad_top = 0;
    /* integers too large to stay exact */
    expect_error("1e15 1e15", "1e15 1e15", &spec, CC_ERANGE, "2^53");
    /* an input of several groups */
    expect_error("1 || 2", "1", &spec, CC_EINVAL, "one image");
    cc_walk *w;
    cc_error err;
    spec.input = spec.kernels = NULL;
    assert_int_equal(cc_walk_new(&w, &spec, &err), CC_EINVAL);
}

/* Real numbers: computed in double, printed compactly. */
static void test_reals(void **state)
{
    (void)state;
    cc_walk_spec spec;
    cc_walk_spec_init(&spec);
    cc_walk *w = walk_of("0.5 0.25; 1 2", "0.1 0.2; 0.3 0.4", &spec);
    assert_false(cc_walk_geometry(w)->integer);
    /* convolution: flipped [0.4 0.3; 0.2 0.1]: 0.2 + 0.075 + 0.2 + 0.2 */
    assert_true(fabs(cc_walk_output(w)->data[0] - 0.675) < 1e-12);
    cc_walk_step st = {0};
    cc_error err;
    assert_int_equal(cc_walk_step_get(w, 2, &st, &err), 0);
    cc_buf b = {0};
    assert_int_equal(cc_walk_format_sum(&b, w, &st, -1, CC_FORMAT_TEXT), 0);
    assert_string_equal(cc_buf_str(&b), "0.5*0.4 + 0.25*0.3 + 1*0.2 + 2*0.1 = 0.675");
    cc_buf_free(&b);
    cc_walk_step_free(&st);
    cc_walk_free(w);
}

static void test_render_formats(void **state)
{
    (void)state;
    cc_walk *w;
    cc_error err;
    assert_int_equal(cc_walk_new_example(&w, &err), 0);
    cc_walk_render_opts o;
    cc_walk_render_opts_init(&o);
    cc_buf b = {0};
    /* text: every step titled, the output last */
    assert_int_equal(cc_walk_render(&b, w, &o, &err), 0);
    assert_non_null(strstr(b.data, "Step 1 of 18: pad the input with zeros"));
    assert_non_null(strstr(b.data, "Step 2 of 18: flip the kernel by 180 degrees"));
    assert_non_null(strstr(b.data, "Step 17 of 18: output cell (3, 5)"));
    assert_non_null(strstr(b.data, "  [ -19 10  4 -3 15 ]\n"));
    /* one step */
    cc_buf_reset(&b);
    o.step = 2;
    assert_int_equal(cc_walk_render(&b, w, &o, &err), 0);
    assert_int_equal(strncmp(b.data, "Step 3 of 18: output cell (1, 1)\n", 33), 0);
    assert_null(strstr(b.data, "Step 4"));
    o.step = 18;
    assert_int_equal(cc_walk_render(&b, w, &o, &err), CC_EINVAL);
    /* JSON: valid, every step, output per filter */
    o.step = -1;
    o.format = CC_FORMAT_JSON;
    cc_buf_reset(&b);
    assert_int_equal(cc_walk_render(&b, w, &o, &err), 0);
    cJSON *j = cJSON_Parse(b.data);
    assert_non_null(j);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "steps")), 18);
    cJSON *out = cJSON_GetObjectItem(j, "output");
    assert_int_equal(cJSON_GetArraySize(out), 1);
    cJSON *row = cJSON_GetArrayItem(cJSON_GetArrayItem(out, 0), 1);
    assert_true(cJSON_GetArrayItem(row, 0)->valuedouble == -24);
    cJSON *cell = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "steps"), 2);
    assert_string_equal(cJSON_GetObjectItem(cell, "kind")->valuestring, "cell");
    assert_true(cJSON_GetObjectItem(cell, "value")->valuedouble == -11);
    cJSON_Delete(j);
    /* summary: no steps */
    o.summary = 1;
    cc_buf_reset(&b);
    assert_int_equal(cc_walk_render(&b, w, &o, &err), 0);
    j = cJSON_Parse(b.data);
    assert_non_null(j);
    assert_null(cJSON_GetObjectItem(j, "steps"));
    assert_non_null(cJSON_GetObjectItem(j, "output"));
    cJSON_Delete(j);
    /* LaTeX and Markdown */
    o.summary = 0;
    o.format = CC_FORMAT_LATEX;
    o.standalone = 1;
    cc_buf_reset(&b);
    assert_int_equal(cc_walk_render(&b, w, &o, &err), 0);
    assert_int_equal(strncmp(b.data, "\\documentclass", 14), 0);
    assert_non_null(strstr(b.data, "\\begin{bmatrix}"));
    assert_non_null(strstr(b.data, "\\end{document}\n"));
    o.format = CC_FORMAT_MARKDOWN;
    cc_buf_reset(&b);
    assert_int_equal(cc_walk_render(&b, w, &o, &err), 0);
    assert_non_null(strstr(b.data, "### Step 18 of 18: the output"));
    o.format = CC_FORMAT_CSV;
    assert_int_equal(cc_walk_render(&b, w, &o, &err), CC_EINVAL);
    cc_buf_free(&b);
    cc_walk_free(w);
}

/* Two walks side by side, and the spec's data copied (the caller may
 * change it afterwards, as the TUI does when the user edits a value). */
static void test_walk_owns_its_data(void **state)
{
    (void)state;
    cc_matrix img, ker;
    cc_walk_spec spec;
    cc_error err;
    assert_int_equal(cc_walk_example(&img, &ker, &spec, &err), 0);
    cc_walk *a, *b;
    assert_int_equal(cc_walk_new(&a, &spec, &err), 0);
    cc_matrix_set(&img, 0, 0, 1, 1, 0); /* the 9 becomes 0 */
    assert_int_equal(cc_walk_new(&b, &spec, &err), 0);
    cc_matrix_free(&img);
    cc_matrix_free(&ker);
    /* cell (1,1) sees input (2,2) with flipped-kernel weight -1 */
    assert_true(cc_walk_output(a)->data[0] == -11);
    assert_true(cc_walk_output(b)->data[0] == -2);
    cc_walk_free(a);
    cc_walk_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_every_step),  cmocka_unit_test(test_correlation_no_flip),
        cmocka_unit_test(test_channels_filters_bias), cmocka_unit_test(test_stride_dilation_taps),
        cmocka_unit_test(test_padding_kinds),       cmocka_unit_test(test_errors),
        cmocka_unit_test(test_reals),               cmocka_unit_test(test_render_formats),
        cmocka_unit_test(test_walk_owns_its_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
