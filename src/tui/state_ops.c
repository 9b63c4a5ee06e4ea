/* state_ops.c - the stepper's keys for the operations besides the
 * convolution: T (transposed convolution), P (max, then average pooling,
 * with the kernel's size as the window), f (the activation after the
 * bias), I (the im2col view), a (auto-play; Space pauses it), and the
 * auto-play tick. The walk computes everything (convcalc/walk.h). */
#include "tui.h"

#include "tui_screens.h"

#include <stdio.h>

static void op_changed(tui_state *s, const char *what)
{
    s->im2col_view = 0;
    if (tui__rebuild(s) == 0)
        tui__say(s, TUI_MSG_INFO, "%s", what);
}

int tui__ops_key(tui_state *s, int key)
{
    if (s->autoplay && key != 'a') {
        /* any key pauses; Space only pauses */
        s->autoplay = 0;
        tui__say(s, TUI_MSG_INFO, "Auto-play paused (a plays again).");
        if (key == ' ')
            return 1;
    }
    switch (key) {
    case 'T':
        s->op = s->op == CC_OP_TRANSPOSED ? CC_OP_CONV : CC_OP_TRANSPOSED;
        op_changed(s, s->op == CC_OP_TRANSPOSED
                          ? "Transposed convolution (as conv_transpose2d): the scatter "
                            "steps, then the same as a convolution. T switches back."
                          : "Convolution.");
        return 1;
    case 'P':
        s->op = s->op == CC_OP_MAX_POOL   ? CC_OP_AVG_POOL
                : s->op == CC_OP_AVG_POOL ? CC_OP_CONV
                                          : CC_OP_MAX_POOL;
        op_changed(s, s->op == CC_OP_MAX_POOL
                          ? "Max pooling, the kernel's size as the window. P: average."
                      : s->op == CC_OP_AVG_POOL ? "Average pooling (padding counted, as "
                                                  "PyTorch). P: back to convolution."
                                                : "Convolution.");
        return 1;
    case 'f': {
        s->act = s->act == CC_ACT_TANH ? CC_ACT_NONE : (cc_activation)(s->act + 1);
        char m[96];
        snprintf(m, sizeof m, "Activation: %s%s", cc_activation_name(s->act),
                 s->act == CC_ACT_NONE ? "" : " (a last step, after the bias)");
        op_changed(s, m);
        return 1;
    }
    case 'I':
        if (!s->walk)
            return 1;
        if (s->op == CC_OP_MAX_POOL || s->op == CC_OP_AVG_POOL) {
            tui__say(s, TUI_MSG_BAD, "Pooling has no kernel: im2col is for convolutions.");
            return 1;
        }
        s->im2col_view = !s->im2col_view;
        tui__say(s, TUI_MSG_INFO, s->im2col_view ? "im2col: the convolution as one matrix "
                                                   "product (I again: the steps)."
                                                 : "The steps.");
        return 1;
    case 'a':
        if (!s->walk)
            return 1;
        s->autoplay = !s->autoplay;
        tui__say(s, TUI_MSG_INFO, s->autoplay ? "Auto-play: a step every %.1f s; Space "
                                                "pauses."
                                              : "Auto-play paused (a plays again).",
                 TUI_TICK_MS / 1000.0);
        return 1;
    default:
        return 0;
    }
}

void tui_state_tick(tui_state *s)
{
    if (!s->autoplay || !s->walk || s->screen != TUI_SCREEN_STEPPER ||
        s->mode != TUI_MODE_NORMAL)
        return;
    if (s->step + 1 >= cc_walk_nsteps(s->walk)) {
        s->autoplay = 0;
        tui__say(s, TUI_MSG_INFO, "Auto-play: the last step.");
        return;
    }
    tui__go(s, s->step + 1);
}
