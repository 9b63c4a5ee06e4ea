/* draw.h - ncurses drawing helpers shared by the screens (private). */
#ifndef CONVCALC_TUI_DRAW_H
#define CONVCALC_TUI_DRAW_H

#include "tui.h"

/* How the terminal can draw. */
typedef struct tui_look {
    int color;  /* colours in use (a colour terminal and NO_COLOR unset) */
    int utf8;   /* the locale's character set is UTF-8: box drawing lines */
} tui_look;

/* Roles of the things drawn; each becomes a colour pair or, without
 * colours, a video attribute. */
typedef enum tui_role {
    TUI_R_NORMAL = 0,
    TUI_R_TITLE,    /* panel titles */
    TUI_R_WINDOW,   /* the taps of the current window */
    TUI_R_CURRENT,  /* the current output cell, the cursor */
    TUI_R_GOOD,     /* right answers */
    TUI_R_BAD,      /* errors, wrong answers and terms */
    TUI_R_DIM,      /* padding zeros, cells not yet computed */
    TUI_R_TAB,      /* the active tab, the status line */
    TUI_R_KEY,      /* key names in the status line and help */
    TUI_R_INPUT     /* the input's own cells in the padding step */
} tui_role;

void tui_look_init(tui_look *look);
int tui_attr(const tui_look *look, tui_role role);

/* A rectangle of the screen. */
typedef struct tui_rect {
    int y, x, h, w;
} tui_rect;

/* Draw a frame with a title (clipped) inside r. */
void tui_box(const tui_look *look, tui_rect r, const char *title, tui_role title_role);
/* Text clipped to width w at (y, x); returns the columns used. */
int tui_text(int y, int x, int w, const char *s, int attr);
/* Word-wrapped text in r; returns the lines used. */
int tui_wrap(tui_rect r, const char *s, int attr);
/* Lines the text takes wrapped to width w (nothing drawn). */
int tui_wrap_lines(int w, const char *s);
/* s after its first `lines` lines wrapped at w columns (tui_wrap would
 * draw the rest from there). */
const char *tui_wrap_skip(int w, const char *s, int lines);

/* A matrix shown in a framed panel, scrolled so that the focus rectangle
 * (rows f_r0..f_r1, columns f_c0..f_c1) is visible. cell() writes the text
 * of cell (r, c) and returns its role. */
typedef struct tui_panel {
    const char *title;
    long rows, cols;
    tui_role (*cell)(void *ctx, long r, long c, char *buf, size_t size);
    void *ctx;
    long f_r0, f_r1, f_c0, f_c1;
    int min_cw; /* cells at least this wide (0: as the values shown), so a
                   panel keeps its width from step to step */
} tui_panel;

/* Size the panel would like (frame included). */
void tui_panel_want(const tui_panel *p, int *h, int *w);
/* Draw it in r; when hit is not NULL, record where its cells are. */
void tui_panel_draw(const tui_look *look, const tui_panel *p, tui_rect r, tui_hitmap *hit);

/* The screens. */
void tui_draw(tui_state *s, const tui_look *look);
void tui_draw_stepper(tui_state *s, const tui_look *look, tui_rect area);
void tui_draw_other(tui_state *s, const tui_look *look, tui_rect area);

#endif
