/* state_try.c - try it yourself: reading a typed answer (the value, or the
 * products then "= value"), checking it against the walk's step, the
 * verdict and tally, and turning the mode on and off. */
#include "tui.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui_screens.h"

#define say tui__say
#define cell_index tui__cell_index
#define verdict_clear tui__verdict_clear
#define close_prompt tui__close_prompt
#define load_step tui__load_step

/* ---- try it yourself ------------------------------------------------------------ */

/* Read the numbers of an answer: "7", or the products then "= 7". Terms
 * are separated by spaces, commas, semicolons or '+'; "(-1)" is -1; a
 * term written as the sum shows it, "9*(-1)", is that product.
 * Returns the count of numbers before '=' (or -1 on a malformed answer)
 * and sets *value / *has_value. */
static long parse_answer(const char *text, double *nums, long max, double *value,
                         int *has_value, char *why, size_t why_size)
{
    long n = 0;
    *has_value = 0;
    const char *p = text;
    int after_eq = 0;
    while (*p) {
        if (strchr(" \t,;+()", *p)) {
            p++;
            continue;
        }
        if (*p == '=') {
            if (after_eq) {
                snprintf(why, why_size, "two '=' in the answer");
                return -1;
            }
            after_eq = 1;
            p++;
            continue;
        }
        char *end;
        errno = 0;
        double v = strtod(p, &end);
        if (end == p) {
            snprintf(why, why_size, "'%c' is not part of a number", *p);
            return -1;
        }
        if (errno == ERANGE) {
            snprintf(why, why_size, "a number is out of range");
            return -1;
        }
        p = end;
        while (!after_eq && (*p == ' ' || *p == ')' || *p == '*')) {
            /* "x * y": the product of the two */
            const char *q = p;
            while (*q == ' ' || *q == ')')
                q++;
            if (*q != '*')
                break;
            q++;
            while (*q == ' ' || *q == '(')
                q++;
            errno = 0;
            double w = strtod(q, &end);
            if (end == q) {
                snprintf(why, why_size, "a number is missing after '*'");
                return -1;
            }
            if (errno == ERANGE) {
                snprintf(why, why_size, "a number is out of range");
                return -1;
            }
            v *= w;
            p = end;
        }
        if (after_eq) {
            if (*has_value) {
                snprintf(why, why_size, "one value after '=', please");
                return -1;
            }
            *value = v;
            *has_value = 1;
        } else {
            if (n >= max) {
                snprintf(why, why_size, "more than %ld products", max);
                return -1;
            }
            nums[n++] = v;
        }
    }
    if (!after_eq) {
        if (n == 1) { /* just the value */
            *value = nums[0];
            *has_value = 1;
            return 0;
        }
        snprintf(why, why_size, n == 0 ? "type a number"
                                : "the products are there, the value is missing: add "
                                  "'= value' (their sum) at the end");
        return -1;
    }
    if (!*has_value) {
        snprintf(why, why_size, "the value is missing after '='");
        return -1;
    }
    return n;
}

/* Check the typed answer; returns 1 when it could not be read (the text
 * stays for the person to fix). */
int tui__check_answer(tui_state *s)
{
    const cc_walk_step *st = &s->cur;
    size_t nprod = (size_t)st->channels * (size_t)st->k_h * (size_t)st->k_w;
    double *nums = malloc((nprod + 1) * sizeof *nums);
    unsigned char *wrong = calloc(nprod + 1, 1);
    if (!nums || !wrong) {
        free(nums);
        free(wrong);
        say(s, TUI_MSG_BAD, "out of memory");
        return 1;
    }
    char why[160];
    double value = 0;
    int has_value;
    long n = parse_answer(s->field.text, nums, (long)nprod, &value, &has_value, why, sizeof why);
    if (n < 0 || (n > 0 && (size_t)n != nprod)) {
        if (n > 0)
            snprintf(why, sizeof why, "%ld products given, the window has %zu", n, nprod);
        say(s, TUI_MSG_BAD, "Not checked yet: %s. Your text is kept (the value, or the %zu "
            "products then = value).", why, nprod);
        free(nums);
        free(wrong);
        return 1;
    }
    int value_ok = 0;
    size_t nwrong = cc_walk_check_cell(st, value, n > 0 ? nums : NULL, n > 0 ? wrong : NULL,
                                       &value_ok);
    verdict_clear(s);
    s->verdict.valid = 1;
    s->verdict.step = s->step;
    s->verdict.value_ok = value_ok;
    s->verdict.nwrong = nwrong;
    s->verdict.gave_products = n > 0;
    s->verdict.wrong = wrong;
    s->verdict.nprod = nprod;
    s->verdict.got_value = value;
    s->revealed[cell_index(s, st->filter, st->out_row, st->out_col)] =
        nwrong == 0 ? TUI_CELL_RIGHT : TUI_CELL_WRONG;
    if (nwrong == 0)
        s->tally_right++;
    else
        s->tally_wrong++;

    char want[64], got[64];
    cc_matrix_fmt_value(want, sizeof want, st->value);
    cc_matrix_fmt_value(got, sizeof got, value);
    if (nwrong == 0) {
        say(s, TUI_MSG_GOOD, "Right: output (%ld,%ld) = %s.", st->out_row + 1, st->out_col + 1,
            want);
    } else {
        cc_buf b = {0};
        if (value_ok)
            cc_buf_printf(&b, "The value %s is right, but", want);
        else
            cc_buf_printf(&b, "Wrong: output (%ld,%ld) is %s, not %s.", st->out_row + 1,
                          st->out_col + 1, want, got);
        if (n > 0) {
            size_t shown = 0, differ = 0;
            for (size_t t = 0; t < nprod; t++)
                differ += wrong[t];
            if (differ) {
                /* after "..., but" the sentence goes on in lower case */
                cc_buf_printf(&b, " %s: ",
                              differ == 1 ? (value_ok ? "this term differs" : "This term differs")
                                          : (value_ok ? "these terms differ"
                                                      : "These terms differ"));
                for (size_t t = 0; t < nprod && shown < 4; t++) {
                    if (!wrong[t])
                        continue;
                    char a[32], c[32];
                    long per = st->k_h * st->k_w;
                    long ch = (long)t / per, u = ((long)t % per) / st->k_w, v = (long)t % st->k_w;
                    cc_matrix_fmt_value(a, sizeof a, nums[t]);
                    cc_matrix_fmt_value(c, sizeof c, st->products[t]);
                    char chn[48] = "";
                    if (st->channels > 1)
                        snprintf(chn, sizeof chn, " of channel %ld", ch + 1);
                    cc_buf_printf(&b, "%s(%ld,%ld)%s you %s, is %s", shown ? "; " : "", u + 1,
                                  v + 1, chn, a, c);
                    shown++;
                }
                if (differ > shown)
                    cc_buf_printf(&b, "; and %zu more", differ - shown);
            } else if (!value_ok) {
                cc_buf_puts(&b, " The products are right: check the sum.");
            }
        } else if (!value_ok && s->op == CC_OP_CONV) {
            /* The commonest slip: sliding the kernel without flipping it
             * (or flipping it when correlating). */
            cc_walk_spec spec;
            tui__walk_spec(s, &spec);
            spec.mode = s->conv_mode == CC_MODE_CONVOLUTION ? CC_MODE_CORRELATION
                                                             : CC_MODE_CONVOLUTION;
            cc_walk *other = NULL;
            cc_walk_step ost = {0};
            if (cc_walk_new(&other, &spec, NULL) == 0 &&
                cc_walk_step_get(other, s->step, &ost, NULL) == 0 &&
                ost.kind == CC_STEP_CELL && cc_walk_values_equal(ost.value, value) &&
                !cc_walk_values_equal(st->value, value))
                cc_buf_printf(&b, " %s is the %s value: %s", got,
                              cc_conv_mode_name(spec.mode),
                              s->conv_mode == CC_MODE_CONVOLUTION
                                  ? "convolution flips the kernel first."
                                  : "cross-correlation does not flip the kernel.");
            cc_walk_step_free(&ost);
            cc_walk_free(other);
        }
        say(s, TUI_MSG_BAD, "%s", cc_buf_failed(&b) ? "Wrong." : cc_buf_str(&b));
        cc_buf_free(&b);
    }
    free(nums);
    return 0;
}

void tui__set_try_mode(tui_state *s, int on)
{
    s->try_mode = on;
    s->tally_right = s->tally_wrong = 0;
    verdict_clear(s);
    if (s->mode == TUI_MODE_PROMPT && s->prompt == TUI_PROMPT_ANSWER)
        close_prompt(s, TUI_MODE_NORMAL);
    if (!s->walk)
        return;
    memset(s->revealed, 0, s->nrevealed);
    /* the cells already passed stay shown */
    const cc_walk_geom *g = cc_walk_geometry(s->walk);
    for (long k = 0; k < g->filters; k++)
        for (long r = 0; r < g->out_h; r++)
            for (long c = 0; c < g->out_w; c++)
                if (cc_walk_cell_step(s->walk, k, r, c) < s->step)
                    s->revealed[cell_index(s, k, r, c)] = 1;
    if (on)
        say(s, TUI_MSG_INFO, "Try it yourself: type each output value (or the products, "
            "then = value) before it is shown.");
    else
        say(s, TUI_MSG_INFO, "Try it yourself is off.");
    load_step(s);
}
