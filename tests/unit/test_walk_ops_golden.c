/* test_walk_ops_golden.c - transposed convolution and pooling walks (and
 * their activations) against PyTorch.
 *
 * tests/golden/walk_ops.txt was written by tests/golden/gen_ops.py with
 * PyTorch (float64): conv_transpose2d, max_pool2d and avg_pool2d over seeded
 * random cases (stride, padding, output_padding, dilation, ceil_mode,
 * count_include_pad, channels, filters, bias, relu / leaky relu / sigmoid /
 * tanh). This test needs neither Python nor PyTorch. Besides the output,
 * every step is checked against it: the convolution view's cells, the last
 * scatter step's running output, the pooling cells, and the im2col
 * product. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/walk.h"

#define GOLDEN "tests/golden/walk_ops.txt"

typedef struct golden {
    int id;
    cc_walk_op op;
    long sh, sw, dh, dw, kh, kw, oph, opw;
    long pads[4];
    int ceil, include;
    cc_activation act;
    double slope;
    int has_bias;
    cc_matrix bias, input, kernel, output;
} golden;

static void parse_field(cc_matrix *m, const char *text, int line)
{
    cc_error err;
    cc_error_clear(&err);
    if (cc_matrix_parse(m, text, strlen(text), &err))
        fail_msg("%s:%d: %s", GOLDEN, line, err.msg);
}

static int next_case(FILE *f, golden *g, int *lineno)
{
    static char line[1 << 16];
    int fields = 0;
    memset(g, 0, sizeof *g);
    g->dh = g->dw = 1;
    long pos;
    while ((pos = ftell(f)), fgets(line, sizeof line, f)) {
        (*lineno)++;
        assert_true(strlen(line) < sizeof line - 1);
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\n")] = '\0';
        char *sp = strchr(line, ' ');
        assert_non_null(sp);
        *sp = '\0';
        const char *key = line, *val = sp + 1;
        if (!strcmp(key, "case")) {
            if (fields) {
                fseek(f, pos, SEEK_SET);
                (*lineno)--;
                break;
            }
            g->id = atoi(val);
        } else if (!strcmp(key, "op")) {
            g->op = !strcmp(val, "transposed") ? CC_OP_TRANSPOSED
                    : !strcmp(val, "max")      ? CC_OP_MAX_POOL
                                               : CC_OP_AVG_POOL;
        } else if (!strcmp(key, "stride")) {
            assert_int_equal(sscanf(val, "%ld %ld", &g->sh, &g->sw), 2);
        } else if (!strcmp(key, "dilation")) {
            assert_int_equal(sscanf(val, "%ld %ld", &g->dh, &g->dw), 2);
        } else if (!strcmp(key, "window")) {
            assert_int_equal(sscanf(val, "%ld %ld", &g->kh, &g->kw), 2);
        } else if (!strcmp(key, "output_padding")) {
            assert_int_equal(sscanf(val, "%ld %ld", &g->oph, &g->opw), 2);
        } else if (!strcmp(key, "padding")) {
            assert_int_equal(sscanf(val, "%ld %ld %ld %ld", &g->pads[0], &g->pads[1],
                                    &g->pads[2], &g->pads[3]),
                             4);
        } else if (!strcmp(key, "ceil")) {
            g->ceil = atoi(val);
        } else if (!strcmp(key, "include_pad")) {
            g->include = atoi(val);
        } else if (!strcmp(key, "activation")) {
            char name[32];
            assert_int_equal(sscanf(val, "%31s %lf", name, &g->slope), 2);
            assert_int_equal(cc_activation_parse(name, &g->act), 0);
        } else if (!strcmp(key, "bias")) {
            g->has_bias = strcmp(val, "none") != 0;
            if (g->has_bias)
                parse_field(&g->bias, val, *lineno);
        } else if (!strcmp(key, "input")) {
            parse_field(&g->input, val, *lineno);
        } else if (!strcmp(key, "kernel")) {
            parse_field(&g->kernel, val, *lineno);
        } else if (!strcmp(key, "output")) {
            parse_field(&g->output, val, *lineno);
        } else {
            fail_msg("%s:%d: unknown key '%s'", GOLDEN, *lineno, key);
        }
        fields++;
    }
    return fields > 0;
}

static void free_case(golden *g)
{
    cc_matrix_free(&g->bias);
    cc_matrix_free(&g->input);
    cc_matrix_free(&g->kernel);
    cc_matrix_free(&g->output);
}

static int close_to(double want, double got)
{
    return fabs(want - got) <= 1e-9 * (1 + fabs(want));
}

/* The walk of a case in a given view. */
static cc_walk *walk_case(const golden *g, cc_tconv_view view)
{
    cc_walk_spec spec;
    cc_walk_spec_init(&spec);
    spec.op = g->op;
    spec.input = &g->input;
    if (g->op == CC_OP_TRANSPOSED) {
        spec.kernels = &g->kernel;
        spec.bias = g->has_bias ? g->bias.data : NULL;
        spec.output_padding_h = g->oph;
        spec.output_padding_w = g->opw;
        spec.view = view;
    } else {
        spec.pool_h = g->kh;
        spec.pool_w = g->kw;
        spec.ceil_mode = g->ceil;
        spec.count_include_pad = g->include;
    }
    spec.stride_h = g->sh;
    spec.stride_w = g->sw;
    spec.dilation_h = g->dh;
    spec.dilation_w = g->dw;
    spec.pad_top = g->pads[0];
    spec.pad_bottom = g->pads[1];
    spec.pad_left = g->pads[2];
    spec.pad_right = g->pads[3];
    spec.activation = g->act;
    spec.slope = g->slope;
    cc_walk *w;
    cc_error err;
    cc_error_clear(&err);
    if (cc_walk_new(&w, &spec, &err))
        fail_msg("case %d: %s", g->id, err.msg);
    return w;
}

static void check_output(const golden *g, const cc_walk *w)
{
    const cc_matrix *y = cc_walk_output(w);
    assert_int_equal(y->n, g->output.c);
    assert_int_equal(y->rows, g->output.rows);
    assert_int_equal(y->cols, g->output.cols);
    for (size_t i = 0; i < cc_matrix_size(y); i++)
        if (!close_to(g->output.data[i], y->data[i]))
            fail_msg("case %d: value %zu is %.17g, PyTorch says %.17g", g->id, i, y->data[i],
                     g->output.data[i]);
}

/* Every step agrees with the output. */
static void check_steps(const golden *g, const cc_walk *w)
{
    const cc_walk_geom *geo = cc_walk_geometry(w);
    const cc_matrix *pre = cc_walk_preact(w), *y = cc_walk_output(w);
    cc_walk_step st = {0};
    cc_error err;
    size_t cells = 0, scatters = 0;
    for (size_t i = 0; i < cc_walk_nsteps(w); i++) {
        assert_int_equal(cc_walk_step_get(w, i, &st, &err), 0);
        if (st.kind == CC_STEP_CELL) {
            cells++;
            double v = cc_matrix_get(pre, st.filter, 0, st.out_row, st.out_col);
            assert_true(st.value == v);
            assert_true(st.activated == cc_matrix_get(y, st.filter, 0, st.out_row, st.out_col));
            assert_int_equal(cc_walk_cell_step(w, st.filter, st.out_row, st.out_col), i);
            if (g->op == CC_OP_TRANSPOSED) {
                assert_true(close_to(v, st.sum + st.bias));
            } else if (g->op == CC_OP_MAX_POOL) {
                assert_true(st.winner >= 0 && st.taps[st.winner] == CC_TAP_INPUT);
                assert_true(st.window[st.winner] == v);
                for (long t = 0; t < st.k_h * st.k_w; t++)
                    if (st.taps[t] == CC_TAP_INPUT)
                        assert_true(st.window[t] <= v);
            } else {
                assert_true(st.count >= 1);
                assert_true(close_to(v, st.sum / (double)st.count));
            }
        } else if (st.kind == CC_STEP_SCATTER) {
            scatters++;
            assert_int_equal(cc_walk_scatter_step(w, st.filter, st.in_row, st.in_col), i);
            if (st.in_row == geo->in_h - 1 && st.in_col == geo->in_w - 1) {
                /* everything scattered: the output without the bias */
                for (long r = 0; r < geo->out_h; r++)
                    for (long q = 0; q < geo->out_w; q++)
                        assert_true(close_to(cc_matrix_get(pre, st.filter, 0, r, q) - st.bias,
                                             st.partial[r * geo->out_w + q]));
            }
        }
    }
    cc_walk_step_free(&st);
    size_t want_cells = (size_t)(geo->filters * geo->out_h * geo->out_w);
    size_t want_scatters = (size_t)(geo->filters * geo->in_h * geo->in_w);
    if (geo->op != CC_OP_TRANSPOSED || geo->view != CC_TVIEW_SCATTER)
        assert_int_equal(cells, want_cells);
    else
        assert_int_equal(cells, 0);
    if (geo->op == CC_OP_TRANSPOSED && geo->view != CC_TVIEW_CONV)
        assert_int_equal(scatters, want_scatters);
    else
        assert_int_equal(scatters, 0);
}

/* The im2col product is the output before the activation. */
static void check_im2col(const golden *g, const cc_walk *w)
{
    cc_matrix a, b;
    cc_error err;
    const cc_walk_geom *geo = cc_walk_geometry(w);
    if (g->op != CC_OP_TRANSPOSED) {
        assert_int_equal(cc_walk_im2col(w, &a, &b, &err), CC_EINVAL);
        return;
    }
    assert_int_equal(cc_walk_im2col(w, &a, &b, &err), 0);
    assert_int_equal(a.rows, geo->out_h * geo->out_w);
    assert_int_equal(a.cols, b.rows);
    assert_int_equal(b.cols, geo->filters);
    for (long r = 0; r < a.rows; r++)
        for (long k = 0; k < b.cols; k++) {
            double s = cc_walk_bias(w, k);
            for (long t = 0; t < a.cols; t++)
                s += a.data[r * a.cols + t] * b.data[t * b.cols + k];
            assert_true(close_to(cc_walk_preact(w)->data[k * a.rows + r], s));
        }
    cc_matrix_free(&a);
    cc_matrix_free(&b);
}

static void test_pytorch_goldens(void **state)
{
    (void)state;
    FILE *f = fopen(GOLDEN, "r");
    assert_non_null(f);
    golden g;
    int lineno = 0, cases = 0, ops[4] = {0}, acts[5] = {0}, ceil = 0, excl = 0, opad = 0,
        dil = 0, bias = 0;
    while (next_case(f, &g, &lineno)) {
        cc_tconv_view views[3] = {CC_TVIEW_BOTH, CC_TVIEW_SCATTER, CC_TVIEW_CONV};
        for (int v = 0; v < (g.op == CC_OP_TRANSPOSED ? 3 : 1); v++) {
            cc_walk *w = walk_case(&g, views[v]);
            check_output(&g, w);
            check_steps(&g, w);
            if (v == 0)
                check_im2col(&g, w);
            cc_walk_free(w);
        }
        ops[g.op]++;
        acts[g.act]++;
        ceil += g.ceil;
        excl += g.op == CC_OP_AVG_POOL && !g.include;
        opad += g.oph || g.opw;
        dil += g.dh > 1 || g.dw > 1;
        bias += g.has_bias;
        free_case(&g);
        cases++;
    }
    fclose(f);
    /* the file covers what it claims to */
    assert_true(cases >= 100);
    assert_true(ops[CC_OP_TRANSPOSED] && ops[CC_OP_MAX_POOL] && ops[CC_OP_AVG_POOL]);
    for (int a = 0; a < 5; a++)
        assert_true(acts[a] > 0);
    assert_true(ceil && excl && opad && dil && bias);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pytorch_goldens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
