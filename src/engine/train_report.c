/* train_report.c - what training produces for people to read: the results
 * table, the confusion matrix, the CSV log and the learning curves (an SVG
 * figure, drawn with the writer of svg.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/svg.h"
#include "convcalc/train.h"

static const char *const col_name[3] = {"Training", "Validation", "Test"};
static const char *const json_key[3] = {"train", "validation", "test"};

static void num(char *out, size_t size, int have, const char *fmt, double v)
{
    if (!have || !isfinite(v))
        snprintf(out, size, "-");
    else
        snprintf(out, size, fmt, v);
}

void cc_results_render(cc_buf *out, const cc_results *r, cc_format f)
{
    char l[3][32], a[3][32];
    for (int s = 0; s < 3; s++) {
        num(l[s], sizeof l[s], r->have[s], "%.4f", r->loss[s]);
        num(a[s], sizeof a[s], r->have[s], f == CC_FORMAT_LATEX ? "%.2f\\,\\%%" : "%.2f%%",
            100.0 * r->accuracy[s]);
    }
    switch (f) {
    case CC_FORMAT_JSON:
        cc_buf_puts(out, "{");
        for (int s = 0; s < 3; s++) {
            cc_buf_printf(out, "%s\"%s\": ", s ? ", " : "", json_key[s]);
            if (!r->have[s] || !isfinite(r->loss[s]))
                cc_buf_puts(out, "null");
            else
                cc_buf_printf(out, "{\"loss\": %.6f, \"accuracy\": %.6f, \"images\": %zu}",
                              r->loss[s], r->accuracy[s], r->n[s]);
        }
        cc_buf_puts(out, "}\n");
        break;
    case CC_FORMAT_CSV:
        cc_buf_puts(out, "metric,train,validation,test\n");
        for (int row = 0; row < 2; row++) {
            cc_buf_puts(out, row ? "accuracy" : "loss");
            for (int s = 0; s < 3; s++) {
                if (r->have[s])
                    cc_buf_printf(out, ",%.6f", row ? r->accuracy[s] : r->loss[s]);
                else
                    cc_buf_puts(out, ",");
            }
            cc_buf_putc(out, '\n');
        }
        break;
    case CC_FORMAT_MARKDOWN:
        cc_buf_puts(out, "|          | Training | Validation | Test |\n"
                         "|----------|---------:|-----------:|-----:|\n");
        cc_buf_printf(out, "| Loss     | %s | %s | %s |\n", l[0], l[1], l[2]);
        cc_buf_printf(out, "| Accuracy | %s | %s | %s |\n", a[0], a[1], a[2]);
        break;
    case CC_FORMAT_LATEX:
        cc_buf_puts(out, "\\begin{tabular}{lrrr}\n\\hline\n"
                         " & Training & Validation & Test \\\\\n\\hline\n");
        cc_buf_printf(out, "Loss & %s & %s & %s \\\\\n", l[0], l[1], l[2]);
        cc_buf_printf(out, "Accuracy & %s & %s & %s \\\\\n", a[0], a[1], a[2]);
        cc_buf_puts(out, "\\hline\n\\end{tabular}\n");
        break;
    default:
        cc_buf_printf(out, "%-10s", "");
        for (int s = 0; s < 3; s++)
            cc_buf_printf(out, "  %10s", col_name[s]);
        cc_buf_printf(out, "\n%-10s", "Loss");
        for (int s = 0; s < 3; s++)
            cc_buf_printf(out, "  %10s", l[s]);
        cc_buf_printf(out, "\n%-10s", "Accuracy");
        for (int s = 0; s < 3; s++)
            cc_buf_printf(out, "  %10s", a[s]);
        cc_buf_putc(out, '\n');
        break;
    }
}

static const char *class_label(char *tmp, size_t size, const char (*names)[24], int k)
{
    if (names && names[k][0])
        snprintf(tmp, size, "%d %s", k, names[k]);
    else
        snprintf(tmp, size, "%d", k);
    return tmp;
}

static void json_string(cc_buf *out, const char *s)
{
    cc_buf_putc(out, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            cc_buf_printf(out, "\\%c", c);
        else if (c < 0x20)
            cc_buf_printf(out, "\\u%04x", c);
        else
            cc_buf_putc(out, (char)c);
    }
    cc_buf_putc(out, '"');
}

void cc_confusion_render(cc_buf *out, const int64_t *m, int classes,
                         const char (*names)[24], cc_format f)
{
    char tmp[48];
    if (f == CC_FORMAT_JSON) {
        cc_buf_puts(out, "{\"classes\": [");
        for (int k = 0; k < classes; k++) {
            if (k)
                cc_buf_puts(out, ", ");
            json_string(out, names && names[k][0] ? names[k] : class_label(tmp, sizeof tmp, NULL, k));
        }
        cc_buf_puts(out, "], \"matrix\": [");
        for (int t = 0; t < classes; t++) {
            cc_buf_printf(out, "%s[", t ? ", " : "");
            for (int p = 0; p < classes; p++)
                cc_buf_printf(out, "%s%lld", p ? ", " : "", (long long)m[t * classes + p]);
            cc_buf_putc(out, ']');
        }
        cc_buf_puts(out, "]}\n");
        return;
    }
    if (f == CC_FORMAT_CSV) {
        cc_buf_puts(out, "true\\predicted");
        for (int p = 0; p < classes; p++)
            cc_buf_printf(out, ",%d", p);
        cc_buf_putc(out, '\n');
        for (int t = 0; t < classes; t++) {
            cc_buf_printf(out, "%d", t);
            for (int p = 0; p < classes; p++)
                cc_buf_printf(out, ",%lld", (long long)m[t * classes + p]);
            cc_buf_putc(out, '\n');
        }
        return;
    }
    /* text and markdown (LaTeX falls back to markdown-like text) */
    int md = f == CC_FORMAT_MARKDOWN || f == CC_FORMAT_LATEX;
    int lw = 4, cw = 3;
    for (int k = 0; k < classes; k++) {
        int len = (int)strlen(class_label(tmp, sizeof tmp, names, k));
        lw = len > lw ? len : lw;
        for (int p = 0; p < classes; p++) {
            int w = snprintf(tmp, sizeof tmp, "%lld", (long long)m[k * classes + p]);
            cw = w > cw ? w : cw;
        }
    }
    if (md) {
        cc_buf_puts(out, "| true \\ predicted |");
        for (int p = 0; p < classes; p++)
            cc_buf_printf(out, " %d |", p);
        cc_buf_puts(out, " recall |\n|---|");
        for (int p = 0; p <= classes; p++)
            cc_buf_puts(out, "---:|");
        cc_buf_putc(out, '\n');
    } else {
        cc_buf_printf(out, "%-*s", lw, "true \\ predicted");
        if ((int)strlen("true \\ predicted") > lw)
            lw = (int)strlen("true \\ predicted");
        for (int p = 0; p < classes; p++)
            cc_buf_printf(out, " %*d", cw, p);
        cc_buf_puts(out, "  recall\n");
    }
    for (int t = 0; t < classes; t++) {
        int64_t row = 0;
        for (int p = 0; p < classes; p++)
            row += m[t * classes + p];
        double recall = row ? (double)m[t * classes + t] / (double)row : 0;
        class_label(tmp, sizeof tmp, names, t);
        if (md) {
            cc_buf_printf(out, "| %s |", tmp);
            for (int p = 0; p < classes; p++)
                cc_buf_printf(out, " %lld |", (long long)m[t * classes + p]);
            cc_buf_printf(out, " %.1f%% |\n", 100 * recall);
        } else {
            cc_buf_printf(out, "%-*s", lw, tmp);
            for (int p = 0; p < classes; p++)
                cc_buf_printf(out, " %*lld", cw, (long long)m[t * classes + p]);
            cc_buf_printf(out, "  %5.1f%%\n", 100 * recall);
        }
    }
}

void cc_history_csv(cc_buf *out, const cc_eval_point *pts, size_t n)
{
    cc_buf_puts(out, "epoch,step,images,split,loss,accuracy,lr,seconds\n");
    for (size_t i = 0; i < n; i++) {
        const cc_eval_point *p = &pts[i];
        cc_buf_printf(out, "%ld,%lld,%lld,%s,%.6f,%.6f,%g,%.3f\n", p->epoch,
                      (long long)p->step, (long long)p->images,
                      p->split == CC_SPLIT_VAL ? "validation" : "train", p->loss, p->accuracy,
                      p->lr, p->seconds);
    }
}

/* ---- SVG: the learning curves, drawn with the figure writer (svg.h) ------------- */

/* A tick step of 1, 2 or 5 times a power of ten giving about `target` ticks. */
static double nice_step(double range, int target)
{
    if (!(range > 0))
        return 1;
    double raw = range / target, mag = pow(10, floor(log10(raw))), norm = raw / mag;
    return (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
}

typedef struct panel {
    double x0, y0, w, h;       /* plot area */
    double xmin, xmax, ymin, ymax;
} panel;

static double px(const panel *p, double x)
{
    return p->x0 + (p->xmax > p->xmin ? (x - p->xmin) / (p->xmax - p->xmin) : 0.5) * p->w;
}

static double py(const panel *p, double y)
{
    return p->y0 + p->h - (p->ymax > p->ymin ? (y - p->ymin) / (p->ymax - p->ymin) : 0.5) * p->h;
}

/* training and validation */
static const int curve_role[2] = {CC_SVG_BLUE, CC_SVG_VERMILLION};

static void draw_panel(cc_svg *svg, const cc_eval_point *pts, size_t n, double x0, double y0,
                       double w, double h, int accuracy, double xmax)
{
    panel p = {x0, y0, w, h, 0, xmax > 0 ? xmax : 1, 0, 1};
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double v = accuracy ? 100 * pts[i].accuracy : pts[i].loss;
        if (isfinite(v)) {
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
    }
    if (!(lo <= hi)) {
        lo = 0;
        hi = 1;
    }
    if (hi - lo < 1e-9) {
        lo -= accuracy ? 1 : 0.1;
        hi += accuracy ? 1 : 0.1;
    }
    double ys = nice_step(hi - lo, 5);
    p.ymin = floor(lo / ys) * ys;
    p.ymax = ceil(hi / ys) * ys;
    if (!accuracy && p.ymin < 0)
        p.ymin = 0;
    if (accuracy && p.ymax > 100)
        p.ymax = 100;
    double xs = nice_step(p.xmax, 6);
    char b[64];
    const cc_svg_style grid = {.stroke = CC_SVG_RULE}, tick = {.stroke = CC_SVG_INK};
    const cc_svg_font f_tick_y = {.anchor = 1}, f_tick_x = {.anchor = 0};
    /* frame, grid and ticks */
    cc_svg_rect(svg, x0, y0, w, h, &(cc_svg_style){.fill = CC_SVG_PAPER, .stroke = CC_SVG_MUTED});
    for (double y = p.ymin; y <= p.ymax + ys * 1e-6; y += ys) {
        double yy = py(&p, y);
        cc_svg_line(svg, x0, yy, x0 + w, yy, &grid);
        cc_svg_line(svg, x0 - 5, yy, x0, yy, &tick);
        cc_svg_text(svg, x0 - 8, yy + 5, &f_tick_y,
                    cc_fmt_num(b, sizeof b, fabs(y) < ys * 1e-6 ? 0 : y, 4));
    }
    for (double x = 0; x <= p.xmax + xs * 1e-6; x += xs) {
        double xx = px(&p, x);
        cc_svg_line(svg, xx, y0, xx, y0 + h, &grid);
        cc_svg_line(svg, xx, y0 + h, xx, y0 + h + 5, &tick);
        cc_svg_text(svg, xx, y0 + h + 22, &f_tick_x, cc_fmt_num(b, sizeof b, x, 6));
    }
    /* axis labels and panel title */
    cc_svg_text(svg, x0 + w / 2, y0 + h + 50, &(cc_svg_font){.size = 16, .anchor = 0},
                "training step (batches)");
    cc_svg_text_rotated(svg, x0 - 62, y0 + h / 2, -90, &(cc_svg_font){.size = 16, .anchor = 0},
                        accuracy ? "accuracy (%)" : "cross-entropy loss");
    cc_svg_text(svg, x0 + w / 2, y0 - 14, &(cc_svg_font){.size = 18, .anchor = 0, .bold = 1},
                accuracy ? "Accuracy" : "Loss");
    /* the validation point with the lowest loss: a dashed line, "best" */
    size_t best = n;
    for (size_t i = 0; i < n; i++)
        if (pts[i].split == CC_SPLIT_VAL && isfinite(pts[i].loss) &&
            (best == n || pts[i].loss < pts[best].loss))
            best = i;
    if (best < n) {
        double bx = px(&p, (double)pts[best].step);
        cc_svg_line(svg, bx, y0, bx, y0 + h,
                    &(cc_svg_style){.stroke = CC_SVG_MUTED, .stroke_width = 1.2, .dashed = 1});
        cc_svg_textf(svg, bx + 4 > x0 + w - 120 ? bx - 4 : bx + 4, y0 + 16,
                     &(cc_svg_font){.size = 13, .fill = CC_SVG_MUTED,
                                    .anchor = bx + 4 > x0 + w - 120 ? 1 : -1},
                     "best (epoch %ld)", pts[best].epoch);
    }
    /* the two curves: training as a line, validation as a line with dots */
    double *xy = malloc(2 * (n ? n : 1) * sizeof *xy);
    if (!xy) {
        svg->out->failed = 1;
        return;
    }
    for (int s = 0; s < 2; s++) {
        cc_split want = s ? CC_SPLIT_VAL : CC_SPLIT_TRAIN;
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            double v = accuracy ? 100 * pts[i].accuracy : pts[i].loss;
            if (pts[i].split != want || !isfinite(v))
                continue;
            xy[2 * m] = px(&p, (double)pts[i].step);
            xy[2 * m + 1] = py(&p, v);
            m++;
        }
        if (m)
            cc_svg_polyline(svg, xy, m,
                            &(cc_svg_style){.stroke = curve_role[s],
                                            .stroke_width = s ? 2.4 : 1.8, .dashed = s && svg->mono});
        for (size_t i = 0; s && i < m; i++)
            cc_svg_circle(svg, xy[2 * i], xy[2 * i + 1], 4, &(cc_svg_style){.fill = curve_role[1]});
    }
    free(xy);
    /* legend, inside the panel: top right for the loss, bottom right for accuracy */
    double lx = x0 + w - 160, ly = accuracy ? y0 + h - 62 : y0 + 26;
    cc_svg_rect(svg, lx, ly, 150, 52,
                &(cc_svg_style){.fill = CC_SVG_PAPER, .fill_opacity = 0.9, .stroke = CC_SVG_RULE});
    for (int s = 0; s < 2; s++) {
        double yy = ly + 17 + 20 * s;
        cc_svg_line(svg, lx + 8, yy, lx + 36, yy,
                    &(cc_svg_style){.stroke = curve_role[s], .stroke_width = 2.4,
                                    .dashed = s && svg->mono});
        if (s)
            cc_svg_circle(svg, lx + 22, yy, 4, &(cc_svg_style){.fill = curve_role[1]});
        cc_svg_text(svg, lx + 44, yy + 5, &(cc_svg_font){.anchor = -1},
                    s ? "validation" : "training");
    }
}

void cc_curves_svg(cc_buf *out, const cc_eval_point *pts, size_t n, const char *title)
{
    double xmax = 0;
    for (size_t i = 0; i < n; i++)
        xmax = (double)pts[i].step > xmax ? (double)pts[i].step : xmax;
    const char *t = title ? title : "Learning curves";
    cc_svg svg;
    cc_svg_begin(&svg, out, CC_SVG_WIDTH, CC_SVG_HEIGHT, 0, t);
    cc_svg_text(&svg, CC_SVG_WIDTH / 2, 46, &(cc_svg_font){.size = 24, .bold = 1, .anchor = 0},
                t);
    draw_panel(&svg, pts, n, 110, 110, 480, 470, 0, xmax);
    draw_panel(&svg, pts, n, 750, 110, 480, 470, 1, xmax);
    cc_svg_end(&svg);
}
