/* svg_stack.c - a layer stack as a network diagram in the style of
 * NN-SVG's AlexNet/LeNet figures: each feature map a box whose height
 * follows H, whose depth (drawn obliquely) follows W and whose thickness
 * follows C, all on log scales so that VGG and ResNet fit; its shape
 * above, the layers that make it and their parameters below; skip arrows
 * for residual additions and concatenations. Every number comes from the
 * inferred stack (stack.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/report.h"
#include "convcalc/svg.h"

#define MARGIN 30.0
#define TOP 96.0 /* below title and subtitle */
#define MAX_ROWS 5

typedef struct block {
    size_t first, last;  /* layers first..last (the input block: first = last = SIZE_MAX) */
    cc_shape shape;
    int64_t params;      /* -1: not known */
    int role;
    long filters;        /* a convolution's output channels (0: none) */
    double th, vh, ob;   /* thickness (C), height (H), oblique depth (W) */
    double x, axis;      /* left edge of the front face; vertical middle */
    int row;
} block;

/* Layers that keep their input's shape and only decorate the block
 * before them (they are listed under it). */
static int decorates(const cc_layer *l)
{
    switch (l->kind) {
    case CC_LAYER_BATCHNORM1D:
    case CC_LAYER_BATCHNORM2D:
    case CC_LAYER_RELU:
    case CC_LAYER_LEAKY_RELU:
    case CC_LAYER_ELU:
    case CC_LAYER_SIGMOID:
    case CC_LAYER_TANH:
    case CC_LAYER_SOFTMAX:
    case CC_LAYER_DROPOUT:
    case CC_LAYER_IDENTITY:
    case CC_LAYER_RELU6:
    case CC_LAYER_GELU:
    case CC_LAYER_SILU:
    case CC_LAYER_HARDSWISH:
    case CC_LAYER_HARDSIGMOID:
        return 1;
    default:
        return 0;
    }
}

static int role_of(const cc_layer *l)
{
    switch (l->kind) {
    case CC_LAYER_CONV: return CC_SVG_SKY;
    case CC_LAYER_MAXPOOL:
    case CC_LAYER_AVGPOOL:
    case CC_LAYER_GLOBAL_AVGPOOL:
    case CC_LAYER_ADAPTIVE_AVGPOOL: return CC_SVG_ORANGE;
    case CC_LAYER_LINEAR: return CC_SVG_GREEN;
    case CC_LAYER_ADD:
    case CC_LAYER_CONCAT: return CC_SVG_PURPLE;
    case CC_LAYER_FLATTEN: return CC_SVG_YELLOW;
    default: return CC_SVG_SHADE;
    }
}

/* Log scales: sizes 1..~2000 onto pixels. */
static double lg(long v) { return log2((double)(v > 1 ? v : 1)); }

static void block_size(block *b)
{
    const cc_shape *sh = &b->shape;
    if (sh->rank == 3 && !(sh->h == 1 && sh->w == 1)) {
        b->vh = 14 + 17 * lg(sh->h);
        b->ob = 6 + 9 * lg(sh->w);
        b->th = 4 + 4.5 * lg(sh->c);
    } else if (sh->rank == 3 || sh->rank == 1) { /* a vector: a tall thin bar */
        b->vh = 14 + 12 * lg(sh->c);
        b->ob = 4;
        b->th = 8;
    } else { /* not known: the channels of a convolution are */
        b->vh = 80;
        b->ob = 30;
        b->th = b->filters > 0 ? 4 + 4.5 * lg(b->filters) : 12;
    }
}

/* The box: front face (thickness x height), top and side faces. */
static void draw_box(cc_svg *s, const block *b, double k)
{
    double x = b->x, th = b->th * k, vh = b->vh * k, ob = b->ob * k * 0.7;
    double y = b->axis - vh / 2 + ob / 2;
    double top[8] = {x, y, x + ob, y - ob, x + th + ob, y - ob, x + th, y};
    double side[8] = {x + th, y, x + th + ob, y - ob, x + th + ob, y + vh - ob, x + th, y + vh};
    int dashed = b->shape.rank == 0;
    cc_svg_polygon(s, top, 4, &(cc_svg_style){.fill = b->role, .fill_opacity = 0.55,
                                              .stroke = CC_SVG_INK, .stroke_width = 0.8,
                                              .dashed = dashed});
    cc_svg_polygon(s, side, 4, &(cc_svg_style){.fill = b->role, .fill_opacity = 0.8,
                                               .stroke = CC_SVG_INK, .stroke_width = 0.8,
                                               .dashed = dashed});
    cc_svg_rect(s, x, y, th, vh, &(cc_svg_style){.fill = b->role, .fill_opacity = 0.35,
                                                 .stroke = CC_SVG_INK, .stroke_width = 0.8,
                                                 .dashed = dashed});
}

/* The block that holds layer i (CC_FROM_INPUT: the input block). */
static size_t block_of(const block *bs, size_t nb, long i)
{
    if (i < 0)
        return 0;
    for (size_t k = 1; k < nb; k++)
        if ((size_t)i >= bs[k].first && (size_t)i <= bs[k].last)
            return k;
    return 0;
}

/* Text lines under block b: the main layer, its decorations, the
 * parameters. */
static void block_words(cc_buf *out, const cc_stack *st, const block *b)
{
    if (b->first == (size_t)-1) {
        cc_buf_puts(out, "input");
        return;
    }
    cc_layer_describe(out, &st->layers[b->first]);
    if (b->last > b->first) {
        cc_buf_puts(out, "\n+ ");
        for (size_t i = b->first + 1; i <= b->last; i++)
            cc_buf_printf(out, "%s%s", i > b->first + 1 ? ", " : "",
                          cc_layer_kind_name(st->layers[i].kind));
    }
    cc_buf_putc(out, '\n');
    if (b->params < 0) {
        cc_buf_puts(out, "params ?");
    } else if (b->params == 0) {
        cc_buf_puts(out, "no params");
    } else {
        cc_fmt_thousands(out, b->params);
        cc_buf_puts(out, " params");
    }
}

/* The lines of words, each centred at x, from y down; lines wider than
 * width are broken at spaces. With s NULL only counts them. Returns the
 * number of lines. */
static int centred_lines(cc_svg *s, double x, double y, double width, double size,
                         const char *text)
{
    int n = 0;
    size_t per = (size_t)(width / (0.6 * size));
    if (per < 4)
        per = 4;
    char line[256];
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        while (len > 0) {
            size_t take = len;
            if (take > per) {
                take = per;
                while (take > 0 && p[take - 1] != ' ')
                    take--;
                if (take == 0)
                    take = per;
                while (take > 1 && ((unsigned char)p[take] & 0xC0) == 0x80)
                    take--;
            }
            if (take >= sizeof line)
                take = sizeof line - 1;
            memcpy(line, p, take);
            line[take] = '\0';
            for (size_t e = take; e > 0 && line[e - 1] == ' '; e--)
                line[e - 1] = '\0';
            if (s)
                cc_svg_text(s, x, y, &(cc_svg_font){.size = size, .anchor = 0}, line);
            y += 1.25 * size;
            n++;
            p += take;
            len -= take;
        }
        p = nl ? nl + 1 : p + len;
    }
    return n;
}

/* An arrow from block a to block b along the strip under the boxes of
 * their rows (a right-angled path; across rows it leaves at the right and
 * comes back at the left). */
static void skip_arrow(cc_svg *s, const block *a, const block *b, double k, double strip_of_row[],
                       int lane)
{
    double xa = a->x + a->th * k / 2, xb = b->x + b->th * k / 2;
    double ya = a->axis + (a->vh + a->ob * 0.7) * k / 2, yb = b->axis + (b->vh + b->ob * 0.7) * k / 2;
    double off = 5.0 * (lane % 3);
    char d[256];
    const cc_svg_style st = {.stroke = CC_SVG_PURPLE, .stroke_width = 1.8, .arrow = 1};
    if (a->row == b->row) {
        double ys = strip_of_row[a->row] + off;
        snprintf(d, sizeof d, "M%.1f,%.1f V%.1f H%.1f V%.1f", xa, ya, ys, xb, yb + 2);
        cc_svg_path(s, d, &st);
        return;
    }
    double y1 = strip_of_row[a->row] + off, y2 = strip_of_row[b->row] + off;
    snprintf(d, sizeof d, "M%.1f,%.1f V%.1f H%.1f", xa, ya, y1, CC_SVG_WIDTH - 8);
    cc_svg_path(s, d, &(cc_svg_style){.stroke = CC_SVG_PURPLE, .stroke_width = 1.8,
                                      .dashed = 1});
    snprintf(d, sizeof d, "M%.1f,%.1f H%.1f V%.1f", 8.0, y2, xb, yb + 2);
    cc_svg_path(s, d, &st);
}

int cc_svg_stack(cc_buf *out, const cc_stack *st, const cc_svg_opts *o, cc_error *err)
{
    block *bs = calloc(st->n + 1, sizeof *bs);
    if (!bs)
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    /* the blocks: the input, then one per layer that is not a decoration */
    size_t nb = 1;
    bs[0] = (block){(size_t)-1, (size_t)-1, st->input, 0, CC_SVG_SHADE, 0, 0, 0, 0, 0, 0, 0};
    for (size_t i = 0; i < st->n; i++) {
        const cc_layer *l = &st->layers[i];
        block *prev = &bs[nb - 1];
        int same = l->out.rank == 0 || (l->out.rank == prev->shape.rank &&
                                         l->out.c == prev->shape.c && l->out.h == prev->shape.h &&
                                         l->out.w == prev->shape.w);
        if (decorates(l) && nb > 1 && same) {
            prev->last = i;
            if (prev->params >= 0)
                prev->params = l->counts.params < 0 ? -1 : prev->params + l->counts.params;
            continue;
        }
        bs[nb++] = (block){i, i, l->out, l->counts.params, role_of(l),
                           l->kind == CC_LAYER_CONV ? l->filters : 0, 0, 0, 0, 0, 0, 0};
    }
    for (size_t k = 0; k < nb; k++)
        block_size(&bs[k]);

    /* rows: as few as keep each block's slot wide enough for its words */
    int rows = 1;
    while (rows < MAX_ROWS && (CC_SVG_WIDTH - 2 * MARGIN) / ceil((double)nb / rows) < 96)
        rows++;
    size_t per_row = (size_t)ceil((double)nb / rows);
    double slot = (CC_SVG_WIDTH - 2 * MARGIN) / (double)per_row;
    double band = (CC_SVG_HEIGHT - TOP - 6) / rows;
    double font = fmin(14, fmax(7.5, slot / 9));
    if (rows >= 4)
        font = fmin(font, 9.5);
    /* the most lines of words any block needs */
    int lines = 1;
    cc_buf words = {0};
    for (size_t k = 0; k < nb; k++) {
        cc_buf_reset(&words);
        block_words(&words, st, &bs[k]);
        int n = centred_lines(NULL, 0, 0, slot - 4, font, cc_buf_str(&words));
        lines = n > lines ? n : lines;
    }
    double words_h = lines * 1.25 * font + 4, strip = 18, shape_h = font + 8;
    double box_room = band - words_h - strip - shape_h - 8;
    /* one scale for every box: the tallest fits its band, the widest its slot */
    double need_v = 0, need_h = 0;
    for (size_t k = 0; k < nb; k++) {
        need_v = fmax(need_v, bs[k].vh + bs[k].ob * 0.7);
        need_h = fmax(need_h, bs[k].th + bs[k].ob * 0.7);
    }
    double kscale = fmin(2.0, fmin(box_room / need_v, slot * 0.75 / need_h));
    double strip_of_row[MAX_ROWS];
    for (int r = 0; r < rows; r++) {
        /* the row's content centred in its band */
        double tall = 0;
        for (size_t k = (size_t)r * per_row; k < nb && k < (size_t)(r + 1) * per_row; k++)
            tall = fmax(tall, (bs[k].vh + bs[k].ob * 0.7) * kscale);
        double top = TOP + band * r + (band - (shape_h + tall + strip + words_h)) / 2;
        for (size_t k = (size_t)r * per_row; k < nb && k < (size_t)(r + 1) * per_row; k++) {
            block *bk = &bs[k];
            double cx = MARGIN + slot * ((double)(k % per_row) + 0.5);
            bk->row = r;
            bk->x = cx - (bk->th + bk->ob * 0.7) * kscale / 2;
            bk->axis = top + shape_h + tall / 2;
        }
        strip_of_row[r] = top + shape_h + tall + 8;
    }

    /* title: the source and the total */
    cc_stack_totals tot;
    cc_stack_totals_get(st, 0, &tot);
    cc_buf t = {0};
    cc_buf_puts(&t, o && o->title ? o->title : "Network");
    cc_buf_puts(&t, ": ");
    if (tot.total_params >= 0) {
        cc_fmt_thousands(&t, tot.total_params);
        cc_buf_puts(&t, " parameters");
    } else {
        cc_buf_puts(&t, "parameters not known");
    }
    cc_svg s;
    cc_svg_begin(&s, out, CC_SVG_WIDTH, CC_SVG_HEIGHT, o && o->mono, cc_buf_str(&t));
    cc_svg_text(&s, MARGIN, 42, &(cc_svg_font){.size = 24, .bold = 1, .anchor = -1},
                cc_buf_str(&t));
    cc_buf_reset(&t);
    cc_buf_printf(&t, "%zu layers · shapes CxHxW · boxes: height H, depth W, thickness C "
                      "(log scales)",
                  st->n);
    if (st->shapes == CC_SHAPES_UNKNOWN || st->shapes == CC_SHAPES_NONE)
        cc_buf_puts(&t, " · shapes not known (dashed)");
    else if (st->shapes == CC_SHAPES_ASSUMED)
        cc_buf_puts(&t, " · shapes assume the printed order");
    cc_svg_text(&s, MARGIN, 68, &(cc_svg_font){.size = 14, .anchor = -1, .fill = CC_SVG_MUTED},
                cc_buf_str(&t));

    /* the boxes, their shapes above, their layers below */
    for (size_t k = 0; k < nb; k++) {
        const block *b = &bs[k];
        double cx = MARGIN + slot * ((double)(k % per_row) + 0.5);
        draw_box(&s, b, kscale);
        cc_buf_reset(&t);
        cc_shape_format(&t, &b->shape);
        double ytop = b->axis - b->vh * kscale / 2 - b->ob * kscale * 0.7 / 2;
        cc_svg_text(&s, cx, ytop - 6, &(cc_svg_font){.size = font, .anchor = 0, .bold = 1},
                    cc_buf_str(&t));
        cc_buf_reset(&words);
        block_words(&words, st, b);
        centred_lines(&s, cx, strip_of_row[b->row] + strip + font, slot - 4, font,
                      cc_buf_str(&words));
    }
    /* skip arrows: the other operand of an addition, the sources of a
     * concatenation that are not the block just before */
    int lane = 0;
    for (size_t i = 0; i < st->n; i++) {
        const cc_layer *l = &st->layers[i];
        size_t to = block_of(bs, nb, (long)i);
        if (l->kind == CC_LAYER_ADD) {
            size_t from = block_of(bs, nb, l->from);
            if (from != to)
                skip_arrow(&s, &bs[from], &bs[to], kscale, strip_of_row, lane++);
        } else if (l->kind == CC_LAYER_CONCAT) {
            for (int j = 0; j < l->n_sources && j < CC_CONCAT_MAX; j++) {
                size_t from = block_of(bs, nb, l->sources[j]);
                if (from != to && from + 1 != to)
                    skip_arrow(&s, &bs[from], &bs[to], kscale, strip_of_row, lane++);
            }
        }
    }
    cc_svg_end(&s);
    int failed = cc_buf_failed(&t) || cc_buf_failed(&words) || cc_buf_failed(out);
    cc_buf_free(&t);
    cc_buf_free(&words);
    free(bs);
    return failed ? cc_error_set(err, CC_ENOMEM, "out of memory while drawing") : 0;
}
