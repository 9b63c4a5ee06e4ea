/* state_ops.c - the stepper's keys for the operations besides the
 * convolution: T (transposed convolution) and V (its views), P (max, then
 * average pooling) and w / W (its window), f (the activation after the
 * bias), I (the im2col view), a (auto-play; Space pauses it), b (back to
 * the exercise shown), the auto-play tick, and opening an exercise's
 * convolution. The walk computes everything (convcalc/walk.h). */
#include "tui.h"

#include "tui_screens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void op_changed(tui_state *s, const char *what)
{
    s->im2col_view = 0;
    if (tui__rebuild(s) == 0)
        tui__say(s, TUI_MSG_INFO, "%s", what);
}

static int pooling(const tui_state *s)
{
    return s->op == CC_OP_MAX_POOL || s->op == CC_OP_AVG_POOL;
}

/* w / W: the pooling window one smaller / larger each way; a window the
 * input cannot hold is refused (the walk says why) and the old one kept. */
static void change_window(tui_state *s, long delta)
{
    if (!pooling(s)) {
        tui__say(s, TUI_MSG_INFO, "w and W size the pooling window: P turns pooling on.");
        return;
    }
    long h = s->pool_h > 0 ? s->pool_h : s->kernel.rows;
    long w = s->pool_w > 0 ? s->pool_w : s->kernel.cols;
    if (h + delta < 1 || w + delta < 1) {
        tui__say(s, TUI_MSG_BAD, "The pooling window is %ldx%ld: it cannot be smaller.", h, w);
        return;
    }
    s->pool_h = h + delta;
    s->pool_w = w + delta;
    if (tui__rebuild(s) != 0) {
        char why[512];
        snprintf(why, sizeof why, "%s", s->walk_error);
        s->pool_h = h;
        s->pool_w = w;
        tui__rebuild(s);
        tui__say(s, TUI_MSG_BAD, "A %ldx%ld window does not fit: %.400s", h + delta, w + delta,
                 why);
        return;
    }
    tui__say(s, TUI_MSG_INFO, "Pooling window %ldx%ld (w smaller, W larger).", s->pool_h,
             s->pool_w);
}

static void cycle_view(tui_state *s)
{
    if (s->op != CC_OP_TRANSPOSED) {
        tui__say(s, TUI_MSG_INFO, "V switches the views of a transposed convolution: T turns "
                 "it on.");
        return;
    }
    s->tview = s->tview == CC_TVIEW_CONV ? CC_TVIEW_BOTH : (cc_tconv_view)(s->tview + 1);
    op_changed(s, s->tview == CC_TVIEW_BOTH      ? "Both views: the scatter steps, then the "
                                                   "same as a convolution (V: scatter only)."
                  : s->tview == CC_TVIEW_SCATTER ? "The scatter view: each input cell times the "
                                                   "kernel, added into the output (V: the "
                                                   "convolution view)."
                                                 : "The convolution view: zeros inserted, the "
                                                   "border padded, the flipped kernel slid (V: "
                                                   "both).");
}

int tui_state_open_walk(tui_state *s, const cc_walk *w, const char *id)
{
    const cc_walk_geom *g = cc_walk_geometry(w);
    cc_matrix image = {0}, kernel = {0};
    cc_error err;
    cc_error_clear(&err);
    double *bias = g->has_bias ? malloc((size_t)g->filters * sizeof *bias) : NULL;
    if ((g->has_bias && !bias) || cc_matrix_copy(&image, cc_walk_input(w), &err) ||
        cc_matrix_copy(&kernel, cc_walk_kernels(w), &err)) {
        free(bias);
        cc_matrix_free(&image);
        cc_matrix_free(&kernel);
        tui__say(s, TUI_MSG_BAD, "Cannot open it in the stepper: %s",
                 err.msg[0] ? err.msg : "out of memory");
        return err.code ? err.code : CC_ENOMEM;
    }
    for (long k = 0; bias && k < g->filters; k++)
        bias[k] = cc_walk_bias(w, k);
    cc_matrix_free(&s->image);
    cc_matrix_free(&s->kernel);
    free(s->bias);
    s->image = image;
    s->kernel = kernel;
    s->bias = bias;
    s->nbias = bias ? g->filters : 0;
    s->stride = g->stride_h;
    s->stride_w = g->stride_w;
    s->dilation = g->dilation_h;
    s->dilation_w = g->dilation_w;
    s->conv_mode = g->mode;
    s->pad_kind = g->pad_kind == CC_PAD_VALID  ? TUI_PAD_VALID
                  : g->pad_kind == CC_PAD_SAME ? TUI_PAD_SAME
                  : g->pad_kind == CC_PAD_FULL ? TUI_PAD_FULL
                                               : TUI_PAD_NUMBER;
    s->pad = g->pad_top;
    s->pad_bottom = g->pad_bottom;
    s->pad_left = g->pad_left;
    s->pad_right = g->pad_right;
    s->op = CC_OP_CONV;
    s->act = g->activation;
    s->pool_h = s->pool_w = 0;
    s->tview = CC_TVIEW_BOTH;
    s->im2col_view = 0;
    s->autoplay = 0;
    s->channel = 0;
    s->step = 0;
    snprintf(s->exercise, sizeof s->exercise, "%s", id ? id : "");
    if (s->mode == TUI_MODE_PROMPT)
        tui__close_prompt(s, TUI_MODE_NORMAL);
    s->mode = TUI_MODE_NORMAL;
    s->edit_back = 0;
    cc_walk_free(s->walk);
    s->walk = NULL; /* a fresh start: step 1, not the old position */
    int rc = tui__rebuild(s);
    if (rc)
        return rc;
    s->screen = TUI_SCREEN_STEPPER;
    if (s->exercise[0])
        tui__say(s, TUI_MSG_INFO, "Exercise %s in the stepper: n steps, t tries it yourself; "
                 "b goes back to the exercise.", s->exercise);
    return 0;
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
    if (s->im2col_view) {
        /* the arrows scroll the product (the draw keeps it in range) */
        switch (key) {
        case TUI_KEY_UP: s->im2col_top -= s->im2col_top > 0; return 1;
        case TUI_KEY_DOWN: s->im2col_top++; return 1;
        case TUI_KEY_PGUP: s->im2col_top = s->im2col_top > 10 ? s->im2col_top - 10 : 0; return 1;
        case TUI_KEY_PGDN: s->im2col_top += 10; return 1;
        case TUI_KEY_LEFT: s->im2col_left = s->im2col_left > 8 ? s->im2col_left - 8 : 0; return 1;
        case TUI_KEY_RIGHT: s->im2col_left += 8; return 1;
        case TUI_KEY_HOME: s->im2col_top = s->im2col_left = 0; return 1;
        default: break;
        }
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
                          ? "Max pooling (w / W size the window). P: average."
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
        s->im2col_top = s->im2col_left = 0;
        tui__say(s, TUI_MSG_INFO, s->im2col_view ? "im2col: the convolution as one matrix "
                                                   "product (arrows scroll it; I again: the "
                                                   "steps)."
                                                 : "The steps.");
        return 1;
    case 'w': change_window(s, -1); return 1;
    case 'W': change_window(s, 1); return 1;
    case 'V': cycle_view(s); return 1;
    case 'b':
        if (!s->exercise[0]) {
            tui__say(s, TUI_MSG_INFO, "b goes back to an exercise opened with w on F4.");
            return 1;
        }
        s->screen = TUI_SCREEN_EXERCISES;
        tui__say(s, TUI_MSG_INFO, "Back to exercise %s.", s->exercise);
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
