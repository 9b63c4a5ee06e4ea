/* state.c - the TUI's state and what each key does to it. No drawing here
 * and no arithmetic: the walk (convcalc/walk.h) computes every number, this
 * file only decides which step, cell, setting or text is current. */
#include "tui.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui_screens.h"

#define cell_index tui__cell_index
#define verdict_clear tui__verdict_clear
#define close_prompt tui__close_prompt
#define load_step tui__load_step

/* ---- messages ------------------------------------------------------------ */

#define say tui__say

void tui__say(tui_state *s, tui_msg_kind kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->msg, sizeof s->msg, fmt, ap);
    va_end(ap);
    s->msg_kind = kind;
}

static void say_error(tui_state *s, const char *what, const cc_error *err)
{
    char pos[64] = "";
    if (err->line > 0)
        snprintf(pos, sizeof pos, "line %d, column %d: ", err->line, err->col);
    say(s, TUI_MSG_BAD, "%s%s%s%s", what, what[0] ? ": " : "", pos,
        err->msg[0] ? err->msg : cc_strerror(err->code));
}

/* ---- the walk -------------------------------------------------------------- */

const char *tui_pad_describe(const tui_state *s, char *out, size_t size)
{
    const char *kind = s->pad_kind == TUI_PAD_VALID  ? "valid"
                       : s->pad_kind == TUI_PAD_SAME ? "same"
                       : s->pad_kind == TUI_PAD_FULL ? "full"
                                                     : NULL;
    if (!kind) {
        if (s->pad == s->pad_bottom && s->pad == s->pad_left && s->pad == s->pad_right)
            snprintf(out, size, "%ld", s->pad);
        else { /* the notation of --padding: HxW, each part P or B,E */
            char h[48], w[48];
            if (s->pad == s->pad_bottom)
                snprintf(h, sizeof h, "%ld", s->pad);
            else
                snprintf(h, sizeof h, "%ld,%ld", s->pad, s->pad_bottom);
            if (s->pad_left == s->pad_right)
                snprintf(w, sizeof w, "%ld", s->pad_left);
            else
                snprintf(w, sizeof w, "%ld,%ld", s->pad_left, s->pad_right);
            snprintf(out, size, "%sx%s", h, w);
        }
        return out;
    }
    if (s->walk && s->pad_kind != TUI_PAD_VALID) {
        const cc_walk_geom *g = cc_walk_geometry(s->walk);
        if (g->pad_top == g->pad_bottom && g->pad_top == g->pad_left &&
            g->pad_top == g->pad_right)
            snprintf(out, size, "%s (%ld)", kind, g->pad_top);
        else
            snprintf(out, size, "%s (top %ld, bottom %ld, left %ld, right %ld)", kind,
                     g->pad_top, g->pad_bottom, g->pad_left, g->pad_right);
    } else {
        snprintf(out, size, "%s", kind);
    }
    return out;
}

size_t tui_nsteps(const tui_state *s) { return s->walk ? cc_walk_nsteps(s->walk) : 0; }

size_t tui__cell_index(const tui_state *s, long k, long r, long c)
{
    const cc_walk_geom *g = cc_walk_geometry(s->walk);
    return ((size_t)k * (size_t)g->out_h + (size_t)r) * (size_t)g->out_w + (size_t)c;
}

int tui_output_shown(const tui_state *s, long k, long r, long c)
{
    if (!s->walk)
        return 0;
    if (s->try_mode)
        return s->revealed && s->revealed[cell_index(s, k, r, c)];
    size_t at = cc_walk_cell_step(s->walk, k, r, c);
    if (at == (size_t)-1) /* no step of its own (the scatter view): at the end */
        return s->step + 1 >= cc_walk_nsteps(s->walk);
    return at <= s->step;
}

int tui_cell_hidden(const tui_state *s)
{
    return s->walk && s->try_mode && s->cur.kind == CC_STEP_CELL &&
           !tui_output_shown(s, s->cur.filter, s->cur.out_row, s->cur.out_col);
}

void tui__verdict_clear(tui_state *s)
{
    free(s->verdict.wrong);
    memset(&s->verdict, 0, sizeof s->verdict);
}

static void open_prompt(tui_state *s, tui_prompt p, const char *initial)
{
    s->mode = TUI_MODE_PROMPT;
    s->prompt = p;
    snprintf(s->field.text, sizeof s->field.text, "%s", initial ? initial : "");
    s->field.len = strlen(s->field.text);
    s->field.cur = s->field.len;
    s->field.fresh = 0;
}

void tui__close_prompt(tui_state *s, tui_mode back)
{
    s->mode = back;
    s->prompt = TUI_PROMPT_NONE;
    s->field.len = s->field.cur = 0;
    s->field.text[0] = '\0';
}

/* Load step s->step into s->cur; in try mode, ask for a hidden cell. */
void tui__load_step(tui_state *s)
{
    if (!s->walk)
        return;
    cc_error err;
    cc_error_clear(&err);
    if (cc_walk_step_get(s->walk, s->step, &s->cur, &err) != 0) {
        say_error(s, "step", &err);
        return;
    }
    if (s->verdict.valid && s->verdict.step != s->step)
        verdict_clear(s);
    if (tui_cell_hidden(s) && s->mode == TUI_MODE_NORMAL)
        open_prompt(s, TUI_PROMPT_ANSWER, NULL);
    else if (s->mode == TUI_MODE_PROMPT && s->prompt == TUI_PROMPT_ANSWER &&
             !tui_cell_hidden(s))
        close_prompt(s, TUI_MODE_NORMAL);
}

/* The walk the settings ask for (its matrices point into s). */
void tui__walk_spec(const tui_state *s, cc_walk_spec *spec)
{
    cc_walk_spec_init(spec);
    spec->input = &s->image;
    spec->kernels = &s->kernel;
    spec->stride_h = s->stride;
    spec->stride_w = s->stride_w;
    spec->dilation_h = s->dilation;
    spec->dilation_w = s->dilation_w;
    spec->mode = s->conv_mode;
    spec->op = s->op;
    spec->pool_h = s->pool_h > 0 ? s->pool_h : s->kernel.rows;
    spec->pool_w = s->pool_w > 0 ? s->pool_w : s->kernel.cols;
    spec->view = s->tview;
    spec->bias = s->bias && s->nbias == s->kernel.n ? s->bias : NULL;
    spec->activation = s->act;
    switch (s->pad_kind) {
    case TUI_PAD_NUMBER:
        spec->pad_kind = CC_PAD_EXPLICIT;
        spec->pad_top = s->pad;
        spec->pad_bottom = s->pad_bottom;
        spec->pad_left = s->pad_left;
        spec->pad_right = s->pad_right;
        break;
    case TUI_PAD_VALID: spec->pad_kind = CC_PAD_VALID; break;
    case TUI_PAD_SAME: spec->pad_kind = CC_PAD_SAME; break;
    case TUI_PAD_FULL: spec->pad_kind = CC_PAD_FULL; break;
    }
}

/* Rebuild the walk from the current settings, keeping the position (the
 * same output cell, or the same kind of step) when it still exists. */
static int rebuild(tui_state *s);
int tui__rebuild(tui_state *s) { return rebuild(s); }
static int rebuild(tui_state *s)
{
    long k = -1, r = -1, c = -1;
    cc_step_kind kind = CC_STEP_PAD;
    int had = s->walk != NULL;
    if (had) {
        kind = s->cur.kind;
        k = s->cur.filter;
        r = s->cur.out_row;
        c = s->cur.out_col;
    }
    cc_walk_spec spec;
    tui__walk_spec(s, &spec);
    cc_error err;
    cc_error_clear(&err);
    cc_walk *w = NULL;
    int rc = cc_walk_new(&w, &spec, &err);
    cc_walk_free(s->walk);
    s->walk = NULL;
    verdict_clear(s);
    free(s->revealed);
    s->revealed = NULL;
    s->nrevealed = 0;
    if (rc != 0) {
        snprintf(s->walk_error, sizeof s->walk_error, "%s",
                 err.msg[0] ? err.msg : cc_strerror(err.code));
        say(s, TUI_MSG_BAD, "%s", s->walk_error);
        s->step = 0;
        if (s->mode == TUI_MODE_PROMPT && s->prompt == TUI_PROMPT_ANSWER)
            close_prompt(s, TUI_MODE_NORMAL);
        return rc;
    }
    s->walk = w;
    s->walk_error[0] = '\0';
    s->rf_r = s->rf_c = -1;
    const cc_walk_geom *g = cc_walk_geometry(w);
    s->nrevealed = (size_t)g->filters * (size_t)g->out_h * (size_t)g->out_w;
    s->revealed = calloc(s->nrevealed ? s->nrevealed : 1, 1);
    if (!s->revealed) {
        cc_walk_free(s->walk);
        s->walk = NULL;
        snprintf(s->walk_error, sizeof s->walk_error, "out of memory");
        say(s, TUI_MSG_BAD, "out of memory");
        return CC_ENOMEM;
    }
    if (s->channel >= g->channels)
        s->channel = 0;
    size_t n = cc_walk_nsteps(w);
    size_t at = 0;
    if (had) {
        if (kind == CC_STEP_OUTPUT)
            at = n - 1;
        else if (kind == CC_STEP_KERNEL && k < g->filters)
            at = cc_walk_cell_step(w, k, -1, -1);
        else if (kind == CC_STEP_CELL && k < g->filters && r < g->out_h && c < g->out_w)
            at = cc_walk_cell_step(w, k, r, c);
        else if (kind == CC_STEP_CELL)
            at = n - 1;
        if (at == (size_t)-1 || at >= n)
            at = 0;
    }
    s->step = at;
    load_step(s);
    return 0;
}

void tui__go(tui_state *s, size_t step);
static void go(tui_state *s, size_t step) { tui__go(s, step); }
void tui__go(tui_state *s, size_t step)
{
    if (!s->walk)
        return;
    size_t n = cc_walk_nsteps(s->walk);
    if (step >= n)
        step = n - 1;
    s->step = step;
    s->msg[0] = '\0';
    load_step(s);
}

int tui_state_goto_cell(tui_state *s, long row, long col)
{
    if (!s->walk)
        return 0;
    long k = s->cur.kind == CC_STEP_KERNEL || s->cur.kind == CC_STEP_CELL ? s->cur.filter : 0;
    size_t at = cc_walk_cell_step(s->walk, k, row, col);
    if (at == (size_t)-1)
        return 0;
    go(s, at);
    return 1;
}

/* ---- set up ---------------------------------------------------------------- */

static int parse_matrix(cc_matrix *m, const char *text, const char *source, cc_error *err)
{
    int rc = cc_matrix_parse(m, text, strlen(text), err);
    if (rc != 0)
        cc_error_source(err, source);
    return rc;
}

int tui_state_init(tui_state *s, const tui_options *o, cc_error *err)
{
    memset(s, 0, sizeof *s);
    cc_matrix ex_image = {0}, ex_kernel = {0};
    cc_walk_spec ex;
    int rc = cc_walk_example(&ex_image, &ex_kernel, &ex, err);
    if (rc != 0)
        return rc;
    int own = o && (o->image || o->kernel);
    if (o && o->image) {
        const char *src = o->image_source ? o->image_source : "--image";
        rc = parse_matrix(&s->image, o->image, src, err);
        if (rc == 0 && s->image.n != 1) {
            cc_error_source(err, src);
            rc = cc_error_set(err, CC_EINVAL,
                              "the input is one image: '||' or '---' (which separate "
                              "filters) do not belong in it");
        }
    } else {
        s->image = ex_image;
        memset(&ex_image, 0, sizeof ex_image);
    }
    if (rc == 0 && o && o->kernel) {
        rc = parse_matrix(&s->kernel, o->kernel,
                          o->kernel_source ? o->kernel_source : "--kernel", err);
    } else if (rc == 0) {
        s->kernel = ex_kernel;
        memset(&ex_kernel, 0, sizeof ex_kernel);
    }
    cc_matrix_free(&ex_image);
    cc_matrix_free(&ex_kernel);
    if (rc != 0) {
        tui_state_free(s);
        return rc;
    }
    s->stride = o && o->stride > 0 ? o->stride : ex.stride_h;
    s->dilation = o && o->dilation > 0 ? o->dilation : ex.dilation_h;
    s->stride_w = o && o->stride_w > 0 ? o->stride_w : s->stride;
    s->dilation_w = o && o->dilation_w > 0 ? o->dilation_w : s->dilation;
    s->conv_mode = o && o->correlation ? CC_MODE_CORRELATION : ex.mode;
    if (o && o->pad_set) {
        s->pad_kind = o->pad_kind;
        s->pad = o->pad;
    } else {
        s->pad_kind = TUI_PAD_NUMBER;
        s->pad = own ? 0 : ex.pad_top;
    }
    s->pad_bottom = s->pad_left = s->pad_right = s->pad;
    if (o && o->pad_set && o->pad_sides) {
        s->pad_bottom = o->pad_bottom;
        s->pad_left = o->pad_left;
        s->pad_right = o->pad_right;
    }
    rc = rebuild(s);
    if (rc != 0) {
        cc_error_set(err, rc, "%s", s->walk_error);
        tui_state_free(s);
        return rc;
    }
    s->msg[0] = '\0';
    return 0;
}

void tui_state_free(tui_state *s)
{
    cc_walk_free(s->walk);
    cc_walk_step_free(&s->cur);
    cc_matrix_free(&s->image);
    cc_matrix_free(&s->kernel);
    free(s->bias);
    free(s->revealed);
    verdict_clear(s);
    tui_screens_free(s);
    memset(s, 0, sizeof *s);
}

/* ---- editing the matrices --------------------------------------------------------- */

static cc_matrix *edited(tui_state *s) { return s->edit_kernel ? &s->kernel : &s->image; }

/* The plane being edited: (group, channel) of the edited matrix. */
static void edit_plane(const tui_state *s, long *n, long *c)
{
    const cc_matrix *m = s->edit_kernel ? &s->kernel : &s->image;
    *n = s->edit_kernel ? s->edit_filter : 0;
    if (*n >= m->n)
        *n = 0;
    *c = s->channel < m->c ? s->channel : 0;
}

void tui_edit_plane(const tui_state *s, long *n, long *c) { edit_plane(s, n, c); }

static void start_edit(tui_state *s, int kernel)
{
    s->mode = TUI_MODE_EDIT;
    s->edit_kernel = kernel;
    /* the filter of the step shown; < and > move on from it */
    s->edit_filter = s->walk && s->cur.kind != CC_STEP_PAD ? s->cur.filter : 0;
    s->pick_r = s->pick_c = 0;
    const cc_matrix *m = kernel ? &s->kernel : &s->image;
    say(s, TUI_MSG_INFO, "Editing the %s: arrows move, Enter or a digit types a value, "
        "Tab switches, r retypes it all, %sEsc ends.", kernel ? "kernel" : "input",
        m->n * m->c < 2 ? ""
        : m->n > 1      ? "< > other channels and filters, "
                        : "< > other channels, ");
}

static void commit_value(tui_state *s)
{
    char *end;
    errno = 0;
    double v = strtod(s->field.text, &end);
    while (*end == ' ')
        end++;
    if (end == s->field.text || *end || errno == ERANGE) {
        say(s, TUI_MSG_BAD, "'%s' is not a number", s->field.text);
        return;
    }
    long n, c;
    edit_plane(s, &n, &c);
    cc_matrix *m = edited(s);
    cc_matrix_set(m, n, c, s->pick_r, s->pick_c, v);
    char buf[64], where[64] = "";
    if (m->n > 1)
        snprintf(where, sizeof where, " (filter %ld, channel %ld)", n + 1, c + 1);
    else if (m->c > 1)
        snprintf(where, sizeof where, " (channel %ld)", c + 1);
    say(s, TUI_MSG_INFO, "%s (%ld,%ld) = %s%s", s->edit_kernel ? "kernel" : "input",
        s->pick_r + 1, s->pick_c + 1, cc_matrix_fmt_value(buf, sizeof buf, v), where);
    rebuild(s);
}

/* Replace the input or the kernel by a parsed text; keeps the old one when
 * it does not parse. */
static void replace_matrix(tui_state *s, int kernel, const char *text, size_t len,
                           const char *source)
{
    cc_matrix m = {0};
    cc_error err;
    cc_error_clear(&err);
    if (cc_matrix_parse(&m, text, len, &err) != 0) {
        cc_error_source(&err, source);
        char what[300];
        snprintf(what, sizeof what, "%s", source);
        say_error(s, what, &err);
        return;
    }
    if (!kernel && m.n != 1) {
        cc_matrix_free(&m);
        say(s, TUI_MSG_BAD, "%s: the input is one image ('||' and '---' separate filters)",
            source);
        return;
    }
    cc_matrix *dst = kernel ? &s->kernel : &s->image;
    cc_matrix_free(dst);
    *dst = m;
    s->pick_r = s->pick_c = 0;
    if (rebuild(s) == 0)
        say(s, TUI_MSG_INFO, "%s: %ld x %ld %s loaded", source, m.rows, m.cols,
            kernel ? "kernel" : "input");
}

static void load_file(tui_state *s, int kernel, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        say(s, TUI_MSG_BAD, "%s: cannot open: %s", path, strerror(errno));
        return;
    }
    cc_buf b = {0};
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        cc_buf_append(&b, chunk, got);
    int bad = ferror(f);
    fclose(f);
    if (bad || cc_buf_failed(&b))
        say(s, TUI_MSG_BAD, "%s: cannot read it", path);
    else
        replace_matrix(s, kernel, cc_buf_str(&b), b.len, path);
    cc_buf_free(&b);
}

/* ---- keys of the stepper ------------------------------------------------------------ */

/* s/S, d/D: height and width together. */
static void change_pair(tui_state *s, long *h, long *w, long delta, const char *name)
{
    if (*h + delta < 1 || *w + delta < 1) {
        say(s, TUI_MSG_BAD, "%s cannot be less than 1", name);
        return;
    }
    *h += delta;
    *w += delta;
    if (rebuild(s) == 0) {
        if (*h == *w)
            say(s, TUI_MSG_INFO, "%s %ld", name, *h);
        else
            say(s, TUI_MSG_INFO, "%s %ldx%ld", name, *h, *w);
    }
}

static void change_padding(tui_state *s, long delta)
{
    if (s->pad_kind != TUI_PAD_NUMBER) {
        /* from valid/same/full, start from the padding they gave */
        long top = s->walk ? cc_walk_geometry(s->walk)->pad_top : 0;
        s->pad_kind = TUI_PAD_NUMBER;
        s->pad = top;
    }
    /* every side becomes the top's padding changed by delta */
    if (s->pad + delta < 0) {
        say(s, TUI_MSG_BAD, "padding cannot be less than 0");
        return;
    }
    s->pad += delta;
    s->pad_bottom = s->pad_left = s->pad_right = s->pad;
    if (rebuild(s) == 0)
        say(s, TUI_MSG_INFO, "padding %ld", s->pad);
}

static void cycle_padding(tui_state *s)
{
    switch (s->pad_kind) {
    case TUI_PAD_NUMBER: s->pad_kind = TUI_PAD_VALID; break;
    case TUI_PAD_VALID: s->pad_kind = TUI_PAD_SAME; break;
    case TUI_PAD_SAME: s->pad_kind = TUI_PAD_FULL; break;
    case TUI_PAD_FULL: s->pad_kind = TUI_PAD_NUMBER; break;
    }
    char d[128];
    if (rebuild(s) == 0)
        say(s, TUI_MSG_INFO, "padding %s", tui_pad_describe(s, d, sizeof d));
}

static void prompt_done(tui_state *s)
{
    tui_prompt p = s->prompt;
    switch (p) {
    case TUI_PROMPT_ANSWER:
        if (tui__check_answer(s))
            return; /* unreadable: keep the text */
        if (!tui_cell_hidden(s))
            close_prompt(s, TUI_MODE_NORMAL);
        else
            s->field.len = s->field.cur = 0, s->field.text[0] = '\0';
        return;
    case TUI_PROMPT_VALUE:
        commit_value(s);
        close_prompt(s, TUI_MODE_EDIT);
        return;
    case TUI_PROMPT_LOAD_IMAGE:
    case TUI_PROMPT_LOAD_KERNEL: {
        char path[sizeof s->field.text];
        memcpy(path, s->field.text, sizeof path);
        tui_mode back = s->edit_back ? TUI_MODE_EDIT : TUI_MODE_NORMAL;
        close_prompt(s, back);
        if (path[0])
            load_file(s, p == TUI_PROMPT_LOAD_KERNEL, path);
        return;
    }
    case TUI_PROMPT_MATRIX: {
        char text[sizeof s->field.text];
        memcpy(text, s->field.text, sizeof text);
        close_prompt(s, TUI_MODE_EDIT);
        replace_matrix(s, s->edit_kernel, text, strlen(text),
                       s->edit_kernel ? "kernel" : "input");
        return;
    }
    default:
        close_prompt(s, TUI_MODE_NORMAL);
        return;
    }
}

static int prompt_key(tui_state *s, int key)
{
    if (key == TUI_KEY_ESC) {
        if (s->prompt == TUI_PROMPT_ANSWER) {
            const cc_walk_step *st = &s->cur;
            s->revealed[cell_index(s, st->filter, st->out_row, st->out_col)] = 1;
            char v[64];
            say(s, TUI_MSG_INFO, "Shown without an answer: output (%ld,%ld) = %s.",
                st->out_row + 1, st->out_col + 1, cc_matrix_fmt_value(v, sizeof v, st->value));
            close_prompt(s, TUI_MODE_NORMAL);
        } else {
            tui_mode back = s->prompt == TUI_PROMPT_VALUE || s->prompt == TUI_PROMPT_MATRIX ||
                                    s->edit_back
                                ? TUI_MODE_EDIT
                                : TUI_MODE_NORMAL;
            close_prompt(s, back);
            s->msg[0] = '\0';
        }
        return TUI_CONTINUE;
    }
    if (key == TUI_KEY_ENTER || key == '\r') {
        prompt_done(s);
        return TUI_CONTINUE;
    }
    /* in try mode the step keys that cannot be typed still move */
    if (s->prompt == TUI_PROMPT_ANSWER) {
        switch (key) {
        case TUI_KEY_UP: case TUI_KEY_PGUP:
            if (s->step > 0) {
                close_prompt(s, TUI_MODE_NORMAL);
                go(s, s->step - 1);
            }
            return TUI_CONTINUE;
        case TUI_KEY_DOWN: case TUI_KEY_PGDN:
            close_prompt(s, TUI_MODE_NORMAL);
            s->revealed[cell_index(s, s->cur.filter, s->cur.out_row, s->cur.out_col)] = 0;
            go(s, s->step + 1);
            return TUI_CONTINUE;
        default:
            break;
        }
    }
    if (key == TUI_KEY_TAB &&
        (s->prompt == TUI_PROMPT_LOAD_IMAGE || s->prompt == TUI_PROMPT_LOAD_KERNEL)) {
        tui_prompt_complete(s);
        return TUI_CONTINUE;
    }
    tui_field_key(&s->field, key);
    return TUI_CONTINUE;
}

static int pick_key(tui_state *s, int key)
{
    const cc_walk_geom *g = s->walk ? cc_walk_geometry(s->walk) : NULL;
    if (!g) {
        s->mode = TUI_MODE_NORMAL;
        return TUI_CONTINUE;
    }
    switch (key) {
    case TUI_KEY_UP: case 'k':
        if (s->pick_r > 0) s->pick_r--;
        break;
    case TUI_KEY_DOWN: case 'j':
        if (s->pick_r + 1 < g->out_h) s->pick_r++;
        break;
    case TUI_KEY_LEFT: case 'h':
        if (s->pick_c > 0) s->pick_c--;
        break;
    case TUI_KEY_RIGHT: case 'l':
        if (s->pick_c + 1 < g->out_w) s->pick_c++;
        break;
    case TUI_KEY_HOME: s->pick_c = 0; break;
    case TUI_KEY_END: s->pick_c = g->out_w - 1; break;
    case TUI_KEY_ENTER: case '\r': case ' ':
        s->mode = TUI_MODE_NORMAL;
        tui_state_goto_cell(s, s->pick_r, s->pick_c);
        break;
    case TUI_KEY_ESC: case 'c':
        s->mode = TUI_MODE_NORMAL;
        s->msg[0] = '\0';
        break;
    default:
        break;
    }
    return TUI_CONTINUE;
}

static int edit_key(tui_state *s, int key)
{
    long n, c;
    edit_plane(s, &n, &c);
    cc_matrix *m = edited(s);
    switch (key) {
    case TUI_KEY_UP: if (s->pick_r > 0) s->pick_r--; break;
    case TUI_KEY_DOWN: if (s->pick_r + 1 < m->rows) s->pick_r++; break;
    case TUI_KEY_LEFT: if (s->pick_c > 0) s->pick_c--; break;
    case TUI_KEY_RIGHT: if (s->pick_c + 1 < m->cols) s->pick_c++; break;
    case TUI_KEY_HOME: s->pick_c = 0; break;
    case TUI_KEY_END: s->pick_c = m->cols - 1; break;
    case TUI_KEY_TAB:
        start_edit(s, !s->edit_kernel);
        break;
    case '<': case '>': {
        /* the next (previous) plane: channels, then the kernel's filters */
        long planes = m->n * m->c, at = n * m->c + c;
        if (planes < 2) {
            say(s, TUI_MSG_INFO, "The %s has one channel%s.", s->edit_kernel ? "kernel" : "input",
                s->edit_kernel ? " and one filter" : "");
            break;
        }
        at = (at + (key == '>' ? 1 : planes - 1)) % planes;
        s->edit_filter = at / m->c;
        s->channel = at % m->c;
        if (s->pick_r >= m->rows) s->pick_r = 0;
        if (s->pick_c >= m->cols) s->pick_c = 0;
        if (m->n > 1)
            say(s, TUI_MSG_INFO, "Editing filter %ld of %ld, channel %ld of %ld.",
                s->edit_filter + 1, m->n, s->channel + 1, m->c);
        else
            say(s, TUI_MSG_INFO, "Editing channel %ld of %ld.", s->channel + 1, m->c);
        break;
    }
    case TUI_KEY_ESC: case 'e': case 'k':
        s->mode = TUI_MODE_NORMAL;
        say(s, TUI_MSG_INFO, "Editing done.");
        load_step(s);
        break;
    case TUI_KEY_ENTER: case '\r': {
        char v[64];
        cc_matrix_fmt_value(v, sizeof v, cc_matrix_get(m, n, c, s->pick_r, s->pick_c));
        open_prompt(s, TUI_PROMPT_VALUE, v);
        s->field.fresh = 1; /* typing replaces the old value */
        break;
    }
    case 'r': {
        /* one line with every filter and channel: rows split by ';',
         * channels by '|', filters by '||' (so Enter unchanged keeps all) */
        cc_buf b = {0};
        char v[64];
        for (long g = 0; g < m->n; g++)
            for (long ch = 0; ch < m->c; ch++) {
                if (g || ch)
                    cc_buf_puts(&b, ch ? " | " : " || ");
                for (long r = 0; r < m->rows; r++)
                    for (long q = 0; q < m->cols; q++)
                        cc_buf_printf(&b, "%s%s", q ? " " : r ? "; " : "",
                                      cc_matrix_fmt_value(v, sizeof v,
                                                          cc_matrix_get(m, g, ch, r, q)));
            }
        if (cc_buf_failed(&b) || b.len + 1 > sizeof s->field.text)
            say(s, TUI_MSG_BAD, "The %s is too large to retype on one line: load it from a "
                                "file (o) instead.", s->edit_kernel ? "kernel" : "input");
        else
            open_prompt(s, TUI_PROMPT_MATRIX, cc_buf_str(&b));
        cc_buf_free(&b);
        break;
    }
    case 'o':
        s->edit_back = 1;
        open_prompt(s, s->edit_kernel ? TUI_PROMPT_LOAD_KERNEL : TUI_PROMPT_LOAD_IMAGE, NULL);
        break;
    default:
        if ((key >= '0' && key <= '9') || key == '-' || key == '.') {
            char first[2] = {(char)key, 0};
            open_prompt(s, TUI_PROMPT_VALUE, first);
        }
        break;
    }
    return TUI_CONTINUE;
}

/* Keys that cannot be part of an answer act as commands even while the
 * answer prompt of try it yourself is open (it closes; the cell stays
 * hidden, and Enter asks again). */
static int answer_command_key(int key)
{
    if (key < 0 || key >= 256)
        return key == TUI_KEY_BTAB || (key >= TUI_KEY_F1 && key <= TUI_KEY_F10) ||
               key == TUI_KEY_PGUP || key == TUI_KEY_PGDN;
    if ((key >= 'a' && key <= 'z') || (key >= 'A' && key <= 'Z'))
        return key != 'e' && key != 'E'; /* 1e3 */
    return key == '?' || key == '<' || key == '>' || key == '[' || key == ']' ||
           key == TUI_KEY_TAB;
}

static int stepper_key(tui_state *s, int key)
{
    if (s->mode == TUI_MODE_PROMPT && s->prompt == TUI_PROMPT_ANSWER && answer_command_key(key))
        close_prompt(s, TUI_MODE_NORMAL);
    switch (s->mode) {
    case TUI_MODE_PROMPT: return prompt_key(s, key);
    case TUI_MODE_PICK: return pick_key(s, key);
    case TUI_MODE_EDIT: return edit_key(s, key);
    case TUI_MODE_NORMAL: break;
    }
    if (tui__ops_key(s, key))
        return TUI_CONTINUE;
    switch (key) {
    case 'n': case ' ': case TUI_KEY_RIGHT: case TUI_KEY_DOWN: case TUI_KEY_PGDN:
        if (s->walk && s->step + 1 < tui_nsteps(s))
            go(s, s->step + 1);
        else if (s->walk)
            say(s, TUI_MSG_INFO, "This is the last step.");
        break;
    case 'p': case TUI_KEY_LEFT: case TUI_KEY_UP: case TUI_KEY_PGUP:
    case TUI_KEY_BACKSPACE: case 127: case 8:
        if (s->walk && s->step > 0)
            go(s, s->step - 1);
        else if (s->walk)
            say(s, TUI_MSG_INFO, "This is the first step.");
        break;
    case 'g': case TUI_KEY_HOME: go(s, 0); break;
    case 'G': case TUI_KEY_END: go(s, tui_nsteps(s) ? tui_nsteps(s) - 1 : 0); break;
    case 'c':
        if (!s->walk)
            break;
        s->mode = TUI_MODE_PICK;
        if (s->cur.kind == CC_STEP_CELL) {
            s->pick_r = s->cur.out_row;
            s->pick_c = s->cur.out_col;
        } else {
            s->pick_r = s->pick_c = 0;
        }
        say(s, TUI_MSG_INFO, "Pick an output cell: arrows move, Enter jumps, Esc cancels.");
        break;
    case 'm':
        s->conv_mode = s->conv_mode == CC_MODE_CONVOLUTION ? CC_MODE_CORRELATION
                                                            : CC_MODE_CONVOLUTION;
        if (rebuild(s) == 0)
            say(s, TUI_MSG_INFO, "mode: %s", cc_conv_mode_name(s->conv_mode));
        break;
    case 's': change_pair(s, &s->stride, &s->stride_w, 1, "stride"); break;
    case 'S': change_pair(s, &s->stride, &s->stride_w, -1, "stride"); break;
    case 'd': change_pair(s, &s->dilation, &s->dilation_w, 1, "dilation"); break;
    case 'D': change_pair(s, &s->dilation, &s->dilation_w, -1, "dilation"); break;
    case ']': change_padding(s, 1); break;
    case '[': change_padding(s, -1); break;
    case 'v': cycle_padding(s); break;
    case 'e': start_edit(s, 0); break;
    case 'k': start_edit(s, 1); break;
    case 'o':
        s->edit_back = 0;
        open_prompt(s, TUI_PROMPT_LOAD_IMAGE, NULL);
        break;
    case 'O':
        s->edit_back = 0;
        open_prompt(s, TUI_PROMPT_LOAD_KERNEL, NULL);
        break;
    case 't': tui__set_try_mode(s, !s->try_mode); break;
    case TUI_KEY_ENTER: case '\r':
        if (tui_cell_hidden(s))
            open_prompt(s, TUI_PROMPT_ANSWER, NULL);
        break;
    case '<': case '>': {
        long nc = s->image.c;
        if (nc <= 1) {
            say(s, TUI_MSG_INFO, "The input has one channel.");
            break;
        }
        s->channel = (s->channel + (key == '>' ? 1 : nc - 1)) % nc;
        say(s, TUI_MSG_INFO, "channel %ld of %ld", s->channel + 1, nc);
        break;
    }
    default:
        break;
    }
    return TUI_CONTINUE;
}

/* Switch screens; a prompt that is open is dropped (a hidden cell of try
 * it yourself asks again when the stepper comes back). */
static void switch_screen(tui_state *s, tui_screen to)
{
    if (s->mode == TUI_MODE_PROMPT)
        close_prompt(s, TUI_MODE_NORMAL);
    if (s->mode == TUI_MODE_PICK)
        s->mode = TUI_MODE_NORMAL;
    s->edit_back = 0;
    s->msg[0] = '\0';
    s->screen = to;
    if (to == TUI_SCREEN_STEPPER && s->mode == TUI_MODE_NORMAL && tui_cell_hidden(s))
        open_prompt(s, TUI_PROMPT_ANSWER, NULL);
}

/* ---- every key ------------------------------------------------------------------------ */

/* Is the focus in a text field (so that letters are typed, not commands)? */
static int typing(const tui_state *s, int key)
{
    if (s->screen == TUI_SCREEN_STEPPER)
        return s->mode == TUI_MODE_PROMPT &&
               !(s->prompt == TUI_PROMPT_ANSWER && answer_command_key(key));
    return tui_screen_typing(s);
}

int tui_state_key(tui_state *s, int key)
{
    if (key == TUI_KEY_CTRL_C)
        return TUI_QUIT;
    if (key == TUI_KEY_RESIZE)
        return TUI_CONTINUE;
    if (s->help) {
        switch (key) {
        case TUI_KEY_UP: case 'k':
            if (s->help_scroll > 0) s->help_scroll--;
            break;
        case TUI_KEY_DOWN: case 'j': s->help_scroll++; break;
        case TUI_KEY_PGUP: s->help_scroll = s->help_scroll > 10 ? s->help_scroll - 10 : 0; break;
        case TUI_KEY_PGDN: s->help_scroll += 10; break;
        case TUI_KEY_HOME: s->help_scroll = 0; break;
        case TUI_KEY_END: s->help_scroll = 1000; break; /* draw.c clamps it */
        case '?': case 'q': case TUI_KEY_ESC: case TUI_KEY_ENTER:
            s->help = 0;
            break;
        default: break;
        }
        return TUI_CONTINUE;
    }
    if (key >= TUI_KEY_F1 && key <= TUI_KEY_F4) {
        switch_screen(s, (tui_screen)(key - TUI_KEY_F1));
        return TUI_CONTINUE;
    }
    if (key == TUI_KEY_F10)
        return TUI_QUIT;
    if (!typing(s, key)) {
        int plain = s->screen != TUI_SCREEN_STEPPER || s->mode == TUI_MODE_NORMAL ||
                    (s->mode == TUI_MODE_PROMPT && s->prompt == TUI_PROMPT_ANSWER);
        if (key == 'q' && plain) {
            /* the shape screen is all text fields: a q there is more
             * likely a slip than a wish to quit, so ask first */
            if (s->screen == TUI_SCREEN_SHAPE && !s->quit_armed) {
                s->quit_armed = 1;
                say(s, TUI_MSG_INFO, "Press q again to quit (F10, Ctrl-C quit at once).");
                return TUI_CONTINUE;
            }
            return TUI_QUIT;
        }
        s->quit_armed = 0;
        if (key == '?') {
            s->help = 1;
            s->help_scroll = 0;
            return TUI_CONTINUE;
        }
        if ((key == TUI_KEY_TAB || key == TUI_KEY_BTAB) && plain) {
            int d = key == TUI_KEY_TAB ? 1 : TUI_NSCREENS - 1;
            switch_screen(s, (tui_screen)((s->screen + d) % TUI_NSCREENS));
            return TUI_CONTINUE;
        }
    }
    if (s->screen == TUI_SCREEN_STEPPER)
        return stepper_key(s, key);
    return tui_screen_key(s, key);
}

int tui_state_click(tui_state *s, int y, int x)
{
    const tui_hitmap *h = &s->hit;
    if (y == 0 && !s->help) { /* the tabs: " F1 Stepper " and a blank each */
        int x0 = 0;
        for (int i = 0; i < TUI_NSCREENS; i++) {
            char t[40];
            int w = snprintf(t, sizeof t, " F%d %s ", i + 1, tui_screen_name((tui_screen)i));
            if (x >= x0 && x < x0 + w) {
                tui_state_key(s, TUI_KEY_F1 + i);
                return 1;
            }
            x0 += w + 1;
        }
        return 0;
    }
    const tui_hitmap *hi = &s->hit_in;
    if (s->screen == TUI_SCREEN_STEPPER && s->mode == TUI_MODE_NORMAL && s->walk &&
        hi->valid && hi->cell_w > 0 && y >= hi->y0 && x >= hi->x0 &&
        y - hi->y0 < hi->rows && (x - hi->x0) / hi->cell_w < hi->cols) {
        /* an input cell: show every output cell it feeds */
        long r = hi->row0 + (y - hi->y0), c = hi->col0 + (x - hi->x0) / hi->cell_w;
        if (s->rf_r == r && s->rf_c == c) {
            s->rf_r = s->rf_c = -1;
            say(s, TUI_MSG_INFO, "Receptive field off.");
        } else {
            s->rf_r = r;
            s->rf_c = c;
            say(s, TUI_MSG_INFO, "Padded input (%ld,%ld): the output cells it feeds are "
                "highlighted (click it again to stop).", r + 1, c + 1);
        }
        return 1;
    }
    if (s->screen != TUI_SCREEN_STEPPER || s->mode != TUI_MODE_NORMAL || !h->valid ||
        h->cell_w <= 0)
        return 0;
    if (y < h->y0 || x < h->x0)
        return 0;
    long r = y - h->y0, c = (x - h->x0) / h->cell_w;
    if (r >= h->rows || c >= h->cols)
        return 0;
    return tui_state_goto_cell(s, h->row0 + r, h->col0 + c);
}
