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
#include "svg_stack_priv.h"

#define MARGIN 30.0
#define TOP 96.0 /* below title and subtitle */
#define MAX_ROWS 5

/* Log scales: sizes 1..~2000 onto pixels. */
static double lg(long v) { return log2((double)(v > 1 ? v : 1)); }

/* The box of an item: the feature map its last block makes. */
static void item_size(svg_item *it, const svg_block *bs)
{
    const svg_block *b = &bs[it->b1 - 1];
    const cc_shape *sh = &b->shape;
    if (sh->rank == 3 && !(sh->h == 1 && sh->w == 1)) {
        it->vh = 14 + 17 * lg(sh->h);
        it->ob = 6 + 9 * lg(sh->w);
        it->th = 4 + 4.5 * lg(sh->c);
    } else if (sh->rank == 3 || sh->rank == 1) { /* a vector: a tall thin bar */
        it->vh = 14 + 12 * lg(sh->c);
        it->ob = 4;
        it->th = 8;
    } else { /* not known: the channels of a convolution are */
        it->vh = 80;
        it->ob = 30;
        it->th = b->filters > 0 ? 4 + 4.5 * lg(b->filters) : 12;
    }
}

/* The box: front face (thickness x height), top and side faces; an item
 * that stands for several blocks has two outlines behind it. */
static void draw_box(cc_svg *s, const svg_item *it, const svg_block *bs, double k)
{
    const svg_block *b = &bs[it->b1 - 1];
    int dashed = b->shape.rank == 0;
    int layers = it->b1 - it->b0 > 1 ? 2 : 0;
    for (int g = layers; g >= 0; g--) {
        double x = it->x - 5 * g, th = it->th * k, vh = it->vh * k, ob = it->ob * k * 0.7;
        double y = it->axis - vh / 2 + ob / 2 - 5 * g;
        double top[8] = {x, y, x + ob, y - ob, x + th + ob, y - ob, x + th, y};
        double side[8] = {x + th, y, x + th + ob, y - ob, x + th + ob, y + vh - ob, x + th, y + vh};
        double op = g ? 0.3 : 1;
        cc_svg_polygon(s, top, 4, &(cc_svg_style){.fill = b->role, .fill_opacity = 0.55 * op,
                                                  .stroke = CC_SVG_INK, .stroke_width = 0.8,
                                                  .dashed = dashed});
        cc_svg_polygon(s, side, 4, &(cc_svg_style){.fill = b->role, .fill_opacity = 0.8 * op,
                                                   .stroke = CC_SVG_INK, .stroke_width = 0.8,
                                                   .dashed = dashed});
        cc_svg_rect(s, x, y, th, vh, &(cc_svg_style){.fill = b->role, .fill_opacity = 0.35 * op,
                                                     .stroke = CC_SVG_INK, .stroke_width = 0.8,
                                                     .dashed = dashed});
    }
}

/* The item that holds layer i (CC_FROM_INPUT: the input's). */
static size_t item_of(const svg_item *it, size_t n, const svg_block *bs, long i)
{
    if (i < 0)
        return 0;
    for (size_t k = 1; k < n; k++)
        if ((size_t)i >= bs[it[k].b0].first && (size_t)i <= bs[it[k].b1 - 1].last)
            return k;
    return 0;
}

/* The main layer of a block in a few words; add and concat leave their
 * sources to the arrows. */
static void main_words(cc_buf *out, const cc_layer *l, int brief)
{
    if (l->kind == CC_LAYER_ADD || l->kind == CC_LAYER_MUL) {
        cc_buf_puts(out, cc_layer_kind_name(l->kind));
    } else if (l->kind == CC_LAYER_CONCAT) {
        cc_buf_puts(out, l->n_sources == 1 ? "branch" : "concat");
        if (l->groups > 1)
            cc_buf_printf(out, " part %ld/%ld", l->group_id + 1, l->groups);
    } else if (brief && l->kind == CC_LAYER_CONV) {
        cc_buf_printf(out, "conv %ldx%ld", l->kernel_h, l->kernel_w);
    } else if (l->kind == CC_LAYER_MODULE && l->type[0]) {
        cc_buf_puts(out, l->type);
    } else if (brief) {
        cc_buf_puts(out, cc_layer_kind_name(l->kind));
    } else {
        /* the spec line without what the shapes around it show (the
         * input channels) and what a figure need not say (bias off) */
        cc_layer c = *l;
        c.in_channels = 0;
        c.num_features = 0;
        c.bias = 1;
        c.flatten_input = 0;
        cc_layer_describe(out, &c);
    }
}

/* A decoration's name in the words under a box. */
static const char *deco_name(const cc_layer *l)
{
    if (l->kind == CC_LAYER_BATCHNORM1D || l->kind == CC_LAYER_BATCHNORM2D)
        return "bn";
    if (l->kind == CC_LAYER_ACTIVATION && l->type[0])
        return l->type;
    return cc_layer_kind_name(l->kind);
}

static int64_t range_params(const svg_block *bs, size_t b0, size_t b1)
{
    int64_t p = 0;
    for (size_t b = b0; b < b1; b++) {
        if (bs[b].params < 0)
            return -1;
        p += bs[b].params;
    }
    return p;
}

static void put_params(cc_buf *out, int64_t p)
{
    if (p < 0) {
        cc_buf_puts(out, "params ?");
    } else if (p == 0) {
        cc_buf_puts(out, "no params");
    } else {
        cc_fmt_thousands(out, p);
        cc_buf_puts(out, " params");
    }
}

/* The container class a torchvision block's implied layers name, as
 * "(Bottleneck)", or "". */
static const char *module_type(const cc_stack *st, const svg_block *bs, size_t b0, size_t b1)
{
    for (size_t i = bs[b0].first; i <= bs[b1 - 1].last && i < st->n; i++)
        if (st->layers[i].type[0] == '(')
            return st->layers[i].type;
    return "";
}

/* Text lines under an item: what it is and its parameters. */
static void item_words(cc_buf *out, const cc_stack *st, const svg_item *it, const svg_block *bs)
{
    const svg_block *b = &bs[it->b0];
    if (b->first == (size_t)-1) {
        cc_buf_puts(out, "input");
        return;
    }
    int64_t total = range_params(bs, it->b0, it->b1);
    switch (it->how) {
    case SVG_ITEM_ONE:
        main_words(out, &st->layers[b->first], 0);
        if (b->last > b->first) {
            cc_buf_puts(out, "\n+ ");
            for (size_t i = b->first + 1; i <= b->last; i++)
                cc_buf_printf(out, "%s%s", i > b->first + 1 ? ", " : "",
                              deco_name(&st->layers[i]));
        }
        break;
    case SVG_ITEM_REPEAT: {
        cc_buf_printf(out, "%ld × ", it->reps);
        if (it->unit_how == SVG_ITEM_MODULE) {
            cc_buf_printf(out, "%s %s", it->label, module_type(st, bs, it->b0, it->unit_b1));
        } else {
            size_t u = it->unit_b1 - it->b0;
            for (size_t k = it->b0; k < it->unit_b1 && k < it->b0 + 3; k++) {
                cc_buf_puts(out, k > it->b0 ? ", " : "");
                main_words(out, &st->layers[bs[k].first], 1);
            }
            if (u > 3)
                cc_buf_printf(out, " … (%zu)", u);
        }
        size_t u = it->unit_b1 - it->b0;
        int64_t per = range_params(bs, it->b0, it->unit_b1);
        int even = per >= 0;
        for (long r = 1; r < it->reps && even; r++)
            even = range_params(bs, it->b0 + (size_t)r * u, it->b0 + (size_t)(r + 1) * u) == per;
        cc_buf_putc(out, '\n');
        if (even && per > 0) {
            cc_buf_printf(out, "%ld × ", it->reps);
            cc_fmt_thousands(out, per);
            cc_buf_puts(out, " = ");
        }
        put_params(out, total);
        return;
    }
    case SVG_ITEM_MODULE:
        cc_buf_printf(out, "%s %s", it->label, module_type(st, bs, it->b0, it->b1));
        break;
    default:
        cc_buf_printf(out, "layers %zu–%zu", b->first + 1, bs[it->b1 - 1].last + 1);
        break;
    }
    cc_buf_putc(out, '\n');
    put_params(out, total);
}

/* Lines of words from text[0..len), each centred at x, from y down;
 * lines wider than width are broken after spaces or dots. At most budget
 * lines (0: no limit): the last one then ends in an ellipsis when text is
 * left. With s NULL only counts them. Returns the number of lines. */
static int wrap(cc_svg *s, double x, double y, double width, double size, const char *text,
                size_t len, int budget)
{
    int n = 0;
    size_t per = (size_t)(width / (0.6 * size));
    if (per < 4)
        per = 4;
    char line[256];
    const char *end = text + len;
    for (const char *p = text; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t left = nl ? (size_t)(nl - p) : (size_t)(end - p);
        while (left > 0) {
            size_t take = left;
            if (take > per) {
                take = per;
                while (take > 0 && p[take - 1] != ' ' && p[take - 1] != '.')
                    take--;
                if (take == 0)
                    take = per;
                while (take > 1 && ((unsigned char)p[take] & 0xC0) == 0x80)
                    take--;
            }
            if (take >= sizeof line - 4)
                take = sizeof line - 4;
            memcpy(line, p, take);
            line[take] = '\0';
            for (size_t e = take; e > 0 && line[e - 1] == ' '; e--)
                line[e - 1] = '\0';
            int last = budget > 0 && n + 1 == budget && p + take < end;
            if (last) { /* room for the ellipsis, at a character boundary */
                size_t e = strlen(line);
                while (e > 0 && e + 1 > per)
                    e--;
                while (e > 0 && ((unsigned char)line[e] & 0xC0) == 0x80)
                    e--;
                memcpy(line + e, "…", sizeof "…");
            }
            if (s)
                cc_svg_text(s, x, y, &(cc_svg_font){.size = size, .anchor = 0}, line);
            y += 1.25 * size;
            n++;
            if (last)
                return n;
            p += take;
            left -= take;
        }
        p = nl ? nl + 1 : p + left;
    }
    return n;
}

/* The words under a box: what it is (at most budget lines less those of
 * the last line of text, its parameters, which is always whole). */
static int centred_lines(cc_svg *s, double x, double y, double width, double size,
                         const char *text, int budget)
{
    const char *tail = strrchr(text, '\n');
    size_t head = tail ? (size_t)(tail - text) : strlen(text);
    if (!tail)
        return wrap(s, x, y, width, size, text, head, budget);
    int tn = wrap(NULL, 0, 0, width, size, tail + 1, strlen(tail + 1), 0);
    int hb = budget > 0 ? (budget - tn > 1 ? budget - tn : 1) : 0;
    int hn = wrap(s, x, y, width, size, text, head, hb);
    return hn + wrap(s, x, y + hn * 1.25 * size, width, size, tail + 1, strlen(tail + 1), 0);
}

/* An arrow from item a to item b along the strip under the boxes of
 * their rows (a right-angled path; across rows it leaves at the right and
 * comes back at the left). */
static void skip_arrow(cc_svg *s, const svg_item *a, const svg_item *b, double k,
                       double strip_of_row[], int lane)
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

/* Draw the arrow from item a to item b unless it is drawn already. */
static void arrow_once(cc_svg *s, const svg_item *it, size_t a, size_t b, double k,
                       double strip_of_row[], size_t *drawn, size_t *nd, size_t cap)
{
    for (size_t i = 0; i < *nd; i++)
        if (drawn[2 * i] == a && drawn[2 * i + 1] == b)
            return;
    if (*nd < cap) {
        drawn[2 * *nd] = a;
        drawn[2 * *nd + 1] = b;
        ++*nd;
    }
    skip_arrow(s, &it[a], &it[b], k, strip_of_row, (int)*nd);
}

static const char *const rule_words[] = {
    [SVG_ITEM_ONE] = "",
    [SVG_ITEM_REPEAT] = " · N × : N equal units in a row drawn once",
    [SVG_ITEM_MODULE] = " · one box per module, N × : N equal modules in a row",
    [SVG_ITEM_RUN] = " · runs of consecutive layers drawn as one box",
};

int cc_svg_stack(cc_buf *out, const cc_stack *st, const cc_svg_opts *o, cc_error *err)
{
    svg_block *bs = calloc(st->n + 1, sizeof *bs);
    svg_item *items = calloc(st->n + 1, sizeof *items);
    size_t *drawn = calloc(2 * (st->n + 1), sizeof *drawn);
    if (!bs || !items || !drawn) {
        free(bs);
        free(items);
        free(drawn);
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    }
    size_t nb = svg_blocks(bs, st);
    int rule;
    size_t ni = svg_fold(items, bs, nb, st, &rule);
    for (size_t k = 0; k < ni; k++)
        item_size(&items[k], bs);

    /* rows: as few as keep each item's slot wide enough for its words */
    int rows = 1;
    while (rows < MAX_ROWS && (CC_SVG_WIDTH - 2 * MARGIN) / ceil((double)ni / rows) < 110)
        rows++;
    size_t per_row = (size_t)ceil((double)ni / rows);
    double slot = (CC_SVG_WIDTH - 2 * MARGIN) / (double)per_row;
    double band = (CC_SVG_HEIGHT - TOP - 6) / rows;
    double font = fmin(14, fmax(9, slot / 9));
    if (rows >= 4)
        font = fmin(font, 10.5);
    /* the most lines of words any item needs, up to half the band (the
     * rest is the boxes') */
    int budget = (int)((band * 0.5 - 4) / (1.25 * font)), lines = 1;
    cc_buf words = {0};
    for (size_t k = 0; k < ni; k++) {
        cc_buf_reset(&words);
        item_words(&words, st, &items[k], bs);
        int n = centred_lines(NULL, 0, 0, slot - 4, font, cc_buf_str(&words), budget);
        lines = n > lines ? n : lines;
    }
    double words_h = lines * 1.25 * font + 4, strip = 18, shape_h = font + 8;
    double box_room = band - words_h - strip - shape_h - 8;
    /* one scale for every box: the tallest fits its band, the widest its slot */
    double need_v = 0, need_h = 0;
    for (size_t k = 0; k < ni; k++) {
        need_v = fmax(need_v, items[k].vh + items[k].ob * 0.7 + 10);
        need_h = fmax(need_h, items[k].th + items[k].ob * 0.7 + 10);
    }
    double kscale = fmin(3.0, fmin(box_room / need_v, slot * 0.7 / need_h));
    double strip_of_row[MAX_ROWS];
    for (int r = 0; r < rows; r++) {
        /* the row's content centred in its band */
        double tall = 0;
        for (size_t k = (size_t)r * per_row; k < ni && k < (size_t)(r + 1) * per_row; k++)
            tall = fmax(tall, (items[k].vh + items[k].ob * 0.7) * kscale);
        double top = TOP + band * r + (band - (shape_h + tall + strip + words_h)) / 2;
        for (size_t k = (size_t)r * per_row; k < ni && k < (size_t)(r + 1) * per_row; k++) {
            svg_item *it = &items[k];
            double cx = MARGIN + slot * ((double)(k % per_row) + 0.5);
            it->row = r;
            it->x = cx - (it->th + it->ob * 0.7) * kscale / 2;
            it->axis = top + shape_h + tall / 2;
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
                      "(log scales)%s",
                  st->n, rule_words[rule]);
    if (st->shapes == CC_SHAPES_UNKNOWN || st->shapes == CC_SHAPES_NONE)
        cc_buf_printf(&t, " · shapes not known (dashed)%s",
                      st->input.rank == 0 ? ": give the input size" : "");
    else if (st->shapes == CC_SHAPES_ASSUMED)
        cc_buf_puts(&t, " · shapes assume the printed order");
    double sub = 14;
    while (sub > 9 && cc_svg_text_width(cc_buf_str(&t), sub) > CC_SVG_WIDTH - 2 * MARGIN)
        sub -= 0.5;
    cc_svg_text(&s, MARGIN, 68, &(cc_svg_font){.size = sub, .anchor = -1, .fill = CC_SVG_MUTED},
                cc_buf_str(&t));

    /* the boxes, their shapes above, their layers below */
    for (size_t k = 0; k < ni; k++) {
        const svg_item *it = &items[k];
        double cx = MARGIN + slot * ((double)(k % per_row) + 0.5);
        draw_box(&s, it, bs, kscale);
        cc_buf_reset(&t);
        cc_shape_format(&t, &bs[it->b1 - 1].shape);
        double ytop = it->axis - it->vh * kscale / 2 - it->ob * kscale * 0.7 / 2;
        if (it->b1 - it->b0 > 1)
            ytop -= 10;
        cc_svg_group_begin(&s, "class=\"shape\"");
        cc_svg_text(&s, cx, ytop - 6, &(cc_svg_font){.size = font, .anchor = 0, .bold = 1},
                    cc_buf_str(&t));
        cc_svg_group_end(&s);
        cc_buf_reset(&words);
        item_words(&words, st, it, bs);
        centred_lines(&s, cx, strip_of_row[it->row] + strip + font, slot - 4, font,
                      cc_buf_str(&words), budget);
    }
    /* skip arrows: the other operand of an addition or product, the
     * sources of a concatenation that are not the item just before */
    size_t nd = 0;
    for (size_t i = 0; i < st->n; i++) {
        const cc_layer *l = &st->layers[i];
        size_t to = item_of(items, ni, bs, (long)i);
        if (l->kind == CC_LAYER_ADD || l->kind == CC_LAYER_MUL) {
            size_t from = item_of(items, ni, bs, l->from);
            if (from != to)
                arrow_once(&s, items, from, to, kscale, strip_of_row, drawn, &nd, st->n + 1);
        } else if (l->kind == CC_LAYER_CONCAT) {
            for (int j = 0; j < l->n_sources && j < CC_CONCAT_MAX; j++) {
                size_t from = item_of(items, ni, bs, l->sources[j]);
                if (from != to && from + 1 != to)
                    arrow_once(&s, items, from, to, kscale, strip_of_row, drawn, &nd,
                               st->n + 1);
            }
        }
    }
    cc_svg_end(&s);
    int failed = cc_buf_failed(&t) || cc_buf_failed(&words) || cc_buf_failed(out);
    cc_buf_free(&t);
    cc_buf_free(&words);
    free(bs);
    free(items);
    free(drawn);
    return failed ? cc_error_set(err, CC_ENOMEM, "out of memory while drawing") : 0;
}
