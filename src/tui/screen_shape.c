/* screen_shape.c - the shape calculator: fields for input, kernel,
 * padding, stride, dilation and output; the one left empty is solved by
 * the library's shape solver (arith.h), with its derivation. */
#include "screens_private.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "convcalc/arith.h"

static const struct {
    const char *label;
    cc_shape_var var; /* CC_VAR_NONE: output padding */
    const char *initial;
} fields[TUI_SHAPE_NFIELDS] = {
    {"Input", CC_VAR_INPUT, "32"},   {"Kernel", CC_VAR_KERNEL, "5"},
    {"Padding", CC_VAR_PADDING, ""}, {"Stride", CC_VAR_STRIDE, "1"},
    {"Dilation", CC_VAR_DILATION, "1"}, {"Output", CC_VAR_OUTPUT, "32"},
    {"Output padding", CC_VAR_NONE, "0"},
};

static tui_shape *shape_get(tui_state *s)
{
    if (s->shape)
        return s->shape;
    tui_shape *sh = calloc(1, sizeof *sh);
    if (!sh)
        return NULL;
    for (int i = 0; i < TUI_SHAPE_NFIELDS; i++) {
        snprintf(sh->f[i].text, sizeof sh->f[i].text, "%s", fields[i].initial);
        sh->f[i].len = sh->f[i].cur = strlen(sh->f[i].text);
    }
    sh->focus = 2;
    sh->bad_field = -1;
    s->shape = sh;
    tui_shape_solve(sh);
    return sh;
}

tui_shape *tui_shape_state(tui_state *s) { return shape_get(s); }

static int field_used(const tui_shape *sh, int i)
{
    return fields[i].var != CC_VAR_NONE || sh->kind == CC_SHAPE_TCONV;
}

void tui_shape_solve(tui_shape *sh)
{
    cc_buf_reset(&sh->result);
    sh->bad_field = -1;
    sh->error[0] = '\0';
    sh->ok = 0;
    cc_shape_query q;
    cc_shape_query_init(&q, sh->kind);
    q.ceil_mode = sh->ceil_mode;
    cc_error err;
    cc_error_clear(&err);
    int empty = 0, unknown = -1;
    for (int i = 0; i < TUI_SHAPE_NFIELDS; i++) {
        if (!field_used(sh, i))
            continue;
        const char *t = sh->f[i].text;
        while (*t == ' ')
            t++;
        if (!*t) {
            if (fields[i].var == CC_VAR_NONE) /* output padding: 0 */
                continue;
            empty++;
            unknown = i;
            continue;
        }
        int rc = fields[i].var == CC_VAR_NONE ? cc_shape_query_set_output_padding(&q, t, &err)
                                              : cc_shape_query_set(&q, fields[i].var, t, &err);
        if (rc != 0) {
            sh->bad_field = i;
            /* the library's message may already name the quantity */
            const char *m = err.msg[0] ? err.msg : cc_strerror(rc);
            size_t ln = strlen(fields[i].label);
            if (!strncasecmp(m, fields[i].label, ln) && m[ln] == ':')
                m += ln + (m[ln + 1] == ' ' ? 2 : 1);
            snprintf(sh->error, sizeof sh->error, "%s: %s", fields[i].label, m);
            return;
        }
    }
    if (empty > 1) {
        snprintf(sh->error, sizeof sh->error,
                 "%d fields are empty: leave exactly one empty (the unknown), or none "
                 "to check an output.", empty);
        return;
    }
    if (empty == 1) {
        q.unknown = fields[unknown].var;
    } else {
        q.unknown = CC_VAR_NONE;
    }
    q.per_side = sh->per_side;
    q.odd_kernel = sh->odd_kernel;
    cc_shape_answer a;
    cc_shape_answer_init(&a);
    int rc = cc_shape_solve(&a, &q, &err);
    if (rc != 0) {
        snprintf(sh->error, sizeof sh->error, "%s", err.msg[0] ? err.msg : cc_strerror(rc));
    } else if (cc_shape_render(&a, CC_FORMAT_TEXT, &sh->result, &err) != 0) {
        snprintf(sh->error, sizeof sh->error, "%s", err.msg[0] ? err.msg : cc_strerror(rc));
    } else {
        sh->ok = 1;
    }
    cc_shape_answer_free(&a);
}

int tui_shape_typing(const tui_state *s)
{
    (void)s;
    return 0; /* q, ? and Tab never belong in a field */
}

int tui_shape_key(tui_state *s, int key)
{
    tui_shape *sh = shape_get(s);
    if (!sh)
        return TUI_CONTINUE;
    int changed = 0;
    switch (key) {
    case TUI_KEY_UP:
        do
            sh->focus = (sh->focus + TUI_SHAPE_NFIELDS - 1) % TUI_SHAPE_NFIELDS;
        while (!field_used(sh, sh->focus));
        break;
    case TUI_KEY_DOWN:
    case TUI_KEY_ENTER:
    case '\r':
        do
            sh->focus = (sh->focus + 1) % TUI_SHAPE_NFIELDS;
        while (!field_used(sh, sh->focus));
        break;
    case TUI_KEY_PGDN: sh->scroll += 5; break;
    case TUI_KEY_PGUP: sh->scroll = sh->scroll > 5 ? sh->scroll - 5 : 0; break;
    case 16: /* Ctrl-P */
        sh->kind = sh->kind == CC_SHAPE_POOL ? CC_SHAPE_CONV : CC_SHAPE_POOL;
        changed = 1;
        break;
    case 20: /* Ctrl-T */
        sh->kind = sh->kind == CC_SHAPE_TCONV ? CC_SHAPE_CONV : CC_SHAPE_TCONV;
        if (!field_used(sh, sh->focus))
            sh->focus = 0;
        changed = 1;
        break;
    case 18: /* Ctrl-R */
        sh->ceil_mode = !sh->ceil_mode;
        changed = 1;
        break;
    case 15: /* Ctrl-O */
        sh->odd_kernel = !sh->odd_kernel;
        changed = 1;
        break;
    case 23: /* Ctrl-W */
        sh->per_side = !sh->per_side;
        changed = 1;
        break;
    default:
        if (key == TUI_KEY_DELETE && sh->f[sh->focus].cur == sh->f[sh->focus].len) {
            /* Delete at the end empties the field: it becomes the unknown */
            sh->f[sh->focus].len = sh->f[sh->focus].cur = 0;
            sh->f[sh->focus].text[0] = '\0';
            changed = 1;
        } else if (tui_field_key(&sh->f[sh->focus], key)) {
            changed = 1;
        }
        break;
    }
    if (changed) {
        sh->scroll = 0;
        tui_shape_solve(sh);
    }
    return TUI_CONTINUE;
}

void tui_shape_free(tui_state *s)
{
    if (!s->shape)
        return;
    cc_buf_free(&s->shape->result);
    free(s->shape);
    s->shape = NULL;
}

void tui_shape_draw(tui_state *s, const tui_look *look, tui_rect area)
{
    tui_shape *sh = shape_get(s);
    if (!sh) {
        tui_text(area.y, 1, area.w - 1, "out of memory", tui_attr(look, TUI_R_BAD));
        return;
    }
    char head[256];
    snprintf(head, sizeof head, "Shape calculator: %s%s%s%s%s", cc_shape_kind_name(sh->kind),
             sh->kind == CC_SHAPE_POOL && sh->ceil_mode ? " (ceil mode)" : "",
             sh->per_side ? ", padding per side" : "", sh->odd_kernel ? ", odd kernels" : "",
             "  - leave one field empty");
    tui_text(area.y, 1, area.w - 1, head, tui_attr(look, TUI_R_TITLE));
    int y = area.y + 2, lw = 16, fw = 14;
    for (int i = 0; i < TUI_SHAPE_NFIELDS; i++) {
        if (!field_used(sh, i))
            continue;
        int focus = i == sh->focus;
        tui_text(y, 2, lw, fields[i].label, focus ? A_BOLD : A_NORMAL);
        int a = focus ? tui_attr(look, TUI_R_CURRENT) : (int)A_UNDERLINE;
        attron(a);
        mvhline(y, 2 + lw, ' ', fw);
        attroff(a);
        const tui_field *f = &sh->f[i];
        tui_text(y, 2 + lw, fw, f->text, a);
        if (!f->text[0] && !focus)
            tui_text(y, 2 + lw, fw, "?", a);
        if (i == sh->bad_field)
            tui_text(y, 2 + lw + fw + 1, area.w - lw - fw - 4, "<- not understood",
                     tui_attr(look, TUI_R_BAD));
        if (focus) {
            s->cursor_y = y;
            s->cursor_x = 2 + lw + (int)(f->cur < (size_t)fw ? f->cur : (size_t)fw - 1);
        }
        y++;
    }
    const char *hint = "Values: N or HxW; padding P, B,E, valid, same or full.";
    tui_text(y, 2, area.w - 3, hint, tui_attr(look, TUI_R_DIM));
    hint = "Ctrl-P pooling  Ctrl-T transposed  Ctrl-R ceil  Ctrl-W per-side  Ctrl-O odd";
    tui_text(y + 1, 2, area.w - 3, hint, tui_attr(look, TUI_R_DIM));
    y += 3;
    tui_rect r = {y, 0, area.y + area.h - y, area.w};
    if (r.h < 3)
        return;
    tui_box(look, r, sh->ok ? "Answer" : "Error", sh->ok ? TUI_R_TITLE : TUI_R_BAD);
    tui_rect in = {r.y + 1, 2, r.h - 2, r.w - 4};
    if (!sh->ok) {
        tui_wrap(in, sh->error, tui_attr(look, TUI_R_BAD));
        return;
    }
    /* skip scrolled lines */
    const char *p = cc_buf_str(&sh->result);
    for (int i = 0; i < sh->scroll && *p; i++) {
        const char *nl = strchr(p, '\n');
        if (!nl) {
            sh->scroll = i;
            break;
        }
        p = nl + 1;
    }
    tui_wrap(in, p, A_NORMAL);
}
