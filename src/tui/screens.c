/* screens.c - keys and drawing of the screens other than the stepper,
 * dispatched to screen_shape.c, screen_stack.c and screen_exercise.c. */
#include "draw.h"
#include "tui_screens.h"

#include "screens_private.h"

int tui_screen_key(tui_state *s, int key)
{
    switch (s->screen) {
    case TUI_SCREEN_SHAPE: return tui_shape_key(s, key);
    case TUI_SCREEN_STACK: return tui_stack_key(s, key);
    case TUI_SCREEN_EXERCISES: return tui_exercise_key(s, key);
    default: return TUI_CONTINUE;
    }
}

int tui_screen_typing(const tui_state *s)
{
    switch (s->screen) {
    case TUI_SCREEN_SHAPE: return tui_shape_typing(s);
    case TUI_SCREEN_STACK: return tui_stack_typing(s);
    case TUI_SCREEN_EXERCISES: return tui_exercise_typing(s);
    default: return 0;
    }
}

void tui_screens_free(tui_state *s)
{
    tui_shape_free(s);
    tui_stack_free(s);
    tui_exercise_free(s);
}

void tui_draw_other(tui_state *s, const tui_look *look, tui_rect area)
{
    switch (s->screen) {
    case TUI_SCREEN_SHAPE: tui_shape_draw(s, look, area); break;
    case TUI_SCREEN_STACK: tui_stack_draw(s, look, area); break;
    case TUI_SCREEN_EXERCISES: tui_exercise_draw(s, look, area); break;
    default: break;
    }
}
