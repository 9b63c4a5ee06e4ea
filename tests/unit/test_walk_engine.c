/* test_walk_engine.c - the worked convolution equals the reference engine's
 * convolution (layers.h) on the same data: correlation mode is the engine's
 * conv2d (PyTorch's cross-correlation); convolution mode is conv2d with the
 * kernel rotated by 180 degrees (rotated here, independently of the walk).
 * Both the fast (im2col + sgemm) and the naive engine kernels are checked,
 * over seeded random cases covering stride, per-side padding, dilation,
 * channels, filters and bias. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/layers.h"
#include "convcalc/rng.h"
#include "convcalc/tensor.h"
#include "convcalc/walk.h"

static long pick(cc_rng *r, long lo, long hi) { return lo + (long)cc_rng_below(r, (uint64_t)(hi - lo + 1)); }

static void fill(cc_rng *r, double *v, size_t n, int integer)
{
    for (size_t i = 0; i < n; i++)
        v[i] = integer ? (double)pick(r, -9, 9) : floor(cc_rng_uniform(r) * 4000 - 2000) / 1000;
}

static void run_case(cc_rng *r, int integer, cc_conv_mode mode)
{
    long C = pick(r, 1, 3), K = pick(r, 1, 3), H = pick(r, 1, 9), W = pick(r, 1, 9);
    long FH = pick(r, 1, 4), FW = pick(r, 1, 4);
    cc_walk_spec spec;
    cc_walk_spec_init(&spec);
    spec.mode = mode;
    spec.stride_h = pick(r, 1, 3);
    spec.stride_w = pick(r, 1, 3);
    spec.dilation_h = pick(r, 1, 2);
    spec.dilation_w = pick(r, 1, 2);
    spec.pad_top = pick(r, 0, 2);
    spec.pad_bottom = pick(r, 0, 2);
    spec.pad_left = pick(r, 0, 2);
    spec.pad_right = pick(r, 0, 2);
    /* keep the effective kernel inside the padded input */
    while (spec.dilation_h * (FH - 1) + 1 > H + spec.pad_top + spec.pad_bottom)
        FH--;
    while (spec.dilation_w * (FW - 1) + 1 > W + spec.pad_left + spec.pad_right)
        FW--;
    cc_matrix img, ker;
    cc_error err;
    assert_int_equal(cc_matrix_new(&img, 1, C, H, W, &err), 0);
    assert_int_equal(cc_matrix_new(&ker, K, C, FH, FW, &err), 0);
    fill(r, img.data, cc_matrix_size(&img), integer);
    fill(r, ker.data, cc_matrix_size(&ker), integer);
    double bias[3];
    int with_bias = (int)cc_rng_below(r, 2);
    fill(r, bias, (size_t)K, integer);
    spec.input = &img;
    spec.kernels = &ker;
    spec.bias = with_bias ? bias : NULL;
    cc_walk *w;
    if (cc_walk_new(&w, &spec, &err))
        fail_msg("walk: %s", err.msg);

    cc_conv2d_desc d;
    cc_conv2d_desc_init(&d);
    d.B = 1;
    d.C = C;
    d.H = H;
    d.W = W;
    d.OC = K;
    d.KH = FH;
    d.KW = FW;
    d.stride_h = spec.stride_h;
    d.stride_w = spec.stride_w;
    d.pad_top = spec.pad_top;
    d.pad_bottom = spec.pad_bottom;
    d.pad_left = spec.pad_left;
    d.pad_right = spec.pad_right;
    d.dil_h = spec.dilation_h;
    d.dil_w = spec.dilation_w;
    if (cc_conv2d_setup(&d, &err))
        fail_msg("engine setup: %s", err.msg);
    const cc_walk_geom *g = cc_walk_geometry(w);
    assert_int_equal(d.OH, g->out_h);
    assert_int_equal(d.OW, g->out_w);

    size_t ni = cc_matrix_size(&img), nk = cc_matrix_size(&ker), no = cc_conv2d_out_size(&d);
    float *inp = cc_floats_new(ni, &err), *wt = cc_floats_new(nk, &err);
    float *fb = cc_floats_new((size_t)K, &err), *out = cc_floats_new(no, &err);
    float *out2 = cc_floats_new(no, &err);
    size_t nw = cc_conv2d_workspace(&d);
    float *work = nw ? cc_floats_new(nw, &err) : NULL;
    assert_true(inp && wt && fb && out && out2 && (work || !nw));
    for (size_t i = 0; i < ni; i++)
        inp[i] = (float)img.data[i];
    /* the kernel as the engine should see it: rotated in convolution mode */
    for (long k = 0; k < K; k++)
        for (long c = 0; c < C; c++)
            for (long u = 0; u < FH; u++)
                for (long v = 0; v < FW; v++) {
                    long su = mode == CC_MODE_CONVOLUTION ? FH - 1 - u : u;
                    long sv = mode == CC_MODE_CONVOLUTION ? FW - 1 - v : v;
                    wt[((k * C + c) * FH + u) * FW + v] = (float)cc_matrix_get(&ker, k, c, su, sv);
                }
    for (long k = 0; k < K; k++)
        fb[k] = (float)bias[k];
    assert_int_equal(cc_conv2d_forward(out, inp, wt, with_bias ? fb : NULL, &d, work, &err), 0);
    assert_int_equal(cc_conv2d_forward_naive(out2, inp, wt, with_bias ? fb : NULL, &d, &err), 0);

    const cc_matrix *y = cc_walk_output(w);
    assert_int_equal(cc_matrix_size(y), no);
    for (size_t i = 0; i < no; i++) {
        double want = y->data[i];
        if (integer) {
            /* small whole numbers are exact in float32 */
            if ((double)out[i] != want || (double)out2[i] != want)
                fail_msg("value %zu: walk %g, engine %g, naive %g", i, want, out[i], out2[i]);
        } else if (fabs(out[i] - want) > 1e-4 * (1 + fabs(want)) ||
                   fabs(out2[i] - want) > 1e-4 * (1 + fabs(want))) {
            fail_msg("value %zu: walk %.9g, engine %.9g, naive %.9g", i, want, out[i], out2[i]);
        }
    }
    cc_floats_free(inp);
    cc_floats_free(wt);
    cc_floats_free(fb);
    cc_floats_free(out);
    cc_floats_free(out2);
    cc_floats_free(work);
    cc_walk_free(w);
    cc_matrix_free(&img);
    cc_matrix_free(&ker);
}

static void test_walk_equals_engine(void **state)
{
    (void)state;
    cc_rng r;
    cc_rng_seed(&r, 20261128);
    for (int i = 0; i < 200; i++)
        run_case(&r, i % 2 == 0, i % 4 < 2 ? CC_MODE_CONVOLUTION : CC_MODE_CORRELATION);
}

/* The built-in example through the engine. */
static void test_example_through_engine(void **state)
{
    (void)state;
    cc_walk *w;
    cc_error err;
    assert_int_equal(cc_walk_new_example(&w, &err), 0);
    const cc_matrix *img = cc_walk_input(w), *ker = cc_walk_applied(w);
    cc_conv2d_desc d;
    cc_conv2d_desc_init(&d);
    d.B = d.C = d.OC = 1;
    d.H = 3;
    d.W = 5;
    d.KH = d.KW = 3;
    d.pad_top = d.pad_bottom = d.pad_left = d.pad_right = 1;
    assert_int_equal(cc_conv2d_setup(&d, &err), 0);
    float inp[15], wt[9], out[15];
    for (int i = 0; i < 15; i++)
        inp[i] = (float)img->data[i];
    for (int i = 0; i < 9; i++)
        wt[i] = (float)ker->data[i];
    assert_int_equal(cc_conv2d_forward_naive(out, inp, wt, NULL, &d, &err), 0);
    for (int i = 0; i < 15; i++)
        assert_true((double)out[i] == cc_walk_output(w)->data[i]);
    cc_walk_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_equals_engine),
        cmocka_unit_test(test_example_through_engine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
