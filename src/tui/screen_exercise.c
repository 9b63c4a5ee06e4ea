/* screen_exercise.c - work through an exercise set: read a problem, type
 * the answer, get it graded with feedback (the check module computes every
 * expected answer), see the worked solution. */
#include "screens_private.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/exercise.h"

#ifndef CONVCALC_DATADIR
#define CONVCALC_DATADIR NULL
#endif

#define DEFAULT_SET "cnn-basics"

/* The progress in a set that is not shown: kept while the screen lives so
 * that a student who moves between sets finds it again. */
typedef struct tui_ex_saved {
    char name[256];
    size_t n;
    char **answers, **feedback;
    signed char *verdict;
    double *points;
    unsigned char *seen;
    struct tui_ex_saved *next;
} tui_ex_saved;

static void free_progress(size_t n, char **answers, char **feedback, signed char *verdict,
                          double *points, unsigned char *seen)
{
    for (size_t i = 0; i < n; i++) {
        if (answers)
            free(answers[i]);
        if (feedback)
            free(feedback[i]);
    }
    free(answers);
    free(feedback);
    free(verdict);
    free(points);
    free(seen);
}

/* Move the current set's progress into the saved list (or free it). */
static void clear_set(tui_exercise *ex)
{
    size_t n = ex->set ? cc_exset_count(ex->set) : 0;
    tui_ex_saved *sv = ex->set && ex->answers ? calloc(1, sizeof *sv) : NULL;
    if (sv) {
        snprintf(sv->name, sizeof sv->name, "%s", ex->name);
        sv->n = n;
        sv->answers = ex->answers;
        sv->feedback = ex->feedback;
        sv->verdict = ex->verdict;
        sv->points = ex->points;
        sv->seen = ex->seen;
        sv->next = ex->saved;
        ex->saved = sv;
    } else {
        free_progress(n, ex->answers, ex->feedback, ex->verdict, ex->points, ex->seen);
    }
    cc_exset_free(ex->set);
    ex->set = NULL;
    ex->answers = ex->feedback = NULL;
    ex->verdict = NULL;
    ex->points = NULL;
    ex->seen = NULL;
    ex->cur = 0;
    ex->scroll = 0;
    ex->field.len = ex->field.cur = 0;
    ex->field.text[0] = '\0';
}

static int install(tui_exercise *ex, cc_exset *set, const char *name);

/* Open SET (a bundled name or a path); keeps the old set on failure. The
 * progress in the set left is kept, and found again when it is reopened. */
int tui_exercise_open(tui_exercise *ex, const char *name)
{
    cc_exset *set = NULL;
    cc_error err;
    cc_error_clear(&err);
    int rc = cc_exset_load(&set, name, CONVCALC_DATADIR, &err);
    if (rc != 0) {
        char pos[64] = "";
        if (err.line > 0)
            snprintf(pos, sizeof pos, ":%d:%d", err.line, err.col);
        snprintf(ex->error, sizeof ex->error, "%.200s%s: %.300s", err.source[0] ? err.source : name,
                 pos, err.msg[0] ? err.msg : cc_strerror(rc));
        return rc;
    }
    return install(ex, set, name);
}

/* A variant of the set shown (other numbers, the same problems), as
 * `convcalc exercise SET --variant ID` makes it; its progress is kept
 * under "SET, variant ID". */
static int open_variant(tui_exercise *ex, const char *id)
{
    cc_exset *v = NULL;
    cc_error err;
    cc_error_clear(&err);
    int rc = cc_exset_variant(&v, ex->set, id, &err);
    if (rc != 0) {
        snprintf(ex->error, sizeof ex->error, "variant %.100s: %.400s", id,
                 err.msg[0] ? err.msg : cc_strerror(rc));
        return rc;
    }
    char name[sizeof ex->name];
    const char *base = ex->name;
    const char *cut = strstr(base, ", variant ");
    snprintf(name, sizeof name, "%.*s, variant %.100s",
             (int)(cut ? (size_t)(cut - base) : strlen(base)), base, id);
    return install(ex, v, name);
}

/* Show SET (owned from here on) under NAME, with its progress if it was
 * shown before. */
static int install(tui_exercise *ex, cc_exset *set, const char *name)
{
    size_t n = cc_exset_count(set);
    clear_set(ex);
    for (tui_ex_saved **pp = &ex->saved; *pp; pp = &(*pp)->next) {
        tui_ex_saved *sv = *pp;
        if (strcmp(sv->name, name) != 0 || sv->n != n)
            continue;
        *pp = sv->next;
        ex->set = set;
        ex->answers = sv->answers;
        ex->feedback = sv->feedback;
        ex->verdict = sv->verdict;
        ex->points = sv->points;
        ex->seen = sv->seen;
        free(sv);
        snprintf(ex->name, sizeof ex->name, "%s", name);
        ex->error[0] = '\0';
        const char *a = ex->answers[0] ? ex->answers[0] : "";
        snprintf(ex->field.text, sizeof ex->field.text, "%s", a);
        ex->field.len = ex->field.cur = strlen(ex->field.text);
        return 0;
    }
    char **answers = calloc(n ? n : 1, sizeof *answers);
    char **feedback = calloc(n ? n : 1, sizeof *feedback);
    signed char *verdict = malloc(n ? n : 1);
    double *points = calloc(n ? n : 1, sizeof *points);
    unsigned char *seen = calloc(n ? n : 1, 1);
    if (!answers || !feedback || !verdict || !points || !seen) {
        free_progress(0, answers, feedback, verdict, points, seen);
        cc_exset_free(set);
        snprintf(ex->error, sizeof ex->error, "out of memory");
        return CC_ENOMEM;
    }
    memset(verdict, -1, n ? n : 1);
    ex->set = set;
    ex->answers = answers;
    ex->feedback = feedback;
    ex->verdict = verdict;
    ex->points = points;
    ex->seen = seen;
    snprintf(ex->name, sizeof ex->name, "%s", name);
    ex->error[0] = '\0';
    return 0;
}

static tui_exercise *ex_get(tui_state *s)
{
    if (s->exercises)
        return s->exercises;
    tui_exercise *ex = calloc(1, sizeof *ex);
    if (!ex)
        return NULL;
    s->exercises = ex;
    tui_exercise_open(ex, DEFAULT_SET);
    return ex;
}

tui_exercise *tui_exercise_state(tui_state *s) { return ex_get(s); }

int tui_exercise_typing(const tui_state *s)
{
    return s->exercises && (s->exercises->typing ||
                            (s->mode == TUI_MODE_PROMPT &&
                             (s->prompt == TUI_PROMPT_EXERCISE_LOAD ||
                              s->prompt == TUI_PROMPT_EXERCISE_VARIANT)));
}

/* Keep what was typed for the current problem, and show the next one's. */
static void go(tui_exercise *ex, size_t to)
{
    if (!ex->set || to >= cc_exset_count(ex->set))
        return;
    char *keep = strdup(ex->field.text);
    if (keep) {
        free(ex->answers[ex->cur]);
        ex->answers[ex->cur] = keep;
    }
    ex->cur = to;
    const char *a = ex->answers[to] ? ex->answers[to] : "";
    snprintf(ex->field.text, sizeof ex->field.text, "%s", a);
    ex->field.len = ex->field.cur = strlen(ex->field.text);
    ex->scroll = 0;
}

static void grade(tui_state *s, tui_exercise *ex)
{
    cc_grade g;
    memset(&g, 0, sizeof g);
    cc_error err;
    cc_error_clear(&err);
    int rc = cc_exset_grade(&g, ex->set, ex->cur, ex->field.text, NULL, &err);
    if (rc != 0) {
        snprintf(s->msg, sizeof s->msg, "cannot grade: %.450s", err.msg[0] ? err.msg : cc_strerror(rc));
        s->msg_kind = TUI_MSG_BAD;
        cc_grade_free(&g);
        return;
    }
    /* the first answer counts; after the worked solution, none earns points */
    int first = ex->verdict[ex->cur] < 0 || ex->verdict[ex->cur] == CC_VERDICT_MISSING;
    if (first && g.verdict != CC_VERDICT_MISSING) {
        ex->verdict[ex->cur] = (signed char)g.verdict;
        ex->points[ex->cur] = ex->seen[ex->cur] ? 0 : g.points;
    } else if (first) {
        ex->verdict[ex->cur] = (signed char)g.verdict;
    }
    free(ex->feedback[ex->cur]);
    ex->feedback[ex->cur] = strdup(g.feedback ? g.feedback : "");
    ex->scroll = 0;
    cc_exinfo info;
    cc_exset_problem(ex->set, ex->cur, &info);
    char pts[32], max[32];
    cc_fmt_num(pts, sizeof pts, ex->points[ex->cur], 4);
    cc_fmt_num(max, sizeof max, g.max_points, 4);
    if (!first)
        snprintf(s->msg, sizeof s->msg, "%s: %s; your first answer counts (%s: %s of %s points)",
                 info.id, cc_verdict_name(g.verdict),
                 cc_verdict_name((cc_verdict)ex->verdict[ex->cur]), pts, max);
    else if (ex->seen[ex->cur])
        snprintf(s->msg, sizeof s->msg, "%s: %s, after the solution was seen (0 of %s points)",
                 info.id, cc_verdict_name(g.verdict), max);
    else
        snprintf(s->msg, sizeof s->msg, "%s: %s (%s of %s points)", info.id,
                 cc_verdict_name(g.verdict), pts, max);
    s->msg_kind = g.verdict == CC_VERDICT_RIGHT ? TUI_MSG_GOOD : TUI_MSG_BAD;
    cc_grade_free(&g);
}

static void solution(tui_state *s, tui_exercise *ex)
{
    cc_buf b = {0};
    cc_error err;
    cc_error_clear(&err);
    cc_buf_puts(&b, "Worked solution:\n");
    int rc = cc_exset_solution(&b, ex->set, ex->cur, CC_FORMAT_TEXT, &err);
    if (rc != 0 || cc_buf_failed(&b)) {
        snprintf(s->msg, sizeof s->msg, "no solution: %.450s", err.msg[0] ? err.msg : cc_strerror(rc));
        s->msg_kind = TUI_MSG_BAD;
    } else {
        free(ex->feedback[ex->cur]);
        ex->feedback[ex->cur] = strdup(cc_buf_str(&b));
        ex->scroll = 0;
        ex->seen[ex->cur] = 1; /* an answer typed from now on earns nothing */
    }
    cc_buf_free(&b);
}

/* w: the current problem's convolution in the stepper (b there comes
 * back). */
static void open_in_stepper(tui_state *s, tui_exercise *ex)
{
    cc_walk *w = NULL;
    cc_error err;
    cc_error_clear(&err);
    cc_exinfo info;
    if (cc_exset_problem(ex->set, ex->cur, &info) != 0)
        return;
    if (info.kind != CC_EX_CONVOLVE) {
        snprintf(s->msg, sizeof s->msg, "Problem %s is not a convolution: w opens the "
                 "convolution problems in the stepper.", info.id);
        s->msg_kind = TUI_MSG_INFO;
        return;
    }
    if (cc_exset_walk(&w, ex->set, ex->cur, &err) != 0) {
        snprintf(s->msg, sizeof s->msg, "Cannot step through %s: %.400s", info.id, err.msg);
        s->msg_kind = TUI_MSG_BAD;
        return;
    }
    tui_state_open_walk(s, w, info.id);
    cc_walk_free(w);
}

int tui_exercise_key(tui_state *s, int key)
{
    tui_exercise *ex = ex_get(s);
    if (!ex)
        return TUI_CONTINUE;
    if (s->mode == TUI_MODE_PROMPT && s->prompt == TUI_PROMPT_EXERCISE_VARIANT) {
        if (key == TUI_KEY_ENTER || key == '\r' || key == TUI_KEY_ESC) {
            s->mode = TUI_MODE_NORMAL;
            s->prompt = TUI_PROMPT_NONE;
            if (key != TUI_KEY_ESC && s->field.text[0] && ex->set) {
                int bad = open_variant(ex, s->field.text) != 0;
                if (bad)
                    snprintf(s->msg, sizeof s->msg, "%.500s", ex->error);
                else
                    snprintf(s->msg, sizeof s->msg, "%.300s: the same %zu problems with other "
                             "numbers", ex->name, cc_exset_count(ex->set));
                s->msg_kind = bad ? TUI_MSG_BAD : TUI_MSG_INFO;
                if (bad)
                    ex->error[0] = '\0';
            }
        } else {
            tui_field_key(&s->field, key);
        }
        return TUI_CONTINUE;
    }
    if (s->mode == TUI_MODE_PROMPT && s->prompt == TUI_PROMPT_EXERCISE_LOAD) {
        if (key == TUI_KEY_ESC) {
            s->mode = TUI_MODE_NORMAL;
            s->prompt = TUI_PROMPT_NONE;
        } else if (key == TUI_KEY_ENTER || key == '\r') {
            s->mode = TUI_MODE_NORMAL;
            s->prompt = TUI_PROMPT_NONE;
            if (s->field.text[0]) {
                if (tui_exercise_open(ex, s->field.text) == 0) {
                    snprintf(s->msg, sizeof s->msg, "%s: %zu problems",
                             cc_exset_title(ex->set), cc_exset_count(ex->set));
                    s->msg_kind = TUI_MSG_INFO;
                } else {
                    snprintf(s->msg, sizeof s->msg, "%.500s", ex->error);
                    s->msg_kind = TUI_MSG_BAD;
                    if (ex->set)
                        ex->error[0] = '\0';
                }
            }
        } else if (key == TUI_KEY_TAB) {
            tui_prompt_complete(s);
        } else {
            tui_field_key(&s->field, key);
        }
        return TUI_CONTINUE;
    }
    switch (key) {
    case 15: /* Ctrl-O */
        ex->typing = 0;
        s->mode = TUI_MODE_PROMPT;
        s->prompt = TUI_PROMPT_EXERCISE_LOAD;
        s->field.len = s->field.cur = 0;
        s->field.text[0] = '\0';
        return TUI_CONTINUE;
    case TUI_KEY_PGDN: ex->scroll += 5; return TUI_CONTINUE;
    case TUI_KEY_PGUP: ex->scroll = ex->scroll > 5 ? ex->scroll - 5 : 0; return TUI_CONTINUE;
    case TUI_KEY_UP:
        if (ex->cur > 0)
            go(ex, ex->cur - 1);
        return TUI_CONTINUE;
    case TUI_KEY_DOWN:
        go(ex, ex->cur + 1);
        return TUI_CONTINUE;
    default: break;
    }
    if (!ex->set)
        return TUI_CONTINUE;
    if (!ex->typing) {
        switch (key) {
        case 'n': case 'j': go(ex, ex->cur + 1); break;
        case 'p': case 'k': if (ex->cur > 0) go(ex, ex->cur - 1); break;
        case TUI_KEY_ENTER: case '\r': case 'a': case 'i':
            ex->typing = 1;
            snprintf(s->msg, sizeof s->msg, "Type your answer; Enter checks it, Esc stops typing.");
            s->msg_kind = TUI_MSG_INFO;
            break;
        case 's': solution(s, ex); break;
        case 'w': open_in_stepper(s, ex); break;
        case 'v':
            s->mode = TUI_MODE_PROMPT;
            s->prompt = TUI_PROMPT_EXERCISE_VARIANT;
            s->field.len = s->field.cur = 0;
            s->field.text[0] = '\0';
            snprintf(s->msg, sizeof s->msg, "A variant: the same problems with other numbers, "
                     "the same for the same id (a student's name or number).");
            s->msg_kind = TUI_MSG_INFO;
            break;
        default: break;
        }
        return TUI_CONTINUE;
    }
    switch (key) {
    case TUI_KEY_ESC:
        ex->typing = 0;
        s->msg[0] = '\0';
        break;
    case TUI_KEY_ENTER: case '\r':
        grade(s, ex);
        break;
    default:
        tui_field_key(&ex->field, key);
        break;
    }
    return TUI_CONTINUE;
}

void tui_exercise_free(tui_state *s)
{
    if (!s->exercises)
        return;
    clear_set(s->exercises);
    for (tui_ex_saved *sv = s->exercises->saved, *next; sv; sv = next) {
        next = sv->next;
        free_progress(sv->n, sv->answers, sv->feedback, sv->verdict, sv->points, sv->seen);
        free(sv);
    }
    free(s->exercises);
    s->exercises = NULL;
}

/* ---- drawing ------------------------------------------------------------------- */

static const char *mark(const tui_look *look, signed char v)
{
    if (v == CC_VERDICT_RIGHT)
        return look->utf8 ? "\u2713" : "+";
    if (v == CC_VERDICT_WRONG)
        return look->utf8 ? "\u2717" : "x";
    if (v == CC_VERDICT_MISSING)
        return "-";
    if (v == CC_VERDICT_UNREADABLE)
        return "?";
    return " ";
}

void tui_exercise_draw(tui_state *s, const tui_look *look, tui_rect area)
{
    tui_exercise *ex = ex_get(s);
    if (!ex) {
        tui_text(area.y, 1, area.w - 1, "out of memory", tui_attr(look, TUI_R_BAD));
        return;
    }
    if (!ex->set) {
        tui_text(area.y, 1, area.w - 1, "Exercises", tui_attr(look, TUI_R_TITLE));
        tui_rect r = {area.y + 2, 2, area.h - 2, area.w - 4};
        char m[800];
        snprintf(m, sizeof m, "No exercise set: %s\n\nCtrl-O opens one (a bundled name such as "
                 "cnn-basics, or a file).", ex->error);
        tui_wrap(r, m, tui_attr(look, TUI_R_BAD));
        return;
    }
    size_t n = cc_exset_count(ex->set);
    double score = 0;
    size_t right = 0, done = 0;
    for (size_t i = 0; i < n; i++)
        if (ex->verdict[i] >= 0) {
            done++;
            right += ex->verdict[i] == CC_VERDICT_RIGHT && (ex->points[i] > 0 || !ex->seen[i]);
            score += ex->points[i];
        }
    char score_s[160], sc[32], tot[32];
    snprintf(score_s, sizeof score_s, "%zu/%zu done, %zu right, %s/%s points", done, n, right,
             cc_fmt_num(sc, sizeof sc, score, 4),
             cc_fmt_num(tot, sizeof tot, cc_exset_total_points(ex->set), 4));
    int sw = (int)strlen(score_s);
    char set_title[400];
    const char *vid = cc_exset_variant_id(ex->set);
    snprintf(set_title, sizeof set_title, "%s%.60s%s%.300s", vid ? "(variant " : "",
             vid ? vid : "", vid ? ") " : "", cc_exset_title(ex->set));
    tui_text(area.y, 1, area.w - sw - 3, set_title, tui_attr(look, TUI_R_TITLE));
    tui_text(area.y, area.w - sw - 1, sw, score_s, A_BOLD);

    /* the list of problems */
    int lw = 9;
    tui_rect list = {area.y + 1, 0, area.h - 1, lw};
    tui_box(look, list, "", TUI_R_TITLE);
    int vis = list.h - 2;
    size_t first = ex->cur >= (size_t)vis ? ex->cur - (size_t)vis + 1 : 0;
    for (int i = 0; i < vis && first + (size_t)i < n; i++) {
        size_t k = first + (size_t)i;
        cc_exinfo info;
        if (cc_exset_problem(ex->set, k, &info) != 0)
            continue;
        char id[16];
        snprintf(id, sizeof id, "%-5.5s", info.id);
        int a = k == ex->cur ? tui_attr(look, TUI_R_CURRENT) : 0;
        tui_text(list.y + 1 + i, 1, 5, id, a);
        tui_role role = ex->verdict[k] == CC_VERDICT_RIGHT ? TUI_R_GOOD : TUI_R_BAD;
        attron(tui_attr(look, role));
        mvaddstr(list.y + 1 + i, 7,
                 ex->seen[k] && !(ex->verdict[k] == CC_VERDICT_RIGHT && ex->points[k] > 0)
                     ? "s"
                     : mark(look, ex->verdict[k]));
        attroff(tui_attr(look, role));
    }

    /* the problem */
    cc_exinfo info;
    if (cc_exset_problem(ex->set, ex->cur, &info) != 0)
        return;
    int x = lw + 1, w = area.w - lw - 2, y = area.y + 1;
    char pts[32], title[160];
    snprintf(title, sizeof title, "Problem %s (%s, %s point%s)%s%s", info.id,
             cc_exkind_name(info.kind), cc_fmt_num(pts, sizeof pts, info.points, 4),
             info.points == 1 ? "" : "s", ex->seen[ex->cur] ? " - solution seen" : "",
             info.kind == CC_EX_CONVOLVE ? " - w: step through it" : "");
    tui_text(y++, x, w, title, A_BOLD);
    cc_buf b = {0};
    cc_buf_puts(&b, info.prompt);
    if (info.given && info.given[0])
        cc_buf_printf(&b, "\n%s", info.given);
    for (size_t c = 0; c < info.n_choices; c++)
        cc_buf_printf(&b, "\n  %c) %s", (char)('a' + c), info.choices[c]);
    int bottom = area.y + area.h;
    int room = bottom - y - 6;
    if (room < 2)
        room = 2;
    tui_rect pr = {y, x, room, w};
    y += tui_wrap(pr, cc_buf_str(&b), 0);
    cc_buf_free(&b);

    /* the answer */
    char hint[200];
    snprintf(hint, sizeof hint, "Answer (%s):", info.answer_hint ? info.answer_hint : "");
    if ((int)strlen(hint) > w && bottom - y > 5) {
        tui_rect hr = {y, x, 2, w}; /* a long hint: two lines rather than cut */
        y += tui_wrap(hr, hint, tui_attr(look, TUI_R_DIM));
    } else {
        tui_text(y++, x, w, hint, tui_attr(look, TUI_R_DIM));
    }
    int fa = ex->typing ? tui_attr(look, TUI_R_CURRENT) : (int)A_UNDERLINE;
    attron(fa);
    mvhline(y, x, ' ', w);
    attroff(fa);
    size_t start = ex->field.cur >= (size_t)w ? ex->field.cur - (size_t)w + 1 : 0;
    tui_text(y, x, w, ex->field.text + start, fa);
    if (ex->typing) {
        s->cursor_y = y;
        s->cursor_x = x + (int)(ex->field.cur - start);
    } else if (!ex->field.text[0]) {
        tui_text(y, x, w, "Enter to type your answer", fa);
    }
    y += 2;

    /* the feedback, scrolled */
    const char *fb = ex->feedback[ex->cur];
    if (!fb || y >= bottom - 1)
        return;
    tui_rect box = {y, x - 1, bottom - y, w + 2};
    tui_box(look, box, "Feedback (PgUp/PgDn scroll, s: worked solution)", TUI_R_TITLE);
    const char *p = fb;
    for (int i = 0; i < ex->scroll && *p; i++) {
        const char *nl = strchr(p, '\n');
        if (!nl) {
            ex->scroll = i;
            break;
        }
        p = nl + 1;
    }
    tui_rect in = {box.y + 1, x + 1, box.h - 2, w - 2};
    tui_wrap(in, p, 0);
}
