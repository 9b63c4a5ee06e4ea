/* svg_walk.c - a walk's steps as figures: one step, or every step as an
 * animation. Every number drawn comes from the walk (walk.h); titles and
 * captions are the lines of the walk's own text rendering, so a figure
 * says what `convcalc conv` prints. This file only places them.
 *
 * A figure of a step that moves a window (CELL, SCATTER) has four columns:
 *   left    the grid the window moves over: the padded input (conv,
 *           pooling), the zero-inserted input (transposed, convolution
 *           view) or the input (transposed, scatter view), one row per
 *           channel;
 *   kernel  the kernel as applied (conv), as written (scatter), or the
 *           window's values (pooling);
 *   prod    the products (conv, scatter; not pooling);
 *   out     the output (the partial output of a scatter step).
 * Steps in the same "phase" (one filter, one view) share everything but
 * the window, the products, the highlighted output cell and the caption,
 * which is how the animation stays small. */
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
#define TOP 118.0    /* top of the grid area (below title and subtitle) */
#define BOTTOM 560.0 /* bottom of the grid area; the caption goes below */
#define GAP 64.0     /* between columns, for the operator glyphs      */
#define CELL_MAX 64.0

typedef enum phase { PH_CONV, PH_POOL, PH_SCATTER } phase;

typedef struct layout {
    phase ph;
    long shown_c;                /* channel rows drawn                          */
    long left_h, left_w;         /* the left grid                               */
    double ci, ck, co;           /* cell sides: left, kernel/products, output   */
    double x_in, x_k, x_p, x_o;  /* left edges of the columns                   */
    double row_y[SHOW_CHANNELS]; /* top of each channel row (left grid)         */
    double row_h;
    double y_o, mid;             /* top of the output grid; middle of the area  */
} layout;

static const cc_svg_font f_title = {.size = 24, .bold = 1, .anchor = -1};
static const cc_svg_font f_sub = {.size = 15, .anchor = -1, .fill = CC_SVG_MUTED};
static const cc_svg_font f_label = {.size = 14, .anchor = -1, .bold = 1};
static const cc_svg_font f_op = {.size = 34, .anchor = 0};
static const cc_svg_font f_note = {.size = 13, .anchor = -1, .fill = CC_SVG_MUTED,
                                   .italic = 1};

static const char *num(char *b, size_t size, double v) { return cc_fmt_num(b, size, v, 6); }

static int is_pool(const cc_walk_geom *g)
{
    return g->op == CC_OP_MAX_POOL || g->op == CC_OP_AVG_POOL;
}

/* ---- words -------------------------------------------------------------------------- */

/* "transposed convolution · input 2x2 · kernel 3x3 · ..." from the geometry. */
static void describe(cc_buf *b, const cc_walk_geom *g)
{
    if (g->op == CC_OP_CONV)
        cc_buf_puts(b, g->mode == CC_MODE_CONVOLUTION ? "convolution (kernel flipped 180°)"
                                                      : "cross-correlation (kernel as written)");
    else
        cc_buf_puts(b, cc_walk_op_name(g->op));
    cc_buf_printf(b, " · input %ldx%ld", g->in_h, g->in_w);
    if (g->channels > 1)
        cc_buf_printf(b, "x%ld", g->channels);
    cc_buf_printf(b, " · %s %ldx%ld", is_pool(g) ? "window" : "kernel", g->k_h, g->k_w);
    if (!is_pool(g) && g->filters > 1)
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
    if (g->dilation_h != 1 || g->dilation_w != 1)
        cc_buf_printf(b, " · dilation %ldx%ld", g->dilation_h, g->dilation_w);
    if (g->op == CC_OP_TRANSPOSED && (g->output_padding_h || g->output_padding_w))
        cc_buf_printf(b, " · output padding %ldx%ld", g->output_padding_h, g->output_padding_w);
    if (is_pool(g) && g->ceil_mode)
        cc_buf_puts(b, " · ceil mode");
    if (g->op == CC_OP_AVG_POOL && !g->count_include_pad)
        cc_buf_puts(b, " · padding not counted");
    cc_buf_printf(b, " · output %ldx%ld", g->out_h, g->out_w);
    if (g->has_bias)
        cc_buf_puts(b, " · bias");
    if (g->activation != CC_ACT_NONE)
        cc_buf_printf(b, " · %s", cc_activation_name(g->activation));
}

/* The walk's text rendering of step i: its first line is the title; the
 * lines that state a result (they hold " = ", or start "max", "added") are
 * the caption. */
static int step_words(const cc_walk *w, size_t i, cc_buf *title, cc_buf *caption, cc_error *err)
{
    cc_walk_render_opts ro;
    cc_walk_render_opts_init(&ro);
    ro.step = (long)i;
    cc_buf text = {0};
    int rc = cc_walk_render(&text, w, &ro, err);
    const char *p = cc_buf_str(&text);
    for (int first = 1; !rc && *p; first = 0) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        while (len && (*p == ' ')) {
            p++;
            len--;
        }
        if (first) {
            cc_buf_append(title, p, len);
        } else if (len && !memchr(p, '[', len) &&
                   ((strstr(p, " = ") && (size_t)(strstr(p, " = ") - p) < len) ||
                    !strncmp(p, "max", 3) || !strncmp(p, "added", 5))) {
            if (caption->len)
                cc_buf_putc(caption, '\n');
            cc_buf_append(caption, p, len);
        }
        p = nl ? nl + 1 : p + len;
    }
    if (!rc && (cc_buf_failed(&text) || cc_buf_failed(title) || cc_buf_failed(caption)))
        rc = cc_error_set(err, CC_ENOMEM, "out of memory");
    cc_buf_free(&text);
    return rc;
}

static void header(cc_svg *s, const cc_walk *w, const char *title, const cc_svg_opts *o)
{
    cc_buf b = {0};
    describe(&b, cc_walk_geometry(w));
    if (title)
        cc_svg_text(s, MARGIN, 46, &f_title, o && o->title ? o->title : title);
    cc_svg_text(s, MARGIN, 74, &f_sub, cc_buf_str(&b));
    if (cc_buf_failed(&b))
        s->out->failed = 1;
    cc_buf_free(&b);
}

/* The caption, as large (up to 20) as fits below the grids. */
static void caption(cc_svg *s, const char *text)
{
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
    cc_svg_group_begin(s, "class=\"caption\"");
    cc_svg_text_block(s, MARGIN, BOTTOM + 44, CC_SVG_WIDTH - 2 * MARGIN,
                      &(cc_svg_font){.size = size, .anchor = -1}, text);
    cc_svg_group_end(s);
}

/* ---- layout ----------------------------------------------------------------------------- */

static phase phase_of(const cc_walk_geom *g, const cc_walk_step *st)
{
    return st->kind == CC_STEP_SCATTER ? PH_SCATTER : is_pool(g) ? PH_POOL : PH_CONV;
}

static void plan(layout *L, const cc_walk_geom *g, phase ph)
{
    L->ph = ph;
    long chans = ph == PH_POOL ? 1 : g->channels;
    L->shown_c = chans < SHOW_CHANNELS ? chans : SHOW_CHANNELS;
    L->left_h = ph == PH_SCATTER ? g->in_h : g->padded_h;
    L->left_w = ph == PH_SCATTER ? g->in_w : g->padded_w;
    int nk = ph == PH_POOL ? 1 : 2; /* kernel-sized columns */
    double avail_h = BOTTOM - TOP, row_gap = 34;
    double row_room = (avail_h - row_gap * (double)(L->shown_c - 1)) / (double)L->shown_c;
    double sums = ph == PH_CONV && g->channels > 1 ? 90 : 0;
    L->ci = fmin(CELL_MAX, row_room / (double)L->left_h);
    L->ck = fmin(CELL_MAX, row_room / (double)g->k_h);
    L->co = fmin(CELL_MAX, avail_h / (double)g->out_h);
    double need = L->ci * (double)L->left_w + nk * L->ck * (double)g->k_w +
                  L->co * (double)g->out_w;
    double room = CC_SVG_WIDTH - 2 * MARGIN - (nk + 1) * GAP - sums;
    if (need > room) {
        double f = room / need;
        L->ci *= f;
        L->ck *= f;
        L->co *= f;
    }
    double used = L->ci * (double)L->left_w + nk * L->ck * (double)g->k_w +
                  L->co * (double)g->out_w + (nk + 1) * GAP + sums;
    L->x_in = (CC_SVG_WIDTH - used) / 2;
    L->x_k = L->x_in + L->ci * (double)L->left_w + GAP;
    L->x_p = L->x_k + L->ck * (double)g->k_w + GAP;
    L->x_o = (nk == 2 ? L->x_p + L->ck * (double)g->k_w + GAP : L->x_p) + sums;
    L->row_h = fmax(L->ci * (double)L->left_h, L->ck * (double)g->k_h);
    double rows_h = L->row_h * (double)L->shown_c + row_gap * (double)(L->shown_c - 1);
    double tall = fmax(rows_h, L->co * (double)g->out_h);
    L->mid = TOP + avail_h / 2;
    for (long c = 0; c < L->shown_c; c++)
        L->row_y[c] = L->mid - rows_h / 2 + (double)c * (L->row_h + row_gap) +
                      (L->row_h - L->ci * (double)L->left_h) / 2;
    L->y_o = L->mid - L->co * (double)g->out_h / 2;
    (void)tall;
}

/* The vertical middle of channel row c, and the top of its kernel grid. */
static double row_mid(const layout *L, long c)
{
    return L->row_y[c] + L->ci * (double)L->left_h / 2;
}

static double kernel_y(const layout *L, const cc_walk_geom *g, long c)
{
    return row_mid(L, c) - L->ck * (double)g->k_h / 2;
}

/* Is cell (r, c) of the padded (or zero-inserted) input an input cell? */
static int is_input_cell(const cc_walk_geom *g, long r, long c)
{
    if (g->op == CC_OP_TRANSPOSED) {
        long rr = r - g->border_top, cc = c - g->border_left;
        return rr >= 0 && cc >= 0 && rr % g->stride_h == 0 && cc % g->stride_w == 0 &&
               rr / g->stride_h < g->in_h && cc / g->stride_w < g->in_w;
    }
    return r >= g->pad_top && r < g->pad_top + g->in_h && c >= g->pad_left &&
           c < g->pad_left + g->in_w;
}

static signed char *padding_fill(const cc_walk_geom *g, int *failed)
{
    size_t n = (size_t)g->padded_h * (size_t)g->padded_w;
    signed char *fill = malloc(n ? n : 1);
    if (!fill) {
        *failed = 1;
        return NULL;
    }
    for (long r = 0; r < g->padded_h; r++)
        for (long k = 0; k < g->padded_w; k++)
            fill[r * g->padded_w + k] = is_input_cell(g, r, k) ? CC_SVG_NONE : CC_SVG_SHADE;
    return fill;
}

/* ---- the parts of a phase that do not move ----------------------------------------------- */

/* Channel c of the left grid (pooling: the channel of filter k). */
static void draw_left(cc_svg *s, const cc_walk *w, const layout *L, long k, long c)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    long ch = L->ph == PH_POOL ? k : c;
    cc_svg_grid grid = {.x = L->x_in, .y = L->row_y[c], .cell = L->ci, .rows = L->left_h,
                        .cols = L->left_w};
    signed char *fill = NULL;
    if (L->ph == PH_SCATTER) {
        grid.values = cc_matrix_plane(cc_walk_input(w), 0, ch);
        grid.fill_all = CC_SVG_SKY;
        grid.fill_opacity = 0.2;
    } else {
        fill = padding_fill(g, &s->out->failed);
        grid.values = cc_matrix_plane(cc_walk_padded(w), 0, ch);
        grid.fill = fill;
    }
    /* the rows and columns past the padding that a ceil_mode window
     * reaches hold no value: blank, as the text's "-" */
    unsigned char *show = NULL;
    if (L->ph != PH_SCATTER && (g->over_h > 0 || g->over_w > 0)) {
        show = malloc((size_t)g->padded_h * (size_t)g->padded_w);
        if (show)
            for (long r = 0; r < g->padded_h; r++)
                for (long q = 0; q < g->padded_w; q++)
                    show[r * g->padded_w + q] = r < g->padded_h - g->over_h &&
                                                q < g->padded_w - g->over_w;
        else
            s->out->failed = 1;
        grid.show = show;
    }
    cc_svg_grid_draw(s, &grid);
    free(fill);
    free(show);
    const char *what = L->ph == PH_SCATTER            ? "input"
                       : g->op == CC_OP_TRANSPOSED ? "zero-inserted input"
                                                     : "padded input";
    if (g->channels > 1)
        cc_svg_textf(s, L->x_in, L->row_y[c] - 8, &f_label, "%s, channel %ld", what, ch + 1);
    else
        cc_svg_text(s, L->x_in, L->row_y[c] - 8, &f_label, what);
}

/* The kernel of filter k, channel c: as applied (conv) or as written
 * (scatter). */
static void draw_kernel(cc_svg *s, const cc_walk *w, const layout *L, long k, long c)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    double y = kernel_y(L, g, c);
    int written = L->ph == PH_SCATTER;
    cc_svg_grid grid = {.x = L->x_k, .y = y, .cell = L->ck, .rows = g->k_h, .cols = g->k_w,
                        .values = cc_matrix_plane(written ? cc_walk_kernels(w) : cc_walk_applied(w),
                                                  k, c),
                        .fill_all = CC_SVG_SKY};
    cc_svg_grid_draw(s, &grid);
    int flipped = !written && (g->op == CC_OP_TRANSPOSED || g->mode == CC_MODE_CONVOLUTION);
    cc_svg_text(s, L->x_k, y - 8, &f_label, flipped ? "kernel, flipped" : "kernel");
    cc_svg_text(s, L->x_k - GAP / 2, row_mid(L, c) + 12, &f_op, "×");
}

/* The output grid of filter k; values shown where show is set (NULL:
 * none). */
static void draw_output(cc_svg *s, const cc_walk *w, const layout *L, long k,
                        const double *values, const unsigned char *show)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    cc_svg_grid grid = {.x = L->x_o, .y = L->y_o, .cell = L->co, .rows = g->out_h,
                        .cols = g->out_w, .values = show || L->ph == PH_SCATTER ? values : NULL,
                        .show = show};
    cc_svg_grid_draw(s, &grid);
    const char *what = L->ph == PH_SCATTER ? "output so far" : "output";
    if (g->filters > 1)
        cc_svg_textf(s, L->x_o, L->y_o - 8, &f_label, "%s, %s %ld", what,
                     is_pool(g) ? "channel" : "filter", k + 1);
    else
        cc_svg_text(s, L->x_o, L->y_o - 8, &f_label, what);
    cc_svg_text(s, L->x_o - GAP / 2, L->mid + 12, &f_op, "→");
}

/* Everything of phase k that does not move; the output grid empty when
 * with_output (the caller fills it in otherwise). */
static void draw_phase(cc_svg *s, const cc_walk *w, const layout *L, long k, int with_output)
{
    for (long c = 0; c < L->shown_c; c++) {
        draw_left(s, w, L, k, c);
        if (L->ph != PH_POOL)
            draw_kernel(s, w, L, k, c);
    }
    const cc_walk_geom *g = cc_walk_geometry(w);
    if (L->ph != PH_POOL && g->channels > L->shown_c)
        cc_svg_textf(s, L->x_in, BOTTOM + 6, &f_note,
                     "channels %ld to %ld are in the sums below but not drawn", L->shown_c + 1,
                     g->channels);
    if (L->ph != PH_SCATTER && with_output)
        draw_output(s, w, L, k, cc_matrix_plane(cc_walk_output(w), k, 0), NULL);
}

/* ---- what moves from step to step --------------------------------------------------------- */

static void tint_cell(cc_svg *s, const cc_svg_grid *g, long r, long c, int role, double op)
{
    cc_svg_rect(s, g->x + g->cell * (double)c, g->y + g->cell * (double)r, g->cell, g->cell,
                &(cc_svg_style){.fill = role, .fill_opacity = op});
}

/* Tint and outline the kernel's taps on grid gr, tap (0, 0) at
 * (st->win_row, st->win_col); taps off the grid are skipped. winner: the
 * tap to tint in vermillion (-1: none). */
static void mark_taps(cc_svg *s, const cc_svg_grid *gr, const cc_walk_geom *g,
                      const cc_walk_step *st, int tint, int outline, long winner)
{
    for (long u = 0; u < g->k_h; u++)
        for (long v = 0; v < g->k_w; v++) {
            long r = st->win_row + u * g->dilation_h, q = st->win_col + v * g->dilation_w;
            if (r < 0 || q < 0 || r >= gr->rows || q >= gr->cols)
                continue;
            int win = winner == u * g->k_w + v;
            tint_cell(s, gr, r, q, win ? CC_SVG_VERMILLION : tint, win ? 0.45 : 0.3);
            cc_svg_grid_outline(s, gr, r, q, 1, 1, outline, 2.5, 0);
        }
}

/* The products of channel row c. */
static void draw_products(cc_svg *s, const cc_walk_geom *g, const layout *L, long c,
                          const cc_walk_step *st)
{
    double y = kernel_y(L, g, c);
    cc_svg_grid p = {.x = L->x_p, .y = y, .cell = L->ck, .rows = g->k_h, .cols = g->k_w,
                     .values = st->products + (size_t)c * (size_t)g->k_h * (size_t)g->k_w,
                     .fill_all = CC_SVG_GREEN, .fill_opacity = 0.25};
    cc_svg_grid_draw(s, &p);
    cc_svg_text(s, L->x_p, y - 8, &f_label, "products");
    cc_svg_text(s, L->x_p - GAP / 2, row_mid(L, c) + 12, &f_op, "=");
}

/* The window on the left grid of row c: taps tinted and outlined, the
 * extent outlined (dashed when dilated). */
static void draw_window(cc_svg *s, const cc_walk_geom *g, const layout *L, long c,
                        const cc_walk_step *st)
{
    cc_svg_grid in = {.x = L->x_in, .y = L->row_y[c], .cell = L->ci, .rows = L->left_h,
                      .cols = L->left_w};
    mark_taps(s, &in, g, st, CC_SVG_ORANGE, CC_SVG_ORANGE,
              L->ph == PH_POOL && g->op == CC_OP_MAX_POOL ? st->winner : -1);
    long eh = g->dilation_h * (g->k_h - 1) + 1, ew = g->dilation_w * (g->k_w - 1) + 1;
    long r0 = st->win_row, c0 = st->win_col;
    long r1 = r0 + eh < L->left_h ? r0 + eh : L->left_h, c1 = c0 + ew < L->left_w ? c0 + ew
                                                                                  : L->left_w;
    if (r0 < r1 && c0 < c1)
        cc_svg_grid_outline(s, &in, r0, c0, r1 - r0, c1 - c0, CC_SVG_VERMILLION,
                            g->dilation_h > 1 || g->dilation_w > 1 ? 2 : 3,
                            g->dilation_h > 1 || g->dilation_w > 1);
}

static void draw_cell_step(cc_svg *s, const cc_walk *w, const layout *L, const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    char b[64];
    size_t per = (size_t)g->k_h * (size_t)g->k_w;
    for (long c = 0; c < L->shown_c; c++) {
        draw_window(s, g, L, c, st);
        double y = kernel_y(L, g, c);
        if (L->ph == PH_POOL) {
            /* the window's values: padding shaded, cells past it empty, the winner marked */
            signed char fill[1024];
            unsigned char show[1024];
            if (per > sizeof fill)
                continue;
            for (size_t t = 0; t < per; t++) {
                fill[t] = st->taps[t] == CC_TAP_INPUT ? CC_SVG_ORANGE : CC_SVG_SHADE;
                if (g->op == CC_OP_MAX_POOL && (long)t == st->winner)
                    fill[t] = CC_SVG_VERMILLION;
                show[t] = st->taps[t] != CC_TAP_OUTSIDE;
            }
            cc_svg_grid p = {.x = L->x_k, .y = y, .cell = L->ck, .rows = g->k_h, .cols = g->k_w,
                             .values = st->window, .fill = fill, .show = show,
                             .fill_opacity = 0.3};
            cc_svg_grid_draw(s, &p);
            if (g->op == CC_OP_MAX_POOL && st->winner >= 0 && (size_t)st->winner < per)
                cc_svg_grid_outline(s, &p, st->winner / g->k_w, st->winner % g->k_w, 1, 1,
                                    CC_SVG_VERMILLION, 3, 0);
            cc_svg_text(s, L->x_k, y - 8, &f_label,
                        "window");
            cc_svg_text(s, L->x_k - GAP / 2, row_mid(L, c) + 6, &(cc_svg_font){.size = 18},
                        g->op == CC_OP_MAX_POOL ? "max" : "mean");
            continue;
        }
        draw_products(s, g, L, c, st);
        if (g->channels > 1)
            cc_svg_textf(s, L->x_p + L->ck * (double)g->k_w + 10, y + L->ck * (double)g->k_h / 2 + 6,
                         &(cc_svg_font){.size = 16, .anchor = -1}, "sum %s",
                         num(b, sizeof b, st->channel_sums[c]));
    }
    /* the output cell, with its value (after the activation) */
    cc_svg_grid out = {.x = L->x_o, .y = L->y_o, .cell = L->co, .rows = g->out_h,
                       .cols = g->out_w};
    tint_cell(s, &out, st->out_row, st->out_col, CC_SVG_VERMILLION, 0.3);
    cc_svg_grid_outline(s, &out, st->out_row, st->out_col, 1, 1, CC_SVG_VERMILLION, 3, 0);
    double fs = cc_svg_grid_font(L->co, &st->activated, 1);
    if (fs >= 3.5)
        cc_svg_text(s, out.x + L->co * ((double)st->out_col + 0.5),
                    out.y + L->co * ((double)st->out_row + 0.5) + 0.36 * fs,
                    &(cc_svg_font){.size = fs, .bold = 1}, num(b, sizeof b, st->activated));
}

static void draw_scatter_step(cc_svg *s, const cc_walk *w, const layout *L,
                              const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    for (long c = 0; c < L->shown_c; c++) {
        cc_svg_grid in = {.x = L->x_in, .y = L->row_y[c], .cell = L->ci, .rows = L->left_h,
                          .cols = L->left_w};
        tint_cell(s, &in, st->in_row, st->in_col, CC_SVG_ORANGE, 0.4);
        cc_svg_grid_outline(s, &in, st->in_row, st->in_col, 1, 1, CC_SVG_VERMILLION, 3, 0);
        draw_products(s, g, L, c, st);
        /* the products that land inside the output outlined as the cells
         * they add into; the others are cut by the padding */
        cc_svg_grid p = {.x = L->x_p, .y = kernel_y(L, g, c), .cell = L->ck, .rows = g->k_h,
                         .cols = g->k_w};
        for (long u = 0; u < g->k_h; u++)
            for (long v = 0; v < g->k_w; v++) {
                long r = st->win_row + u * g->dilation_h, q = st->win_col + v * g->dilation_w;
                if (r >= 0 && q >= 0 && r < g->out_h && q < g->out_w)
                    cc_svg_grid_outline(s, &p, u, v, 1, 1, CC_SVG_VERMILLION, 2.5, 0);
            }
    }
    /* the partial output, the cells this input cell adds into outlined */
    draw_output(s, w, L, st->filter, st->partial, NULL);
    cc_svg_grid out = {.x = L->x_o, .y = L->y_o, .cell = L->co, .rows = g->out_h,
                       .cols = g->out_w};
    mark_taps(s, &out, g, st, CC_SVG_GREEN, CC_SVG_VERMILLION, -1);
}

static void draw_moving(cc_svg *s, const cc_walk *w, const layout *L, const cc_walk_step *st)
{
    if (st->kind == CC_STEP_SCATTER)
        draw_scatter_step(s, w, L, st);
    else
        draw_cell_step(s, w, L, st);
}

/* ---- steps without a window: matrices side by side ------------------------------------- */

typedef struct panel {
    long rows, cols;
    const double *values;
    const signed char *fill;
    int fill_all;
    char label[64];
} panel;

/* nr rows of nc matrices with a word between the columns (or none). */
static void draw_panels(cc_svg *s, const panel *p, size_t nr, size_t nc, const char *between)
{
    double colw[SHOW_FILTERS] = {0}, rowh[SHOW_FILTERS] = {0}, wsum = 0, hsum = 0;
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
                cc_svg_text(s, x - gap / 2, y + cell * rowh[r] / 2 + 6, &(cc_svg_font){.size = 18},
                            between);
        }
        y += cell * rowh[r] + vgap;
    }
}

static int draw_matrices_step(cc_svg *s, const cc_walk *w, const cc_walk_step *st)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    panel p[2 * SHOW_FILTERS];
    memset(p, 0, sizeof p);
    size_t n = 0, nr = 1, nc = 2;
    long shown_c = g->channels < SHOW_CHANNELS ? g->channels : SHOW_CHANNELS;
    long shown_k = g->filters < SHOW_CHANNELS ? g->filters : SHOW_CHANNELS;
    signed char *fill = NULL;
    const char *between = NULL, *hidden = NULL;
    char act[48];
    long hidden_from = 0, hidden_to = 0;
    int failed = 0;
    if (st->kind == CC_STEP_PAD) {
        if (!(fill = padding_fill(g, &failed)))
            return CC_ENOMEM;
        for (long c = 0; c < shown_c; c++) {
            p[n] = (panel){g->in_h, g->in_w, cc_matrix_plane(cc_walk_input(w), 0, c), NULL, 0, ""};
            snprintf(p[n++].label, sizeof p[0].label,
                     g->channels > 1 ? "input, channel %ld" : "input", c + 1);
            p[n] = (panel){g->padded_h, g->padded_w, cc_matrix_plane(cc_walk_padded(w), 0, c),
                           fill, 0, ""};
            snprintf(p[n++].label, sizeof p[0].label, "%s%s",
                     g->op == CC_OP_TRANSPOSED ? "zero-inserted" : "padded",
                     g->channels > 1 ? ", this channel" : "");
        }
        between = g->op == CC_OP_TRANSPOSED ? "insert zeros →" : "pad →";
        nr = (size_t)shown_c;
        hidden = "channels";
        hidden_from = shown_c + 1;
        hidden_to = g->channels;
    } else if (st->kind == CC_STEP_KERNEL) {
        for (long c = 0; c < shown_c; c++) {
            p[n] = (panel){g->k_h, g->k_w, cc_matrix_plane(cc_walk_kernels(w), st->filter, c),
                           NULL, 0, ""};
            snprintf(p[n++].label, sizeof p[0].label,
                     g->channels > 1 ? "kernel, channel %ld" : "kernel", c + 1);
            p[n] = (panel){g->k_h, g->k_w, cc_matrix_plane(cc_walk_applied(w), st->filter, c),
                           NULL, CC_SVG_SKY, ""};
            snprintf(p[n++].label, sizeof p[0].label, "as applied");
        }
        int flip = g->op == CC_OP_TRANSPOSED || g->mode == CC_MODE_CONVOLUTION;
        between = flip ? "rotate 180° →" : "(no flip) →";
        nr = (size_t)shown_c;
        hidden = "channels";
        hidden_from = shown_c + 1;
        hidden_to = g->channels;
    } else if (st->kind == CC_STEP_ACTIVATION) {
        for (long k = 0; k < shown_k; k++) {
            p[n] = (panel){g->out_h, g->out_w, cc_matrix_plane(cc_walk_preact(w), k, 0), NULL, 0,
                           ""};
            snprintf(p[n++].label, sizeof p[0].label, g->filters > 1 ? "before, %s %ld" : "before",
                     is_pool(g) ? "channel" : "filter", k + 1);
            p[n] = (panel){g->out_h, g->out_w, cc_matrix_plane(cc_walk_output(w), k, 0), NULL,
                           CC_SVG_VERMILLION, ""};
            snprintf(p[n++].label, sizeof p[0].label, "after %s",
                     cc_activation_name(g->activation));
        }
        snprintf(act, sizeof act, "%s →", cc_activation_name(g->activation));
        between = act;
        nr = (size_t)shown_k;
        hidden = is_pool(g) ? "channels" : "filters";
        hidden_from = shown_k + 1;
        hidden_to = g->filters;
    } else {
        long k4 = g->filters < SHOW_FILTERS ? g->filters : SHOW_FILTERS;
        for (long k = 0; k < k4; k++) {
            p[n] = (panel){g->out_h, g->out_w, cc_matrix_plane(cc_walk_output(w), k, 0), NULL,
                           CC_SVG_VERMILLION, ""};
            snprintf(p[n++].label, sizeof p[0].label, g->filters > 1 ? "output, %s %ld" : "output",
                     is_pool(g) ? "channel" : "filter", k + 1);
        }
        nc = (size_t)k4;
        hidden = is_pool(g) ? "channels" : "filters";
        hidden_from = k4 + 1;
        hidden_to = g->filters;
    }
    if (hidden && hidden_to >= hidden_from)
        cc_svg_textf(s, MARGIN, BOTTOM + 70, &f_note, "%s %ld to %ld are not drawn", hidden,
                     hidden_from, hidden_to);
    draw_panels(s, p, nr, nc, between);
    free(fill);
    return 0;
}

/* ---- the two entry points ------------------------------------------------------------------ */

int cc_svg_walk_step(cc_buf *out, const cc_walk *w, size_t i, const cc_svg_opts *o,
                     cc_error *err)
{
    if (i >= cc_walk_nsteps(w))
        return cc_error_set(err, CC_EINVAL, "there is no step %zu (this walk has %zu steps)",
                            i + 1, cc_walk_nsteps(w));
    cc_walk_step st = {0};
    cc_buf title = {0}, cap = {0};
    int rc = cc_walk_step_get(w, i, &st, err);
    if (!rc)
        rc = step_words(w, i, &title, &cap, err);
    if (rc) {
        cc_walk_step_free(&st);
        cc_buf_free(&title);
        cc_buf_free(&cap);
        return rc;
    }
    const cc_walk_geom *g = cc_walk_geometry(w);
    cc_svg s;
    cc_svg_begin(&s, out, CC_SVG_WIDTH, CC_SVG_HEIGHT, o && o->mono, cc_buf_str(&title));
    header(&s, w, cc_buf_str(&title), o);
    if (st.kind == CC_STEP_CELL || st.kind == CC_STEP_SCATTER) {
        layout L;
        plan(&L, g, phase_of(g, &st));
        draw_phase(&s, w, &L, st.filter, 0);
        if (st.kind == CC_STEP_CELL) {
            /* the output so far: the cells before this one */
            size_t n = (size_t)g->out_h * (size_t)g->out_w;
            unsigned char *show = calloc(n ? n : 1, 1);
            if (!show)
                s.out->failed = 1;
            for (size_t j = 0; show && j < (size_t)(st.out_row * g->out_w + st.out_col); j++)
                show[j] = 1;
            if (show)
                draw_output(&s, w, &L, st.filter, cc_matrix_plane(cc_walk_output(w), st.filter, 0),
                            show);
            free(show);
        }
        draw_moving(&s, w, &L, &st);
    } else {
        rc = draw_matrices_step(&s, w, &st);
    }
    caption(&s, cc_buf_str(&cap));
    cc_svg_end(&s);
    cc_walk_step_free(&st);
    cc_buf_free(&title);
    cc_buf_free(&cap);
    if (rc)
        return cc_error_set(err, rc, "out of memory");
    if (cc_buf_failed(out))
        return cc_error_set(err, CC_ENOMEM, "out of memory while drawing");
    return 0;
}

int cc_svg_walk_animation(cc_buf *out, const cc_walk *w, const cc_svg_opts *o, cc_error *err)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    size_t nsteps = cc_walk_nsteps(w), frames = 0;
    cc_walk_step st = {0};
    int rc = 0;
    /* the steps that move a window are the frames */
    for (size_t i = 0; i < nsteps && !rc; i++) {
        if ((rc = cc_walk_step_get(w, i, &st, err)))
            break;
        frames += st.kind == CC_STEP_CELL || st.kind == CC_STEP_SCATTER;
    }
    if (!rc && frames > ANIM_MAX_STEPS)
        rc = cc_error_set(err, CC_ERANGE,
                          "%zu steps are too many for one animation (at most %d): draw one "
                          "step with --step N, or every step as a file with --frames DIR",
                          frames, ANIM_MAX_STEPS);
    if (!rc && frames == 0)
        rc = cc_error_set(err, CC_EINVAL, "this walk has no steps to animate");
    if (rc) {
        cc_walk_step_free(&st);
        return rc;
    }
    /* a second per step up to a minute; shorter steps for longer walks */
    double dt = frames <= 60 ? 1.0 : fmax(0.2, 60.0 / (double)frames);
    double period = dt * (double)frames;
    char tbuf[160];
    snprintf(tbuf, sizeof tbuf, "%s, every step",
             g->op == CC_OP_CONV && g->mode == CC_MODE_CORRELATION ? "cross-correlation"
                                                                   : cc_walk_op_name(g->op));
    tbuf[0] = (char)(tbuf[0] >= 'a' && tbuf[0] <= 'z' ? tbuf[0] - 32 : tbuf[0]);
    cc_svg s;
    cc_svg_begin(&s, out, CC_SVG_WIDTH, CC_SVG_HEIGHT, o && o->mono, tbuf);
    header(&s, w, NULL, o);
    cc_buf title = {0}, cap = {0};
    char b[64];
    size_t frame = 0;
    layout L;
    int open = 0;
    long cur_k = -1;
    phase cur_ph = PH_CONV;
    double t0 = 0, t1 = 0;
    for (size_t i = 0; i < nsteps && !rc; i++) {
        if ((rc = cc_walk_step_get(w, i, &st, err)))
            break;
        if (st.kind != CC_STEP_CELL && st.kind != CC_STEP_SCATTER)
            continue;
        phase ph = phase_of(g, &st);
        if (!open || st.filter != cur_k || ph != cur_ph) {
            /* a new phase: its frames run until the next phase begins */
            if (open)
                cc_svg_group_end(&s);
            size_t n_in = 0;
            cc_walk_step peek = {0};
            for (size_t j = i; j < nsteps && !rc; j++) {
                if ((rc = cc_walk_step_get(w, j, &peek, err)))
                    break;
                if ((peek.kind != CC_STEP_CELL && peek.kind != CC_STEP_SCATTER) ||
                    peek.filter != st.filter || phase_of(g, &peek) != ph)
                    break;
                n_in++;
            }
            cc_walk_step_free(&peek);
            if (rc)
                break;
            t0 = dt * (double)frame;
            t1 = t0 + dt * (double)n_in;
            cur_k = st.filter;
            cur_ph = ph;
            plan(&L, g, ph);
            cc_svg_group_begin(&s, frame ? "visibility=\"hidden\"" : NULL);
            cc_svg_show_during(&s, t0, t1, period);
            open = 1;
            draw_phase(&s, w, &L, st.filter, 1);
            if (ph != PH_SCATTER) {
                /* each output value appears after its step and stays */
                const double *ov = cc_matrix_plane(cc_walk_output(w), st.filter, 0);
                size_t cells = (size_t)g->out_h * (size_t)g->out_w;
                double fs = cc_svg_grid_font(L.co, ov, cells);
                for (size_t j = 0; j + 1 < cells && j + 1 < n_in && fs >= 3.5; j++) {
                    cc_svg_group_begin(&s, "visibility=\"hidden\"");
                    cc_svg_show_during(&s, t0 + dt * (double)(j + 1), t1, period);
                    cc_svg_text(&s, L.x_o + L.co * ((double)((long)j % g->out_w) + 0.5),
                                L.y_o + L.co * ((double)((long)j / g->out_w) + 0.5) + 0.36 * fs,
                                &(cc_svg_font){.size = fs}, num(b, sizeof b, ov[j]));
                    cc_svg_group_end(&s);
                }
            }
        }
        cc_buf_reset(&title);
        cc_buf_reset(&cap);
        if ((rc = step_words(w, i, &title, &cap, err)))
            break;
        double ts = dt * (double)frame;
        cc_svg_group_begin(&s, frame ? "visibility=\"hidden\"" : NULL);
        cc_svg_show_during(&s, ts, ts + dt, period);
        cc_svg_text(&s, MARGIN, 46, &f_title, o && o->title ? o->title : cc_buf_str(&title));
        draw_moving(&s, w, &L, &st);
        caption(&s, cc_buf_str(&cap));
        cc_svg_group_end(&s);
        frame++;
    }
    if (open)
        cc_svg_group_end(&s);
    cc_svg_end(&s);
    cc_walk_step_free(&st);
    cc_buf_free(&title);
    cc_buf_free(&cap);
    if (rc)
        return rc;
    if (cc_buf_failed(out))
        return cc_error_set(err, CC_ENOMEM, "out of memory while drawing");
    return 0;
}
