/* test_tui_state.c - the TUI's screen state, driven key by key without a
 * terminal: stepping, settings, the cell picker and clicks, editing, try it
 * yourself, help and screens. Expected values are the textbook convolution
 * of the built-in example worked by hand (kernel flipped, padding 1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "tui/screens_private.h"
#include "tui/tui.h"

static void keys(tui_state *s, const char *k)
{
    for (; *k; k++)
        tui_state_key(s, (unsigned char)*k);
}

static void init_example(tui_state *s)
{
    cc_error err;
    cc_error_clear(&err);
    assert_int_equal(tui_state_init(s, NULL, &err), 0);
}

static double out_value(const tui_state *s, long r, long c)
{
    return cc_matrix_get(cc_walk_output(s->walk), 0, 0, r, c);
}

static void test_opens_on_the_example(void **state)
{
    (void)state;
    tui_state s;
    init_example(&s);
    assert_int_equal(s.screen, TUI_SCREEN_STEPPER);
    assert_int_equal(tui_nsteps(&s), 18); /* pad, kernel, 15 cells, output */
    assert_int_equal(s.step, 0);
    assert_int_equal(s.cur.kind, CC_STEP_PAD);
    assert_int_equal(s.pad, 1);
    assert_int_equal(s.stride, 1);
    assert_int_equal(s.conv_mode, CC_MODE_CONVOLUTION);
    assert_int_equal(s.image.rows, 3);
    assert_int_equal(s.image.cols, 5);
    /* nothing of the output is shown before its step */
    assert_false(tui_output_shown(&s, 0, 0, 0));
    tui_state_free(&s);
}

static void test_stepping(void **state)
{
    (void)state;
    tui_state s;
    init_example(&s);
    keys(&s, "n");
    assert_int_equal(s.cur.kind, CC_STEP_KERNEL);
    tui_state_key(&s, ' ');
    assert_int_equal(s.cur.kind, CC_STEP_CELL);
    assert_int_equal(s.cur.out_row, 0);
    assert_int_equal(s.cur.out_col, 0);
    assert_true(s.cur.value == -11);
    assert_true(tui_output_shown(&s, 0, 0, 0));
    assert_false(tui_output_shown(&s, 0, 0, 1));
    tui_state_key(&s, TUI_KEY_RIGHT);
    assert_int_equal(s.cur.out_col, 1);
    assert_true(s.cur.value == 2);
    tui_state_key(&s, TUI_KEY_LEFT);
    assert_int_equal(s.cur.out_col, 0);
    keys(&s, "p");
    assert_int_equal(s.step, 1);
    tui_state_key(&s, TUI_KEY_END);
    assert_int_equal(s.step, 17);
    assert_int_equal(s.cur.kind, CC_STEP_OUTPUT);
    keys(&s, "n"); /* stays on the last step and says so */
    assert_int_equal(s.step, 17);
    assert_non_null(strstr(s.msg, "last step"));
    assert_true(tui_output_shown(&s, 0, 2, 4));
    keys(&s, "g");
    assert_int_equal(s.step, 0);
    keys(&s, "p");
    assert_int_equal(s.step, 0);
    assert_non_null(strstr(s.msg, "first step"));
    keys(&s, "G");
    assert_int_equal(s.step, 17);
    tui_state_key(&s, TUI_KEY_HOME);
    assert_int_equal(s.step, 0);
    tui_state_free(&s);
}

static void test_mode_toggle_keeps_the_cell(void **state)
{
    (void)state;
    tui_state s;
    init_example(&s);
    keys(&s, "nnn"); /* cell (0,1) */
    assert_true(s.cur.value == 2);
    keys(&s, "m");
    assert_int_equal(s.conv_mode, CC_MODE_CORRELATION);
    assert_int_equal(s.cur.kind, CC_STEP_CELL);
    assert_int_equal(s.cur.out_col, 1);
    assert_true(s.cur.value == -2);
    assert_true(out_value(&s, 1, 0) == 24);
    keys(&s, "m");
    assert_true(s.cur.value == 2);
    assert_true(out_value(&s, 1, 0) == -24);
    tui_state_free(&s);
}

static void test_padding_stride_dilation(void **state)
{
    (void)state;
    tui_state s;
    char d[128];
    init_example(&s);
    keys(&s, "]");
    assert_int_equal(s.pad, 2);
    assert_int_equal(tui_nsteps(&s), 38);
    assert_true(out_value(&s, 0, 0) == -2);
    keys(&s, "v");
    assert_int_equal(s.pad_kind, TUI_PAD_VALID);
    assert_string_equal(tui_pad_describe(&s, d, sizeof d), "valid");
    assert_int_equal(cc_walk_geometry(s.walk)->out_w, 3);
    assert_true(out_value(&s, 0, 0) == 8);
    keys(&s, "v");
    assert_string_equal(tui_pad_describe(&s, d, sizeof d), "same (1)");
    keys(&s, "v");
    assert_string_equal(tui_pad_describe(&s, d, sizeof d), "full (2)");
    keys(&s, "v");
    assert_int_equal(s.pad_kind, TUI_PAD_NUMBER);
    /* [ from a named padding starts from the padding it gave */
    keys(&s, "v[");
    assert_int_equal(s.pad_kind, TUI_PAD_NUMBER);
    assert_int_equal(s.pad, 0);
    keys(&s, "[");
    assert_int_equal(s.pad, 0);
    assert_int_equal(s.msg_kind, TUI_MSG_BAD);
    keys(&s, "]s");
    assert_int_equal(s.stride, 2);
    assert_int_equal(cc_walk_geometry(s.walk)->out_h, 2);
    assert_int_equal(cc_walk_geometry(s.walk)->out_w, 3);
    assert_true(out_value(&s, 1, 2) == 15);
    keys(&s, "SS");
    assert_int_equal(s.stride, 1);
    assert_non_null(strstr(s.msg, "stride cannot be less than 1"));
    keys(&s, "]d");
    assert_int_equal(s.dilation, 2);
    assert_true(out_value(&s, 0, 1) == -13);
    /* a dilation the padded input cannot hold: no walk, and back */
    keys(&s, "dd");
    assert_null(s.walk);
    assert_true(s.walk_error[0] != '\0');
    assert_int_equal(tui_nsteps(&s), 0);
    keys(&s, "nG"); /* stepping without a walk does nothing */
    keys(&s, "DD");
    assert_non_null(s.walk);
    assert_true(out_value(&s, 1, 3) == 18);
    tui_state_free(&s);
}

static void test_picker_and_click(void **state)
{
    (void)state;
    tui_state s;
    init_example(&s);
    keys(&s, "c");
    assert_int_equal(s.mode, TUI_MODE_PICK);
    tui_state_key(&s, TUI_KEY_DOWN);
    tui_state_key(&s, TUI_KEY_DOWN);
    tui_state_key(&s, TUI_KEY_DOWN); /* stops at the last row */
    tui_state_key(&s, TUI_KEY_RIGHT);
    tui_state_key(&s, TUI_KEY_ENTER);
    assert_int_equal(s.mode, TUI_MODE_NORMAL);
    assert_int_equal(s.cur.out_row, 2);
    assert_int_equal(s.cur.out_col, 1);
    assert_true(s.cur.value == 10);
    keys(&s, "c");
    tui_state_key(&s, TUI_KEY_ESC);
    assert_int_equal(s.mode, TUI_MODE_NORMAL);
    assert_int_equal(s.cur.out_col, 1);
    /* a click where draw.c says the output cells are */
    s.hit = (tui_hitmap){1, 10, 4, 4, 0, 0, 3, 5};
    assert_true(tui_state_click(&s, 11, 4 + 4 * 3 + 1));
    assert_int_equal(s.cur.out_row, 1);
    assert_int_equal(s.cur.out_col, 3);
    assert_true(s.cur.value == -5);
    assert_false(tui_state_click(&s, 13, 4)); /* below the panel */
    assert_false(tui_state_click(&s, 10, 3)); /* left of it */
    assert_int_equal(s.cur.out_col, 3);
    tui_state_free(&s);
}

static void type(tui_state *s, const char *t)
{
    keys(s, t);
    tui_state_key(s, TUI_KEY_ENTER);
}

static void test_try_it_yourself(void **state)
{
    (void)state;
    tui_state s;
    init_example(&s);
    keys(&s, "t");
    assert_true(s.try_mode);
    keys(&s, "nn");
    assert_true(tui_cell_hidden(&s));
    assert_int_equal(s.mode, TUI_MODE_PROMPT);
    assert_int_equal(s.prompt, TUI_PROMPT_ANSWER);
    assert_false(tui_output_shown(&s, 0, 0, 0));
    /* the cross-correlation value: wrong, and recognised */
    type(&s, "11");
    assert_false(tui_cell_hidden(&s));
    assert_true(s.verdict.valid);
    assert_false(s.verdict.value_ok);
    assert_int_equal(s.msg_kind, TUI_MSG_BAD);
    assert_non_null(strstr(s.msg, "is -11, not 11"));
    assert_non_null(strstr(s.msg, "correlation"));
    assert_true(tui_output_shown(&s, 0, 0, 0));
    assert_int_equal(s.mode, TUI_MODE_NORMAL);
    /* the next cell: products with one wrong term, (1,2) */
    keys(&s, "n");
    assert_true(tui_cell_hidden(&s));
    type(&s, "0 0 0 4 0 4 3 0 -1 = 10");
    assert_true(s.verdict.gave_products);
    assert_int_equal(s.verdict.nprod, 9);
    for (size_t t = 0; t < 9; t++)
        assert_int_equal(s.verdict.wrong[t], t == 5);
    assert_non_null(strstr(s.msg, "(2,3) you 4, is -4"));
    /* right, written with parentheses and plus signs */
    keys(&s, "n");
    type(&s, "(0) + 0 + 0 + 2 + 0 + (-6) + 9 + 0 + (-1) = 4");
    assert_int_equal(s.verdict.nwrong, 0);
    assert_int_equal(s.msg_kind, TUI_MSG_GOOD);
    /* malformed answers keep the prompt open */
    keys(&s, "n");
    type(&s, "1 = 2 = 3");
    assert_true(tui_cell_hidden(&s));
    assert_non_null(strstr(s.msg, "two '='"));
    tui_state_key(&s, 21); /* Ctrl-U */
    type(&s, "1 2 3");
    assert_non_null(strstr(s.msg, "= value"));
    tui_state_key(&s, 21);
    type(&s, "1 2 = 3");
    assert_non_null(strstr(s.msg, "2 products given, the window has 9"));
    assert_true(tui_cell_hidden(&s));
    /* Esc shows it without an answer */
    tui_state_key(&s, TUI_KEY_ESC);
    assert_false(tui_cell_hidden(&s));
    assert_non_null(strstr(s.msg, "= -1"));
    /* back: answered cells stay shown; Down skips a cell unanswered */
    keys(&s, "p");
    assert_false(tui_cell_hidden(&s));
    keys(&s, "nn");
    assert_true(tui_cell_hidden(&s));
    tui_state_key(&s, TUI_KEY_DOWN);
    assert_int_equal(s.cur.out_row, 1);
    assert_false(tui_output_shown(&s, 0, 0, 4));
    /* letters are commands even while the answer is asked for */
    keys(&s, "n");
    assert_int_equal(s.cur.out_row, 1);
    assert_int_equal(s.cur.out_col, 1);
    assert_int_equal(s.prompt, TUI_PROMPT_ANSWER);
    keys(&s, "p");
    assert_int_equal(s.cur.out_col, 0);
    keys(&s, "1e1"); /* but an exponent is typed */
    assert_string_equal(s.field.text, "1e1");
    tui_state_key(&s, 21);
    /* off: everything up to the current step shows again */
    tui_state_key(&s, TUI_KEY_ESC);
    keys(&s, "t");
    assert_false(s.try_mode);
    assert_true(tui_output_shown(&s, 0, 0, 4));
    tui_state_free(&s);
}

static void test_editing(void **state)
{
    (void)state;
    tui_state s;
    init_example(&s);
    keys(&s, "e");
    assert_int_equal(s.mode, TUI_MODE_EDIT);
    tui_state_key(&s, TUI_KEY_RIGHT);
    type(&s, "5"); /* a digit opens the value prompt */
    assert_int_equal(s.mode, TUI_MODE_EDIT);
    assert_true(cc_matrix_get(&s.image, 0, 0, 0, 1) == 5);
    assert_true(out_value(&s, 0, 0) == -19);
    assert_true(out_value(&s, 1, 2) == 16);
    /* a value that is not a number changes nothing */
    tui_state_key(&s, TUI_KEY_ENTER);
    assert_string_equal(s.field.text, "5");
    tui_state_key(&s, 21);
    type(&s, "abc");
    assert_int_equal(s.msg_kind, TUI_MSG_BAD);
    assert_true(cc_matrix_get(&s.image, 0, 0, 0, 1) == 5);
    /* Tab goes to the kernel; r retypes it whole */
    tui_state_key(&s, TUI_KEY_TAB);
    assert_true(s.edit_kernel);
    keys(&s, "r");
    assert_int_equal(s.prompt, TUI_PROMPT_MATRIX);
    assert_string_equal(s.field.text, "-1 0 1; -2 0 2; -1 0 1");
    tui_state_key(&s, 21);
    type(&s, "1 2; 3");
    assert_int_equal(s.msg_kind, TUI_MSG_BAD);
    assert_int_equal(s.kernel.rows, 3);
    keys(&s, "r");
    tui_state_key(&s, 21);
    type(&s, "0 1; 1 0");
    assert_int_equal(s.kernel.rows, 2);
    assert_int_equal(cc_walk_geometry(s.walk)->out_h, 4);
    tui_state_key(&s, TUI_KEY_ESC);
    assert_int_equal(s.mode, TUI_MODE_NORMAL);
    /* loading a file that is not there says so and keeps the data */
    keys(&s, "o");
    assert_int_equal(s.prompt, TUI_PROMPT_LOAD_IMAGE);
    type(&s, "/nonexistent/matrix.txt");
    assert_int_equal(s.msg_kind, TUI_MSG_BAD);
    assert_non_null(strstr(s.msg, "cannot open"));
    assert_int_equal(s.image.rows, 3);
    tui_state_free(&s);
}

static void test_options(void **state)
{
    (void)state;
    tui_state s;
    tui_options o;
    cc_error err;
    memset(&o, 0, sizeof o);
    o.image = "1 2 3; 4 5 6; 7 8 9";
    o.kernel = "0 1; 1 0";
    o.stride = 1;
    o.pad_set = 1;
    o.pad_kind = TUI_PAD_NUMBER;
    o.pad = 1;
    o.correlation = 1;
    cc_error_clear(&err);
    assert_int_equal(tui_state_init(&s, &o, &err), 0);
    assert_int_equal(s.conv_mode, CC_MODE_CORRELATION);
    assert_int_equal(cc_walk_geometry(s.walk)->out_h, 4);
    assert_true(out_value(&s, 1, 1) == 6); /* 2 + 4 */
    tui_state_free(&s);
    /* own matrices default to no padding */
    o.pad_set = 0;
    assert_int_equal(tui_state_init(&s, &o, &err), 0);
    assert_int_equal(s.pad, 0);
    assert_int_equal(cc_walk_geometry(s.walk)->out_h, 2);
    tui_state_free(&s);
    /* a ragged matrix: the error has its position */
    o.image = "1 2; 3";
    cc_error_clear(&err);
    assert_int_not_equal(tui_state_init(&s, &o, &err), 0);
    assert_int_equal(err.line, 1);
    assert_string_equal(err.source, "--image");
    /* a kernel larger than the input */
    o.image = "1 2; 3 4";
    o.kernel = "1 1 1; 1 1 1; 1 1 1";
    cc_error_clear(&err);
    assert_int_not_equal(tui_state_init(&s, &o, &err), 0);
    assert_true(err.msg[0] != '\0');
}

static void test_channels_and_filters(void **state)
{
    (void)state;
    tui_state s;
    tui_options o;
    cc_error err;
    memset(&o, 0, sizeof o);
    /* two channels; filter 1 is a diagonal per channel, filter 2 sums
     * channel 1 only */
    o.image = "1 2 3; 4 5 6; 7 8 9 | 9 8 7; 6 5 4; 3 2 1";
    o.kernel = "1 0; 0 1 | 0 1; 1 0 || 1 1; 1 1 | 0 0; 0 0";
    cc_error_clear(&err);
    assert_int_equal(tui_state_init(&s, &o, &err), 0);
    assert_int_equal(tui_nsteps(&s), 12); /* pad, 2 x (kernel + 4 cells), output */
    keys(&s, "nn");
    assert_int_equal(s.cur.kind, CC_STEP_CELL);
    assert_int_equal(s.cur.filter, 0);
    assert_true(s.cur.value == 20); /* (1 + 5) + (8 + 6) */
    keys(&s, ">");
    assert_int_equal(s.channel, 1);
    keys(&s, ">");
    assert_int_equal(s.channel, 0);
    keys(&s, "<");
    assert_int_equal(s.channel, 1);
    keys(&s, "nnnn");
    assert_int_equal(s.cur.kind, CC_STEP_KERNEL);
    assert_int_equal(s.cur.filter, 1);
    keys(&s, "n");
    assert_true(s.cur.value == 12); /* 1 + 2 + 4 + 5 */
    /* the picker jumps within the current filter */
    keys(&s, "c");
    tui_state_key(&s, TUI_KEY_DOWN);
    tui_state_key(&s, TUI_KEY_ENTER);
    assert_int_equal(s.cur.filter, 1);
    assert_int_equal(s.cur.out_row, 1);
    assert_true(s.cur.value == 24); /* 4 + 5 + 7 + 8 */
    tui_state_free(&s);
}

static void test_help_screens_quit(void **state)
{
    (void)state;
    tui_state s;
    init_example(&s);
    keys(&s, "?");
    assert_true(s.help);
    assert_int_equal(tui_state_key(&s, 'q'), TUI_CONTINUE); /* q closes help */
    assert_false(s.help);
    tui_state_key(&s, TUI_KEY_F2);
    assert_int_equal(s.screen, TUI_SCREEN_SHAPE);
    tui_state_key(&s, TUI_KEY_TAB);
    assert_int_equal(s.screen, TUI_SCREEN_STACK);
    tui_state_key(&s, TUI_KEY_BTAB);
    tui_state_key(&s, TUI_KEY_BTAB);
    assert_int_equal(s.screen, TUI_SCREEN_STEPPER);
    /* letters typed into a prompt are text, not commands */
    keys(&s, "o");
    assert_int_equal(tui_state_key(&s, 'q'), TUI_CONTINUE);
    assert_string_equal(s.field.text, "q");
    assert_int_equal(tui_state_key(&s, TUI_KEY_CTRL_C), TUI_QUIT);
    tui_state_key(&s, TUI_KEY_ESC);
    assert_int_equal(tui_state_key(&s, 'q'), TUI_QUIT);
    /* every screen has its keys documented */
    for (int i = 0; i <= TUI_NSCREENS; i++) {
        size_t n = 0;
        const tui_keyhelp *k = tui_help_keys((tui_screen)i, &n);
        assert_true(n > 0);
        assert_non_null(k[0].keys);
    }
    tui_state_free(&s);
}

static void test_shape_screen(void **state)
{
    (void)state;
    tui_state s;
    init_example(&s);
    tui_state_key(&s, TUI_KEY_F2);
    tui_shape *sh = tui_shape_state(&s);
    assert_non_null(sh);
    /* input 32, kernel 5, output 32, padding empty: P = 2 */
    assert_true(sh->ok);
    assert_non_null(strstr(cc_buf_str(&sh->result), "P = 2"));
    /* kernel 7 instead: P = 3 */
    tui_state_key(&s, TUI_KEY_UP);
    assert_int_equal(sh->focus, 1);
    tui_state_key(&s, TUI_KEY_BACKSPACE);
    keys(&s, "7");
    assert_true(sh->ok);
    assert_non_null(strstr(cc_buf_str(&sh->result), "P = 3"));
    /* two empty fields: told to leave one */
    tui_state_key(&s, TUI_KEY_BACKSPACE);
    tui_state_key(&s, TUI_KEY_UP);
    assert_false(sh->ok);
    assert_non_null(strstr(sh->error, "leave exactly one"));
    /* a value that does not parse marks its field */
    tui_state_key(&s, TUI_KEY_DOWN);
    keys(&s, "x");
    assert_false(sh->ok);
    assert_int_equal(sh->bad_field, 1);
    tui_state_free(&s);
}

static void test_stack_screen(void **state)
{
    (void)state;
    tui_state s;
    init_example(&s);
    tui_state_key(&s, TUI_KEY_F3);
    tui_stack *st = tui_stack_state(&s);
    assert_non_null(st);
    assert_int_equal(st->nlayers, 8);
    assert_string_equal(st->error, "");
    assert_non_null(strstr(cc_buf_str(&st->table), "(5*5*3 + 1) * 32 = 2432"));
    /* q outside the editor quits; inside it is typed */
    keys(&s, "i");
    assert_true(st->editing);
    tui_state_key(&s, 12); /* Ctrl-L */
    assert_int_equal(st->len, 0);
    keys(&s, "input 28x28\nconv 8 3x3\nq");
    assert_int_equal(st->err_line, 3);
    assert_true(st->stale); /* the table is the last one that read */
    tui_state_key(&s, TUI_KEY_BACKSPACE);
    keys(&s, "flatten\nlinear 10");
    assert_string_equal(st->error, "");
    assert_false(st->stale);
    assert_int_equal(st->nlayers, 3);
    /* 8 x 26 x 26 = 5408 inputs to the linear layer */
    assert_non_null(strstr(cc_buf_str(&st->table), "(3*3*1 + 1) * 8 = 80"));
    assert_non_null(strstr(cc_buf_str(&st->table), "(5408 + 1) * 10 = 54090"));
    /* the cursor moves by lines, keeping the column */
    tui_state_key(&s, TUI_KEY_UP);
    tui_state_key(&s, TUI_KEY_HOME);
    keys(&s, "#");
    assert_int_equal(st->nlayers, 2);
    tui_state_key(&s, TUI_KEY_ESC);
    assert_false(st->editing);
    assert_int_equal(tui_state_key(&s, 'q'), TUI_QUIT);
    tui_state_free(&s);
}

static void test_exercise_screen(void **state)
{
    (void)state;
    tui_state s;
    init_example(&s);
    tui_state_key(&s, TUI_KEY_F4);
    tui_exercise *ex = tui_exercise_state(&s);
    assert_non_null(ex);
    assert_non_null(ex->set); /* the bundled cnn-basics, from ./exercises */
    assert_true(cc_exset_count(ex->set) > 2);
    /* 1a is the built-in example: the answer worked by hand is right */
    tui_state_key(&s, TUI_KEY_ENTER);
    assert_true(ex->typing);
    keys(&s, "-11 2 4 -1 7; -24 8 12 -5 12; -19 10 4 -3 15");
    tui_state_key(&s, TUI_KEY_ENTER);
    assert_int_equal(ex->verdict[0], CC_VERDICT_RIGHT);
    assert_int_equal(s.msg_kind, TUI_MSG_GOOD);
    /* q is typed while answering; Esc, then it quits */
    tui_state_key(&s, 21);
    assert_int_equal(tui_state_key(&s, 'q'), TUI_CONTINUE);
    assert_string_equal(ex->field.text, "q");
    tui_state_key(&s, TUI_KEY_ESC);
    /* the answer typed stays with its problem */
    tui_state_key(&s, TUI_KEY_DOWN);
    assert_int_equal(ex->cur, 1);
    assert_string_equal(ex->field.text, "");
    tui_state_key(&s, TUI_KEY_UP);
    assert_string_equal(ex->field.text, "q");
    /* the sign of one cell flipped: wrong, but the first answer counts */
    tui_state_key(&s, TUI_KEY_ENTER);
    tui_state_key(&s, 21);
    keys(&s, "11 2 4 -1 7; -24 8 12 -5 12; -19 10 4 -3 15");
    tui_state_key(&s, TUI_KEY_ENTER);
    assert_int_equal(ex->verdict[0], CC_VERDICT_RIGHT);
    assert_non_null(strstr(s.msg, "wrong; your first answer counts"));
    assert_non_null(ex->feedback[0]);
    tui_state_key(&s, TUI_KEY_ESC);
    /* a set that does not exist keeps the current one */
    tui_state_key(&s, 15); /* Ctrl-O */
    keys(&s, "/nonexistent/set.txt");
    tui_state_key(&s, TUI_KEY_ENTER);
    assert_int_equal(s.msg_kind, TUI_MSG_BAD);
    assert_non_null(ex->set);
    assert_int_equal(tui_state_key(&s, 'q'), TUI_QUIT);
    tui_state_free(&s);
}

/* The stepper's output as an answer line: "1 2; 3 4". */
static void output_line(char *out, size_t size, const tui_state *s)
{
    const cc_matrix *y = cc_walk_output(s->walk);
    size_t at = 0;
    out[0] = '\0';
    for (long r = 0; r < y->rows; r++)
        for (long c = 0; c < y->cols; c++) {
            char v[64];
            cc_matrix_fmt_value(v, sizeof v, cc_matrix_get(y, 0, 0, r, c));
            at += (size_t)snprintf(out + at, size - at, "%s%s", c ? " " : r ? "; " : "", v);
        }
}

/* F4 w: a convolution problem (and the same problem of a variant) in the
 * stepper; its finished output is the grader's expected answer. */
static void test_exercise_in_stepper(void **state)
{
    (void)state;
    tui_state s;
    init_example(&s);
    tui_state_key(&s, TUI_KEY_F4);
    tui_exercise *ex = tui_exercise_state(&s);
    assert_non_null(ex->set);
    /* 1b is a choice: not a convolution */
    tui_state_key(&s, TUI_KEY_DOWN);
    tui_state_key(&s, 'w');
    assert_int_equal(s.screen, TUI_SCREEN_EXERCISES);
    assert_non_null(strstr(s.msg, "not a convolution"));
    cc_walk *w = NULL;
    cc_error err;
    assert_int_equal(cc_exset_walk(&w, ex->set, 1, &err), CC_EINVAL);
    assert_null(w);
    tui_state_key(&s, TUI_KEY_UP);
    tui_state_key(&s, 'w');
    assert_int_equal(s.screen, TUI_SCREEN_STEPPER);
    assert_string_equal(s.exercise, "1a");
    assert_int_equal(s.step, 0);
    tui_state_key(&s, 'G');
    char got[512];
    output_line(got, sizeof got, &s);
    cc_buf want = {0};
    assert_int_equal(cc_exset_answer(&want, ex->set, 0, &err), 0);
    assert_string_equal(got, cc_buf_str(&want));
    cc_buf_free(&want);
    /* b goes back */
    tui_state_key(&s, 'b');
    assert_int_equal(s.screen, TUI_SCREEN_EXERCISES);
    /* a variant's 1a has other numbers: the stepper follows them */
    cc_exset *v = NULL;
    assert_int_equal(cc_exset_variant(&v, ex->set, "student-42", &err), 0);
    assert_int_equal(cc_exset_walk(&w, v, 0, &err), 0);
    assert_int_equal(tui_state_open_walk(&s, w, "1a"), 0);
    cc_walk_free(w);
    assert_int_equal(s.screen, TUI_SCREEN_STEPPER);
    tui_state_key(&s, 'G');
    output_line(got, sizeof got, &s);
    assert_int_equal(cc_exset_answer(&want, v, 0, &err), 0);
    assert_string_equal(got, cc_buf_str(&want));
    cc_buf_free(&want);
    cc_exset_free(v);
    tui_state_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_opens_on_the_example),
        cmocka_unit_test(test_stepping),
        cmocka_unit_test(test_mode_toggle_keeps_the_cell),
        cmocka_unit_test(test_padding_stride_dilation),
        cmocka_unit_test(test_picker_and_click),
        cmocka_unit_test(test_try_it_yourself),
        cmocka_unit_test(test_editing),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_channels_and_filters),
        cmocka_unit_test(test_help_screens_quit),
        cmocka_unit_test(test_shape_screen),
        cmocka_unit_test(test_stack_screen),
        cmocka_unit_test(test_exercise_screen),
        cmocka_unit_test(test_exercise_in_stepper),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
