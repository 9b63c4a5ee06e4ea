/* screen_stack.c - the layer stack screen: type or load a stack (spec
 * language, PyTorch print(model), darknet cfg) and see the per-layer table
 * (output shape, parameters with their formula, receptive field) update as
 * you type. Parsing, inference and counting are the stack module's. */
#include "screens_private.h"

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/report.h"
#include "convcalc/stack.h"
#include "tui_screens.h"

static const char example_stack[] =
    "# A layer stack (convcalc-spec(5)); edit it, or Ctrl-O to load one\n"
    "input 32x32x3\n"
    "conv1: conv 32 5x5 pad 2\n"
    "relu\n"
    "pool1: maxpool 2\n"
    "conv2: conv 64 5x5 pad 2\n"
    "relu\n"
    "pool2: maxpool 2\n"
    "flatten\n"
    "fc1: linear 10\n";

/* A shape as the spec language writes it: HxWxC (rank 3), N (rank 1). */
static void shape_hwc(cc_buf *b, const cc_shape *sh)
{
    if (sh->rank == 3)
        cc_buf_printf(b, "%ldx%ldx%ld", sh->h, sh->w, sh->c);
    else
        cc_shape_format(b, sh);
}

static int set_text(tui_stack *st, const char *text, size_t len)
{
    char *t = malloc(len + 1);
    if (!t)
        return CC_ENOMEM;
    memcpy(t, text, len);
    t[len] = '\0';
    free(st->text);
    st->text = t;
    st->len = len;
    st->cap = len + 1;
    st->cur = 0;
    st->top = 0;
    st->table_scroll = 0;
    return 0;
}

/* Parse, infer and tabulate the text again. */
void tui_stack_update(tui_stack *st)
{
    st->error[0] = '\0';
    st->err_line = st->err_col = 0;
    st->nlayers = 0;
    cc_error err;
    cc_error_clear(&err);
    cc_stack *stack = NULL;
    st->source = cc_stack_detect(st->text, st->len);
    int rc = cc_stack_parse(&stack, st->text, st->len, CC_SOURCE_AUTO, &err);
    if (rc == 0 && st->input[0]) {
        /* the input size field overrides the text's own, as --input does */
        cc_shape in;
        cc_error e2;
        cc_error_clear(&e2);
        if (cc_shape_parse(st->input, &in, &e2) ||
            cc_stack_set_input(stack, in.rank == 3 ? in.h : 0, in.rank == 3 ? in.w : 0, in.c,
                               &e2)) {
            snprintf(st->error, sizeof st->error, "input size %.40s: %.500s (Ctrl-N changes it)",
                     st->input, e2.msg);
            cc_stack_free(stack);
            stack = NULL;
            rc = CC_EINVAL;
        } else {
            stack->input_line = 0;
        }
    }
    if (rc == 0)
        rc = cc_stack_infer(stack, &err);
    if (rc != 0 && !st->error[0]) {
        st->err_line = err.line;
        st->err_col = err.col;
        if (err.line > 0)
            snprintf(st->error, sizeof st->error, "line %d, column %d: %s", err.line, err.col,
                     err.msg[0] ? err.msg : cc_strerror(rc));
        else
            snprintf(st->error, sizeof st->error, "%s", err.msg[0] ? err.msg : cc_strerror(rc));
        /* the command line's way to give the input size is not this
         * screen's */
        char *cli = strstr(st->error, "pass --input");
        if (cli && (size_t)(cli - st->error) + sizeof "set it with Ctrl-N" < sizeof st->error) {
            char rest[sizeof st->error];
            snprintf(rest, sizeof rest, "%s", cli + strlen("pass --input"));
            snprintf(cli, sizeof st->error - (size_t)(cli - st->error), "set it with Ctrl-N%s",
                     rest);
        }
    }
    if (!stack) {
        /* keep the table of the last text that read, marked as such */
        st->stale = st->table.len > 0;
        return;
    }
    st->stale = 0;
    cc_buf_reset(&st->table);
    cc_buf_reset(&st->summary);
    st->nlayers = stack->n;
    cc_table *t = cc_table_new(6);
    if (!t) {
        cc_stack_free(stack);
        snprintf(st->error, sizeof st->error, "out of memory");
        return;
    }
    cc_table_header(t, 0, "#", 1);
    cc_table_header(t, 1, "name", 0);
    cc_table_header(t, 2, "type", 0);
    cc_table_header(t, 3, "output HxWxC", 0);
    cc_table_header(t, 4, "params", 1);
    cc_table_header(t, 5, "RF", 1);
    cc_buf b = {0};
    for (size_t i = 0; i < stack->n; i++) {
        const cc_layer *l = &stack->layers[i];
        cc_table_row(t);
        cc_table_cell(t, 0, "%zu", i + 1);
        cc_table_cell(t, 1, "%s", l->name);
        cc_table_cell(t, 2, "%s", l->type[0] ? l->type : cc_layer_kind_name(l->kind));
        cc_buf_reset(&b);
        shape_hwc(&b, &l->out);
        cc_table_cell(t, 3, "%s", cc_buf_str(&b));
        cc_buf_reset(&b);
        if (l->counts.params > 0) {
            cc_layer_param_formula(&b, l, 0);
            if (!b.len)
                cc_fmt_thousands(&b, l->counts.params);
        } else if (l->counts.params == 0) {
            cc_buf_puts(&b, "0");
        } else {
            cc_buf_puts(&b, "?");
        }
        cc_table_cell(t, 4, "%s", cc_buf_str(&b));
        /* the receptive field (the stack module computes it, with or
         * without an input size): -1 the whole input, 0 not known */
        if (l->counts.rf_h < 0 && l->counts.rf_w < 0)
            cc_table_cell(t, 5, "all");
        else if (l->counts.rf_h <= 0 || l->counts.rf_w <= 0)
            cc_table_cell(t, 5, "?");
        else if (l->counts.rf_h == l->counts.rf_w)
            cc_table_cell(t, 5, "%ld", l->counts.rf_h);
        else
            cc_table_cell(t, 5, "%ldx%ld", l->counts.rf_h, l->counts.rf_w);
    }
    cc_table_render(&st->table, t, CC_FORMAT_TEXT);
    cc_table_free(t);

    cc_stack_totals tot;
    cc_stack_totals_get(stack, 0, &tot);
    const char *src = st->source == CC_SOURCE_TORCH     ? "PyTorch"
                      : st->source == CC_SOURCE_DARKNET ? "darknet cfg"
                                                        : "spec";
    cc_buf_printf(&st->summary, "%s, %zu layer%s", src, stack->n, stack->n == 1 ? "" : "s");
    if (stack->input.rank) {
        cc_buf_reset(&b);
        shape_hwc(&b, &stack->input);
        cc_buf_printf(&st->summary, ", input %s%s", cc_buf_str(&b),
                      st->input[0] ? " (Ctrl-N field)" : "");
    } else {
        cc_buf_puts(&st->summary, ", no input size (Ctrl-N sets one: shapes, RF)");
    }
    if (tot.total_params >= 0) {
        cc_buf_puts(&st->summary, ", ");
        cc_fmt_thousands(&st->summary, tot.total_params);
        cc_buf_puts(&st->summary, " params");
    }
    if (rc == 0 && stack->shapes == CC_SHAPES_UNKNOWN && stack->input.rank)
        /* an input size that does not give shapes: say why, in full */
        snprintf(st->error, sizeof st->error, "No shapes from input %s: %s",
                 cc_buf_str(&b), stack->shape_note);
    else if (rc == 0 && stack->shape_note[0] && stack->input.rank)
        cc_buf_printf(&st->summary, " (%s)", stack->shape_note);
    cc_buf_free(&b);
    cc_stack_free(stack);
}

static tui_stack *stack_get(tui_state *s)
{
    if (s->stack)
        return s->stack;
    tui_stack *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    if (set_text(st, example_stack, sizeof example_stack - 1) != 0) {
        free(st);
        return NULL;
    }
    s->stack = st;
    tui_stack_update(st);
    return st;
}

tui_stack *tui_stack_state(tui_state *s) { return stack_get(s); }

int tui_stack_typing(const tui_state *s)
{
    return s->stack && (s->stack->editing ||
                        (s->mode == TUI_MODE_PROMPT && (s->prompt == TUI_PROMPT_STACK_LOAD ||
                                                        s->prompt == TUI_PROMPT_STACK_INPUT)));
}

/* ---- the editor ---------------------------------------------------------------- */

static size_t line_start(const tui_stack *st, size_t at)
{
    while (at > 0 && st->text[at - 1] != '\n')
        at--;
    return at;
}

static size_t line_end(const tui_stack *st, size_t at)
{
    while (at < st->len && st->text[at] != '\n')
        at++;
    return at;
}

static int insert(tui_stack *st, const char *s, size_t n)
{
    if (st->len + n + 1 > st->cap) {
        size_t cap = st->cap ? st->cap : 256;
        while (cap < st->len + n + 1)
            cap *= 2;
        if (cap > (size_t)1 << 24)
            return CC_ERANGE; /* 16 MB of stack text is enough */
        char *t = realloc(st->text, cap);
        if (!t)
            return CC_ENOMEM;
        st->text = t;
        st->cap = cap;
    }
    memmove(st->text + st->cur + n, st->text + st->cur, st->len - st->cur + 1);
    memcpy(st->text + st->cur, s, n);
    st->len += n;
    st->cur += n;
    return 0;
}

static void erase_at(tui_stack *st, size_t at)
{
    if (at >= st->len)
        return;
    memmove(st->text + at, st->text + at + 1, st->len - at);
    st->len--;
}

/* Move the cursor to line +dir, keeping the column where it can. */
static void vertical(tui_stack *st, int dir)
{
    size_t ls = line_start(st, st->cur), col = st->cur - ls;
    size_t target;
    if (dir < 0) {
        if (ls == 0)
            return;
        target = line_start(st, ls - 1);
    } else {
        size_t le = line_end(st, st->cur);
        if (le >= st->len)
            return;
        target = le + 1;
    }
    size_t te = line_end(st, target);
    st->cur = target + (col < te - target ? col : te - target);
}

static void load(tui_state *s, tui_stack *st, const char *path)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(s->msg, sizeof s->msg, "%s: cannot open: %s", path, strerror(errno));
        s->msg_kind = TUI_MSG_BAD;
        return;
    }
    cc_buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        cc_buf_append(&b, chunk, n);
    int bad = ferror(f) || cc_buf_failed(&b);
    fclose(f);
    text = b.data;
    len = b.len;
    if (bad || set_text(st, text ? text : "", len) != 0) {
        snprintf(s->msg, sizeof s->msg, "%s: cannot read it", path);
        s->msg_kind = TUI_MSG_BAD;
    } else {
        tui_stack_update(st);
        snprintf(s->msg, sizeof s->msg, "%s: loaded", path);
        s->msg_kind = TUI_MSG_INFO;
    }
    cc_buf_free(&b);
}

/* The input size field: "" clears it (the text's own input line counts). */
static void set_input(tui_state *s, tui_stack *st, const char *text)
{
    while (*text == ' ')
        text++;
    size_t n = strlen(text);
    while (n > 0 && text[n - 1] == ' ')
        n--;
    if (n >= sizeof st->input) {
        tui__say(s, TUI_MSG_BAD, "An input size is at most %zu characters.",
                 sizeof st->input - 1);
        return;
    }
    memcpy(st->input, text, n);
    st->input[n] = '\0';
    tui_stack_update(st);
    if (st->error[0])
        tui__say(s, TUI_MSG_BAD, "%s", st->error);
    else if (n)
        tui__say(s, TUI_MSG_INFO, "Input size %s: every layer's shape and receptive field.",
                 st->input);
    else
        tui__say(s, TUI_MSG_INFO, "No input size field: the text's own input line counts.");
}

static void close_prompt(tui_state *s)
{
    s->mode = TUI_MODE_NORMAL;
    s->prompt = TUI_PROMPT_NONE;
    s->field.len = s->field.cur = 0;
    s->field.text[0] = '\0';
}

int tui_stack_key(tui_state *s, int key)
{
    tui_stack *st = stack_get(s);
    if (!st)
        return TUI_CONTINUE;
    if (s->mode == TUI_MODE_PROMPT &&
        (s->prompt == TUI_PROMPT_STACK_LOAD || s->prompt == TUI_PROMPT_STACK_INPUT)) {
        int loading = s->prompt == TUI_PROMPT_STACK_LOAD;
        if (key == TUI_KEY_ESC) {
            close_prompt(s);
        } else if (key == TUI_KEY_ENTER || key == '\r') {
            char text[sizeof s->field.text];
            memcpy(text, s->field.text, sizeof text);
            close_prompt(s);
            if (!loading)
                set_input(s, st, text);
            else if (text[0])
                load(s, st, text);
        } else if (key == TUI_KEY_TAB && loading) {
            tui_prompt_complete(s);
        } else {
            tui_field_key(&s->field, key);
        }
        return TUI_CONTINUE;
    }
    /* keys that work whether or not the editor has the focus */
    switch (key) {
    case 15: /* Ctrl-O */
        s->mode = TUI_MODE_PROMPT;
        s->prompt = TUI_PROMPT_STACK_LOAD;
        s->field.len = s->field.cur = 0;
        s->field.text[0] = '\0';
        return TUI_CONTINUE;
    case 14: /* Ctrl-N: the input size */
        s->mode = TUI_MODE_PROMPT;
        s->prompt = TUI_PROMPT_STACK_INPUT;
        snprintf(s->field.text, sizeof s->field.text, "%s", st->input);
        s->field.len = s->field.cur = strlen(s->field.text);
        s->field.fresh = 1;
        tui__say(s, TUI_MSG_INFO, "Input size as HxWxC (32x32x3), HxW (28x28, one channel) or "
                 "N (flat); empty: the text's own.");
        return TUI_CONTINUE;
    case TUI_KEY_PGDN: st->table_scroll += 5; return TUI_CONTINUE;
    case TUI_KEY_PGUP:
        st->table_scroll = st->table_scroll > 5 ? st->table_scroll - 5 : 0;
        return TUI_CONTINUE;
    default: break;
    }
    if (!st->editing) {
        switch (key) {
        case TUI_KEY_ENTER: case '\r': case 'i': case 'e':
            st->editing = 1;
            snprintf(s->msg, sizeof s->msg, "Editing the stack: Esc leaves the editor.");
            s->msg_kind = TUI_MSG_INFO;
            break;
        case TUI_KEY_DOWN: case 'j': st->table_scroll++; break;
        case TUI_KEY_UP: case 'k':
            if (st->table_scroll > 0)
                st->table_scroll--;
            break;
        default: break;
        }
        return TUI_CONTINUE;
    }
    int changed = 0;
    switch (key) {
    case TUI_KEY_ESC:
        st->editing = 0;
        s->msg[0] = '\0';
        break;
    case TUI_KEY_LEFT: if (st->cur > 0) st->cur--; break;
    case TUI_KEY_RIGHT: if (st->cur < st->len) st->cur++; break;
    case TUI_KEY_UP: vertical(st, -1); break;
    case TUI_KEY_DOWN: vertical(st, 1); break;
    case TUI_KEY_HOME: case 1: st->cur = line_start(st, st->cur); break;
    case TUI_KEY_END: case 5: st->cur = line_end(st, st->cur); break;
    case TUI_KEY_ENTER: case '\r':
        changed = insert(st, "\n", 1) == 0;
        break;
    case TUI_KEY_BACKSPACE: case 127: case 8:
        if (st->cur > 0) {
            st->cur--;
            erase_at(st, st->cur);
            changed = 1;
        }
        break;
    case TUI_KEY_DELETE:
        if (st->cur < st->len) {
            erase_at(st, st->cur);
            changed = 1;
        }
        break;
    case 12: /* Ctrl-L: clear */
        st->len = st->cur = 0;
        st->text[0] = '\0';
        changed = 1;
        break;
    case TUI_KEY_TAB:
        changed = insert(st, "  ", 2) == 0;
        break;
    default:
        if (key >= 32 && key < 256 && key != 127) {
            char c = (char)key;
            changed = insert(st, &c, 1) == 0;
        }
        break;
    }
    if (changed)
        tui_stack_update(st);
    return TUI_CONTINUE;
}

void tui_stack_free(tui_state *s)
{
    if (!s->stack)
        return;
    free(s->stack->text);
    cc_buf_free(&s->stack->table);
    cc_buf_free(&s->stack->summary);
    free(s->stack);
    s->stack = NULL;
}

/* ---- drawing ---------------------------------------------------------------------- */

/* The text editor box of the layer stack screen in ed. */
static void draw_editor(tui_state *s, tui_stack *st, const tui_look *look, tui_rect ed)
{
    tui_box(look, ed,
            st->editing ? "Text (editing: Esc leaves)" : "Text (Enter edits, Ctrl-O loads)",
            st->editing ? TUI_R_KEY : TUI_R_TITLE);
    int vis = ed.h - 2;
    /* line and column of the cursor */
    int cur_line = 0;
    for (size_t i = 0; i < st->cur; i++)
        cur_line += st->text[i] == '\n';
    size_t cur_col = st->cur - line_start(st, st->cur);
    if (cur_line < st->top)
        st->top = cur_line;
    if (cur_line >= st->top + vis)
        st->top = cur_line - vis + 1;
    int gutter = 4, tw = ed.w - 2 - gutter;
    size_t hscroll = cur_col >= (size_t)tw ? cur_col - (size_t)tw + 1 : 0;
    const char *p = st->text;
    int line = 0;
    while (line < st->top && *p) {
        if (*p == '\n')
            line++;
        p++;
    }
    for (int i = 0; i < vis; i++) {
        int ln = st->top + i;
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (!*p && (ln > cur_line && ln > 0))
            break;
        char num[16];
        int bad = st->err_line == ln + 1;
        snprintf(num, sizeof num, "%s%2d ", bad ? ">" : " ", ln + 1);
        tui_text(ed.y + 1 + i, 1, gutter, num,
                 tui_attr(look, bad ? TUI_R_BAD : TUI_R_DIM));
        if (n > hscroll) {
            char buf[512];
            size_t m = n - hscroll < sizeof buf - 1 ? n - hscroll : sizeof buf - 1;
            memcpy(buf, p + hscroll, m);
            buf[m] = '\0';
            tui_text(ed.y + 1 + i, 1 + gutter, tw, buf,
                     bad ? tui_attr(look, TUI_R_BAD) : 0);
        }
        if (ln == cur_line && st->editing) {
            s->cursor_y = ed.y + 1 + i;
            s->cursor_x = 1 + gutter + (int)(cur_col - hscroll);
        }
        if (!e)
            break;
        p = e + 1;
    }
}

void tui_stack_draw(tui_state *s, const tui_look *look, tui_rect area)
{
    tui_stack *st = stack_get(s);
    if (!st) {
        tui_text(area.y, 1, area.w - 1, "out of memory", tui_attr(look, TUI_R_BAD));
        return;
    }
    char head[400];
    snprintf(head, sizeof head, "Layer stack%s: %s",
             st->stale ? " [as last read: the text has an error]" : "",
             cc_buf_str(&st->summary));
    if ((int)strlen(head) > area.w - 1 && area.h >= 16) {
        /* a long summary (the note on a repr's shapes) takes two lines */
        tui_rect hr = {area.y, 1, area.h >= 20 ? 3 : 2, area.w - 1};
        int used = tui_wrap(hr, head, tui_attr(look, TUI_R_TITLE));
        area.y += used - 1;
        area.h -= used - 1;
    } else {
        tui_text(area.y, 1, area.w - 1, head, tui_attr(look, TUI_R_TITLE));
    }

    /* the editor: about 40% of the height */
    int eh = area.h * 2 / 5;
    if (eh < 4)
        eh = 4;
    /* too short for both: the table (the answer) unless editing; Enter
     * brings the editor back */
    int table_only = !st->editing && area.h - 1 - eh < 3;
    if (table_only)
        eh = 0;
    tui_rect ed = {area.y + 1, 0, eh, area.w};
    if (!table_only)
        draw_editor(s, st, look, ed);

    int y = ed.y + ed.h;
    if (st->error[0]) {
        tui_rect er = {y, 1, area.h >= 20 ? 3 : 2, area.w - 2};
        y += tui_wrap(er, st->error, tui_attr(look, TUI_R_BAD));
    }
    /* the table, scrolled */
    tui_rect tb = {y, 0, area.y + area.h - y, area.w};
    if (tb.h < 2)
        return;
    const char *t = cc_buf_str(&st->table);
    int nlines = 0;
    for (const char *q = t; *q; q++)
        nlines += *q == '\n';
    /* the heading (2 lines) stays; the rows scroll */
    int rows_vis = tb.h - 2;
    int max_scroll = nlines - 2 - rows_vis;
    if (st->table_scroll > (max_scroll > 0 ? max_scroll : 0))
        st->table_scroll = max_scroll > 0 ? max_scroll : 0;
    const char *q = t;
    for (int i = 0, row = 0; *q && row < tb.h; i++) {
        const char *e = strchr(q, '\n');
        size_t n = e ? (size_t)(e - q) : strlen(q);
        if (i < 2 || i >= 2 + st->table_scroll) {
            char buf[512];
            size_t m = n < sizeof buf - 1 ? n : sizeof buf - 1;
            memcpy(buf, q, m);
            buf[m] = '\0';
            tui_text(tb.y + row, 1, tb.w - 1, buf, i < 2 ? tui_attr(look, TUI_R_TITLE) : 0);
            row++;
        }
        if (!e)
            break;
        q = e + 1;
    }
    if (st->table_scroll > 0 || max_scroll > st->table_scroll)
        tui_text(tb.y, tb.w - 12, 11, "PgUp/PgDn", tui_attr(look, TUI_R_KEY));
}
