/* walk_im2col.c - the im2col view of a walk: the convolution as one
 * matrix product (unrolled input times the kernels as columns), the way the
 * engine computes it. See walk.h. */
#include <stdio.h>
#include <string.h>

#include "walk_priv.h"
#include "walk_report_priv.h"

int cc_walk_im2col(const cc_walk *w, cc_matrix *unrolled, cc_matrix *kernels, cc_error *err)
{
    const cc_walk_geom *g = &w->g;
    memset(unrolled, 0, sizeof *unrolled);
    memset(kernels, 0, sizeof *kernels);
    if (g->op == CC_OP_MAX_POOL || g->op == CC_OP_AVG_POOL)
        return cc_error_set(err, CC_EINVAL, "pooling has no kernel: im2col applies to "
                                            "convolutions");
    long rows = g->out_h * g->out_w; /* both <= 2^26 values in total */
    long taps = g->channels * g->k_h * g->k_w;
    int rc = cc__walk_check_count(1, 1, rows, taps, "unrolled input", err);
    if (rc)
        return rc;
    if ((rc = cc_matrix_new(unrolled, 1, 1, rows, taps, err)))
        return rc;
    if ((rc = cc_matrix_new(kernels, 1, 1, taps, g->filters, err))) {
        cc_matrix_free(unrolled);
        return rc;
    }
    long sh = cc__walk_cell_stride_h(g), sw = cc__walk_cell_stride_w(g);
    for (long i = 0; i < g->out_h; i++)
        for (long j = 0; j < g->out_w; j++) {
            double *row = unrolled->data + (i * g->out_w + j) * taps;
            for (long c = 0; c < g->channels; c++) {
                const double *pl = cc_matrix_plane(&w->padded, 0, c);
                for (long u = 0; u < g->k_h; u++)
                    for (long v = 0; v < g->k_w; v++)
                        *row++ = pl[(i * sh + u * g->dilation_h) * g->padded_w + j * sw +
                                    v * g->dilation_w];
            }
        }
    for (long k = 0; k < g->filters; k++) {
        const double *ker = cc_matrix_plane(&w->applied, k, 0);
        for (long t = 0; t < taps; t++)
            kernels->data[t * g->filters + k] = ker[t];
    }
    return CC_OK;
}

/* unrolled x kernels (+ bias), rows x K: the output before activation. */
static int product(const cc_walk *w, const cc_matrix *a, const cc_matrix *b, cc_matrix *y,
                   cc_error *err)
{
    const cc_walk_geom *g = &w->g;
    int rc = cc_matrix_new(y, 1, 1, a->rows, b->cols, err);
    if (rc)
        return rc;
    for (long r = 0; r < a->rows; r++)
        for (long k = 0; k < b->cols; k++) {
            double s = 0;
            for (long t = 0; t < a->cols; t++)
                s += a->data[r * a->cols + t] * b->data[t * b->cols + k];
            s += cc_walk_bias(w, k);
            y->data[r * b->cols + k] = s == 0.0 ? 0.0 : s;
        }
    (void)g;
    return CC_OK;
}

int cc_walk_render_im2col(cc_buf *out, const cc_walk *w, cc_format fmt, cc_error *err)
{
    const cc_walk_geom *g = &w->g;
    cc_matrix a, b, y = {0};
    int rc = cc_walk_im2col(w, &a, &b, err);
    if (rc)
        return rc;
    if ((rc = product(w, &a, &b, &y, err)))
        goto done;
    long taps = a.cols;
    switch (fmt) {
    case CC_FORMAT_JSON:
        cc_buf_puts(out, "{\"unrolled\":");
        cc_matrix_render(out, &a, 0, 0, CC_FORMAT_JSON, 0);
        cc_buf_puts(out, ",\n\"kernels\":");
        cc_matrix_render(out, &b, 0, 0, CC_FORMAT_JSON, 0);
        cc_buf_puts(out, ",\n\"product\":");
        cc_matrix_render(out, &y, 0, 0, CC_FORMAT_JSON, 0);
        cc_buf_puts(out, ",\n\"output\":[");
        for (long k = 0; k < g->filters; k++) {
            if (k)
                cc_buf_putc(out, ',');
            cc_matrix_render(out, cc_walk_output(w), k, 0, CC_FORMAT_JSON, 0);
        }
        cc_buf_puts(out, "]}\n");
        break;
    case CC_FORMAT_LATEX:
        cc_buf_printf(out, "\\section*{The %s as a matrix product (im2col)}\n",
                      cc_walk_op_name(g->op));
        if (taps > 10 || g->filters > 10)
            cc_buf_printf(out, "\\setcounter{MaxMatrixCols}{%ld}\n", taps > g->filters ? taps
                                                                                       : g->filters);
        cc_buf_puts(out, "\\[\n");
        cc__wr_latex_matrix(out, &a, 0, 0);
        cc_buf_puts(out, "\n\\cdot\n");
        cc__wr_latex_matrix(out, &b, 0, 0);
        cc_buf_puts(out, g->has_bias ? "\n+ b\n=\n" : "\n=\n");
        cc__wr_latex_matrix(out, &y, 0, 0);
        cc_buf_puts(out, "\n\\]\n");
        break;
    case CC_FORMAT_TEXT:
    case CC_FORMAT_MARKDOWN: {
        int md = fmt == CC_FORMAT_MARKDOWN;
        cc_buf_printf(out, "%sThe %s as a matrix product (im2col)\n%s", md ? "## " : "",
                      cc_walk_op_name(g->op), md ? "\n```\n" : "");
        cc_buf_printf(out, "  row r of the unrolled input is the window of output cell r (row by "
                           "row, %ld cells), read channel by channel, row by row: %ld values\n",
                      a.rows, taps);
        cc_buf_printf(out, "  column k of the kernel matrix is filter k's %s, read the same "
                           "way\n",
                      g->mode == CC_MODE_CONVOLUTION ? "flipped kernel" : "kernel");
        cc__wr_block bs[3];
        memset(bs, 0, sizeof bs);
        char lab[96];
        snprintf(lab, sizeof lab, "unrolled input %ldx%ld", a.rows, a.cols);
        cc__wr_block_line(&bs[0], lab);
        cc__wr_block_matrix(&bs[0], &a, 0, 0);
        snprintf(lab, sizeof lab, "kernels %ldx%ld", b.rows, b.cols);
        cc__wr_block_line(&bs[1], lab);
        cc__wr_block_matrix(&bs[1], &b, 0, 0);
        snprintf(lab, sizeof lab, "%s%ldx%ld", g->has_bias ? "+ bias = " : "", y.rows, y.cols);
        cc__wr_block_line(&bs[2], lab);
        cc__wr_block_matrix(&bs[2], &y, 0, 0);
        /* the operators on the first row (the kernel matrix may be short) */
        bs[0].rows = bs[1].rows = 1;
        const char *ops[2] = {"x", "="};
        cc__wr_blocks_emit(out, bs, ops, 3);
        cc_buf_printf(out, "  column k, read row by row as %ldx%ld, is filter k's output%s:\n",
                      g->out_h, g->out_w, g->activation != CC_ACT_NONE ? " before the activation"
                                                                       : "");
        for (long k = 0; k < g->filters; k++) {
            if (g->filters > 1) {
                snprintf(lab, sizeof lab, "filter %ld", k + 1);
                cc__wr_block_line(&bs[0], lab);
            }
            cc__wr_block_matrix(&bs[0], cc_walk_preact(w), k, 0);
            cc__wr_blocks_emit(out, bs, NULL, 1);
        }
        if (md)
            cc_buf_puts(out, "```\n");
        break;
    }
    case CC_FORMAT_CSV:
        rc = cc_error_set(err, CC_EINVAL, "the im2col view has no CSV form");
        break;
    }
    if (!rc && cc_buf_failed(out))
        rc = cc_error_set(err, CC_ENOMEM, "out of memory while formatting the walk");
done:
    cc_matrix_free(&a);
    cc_matrix_free(&b);
    cc_matrix_free(&y);
    return rc;
}
