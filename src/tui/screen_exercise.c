/* screen_exercise.c - the exercises screen. The exercise module
 * (src/check, convcalc/exercise.h) is not merged yet; until it is, the
 * screen says so. */
#include "screens_private.h"

#include <stdlib.h>

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

void tui_exercise_free(tui_state *s)
{
    free(s->exercises);
    s->exercises = NULL;
}

void tui_exercise_draw(tui_state *s, const tui_look *look, tui_rect area)
{
    (void)s;
    tui_rect r = {area.y + 1, 2, area.h - 1, area.w - 4};
    tui_wrap(r, "Exercises: this screen needs the exercise module (exercise sets and "
                "grading), which is not in this build yet.",
             tui_attr(look, TUI_R_DIM));
}
