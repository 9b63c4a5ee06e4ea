/* test_walk_latex.c - the LaTeX of a walk compiles with pdflatex, as it is
 * printed (--standalone) and as a fragment pasted into a document that
 * loads amsmath. Skipped (not failed) when pdflatex is not installed
 * (texlive-latex-base is in the Makefile's DEB_PKGS). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convcalc/walk.h"

static int have_pdflatex(void)
{
    return system("command -v pdflatex >/dev/null 2>&1") == 0;
}

/* Write text to DIR/doc.tex, run pdflatex there; 1 when a PDF came out. */
static int compiles(const char *text)
{
    char dir[] = "/tmp/convcalc-latex-XXXXXX";
    if (!mkdtemp(dir))
        fail_msg("mkdtemp failed");
    char path[512], cmd[1024];
    snprintf(path, sizeof path, "%s/doc.tex", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && pdflatex -interaction=nonstopmode -halt-on-error -no-shell-escape "
             "doc.tex >pdflatex.out 2>&1 && test -s doc.pdf",
             dir);
    int ok = system(cmd) == 0;
    if (!ok) {
        snprintf(cmd, sizeof cmd, "grep -A3 '^!' '%s/doc.log' | head -20", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "(no pdflatex log)\n");
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return ok;
}

static char *render(cc_walk *w, int standalone, int summary)
{
    cc_walk_render_opts o;
    cc_walk_render_opts_init(&o);
    o.format = CC_FORMAT_LATEX;
    o.standalone = standalone;
    o.summary = summary;
    cc_buf b = {0};
    cc_error err;
    assert_int_equal(cc_walk_render(&b, w, &o, &err), 0);
    return b.data;
}

static void test_example_compiles(void **state)
{
    (void)state;
    if (!have_pdflatex())
        skip();
    cc_walk *w;
    cc_error err;
    assert_int_equal(cc_walk_new_example(&w, &err), 0);
    char *doc = render(w, 1, 0);
    assert_true(compiles(doc));
    free(doc);
    /* the fragment, pasted into a hand-in */
    char *frag = render(w, 0, 0);
    cc_buf b = {0};
    cc_buf_puts(&b, "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n"
                    "My homework.\n");
    cc_buf_puts(&b, frag);
    cc_buf_puts(&b, "\\end{document}\n");
    assert_true(compiles(b.data));
    cc_buf_free(&b);
    free(frag);
    cc_walk_free(w);
}

/* Channels, filters, bias, reals and a padded input wider than amsmath's
 * default of 10 matrix columns. */
static void test_wide_multichannel_compiles(void **state)
{
    (void)state;
    if (!have_pdflatex())
        skip();
    const char *img = "1 2 3 4 5 6 7 8 9 10 11; 0.5 -1 2 3 4 5 6 7 8 9 10 | "
                      "1 1 1 1 1 1 1 1 1 1 1; 2 2 2 2 2 2 2 2 2 2 2";
    const char *ker = "1 -1; 0 2 | 0.25 0; 0 1 || 1 1; 1 1 | -1 -1; -1 -1";
    cc_matrix a, k;
    cc_error err;
    assert_int_equal(cc_matrix_parse(&a, img, strlen(img), &err), 0);
    assert_int_equal(cc_matrix_parse(&k, ker, strlen(ker), &err), 0);
    cc_walk_spec spec;
    cc_walk_spec_init(&spec);
    spec.input = &a;
    spec.kernels = &k;
    const double bias[2] = {0.5, -3};
    spec.bias = bias;
    spec.pad_kind = CC_PAD_FULL;
    spec.stride_w = 2;
    cc_walk *w;
    assert_int_equal(cc_walk_new(&w, &spec, &err), 0);
    char *doc = render(w, 1, 0);
    assert_non_null(strstr(doc, "MaxMatrixCols"));
    assert_true(compiles(doc));
    free(doc);
    cc_walk_free(w);
    cc_matrix_free(&a);
    cc_matrix_free(&k);
}

/* A walk of one of the other operations from matrix texts. */
static cc_walk *op_walk(const char *img, const char *ker, cc_walk_spec *spec, cc_matrix *a,
                        cc_matrix *k)
{
    cc_error err;
    assert_int_equal(cc_matrix_parse(a, img, strlen(img), &err), 0);
    spec->input = a;
    if (ker) {
        assert_int_equal(cc_matrix_parse(k, ker, strlen(ker), &err), 0);
        spec->kernels = k;
    }
    cc_walk *w;
    if (cc_walk_new(&w, spec, &err) != 0)
        fail_msg("walk: %s", err.msg);
    return w;
}

/* The steps of the transposed convolution, pooling and activations are
 * amsmath (bmatrix, frac, boxed), never verbatim text; the documents
 * compile. The structure is checked with or without pdflatex. */
static void test_ops_are_math(void **state)
{
    (void)state;
    cc_matrix a = {0}, k = {0};
    cc_walk_spec spec;
    const double bias[1] = {0.5};

    /* transposed, 2 channels, padding that cuts, bias, then leaky relu */
    cc_walk_spec_init(&spec);
    spec.op = CC_OP_TRANSPOSED;
    spec.stride_h = spec.stride_w = 2;
    spec.pad_top = spec.pad_bottom = spec.pad_left = spec.pad_right = 1;
    spec.bias = bias;
    spec.activation = CC_ACT_LEAKY_RELU;
    spec.slope = 0.1;
    cc_walk *w = op_walk("1 2; 3 4 | 0 1; -1 2", "1 0; 2 -1 | 1 1; 0 1", &spec, &a, &k);
    char *doc = render(w, 1, 0);
    assert_null(strstr(doc, "verbatim"));
    /* scatter of input cell (1,1) of channel 2: 0 times the kernel */
    assert_non_null(strstr(doc, "x_{1,1} \\cdot K = 0 \\cdot \\begin{bmatrix} 1 & 1 \\\\ 0 & 1 "
                                "\\end{bmatrix}"));
    assert_non_null(strstr(doc, "The channels added:"));
    assert_non_null(strstr(doc, "Y_{\\text{so far}} = \\begin{bmatrix}"));
    assert_non_null(strstr(doc, "cut by the padding"));
    assert_non_null(strstr(doc, "\\xrightarrow{\\operatorname{leaky\\text{-}relu}}"));
    assert_non_null(strstr(doc, "\\begin{cases} x & x > 0 \\\\ 0.1\\,x & x \\le 0 \\end{cases}"));
    if (have_pdflatex())
        assert_true(compiles(doc));
    free(doc);
    cc_walk_free(w);
    cc_matrix_free(&a);
    cc_matrix_free(&k);

    /* max pooling with padding: the padding never wins, the winner boxed */
    cc_walk_spec_init(&spec);
    spec.op = CC_OP_MAX_POOL;
    spec.pool_h = spec.pool_w = 2;
    spec.stride_h = spec.stride_w = 2;
    spec.pad_top = spec.pad_bottom = spec.pad_left = spec.pad_right = 1;
    w = op_walk("1 -2 3; 4 5 -6; 7 8 9", NULL, &spec, &a, &k);
    doc = render(w, 1, 0);
    assert_null(strstr(doc, "verbatim"));
    assert_non_null(strstr(doc, "\\max \\begin{bmatrix} \\text{pad} & \\text{pad} \\\\ "
                                "\\text{pad} & \\boxed{1} \\end{bmatrix} = 1"));
    assert_non_null(strstr(doc, "y_{2,2} = 9"));
    if (have_pdflatex())
        assert_true(compiles(doc));
    free(doc);
    cc_walk_free(w);
    cc_matrix_free(&a);

    /* average pooling, padding not counted, then sigmoid */
    cc_walk_spec_init(&spec);
    spec.op = CC_OP_AVG_POOL;
    spec.pool_h = spec.pool_w = 2;
    spec.stride_h = spec.stride_w = 2;
    spec.pad_top = spec.pad_bottom = spec.pad_left = spec.pad_right = 1;
    spec.count_include_pad = 0;
    spec.activation = CC_ACT_SIGMOID;
    w = op_walk("1 -2 3; 4 5 -6; 7 8 9", NULL, &spec, &a, &k);
    doc = render(w, 1, 0);
    assert_null(strstr(doc, "verbatim"));
    /* the window of output (1,2): padding, padding, -2, 3 -> (-2 + 3) / 2 */
    assert_non_null(strstr(doc, "\\operatorname{mean} \\begin{bmatrix} 0 & 0 \\\\ -2 & 3 "
                                "\\end{bmatrix} = \\frac{(-2) + 3}{2} = \\frac{1}{2} = 0.5"));
    assert_non_null(strstr(doc, "\\operatorname{sigmoid}(0.5) = 0.622459"));
    assert_non_null(strstr(doc, "\\frac{1}{1 + e^{-x}}"));
    if (have_pdflatex())
        assert_true(compiles(doc));
    free(doc);
    cc_walk_free(w);
    cc_matrix_free(&a);

    /* im2col as LaTeX: matrices too */
    cc_walk_spec_init(&spec);
    w = op_walk("1 2 3; 4 5 6", "1 0; 0 -1", &spec, &a, &k);
    cc_buf b = {0};
    cc_error err;
    assert_int_equal(cc_walk_render_im2col(&b, w, CC_FORMAT_LATEX, &err), 0);
    assert_null(strstr(cc_buf_str(&b), "verbatim"));
    assert_non_null(strstr(cc_buf_str(&b), "\\begin{bmatrix}"));
    cc_buf_free(&b);
    cc_walk_free(w);
    cc_matrix_free(&a);
    cc_matrix_free(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_compiles),
        cmocka_unit_test(test_wide_multichannel_compiles),
        cmocka_unit_test(test_ops_are_math),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
