/* convcalc/svg.h - figures: one small SVG writer, and the figures drawn
 * with it (a walk's steps, one layer's arithmetic, a network diagram; the
 * learning curves of training use the writer from the engine).
 *
 * Every figure is an SVG 1.1 document whose viewBox is 1280 x 720 (a 16:9
 * slide), with text as <text> elements (selectable, searchable) in a
 * sans-serif font, drawn in the Okabe-Ito palette (distinguishable with the
 * common colour-vision deficiencies) or, with mono set, in black and greys
 * for print. Animated figures use SMIL <animate> elements only (no script);
 * viewers without animation (rsvg-convert) show the first frame.
 *
 *   cc_svg s;
 *   cc_svg_begin(&s, &buf, CC_SVG_WIDTH, CC_SVG_HEIGHT, mono, "Title");
 *   cc_svg_rect(&s, 10, 10, 50, 50, &(cc_svg_style){.fill = CC_SVG_BLUE});
 *   cc_svg_text(&s, 35, 90, &(cc_svg_font){.size = 14}, "label");
 *   cc_svg_end(&s);            // then write buf; cc_buf_failed says ENOMEM
 *
 * The writer appends to a cc_buf and never fails by itself: an allocation
 * failure marks the buffer (cc_buf_failed), which the caller checks once.
 */
#ifndef CONVCALC_SVG_H
#define CONVCALC_SVG_H

#include "convcalc/arith.h"
#include "convcalc/common.h"
#include "convcalc/stack.h"
#include "convcalc/walk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The size of every figure (user units = pixels at 100%). */
#define CC_SVG_WIDTH 1280.0
#define CC_SVG_HEIGHT 720.0

/* Colours by role. Accents are the Okabe-Ito colours; mono maps each to a
 * grey (and cc_svg_dash gives strokes a pattern instead). */
typedef enum cc_svg_role {
    CC_SVG_NONE = 0,   /* no fill / no stroke                        */
    CC_SVG_PAPER,      /* background                                 */
    CC_SVG_INK,        /* text and outlines                           */
    CC_SVG_MUTED,      /* secondary text                              */
    CC_SVG_RULE,       /* light lines: cell borders, plot grid        */
    CC_SVG_SHADE,      /* shaded cells (padding)                      */
    CC_SVG_BLUE,       /* Okabe-Ito #0072B2                           */
    CC_SVG_ORANGE,     /* #E69F00                                     */
    CC_SVG_GREEN,      /* bluish green #009E73                        */
    CC_SVG_VERMILLION, /* #D55E00                                     */
    CC_SVG_SKY,        /* sky blue #56B4E9                            */
    CC_SVG_PURPLE,     /* reddish purple #CC79A7                      */
    CC_SVG_YELLOW,     /* #F0E442                                     */
    CC_SVG_ROLE_COUNT
} cc_svg_role;

typedef struct cc_svg {
    cc_buf *out;
    double width, height;
    int mono;
} cc_svg;

/* How a shape is painted. A zeroed style paints nothing: set fill and/or
 * stroke. fill_opacity 0 means 1; stroke_width 0 means 1. */
typedef struct cc_svg_style {
    int fill;            /* cc_svg_role                                 */
    double fill_opacity; /* 0 = opaque                                  */
    int stroke;          /* cc_svg_role                                 */
    double stroke_width;
    int dashed;          /* 1: dashed stroke                            */
    int arrow;           /* lines and paths: an arrow head at the end   */
} cc_svg_style;

/* How text is set. size 0 means 14. anchor: -1 start, 0 middle, 1 end. */
typedef struct cc_svg_font {
    double size;
    int bold;
    int anchor;
    int fill;            /* cc_svg_role; 0 (NONE) means INK             */
    int italic;
} cc_svg_font;

/* Start a document of width x height (the viewBox; the width/height
 * attributes are the same numbers), write its <title> (escaped; NULL for
 * none), the background and the shared <defs> (the arrow head). */
void cc_svg_begin(cc_svg *s, cc_buf *out, double width, double height, int mono,
                  const char *title);
/* Close the document. */
void cc_svg_end(cc_svg *s);

/* "#0072B2" etc. for a role in this document's palette. */
const char *cc_svg_color(const cc_svg *s, int role);

/* Append text with the XML special characters escaped (& < > " '). */
void cc_svg_escape(cc_buf *out, const char *text);

/* Estimated width of text set in the figures' font at size (0.6 em per
 * character, counted in UTF-8 code points): enough for layout. */
double cc_svg_text_width(const char *text, double size);

void cc_svg_rect(cc_svg *s, double x, double y, double w, double h, const cc_svg_style *st);
void cc_svg_line(cc_svg *s, double x1, double y1, double x2, double y2,
                 const cc_svg_style *st);
void cc_svg_circle(cc_svg *s, double cx, double cy, double r, const cc_svg_style *st);
/* A path with SVG path data d (written as given: build it with numbers). */
void cc_svg_path(cc_svg *s, const char *d, const cc_svg_style *st);
/* A polyline through n points xy[2i], xy[2i+1]. */
void cc_svg_polyline(cc_svg *s, const double *xy, size_t n, const cc_svg_style *st);
/* A polygon (closed) through n points. */
void cc_svg_polygon(cc_svg *s, const double *xy, size_t n, const cc_svg_style *st);

/* One line of text at (x, y) (baseline). */
void cc_svg_text(cc_svg *s, double x, double y, const cc_svg_font *f, const char *text);
void cc_svg_textf(cc_svg *s, double x, double y, const cc_svg_font *f, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Text rotated by deg degrees about its anchor point. */
void cc_svg_text_rotated(cc_svg *s, double x, double y, double deg, const cc_svg_font *f,
                         const char *text);

/* Groups. attrs is written into the tag as given (NULL for none), e.g.
 * "visibility=\"hidden\"". */
void cc_svg_group_begin(cc_svg *s, const char *attrs);
void cc_svg_group_end(cc_svg *s);
/* Inside a group just begun (before its children): make the group visible
 * only from t0 to t1 seconds of every period seconds, repeating forever
 * (SMIL, calcMode discrete). The group's own visibility is what viewers
 * without animation show. */
void cc_svg_show_during(cc_svg *s, double t0, double t1, double period);

/* ---- grids of numbers -------------------------------------------------------- */
/* A rows x cols grid of square cells with a number in each, the building
 * block of the walk and shape figures. */
typedef struct cc_svg_grid {
    double x, y;               /* top-left corner                          */
    double cell;               /* side of a cell                           */
    long rows, cols;
    const double *values;      /* rows*cols numbers (row-major), or NULL   */
    const signed char *fill;   /* rows*cols roles per cell, or NULL        */
    int fill_all;              /* role for every cell when fill is NULL
                                  (0: none)                               */
    double fill_opacity;       /* of the cell fills (0 = 0.35)            */
    const unsigned char *show; /* rows*cols: 0 hides that cell's number;
                                  NULL shows all                          */
    double font;               /* 0: fit the longest number to the cell   */
    int transparent;           /* 1: no white under the cells (to draw
                                  over regions painted before)            */
} cc_svg_grid;

/* Draw the cells, their borders and numbers (cc_fmt_num, 6 significant
 * digits). */
void cc_svg_grid_draw(cc_svg *s, const cc_svg_grid *g);
/* The font size that fits n values into cells of side cell. */
double cc_svg_grid_font(double cell, const double *values, size_t n);
/* Outline cell (r, c) of a grid (a rectangle of h x w cells from there). */
void cc_svg_grid_outline(cc_svg *s, const cc_svg_grid *g, long r, long c, long h, long w,
                         int role, double width, int dashed);

/* Lines of text wrapped to at most max_width at size, broken after
 * spaces, written from (x, y) down with line spacing 1.3 em; returns the y
 * below the last line. */
double cc_svg_text_block(cc_svg *s, double x, double y, double max_width,
                         const cc_svg_font *f, const char *text);

/* ---- figures ---------------------------------------------------------------------- */
typedef struct cc_svg_opts {
    int mono;        /* black and greys instead of colours             */
    const char *title; /* a title line above the figure, or NULL       */
} cc_svg_opts;

/* One step of a walk (0-based index i < cc_walk_nsteps) as a figure:
 * for a CELL step the padded input (padding shaded, the window's taps
 * outlined), the kernel as applied, the products, the output with this
 * cell highlighted and the cells before it filled in, and the sum as a
 * caption; PAD, KERNEL and OUTPUT steps draw their matrices. Every number
 * comes from the walk. Returns 0 or a CC_E* code with err. */
int cc_svg_walk_step(cc_buf *out, const cc_walk *w, size_t i, const cc_svg_opts *o,
                     cc_error *err);
/* Every CELL step of a walk as one animated figure (SMIL): one step per
 * second, looping; the output fills in as the window moves. */
int cc_svg_walk_animation(cc_buf *out, const cc_walk *w, const cc_svg_opts *o, cc_error *err);

/* A solved shape question drawn as grids in the style of the convolution
 * arithmetic guide: the input with its padding, the kernel's footprint at
 * its first position and the next one a stride away, the output, and the
 * answer's derivation underneath. */
int cc_svg_shape(cc_buf *out, const cc_shape_answer *a, const cc_svg_opts *o, cc_error *err);

/* An inferred layer stack as a network diagram: one block per feature map
 * (height, width and channels on log scales), its shape above, the layers
 * that produce it and their parameters below, skip arrows for residual
 * additions and concatenations, the total parameters in the title. */
int cc_svg_stack(cc_buf *out, const cc_stack *s, const cc_svg_opts *o, cc_error *err);

#ifdef __cplusplus
}
#endif
#endif
