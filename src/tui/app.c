/* app.c - the terminal side of the TUI: set-up, the main loop, key
 * translation, mouse clicks, and restoring the terminal however the
 * program ends (quit, Ctrl-C, SIGTERM/SIGHUP, or a crash signal). */
#define _XOPEN_SOURCE_EXTENDED 1
#include "tui_app.h"

#include <curses.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "draw.h"

/* The one piece of process-wide state: whether curses owns the terminal,
 * so that a signal handler knows to give it back. */
static volatile sig_atomic_t curses_on;
static SCREEN *the_screen;

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT,
                                    SIGTERM, SIGHUP, SIGINT, SIGQUIT};
#define NFATAL (sizeof fatal_signals / sizeof fatal_signals[0])
static struct sigaction old_actions[NFATAL];

static void restore_terminal(void)
{
    if (curses_on) {
        curses_on = 0;
        endwin();
    }
}

/* Give the terminal back, then let the signal do what it did before we
 * came (the default action, or a sanitizer's report). */
static void on_signal(int sig, siginfo_t *info, void *uctx)
{
    (void)uctx;
    restore_terminal();
    size_t i = 0;
    while (i < NFATAL && fatal_signals[i] != sig)
        i++;
    if (i < NFATAL)
        sigaction(sig, &old_actions[i], NULL);
    else
        signal(sig, SIG_DFL);
    /* A fault raised by the hardware happens again when we return, now
     * reaching the previous handler with its real address. */
    if (info && info->si_code > 0 &&
        (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL))
        return;
    raise(sig);
}

static void install_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < NFATAL; i++)
        sigaction(fatal_signals[i], &sa, &old_actions[i]);
}

static void remove_handlers(void)
{
    for (size_t i = 0; i < NFATAL; i++)
        sigaction(fatal_signals[i], &old_actions[i], NULL);
}

int tui_translate_key(int ch)
{
    switch (ch) {
    case KEY_UP: return TUI_KEY_UP;
    case KEY_DOWN: return TUI_KEY_DOWN;
    case KEY_LEFT: return TUI_KEY_LEFT;
    case KEY_RIGHT: return TUI_KEY_RIGHT;
    case KEY_HOME: case KEY_FIND: return TUI_KEY_HOME;
    case KEY_END: case KEY_SELECT: return TUI_KEY_END;
    case KEY_PPAGE: return TUI_KEY_PGUP;
    case KEY_NPAGE: return TUI_KEY_PGDN;
    case KEY_BACKSPACE: case 127: case 8: return TUI_KEY_BACKSPACE;
    case KEY_DC: return TUI_KEY_DELETE;
    case KEY_BTAB: return TUI_KEY_BTAB;
    case KEY_ENTER: case '\r': case '\n': return TUI_KEY_ENTER;
    case KEY_F(1): return TUI_KEY_F1;
    case KEY_F(2): return TUI_KEY_F2;
    case KEY_F(3): return TUI_KEY_F3;
    case KEY_F(4): return TUI_KEY_F4;
    case KEY_F(10): return TUI_KEY_F10;
    case KEY_RESIZE: return TUI_KEY_RESIZE;
    default: return ch >= 0 && ch < 256 ? ch : -1;
    }
}

int tui_run(tui_state *s)
{
    setlocale(LC_ALL, "");
    /* newterm rather than initscr: a failure is a return value, not an
     * exit, and delscreen can free what it allocated. */
    const char *term = getenv("TERM");
    /* Our handlers go in first: ncurses then leaves SIGINT/SIGTERM alone
     * (its own would exit with status 1). */
    install_handlers();
    the_screen = newterm(term && term[0] ? NULL : "dumb", stdout, stdin);
    if (!the_screen) {
        remove_handlers();
        fprintf(stderr, "convcalc: tui: cannot use the terminal '%s'\n", term ? term : "");
        return 3;
    }
    curses_on = 1;
    set_escdelay(25);
    raw();          /* Ctrl-C arrives as a key: quit cleanly */
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED, NULL);
    mouseinterval(0);
    tui_look look;
    tui_look_init(&look);

    for (;;) {
        tui_draw(s, &look);
        timeout(s->autoplay ? TUI_TICK_MS : -1); /* auto-play: a tick when no key */
        int ch = getch();
        if (ch == ERR) {
            tui_state_tick(s);
            continue;
        }
        if (ch == KEY_MOUSE) {
            MEVENT ev;
            if (getmouse(&ev) == OK && (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)))
                tui_state_click(s, ev.y, ev.x);
            continue;
        }
        int key = tui_translate_key(ch);
        if (key < 0)
            continue;
        if (tui_state_key(s, key) == TUI_QUIT)
            break;
    }
    restore_terminal();
    remove_handlers();
    delscreen(the_screen);
    the_screen = NULL;
    return 0;
}
