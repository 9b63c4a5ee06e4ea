/* test_walk_golden.c - the walk's output against PyTorch's conv2d.
 *
 * tests/golden/conv_cases.txt was written by tests/golden/gen_conv.py with
 * PyTorch (float64) for seeded random cases covering stride, padding
 * (explicit per side, valid, same, full), dilation, channels, filters, bias
 * and both modes; this test needs neither Python nor PyTorch. */
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

#define GOLDEN "tests/golden/conv_cases.txt"

typedef struct golden {
    int id;
    cc_conv_mode mode;
    long sh, sw, dh, dw;
    cc_pad_kind kind;
    long pads[4];
    int has_bias;
    cc_matrix bias, input, kernel, output;
} golden;

static void parse_field(cc_matrix *m, const char *text, int line)
{
    cc_error err;
    cc_error_clear(&err);
    int rc = cc_matrix_parse(m, text, strlen(text), &err);
    if (rc)
        fail_msg("%s:%d: %s (line %d col %d)", GOLDEN, line, err.msg, err.line, err.col);
}

/* Read the next case; returns 0 at the end of the file. */
static int next_case(FILE *f, golden *g, int *lineno)
{
    static char line[1 << 16];
    int fields = 0;
    memset(g, 0, sizeof *g);
    long pos;
    while ((pos = ftell(f)), fgets(line, sizeof line, f)) {
        (*lineno)++;
        size_t n = strlen(line);
        assert_true(n < sizeof line - 1); /* the line fit */
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\n")] = '\0';
        char *sp = strchr(line, ' ');
        assert_non_null(sp);
        *sp = '\0';
        const char *key = line, *val = sp + 1;
        if (!strcmp(key, "case")) {
            if (fields) { /* the next case begins: put it back */
                fseek(f, pos, SEEK_SET);
                (*lineno)--;
                break;
            }
            g->id = atoi(val);
        } else if (!strcmp(key, "mode")) {
            assert_int_equal(cc_conv_mode_parse(val, &g->mode), 0);
        } else if (!strcmp(key, "stride")) {
            assert_int_equal(sscanf(val, "%ld %ld", &g->sh, &g->sw), 2);
        } else if (!strcmp(key, "dilation")) {
            assert_int_equal(sscanf(val, "%ld %ld", &g->dh, &g->dw), 2);
        } else if (!strcmp(key, "padding")) {
            char kind[16];
            assert_int_equal(sscanf(val, "%15s %ld %ld %ld %ld", kind, &g->pads[0], &g->pads[1],
                                    &g->pads[2], &g->pads[3]),
                             5);
            g->kind = !strcmp(kind, "valid")  ? CC_PAD_VALID
                      : !strcmp(kind, "same") ? CC_PAD_SAME
                      : !strcmp(kind, "full") ? CC_PAD_FULL
                                              : CC_PAD_EXPLICIT;
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

static void check_case(const golden *g, int *integer_cases, int *seen_kinds)
{
    cc_walk_spec spec;
    cc_walk_spec_init(&spec);
    spec.input = &g->input;
    spec.kernels = &g->kernel;
    spec.bias = g->has_bias ? g->bias.data : NULL;
    spec.mode = g->mode;
    spec.stride_h = g->sh;
    spec.stride_w = g->sw;
    spec.dilation_h = g->dh;
    spec.dilation_w = g->dw;
    spec.pad_kind = g->kind;
    if (g->kind == CC_PAD_EXPLICIT) {
        spec.pad_top = g->pads[0];
        spec.pad_bottom = g->pads[1];
        spec.pad_left = g->pads[2];
        spec.pad_right = g->pads[3];
    }
    if (g->has_bias)
        assert_int_equal((long)cc_matrix_size(&g->bias), g->kernel.n);
    cc_walk *w;
    cc_error err;
    cc_error_clear(&err);
    int rc = cc_walk_new(&w, &spec, &err);
    if (rc)
        fail_msg("case %d: %s", g->id, err.msg);
    const cc_walk_geom *geo = cc_walk_geometry(w);
    /* the padding the walk resolved is the one PyTorch was given */
    assert_int_equal(geo->pad_top, g->pads[0]);
    assert_int_equal(geo->pad_bottom, g->pads[1]);
    assert_int_equal(geo->pad_left, g->pads[2]);
    assert_int_equal(geo->pad_right, g->pads[3]);
    const cc_matrix *y = cc_walk_output(w);
    /* golden output is 1 x K x OH x OW, the walk's K x 1 x OH x OW: same layout */
    assert_int_equal(y->n, g->output.c);
    assert_int_equal(y->rows, g->output.rows);
    assert_int_equal(y->cols, g->output.cols);
    size_t n = cc_matrix_size(y);
    for (size_t i = 0; i < n; i++) {
        double want = g->output.data[i], got = y->data[i];
        if (geo->integer) {
            if (want != got)
                fail_msg("case %d: value %zu is %g, PyTorch says %g", g->id, i, got, want);
        } else if (fabs(want - got) > 1e-9 * (1 + fabs(want))) {
            fail_msg("case %d: value %zu is %.17g, PyTorch says %.17g", g->id, i, got, want);
        }
    }
    /* every cell step agrees with the output and adds up */
    cc_walk_step st = {0};
    for (size_t i = 0; i < cc_walk_nsteps(w); i++) {
        assert_int_equal(cc_walk_step_get(w, i, &st, &err), 0);
        if (st.kind != CC_STEP_CELL)
            continue;
        double total = 0;
        for (long c = 0; c < st.channels; c++)
            total += st.channel_sums[c];
        assert_true(fabs(total - st.sum) <= 1e-12 * (1 + fabs(total)));
        assert_true(st.value ==
                    cc_matrix_get(y, st.filter, 0, st.out_row, st.out_col));
    }
    cc_walk_step_free(&st);
    *integer_cases += geo->integer;
    seen_kinds[g->kind] = 1;
    cc_walk_free(w);
}

static void test_pytorch_goldens(void **state)
{
    (void)state;
    FILE *f = fopen(GOLDEN, "r");
    assert_non_null(f);
    golden g;
    int lineno = 0, cases = 0, integer_cases = 0, kinds[4] = {0};
    int modes[2] = {0}, multi_channel = 0, multi_filter = 0, biased = 0, strided = 0,
        dilated = 0;
    while (next_case(f, &g, &lineno)) {
        check_case(&g, &integer_cases, kinds);
        modes[g.mode]++;
        multi_channel += g.input.c > 1;
        multi_filter += g.kernel.n > 1;
        biased += g.has_bias;
        strided += g.sh > 1 || g.sw > 1;
        dilated += g.dh > 1 || g.dw > 1;
        free_case(&g);
        cases++;
    }
    fclose(f);
    /* the file covers what it claims to */
    assert_true(cases >= 50);
    assert_true(modes[0] > 0 && modes[1] > 0);
    assert_true(kinds[CC_PAD_EXPLICIT] && kinds[CC_PAD_VALID] && kinds[CC_PAD_SAME] &&
                kinds[CC_PAD_FULL]);
    assert_true(multi_channel && multi_filter && biased && strided && dilated);
    assert_true(integer_cases > 0 && integer_cases < cases);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pytorch_goldens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
