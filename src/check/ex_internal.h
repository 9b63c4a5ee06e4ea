/* ex_internal.h - what the files of src/check share (not public). */
#ifndef CONVCALC_EX_INTERNAL_H
#define CONVCALC_EX_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "convcalc/exercise.h"
#include "convcalc/rng.h"

/* A parameter of a problem as written ("kernel: 7", "vary kernel: 3 5 7"). */
typedef struct ex_param {
    char *name;
    char *raw;       /* as written (placeholders, @references)            */
    char *value;     /* resolved: references and placeholders filled in   */
    int line, col;   /* where the value starts (for errors)               */
    int cont;        /* 1: the value began on the following (indented) lines */
    int indent;      /* indentation removed from continuation lines       */
    char **vary;     /* `vary NAME:` choices for variants, or NULL        */
    size_t n_vary;
    int vary_line, vary_col;
} ex_param;

typedef struct ex_problem {
    char *id;
    cc_exkind kind;
    int has_kind;
    double points;
    int line, col;          /* the `problem:` line                        */
    int kind_line, kind_col;
    ex_param *params;
    size_t n_params, cap_params;
    char *prompt_raw;       /* as written, or NULL                        */
    int prompt_line;
    char *prompt;           /* placeholders filled in                     */
    char **choices;         /* multiple choice options as written         */
    size_t n_choices;
    int key;                /* index of the right choice, -1 none         */
    int key_line, key_col;
    int partial_cells;      /* `partial:` 1 cells, -1 none, 0 as the set says */
    char *hint;             /* the form of the answer, made once (exset.c) */
    char *given;            /* the data shown with the prompt             */
} ex_problem;

struct cc_exset {
    char *title;
    char *intro;
    char *source;
    char *basedir;
    char *variant;          /* NULL for the original numbers              */
    int partial_cells;      /* `partial: cells` in the header: every matrix item */
    int results_as_trained; /* results: evaluate on the model's own subset */
    ex_problem *p;
    size_t n, cap;
};

/* ---- small string helpers (exset.c) ---- */
char *ex_strdup(const char *s);
char *ex_strndup(const char *s, size_t n);
/* A copy of s without leading/trailing white space. */
char *ex_trimdup(const char *s);
int ex_streq_nocase(const char *a, const char *b);
void ex_strv_free(char **v, size_t n);

/* Find a parameter of problem p (resolved value), or NULL. */
const ex_param *ex_param_find(const ex_problem *p, const char *name);
const char *ex_value(const ex_problem *p, const char *name);

/* Canonical form of an id for comparisons ("Q1a)" -> "1a"), into out. */
void ex_id_norm(char *out, size_t size, const char *id);

/* Resolve references and placeholders and check every problem has a
 * solution (exset.c). */
int ex_finalize(cc_exset *set, cc_error *err);
/* Deep copy (exset.c). */
int ex_copy(cc_exset **out, const cc_exset *src, cc_error *err);

/* ---- answers (answer.c) ---- */
/* What a reader returns for a hedged answer ("3 or 6"): why says so. */
#define EX_HEDGED (-2)
/* A size answer: 1 to 3 whole numbers ("5x5", "5 by 5", "(5, 5)", "5").
 * Returns the count (>= 1) or 0 when unreadable; why says what was wrong. */
int ex_parse_size(const char *text, long v[3], char *why, size_t why_size);
/* A count: one whole number, maybe with thousands separators ("390,410",
 * "390 410", "390410", "390410 parameters", "... = 390410"). Returns 1 or 0. */
int ex_parse_count(const char *text, int64_t *out, char *why, size_t why_size);
/* A real number ("0.87", "87%", "8.7e-1"); percent sets *percent. */
int ex_parse_real(const char *text, double *out, int *percent);
/* A choice: a letter ("c", "(c)", "C)") or an option's text. Returns the
 * index or -1. */
int ex_parse_choice(const char *text, char **choices, size_t n);
/* The part of an answer that matters: after the last '=' (a worked
 * calculation), without leading labels. Returns a pointer into text. */
const char *ex_answer_core(const char *text);
/* 1 if text is empty or white space only. */
int ex_blank(const char *text);

/* ---- per kind (kinds.c) ---- */
typedef struct ex_kind_info {
    const char *name;
    const char *hint;        /* answer_hint */
    int multiline;
    const char *const *params;    /* allowed parameter names, NULL-terminated */
    const char *const *required;  /* required ones */
} ex_kind_info;
const ex_kind_info *ex_kind(cc_exkind k);

/* Check a problem's parameters and compute its answer (solvable?). */
int ex_problem_validate(const cc_exset *set, const ex_problem *p, cc_error *err);
/* The expected answer, one line. */
int ex_problem_answer(cc_buf *out, const cc_exset *set, const ex_problem *p,
                      cc_error *err);
/* The worked solution, every step. */
int ex_problem_solution(cc_buf *out, const cc_exset *set, const ex_problem *p,
                        cc_format fmt, cc_error *err);
/* The given data (matrices, stack) as text for exinfo.given. */
int ex_problem_given(cc_buf *out, const ex_problem *p, cc_format fmt, cc_error *err);
/* Grade. */
int ex_problem_grade(cc_grade *g, const cc_exset *set, const ex_problem *p,
                     const char *answer, const char *basedir, cc_error *err);
/* Change the numbers of p for a variant (variant.c); the caller validates
 * and retries on failure. */
int ex_vary(ex_problem *p, cc_rng *rng, cc_error *err);

/* The problem's layer stack (its `stack` and `input`), shapes inferred. */
struct cc_stack;
int ex_stack_of(struct cc_stack **out, const ex_problem *p, cc_error *err);

/* ---- grades (kinds.c) ---- */
int ex_grade_detail(cc_grade *g, const char *what, const char *expected,
                    const char *given, int ok);
/* Error position of a parameter's value. */
/* The form of p's answer with an example that is not its answer ("a
 * size such as 28x28"); malloc'd, NULL when out of memory (kinds.c). */
char *ex_problem_hint(const cc_exset *set, const ex_problem *p);
/* A default prompt from the parameters (kinds.c). */
int ex_default_prompt(cc_buf *out, const ex_problem *p);

int ex_param_error(cc_error *err, int code, const ex_param *pr, int dline,
                   int dcol, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
