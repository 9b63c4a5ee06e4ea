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
