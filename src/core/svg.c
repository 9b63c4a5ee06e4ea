/* svg.c - the SVG writer every figure goes through: document, palette,
 * shapes, text, groups, SMIL visibility, grids of numbers. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "convcalc/svg.h"

/* Okabe & Ito, "Color Universal Design" (2008): eight colours that stay
 * distinct for protanopes, deuteranopes and tritanopes. */
static const char *const colour[CC_SVG_ROLE_COUNT] = {
    [CC_SVG_NONE] = "none",      [CC_SVG_PAPER] = "#FFFFFF",  [CC_SVG_INK] = "#000000",
    [CC_SVG_MUTED] = "#555555",  [CC_SVG_RULE] = "#BBBBBB",   [CC_SVG_SHADE] = "#D4D4D4",
    [CC_SVG_BLUE] = "#0072B2",   [CC_SVG_ORANGE] = "#E69F00", [CC_SVG_GREEN] = "#009E73",
    [CC_SVG_VERMILLION] = "#D55E00", [CC_SVG_SKY] = "#56B4E9", [CC_SVG_PURPLE] = "#CC79A7",
    [CC_SVG_YELLOW] = "#F0E442",
};
/* Monochrome: accents become greys of distinct lightness. */
static const char *const grey[CC_SVG_ROLE_COUNT] = {
    [CC_SVG_NONE] = "none",      [CC_SVG_PAPER] = "#FFFFFF",  [CC_SVG_INK] = "#000000",
    [CC_SVG_MUTED] = "#555555",  [CC_SVG_RULE] = "#BBBBBB",   [CC_SVG_SHADE] = "#D4D4D4",
    [CC_SVG_BLUE] = "#000000",   [CC_SVG_ORANGE] = "#333333", [CC_SVG_GREEN] = "#666666",
    [CC_SVG_VERMILLION] = "#000000", [CC_SVG_SKY] = "#888888", [CC_SVG_PURPLE] = "#4D4D4D",
    [CC_SVG_YELLOW] = "#AAAAAA",
};

const char *cc_svg_color(const cc_svg *s, int role)
{
    if (role < 0 || role >= CC_SVG_ROLE_COUNT)
        role = CC_SVG_INK;
    return s->mono ? grey[role] : colour[role];
}

void cc_svg_escape(cc_buf *out, const char *t)
{
    for (; *t; t++) {
        switch (*t) {
        case '&': cc_buf_puts(out, "&amp;"); break;
        case '<': cc_buf_puts(out, "&lt;"); break;
        case '>': cc_buf_puts(out, "&gt;"); break;
        case '"': cc_buf_puts(out, "&quot;"); break;
        case '\'': cc_buf_puts(out, "&apos;"); break;
        default:
            /* control characters are not allowed in XML 1.0 */
            if ((unsigned char)*t < 0x20 && *t != '\t' && *t != '\n')
                cc_buf_putc(out, ' ');
            else
                cc_buf_putc(out, *t);
        }
    }
}

double cc_svg_text_width(const char *t, double size)
{
    size_t n = 0;
    for (; *t; t++)
        if (((unsigned char)*t & 0xC0) != 0x80)
            n++;
    return 0.6 * (size > 0 ? size : 14) * (double)n;
}

void cc_svg_begin(cc_svg *s, cc_buf *out, double width, double height, int mono,
                  const char *title)
{
    s->out = out;
    s->width = width;
    s->height = height;
    s->mono = mono;
    cc_buf_printf(out,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
                  "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
                  "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
                  "font-size=\"14\">\n",
                  width, height, width, height);
    if (title) {
        cc_buf_puts(out, "<title>");
        cc_svg_escape(out, title);
        cc_buf_puts(out, "</title>\n");
    }
    cc_buf_printf(out,
                  "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
                  "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
                  "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"%s\"/></marker></defs>\n",
                  cc_svg_color(s, CC_SVG_INK));
    cc_buf_printf(out, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"%s\"/>\n",
                  width, height, cc_svg_color(s, CC_SVG_PAPER));
}

void cc_svg_end(cc_svg *s)
{
    cc_buf_puts(s->out, "</svg>\n");
}

static void paint(cc_svg *s, const cc_svg_style *st)
{
    cc_buf *o = s->out;
    cc_buf_printf(o, " fill=\"%s\"", cc_svg_color(s, st->fill));
    if (st->fill && st->fill_opacity > 0 && st->fill_opacity < 1)
        cc_buf_printf(o, " fill-opacity=\"%.2f\"", st->fill_opacity);
    if (st->stroke) {
        cc_buf_printf(o, " stroke=\"%s\"", cc_svg_color(s, st->stroke));
        if (st->stroke_width > 0 && st->stroke_width != 1)
            cc_buf_printf(o, " stroke-width=\"%.2f\"", st->stroke_width);
        if (st->dashed) {
            double w = st->stroke_width > 0 ? st->stroke_width : 1;
            cc_buf_printf(o, " stroke-dasharray=\"%.1f %.1f\"", 4 * w + 2, 3 * w + 1);
        }
    }
    if (st->arrow)
        cc_buf_puts(o, " marker-end=\"url(#arrow)\"");
}

void cc_svg_rect(cc_svg *s, double x, double y, double w, double h, const cc_svg_style *st)
{
    cc_buf_printf(s->out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"", x, y,
                  w, h);
    paint(s, st);
    cc_buf_puts(s->out, "/>\n");
}

void cc_svg_line(cc_svg *s, double x1, double y1, double x2, double y2, const cc_svg_style *st)
{
    cc_buf_printf(s->out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"", x1, y1, x2,
                  y2);
    paint(s, st);
    cc_buf_puts(s->out, "/>\n");
}

void cc_svg_circle(cc_svg *s, double cx, double cy, double r, const cc_svg_style *st)
{
    cc_buf_printf(s->out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"", cx, cy, r);
    paint(s, st);
    cc_buf_puts(s->out, "/>\n");
}

void cc_svg_path(cc_svg *s, const char *d, const cc_svg_style *st)
{
    cc_buf_puts(s->out, "<path d=\"");
    cc_svg_escape(s->out, d);
    cc_buf_putc(s->out, '"');
    paint(s, st);
    cc_buf_puts(s->out, "/>\n");
}

static void points(cc_svg *s, const char *tag, const double *xy, size_t n,
                   const cc_svg_style *st)
{
    cc_buf_printf(s->out, "<%s points=\"", tag);
    for (size_t i = 0; i < n; i++)
        cc_buf_printf(s->out, "%s%.1f,%.1f", i ? " " : "", xy[2 * i], xy[2 * i + 1]);
    cc_buf_putc(s->out, '"');
    if (!strcmp(tag, "polyline"))
        cc_buf_puts(s->out, " stroke-linejoin=\"round\"");
    paint(s, st);
    cc_buf_puts(s->out, "/>\n");
}

void cc_svg_polyline(cc_svg *s, const double *xy, size_t n, const cc_svg_style *st)
{
    points(s, "polyline", xy, n, st);
}

void cc_svg_polygon(cc_svg *s, const double *xy, size_t n, const cc_svg_style *st)
{
    points(s, "polygon", xy, n, st);
}

static void text_open(cc_svg *s, double x, double y, const cc_svg_font *f)
{
    static const char *const anchor[3] = {"start", "middle", "end"};
    int a = f->anchor < 0 ? 0 : f->anchor > 0 ? 2 : 1;
    cc_buf_printf(s->out, "<text x=\"%.1f\" y=\"%.1f\"", x, y);
    if (a != 0)
        cc_buf_printf(s->out, " text-anchor=\"%s\"", anchor[a]);
    if (f->size > 0 && f->size != 14)
        cc_buf_printf(s->out, " font-size=\"%.1f\"", f->size);
    if (f->bold)
        cc_buf_puts(s->out, " font-weight=\"bold\"");
    if (f->italic)
        cc_buf_puts(s->out, " font-style=\"italic\"");
    if (f->fill && f->fill != CC_SVG_INK)
        cc_buf_printf(s->out, " fill=\"%s\"", cc_svg_color(s, f->fill));
}

void cc_svg_text(cc_svg *s, double x, double y, const cc_svg_font *f, const char *text)
{
    text_open(s, x, y, f);
    cc_buf_putc(s->out, '>');
    cc_svg_escape(s->out, text);
    cc_buf_puts(s->out, "</text>\n");
}

void cc_svg_textf(cc_svg *s, double x, double y, const cc_svg_font *f, const char *fmt, ...)
{
    cc_buf tmp = {0};
    va_list ap;
    va_start(ap, fmt);
    cc_buf_vprintf(&tmp, fmt, ap);
    va_end(ap);
    if (cc_buf_failed(&tmp))
        s->out->failed = 1;
    cc_svg_text(s, x, y, f, cc_buf_str(&tmp));
    cc_buf_free(&tmp);
}

void cc_svg_text_rotated(cc_svg *s, double x, double y, double deg, const cc_svg_font *f,
                         const char *text)
{
    text_open(s, x, y, f);
    cc_buf_printf(s->out, " transform=\"rotate(%.1f %.1f %.1f)\">", deg, x, y);
    cc_svg_escape(s->out, text);
    cc_buf_puts(s->out, "</text>\n");
}

void cc_svg_group_begin(cc_svg *s, const char *attrs)
{
    cc_buf_puts(s->out, "<g");
    if (attrs && *attrs) {
        cc_buf_putc(s->out, ' ');
        cc_buf_puts(s->out, attrs);
    }
    cc_buf_puts(s->out, ">\n");
}

void cc_svg_group_end(cc_svg *s)
{
    cc_buf_puts(s->out, "</g>\n");
}

void cc_svg_show_during(cc_svg *s, double t0, double t1, double period)
{
    if (!(period > 0))
        return;
    double a = t0 / period, b = t1 / period;
    a = a < 0 ? 0 : a > 1 ? 1 : a;
    b = b < a ? a : b > 1 ? 1 : b;
    /* discrete: each value holds from its key time to the next one */
    cc_buf *o = s->out;
    cc_buf_puts(o, "<animate attributeName=\"visibility\" attributeType=\"CSS\" "
                   "calcMode=\"discrete\" begin=\"0s\" ");
    cc_buf_printf(o, "dur=\"%.3fs\" repeatCount=\"indefinite\" ", period);
    if (a <= 0 && b >= 1)
        cc_buf_puts(o, "values=\"visible\" keyTimes=\"0\"");
    else if (a <= 0)
        cc_buf_printf(o, "values=\"visible;hidden\" keyTimes=\"0;%.6f\"", b);
    else if (b >= 1)
        cc_buf_printf(o, "values=\"hidden;visible\" keyTimes=\"0;%.6f\"", a);
    else
        cc_buf_printf(o, "values=\"hidden;visible;hidden\" keyTimes=\"0;%.6f;%.6f\"", a, b);
    cc_buf_puts(o, "/>\n");
}

/* ---- grids ------------------------------------------------------------------------ */
double cc_svg_grid_font(double cell, const double *values, size_t n)
{
    size_t longest = 1;
    char b[64];
    for (size_t i = 0; values && i < n; i++) {
        size_t len = strlen(cc_fmt_num(b, sizeof b, values[i], 6));
        longest = len > longest ? len : longest;
    }
    double f = 0.86 * cell / (0.6 * (double)longest);
    if (f > 0.46 * cell)
        f = 0.46 * cell;
    return f;
}

void cc_svg_grid_draw(cc_svg *s, const cc_svg_grid *g)
{
    size_t n = (size_t)g->rows * (size_t)g->cols;
    double op = g->fill_opacity > 0 ? g->fill_opacity : 0.35;
    /* white under everything, then tinted cells */
    if (!g->transparent)
        cc_svg_rect(s, g->x, g->y, g->cell * (double)g->cols, g->cell * (double)g->rows,
                &(cc_svg_style){.fill = CC_SVG_PAPER});
    for (long r = 0; r < g->rows; r++)
        for (long c = 0; c < g->cols; c++) {
            int role = g->fill ? g->fill[r * g->cols + c] : g->fill_all;
            if (role <= CC_SVG_PAPER)
                continue;
            cc_svg_rect(s, g->x + g->cell * (double)c, g->y + g->cell * (double)r, g->cell,
                        g->cell,
                        &(cc_svg_style){.fill = role,
                                        .fill_opacity = role == CC_SVG_SHADE ? 1 : op});
        }
    /* borders: one path for all inner lines, then the frame */
    cc_buf path = {0};
    for (long r = 1; r < g->rows && g->cell >= 4; r++)
        cc_buf_printf(&path, "M%.1f,%.1fh%.1f", g->x, g->y + g->cell * (double)r,
                      g->cell * (double)g->cols);
    for (long c = 1; c < g->cols && g->cell >= 4; c++)
        cc_buf_printf(&path, "M%.1f,%.1fv%.1f", g->x + g->cell * (double)c, g->y,
                      g->cell * (double)g->rows);
    if (cc_buf_failed(&path))
        s->out->failed = 1;
    if (path.len)
        cc_svg_path(s, cc_buf_str(&path), &(cc_svg_style){.stroke = CC_SVG_MUTED,
                                                          .stroke_width = 0.8});
    cc_buf_free(&path);
    cc_svg_rect(s, g->x, g->y, g->cell * (double)g->cols, g->cell * (double)g->rows,
                &(cc_svg_style){.stroke = CC_SVG_INK, .stroke_width = 1.4});
    if (!g->values)
        return;
    double fs = g->font > 0 ? g->font : cc_svg_grid_font(g->cell, g->values, n);
    if (fs < 3.5) /* too small to read: leave the numbers out */
        return;
    cc_svg_font f = {.size = fs, .anchor = 0};
    char b[64];
    for (long r = 0; r < g->rows; r++)
        for (long c = 0; c < g->cols; c++) {
            size_t i = (size_t)(r * g->cols + c);
            if (g->show && !g->show[i])
                continue;
            cc_svg_text(s, g->x + g->cell * ((double)c + 0.5),
                        g->y + g->cell * ((double)r + 0.5) + 0.36 * fs, &f,
                        cc_fmt_num(b, sizeof b, g->values[i], 6));
        }
}

void cc_svg_grid_outline(cc_svg *s, const cc_svg_grid *g, long r, long c, long h, long w,
                         int role, double width, int dashed)
{
    double inset = width / 2;
    cc_svg_rect(s, g->x + g->cell * (double)c + inset, g->y + g->cell * (double)r + inset,
                g->cell * (double)w - width, g->cell * (double)h - width,
                &(cc_svg_style){.stroke = role, .stroke_width = width, .dashed = dashed});
}

double cc_svg_text_block(cc_svg *s, double x, double y, double max_width, const cc_svg_font *f,
                         const char *text)
{
    double size = f->size > 0 ? f->size : 14;
    size_t per_line = (size_t)(max_width / (0.6 * size));
    if (per_line < 8)
        per_line = 8;
    char line[1024];
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        while (len > 0) {
            size_t take = len;
            if (take > per_line) {
                /* break after the last space that fits */
                take = per_line;
                while (take > 0 && p[take - 1] != ' ')
                    take--;
                if (take == 0)
                    take = per_line;
                while (take > 1 && ((unsigned char)p[take] & 0xC0) == 0x80)
                    take--; /* never split a UTF-8 sequence */
            }
            if (take >= sizeof line)
                take = sizeof line - 1;
            memcpy(line, p, take);
            line[take] = '\0';
            for (size_t e = take; e > 0 && line[e - 1] == ' '; e--)
                line[e - 1] = '\0';
            cc_svg_text(s, x, y, f, line);
            y += 1.3 * size;
            p += take;
            len -= take;
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    return y;
}
