/* draw.c - drawing with ncurses: frames, text, matrix panels, the tab bar,
 * the status line and the help overlay. Reads the state, never changes it
 * (except the hit map of where the output cells are). */
#define _XOPEN_SOURCE_EXTENDED 1
#include "draw.h"
#include "screens_private.h"

#include <curses.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tui_look_init(tui_look *look)
{
    const char *no_color = getenv("NO_COLOR");
    look->color = has_colors() && !(no_color && no_color[0]);
    const char *cs = nl_langinfo(CODESET);
    look->utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
    if (look->color) {
        start_color();
        use_default_colors();
        init_pair(TUI_R_TITLE, COLOR_CYAN, -1);
        init_pair(TUI_R_WINDOW, COLOR_BLACK, COLOR_YELLOW);
        init_pair(TUI_R_CURRENT, COLOR_BLACK, COLOR_CYAN);
        init_pair(TUI_R_GOOD, COLOR_GREEN, -1);
        init_pair(TUI_R_BAD, COLOR_RED, -1);
        init_pair(TUI_R_DIM, COLOR_BLUE, -1);
        init_pair(TUI_R_TAB, COLOR_BLACK, COLOR_WHITE);
        init_pair(TUI_R_KEY, COLOR_YELLOW, -1);
        init_pair(TUI_R_INPUT, COLOR_GREEN, -1);
    }
}

int tui_attr(const tui_look *look, tui_role role)
{
    if (look->color) {
        switch (role) {
        case TUI_R_NORMAL: return A_NORMAL;
        case TUI_R_TITLE: return COLOR_PAIR(role) | A_BOLD;
        case TUI_R_GOOD:
        case TUI_R_BAD: return COLOR_PAIR(role) | A_BOLD;
        case TUI_R_CURRENT: return COLOR_PAIR(role) | A_BOLD;
        default: return COLOR_PAIR(role);
        }
    }
    switch (role) { /* monochrome */
    case TUI_R_TITLE: return A_BOLD;
    case TUI_R_WINDOW: return A_REVERSE;
    case TUI_R_CURRENT: return A_REVERSE | A_BOLD;
    case TUI_R_GOOD: return A_BOLD;
    case TUI_R_BAD: return A_BOLD | A_UNDERLINE;
    case TUI_R_DIM: return A_DIM;
    case TUI_R_TAB: return A_REVERSE;
    case TUI_R_KEY: return A_BOLD;
    case TUI_R_INPUT: return A_BOLD;
    default: return A_NORMAL;
    }
}

int tui_text(int y, int x, int w, const char *s, int attr)
{
    if (w <= 0 || y < 0 || y >= LINES || x >= COLS)
        return 0;
    if (x + w > COLS)
        w = COLS - x;
    int n = (int)strlen(s);
    if (n > w)
        n = w;
    attron(attr);
    mvaddnstr(y, x, s, n);
    attroff(attr);
    return n;
}

static int wrap(tui_rect r, const char *s, int attr, int draw, const char **rest);

int tui_wrap(tui_rect r, const char *s, int attr) { return wrap(r, s, attr, 1, NULL); }

int tui_wrap_lines(int w, const char *s)
{
    tui_rect r = {0, 0, 1 << 20, w};
    return wrap(r, s, 0, 0, NULL);
}

const char *tui_wrap_skip(int w, const char *s, int lines)
{
    tui_rect r = {0, 0, lines, w};
    const char *rest = s;
    wrap(r, s, 0, 0, &rest);
    return rest;
}

static int wrap(tui_rect r, const char *s, int attr, int draw, const char **rest)
{
    int line = 0;
    const char *p = s;
    while (*p && line < r.h) {
        if (*p == '\n') {
            p++;
            line++;
            continue;
        }
        /* take as many words as fit */
        int len = 0, brk = -1;
        while (p[len] && p[len] != '\n' && len < r.w) {
            if (p[len] == ' ')
                brk = len;
            len++;
        }
        if (p[len] && p[len] != '\n' && p[len] != ' ' && brk > 0)
            len = brk;
        if (draw) {
            attron(attr);
            mvaddnstr(r.y + line, r.x, p, len);
            attroff(attr);
        }
        p += len;
        while (*p == ' ')
            p++;
        if (*p == '\n')
            p++;
        line++;
    }
    if (rest)
        *rest = p;
    return line;
}

void tui_box(const tui_look *look, tui_rect r, const char *title, tui_role title_role)
{
    if (r.h < 2 || r.w < 2)
        return;
    const char *h = look->utf8 ? "\u2500" : "-", *v = look->utf8 ? "\u2502" : "|";
    const char *tl = look->utf8 ? "\u250c" : "+", *tr = look->utf8 ? "\u2510" : "+";
    const char *bl = look->utf8 ? "\u2514" : "+", *br = look->utf8 ? "\u2518" : "+";
    int dim = tui_attr(look, TUI_R_DIM);
    attron(dim);
    mvaddstr(r.y, r.x, tl);
    for (int i = 1; i < r.w - 1; i++)
        addstr(h);
    addstr(tr);
    for (int j = 1; j < r.h - 1; j++) {
        mvaddstr(r.y + j, r.x, v);
        mvaddstr(r.y + j, r.x + r.w - 1, v);
    }
    mvaddstr(r.y + r.h - 1, r.x, bl);
    for (int i = 1; i < r.w - 1; i++)
        addstr(h);
    addstr(br);
    attroff(dim);
    if (title && title[0] && r.w > 4)
        tui_text(r.y, r.x + 1, r.w - 2, title, tui_attr(look, title_role));
}

/* ---- matrix panels -------------------------------------------------------- */

static int panel_cell_width(const tui_panel *p)
{
    char buf[64];
    int w = p->min_cw > 1 ? p->min_cw : 1;
    for (long r = 0; r < p->rows; r++)
        for (long c = 0; c < p->cols; c++) {
            p->cell(p->ctx, r, c, buf, sizeof buf);
            int n = (int)strlen(buf);
            if (n > w)
                w = n;
        }
    return w;
}

void tui_panel_want(const tui_panel *p, int *h, int *w)
{
    int cw = panel_cell_width(p);
    long width = p->cols * (cw + 1) + 3; /* frame, a space each side */
    long tw = (long)strlen(p->title) + 2;
    if (width < tw)
        width = tw;
    *w = width > 10000 ? 10000 : (int)width;
    *h = p->rows + 2 > 10000 ? 10000 : (int)(p->rows + 2);
}

/* First visible index so that [f0, f1] shows in vis places of n. */
static long scroll_start(long n, long vis, long f0, long f1)
{
    if (vis >= n || f0 < 0)
        return 0;
    long s = 0;
    if (f1 >= vis)
        s = f1 - vis + 1;
    if (f0 < s)
        s = f0;
    if (s > n - vis)
        s = n - vis;
    return s < 0 ? 0 : s;
}

void tui_panel_draw(const tui_look *look, const tui_panel *p, tui_rect r, tui_hitmap *hit)
{
    if (hit)
        hit->valid = 0;
    if (r.h < 3 || r.w < 5)
        return;
    int cw = panel_cell_width(p);
    long vis_r = r.h - 2, vis_c = (r.w - 3) / (cw + 1);
    if (vis_c < 1)
        vis_c = 1;
    if (vis_r > p->rows)
        vis_r = p->rows;
    if (vis_c > p->cols)
        vis_c = p->cols;
    long r0 = scroll_start(p->rows, vis_r, p->f_r0, p->f_r1);
    long c0 = scroll_start(p->cols, vis_c, p->f_c0, p->f_c1);
    char title[160];
    if (vis_r < p->rows || vis_c < p->cols)
        snprintf(title, sizeof title, "%s [%ld-%ld,%ld-%ld of %ldx%ld]", p->title, r0 + 1,
                 r0 + vis_r, c0 + 1, c0 + vis_c, p->rows, p->cols);
    else
        snprintf(title, sizeof title, "%s", p->title);
    tui_box(look, r, title, TUI_R_TITLE);
    char buf[64], cell[80];
    for (long i = 0; i < vis_r; i++)
        for (long j = 0; j < vis_c; j++) {
            tui_role role = p->cell(p->ctx, r0 + i, c0 + j, buf, sizeof buf);
            snprintf(cell, sizeof cell, "%*s", cw, buf);
            int y = r.y + 1 + (int)i, x = r.x + 2 + (int)j * (cw + 1);
            tui_text(y, x, cw, cell, tui_attr(look, role));
        }
    /* more to either side */
    int more = tui_attr(look, TUI_R_KEY);
    if (c0 > 0)
        tui_text(r.y + r.h / 2, r.x, 1, "<", more);
    if (c0 + vis_c < p->cols)
        tui_text(r.y + r.h / 2, r.x + r.w - 1, 1, ">", more);
    if (r0 > 0)
        tui_text(r.y, r.x + r.w - 2, 1, "^", more);
    if (r0 + vis_r < p->rows)
        tui_text(r.y + r.h - 1, r.x + r.w - 2, 1, "v", more);
    if (hit) {
        hit->valid = 1;
        hit->y0 = r.y + 1;
        hit->x0 = r.x + 2;
        hit->cell_w = cw + 1;
        hit->row0 = r0;
        hit->col0 = c0;
        hit->rows = vis_r;
        hit->cols = vis_c;
    }
}

/* ---- frame of every screen ----------------------------------------------------- */

static void draw_tabs(const tui_state *s, const tui_look *look)
{
    int x = 0;
    for (int i = 0; i < TUI_NSCREENS; i++) {
        char t[40];
        snprintf(t, sizeof t, " F%d %s ", i + 1, tui_screen_name((tui_screen)i));
        int a = i == (int)s->screen ? tui_attr(look, TUI_R_TAB) | A_BOLD : A_NORMAL;
        x += tui_text(0, x, COLS - x, t, a);
        x += tui_text(0, x, COLS - x, " ", A_NORMAL);
    }
    const char *right = "? help  q quit";
    int n = (int)strlen(right);
    if (COLS - n - 1 > x)
        tui_text(0, COLS - n - 1, n, right, tui_attr(look, TUI_R_KEY));
}

static const char *prompt_label(const tui_state *s, char *buf, size_t size)
{
    switch (s->prompt) {
    case TUI_PROMPT_ANSWER:
        if (s->op == CC_OP_MAX_POOL || s->op == CC_OP_AVG_POOL)
            snprintf(buf, size, "Output (%ld,%ld) of channel %ld = ? (the value): ",
                     s->cur.out_row + 1, s->cur.out_col + 1, s->cur.filter + 1);
        else if (s->walk && cc_walk_geometry(s->walk)->filters > 1)
            snprintf(buf, size, "Output %ld (%ld,%ld) = ? (value, or products = value): ",
                     s->cur.filter + 1, s->cur.out_row + 1, s->cur.out_col + 1);
        else
            snprintf(buf, size, "Output (%ld,%ld) = ? (value, or products = value): ",
                     s->cur.out_row + 1, s->cur.out_col + 1);
        return buf;
    case TUI_PROMPT_VALUE:
        snprintf(buf, size, "%s (%ld,%ld) = ", s->edit_kernel ? "kernel" : "input", s->pick_r + 1,
                 s->pick_c + 1);
        return buf;
    case TUI_PROMPT_LOAD_IMAGE: return "Load the input from file: ";
    case TUI_PROMPT_LOAD_KERNEL: return "Load the kernel from file: ";
    case TUI_PROMPT_MATRIX:
        return s->edit_kernel ? "Kernel (rows ; channels | filters ||): "
                              : "Input (rows ; channels |): ";
    case TUI_PROMPT_STACK_LOAD: return "Load a layer stack from file: ";
    case TUI_PROMPT_STACK_INPUT: return "Input size (HxWxC, empty: the text's): ";
    case TUI_PROMPT_EXERCISE_LOAD: return "Open an exercise set: ";
    case TUI_PROMPT_EXERCISE_VARIANT: return "Variant id: ";
    default: return "> ";
    }
}

/* The message (line y, and y + 1 when no prompt is open and it is long)
 * and the prompt being typed (line y + 1). Returns the cursor column when
 * a prompt is open, else -1. */
static int draw_message(const tui_state *s, const tui_look *look, int y)
{
    int prompt = s->mode == TUI_MODE_PROMPT && s->prompt != TUI_PROMPT_NONE;
    if (s->msg[0]) {
        tui_role role = s->msg_kind == TUI_MSG_GOOD  ? TUI_R_GOOD
                        : s->msg_kind == TUI_MSG_BAD ? TUI_R_BAD
                                                     : TUI_R_NORMAL;
        tui_rect r = {y, 0, prompt ? 1 : 2, COLS};
        tui_wrap(r, s->msg, tui_attr(look, role));
    }
    if (!prompt)
        return -1;
    char lb[160];
    const char *label = prompt_label(s, lb, sizeof lb);
    move(y + 1, 0);
    clrtoeol();
    int x = tui_text(y + 1, 0, COLS, label, tui_attr(look, TUI_R_KEY));
    /* scroll the field so that the cursor shows */
    int room = COLS - x - 1;
    if (room < 1)
        return -1;
    size_t start = s->field.cur > (size_t)room ? s->field.cur - (size_t)room : 0;
    tui_text(y + 1, x, room, s->field.text + start, A_NORMAL);
    return x + (int)(s->field.cur - start);
}

/* keys ("a b  c d  e f", items split by two spaces) in room columns: when
 * they do not fit, the items before the last are dropped from the end, so
 * the last one ("? all keys", "Esc done") always shows. */
static void fit_keys(const char *keys, int room, char *out, size_t size)
{
    snprintf(out, size, "%s", keys);
    /* the last item starts after the last "  " */
    const char *tail = NULL;
    for (const char *p = strstr(keys, "  "); p; p = strstr(p + 1, "  "))
        tail = p + 2;
    if ((int)strlen(out) <= room || !tail)
        return;
    size_t head = (size_t)(tail - keys); /* keys[0..head) ends with "  " */
    while ((int)(head + strlen(tail)) > room) {
        /* drop the item that ends the head part */
        size_t h = head - 2;
        while (h >= 2 && !(keys[h - 1] == ' ' && keys[h - 2] == ' '))
            h--;
        if (h < 2)
            break; /* only the first item is left: cut as before */
        head = h;
    }
    snprintf(out, size, "%.*s%s", (int)head, keys, tail);
}

static void draw_status(const tui_state *s, const tui_look *look, int y)
{
    char left[200];
    const char *keys;
    switch (s->screen) {
    case TUI_SCREEN_STEPPER:
        switch (s->mode) {
        case TUI_MODE_PICK: keys = "arrows move  Enter jump  Esc cancel"; break;
        case TUI_MODE_EDIT:
            keys = "arrows move  Enter/digit type  Tab input/kernel  r retype  o load  Esc done";
            break;
        case TUI_MODE_PROMPT: keys = "Enter accept  Esc cancel"; break;
        default:
            /* the essentials first: this has to fit in 80 columns */
            keys = s->autoplay ? "auto-play: Space pauses  ? all keys"
                               : "n/p step  g/G ends  t try  e/k edit  c cell  m mode  ? all keys";
            break;
        }
        break;
    case TUI_SCREEN_SHAPE:
        keys = "Up/Down field  Del empty=unknown  ^P pool  ^T transposed  F10 quit";
        break;
    case TUI_SCREEN_STACK:
        keys = s->stack && s->stack->editing ? "typing edits  Esc leave editor  ^O load  ^L clear"
                                             : "Enter edit  ^O load  PgUp/PgDn scroll  Tab screens";
        break;
    case TUI_SCREEN_EXERCISES:
        keys = s->exercises && s->exercises->typing
                   ? "Enter check  Esc stop typing  Up/Down problem"
                   : "Up/Down  Enter answer  s solution  w stepper  ^O open set";
        break;
    default: keys = "Tab/F1-F4 screens"; break;
    }
    if (s->mode == TUI_MODE_PROMPT &&
        (s->prompt == TUI_PROMPT_LOAD_IMAGE || s->prompt == TUI_PROMPT_LOAD_KERNEL ||
         s->prompt == TUI_PROMPT_STACK_LOAD || s->prompt == TUI_PROMPT_EXERCISE_LOAD))
        keys = "Enter accept  Tab complete the file name  Esc cancel";
    if (s->screen == TUI_SCREEN_STEPPER && s->walk)
        snprintf(left, sizeof left, " %s %zu/%zu | ", tui_screen_name(s->screen), s->step + 1,
                 tui_nsteps(s));
    else
        snprintf(left, sizeof left, " %s | ", tui_screen_name(s->screen));
    int a = tui_attr(look, TUI_R_TAB);
    attron(a);
    mvhline(y, 0, ' ', COLS);
    attroff(a);
    int x = tui_text(y, 0, COLS, left, a | A_BOLD);
    char fitted[200];
    fit_keys(keys, COLS - x - 1, fitted, sizeof fitted);
    x += tui_text(y, x, COLS - x, fitted, a);
    const char *h = "  ? help";
    if (COLS - x > (int)strlen(h))
        tui_text(y, COLS - (int)strlen(h) - 1, (int)strlen(h), h, a | A_BOLD);
}

static void draw_help(tui_state *s, const tui_look *look)
{
    size_t n1, n2;
    const tui_keyhelp *k1 = tui_help_keys(s->screen, &n1);
    const tui_keyhelp *k2 = tui_help_keys(TUI_NSCREENS, &n2);
    int w = COLS - 4 < 76 ? COLS - 4 : 76, h = LINES - 2;
    if (w < 20 || h < 5)
        return;
    tui_rect r = {1, (COLS - w) / 2, h, w};
    for (int j = 0; j < h; j++)
        mvhline(r.y + j, r.x, ' ', w);
    char title[80];
    snprintf(title, sizeof title, " Help: %s keys ", tui_screen_name(s->screen));
    tui_box(look, r, title, TUI_R_TITLE);
    /* entries, their descriptions wrapped; a blank line between the
     * screen's keys and the global ones */
    int kw = 24, dw = w - kw - 4;
    if (dw < 10)
        return;
    long total = 0;
    int vis = h - 2;
    for (int pass = 0; pass < 2; pass++) {
        long line = 0;
        for (size_t i = 0; i < n1 + 1 + n2; i++) {
            if (i == n1) {
                line++;
                continue;
            }
            const tui_keyhelp *k = i < n1 ? &k1[i] : &k2[i - n1 - 1];
            const char *p = k->what;
            int first = 1;
            do {
                int len = (int)strlen(p), brk = len;
                if (len > dw) {
                    brk = dw;
                    while (brk > 0 && p[brk] != ' ')
                        brk--;
                    if (brk == 0)
                        brk = dw;
                }
                long at = line - s->help_scroll;
                if (pass == 1 && at >= 0 && at < vis) {
                    if (first)
                        tui_text(r.y + 1 + (int)at, r.x + 2, kw, k->keys,
                                 tui_attr(look, TUI_R_KEY));
                    tui_text(r.y + 1 + (int)at, r.x + 2 + kw, brk, p, A_NORMAL);
                }
                p += brk;
                while (*p == ' ')
                    p++;
                first = 0;
                line++;
            } while (*p);
        }
        total = line;
        if (pass == 0 && s->help_scroll > total - vis)
            s->help_scroll = total - vis > 0 ? (int)(total - vis) : 0;
    }
    const char *foot = total > vis ? " arrows scroll, ? or Esc closes " : " ? or Esc closes ";
    tui_text(r.y + h - 1, r.x + w - (int)strlen(foot) - 2, (int)strlen(foot), foot,
             tui_attr(look, TUI_R_DIM));
}

void tui_draw(tui_state *s, const tui_look *look)
{
    erase();
    s->hit.valid = 0;
    s->hit_in.valid = 0;
    s->cursor_y = s->cursor_x = -1;
    if (LINES < 8 || COLS < 30) {
        char m[120];
        snprintf(m, sizeof m, "Terminal %dx%d is too small: convcalc needs 80x24.", COLS, LINES);
        tui_rect r = {0, 0, LINES, COLS};
        tui_wrap(r, m, A_BOLD);
        curs_set(0);
        refresh();
        return;
    }
    draw_tabs(s, look);
    tui_rect area = {1, 0, LINES - 4, COLS};
    if (s->screen == TUI_SCREEN_STEPPER)
        tui_draw_stepper(s, look, area);
    else
        tui_draw_other(s, look, area);
    int cx = draw_message(s, look, LINES - 3);
    draw_status(s, look, LINES - 1);
    if (s->help)
        draw_help(s, look);
    if (cx >= 0 && !s->help) {
        curs_set(1);
        move(LINES - 2, cx);
    } else if (s->cursor_y >= 0 && !s->help) {
        curs_set(1);
        move(s->cursor_y, s->cursor_x);
    } else {
        curs_set(0);
    }
    refresh();
}
