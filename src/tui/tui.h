/* tui.h - the interactive terminal application (private to the front end).
 *
 * The application is split in two so that its logic can be tested without a
 * terminal:
 *   state.c  tui_state: which screen is shown, the stepper's position and
 *            settings, the text being typed, messages. Keys go in through
 *            tui_state_key(); nothing here draws or knows about ncurses.
 *            Every number comes from libconvcalc (walk, arith, stack, ...).
 *   draw.c   renders a tui_state with ncurses and records where things are
 *            on the screen (for mouse clicks).
 *   app.c    terminal set-up and restore, signals, the main loop.
 */
#ifndef CONVCALC_TUI_H
#define CONVCALC_TUI_H

#include <stddef.h>

#include "convcalc/common.h"
#include "convcalc/matrix.h"
#include "convcalc/walk.h"

/* Keys, as the state logic sees them: printable characters and control
 * characters as themselves (0..255), special keys from TUI_KEY_BASE on. */
enum {
    TUI_KEY_CTRL_C = 3,
    TUI_KEY_TAB = 9,
    TUI_KEY_ENTER = 10,
    TUI_KEY_ESC = 27,
    TUI_KEY_BASE = 0x10000,
    TUI_KEY_UP = TUI_KEY_BASE,
    TUI_KEY_DOWN,
    TUI_KEY_LEFT,
    TUI_KEY_RIGHT,
    TUI_KEY_HOME,
    TUI_KEY_END,
    TUI_KEY_PGUP,
    TUI_KEY_PGDN,
    TUI_KEY_BACKSPACE,
    TUI_KEY_DELETE,
    TUI_KEY_BTAB, /* shift-tab */
    TUI_KEY_F1,
    TUI_KEY_F2,
    TUI_KEY_F3,
    TUI_KEY_F4,
    TUI_KEY_F10,
    TUI_KEY_RESIZE
};

typedef enum tui_screen {
    TUI_SCREEN_STEPPER = 0,
    TUI_SCREEN_SHAPE,
    TUI_SCREEN_STACK,
    TUI_SCREEN_EXERCISES,
    TUI_NSCREENS
} tui_screen;

/* What the stepper is doing with keys. */
typedef enum tui_mode {
    TUI_MODE_NORMAL = 0, /* stepping */
    TUI_MODE_PICK,       /* choosing an output cell with the arrows */
    TUI_MODE_EDIT,       /* moving over input/kernel cells to change them */
    TUI_MODE_PROMPT      /* typing a line (answer, value, file name) */
} tui_mode;

typedef enum tui_prompt {
    TUI_PROMPT_NONE = 0,
    TUI_PROMPT_ANSWER,      /* try it yourself: the current cell's value */
    TUI_PROMPT_VALUE,       /* a new value for the cell being edited */
    TUI_PROMPT_LOAD_IMAGE,  /* a file name to read the input from */
    TUI_PROMPT_LOAD_KERNEL, /* a file name to read the kernel from */
    TUI_PROMPT_MATRIX,      /* the whole input or kernel retyped */
    TUI_PROMPT_STACK_LOAD,  /* a file name to read a layer stack from */
    TUI_PROMPT_EXERCISE_LOAD, /* a file name to read an exercise set from */
    TUI_PROMPT_STACK_INPUT, /* the layer stack's input size (HxWxC) */
    TUI_PROMPT_EXERCISE_VARIANT /* the id of an exercise set's variant */
} tui_prompt;

typedef enum tui_msg_kind { TUI_MSG_INFO = 0, TUI_MSG_GOOD, TUI_MSG_BAD } tui_msg_kind;

/* Padding as the user chose it: a number, or one of the named kinds. */
typedef enum tui_pad_kind {
    TUI_PAD_NUMBER = 0,
    TUI_PAD_VALID,
    TUI_PAD_SAME,
    TUI_PAD_FULL
} tui_pad_kind;

/* Options from the command line (`convcalc tui --image ...`). The texts are
 * matrices as cc_matrix_parse reads them; NULL means the built-in example. */
typedef struct tui_options {
    const char *image;
    const char *kernel;
    const char *image_source;  /* names for error messages ("<argument>") */
    const char *kernel_source;
    long stride;               /* 0 = default (1); the height's */
    long dilation;             /* 0 = default (1); the height's */
    long stride_w, dilation_w; /* the width's (0 = as the height's) */
    int pad_set;               /* padding given? */
    tui_pad_kind pad_kind;
    long pad;                  /* TUI_PAD_NUMBER: the top (every side unless
                                  pad_sides) */
    int pad_sides;             /* pad_bottom/left/right given too */
    long pad_bottom, pad_left, pad_right;
    int correlation;           /* 1 = cross-correlation, 0 = convolution */
} tui_options;

/* A one-line text field with a cursor. */
typedef struct tui_field {
    char text[256];
    size_t len;
    size_t cur;
    int fresh;  /* the text is the old value: the first typed character
                   replaces it (as a selection would) */
} tui_field;

/* Try-it-yourself verdict on the last answer. */
typedef struct tui_verdict {
    int valid;          /* an answer was checked ...                      */
    size_t step;        /* ... for this step                              */
    int value_ok;
    size_t nwrong;      /* wrong items (products and value)              */
    int gave_products;  /* the answer listed the products too            */
    unsigned char *wrong; /* C*Fh*Fw flags: product t differs (owned)    */
    size_t nprod;
    double got_value;
} tui_verdict;

typedef struct tui_shape tui_shape; /* shape calculator (state.c) */
typedef struct tui_stack tui_stack; /* layer stack screen */
typedef struct tui_exercise tui_exercise; /* exercises screen */

/* Where the stepper's output matrix is on the screen (filled by draw.c so
 * that a mouse click can be mapped to a cell). */
typedef struct tui_hitmap {
    int valid;
    int y0, x0;         /* screen position of the first visible cell     */
    int cell_w;         /* characters per cell, separator included        */
    long row0, col0;    /* first visible row and column                   */
    long rows, cols;    /* visible rows and columns                       */
} tui_hitmap;

typedef struct tui_state {
    tui_screen screen;
    int help;           /* help overlay shown */
    int help_scroll;

    tui_mode mode;
    tui_prompt prompt;
    tui_field field;    /* the line being typed for a prompt */

    char msg[512];
    tui_msg_kind msg_kind;

    /* the convolution stepper: its settings ... */
    cc_matrix image;    /* 1 x C x H x W */
    cc_matrix kernel;   /* K x C x Fh x Fw */
    long stride, dilation;       /* height (and width unless the _w differ) */
    long stride_w, dilation_w;   /* width */
    tui_pad_kind pad_kind;
    long pad;                    /* TUI_PAD_NUMBER: top ... */
    long pad_bottom, pad_left, pad_right; /* ... and the other sides */
    cc_conv_mode conv_mode;
    cc_walk_op op;          /* T: transposed, P: max / avg pooling     */
    long pool_h, pool_w;    /* the pooling window (w / W change it; 0:
                               the kernel's size)                     */
    cc_tconv_view tview;    /* V: the transposed walk's views          */
    double *bias;           /* one per filter (from an exercise), or NULL */
    long nbias;
    char exercise[64];      /* the exercise whose convolution is shown
                               (opened from F4), or ""                 */
    cc_activation act;      /* f cycles the activation                 */
    int im2col_view;        /* I: the im2col product instead of panels */
    int im2col_top, im2col_left; /* its scroll (arrows), lines / columns */
    int autoplay;           /* a: a step every tick; Space pauses      */
    /* ... the walk they make (NULL while they do not make a valid
     * convolution: walk_error then says why) ... */
    cc_walk *walk;
    char walk_error[512];
    cc_walk_step cur;   /* the current step, as cc_walk_step_get gave it */
    size_t step;        /* its index, 0..nsteps-1 */
    long channel;       /* the channel shown of multi-channel data */
    /* ... try it yourself ... */
    int try_mode;
    unsigned char *revealed; /* K*OH*OW: output cell answered or shown
                                (TUI_CELL_*) */
    size_t nrevealed;
    size_t tally_right, tally_wrong; /* try it yourself: answers checked */
    tui_verdict verdict;
    /* ... the cell picker and the editor */
    long pick_r, pick_c;
    int edit_kernel;    /* editing the kernel (1) or the input (0) */
    long edit_filter;   /* the kernel's filter being edited (< > cycle it) */
    int edit_back;      /* the open prompt returns to the editor */

    tui_hitmap hit;
    tui_hitmap hit_in;  /* where the padded input is (a click there picks
                           a cell whose receptive field is shown) */
    long rf_r, rf_c;    /* that cell in padded coordinates, or -1 */
    int quit_armed;     /* q was pressed once on a screen that asks first */
    int cursor_y, cursor_x; /* where a screen wants the cursor (-1: none);
                               set while drawing */

    tui_shape *shape;
    tui_stack *stack;
    tui_exercise *exercises;
} tui_state;

enum { TUI_CONTINUE = 0, TUI_QUIT = 1 };

/* What try it yourself knows of an output cell (tui_state.revealed). */
enum { TUI_CELL_HIDDEN = 0, TUI_CELL_SHOWN, TUI_CELL_RIGHT, TUI_CELL_WRONG };

/* Set up the state from the options (the built-in example when the
 * matrices are not given). Fails (filling err) when the given matrices do
 * not parse or do not make a valid convolution. */
int tui_state_init(tui_state *s, const tui_options *o, cc_error *err);
void tui_state_free(tui_state *s);
/* Handle one key; returns TUI_QUIT when the application should end. */
int tui_state_key(tui_state *s, int key);
/* A mouse click at screen row y, column x: on a tab (row 0), switch to
 * that screen; on a cell of the stepper's output (as s->hit records it),
 * jump to that cell's step. Returns 1 when the click hit something. */
int tui_state_click(tui_state *s, int y, int x);
/* Auto-play: the application calls this when no key came for a while
 * (TUI_TICK_MS); it moves one step on and stops at the last. */
#define TUI_TICK_MS 800
void tui_state_tick(tui_state *s);
/* Jump to the step of output cell (row, col) of the current filter. */
int tui_state_goto_cell(tui_state *s, long row, long col);

/* Edit a text field with a key (cursor keys, Backspace, Delete, Ctrl-U,
 * printable characters); returns 1 when the key was used. */
int tui_field_key(tui_field *f, int key);
/* Tab in a file-name prompt: complete the path before the cursor of
 * s->field against the file system (a directory gets its '/'). When
 * several names fit, the common part is filled in and the status line
 * lists them; returns the number of names that fit (0: none, the status
 * line says so). */
size_t tui_prompt_complete(tui_state *s);
/* Show walk w's convolution in the stepper (its input, kernel, stride,
 * padding, dilation, mode, bias), as exercise `id` (NULL or "": not from
 * an exercise). Returns 0, or a CC_E* code with a message said. */
int tui_state_open_walk(tui_state *s, const cc_walk *w, const char *id);
/* The plane of the matrix being edited: its group n and channel c. */
void tui_edit_plane(const tui_state *s, long *n, long *c);

/* ---- what the screens show (read by draw.c and the tests) ---- */

/* One entry of the help overlay. */
typedef struct tui_keyhelp {
    const char *keys;
    const char *what;
} tui_keyhelp;
/* The keys of a screen; screen = TUI_NSCREENS gives the global keys. */
const tui_keyhelp *tui_help_keys(tui_screen screen, size_t *n);
const char *tui_screen_name(tui_screen screen);
/* "1", "valid", "same (1,1,1,1)", ... */
const char *tui_pad_describe(const tui_state *s, char *out, size_t size);

size_t tui_nsteps(const tui_state *s);
/* Is output value (k, r, c) shown now? Without try mode, the cells up to
 * the current step are; in try mode, the cells answered or revealed. */
int tui_output_shown(const tui_state *s, long k, long r, long c);
/* In try mode, is the current cell still waiting for an answer? */
int tui_cell_hidden(const tui_state *s);

#endif
