/* convcalc/exercise.h - exercise sets, answer sheets, grading and variants.
 *
 * An exercise set is plain text a teacher writes by hand (convcalc-exercise(5)):
 * per problem an id, a kind, its parameters, its points and its prompt. No
 * answer is stored (only the key of a multiple-choice item): every expected
 * answer is computed with the library (arith, walk, stack, engine).
 *
 * A front end (the CLI, the TUI) uses this module like this:
 *
 *     cc_exset *set;  cc_error err;
 *     cc_exset_load(&set, "cnn-basics", CONVCALC_DATADIR, &err);
 *     // optionally: cc_exset *v; cc_exset_variant(&v, set, "alice", &err);
 *     for (size_t i = 0; i < cc_exset_count(set); i++) {
 *         cc_exinfo info;  cc_exset_problem(set, i, &info);
 *         // show info.id, info.prompt, info.answer_hint; read an answer string
 *         cc_grade g;
 *         cc_exset_grade(&g, set, i, answer, NULL, &err);
 *         // show cc_verdict_name(g.verdict), g.feedback (has everything)
 *         cc_grade_free(&g);
 *     }
 *     cc_exset_free(set);
 *
 * Whole answer sheets (`id: answer` lines) go through cc_sheet_parse and
 * cc_check_sheet; several results make a gradebook.
 */
#ifndef CONVCALC_EXERCISE_H
#define CONVCALC_EXERCISE_H

#include <stddef.h>

#include "convcalc/common.h"
#include "convcalc/walk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- kinds of problem ------------------------------------------------------ */
typedef enum cc_exkind {
    CC_EX_CONVOLVE = 0,   /* convolution by hand: the answer is a matrix        */
    CC_EX_OUTPUT_SIZE,    /* output size of a convolution layer                 */
    CC_EX_SAME_PADDING,   /* the padding that keeps the size                    */
    CC_EX_KERNEL_SIZE,    /* the square kernel from input and output sizes      */
    CC_EX_POOL_SIZE,      /* output size of a pooling layer                     */
    CC_EX_STACK_SHAPE,    /* the shape after a layer stack                      */
    CC_EX_PARAMS,         /* parameter count of a layer or a whole stack        */
    CC_EX_RECEPTIVE_FIELD,/* receptive field of the last layer of a stack       */
    CC_EX_TCONV_SIZE,     /* output size of a transposed convolution            */
    CC_EX_MACS,           /* multiply-accumulates of a layer or stack           */
    CC_EX_CHOICE,         /* multiple choice (the only kind with a stored key)  */
    CC_EX_RESULTS,        /* a results table checked against a trained model    */
    CC_EX_KIND_COUNT
} cc_exkind;

/* The kind's name as written in an exercise set ("convolve", "output-size",
 * "same-padding", "kernel-size", "pool-size", "stack-shape", "params",
 * "receptive-field", "tconv-size", "macs", "choice", "results"). */
const char *cc_exkind_name(cc_exkind kind);

/* ---- exercise sets ------------------------------------------------------- */
typedef struct cc_exset cc_exset;

/* Parse an exercise set from text. `source` names it in error messages and
 * is stored in err->source; `basedir` (may be NULL) is where relative file
 * names in the set are looked up. On error err has line and column. */
int cc_exset_parse(cc_exset **out, const char *text, size_t len,
                   const char *source, const char *basedir, cc_error *err);

/* Load SET: a path to a file, or the name of a bundled set looked up as
 * ./exercises/SET[.txt], then DATADIR/exercises/SET[.txt] (datadir may be
 * NULL). */
int cc_exset_load(cc_exset **out, const char *set, const char *datadir,
                  cc_error *err);

/* The names of the bundled sets (files NAME.txt) in ./exercises and
 * DATADIR/exercises (no duplicates, sorted), as a NULL-terminated array;
 * free with cc_exset_names_free. */
int cc_exset_bundled(char ***names, const char *datadir, cc_error *err);
void cc_exset_names_free(char **names);

/* A reproducible variant: the same problems with other numbers of the same
 * kind and difficulty, seeded from a hash of `variant_id`. The same id gives
 * the same sheet; every variant is solvable. */
int cc_exset_variant(cc_exset **out, const cc_exset *base,
                     const char *variant_id, cc_error *err);

void cc_exset_free(cc_exset *set);

/* Results tables: grade a model trained on a subset (convcalc train
 * --limit, recorded in the model file) on the images it was evaluated on,
 * not the whole data set. Off by default; variants made afterwards keep it. */
void cc_exset_set_as_trained(cc_exset *set, int on);

const char *cc_exset_title(const cc_exset *set);   /* never NULL */
const char *cc_exset_intro(const cc_exset *set);   /* "" when none */
const char *cc_exset_variant_id(const cc_exset *set); /* NULL: the original */
size_t cc_exset_count(const cc_exset *set);
double cc_exset_total_points(const cc_exset *set);
/* Index of the problem with this id (forgiving: "Q1a", "1a)", "1A" find
 * "1a"), or -1. */
long cc_exset_find(const cc_exset *set, const char *id);

/* What a front end needs to show problem i. Pointers stay valid while the
 * set lives. */
typedef struct cc_exinfo {
    const char *id;
    cc_exkind kind;
    double points;
    const char *prompt;      /* placeholders filled in, plain text */
    const char *given;       /* the data as text (matrices, the stack), or "" */
    const char *answer_hint; /* the form of the answer: "a size such as 5x5" */
    int multiline;           /* the answer usually takes several lines */
    size_t n_choices;        /* multiple choice: the options, in order a, b, ... */
    const char *const *choices;
} cc_exinfo;
int cc_exset_problem(const cc_exset *set, size_t i, cc_exinfo *out);

/* The sheet (text, Markdown or LaTeX), optionally with the worked solutions
 * with every step. LaTeX is a complete document. */
int cc_exset_render(cc_buf *out, const cc_exset *set, int solutions,
                    cc_format fmt, cc_error *err);
/* The expected answer of problem i, one line ("508x508", "390410",
 * "1 2; 3 4" for a matrix, "c" for a choice). */
int cc_exset_answer(cc_buf *out, const cc_exset *set, size_t i, cc_error *err);
/* The worked solution of problem i, every step (text, Markdown or LaTeX). */
int cc_exset_solution(cc_buf *out, const cc_exset *set, size_t i,
                      cc_format fmt, cc_error *err);

/* The convolution of problem i (kind convolve, in this set or in a variant
 * of it) as a walk, to step through it: the image, the kernel, stride,
 * padding, dilation, mode and bias of the problem. CC_EINVAL (err says
 * so) when problem i is not a convolution; free with cc_walk_free. */
int cc_exset_walk(cc_walk **out, const cc_exset *set, size_t i, cc_error *err);

/* ---- grading --------------------------------------------------------------- */
typedef enum cc_verdict {
    CC_VERDICT_RIGHT = 0,
    CC_VERDICT_WRONG,
    CC_VERDICT_MISSING,
    CC_VERDICT_UNREADABLE /* an answer that cannot be read with confidence:
                             no points, counted apart, for a human to look at */
} cc_verdict;
/* "right", "wrong", "missing", "unreadable" */
const char *cc_verdict_name(cc_verdict v);

/* Mistakes the checker recognises by name. */
typedef enum cc_mistake {
    CC_MISTAKE_NONE = 0,
    CC_MISTAKE_KERNEL_NOT_FLIPPED,  /* cross-correlation instead of convolution */
    CC_MISTAKE_OFF_BY_ONE,          /* the +1 of the size formula               */
    CC_MISTAKE_ONE_SIDED_PADDING,   /* padding counted on one side only         */
    CC_MISTAKE_FLOOR_CEIL,          /* rounded up instead of down, or the reverse */
    CC_MISTAKE_BIAS_PER_INPUT,      /* a bias per input channel, not per filter */
    CC_MISTAKE_BIAS_FORGOTTEN,      /* biases left out                          */
    CC_MISTAKE_POOL_PARAMS,         /* pooling layers given parameters          */
    CC_MISTAKE_NO_PADDING,          /* the padding was left out                 */
    CC_MISTAKE_DILATION_IGNORED,    /* the kernel's dilation was left out       */
    CC_MISTAKE_TRANSPOSED_AS_CONV,  /* the convolution formula for a transposed one */
    CC_MISTAKE_STRIDE_IGNORED,      /* the stride (or the jump) was left out    */
    CC_MISTAKE_MACS_AS_FLOPS,       /* multiplies and adds counted separately   */
    CC_MISTAKE_HEIGHT_WIDTH_SWAPPED,/* height and width swapped                 */
    CC_MISTAKE_FLATTEN_BEFORE_POOL, /* the flatten size taken before the last pooling */
    CC_MISTAKE_BN_BUFFERS,          /* BatchNorm's running mean and variance counted */
    CC_MISTAKE_BN_FORGOTTEN,        /* BatchNorm's gamma and beta left out       */
    CC_MISTAKE_CONV_NO_CIN,         /* a filter without the input channels: k*k  */
    CC_MISTAKE_KERNELS_ADDED,       /* a receptive field as the sum of the kernels */
    CC_MISTAKE_OUTPUT_PADDING_IGNORED, /* a transposed convolution's output_padding */
    CC_MISTAKE_COUNT
} cc_mistake;
/* Short stable name ("kernel-not-flipped", "off-by-one", ...) as in JSON. */
const char *cc_mistake_name(cc_mistake m);
/* One sentence for a human. */
const char *cc_mistake_text(cc_mistake m);

/* One detail of a grade: a matrix cell, a reported number of a results
 * table, ... */
typedef struct cc_grade_detail {
    char *what;     /* "row 1, column 2", "test accuracy"   */
    char *expected; /* what the library computes            */
    char *given;    /* what the answer says ("" if absent)  */
    int ok;         /* 1 right (within tolerance), 0 wrong  */
} cc_grade_detail;

typedef struct cc_grade {
    cc_verdict verdict;
    double points;      /* awarded */
    double max_points;
    cc_mistake mistake; /* recognised mistake of a wrong answer, or NONE
                           (the first of mistakes[]) */
    size_t n_mistakes;  /* every mistake that gives the answer's value */
    cc_mistake mistakes[CC_MISTAKE_COUNT];
    char *reason;       /* unreadable: why the answer could not be read;
                           wrong: a note on how it was read, or NULL */
    char *expected;     /* the expected answer, one line (as cc_exset_answer) */
    char *given;        /* the answer as understood, one line; NULL if missing */
    char *feedback;     /* text for the student: verdict, per-cell notes, the
                           likely mistake and (when wrong) the derivation */
    char *derivation;   /* the worked solution, text, every step */
    size_t n_details;
    cc_grade_detail *details;
} cc_grade;

/* Grade one answer string of problem i. answer NULL or blank: missing.
 * basedir (may be NULL) is where relative file names in the answer (the
 * model file of a results table) are found. An answer that cannot be read
 * with confidence (not a number where one is asked, two readings) gets the
 * verdict UNREADABLE with the reason in `reason`; a hedged answer ("3 or
 * 6") is WRONG with the reason. Neither is an error: errors are for broken
 * sets and internal failures. */
int cc_exset_grade(cc_grade *out, const cc_exset *set, size_t i,
                   const char *answer, const char *basedir, cc_error *err);
void cc_grade_free(cc_grade *g);

/* ---- answer sheets --------------------------------------------------------- */
/* `id: answer` lines; an answer may continue on the following lines
 * (matrices, results tables); `name: ...` names the student, `variant: ID`
 * says which variant the sheet answers; `#` starts a comment. */
typedef struct cc_sheet cc_sheet;

int cc_sheet_parse(cc_sheet **out, const char *text, size_t len,
                   const char *source, cc_error *err);
void cc_sheet_free(cc_sheet *sheet);
const char *cc_sheet_name(const cc_sheet *sheet);   /* NULL when not given */
const char *cc_sheet_variant(const cc_sheet *sheet); /* NULL when not given */
size_t cc_sheet_count(const cc_sheet *sheet);
/* Entry i: its id as written, its answer text and its line. */
int cc_sheet_entry(const cc_sheet *sheet, size_t i, const char **id,
                   const char **answer, int *line);

/* The grades of one sheet against a set. */
typedef struct cc_result {
    char *name;        /* the student's name, or the sheet's file name */
    size_t n;          /* one grade per problem of the set, in order */
    cc_grade *grades;
    double score, max_score;
    size_t n_right, n_wrong, n_missing, n_unreadable;
    char *error;       /* a sheet that could not be graded: why (FILE:LINE:COL:
                          message), with n == 0; NULL for a graded sheet */
} cc_result;

/* Grade a whole sheet. An id on the sheet that is not in the set is an
 * error with its line (err->source is the sheet's name). `name` is used
 * when the sheet has no `name:` line. */
int cc_check_sheet(cc_result *out, const cc_exset *set, const cc_sheet *sheet,
                   const char *name, const char *basedir, cc_error *err);
void cc_result_free(cc_result *r);

/* One sheet's report: text, Markdown or JSON (an object with `items`). */
int cc_result_render(cc_buf *out, const cc_exset *set, const cc_result *r,
                     cc_format fmt, cc_error *err);
/* Several sheets: CSV is the gradebook (one row per sheet, one column per
 * item, a total, and an `error` column when a sheet has an error, whose
 * row has no points); text and Markdown add a summary of the most-missed items;
 * JSON is an object with `sheets` (each as cc_result_render) and `summary`. */
int cc_gradebook_render(cc_buf *out, const cc_exset *set,
                        const cc_result *results, size_t n, cc_format fmt,
                        cc_error *err);
/* Only the summary of the most-missed items (text), as the gradebook's
 * text form ends with it. */
void cc_gradebook_summary(cc_buf *out, const cc_exset *set,
                          const cc_result *results, size_t n);

#ifdef __cplusplus
}
#endif
#endif
