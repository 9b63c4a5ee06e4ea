/* draw_stepper.c - the convolution stepper screen: the padded input with
 * the window, the kernel and its flipped form, the Hadamard product, the
 * output filling in, and the sum written out. Every value shown comes from
 * the walk (convcalc/walk.h). */
#include "draw.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

typedef struct ctx {
    tui_state *s;
    long k;  /* filter shown */
    long ch; /* channel shown */
} ctx;

static tui_role fmt(char *buf, size_t size, double v, tui_role role)
{
    cc_matrix_fmt_value(buf, size, v);
    return role;
}

/* Widest value of a matrix (every plane), as the panels print it. */
static int mat_width(const cc_matrix *m)
{
    char buf[64];
    int w = 1;
    size_t n = cc_matrix_size(m);
    for (size_t i = 0; i < n && i < 100000; i++) {
        int l = (int)strlen(cc_matrix_fmt_value(buf, sizeof buf, m->data[i]));
        if (l > w)
            w = l;
    }
    return w;
}

/* A width no product of an input value and a kernel value exceeds (the
 * largest magnitudes multiplied, negative). */
static int product_width(const cc_walk *w)
{
    double a = 0, b = 0;
    const cc_matrix *x = cc_walk_padded(w), *k = cc_walk_applied(w);
    for (size_t i = 0; i < cc_matrix_size(x); i++)
        if (x->data[i] > a || -x->data[i] > a)
            a = x->data[i] > 0 ? x->data[i] : -x->data[i];
    for (size_t i = 0; i < cc_matrix_size(k); i++)
        if (k->data[i] > b || -k->data[i] > b)
            b = k->data[i] > 0 ? k->data[i] : -k->data[i];
    char buf[64];
    int l = (int)strlen(cc_matrix_fmt_value(buf, sizeof buf, -a * b));
    return l > 12 ? 12 : l;
}

static int is_tap(const cc_walk_step *st, const cc_walk_geom *g, long r, long c)
{
    long dr = r - st->win_row, dc = c - st->win_col;
    return dr >= 0 && dc >= 0 && dr % g->dilation_h == 0 && dc % g->dilation_w == 0 &&
           dr / g->dilation_h < st->k_h && dc / g->dilation_w < st->k_w;
}

static tui_role padded_cell(void *p, long r, long c, char *buf, size_t size)
{
    ctx *x = p;
    const cc_walk *w = x->s->walk;
    const cc_walk_geom *g = cc_walk_geometry(w);
    const cc_walk_step *st = &x->s->cur;
    double v = cc_matrix_get(cc_walk_padded(w), 0, x->ch, r, c);
    int inside = r >= g->pad_top && r < g->pad_top + g->in_h && c >= g->pad_left &&
                 c < g->pad_left + g->in_w;
    if (g->op == CC_OP_TRANSPOSED) /* the input's cells among the zeros */
        inside = (r - g->border_top) % g->stride_h == 0 && r >= g->border_top &&
                 (c - g->border_left) % g->stride_w == 0 && c >= g->border_left &&
                 (r - g->border_top) / g->stride_h < g->in_h &&
                 (c - g->border_left) / g->stride_w < g->in_w;
    if (r == x->s->rf_r && c == x->s->rf_c)
        return fmt(buf, size, v, TUI_R_CURRENT);
    if (st->kind == CC_STEP_CELL && is_tap(st, g, r, c))
        return fmt(buf, size, v, TUI_R_WINDOW);
    if (!inside)
        return fmt(buf, size, v, TUI_R_DIM);
    return fmt(buf, size, v, st->kind == CC_STEP_PAD ? TUI_R_INPUT : TUI_R_NORMAL);
}

static tui_role kernel_cell(void *p, long r, long c, char *buf, size_t size)
{
    ctx *x = p;
    return fmt(buf, size, cc_matrix_get(cc_walk_kernels(x->s->walk), x->k, x->ch, r, c),
               TUI_R_NORMAL);
}

static tui_role applied_cell(void *p, long r, long c, char *buf, size_t size)
{
    ctx *x = p;
    tui_role role = x->s->cur.kind == CC_STEP_KERNEL ? TUI_R_INPUT : TUI_R_NORMAL;
    if (x->s->cur.kind == CC_STEP_PAD) { /* not flipped yet: that is step 2 */
        snprintf(buf, size, ".");
        return TUI_R_DIM;
    }
    return fmt(buf, size, cc_matrix_get(cc_walk_applied(x->s->walk), x->k, x->ch, r, c), role);
}

static tui_role product_cell(void *p, long r, long c, char *buf, size_t size)
{
    ctx *x = p;
    const tui_state *s = x->s;
    const cc_walk_step *st = &s->cur;
    if ((st->kind != CC_STEP_CELL && st->kind != CC_STEP_SCATTER) || !st->products) {
        snprintf(buf, size, ".");
        return TUI_R_DIM;
    }
    if (tui_cell_hidden(s)) {
        snprintf(buf, size, "?");
        return TUI_R_KEY;
    }
    size_t t = ((size_t)x->ch * (size_t)st->k_h + (size_t)r) * (size_t)st->k_w + (size_t)c;
    int wrong = s->verdict.valid && s->verdict.step == s->step && s->verdict.wrong &&
                t < s->verdict.nprod && s->verdict.wrong[t];
    return fmt(buf, size, st->products[t], wrong ? TUI_R_BAD : TUI_R_NORMAL);
}

/* Does the window of output cell (r, c) cover padded cell (pr, pc)? */
static int feeds(const cc_walk_geom *g, long r, long c, long pr, long pc)
{
    long sh = g->op == CC_OP_TRANSPOSED ? 1 : g->stride_h;
    long sw = g->op == CC_OP_TRANSPOSED ? 1 : g->stride_w;
    long dr = pr - r * sh, dc = pc - c * sw;
    return dr >= 0 && dc >= 0 && dr % g->dilation_h == 0 && dc % g->dilation_w == 0 &&
           dr / g->dilation_h < g->k_h && dc / g->dilation_w < g->k_w;
}

static tui_role output_cell(void *p, long r, long c, char *buf, size_t size)
{
    ctx *x = p;
    const tui_state *s = x->s;
    const cc_walk_step *st = &s->cur;
    int current = st->kind == CC_STEP_CELL && st->out_row == r && st->out_col == c;
    int picked = s->mode == TUI_MODE_PICK && s->pick_r == r && s->pick_c == c;
    tui_role role = picked    ? TUI_R_CURRENT
                    : current ? (s->mode == TUI_MODE_PICK ? TUI_R_WINDOW : TUI_R_CURRENT)
                              : TUI_R_NORMAL;
    if (role == TUI_R_NORMAL && s->rf_r >= 0 &&
        feeds(cc_walk_geometry(s->walk), r, c, s->rf_r, s->rf_c))
        role = TUI_R_WINDOW; /* fed by the input cell clicked */
    if (st->kind == CC_STEP_SCATTER) { /* the output so far */
        const cc_walk_geom *g = cc_walk_geometry(s->walk);
        long dr = r - st->win_row, dc = c - st->win_col;
        int hit = dr >= 0 && dc >= 0 && dr % g->dilation_h == 0 && dc % g->dilation_w == 0 &&
                  dr / g->dilation_h < st->k_h && dc / g->dilation_w < st->k_w;
        return fmt(buf, size, st->partial[r * g->out_w + c], hit ? TUI_R_WINDOW : TUI_R_NORMAL);
    }
    if (!tui_output_shown(s, x->k, r, c)) {
        snprintf(buf, size, current ? "?" : ".");
        return role == TUI_R_NORMAL ? TUI_R_DIM : role;
    }
    if (s->try_mode && role == TUI_R_NORMAL && s->revealed) {
        /* the tally marked on the output: right green, wrong red */
        const cc_walk_geom *g = cc_walk_geometry(s->walk);
        unsigned char m = s->revealed[((size_t)x->k * (size_t)g->out_h + (size_t)r) *
                                          (size_t)g->out_w + (size_t)c];
        if (m == TUI_CELL_RIGHT || m == TUI_CELL_WRONG) {
            char v[48];
            cc_matrix_fmt_value(v, sizeof v, cc_matrix_get(cc_walk_output(s->walk), x->k, 0, r,
                                                           c));
            snprintf(buf, size, "%s%s", v, m == TUI_CELL_RIGHT ? "" : "!");
            return m == TUI_CELL_RIGHT ? TUI_R_GOOD : TUI_R_BAD;
        }
    }
    return fmt(buf, size, cc_matrix_get(cc_walk_output(s->walk), x->k, 0, r, c), role);
}

/* The raw matrices, while editing or while the settings are invalid. */
typedef struct raw_ctx {
    const tui_state *s;
    const cc_matrix *m;
    long n, c;
    int cursor; /* show the edit cursor */
} raw_ctx;

static tui_role raw_cell(void *p, long r, long c, char *buf, size_t size)
{
    raw_ctx *x = p;
    int here = x->cursor && x->s->pick_r == r && x->s->pick_c == c;
    return fmt(buf, size, cc_matrix_get(x->m, x->n, x->c, r, c),
               here ? TUI_R_CURRENT : TUI_R_NORMAL);
}

/* Lay out panels side by side in a row of height h starting at (y, x):
 * each gets its wanted width, the first one gives up columns when they do
 * not all fit. Returns the height used. */
static int row_of_panels(const tui_look *look, tui_panel *ps, int n, int y, int x, int w,
                         int h, tui_hitmap **hits)
{
    int want_w[4], want_h[4], total = 0, used_h = 0;
    for (int i = 0; i < n; i++) {
        tui_panel_want(&ps[i], &want_h[i], &want_w[i]);
        total += want_w[i] + (i ? 1 : 0);
    }
    /* shrink the widest panels first until the row fits */
    while (total > w) {
        int wi = 0;
        for (int i = 1; i < n; i++)
            if (want_w[i] > want_w[wi])
                wi = i;
        if (want_w[wi] <= 8)
            break;
        int cut = total - w;
        int can = want_w[wi] - 8;
        if (cut > can)
            cut = can;
        /* do not cut below the next widest panel in one go */
        want_w[wi] -= cut;
        total -= cut;
    }
    for (int i = 0; i < n; i++) {
        int ph = want_h[i] < h ? want_h[i] : h;
        if (ph > used_h)
            used_h = ph;
        tui_rect r = {y, x, ph, want_w[i]};
        if (x + r.w > COLS)
            r.w = COLS - x;
        tui_panel_draw(look, &ps[i], r, hits ? hits[i] : NULL);
        x += want_w[i] + 1;
        if (x >= COLS)
            break;
    }
    return used_h;
}

/* Is the step one the library's own text explains (the operations
 * besides the convolution, and the activation)? */
static int lib_step(const tui_state *s)
{
    const cc_walk_geom *g = cc_walk_geometry(s->walk);
    return g->op != CC_OP_CONV || s->cur.kind == CC_STEP_ACTIVATION;
}

/* The library's text of the current step: its title ("Step i of n: ...")
 * into title (may be NULL), the rest into body (may be NULL). */
static void lib_text(const tui_state *s, char *title, size_t size, cc_buf *body)
{
    cc_walk_render_opts o;
    cc_walk_render_opts_init(&o);
    o.step = (long)s->step;
    cc_buf b = {0};
    if (cc_walk_render(&b, s->walk, &o, NULL) != 0 || cc_buf_failed(&b)) {
        if (title)
            snprintf(title, size, "Step %zu", s->step + 1);
        cc_buf_free(&b);
        return;
    }
    const char *t = cc_buf_str(&b), *nl = strchr(t, '\n');
    size_t tl = nl ? (size_t)(nl - t) : strlen(t);
    if (title) {
        /* "Step 3 of 27: ..." as the stepper writes it, "Step 3/27: ..." */
        size_t i = 0, j = 0;
        char tmp[512];
        snprintf(tmp, sizeof tmp, "%.*s", (int)(tl < 500 ? tl : 500), t);
        const char *of = strstr(tmp, " of ");
        const char *colon = strchr(tmp, ':');
        while (tmp[i] && j + 1 < size) {
            if (of && colon && tmp + i == of && of < colon) {
                title[j++] = '/';
                i += 4;
                continue;
            }
            title[j++] = tmp[i++];
        }
        title[j] = '\0';
    }
    if (body && nl)
        cc_buf_puts(body, nl + 1);
    cc_buf_free(&b);
}

/* The step line in at most room columns where it can be: the cell steps
 * have a shorter wording for narrow terminals (still saying that rows and
 * columns are counted from 1). */
static void step_line(const tui_state *s, char *out, size_t size, int room)
{
    const cc_walk_geom *g = cc_walk_geometry(s->walk);
    const cc_walk_step *st = &s->cur;
    size_t n = tui_nsteps(s);
    if (lib_step(s)) {
        lib_text(s, out, size, NULL);
        return;
    }
    char filt[32] = "";
    if (g->filters > 1)
        snprintf(filt, sizeof filt, "filter %ld, ", st->filter + 1);
    switch (st->kind) {
    case CC_STEP_PAD:
        snprintf(out, size, "Step %zu/%zu: zero padding turns the %ldx%ld input into %ldx%ld",
                 s->step + 1, n, g->in_h, g->in_w, g->padded_h, g->padded_w);
        break;
    case CC_STEP_KERNEL:
        if (g->mode == CC_MODE_CONVOLUTION)
            snprintf(out, size, "Step %zu/%zu: %sthe kernel flipped by 180 degrees", s->step + 1,
                     n, filt);
        else
            snprintf(out, size, "Step %zu/%zu: %sthe kernel, not flipped (cross-correlation)",
                     s->step + 1, n, filt);
        break;
    case CC_STEP_CELL:
        for (int form = 0; form < 3; form++) {
            static const char *const fmt[3] = {
                "Step %zu/%zu: %soutput (%ld,%ld), window rows %ld-%ld, columns %ld-%ld "
                "(counted from 1)",
                "Step %zu/%zu: %soutput (%ld,%ld), window rows %ld-%ld, cols %ld-%ld "
                "(counted from 1)",
                "Step %zu/%zu: %soutput (%ld,%ld), rows %ld-%ld, cols %ld-%ld (from 1)"};
            int len = snprintf(out, size, fmt[form], s->step + 1, n, filt, st->out_row + 1,
                               st->out_col + 1, st->win_row + 1, st->win_row + g->eff_h,
                               st->win_col + 1, st->win_col + g->eff_w);
            if (len <= room)
                break;
        }
        break;
    case CC_STEP_OUTPUT:
        snprintf(out, size, "Step %zu/%zu: the finished %ldx%ld output", s->step + 1, n,
                 g->out_h, g->out_w);
        break;
    default:
        snprintf(out, size, "Step %zu/%zu: %s", s->step + 1, n, cc_step_kind_name(st->kind));
        break;
    }
}

/* "The stride leaves ... never covered" when the windows do not reach the
 * end of the padded input. */
static void unused_note(const cc_walk_geom *g, cc_buf *b)
{
    long rows = g->padded_h - ((g->out_h - 1) * g->stride_h + g->eff_h);
    long cols = g->padded_w - ((g->out_w - 1) * g->stride_w + g->eff_w);
    if (rows <= 0 && cols <= 0)
        return;
    cc_buf_puts(b, " Note: with this stride ");
    if (rows > 0)
        cc_buf_printf(b, "the last %ld row%s", rows, rows == 1 ? "" : "s");
    if (rows > 0 && cols > 0)
        cc_buf_puts(b, " and ");
    if (cols > 0)
        cc_buf_printf(b, "the last %ld column%s", cols, cols == 1 ? "" : "s");
    cc_buf_printf(b, " of the padded input %s never covered by a window.",
                  rows + cols > 1 ? "are" : "is");
}

/* What the box beside the output says. */
static void explain(const tui_state *s, cc_buf *b)
{
    const cc_walk_geom *g = cc_walk_geometry(s->walk);
    const cc_walk_step *st = &s->cur;
    if (lib_step(s) && !tui_cell_hidden(s)) {
        lib_text(s, NULL, 0, b);
        if (st->kind == CC_STEP_PAD || st->kind == CC_STEP_OUTPUT)
            unused_note(g, b);
        return;
    }
    switch (st->kind) {
    case CC_STEP_PAD:
        cc_buf_printf(b, "Zeros added: %ld row(s) on top, %ld at the bottom, %ld column(s) on "
                      "the left, %ld on the right. The %ldx%ld input becomes %ldx%ld.",
                      g->pad_top, g->pad_bottom, g->pad_left, g->pad_right, g->in_h, g->in_w,
                      g->padded_h, g->padded_w);
        if (g->dilation_h > 1 || g->dilation_w > 1)
            cc_buf_printf(b, " With dilation %ld the %ldx%ld kernel spans %ldx%ld.",
                          g->dilation_h, g->k_h, g->k_w, g->eff_h, g->eff_w);
        unused_note(g, b);
        break;
    case CC_STEP_KERNEL:
        if (g->mode == CC_MODE_CONVOLUTION)
            cc_buf_puts(b, "Convolution rotates the kernel by 180 degrees before sliding it: "
                           "the last row becomes the first and every row is reversed. "
                           "(m switches to cross-correlation, which slides it as written.)");
        else
            cc_buf_puts(b, "Cross-correlation (what PyTorch's conv2d computes) slides the "
                           "kernel as written. (m switches to convolution, which flips it.)");
        break;
    case CC_STEP_CELL:
        if (tui_cell_hidden(s) && g->op == CC_OP_MAX_POOL) {
            cc_buf_puts(b, "Your turn: the largest value in the highlighted window (padding "
                           "never wins). Type it below; Esc shows it.");
        } else if (tui_cell_hidden(s) && g->op == CC_OP_AVG_POOL) {
            cc_buf_printf(b, "Your turn: the mean of the highlighted window, its sum divided "
                             "by the number of cells (%s). Type it below; Esc shows it.",
                          g->count_include_pad ? "padding zeros count, as PyTorch's default"
                                               : "padding cells do not count");
        } else if (tui_cell_hidden(s)) {
            cc_buf_puts(b, "Your turn: multiply the highlighted window by the ");
            cc_buf_puts(b, g->mode == CC_MODE_CONVOLUTION ? "flipped kernel" : "kernel");
            if (g->channels > 1)
                cc_buf_printf(b, " cell by cell on each of the %ld channels (< > shows the "
                                 "others) and add all the products.", g->channels);
            else
                cc_buf_puts(b, " cell by cell and add the products.");
            cc_buf_puts(b, " Type the value below (or the products, then = value); Esc "
                           "shows it.");
        } else {
            cc_buf_printf(b, "Window times %s, cell by cell, summed:\n",
                          g->mode == CC_MODE_CONVOLUTION ? "flipped kernel" : "kernel");
            if (cc_walk_format_sum(b, s->walk, st, -1, CC_FORMAT_TEXT) != 0)
                cc_buf_puts(b, "(cannot write the sum)");
        }
        break;
    case CC_STEP_OUTPUT:
        cc_buf_printf(b, "Output size per side: (input + padding - span) / stride + 1, "
                      "rounded down: rows (%ld + %ld + %ld - %ld) / %ld + 1 = %ld, "
                      "columns (%ld + %ld + %ld - %ld) / %ld + 1 = %ld.",
                      g->in_h, g->pad_top, g->pad_bottom, g->eff_h, g->stride_h, g->out_h,
                      g->in_w, g->pad_left, g->pad_right, g->eff_w, g->stride_w, g->out_w);
        unused_note(g, b);
        break;
    default:
        break;
    }
}

static void draw_raw(tui_state *s, const tui_look *look, tui_rect area)
{
    long n, c;
    tui_edit_plane(s, &n, &c);
    int editing = s->mode == TUI_MODE_EDIT ||
                  (s->mode == TUI_MODE_PROMPT &&
                   (s->prompt == TUI_PROMPT_VALUE || s->prompt == TUI_PROMPT_MATRIX));
    raw_ctx ix = {s, &s->image, 0, c < s->image.c ? c : 0, editing && !s->edit_kernel};
    raw_ctx kx = {s, &s->kernel, s->edit_kernel ? n : 0, c < s->kernel.c ? c : 0,
                  editing && s->edit_kernel};
    char t1[160], t2[160], ich[48] = "", kch[96] = "";
    if (s->image.c > 1)
        snprintf(ich, sizeof ich, " ch %ld/%ld", ix.c + 1, s->image.c);
    if (s->kernel.n > 1)
        snprintf(kch, sizeof kch, " filter %ld/%ld", kx.n + 1, s->kernel.n);
    if (s->kernel.c > 1)
        snprintf(kch + strlen(kch), sizeof kch - strlen(kch), " ch %ld/%ld", kx.c + 1,
                 s->kernel.c);
    snprintf(t1, sizeof t1, "Input %ldx%ld%s%s", s->image.rows, s->image.cols, ich,
             ix.cursor ? " (editing)" : "");
    snprintf(t2, sizeof t2, "Kernel %ldx%ld%s%s", s->kernel.rows, s->kernel.cols, kch,
             kx.cursor ? " (editing)" : "");
    tui_panel ps[2] = {
        {t1, s->image.rows, s->image.cols, raw_cell, &ix, ix.cursor ? s->pick_r : 0,
         ix.cursor ? s->pick_r : 0, ix.cursor ? s->pick_c : 0, ix.cursor ? s->pick_c : 0, 0},
        {t2, s->kernel.rows, s->kernel.cols, raw_cell, &kx, kx.cursor ? s->pick_r : 0,
         kx.cursor ? s->pick_r : 0, kx.cursor ? s->pick_c : 0, kx.cursor ? s->pick_c : 0, 0},
    };
    int h = area.h - 4;
    int used = row_of_panels(look, ps, 2, area.y, area.x, area.w, h, NULL);
    if (!s->walk) {
        tui_rect r = {area.y + used + 1, 1, area.h - used - 1, area.w - 2};
        char m[600];
        snprintf(m, sizeof m, "These settings make no convolution: %s", s->walk_error);
        tui_wrap(r, m, tui_attr(look, TUI_R_BAD));
    }
}

void tui_draw_stepper(tui_state *s, const tui_look *look, tui_rect area)
{
    char line[512], pad[128];
    char tally[96] = "";
    if (s->try_mode)
        snprintf(tally, sizeof tally, "  [try it: %zu right, %zu wrong]", s->tally_right,
                 s->tally_wrong);
    char st_[48], di_[48];
    if (s->stride == s->stride_w)
        snprintf(st_, sizeof st_, "%ld", s->stride);
    else
        snprintf(st_, sizeof st_, "%ldx%ld", s->stride, s->stride_w);
    if (s->dilation == s->dilation_w)
        snprintf(di_, sizeof di_, "%ld", s->dilation);
    else
        snprintf(di_, sizeof di_, "%ldx%ld", s->dilation, s->dilation_w);
    char opname[160], what[64] = "";
    if (s->walk && (s->op == CC_OP_MAX_POOL || s->op == CC_OP_AVG_POOL)) {
        const cc_walk_geom *g = cc_walk_geometry(s->walk);
        snprintf(what, sizeof what, " %ldx%ld", g->k_h, g->k_w);
    } else if (s->op == CC_OP_TRANSPOSED && s->tview != CC_TVIEW_BOTH) {
        snprintf(what, sizeof what, " (%s view)", s->tview == CC_TVIEW_SCATTER ? "scatter"
                                                                               : "conv");
    }
    snprintf(opname, sizeof opname, "%s%s%s%s%s%.20s%s",
             s->exercise[0] ? "[exercise " : "", s->exercise, s->exercise[0] ? ", b back] " : "",
             s->op == CC_OP_CONV ? cc_conv_mode_name(s->conv_mode) : cc_walk_op_name(s->op),
             what, s->act != CC_ACT_NONE ? "+" : "",
             s->act != CC_ACT_NONE ? cc_activation_name(s->act) : "");
    snprintf(line, sizeof line, "%s  stride %s  padding %s  dilation %s%s", opname, st_,
             tui_pad_describe(s, pad, sizeof pad), di_, tally);
    if ((int)strlen(line) > area.w - 1 && tally[0])
        /* the tally matters more than the spacing: single spaces */
        snprintf(line, sizeof line, "%s stride %s padding %s dilation %s [try it: %zu right, "
                 "%zu wrong]", opname, st_, tui_pad_describe(s, pad, sizeof pad), di_,
                 s->tally_right, s->tally_wrong);
    tui_text(area.y, 1, area.w - 1, line, tui_attr(look, TUI_R_TITLE));
    if (s->walk) {
        const cc_walk_geom *g = cc_walk_geometry(s->walk);
        char sz[128], ch[32] = "";
        /* HxWxC as everywhere; pooling keeps the channels, a convolution
         * gives one output per filter */
        if (g->channels > 1)
            snprintf(ch, sizeof ch, "x%ld", g->channels);
        if (g->op == CC_OP_MAX_POOL || g->op == CC_OP_AVG_POOL)
            snprintf(sz, sizeof sz, "in %ldx%ld%s  out %ldx%ld%s", g->in_h, g->in_w, ch, g->out_h,
                     g->out_w, ch);
        else if (g->filters > 1)
            snprintf(sz, sizeof sz, "in %ldx%ld%s out %ldx%ld, %ld filters", g->in_h, g->in_w,
                     ch, g->out_h, g->out_w, g->filters);
        else
            snprintf(sz, sizeof sz, "in %ldx%ld%s  out %ldx%ld", g->in_h, g->in_w, ch, g->out_h,
                     g->out_w);
        int n = (int)strlen(sz);
        if ((int)strlen(line) + n + 2 <= area.w)
            tui_text(area.y, area.w - n - 1, n, sz, A_NORMAL);
    }
    tui_rect rest = {area.y + 2, area.x, area.h - 2, area.w};
    int editing = s->mode == TUI_MODE_EDIT ||
                  (s->mode == TUI_MODE_PROMPT &&
                   (s->prompt == TUI_PROMPT_VALUE || s->prompt == TUI_PROMPT_MATRIX ||
                    s->edit_back));
    if (!s->walk || editing) {
        if (!s->walk)
            tui_text(area.y + 1, 1, area.w - 1, "No walk: change the settings or the matrices.",
                     tui_attr(look, TUI_R_BAD));
        else
            tui_text(area.y + 1, 1, area.w - 1, "Editing: the walk is recomputed after each change.",
                     A_NORMAL);
        draw_raw(s, look, rest);
        return;
    }
    if (s->im2col_view) {
        cc_buf b = {0};
        tui_text(area.y + 1, 1, area.w - 1, "im2col: unrolled input times kernels as columns "
                 "(arrows scroll, I: steps)", A_BOLD);
        if (cc_walk_render_im2col(&b, s->walk, CC_FORMAT_TEXT, NULL) == 0 && !cc_buf_failed(&b)) {
            const char *p = cc_buf_str(&b);
            /* keep the scroll in range: the last line at the bottom at most */
            int nlines = 0, widest = 0;
            for (const char *q = p; *q;) {
                const char *e = strchr(q, '\n');
                int len = e ? (int)(e - q) : (int)strlen(q);
                if (len > widest)
                    widest = len;
                nlines++;
                q += len + (e != NULL);
            }
            if (s->im2col_top > nlines - rest.h)
                s->im2col_top = nlines - rest.h > 0 ? nlines - rest.h : 0;
            if (s->im2col_left > widest - (area.w - 1))
                s->im2col_left = widest - (area.w - 1) > 0 ? widest - (area.w - 1) : 0;
            for (int skip = 0; *p && skip < s->im2col_top; skip++) {
                const char *e = strchr(p, '\n');
                p = e ? e + 1 : p + strlen(p);
            }
            for (int y = rest.y; *p && y < rest.y + rest.h; y++) {
                const char *e = strchr(p, '\n');
                int len = e ? (int)(e - p) : (int)strlen(p);
                char ln[512];
                int from = s->im2col_left < len ? s->im2col_left : len;
                snprintf(ln, sizeof ln, "%.*s", len - from < 511 ? len - from : 511, p + from);
                tui_text(y, 1, area.w - 1, ln, A_NORMAL);
                p += len + (e != NULL);
            }
        }
        cc_buf_free(&b);
        return;
    }
    const cc_walk_geom *g = cc_walk_geometry(s->walk);
    const cc_walk_step *st = &s->cur;
    step_line(s, line, sizeof line, area.w - 1);
    if ((int)strlen(line) > area.w - 1 && rest.h >= 16) {
        /* a long title (the operations' steps) takes a second line when
         * there is room for it */
        tui_rect tr = {area.y + 1, 1, 2, area.w - 1};
        int used = tui_wrap(tr, line, A_BOLD);
        rest.y += used - 1;
        rest.h -= used - 1;
    } else {
        tui_text(area.y + 1, 1, area.w - 1, line, A_BOLD);
    }

    ctx x = {s,
             st->kind == CC_STEP_KERNEL || st->kind == CC_STEP_CELL ||
                     st->kind == CC_STEP_SCATTER
                 ? st->filter
                 : 0,
             s->channel};
    int pool = g->op == CC_OP_MAX_POOL || g->op == CC_OP_AVG_POOL;
    if (pool)
        x.ch = x.k; /* pooling: filter k is channel k */
    char tp[160], tk[160], ta[160], th[160], to[160], chs[48] = "";
    if (g->channels > 1)
        snprintf(chs, sizeof chs, " ch %ld/%ld", x.ch + 1, g->channels);
    snprintf(tp, sizeof tp, "Padded input%s", chs);
    if (g->filters > 1)
        snprintf(tk, sizeof tk, "Kernel %ld%s", x.k + 1, chs);
    else
        snprintf(tk, sizeof tk, "Kernel%s", chs);
    snprintf(ta, sizeof ta, "%s%s", g->mode == CC_MODE_CONVOLUTION ? "Flipped" : "As slid", chs);
    snprintf(th, sizeof th, "Products%s", chs);
    if (g->filters > 1)
        snprintf(to, sizeof to, "Output %s%ld/%ld", pool ? "ch " : "", x.k + 1, g->filters);
    else
        snprintf(to, sizeof to, "Output");
    long fr0 = -1, fr1 = -1, fc0 = -1, fc1 = -1;
    if (st->kind == CC_STEP_CELL) {
        fr0 = st->win_row;
        fr1 = st->win_row + g->eff_h - 1;
        fc0 = st->win_col;
        fc1 = st->win_col + g->eff_w - 1;
    }
    int kw_ = mat_width(cc_walk_kernels(s->walk));
    tui_panel top[4] = {
        {tp, g->padded_h, g->padded_w, padded_cell, &x, fr0, fr1, fc0, fc1, 0},
        {tk, g->k_h, g->k_w, kernel_cell, &x, -1, -1, -1, -1, kw_},
        {ta, g->k_h, g->k_w, applied_cell, &x, -1, -1, -1, -1, kw_},
        {th, g->k_h, g->k_w, product_cell, &x, -1, -1, -1, -1, product_width(s->walk)},
    };
    long orow = st->kind == CC_STEP_CELL ? st->out_row : -1;
    long ocol = st->kind == CC_STEP_CELL ? st->out_col : -1;
    if (s->mode == TUI_MODE_PICK) {
        orow = s->pick_r;
        ocol = s->pick_c;
    }
    tui_panel out = {to, g->out_h, g->out_w, output_cell, &x, orow, orow, ocol, ocol,
                     mat_width(cc_walk_output(s->walk)) + (s->try_mode ? 1 : 0)};

    /* the size every panel needs in full; a smaller terminal is told so */
    int need_w = 0, need_h = 0;
    for (int i = 0; i < (pool ? 1 : 4); i++) {
        int h, w;
        tui_panel_want(&top[i], &h, &w);
        need_w += w + 1;
        if (h > need_h)
            need_h = h;
    }
    {
        int oh_, ow_;
        tui_panel_want(&out, &oh_, &ow_);
        if (ow_ + 1 + 44 > need_w)
            need_w = ow_ + 1 + 44;
        need_h += (oh_ > 6 ? oh_ : 6) + 2 + 5; /* header, message, status, tabs */
    }
    /* from 80x24 on, large matrices scroll in their panels by design */
    int too_small = (COLS < 80 || LINES < 24) && (COLS < need_w || LINES < need_h);
    if (too_small) {
        char m[200];
        snprintf(m, sizeof m, "Too small (%dx%d): needs %dx%d.", COLS, LINES,
                 need_w > COLS ? need_w : COLS, need_h > LINES ? need_h : LINES);
        tui_text(area.y + area.h - 1, 1, area.w - 1, m, tui_attr(look, TUI_R_BAD));
        rest.h -= 1;
    }
    /* heights: the top row as tall as it wants, leaving the bottom row at
     * least 5 lines (or what it wants, if less) */
    int top_h = 0, tw;
    for (int i = 0; i < (pool ? 1 : 4); i++) {
        int h;
        tui_panel_want(&top[i], &h, &tw);
        if (h > top_h)
            top_h = h;
    }
    int out_h, out_w;
    tui_panel_want(&out, &out_h, &out_w);
    int bottom_min = out_h < 5 ? 5 : out_h;
    if (bottom_min > rest.h / 2)
        bottom_min = rest.h / 2;
    if (top_h > rest.h - bottom_min)
        top_h = rest.h - bottom_min;
    if (top_h < 3)
        top_h = 3;
    tui_hitmap *in_hits[4] = {&s->hit_in, NULL, NULL, NULL};
    /* no room for both rows: the output and the sum (what the step
     * computes) before the matrices it comes from */
    int used = rest.h < top_h + 3 ? 0
                                  : row_of_panels(look, top, pool ? 1 : 4, rest.y, rest.x,
                                                  rest.w, top_h, in_hits);

    int by = rest.y + used, bh = rest.h - used;
    if (bh < 3)
        return;
    if (st->kind == CC_STEP_OUTPUT && g->filters > 1) {
        s->hit.valid = 0;
        /* the finished output: every filter's, side by side */
        ctx xs[4];
        tui_panel ps[4];
        char titles[4][48];
        int n = g->filters < 4 ? (int)g->filters : 4;
        for (int i = 0; i < n; i++) {
            xs[i] = x;
            xs[i].k = i;
            snprintf(titles[i], sizeof titles[i], "Output %s%d/%ld", pool ? "ch " : "", i + 1,
                     g->filters);
            tui_panel p = {titles[i], g->out_h, g->out_w, output_cell, &xs[i], -1, -1, -1, -1,
                           mat_width(cc_walk_output(s->walk))};
            ps[i] = p;
        }
        int used2 = row_of_panels(look, ps, n, by, rest.x, rest.w, bh, NULL);
        if (g->filters > n && used2 < bh) {
            char more[96];
            snprintf(more, sizeof more, "and %ld more filters: 'conv --summary' prints all",
                     g->filters - n);
            tui_text(by + used2, 1, rest.w - 1, more, A_NORMAL);
        }
        return;
    }
    tui_hitmap *hits[1] = {&s->hit};
    int oh = out_h < bh ? out_h : bh;
    if (out_w > rest.w / 2)
        out_w = rest.w / 2 > 12 ? rest.w / 2 : 12;
    tui_rect orect = {by, rest.x, oh, out_w};
    tui_panel_draw(look, &out, orect, hits[0]);

    tui_rect box = {by, rest.x + out_w + 1, bh, rest.w - out_w - 1};
    if (box.w < 12)
        return;
    cc_buf b = {0};
    explain(s, &b);
    const char *text = cc_buf_failed(&b) ? "(out of memory)" : cc_buf_str(&b);
    int has_verdict = st->kind == CC_STEP_CELL && s->verdict.valid && s->verdict.step == s->step;
    /* as tall as the text (and the output beside it) needs */
    int need = tui_wrap_lines(box.w - 4, text) + has_verdict + 2;
    if (need < oh)
        need = oh;
    if (need < box.h)
        box.h = need;
    const char *title = st->kind == CC_STEP_CELL && !pool ? "Sum" : "What happens";
    tui_box(look, box, title, TUI_R_TITLE);
    tui_rect inner = {box.y + 1, box.x + 2, box.h - 2, box.w - 4};
    cc_buf cut = {0};
    if (st->kind == CC_STEP_CELL && tui_wrap_lines(inner.w, text) + has_verdict > inner.h) {
        /* a sum cut by a small terminal: its end (the value) matters
         * most, then the terms before it; the heading line goes first */
        const char *nl = strchr(text, '\n');
        if (nl && nl[1])
            text = nl + 1;
        int over = tui_wrap_lines(inner.w, text) + has_verdict - inner.h;
        if (over > 0 && inner.h - has_verdict < 2) {
            text = tui_wrap_skip(inner.w, text, over); /* one line: the value */
        } else if (over > 0) {
            /* "... " says the terms before are not shown */
            const char *rest = tui_wrap_skip(inner.w, text, over);
            cc_buf_puts(&cut, "... ");
            cc_buf_puts(&cut, rest);
            if (tui_wrap_lines(inner.w, cc_buf_str(&cut)) + has_verdict > inner.h) {
                cc_buf_free(&cut);
                cc_buf_puts(&cut, "... ");
                cc_buf_puts(&cut, tui_wrap_skip(inner.w, text, over + 1));
            }
            if (!cc_buf_failed(&cut))
                text = cc_buf_str(&cut);
        }
    }
    int lines = tui_wrap(inner, text, 0);
    if (has_verdict && lines < inner.h) {
        tui_rect v = {inner.y + lines, inner.x, inner.h - lines, inner.w};
        tui_wrap(v, s->verdict.nwrong == 0 ? "Your answer: right." : "Your answer: wrong.",
                 tui_attr(look, s->verdict.nwrong == 0 ? TUI_R_GOOD : TUI_R_BAD));
    }
    cc_buf_free(&cut);
    cc_buf_free(&b);
}
