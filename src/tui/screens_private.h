/* screens_private.h - the entry points of each non-stepper screen. */
#ifndef CONVCALC_TUI_SCREENS_PRIVATE_H
#define CONVCALC_TUI_SCREENS_PRIVATE_H

#include "draw.h"

#include "convcalc/arith.h"

/* ---- the shape calculator ---- */
enum { TUI_SHAPE_NFIELDS = 7 }; /* input kernel padding stride dilation
                                   output output-padding */
struct tui_shape {
    tui_field f[TUI_SHAPE_NFIELDS];
    int focus;              /* field with the cursor */
    cc_shape_kind kind;     /* convolution, pooling, transposed */
    int ceil_mode, per_side, odd_kernel;
    int ok;                 /* result holds the solver's answer */
    int bad_field;          /* field that did not parse, or -1 */
    char error[600];        /* why there is no answer */
    cc_buf result;          /* the answer with its derivation (text) */
    int scroll;
};
/* The calculator's state (created on first use; NULL without memory). */
tui_shape *tui_shape_state(tui_state *s);
/* Solve again from the fields. */
void tui_shape_solve(tui_shape *sh);

/* ---- the layer stack ---- */
#include "convcalc/stack.h"
struct tui_stack {
    char *text;             /* the stack as typed (NUL-terminated) */
    size_t len, cap, cur;   /* cur: the cursor, a byte offset */
    int top;                /* first line shown in the editor */
    int editing;            /* the editor has the focus */
    int table_scroll;
    cc_stack_source source; /* detected from the text */
    size_t nlayers;
    cc_buf table;           /* the per-layer table (text) */
    cc_buf summary;         /* "spec, 9 layers, input 3x32x32, 545,098 params" */
    char error[600];        /* the first error, with line and column */
    int err_line, err_col;
    int stale;              /* the table is of an earlier text (this one
                               does not read) */    char input[64];         /* the input size field (Ctrl-N), "" when
                               not set: overrides the text's own */
};
tui_stack *tui_stack_state(tui_state *s);
void tui_stack_update(tui_stack *st);

/* ---- exercises ---- */
#include "convcalc/exercise.h"
struct tui_exercise {
    cc_exset *set;          /* NULL when none could be opened (error says why) */
    char name[256];
    size_t cur;             /* the problem shown */
    tui_field field;        /* its answer being typed */
    int typing;             /* the answer field has the focus */
    int scroll;             /* of the feedback */
    char **answers;         /* per problem: what was typed (or NULL) */
    char **feedback;        /* per problem: the last grade's feedback */
    signed char *verdict;   /* per problem: cc_verdict, or -1 not graded */
    double *points;         /* per problem: points awarded */
    unsigned char *seen;    /* per problem: the worked solution was shown */
    char error[600];
    struct tui_ex_saved *saved; /* progress in the other sets opened */
};
tui_exercise *tui_exercise_state(tui_state *s);
/* Open a set (bundled name or path); keeps the old one on failure. */
int tui_exercise_open(tui_exercise *ex, const char *name);

int tui_shape_key(tui_state *s, int key);
int tui_shape_typing(const tui_state *s);
void tui_shape_free(tui_state *s);
void tui_shape_draw(tui_state *s, const tui_look *look, tui_rect area);

int tui_stack_key(tui_state *s, int key);
int tui_stack_typing(const tui_state *s);
void tui_stack_free(tui_state *s);
void tui_stack_draw(tui_state *s, const tui_look *look, tui_rect area);

int tui_exercise_key(tui_state *s, int key);
int tui_exercise_typing(const tui_state *s);
void tui_exercise_free(tui_state *s);
void tui_exercise_draw(tui_state *s, const tui_look *look, tui_rect area);

#endif
