/* screen_exercise.c - placeholder until the library module lands on main. */
#include "screens_private.h"

int tui_exercise_key(tui_state *s, int key)
{
    (void)s;
    (void)key;
    return TUI_CONTINUE;
}
int tui_exercise_typing(const tui_state *s)
{
    (void)s;
    return 0;
}
void tui_exercise_free(tui_state *s) { (void)s; }
void tui_exercise_draw(tui_state *s, const tui_look *look, tui_rect area)
{
    (void)s;
    tui_text(area.y + 1, 2, area.w - 3, "This screen arrives with its library module.",
             tui_attr(look, TUI_R_DIM));
}
