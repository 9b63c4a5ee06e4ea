/* tui_app.h - running the TUI on the terminal (private to the front end). */
#ifndef CONVCALC_TUI_APP_H
#define CONVCALC_TUI_APP_H

#include "tui.h"

/* Take over the terminal, run until the user quits, give the terminal
 * back. Returns 0, or 3 when the terminal cannot be used. */
int tui_run(tui_state *s);
/* An ncurses key code as a TUI_KEY_* (or a character); -1 to ignore it. */
int tui_translate_key(int ch);

#endif
