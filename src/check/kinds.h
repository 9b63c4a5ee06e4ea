/* kinds.h - what the kind families of src/check share (not public): the
 * expected answer of a problem with the wrong answers that known mistakes
 * give, and the computations those mistakes transform. */
#ifndef CONVCALC_KINDS_H
#define CONVCALC_KINDS_H

#include <stdint.h>

#include "convcalc/matrix.h"
#include "convcalc/stack.h"
#include "convcalc/walk.h"
#include "ex_internal.h"

#define EXPLAIN "explain"

typedef enum { ANS_SIZE, ANS_COUNT, ANS_MATRIX, ANS_CHOICE, ANS_RESULTS } ans_type;

#define MAX_ALTS 160
#define MAX_ACCEPT 64
#define QUOTE_MAX 360

/* A set of mistakes, one bit per cc_mistake. */
typedef uint32_t ex_mask;
#define EX_BIT(m) ((ex_mask)1u << (unsigned)(m))

/* A wrong answer that a mistake (or a pair of them) gives. */
typedef struct ex_alt {
    ex_mask mask;
    int n;
    long v[3];
    int64_t count;
    cc_matrix mat; /* has data when a matrix */
    char quote[QUOTE_MAX]; /* the student's computation where it departs, or "" */
} ex_alt;

typedef struct ex_expect {
    ans_type type;
    int n;               /* size: how many numbers (1..3) */
    long v[3];
    int square_ok;       /* a single number means n equal numbers */
    int naccept;         /* size: further acceptable answers (several kernels) */
    long accept[MAX_ACCEPT][2];
    int64_t count;
    cc_matrix mat;
    int choice;
    ex_alt alts[MAX_ALTS];
    int nalts;
    cc_buf steps;        /* the derivation, text, one step a line */
    cc_walk *walk;       /* convolve */
    cc_stack *stack;     /* stack kinds */
} ex_expect;

void ex_expect_free(ex_expect *e);
/* Record a wrong answer; none when it equals the right one or is already
 * there with the same mistakes. Returns the new alternative or NULL. */
ex_alt *ex_add_size_alt(ex_expect *e, ex_mask m, int n, const long *v);
ex_alt *ex_add_count_alt(ex_expect *e, ex_mask m, int64_t c);

/* ---- the computations mistakes transform ---- */

/* One output size along one dimension, as a formula with its numbers. */
typedef struct ex_sizecalc {
    cc_exkind kind;      /* CC_EX_OUTPUT_SIZE (convolution), POOL_SIZE, TCONV_SIZE */
    long in, k, s, pb, pe, d, op;
    int ceil;
    long plus;           /* the +1 of the formula (a mistake makes it 0 or 2) */
} ex_sizecalc;
/* The size, or -1 when the numbers give none. */
long ex_size_eval(const ex_sizecalc *c);
/* "floor((32 + 2 + 2 - 3) / 2) + 1 = 17" in the formula of c's own kind. */
void ex_size_print(cc_buf *b, const ex_sizecalc *c);

/* ", but padding goes on both sides, and ..." for the mistakes of m. */
void ex_quote_but(cc_buf *b, ex_mask m);
/* Apply variant v of mistake m's size rule to c (as the table's rule). */
int ex_size_rule(cc_mistake m, ex_sizecalc *c, int v);

/* One layer's parameter count, as students compute it. */
typedef enum { LC_OTHER, LC_CONV, LC_LINEAR, LC_BN, LC_POOL } ex_lckind;
typedef struct ex_lcalc {
    ex_lckind kind;
    int64_t kh, kw, cin, cout, groups;
    int bias;            /* the layer has biases                           */
    int bias_per_in;     /* conv: a bias per input channel and filter      */
    int no_cin;          /* conv: weights without the input channels       */
    int64_t n_in;        /* linear: inputs                                 */
    int64_t per_channel; /* batchnorm: per channel (2; 4 with buffers)     */
    int pool_rule;       /* pooling: 0 none, 1 (k*k+1)*C, 2 2*C, 3 k*k*C, 4 k*k,
                            5 k*k+1, 6 (k*k*C+1)*C as a convolution */
    int64_t other;       /* a layer not modelled: its own count            */
} ex_lcalc;
int64_t ex_lcalc_eval(const ex_lcalc *c);
void ex_lcalc_print(cc_buf *b, const ex_lcalc *c);

/* One layer of a receptive-field chain, and the chain. */
typedef struct ex_rflayer {
    long k[2], s[2], d[2];
    size_t layer; /* its index in the stack */
} ex_rflayer;
typedef struct ex_rfchain {
    size_t n;
    ex_rflayer *l;
    int no_jump;     /* every jump taken as 1                    */
    int sum_kernels; /* r = the sum of the kernel sizes          */
    long plus;       /* added at the end (off by one: -1 or +1)  */
} ex_rfchain;

/* ---- the mistake catalogue (mistakes.c) ---- */
typedef struct ex_mistake_def {
    cc_mistake id;
    const char *name;
    unsigned kinds;  /* bit (1u << kind) for every kind of problem it applies to */
    /* The rule, as a transformation of the computation: variant v of it
     * (0, 1, ...) applied to a size formula, to every layer of a stack, or
     * to a receptive-field chain. Returns 1 when it changed something, 0
     * when it does not apply, -1 when there is no variant v. */
    int (*size)(ex_sizecalc *c, int v);
    int (*layers)(const cc_stack *s, ex_lcalc *lc, int v);
    int (*rf)(ex_rfchain *c, int v);
    const char *rule; /* the wrong rule, as students write it */
    const char *but;  /* what is right instead, after "but" */
    const char *text; /* one sentence for a human */
} ex_mistake_def;

#define EX_KIND_BIT(k) (1u << (unsigned)(k))
/* The catalogue in order of cc_mistake; entry 0 is CC_MISTAKE_NONE. */
const ex_mistake_def *ex_mistakes(void);
const ex_mistake_def *ex_mistake(cc_mistake m);

/* ---- parameters and helpers ---- */
int ex_get_pair(const ex_problem *p, const char *name, long def, long min, long v[2],
                cc_error *err);
int ex_get_bool(const ex_problem *p, const char *name, int def, int *out, cc_error *err);
void ex_fmt_size(cc_buf *b, int n, const long *v);
int ex_is_pool(const cc_layer *l);
long ex_layer_stride(const cc_layer *l, int w);
/* "conv1" or "3. conv 64 3x3" */
void ex_layer_label(cc_buf *b, const cc_layer *l, size_t i);
void ex_stack_layer_line(cc_buf *b, const cc_layer *l, size_t i);

/* ---- the families ---- */
int ex_solve_size(ex_expect *e, const ex_problem *p, cc_error *err);      /* kinds_size.c */
int ex_solve_stack_shape(ex_expect *e, const ex_problem *p, cc_error *err); /* kinds_stack.c */
int ex_solve_params(ex_expect *e, const ex_problem *p, cc_error *err);
int ex_solve_macs(ex_expect *e, const ex_problem *p, cc_error *err);
int ex_solve_rf(ex_expect *e, const ex_problem *p, cc_error *err);
int ex_solve_convolve(ex_expect *e, const ex_problem *p, cc_error *err);  /* kinds_convolve.c */
int ex_read_matrix_param(const ex_problem *p, const char *name, cc_matrix *m, int builtin_image,
                         cc_error *err);
int ex_build_walk(cc_walk **out, const ex_problem *p, int flip_mode, int no_pad, cc_error *err);

/* Every kind (kinds.c). */
int ex_solve(ex_expect *e, const cc_exset *set, const ex_problem *p, cc_error *err);
void ex_matrix_line(cc_buf *b, const cc_matrix *m);
void ex_expected_line(cc_buf *b, const ex_expect *e, const ex_problem *p);

#endif
