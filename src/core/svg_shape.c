/* svg_shape.c - one layer's arithmetic drawn as grids, in the style of the
 * convolution arithmetic guide (Dumoulin & Visin): the input with its
 * padding, the kernel's footprint at its first position and the next one a
 * stride away, the output; the answer's derivation underneath. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "convcalc/svg.h"

#define MARGIN 40.0
#define TOP 100.0
#define AREA_H 360.0 /* height of the grid area                           */
#define CELL_MAX 40.0

typedef struct dimv {
    long in, k, s, d, pb, pe, out, op;
} dimv;

/* The values of dimension d as solved (the first solution when there are
 * several). Returns 0, or -1 when there is no solution to draw. */
static int dim_values(const cc_shape_answer *a, int d, dimv *v)
{
    int qd = a->query.ndims == 2 ? d : 0, ad = a->ndims == 2 ? d : 0;
    const cc_shape_dim *q = &a->query.dim[qd];
    const cc_shape_dim_answer *da = &a->dim[ad];
    if (!da->found)
        return -1;
    *v = (dimv){q->input, q->kernel, q->stride, q->dilation, da->pad_begin, da->pad_end,
                da->output, q->output_padding};
    long x = cc_shape_answer_value(a, ad, 0);
    switch (a->solved) {
    case CC_VAR_INPUT: v->in = x; break;
    case CC_VAR_KERNEL: v->k = x; break;
    case CC_VAR_STRIDE: v->s = x; break;
    case CC_VAR_DILATION: v->d = x; break;
    case CC_VAR_PADDING: cc_shape_answer_padding(a, x, &v->pb, &v->pe); break;
    default: break;
    }
    if (v->in < 1 || v->k < 1 || v->s < 1 || v->d < 1 || v->out < 1 || v->pb < 0 || v->pe < 0)
        return -1;
    return 0;
}

static const cc_svg_font f_label = {.size = 15, .anchor = -1, .bold = 1};
static const cc_svg_font f_small = {.size = 13, .anchor = -1, .fill = CC_SVG_MUTED};

/* A grid drawn as regions: everything shaded, then [r0, r0+h) x [c0, c0+w)
 * tinted, then the cell borders. */
static void region_grid(cc_svg *s, const cc_svg_grid *g, long r0, long c0, long h, long w,
                        int inner)
{
    cc_svg_rect(s, g->x, g->y, g->cell * (double)g->cols, g->cell * (double)g->rows,
                &(cc_svg_style){.fill = CC_SVG_SHADE});
    cc_svg_rect(s, g->x + g->cell * (double)c0, g->y + g->cell * (double)r0,
                g->cell * (double)w, g->cell * (double)h,
                &(cc_svg_style){.fill = inner, .fill_opacity = 0.25});
    cc_svg_grid_draw(s, &(cc_svg_grid){.x = g->x, .y = g->y, .cell = g->cell, .rows = g->rows,
                                       .cols = g->cols, .transparent = 1});
}

/* The kernel's taps at (r, c) of grid g. */
static void footprint(cc_svg *s, const cc_svg_grid *g, long r, long c, const dimv *h,
                      const dimv *w, int role)
{
    for (long u = 0; u < h->k; u++)
        for (long v = 0; v < w->k; v++) {
            long rr = r + u * h->d, cc = c + v * w->d;
            if (rr >= g->rows || cc >= g->cols)
                continue;
            cc_svg_rect(s, g->x + g->cell * (double)cc, g->y + g->cell * (double)rr, g->cell,
                            g->cell, &(cc_svg_style){.fill = role, .fill_opacity = 0.75});
            cc_svg_grid_outline(s, g, rr, cc, 1, 1, role, g->cell >= 12 ? 2.2 : 1.2, 0);
        }
}

/* "5x5" or "5" (square). */
static void pair(char *b, size_t n, long x, long y)
{
    if (x == y)
        snprintf(b, n, "%ld", x);
    else
        snprintf(b, n, "%ldx%ld", x, y);
}

static void draw(cc_svg *s, const cc_shape_answer *a, const dimv *h, const dimv *w)
{
    int tconv = a->query.kind == CC_SHAPE_TCONV;
    /* The grid the kernel slides over: the padded input, or for a
     * transposed convolution the input with S-1 zeros between its cells
     * and D*(F-1)-P around it (its equivalent direct convolution). */
    long zb_h = h->d * (h->k - 1) - h->pb, ze_h = h->d * (h->k - 1) - h->pe + h->op;
    long zb_w = w->d * (w->k - 1) - w->pb, ze_w = w->d * (w->k - 1) - w->pe + w->op;
    int zero_view = tconv && zb_h >= 0 && ze_h >= 0 && zb_w >= 0 && ze_w >= 0;
    long rows, cols, r0, c0, step_h, step_w;
    if (zero_view) {
        rows = zb_h + (h->in - 1) * h->s + 1 + ze_h;
        cols = zb_w + (w->in - 1) * w->s + 1 + ze_w;
        r0 = zb_h;
        c0 = zb_w;
        step_h = step_w = 1;
    } else if (tconv) {
        rows = h->in;
        cols = w->in;
        r0 = c0 = 0;
        step_h = step_w = 0;
    } else {
        rows = h->pb + h->in + h->pe;
        cols = w->pb + w->in + w->pe;
        r0 = h->pb;
        c0 = w->pb;
        step_h = h->s;
        step_w = w->s;
    }
    double room_w = (CC_SVG_WIDTH - 2 * MARGIN - 120) / 2;
    double cell = fmin(fmin(CELL_MAX, fmin(room_w / (double)cols, AREA_H / (double)rows)),
                       fmin(room_w / (double)w->out, AREA_H / (double)h->out));
    double ocell = cell;
    cc_svg_grid in = {.x = MARGIN + (room_w - cell * (double)cols) / 2,
                      .y = TOP + (AREA_H - cell * (double)rows) / 2, .cell = cell, .rows = rows,
                      .cols = cols};
    cc_svg_grid out = {.transparent = 1, .x = CC_SVG_WIDTH - MARGIN - room_w + (room_w - ocell * (double)w->out) / 2,
                       .y = TOP + (AREA_H - ocell * (double)h->out) / 2, .cell = ocell,
                       .rows = h->out, .cols = w->out};
    char b1[64], b2[64], b3[64];
    /* the input */
    if (zero_view) {
        cc_svg_rect(s, in.x, in.y, cell * (double)cols, cell * (double)rows,
                    &(cc_svg_style){.fill = CC_SVG_SHADE});
        cc_svg_rect(s, in.x + cell * (double)c0, in.y + cell * (double)r0,
                    cell * (double)((w->in - 1) * w->s + 1), cell * (double)((h->in - 1) * h->s + 1),
                    &(cc_svg_style){.fill = CC_SVG_PAPER});
        for (long i = 0; i < h->in; i++)
            for (long j = 0; j < w->in; j++)
                cc_svg_rect(s, in.x + cell * (double)(c0 + j * w->s),
                            in.y + cell * (double)(r0 + i * h->s), cell, cell,
                            &(cc_svg_style){.fill = CC_SVG_SKY, .fill_opacity = 0.25});
        cc_svg_grid_draw(s, &(cc_svg_grid){.x = in.x, .y = in.y, .cell = cell, .rows = rows,
                                           .cols = cols, .transparent = 1});
    } else {
        region_grid(s, &in, r0, c0, h->in, w->in, CC_SVG_SKY);
    }
    /* the kernel at its first position, and the next one */
    if (!tconv || zero_view) {
        footprint(s, &in, 0, 0, h, w, CC_SVG_BLUE);
        if (w->out > 1 && step_w > 0) {
            cc_svg_grid_outline(s, &in, 0, step_w, h->d * (h->k - 1) + 1, w->d * (w->k - 1) + 1,
                                CC_SVG_ORANGE, 3, 1);
            double ay = in.y - 10, ax = in.x + cell * ((double)(w->d * (w->k - 1)) / 2 + 0.5);
            cc_svg_line(s, ax, ay, ax + cell * (double)step_w, ay,
                        &(cc_svg_style){.stroke = CC_SVG_INK, .stroke_width = 1.5, .arrow = 1});
        } else if (h->out > 1 && step_h > 0) {
            cc_svg_grid_outline(s, &in, step_h, 0, h->d * (h->k - 1) + 1, w->d * (w->k - 1) + 1,
                                CC_SVG_ORANGE, 3, 1);
        }
    }
    /* the output: first cell blue, the next one orange */
    cc_svg_rect(s, out.x, out.y, ocell * (double)w->out, ocell * (double)h->out,
                &(cc_svg_style){.fill = CC_SVG_GREEN, .fill_opacity = 0.3});
    if (!tconv || zero_view) {
        cc_svg_rect(s, out.x, out.y, ocell, ocell,
                    &(cc_svg_style){.fill = CC_SVG_BLUE, .fill_opacity = 0.75});
        if (w->out > 1 || h->out > 1)
            cc_svg_rect(s, out.x + (w->out > 1 ? ocell : 0), out.y + (w->out > 1 ? 0 : ocell),
                        ocell, ocell, &(cc_svg_style){.fill = CC_SVG_ORANGE, .fill_opacity = 0.55});
    }
    cc_svg_grid_draw(s, &out);
    cc_svg_text(s, (in.x + cell * (double)cols + out.x) / 2, TOP + AREA_H / 2 + 12,
                &(cc_svg_font){.size = 34}, "→");
    /* labels under the grids */
    pair(b1, sizeof b1, h->in, w->in);
    pair(b2, sizeof b2, h->k, w->k);
    pair(b3, sizeof b3, h->out, w->out);
    double ly = TOP + AREA_H + 26;
    char pad[160] = "";
    if (zero_view) {
        char z1[48], z2[48];
        pair(z1, sizeof z1, h->s - 1, w->s - 1);
        pair(z2, sizeof z2, zb_h, zb_w);
        snprintf(pad, sizeof pad, " · %s zero(s) between, padding %s", z1, z2);
    } else if (!tconv) {
        if (h->pb == h->pe && w->pb == w->pe && h->pb == w->pb)
            snprintf(pad, sizeof pad, " · padding %ld (shaded)", h->pb);
        else
            snprintf(pad, sizeof pad, " · padding %ld,%ld x %ld,%ld (shaded)", h->pb, h->pe,
                     w->pb, w->pe);
    }
    cc_svg_textf(s, in.x, ly, &f_label, "input %s%s", b1, pad);
    char dil[96] = "";
    if (h->d > 1 || w->d > 1) {
        pair(b1, sizeof b1, h->d, w->d);
        snprintf(dil, sizeof dil, " (dilation %s)", b1);
    }
    if (tconv && !zero_view)
        cc_svg_textf(s, in.x, ly + 20, &f_small, "kernel %s%s, stride %ld", b2, dil, w->s);
    else if (zero_view)
        cc_svg_textf(s, in.x, ly + 20, &f_small,
                     "kernel %s%s (blue) slides by 1 over the input with zeros inserted (the "
                     "stride %ld) and padded by D*(F-1)-P",
                     b2, dil, w->s);
    else
        cc_svg_textf(s, in.x, ly + 20, &f_small,
                     "kernel %s%s at its first position (blue), the next a stride of %ld away "
                     "(dashed)",
                     b2, dil, w->out > 1 ? step_w : step_h);
    cc_svg_textf(s, out.x, ly, &f_label, "output %s", b3);
}

int cc_svg_shape(cc_buf *out, const cc_shape_answer *a, const cc_svg_opts *o, cc_error *err)
{
    cc_buf text = {0};
    int rc = cc_shape_render(a, CC_FORMAT_TEXT, &text, err);
    if (rc) {
        cc_buf_free(&text);
        return rc;
    }
    const char *t = cc_buf_str(&text);
    const char *nl = strchr(t, '\n');
    char title[160];
    snprintf(title, sizeof title, "%.*s", nl ? (int)(nl - t) : (int)strlen(t), t);
    if (title[0])
        title[0] = (char)(title[0] >= 'a' && title[0] <= 'z' ? title[0] - 32 : title[0]);
    cc_svg s;
    cc_svg_begin(&s, out, CC_SVG_WIDTH, CC_SVG_HEIGHT, o && o->mono, title);
    cc_svg_text(&s, MARGIN, 46, &(cc_svg_font){.size = 24, .bold = 1, .anchor = -1},
                o && o->title ? o->title : title);
    dimv h, w;
    int drawable = dim_values(a, 0, &h) == 0 && dim_values(a, 1, &w) == 0;
    double y = TOP + AREA_H + 84;
    if (drawable) {
        draw(&s, a, &h, &w);
    } else {
        cc_svg_text(&s, MARGIN, TOP + 20, &(cc_svg_font){.size = 18, .anchor = -1},
                    "No whole-number answer to draw; the derivation:");
        y = TOP + 70;
    }
    /* the derivation, below the grids, as large as fits */
    size_t lines = 1;
    for (const char *p = nl ? nl + 1 : ""; *p; p++)
        lines += *p == '\n';
    double size = fmin(18, (CC_SVG_HEIGHT - y) / (1.3 * (double)lines));
    cc_svg_text_block(&s, MARGIN, y, CC_SVG_WIDTH - 2 * MARGIN,
                      &(cc_svg_font){.size = fmax(size, 9), .anchor = -1}, nl ? nl + 1 : "");
    cc_svg_end(&s);
    int failed = cc_buf_failed(&text) || cc_buf_failed(out);
    cc_buf_free(&text);
    return failed ? cc_error_set(err, CC_ENOMEM, "out of memory while drawing") : 0;
}
