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

#endif
