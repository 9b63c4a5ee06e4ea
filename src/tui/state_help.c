/* state_help.c - the key tables the help overlay shows (per screen), the
 * screens' names, and the one-line text field every prompt edits. No
 * drawing here (draw.c shows them). */
#include "tui.h"

#include <string.h>

/* ---- help ---------------------------------------------------------------- */

static const tui_keyhelp global_keys[] = {
    {"F1 .. F4", "switch screen: stepper, shape, layer stack, exercises"},
    {"Tab / Shift-Tab", "next / previous screen (outside text fields)"},
    {"?", "this help (arrows scroll it; ?, q or Esc close it)"},
    {"q", "quit (outside text fields)"},
    {"F10  Ctrl-C", "quit, from anywhere"},
};

static const tui_keyhelp stepper_keys[] = {
    {"n  Space  Right  Down", "next step"},
    {"p  Backspace  Left  Up", "previous step"},
    {"g  Home", "first step (the padded input)"},
    {"G  End", "last step (the finished output)"},
    {"c", "pick an output cell with the arrows, Enter jumps to it"},
    {"mouse click", "jump to the output cell clicked"},
    {"m", "toggle convolution / cross-correlation"},
    {"s  S", "stride up / down"},
    {"]  [", "padding up / down"},
    {"v", "padding: number -> valid -> same -> full -> number"},
    {"d  D", "dilation up / down"},
    {"e", "edit the input: arrows move, Enter or a digit types a value,"},
    {"", "Tab switches input/kernel, r retypes the whole matrix, Esc ends,"},
    {"", "< > the other channels (and the kernel's other filters)"},
    {"k", "edit the kernel (as e)"},
    {"o  O", "load the input / the kernel from a file (Tab completes the name)"},
    {"<  >", "previous / next channel (multi-channel input)"},
    {"T", "transposed convolution on / off (scatter steps, then as a convolution)"},
    {"V", "transposed: both views -> the scatter view -> the convolution view"},
    {"P", "pooling: max -> average -> off"},
    {"w  W", "pooling window smaller / larger (starts at the kernel's size)"},
    {"f", "activation after the bias: none -> relu -> leaky-relu -> sigmoid -> tanh"},
    {"I", "im2col: the convolution as one matrix product (arrows scroll it; I again: the steps)"},
    {"a", "auto-play: a step every 0.8 s; Space (or any key) pauses"},
    {"b", "back to the exercise this convolution came from (F4)"},
    {"t", "try it yourself: type each cell's value before it is shown"},
    {"", "answer: the value, or the products then = value"},
    {"", "Enter checks, Esc reveals without checking"},
};

static const tui_keyhelp shape_keys[] = {
    {"Up  Down  Enter", "move between the fields"},
    {"typing  Backspace", "change the field: N or HxW; padding P, B,E, valid, same, full"},
    {"Delete (at the end)", "empty the field: the empty field is the unknown solved for"},
    {"", "no field empty: the output is computed and checked"},
    {"Ctrl-P", "pooling on / off"},
    {"Ctrl-T", "transposed convolution on / off (adds output padding)"},
    {"Ctrl-R", "pooling: ceil mode on / off"},
    {"Ctrl-W", "padding unknown: allow different padding per side"},
    {"Ctrl-O", "kernel unknown: only odd sizes"},
    {"PgUp  PgDn", "scroll the derivation"},
};

static const tui_keyhelp stack_keys[] = {
    {"Enter  i  e", "edit the text (spec language, PyTorch print(model), darknet cfg)"},
    {"typing", "the table updates as you type; the first bad line is marked >"},
    {"arrows  Home  End", "move the cursor (while editing)"},
    {"Backspace  Delete", "delete (Tab inserts two spaces)"},
    {"Esc", "leave the editor (then q, ? and Tab work again)"},
    {"Ctrl-O", "load a stack from a file (Tab completes the file name)"},
    {"Ctrl-N", "the input size field (32x32x3): every layer's shape and RF"},
    {"Ctrl-L", "clear the text"},
    {"PgUp  PgDn", "scroll the table (Up/Down too outside the editor)"},
};

static const tui_keyhelp exercise_keys[] = {
    {"Up  Down  (n  p)", "previous / next problem"},
    {"Enter  a", "type the answer; Enter again checks it"},
    {"Esc", "stop typing"},
    {"s", "show the worked solution"},
    {"PgUp  PgDn", "scroll the feedback"},
    {"Ctrl-O", "open an exercise set: a bundled name (cnn-basics) or a file"},
    {"", "(Tab completes a file name)"},
    {"w", "a convolution problem: step through it in the stepper (b comes back)"},
    {"v", "a variant of the set: other numbers, the same for the same id"},
};

const tui_keyhelp *tui_help_keys(tui_screen screen, size_t *n)
{
#define RET(a)                          \
    do {                                \
        *n = sizeof a / sizeof a[0];    \
        return a;                       \
    } while (0)
    switch (screen) {
    case TUI_SCREEN_STEPPER: RET(stepper_keys);
    case TUI_SCREEN_SHAPE: RET(shape_keys);
    case TUI_SCREEN_STACK: RET(stack_keys);
    case TUI_SCREEN_EXERCISES: RET(exercise_keys);
    default: RET(global_keys);
    }
#undef RET
}

const char *tui_screen_name(tui_screen screen)
{
    switch (screen) {
    case TUI_SCREEN_STEPPER: return "Stepper";
    case TUI_SCREEN_SHAPE: return "Shape";
    case TUI_SCREEN_STACK: return "Layer stack";
    case TUI_SCREEN_EXERCISES: return "Exercises";
    default: return "";
    }
}

/* Edit s->field with key; returns 1 when the key was used. */
int tui_field_key(tui_field *f, int key)
{
    int fresh = f->fresh;
    f->fresh = 0;
    if (fresh && key >= 32 && key < 256 && key != 127) {
        f->len = f->cur = 0;
        f->text[0] = '\0';
    }
    switch (key) {
    case TUI_KEY_LEFT:
        if (f->cur > 0)
            f->cur--;
        return 1;
    case TUI_KEY_RIGHT:
        if (f->cur < f->len)
            f->cur++;
        return 1;
    case TUI_KEY_HOME:
    case 1: /* Ctrl-A */
        f->cur = 0;
        return 1;
    case TUI_KEY_END:
    case 5: /* Ctrl-E */
        f->cur = f->len;
        return 1;
    case TUI_KEY_BACKSPACE:
    case 8:
    case 127:
        if (f->cur > 0) {
            memmove(f->text + f->cur - 1, f->text + f->cur, f->len - f->cur + 1);
            f->cur--;
            f->len--;
        }
        return 1;
    case TUI_KEY_DELETE:
        if (f->cur < f->len) {
            memmove(f->text + f->cur, f->text + f->cur + 1, f->len - f->cur);
            f->len--;
        }
        return 1;
    case 21: /* Ctrl-U */
        f->len = f->cur = 0;
        f->text[0] = '\0';
        return 1;
    default:
        if (key >= 32 && key < 256 && key != 127) {
            if (f->len + 1 >= sizeof f->text)
                return 1;
            memmove(f->text + f->cur + 1, f->text + f->cur, f->len - f->cur + 1);
            f->text[f->cur++] = (char)key;
            f->len++;
            return 1;
        }
        return 0;
    }
}

