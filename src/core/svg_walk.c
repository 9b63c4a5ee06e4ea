/* svg_walk.c - a walk's steps as figures: one step, every step as an
 * animation. Every number drawn comes from the walk (walk.h); this file
 * only places it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/svg.h"

/* Channels and filters drawn at most; the rest are named in a note. */
#define SHOW_CHANNELS 3
#define SHOW_FILTERS 4
/* Largest animation: beyond this, --step or --frames. */
#define ANIM_MAX_STEPS 2000

#define MARGIN 40.0
#define TOP 118.0      /* top of the grids (below title, subtitle, labels) */
#define BOTTOM 560.0   /* bottom of the grids; the caption goes below      */
#define GAP 64.0       /* between grids, for the operator glyphs          */
#define CELL_MAX 64.0

typedef struct layout {
    long shown_c;
    double ci, ck, co;           /* cell sides: input, kernel/products, output */
    double x_in, x_k, x_p, x_o;  /* left edges of the columns                  */
    double row_y[SHOW_CHANNELS]; /* top of each channel row (input grid)       */
    double row_h;                /* height of a channel row                    */
    double y_o;                  /* top of the output grid                     */
    double mid;                  /* vertical middle of the grids               */
} layout;

static const cc_svg_font f_title = {.size = 24, .bold = 1, .anchor = -1};
static const cc_svg_font f_sub = {.size = 15, .anchor = -1, .fill = CC_SVG_MUTED};
static const cc_svg_font f_label = {.size = 14, .anchor = -1, .bold = 1};
static const cc_svg_font f_op = {.size = 34, .anchor = 0};
static const cc_svg_font f_note = {.size = 13, .anchor = -1, .fill = CC_SVG_MUTED,
                                   .italic = 1};

static const char *num(char *b, size_t size, double v) { return cc_fmt_num(b, size, v, 6); }

/* "input 3x5, kernel 3x3, padding 1, stride 1, ..." from the geometry. */
static void describe(cc_buf *b, const cc_walk_geom *g)
{
    cc_buf_printf(b, "%s", g->mode == CC_MODE_CONVOLUTION ? "convolution (kernel flipped 180°)"
                                                          : "cross-correlation (kernel as written)");
    cc_buf_printf(b, " · input %ldx%ld", g->in_h, g->in_w);
    if (g->channels > 1)
        cc_buf_printf(b, "x%ld", g->channels);
    cc_buf_printf(b, " · kernel %ldx%ld", g->k_h, g->k_w);
    if (g->filters > 1)
        cc_buf_printf(b, " · %ld filters", g->filters);
    if (g->pad_top == g->pad_bottom && g->pad_left == g->pad_right && g->pad_top == g->pad_left)
        cc_buf_printf(b, " · padding %ld", g->pad_top);
    else
        cc_buf_printf(b, " · padding %ld,%ld x %ld,%ld", g->pad_top, g->pad_bottom, g->pad_left,
                      g->pad_right);
    if (g->stride_h == g->stride_w)
        cc_buf_printf(b, " · stride %ld", g->stride_h);
    else
        cc_buf_printf(b, " · stride %ldx%ld", g->stride_h, g->stride_w);
    if (g->dilation_h != 1 || g->dilation_w != 1) {
        if (g->dilation_h == g->dilation_w)
            cc_buf_printf(b, " · dilation %ld", g->dilation_h);
        else
            cc_buf_printf(b, " · dilation %ldx%ld", g->dilation_h, g->dilation_w);
    }
    cc_buf_printf(b, " · output %ldx%ld", g->out_h, g->out_w);
    if (g->has_bias)
        cc_buf_puts(b, " · bias");
}

static void header(cc_svg *s, const cc_walk *w, const char *title, const cc_svg_opts *o)
{
    cc_buf b = {0};
    describe(&b, cc_walk_geometry(w));
    cc_svg_text(s, MARGIN, 46, &f_title, o && o->title ? o->title : title);
    cc_svg_text(s, MARGIN, 74, &f_sub, cc_buf_str(&b));
    if (cc_buf_failed(&b))
        s->out->failed = 1;
    cc_buf_free(&b);
}

/* Cell sizes and columns of a CELL step. */
static void plan(layout *L, const cc_walk_geom *g)
{
    L->shown_c = g->channels < SHOW_CHANNELS ? g->channels : SHOW_CHANNELS;
    double avail_h = BOTTOM - TOP, row_gap = 34;
    L->row_h = (avail_h - row_gap * (double)(L->shown_c - 1)) / (double)L->shown_c;
    double sums = g->channels > 1 ? 90 : 0;
    L->ci = fmin(CELL_MAX, L->row_h / (double)g->padded_h);
    L->ck = fmin(CELL_MAX, L->row_h / (double)g->k_h);
    L->co = fmin(CELL_MAX, avail_h / (double)g->out_h);
    double need = L->ci * (double)g->padded_w + 2 * L->ck * (double)g->k_w +
                  L->co * (double)g->out_w;
    double room = CC_SVG_WIDTH - 2 * MARGIN - 3 * GAP - sums;
    if (need > room) {
        double f = room / need;
        L->ci *= f;
        L->ck *= f;
        L->co *= f;
    }
    /* centre the whole row of columns */
    double used = L->ci * (double)g->padded_w + 2 * L->ck * (double)g->k_w +
                  L->co * (double)g->out_w + 3 * GAP + sums;
    double x = (CC_SVG_WIDTH - used) / 2;
    L->x_in = x;
    L->x_k = L->x_in + L->ci * (double)g->padded_w + GAP;
    L->x_p = L->x_k + L->ck * (double)g->k_w + GAP;
    L->x_o = L->x_p + L->ck * (double)g->k_w + GAP + sums;
    /* centre vertically: the channel rows as tall as their grids */
    L->row_h = fmax(L->ci * (double)g->padded_h, L->ck * (double)g->k_h);
    double rows_h = L->row_h * (double)L->shown_c + row_gap * (double)(L->shown_c - 1);
    double top = TOP + (avail_h - fmax(rows_h, L->co * (double)g->out_h)) / 2;
    double mid = top + fmax(rows_h, L->co * (double)g->out_h) / 2;
    for (long c = 0; c < L->shown_c; c++)
        L->row_y[c] = mid - rows_h / 2 + (double)c * (L->row_h + row_gap);
    L->y_o = mid - L->co * (double)g->out_h / 2;
    L->mid = mid;
}

static double kernel_y(const layout *L, const cc_walk_geom *g, long c)
{
    return L->row_y[c] + (L->ci * (double)g->padded_h - L->ck * (double)g->k_h) / 2;
}

/* The padded input of channel c, padding shaded. */
static void draw_padded(cc_svg *s, const cc_walk *w, const layout *L, long c)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    size_t n = (size_t)g->padded_h * (size_t)g->padded_w;
    signed char *fill = malloc(n);
    if (!fill) {
        s->out->failed = 1;
        return;
    }
    for (long r = 0; r < g->padded_h; r++)
        for (long k = 0; k < g->padded_w; k++)
            fill[r * g->padded_w + k] = (r < g->pad_top || r >= g->pad_top + g->in_h ||
                                         k < g->pad_left || k >= g->pad_left + g->in_w)
                                            ? CC_SVG_SHADE
                                            : CC_SVG_NONE;
    cc_svg_grid grid = {.x = L->x_in, .y = L->row_y[c], .cell = L->ci, .rows = g->padded_h,
                        .cols = g->padded_w, .values = cc_matrix_plane(cc_walk_padded(w), 0, c),
                        .fill = fill};
    cc_svg_grid_draw(s, &grid);
    free(fill);
    if (g->channels > 1)
        cc_svg_textf(s, L->x_in, L->row_y[c] - 8, &f_label, "padded input, channel %ld", c + 1);
    else
        cc_svg_text(s, L->x_in, L->row_y[c] - 8, &f_label, "padded input");
}

/* The applied kernel of filter k, channel c. */
static void draw_kernel(cc_svg *s, const cc_walk *w, const layout *L, long k, long c)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    double y = kernel_y(L, g, c);
    cc_svg_grid grid = {.x = L->x_k, .y = y, .cell = L->ck, .rows = g->k_h, .cols = g->k_w,
                        .values = cc_matrix_plane(cc_walk_applied(w), k, c),
                        .fill_all = CC_SVG_SKY};
    cc_svg_grid_draw(s, &grid);
    cc_svg_text(s, L->x_k, y - 8, &f_label,
                g->mode == CC_MODE_CONVOLUTION ? "kernel, flipped" : "kernel");
    cc_svg_text(s, L->x_k - GAP / 2, L->row_y[c] + L->ci * (double)g->padded_h / 2 + 12, &f_op,
                "×");
}

/* The output grid of filter k: cells before `upto` (row-major index)
 * filled in, cell `upto` highlighted; upto < 0 shows every value. */
static void draw_output(cc_svg *s, const cc_walk *w, const layout *L, long k, long upto,
                        int values)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    size_t n = (size_t)g->out_h * (size_t)g->out_w;
    unsigned char *show = malloc(n);
    if (!show) {
        s->out->failed = 1;
        return;
    }
    for (size_t i = 0; i < n; i++)
        show[i] = values && (upto < 0 || (long)i <= upto);
    cc_svg_grid grid = {.x = L->x_o, .y = L->y_o, .cell = L->co, .rows = g->out_h,
                        .cols = g->out_w, .values = cc_matrix_plane(cc_walk_output(w), k, 0),
                        .show = show};
    cc_svg_grid_draw(s, &grid);
    free(show);
    if (g->filters > 1)
        cc_svg_textf(s, L->x_o, L->y_o - 8, &f_label, "output, filter %ld", k + 1);
    else
        cc_svg_text(s, L->x_o, L->y_o - 8, &f_label, "output");
}

/* What changes from one CELL step to the next: the window, the products,
 * the sums, the highlighted output cell, the caption. */
static void draw_cell_parts(cc_svg *s, const cc_walk *w, const layout *L,
                            const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    char b[64];
    for (long c = 0; c < L->shown_c; c++) {
        /* the window: each tap tinted and outlined; the extent dashed when dilated */
        cc_svg_grid in = {.x = L->x_in, .y = L->row_y[c], .cell = L->ci, .rows = g->padded_h,
                          .cols = g->padded_w};
        for (long u = 0; u < g->k_h; u++)
            for (long v = 0; v < g->k_w; v++) {
                long r = st->win_row + u * g->dilation_h, q = st->win_col + v * g->dilation_w;
                cc_svg_rect(s, in.x + L->ci * (double)q, in.y + L->ci * (double)r, L->ci, L->ci,
                            &(cc_svg_style){.fill = CC_SVG_ORANGE, .fill_opacity = 0.3});
                cc_svg_grid_outline(s, &in, r, q, 1, 1, CC_SVG_ORANGE, 2.5, 0);
            }
        if (g->dilation_h > 1 || g->dilation_w > 1)
            cc_svg_grid_outline(s, &in, st->win_row, st->win_col, g->eff_h, g->eff_w,
                                CC_SVG_VERMILLION, 2, 1);
        else
            cc_svg_grid_outline(s, &in, st->win_row, st->win_col, g->k_h, g->k_w,
                                CC_SVG_VERMILLION, 3, 0);
        /* the products, and the channel's sum */
        size_t per = (size_t)g->k_h * (size_t)g->k_w;
        double y = kernel_y(L, g, c);
        cc_svg_grid p = {.x = L->x_p, .y = y, .cell = L->ck, .rows = g->k_h, .cols = g->k_w,
                         .values = st->products + (size_t)c * per, .fill_all = CC_SVG_GREEN,
                         .fill_opacity = 0.25};
        cc_svg_grid_draw(s, &p);
        cc_svg_text(s, L->x_p, y - 8, &f_label, "products");
        cc_svg_text(s, L->x_p - GAP / 2, L->row_y[c] + L->ci * (double)g->padded_h / 2 + 12,
                    &f_op, "=");
        if (g->channels > 1)
            cc_svg_textf(s, L->x_p + L->ck * (double)g->k_w + 10,
                         y + L->ck * (double)g->k_h / 2 + 6,
                         &(cc_svg_font){.size = 16, .anchor = -1}, "sum %s",
                         num(b, sizeof b, st->channel_sums[c]));
    }
    if (g->channels > L->shown_c)
        cc_svg_textf(s, L->x_in, BOTTOM + 2, &f_note,
                     "channels %ld to %ld are in the sum below but not drawn", L->shown_c + 1,
                     g->channels);
    /* the output cell */
    cc_svg_grid out = {.x = L->x_o, .y = L->y_o, .cell = L->co, .rows = g->out_h,
                       .cols = g->out_w};
    cc_svg_rect(s, out.x + L->co * (double)st->out_col, out.y + L->co * (double)st->out_row,
                L->co, L->co, &(cc_svg_style){.fill = CC_SVG_VERMILLION, .fill_opacity = 0.3});
    cc_svg_grid_outline(s, &out, st->out_row, st->out_col, 1, 1, CC_SVG_VERMILLION, 3, 0);
    double fs = cc_svg_grid_font(L->co, &st->value, 1);
    if (fs >= 3.5)
        cc_svg_text(s, out.x + L->co * ((double)st->out_col + 0.5),
                    out.y + L->co * ((double)st->out_row + 0.5) + 0.36 * fs,
                    &(cc_svg_font){.size = fs, .bold = 1}, num(b, sizeof b, st->value));
    cc_svg_text(s, L->x_o - GAP / 2, L->mid + 12, &f_op, "→");
    /* the caption: the sum term by term, and the value */
    cc_buf sum = {0};
    if (g->channels == 1 && !g->has_bias)
        cc_buf_puts(&sum, "sum: ");
    if (cc_walk_format_sum(&sum, w, st, -1, CC_FORMAT_TEXT))
        s->out->failed = 1;
    cc_buf_printf(&sum, "\noutput(%ld, %ld) = %s", st->out_row + 1, st->out_col + 1,
                  num(b, sizeof b, st->value));
    const char *text = cc_buf_str(&sum);
    /* the largest size (up to 20) at which the wrapped caption fits */
    double size = 20, room = CC_SVG_HEIGHT - (BOTTOM + 44) - 8;
    for (; size > 9; size -= 1) {
        size_t per_line = (size_t)((CC_SVG_WIDTH - 2 * MARGIN) / (0.6 * size)), lines = 0;
        for (const char *p = text; *p;) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            lines += len / per_line + 1;
            p = nl ? nl + 1 : p + len;
        }
        if ((double)lines * 1.3 * size <= room)
            break;
    }
    cc_svg_text_block(s, MARGIN, BOTTOM + 44, CC_SVG_WIDTH - 2 * MARGIN,
                      &(cc_svg_font){.size = size, .anchor = -1}, text);
    if (cc_buf_failed(&sum))
        s->out->failed = 1;
    cc_buf_free(&sum);
}

static void step_title(cc_buf *b, const cc_walk *w, const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    cc_buf_printf(b, "Step %zu of %zu: ", st->index + 1, cc_walk_nsteps(w));
    switch (st->kind) {
    case CC_STEP_PAD: cc_buf_puts(b, "pad the input"); break;
    case CC_STEP_KERNEL:
        cc_buf_puts(b, g->mode == CC_MODE_CONVOLUTION ? "flip the kernel" : "the kernel");
        if (g->filters > 1)
            cc_buf_printf(b, " of filter %ld", st->filter + 1);
        break;
    case CC_STEP_CELL:
        cc_buf_printf(b, "output cell (%ld, %ld)", st->out_row + 1, st->out_col + 1);
        if (g->filters > 1)
            cc_buf_printf(b, " of filter %ld", st->filter + 1);
        break;
    case CC_STEP_OUTPUT: cc_buf_puts(b, "the output"); break;
    default: break;
    }
}

/* Matrices in nr rows of nc, with a word between the columns (or none),
 * fitted into the grid area: used by the PAD, KERNEL and OUTPUT steps. */
typedef struct panel {
    long rows, cols;
    const double *values;
    const signed char *fill;
    int fill_all;
    char label[64];
} panel;

static void draw_panels(cc_svg *s, const panel *p, size_t nr, size_t nc, const char *between)
{
    double colw[SHOW_FILTERS] = {0}, rowh[2 * SHOW_CHANNELS] = {0}, wsum = 0, hsum = 0;
    for (size_t i = 0; i < nr * nc; i++) {
        colw[i % nc] = fmax(colw[i % nc], (double)p[i].cols);
        rowh[i / nc] = fmax(rowh[i / nc], (double)p[i].rows);
    }
    for (size_t c = 0; c < nc; c++)
        wsum += colw[c];
    for (size_t r = 0; r < nr; r++)
        hsum += rowh[r];
    double gap = between ? 150 : 60, vgap = 40, area = BOTTOM - TOP + 40;
    double cell = fmin(CELL_MAX, fmin((CC_SVG_WIDTH - 2 * MARGIN - gap * (double)(nc - 1)) / wsum,
                                      (area - vgap * (double)(nr - 1)) / hsum));
    double y = TOP + (area - cell * hsum - vgap * (double)(nr - 1)) / 2;
    for (size_t r = 0; r < nr; r++) {
        double x = (CC_SVG_WIDTH - cell * wsum - gap * (double)(nc - 1)) / 2;
        for (size_t c = 0; c < nc; c++) {
            const panel *q = &p[r * nc + c];
            double yy = y + cell * (rowh[r] - (double)q->rows) / 2;
            cc_svg_grid grid = {.x = x, .y = yy, .cell = cell, .rows = q->rows, .cols = q->cols,
                                .values = q->values, .fill = q->fill, .fill_all = q->fill_all};
            cc_svg_grid_draw(s, &grid);
            cc_svg_text(s, x, yy - 8, &f_label, q->label);
            x += cell * colw[c] + gap;
            if (between && c + 1 < nc)
                cc_svg_text(s, x - gap / 2, y + cell * rowh[r] / 2 + 6,
                            &(cc_svg_font){.size = 18}, between);
        }
        y += cell * rowh[r] + vgap;
    }
}

static int draw_other_step(cc_svg *s, const cc_walk *w, const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    panel p[2 * SHOW_CHANNELS > SHOW_FILTERS ? 2 * SHOW_CHANNELS : SHOW_FILTERS];
    memset(p, 0, sizeof p);
    size_t n = 0, nr = 1, nc = 2;
    long shown_c = g->channels < SHOW_CHANNELS ? g->channels : SHOW_CHANNELS;
    signed char *fill = NULL;
    const char *between = NULL;
    if (st->kind == CC_STEP_PAD) {
        size_t np = (size_t)g->padded_h * (size_t)g->padded_w;
        fill = malloc(np);
        if (!fill)
            return CC_ENOMEM;
        for (long r = 0; r < g->padded_h; r++)
            for (long k = 0; k < g->padded_w; k++)
                fill[r * g->padded_w + k] = (r < g->pad_top || r >= g->pad_top + g->in_h ||
                                             k < g->pad_left || k >= g->pad_left + g->in_w)
                                                ? CC_SVG_SHADE
                                                : CC_SVG_NONE;
        for (long c = 0; c < shown_c; c++) {
            p[n] = (panel){g->in_h, g->in_w, cc_matrix_plane(cc_walk_input(w), 0, c), NULL, 0,
                           ""};
            snprintf(p[n++].label, sizeof p[0].label, g->channels > 1 ? "input, channel %ld"
                                                                      : "input", c + 1);
            p[n] = (panel){g->padded_h, g->padded_w, cc_matrix_plane(cc_walk_padded(w), 0, c),
                           fill, 0, ""};
            snprintf(p[n++].label, sizeof p[0].label,
                     g->channels > 1 ? "padded, channel %ld" : "padded", c + 1);
        }
        between = "pad →";
        nr = (size_t)shown_c;
    } else if (st->kind == CC_STEP_KERNEL) {
        for (long c = 0; c < shown_c; c++) {
            p[n] = (panel){g->k_h, g->k_w, cc_matrix_plane(cc_walk_kernels(w), st->filter, c),
                           NULL, 0, ""};
            snprintf(p[n++].label, sizeof p[0].label,
                     g->channels > 1 ? "kernel, channel %ld" : "kernel", c + 1);
            p[n] = (panel){g->k_h, g->k_w, cc_matrix_plane(cc_walk_applied(w), st->filter, c),
                           NULL, CC_SVG_SKY, ""};
            snprintf(p[n++].label, sizeof p[0].label,
                     g->mode == CC_MODE_CONVOLUTION ? "flipped" : "as applied");
        }
        between = g->mode == CC_MODE_CONVOLUTION ? "rotate 180° →" : "(no flip) →";
        nr = (size_t)shown_c;
    } else {
        long shown_k = g->filters < SHOW_FILTERS ? g->filters : SHOW_FILTERS;
        for (long k = 0; k < shown_k; k++) {
            p[n] = (panel){g->out_h, g->out_w, cc_matrix_plane(cc_walk_output(w), k, 0), NULL,
                           CC_SVG_VERMILLION, ""};
            snprintf(p[n++].label, sizeof p[0].label,
                     g->filters > 1 ? "output, filter %ld" : "output", k + 1);
        }
        nc = (size_t)shown_k;
        if (g->filters > shown_k)
            cc_svg_textf(s, MARGIN, BOTTOM + 60, &f_note, "filters %ld to %ld are not drawn",
                         shown_k + 1, g->filters);
    }
    if (st->kind != CC_STEP_OUTPUT && g->channels > shown_c)
        cc_svg_textf(s, MARGIN, BOTTOM + 60, &f_note, "channels %ld to %ld are not drawn",
                     shown_c + 1, g->channels);
    draw_panels(s, p, nr, nc, between);
    free(fill);
    return 0;
}

int cc_svg_walk_step(cc_buf *out, const cc_walk *w, size_t i, const cc_svg_opts *o,
                     cc_error *err)
{
    if (i >= cc_walk_nsteps(w))
        return cc_error_set(err, CC_EINVAL, "there is no step %zu (this walk has %zu steps)",
                            i + 1, cc_walk_nsteps(w));
    cc_walk_step st = {0};
    int rc = cc_walk_step_get(w, i, &st, err);
    if (rc)
        return rc;
    cc_buf title = {0};
    step_title(&title, w, &st);
    cc_svg s;
    cc_svg_begin(&s, out, CC_SVG_WIDTH, CC_SVG_HEIGHT, o && o->mono, cc_buf_str(&title));
    header(&s, w, cc_buf_str(&title), o);
    if (st.kind == CC_STEP_CELL) {
        layout L;
        plan(&L, cc_walk_geometry(w));
        for (long c = 0; c < L.shown_c; c++) {
            draw_padded(&s, w, &L, c);
            draw_kernel(&s, w, &L, st.filter, c);
        }
        draw_output(&s, w, &L, st.filter,
                    (long)(st.out_row * cc_walk_geometry(w)->out_w + st.out_col) - 1, 1);
        draw_cell_parts(&s, w, &L, &st);
    } else {
        rc = draw_other_step(&s, w, &st);
    }
    cc_svg_end(&s);
    cc_walk_step_free(&st);
    int failed = cc_buf_failed(&title) || cc_buf_failed(out);
    cc_buf_free(&title);
    if (rc)
        return cc_error_set(err, rc, "out of memory");
    if (failed)
        return cc_error_set(err, CC_ENOMEM, "out of memory while drawing");
    return 0;
}

int cc_svg_walk_animation(cc_buf *out, const cc_walk *w, const cc_svg_opts *o, cc_error *err)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    size_t per_filter = (size_t)g->out_h * (size_t)g->out_w;
    size_t frames = per_filter * (size_t)g->filters;
    if (frames > ANIM_MAX_STEPS)
        return cc_error_set(err, CC_ERANGE,
                            "%zu steps are too many for one animation (at most %d): draw one "
                            "step with --step N, or every step as a file with --frames DIR",
                            frames, ANIM_MAX_STEPS);
    /* a second per step up to a minute; shorter steps for longer walks */
    double dt = frames <= 60 ? 1.0 : fmax(0.2, 60.0 / (double)frames);
    double period = dt * (double)frames;
    layout L;
    plan(&L, g);
    cc_svg s;
    cc_svg_begin(&s, out, CC_SVG_WIDTH, CC_SVG_HEIGHT, o && o->mono,
                 g->mode == CC_MODE_CONVOLUTION ? "Convolution, every step"
                                                : "Cross-correlation, every step");
    header(&s, w, "", o);
    for (long c = 0; c < L.shown_c; c++)
        draw_padded(&s, w, &L, c);
    cc_walk_step st = {0};
    int rc = 0;
    char b[64];
    cc_buf title = {0};
    for (long k = 0; k < g->filters && !rc; k++) {
        double t0 = dt * (double)((size_t)k * per_filter), t1 = t0 + dt * (double)per_filter;
        cc_svg_group_begin(&s, k ? "visibility=\"hidden\"" : NULL);
        cc_svg_show_during(&s, t0, t1, period);
        for (long c = 0; c < L.shown_c; c++)
            draw_kernel(&s, w, &L, k, c);
        draw_output(&s, w, &L, k, 0, 0);
        /* each output value appears at its step and stays */
        const double *ov = cc_matrix_plane(cc_walk_output(w), k, 0);
        double fs = cc_svg_grid_font(L.co, ov, per_filter);
        for (size_t j = 0; j + 1 < per_filter && fs >= 3.5; j++) {
            /* from the step after its own (where it is drawn in bold) */
            cc_svg_group_begin(&s, "visibility=\"hidden\"");
            cc_svg_show_during(&s, t0 + dt * (double)(j + 1), t1, period);
            long r = (long)j / g->out_w, q = (long)j % g->out_w;
            cc_svg_text(&s, L.x_o + L.co * ((double)q + 0.5),
                        L.y_o + L.co * ((double)r + 0.5) + 0.36 * fs,
                        &(cc_svg_font){.size = fs}, num(b, sizeof b, ov[j]));
            cc_svg_group_end(&s);
        }
        /* the steps of this filter */
        for (size_t j = 0; j < per_filter; j++) {
            size_t idx = cc_walk_cell_step(w, k, (long)j / g->out_w, (long)j % g->out_w);
            if ((rc = cc_walk_step_get(w, idx, &st, err)))
                break;
            double ts = t0 + dt * (double)j;
            cc_svg_group_begin(&s, k || j ? "visibility=\"hidden\"" : NULL);
            cc_svg_show_during(&s, ts, ts + dt, period);
            cc_buf_reset(&title);
            step_title(&title, w, &st);
            cc_svg_text(&s, MARGIN, 46, &f_title, o && o->title ? o->title : cc_buf_str(&title));
            draw_cell_parts(&s, w, &L, &st);
            cc_svg_group_end(&s);
        }
        cc_svg_group_end(&s);
    }
    cc_svg_end(&s);
    cc_walk_step_free(&st);
    int failed = cc_buf_failed(&title) || cc_buf_failed(out);
    cc_buf_free(&title);
    if (rc)
        return rc;
    if (failed)
        return cc_error_set(err, CC_ENOMEM, "out of memory while drawing");
    return 0;
}
