/* tui_screens.h - the screens other than the stepper (shape calculator,
 * layer stack, exercises): their state lives behind s->shape, s->stack and
 * s->exercises and is created on first use. Private to src/tui. */
#ifndef CONVCALC_TUI_SCREENS_H
#define CONVCALC_TUI_SCREENS_H

#include "tui.h"

/* Handle a key for the current (non-stepper) screen. */
int tui_screen_key(tui_state *s, int key);
/* Is a text field of the current screen taking the letters typed? */
int tui_screen_typing(const tui_state *s);
/* Release the state of every screen. */
void tui_screens_free(tui_state *s);

/* state.c, for state_ops.c: rebuild the walk from the settings; a
 * message on the status line; go to a step. */
int tui__rebuild(tui_state *s);
void tui__say(tui_state *s, tui_msg_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tui__go(tui_state *s, size_t step);
/* state_ops.c: the keys of the other operations (T, P, f, I, a); returns
 * 1 when the key was one of them. */
int tui__ops_key(tui_state *s, int key);

/* state.c, for state_try.c: the index of an output cell in s->revealed;
 * forget the last verdict; close the prompt going back to a mode; load
 * step s->step into s->cur. */
size_t tui__cell_index(const tui_state *s, long k, long r, long c);
void tui__verdict_clear(tui_state *s);
void tui__close_prompt(tui_state *s, tui_mode back);
void tui__load_step(tui_state *s);
/* The walk spec the settings ask for (its matrices point into s). */
void tui__walk_spec(const tui_state *s, cc_walk_spec *spec);
/* state_try.c: check the typed answer (1: it could not be read, the text
 * stays); turn try it yourself on or off. */
int tui__check_answer(tui_state *s);
void tui__set_try_mode(tui_state *s, int on);

#endif
