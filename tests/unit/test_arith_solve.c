/* test_arith_solve.c - the shape solver: every solution (compared with a
 * brute-force search over the forward formulas), no-solution answers with
 * the nearest choices, 'same' padding for even kernels, two dimensions,
 * constraints, parsing of the command-line notation, bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "convcalc/arith.h"

/* ---- brute force ------------------------------------------------------------ */

struct cfg {
    cc_shape_kind kind;
    int ceil_mode;
    long i, f, s, d, pb, pe, op;
};

/* The forward formula straight from arith.h, x put in for var. */
static int fwd(const struct cfg *c, cc_shape_var var, int per_side, long x, long *o)
{
    struct cfg v = *c;
    switch (var) {
    case CC_VAR_INPUT: v.i = x; break;
    case CC_VAR_KERNEL: v.f = x; break;
    case CC_VAR_STRIDE: v.s = x; break;
    case CC_VAR_DILATION: v.d = x; break;
    case CC_VAR_PADDING:
        v.pb = per_side ? x / 2 : x;
        v.pe = per_side ? x - x / 2 : x;
        break;
    default: break;
    }
    if (v.kind == CC_SHAPE_POOL)
        return cc_pool_out(o, v.i, v.f, v.s, v.pb, v.pe, v.d, v.ceil_mode, NULL);
    if (v.kind == CC_SHAPE_TCONV)
        return cc_tconv_out(o, v.i, v.f, v.s, v.pb, v.pe, v.d, v.op, NULL);
    return cc_conv_out(o, v.i, v.f, v.s, v.pb, v.pe, v.d, NULL);
}

static void to_query(const struct cfg *c, cc_shape_query *q)
{
    cc_shape_query_init(q, c->kind);
    q->ceil_mode = c->ceil_mode;
    cc_shape_dim *d = &q->dim[0];
    d->input = c->i;
    d->kernel = c->f;
    d->stride = c->s;
    d->dilation = c->d;
    d->pad_begin = c->pb;
    d->pad_end = c->pe;
    d->output_padding = c->op;
}

#define BOUND 60

/* Solve for var with the output that c gives and compare with brute force
 * over [min, BOUND]. */
static void compare(const struct cfg *c, cc_shape_var var, int per_side, int odd)
{
    long want;
    if (fwd(c, CC_VAR_NONE, 0, 0, &want) != 0)
        return;
    cc_shape_query q;
    to_query(c, &q);
    q.unknown = var;
    q.per_side = per_side;
    q.odd_kernel = odd;
    q.dim[0].output = want;
    cc_shape_answer a;
    cc_shape_answer_init(&a);
    cc_error err;
    cc_error_clear(&err);
    int rc = cc_shape_solve(&a, &q, &err);
    if (rc != 0)
        fail_msg("solve failed: %s (kind %d var %d i%ld f%ld s%ld d%ld p%ld,%ld op%ld)", err.msg,
                 c->kind, var, c->i, c->f, c->s, c->d, c->pb, c->pe, c->op);
    long min = var == CC_VAR_PADDING ? 0 : 1;
    int any = 0;
    for (long x = min; x <= BOUND; x++) {
        long o;
        int ok = fwd(c, var, per_side, x, &o) == 0 && o == want && (!odd || x % 2 == 1);
        const cc_shape_dim_answer *da = &a.dim[0];
        int in = da->found && x >= da->lo && (x <= da->hi || da->unbounded) &&
                 (x - da->lo) % da->step == 0;
        if (ok != in)
            fail_msg("kind %d ceil %d var %d per_side %d: x=%ld brute %d solver %d [%ld..%ld%s] "
                     "(i%ld f%ld s%ld d%ld p%ld,%ld op%ld -> %ld)",
                     c->kind, c->ceil_mode, var, per_side, x, ok, in, da->lo, da->hi,
                     da->unbounded ? "+" : "", c->i, c->f, c->s, c->d, c->pb, c->pe, c->op, want);
        any |= ok;
    }
    if (any)
        assert_true(a.found);
    assert_true(a.nsteps >= 3);
    cc_shape_answer_free(&a);
}

static void test_solver_matches_brute_force(void **state)
{
    (void)state;
    static const struct { cc_shape_kind kind; int ceil_mode; } kinds[] = {
        {CC_SHAPE_CONV, 0}, {CC_SHAPE_POOL, 0}, {CC_SHAPE_POOL, 1}, {CC_SHAPE_TCONV, 0}};
    static const cc_shape_var vars[] = {CC_VAR_INPUT, CC_VAR_KERNEL, CC_VAR_STRIDE,
                                        CC_VAR_DILATION, CC_VAR_PADDING};
    long n = 0;
    for (size_t k = 0; k < 4; k++)
        for (long i = 1; i <= 9; i++)
            for (long f = 1; f <= 4; f++)
                for (long s = 1; s <= 3; s++)
                    for (long d = 1; d <= 2; d++)
                        for (long p = 0; p <= 2; p++)
                            for (long op = 0; op <= (kinds[k].kind == CC_SHAPE_TCONV); op++) {
                                struct cfg c = {kinds[k].kind, kinds[k].ceil_mode, i, f, s, d,
                                                p, p + (i % 2 && f % 2 == 0), op};
                                long o;
                                if (fwd(&c, CC_VAR_NONE, 0, 0, &o) != 0)
                                    continue;
                                for (size_t v = 0; v < 5; v++) {
                                    if (vars[v] == CC_VAR_PADDING) {
                                        if (c.pb == c.pe)
                                            compare(&c, vars[v], 0, 0);
                                        compare(&c, vars[v], 1, 0);
                                    } else {
                                        compare(&c, vars[v], 0, 0);
                                    }
                                }
                                compare(&c, CC_VAR_KERNEL, 0, 1);
                                n++;
                            }
    assert_true(n > 500);
}

/* ---- the questions of an assignment ------------------------------------------ */

static void solve_ok(cc_shape_answer *a, const cc_shape_query *q)
{
    cc_error err;
    cc_error_clear(&err);
    int rc = cc_shape_solve(a, q, &err);
    if (rc)
        fail_msg("solve failed: %s", err.msg);
}

static int has_step(const cc_shape_answer *a, const char *text)
{
    for (size_t i = 0; i < a->nsteps; i++)
        if (strstr(a->steps[i], text))
            return 1;
    return 0;
}

static int has_constraint(const cc_shape_answer *a, const char *text)
{
    for (size_t i = 0; i < a->nconstraints; i++)
        if (strstr(a->constraints[i], text))
            return 1;
    return 0;
}

static void set(cc_shape_query *q, cc_shape_var v, const char *text)
{
    cc_error err;
    cc_error_clear(&err);
    if (cc_shape_query_set(q, v, text, &err) != 0)
        fail_msg("set %d '%s': %s", v, text, err.msg);
}

static void test_kernel_512_to_508(void **state)
{
    (void)state;
    /* "which square, odd kernel turns 512x512 into 508x508 with stride 1
     * and no padding?" */
    cc_shape_query q;
    cc_shape_query_init(&q, CC_SHAPE_CONV);
    set(&q, CC_VAR_INPUT, "512x512");
    set(&q, CC_VAR_OUTPUT, "508x508");
    q.unknown = CC_VAR_KERNEL;
    q.odd_kernel = 1;
    cc_shape_answer a;
    cc_shape_answer_init(&a);
    solve_ok(&a, &q);
    assert_int_equal(q.ndims, 2);
    assert_true(a.found);
    assert_true(a.square);
    assert_int_equal(a.ndims, 1);
    assert_int_equal(a.dim[0].count, 1);
    assert_int_equal(a.dim[0].lo, 5);
    assert_int_equal(a.query.dim[0].kernel, 5);
    assert_int_equal(a.query.dim[1].kernel, 5);
    assert_true(has_step(&a, "508 = (512 + 2*0 - F)/1 + 1"));
    assert_true(has_step(&a, "F = 5"));
    assert_true(has_constraint(&a, "odd kernel"));
    assert_true(has_constraint(&a, "square"));
    cc_buf b = {0};
    assert_int_equal(cc_shape_render(&a, CC_FORMAT_TEXT, &b, NULL), 0);
    assert_non_null(strstr(cc_buf_str(&b), "answer: kernel = 5x5\n"));
    cc_buf_free(&b);
    cc_shape_answer_free(&a);
}

static void test_same_padding_questions(void **state)
{
    (void)state;
    cc_shape_query q;
    cc_shape_answer a;
    cc_shape_answer_init(&a);
    /* what padding keeps 32x32 at 32x32 with a 7x7 kernel: 3 */
    cc_shape_query_init(&q, CC_SHAPE_CONV);
    set(&q, CC_VAR_INPUT, "32");
    set(&q, CC_VAR_KERNEL, "7");
    set(&q, CC_VAR_OUTPUT, "32");
    q.unknown = CC_VAR_PADDING;
    solve_ok(&a, &q);
    assert_true(a.found);
    assert_int_equal(a.dim[0].lo, 3);
    assert_int_equal(a.dim[0].count, 1);
    assert_int_equal(a.query.dim[0].pad_begin, 3);
    assert_int_equal(a.query.dim[0].pad_end, 3);
    /* an 8x8 kernel: no symmetric padding; 3 gives 31, 4 gives 33, and
     * 3 before + 4 after (SAME_UPPER) gives 32 */
    set(&q, CC_VAR_KERNEL, "8");
    solve_ok(&a, &q);
    assert_false(a.found);
    assert_int_equal(a.dim[0].nnear, 3);
    assert_int_equal(a.dim[0].near[0].value, 3);
    assert_int_equal(a.dim[0].near[0].output, 31);
    assert_int_equal(a.dim[0].near[1].value, 4);
    assert_int_equal(a.dim[0].near[1].output, 33);
    assert_int_equal(a.dim[0].near[2].value, 3);
    assert_int_equal(a.dim[0].near[2].pad_end, 4);
    assert_int_equal(a.dim[0].near[2].output, 32);
    /* padding per side: total 7, split 3 + 4 */
    q.per_side = 1;
    solve_ok(&a, &q);
    assert_true(a.found);
    assert_int_equal(a.dim[0].lo, 7);
    long pb, pe;
    cc_shape_answer_padding(&a, a.dim[0].lo, &pb, &pe);
    assert_int_equal(pb, 3);
    assert_int_equal(pe, 4);
    assert_true(has_constraint(&a, "SAME_UPPER"));
    /* --padding same with the 8x8 kernel: output 32, padding 3 and 4 */
    cc_shape_query_init(&q, CC_SHAPE_CONV);
    set(&q, CC_VAR_INPUT, "32");
    set(&q, CC_VAR_KERNEL, "8");
    set(&q, CC_VAR_PADDING, "same");
    q.unknown = CC_VAR_OUTPUT;
    solve_ok(&a, &q);
    assert_int_equal(a.dim[0].lo, 32);
    assert_int_equal(a.dim[0].pad_begin, 3);
    assert_int_equal(a.dim[0].pad_end, 4);
    assert_true(has_step(&a, "P_b = 3, P_e = 4"));
    /* valid and full */
    set(&q, CC_VAR_PADDING, "valid");
    solve_ok(&a, &q);
    assert_int_equal(a.dim[0].lo, 25);
    set(&q, CC_VAR_PADDING, "full");
    solve_ok(&a, &q);
    assert_int_equal(a.dim[0].lo, 39); /* 32 + 8 - 1 */
    assert_int_equal(a.dim[0].pad_begin, 7);
    cc_shape_answer_free(&a);
}

static void test_cc_same_padding(void **state)
{
    (void)state;
    static const struct { long i, f, s, d, pb, pe, o; } t[] = {
        {32, 8, 1, 1, 3, 4, 32},
        {32, 7, 1, 1, 3, 3, 32},
        /* TensorFlow's documented example: in 13, filter 6, stride 5 */
        {13, 6, 5, 1, 1, 2, 3},
        {5, 3, 2, 1, 1, 1, 3},
        {4, 1, 2, 1, 0, 0, 2},  /* no padding needed */
        {10, 3, 1, 2, 2, 2, 10}, /* dilated: effective 5 */
    };
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
        long pb, pe, o;
        assert_int_equal(cc_same_padding(&pb, &pe, &o, t[k].i, t[k].f, t[k].s, t[k].d, NULL), 0);
        assert_int_equal(pb, t[k].pb);
        assert_int_equal(pe, t[k].pe);
        assert_int_equal(o, t[k].o);
    }
    long pb, pe, o;
    assert_int_equal(cc_same_padding(&pb, &pe, &o, 0, 3, 1, 1, NULL), CC_EINVAL);
}

static void test_every_stride(void **state)
{
    (void)state;
    cc_shape_query q;
    cc_shape_answer a;
    cc_shape_answer_init(&a);
    cc_shape_query_init(&q, CC_SHAPE_CONV);
    q.unknown = CC_VAR_STRIDE;
    q.dim[0].input = 1000;
    q.dim[0].kernel = 3;
    q.dim[0].output = 2;
    solve_ok(&a, &q);
    /* floor(997/S) = 1: 498.5 < S <= 997 */
    assert_true(a.found);
    assert_int_equal(a.dim[0].lo, 499);
    assert_int_equal(a.dim[0].hi, 997);
    assert_int_equal(a.dim[0].count, 499);
    assert_false(a.dim[0].unbounded);
    /* output 1: every stride above 997 works too */
    q.dim[0].output = 1;
    solve_ok(&a, &q);
    assert_true(a.found);
    assert_int_equal(a.dim[0].lo, 998);
    assert_true(a.dim[0].unbounded);
    /* 7 -> 3 with a 3-kernel: stride 2 only */
    q.dim[0].input = 7;
    q.dim[0].output = 3;
    solve_ok(&a, &q);
    assert_int_equal(a.dim[0].lo, 2);
    assert_int_equal(a.dim[0].count, 1);
    assert_true(has_step(&a, "4/3 < S <= 4/2"));
    /* 224 -> 112 with 7x7, padding 3 (ResNet stem): stride 2 */
    q.dim[0].input = 224;
    q.dim[0].kernel = 7;
    q.dim[0].pad_begin = q.dim[0].pad_end = 3;
    q.dim[0].output = 112;
    solve_ok(&a, &q);
    assert_int_equal(a.dim[0].lo, 2);
    assert_int_equal(a.dim[0].count, 1);
    /* nothing gives 100 */
    q.dim[0].output = 100;
    solve_ok(&a, &q);
    assert_false(a.found);
    assert_int_equal(a.dim[0].nnear, 2);
    assert_int_equal(a.dim[0].near[0].value, 2);
    assert_int_equal(a.dim[0].near[0].output, 112);
    assert_int_equal(a.dim[0].near[1].value, 3);
    assert_int_equal(a.dim[0].near[1].output, 75);
    cc_shape_answer_free(&a);
}

static void test_odd_kernel_none(void **state)
{
    (void)state;
    cc_shape_query q;
    cc_shape_answer a;
    cc_shape_answer_init(&a);
    cc_shape_query_init(&q, CC_SHAPE_CONV);
    q.unknown = CC_VAR_KERNEL;
    q.odd_kernel = 1;
    q.dim[0].input = 7;
    q.dim[0].output = 4; /* only F = 4 */
    solve_ok(&a, &q);
    assert_false(a.found);
    /* nearest odd: 3 gives 5, 5 gives 3; the even 4 gives 4 */
    assert_int_equal(a.dim[0].nnear, 3);
    assert_int_equal(a.dim[0].near[0].value, 3);
    assert_int_equal(a.dim[0].near[0].output, 5);
    assert_int_equal(a.dim[0].near[1].value, 5);
    assert_int_equal(a.dim[0].near[1].output, 3);
    assert_int_equal(a.dim[0].near[2].value, 4);
    assert_int_equal(a.dim[0].near[2].output, 4);
    /* stride 2: 6 -> 2 with F in {3, 4}; odd: 3 */
    q.dim[0].input = 6;
    q.dim[0].output = 2;
    q.dim[0].stride = 2;
    q.odd_kernel = 0;
    solve_ok(&a, &q);
    assert_int_equal(a.dim[0].lo, 3);
    assert_int_equal(a.dim[0].hi, 4);
    q.odd_kernel = 1;
    solve_ok(&a, &q);
    assert_int_equal(a.dim[0].lo, 3);
    assert_int_equal(a.dim[0].count, 1);
    cc_shape_answer_free(&a);
}

static void test_rectangular(void **state)
{
    (void)state;
    cc_shape_query q;
    cc_shape_answer a;
    cc_shape_answer_init(&a);
    cc_shape_query_init(&q, CC_SHAPE_CONV);
    set(&q, CC_VAR_INPUT, "32x64");
    set(&q, CC_VAR_OUTPUT, "30x60");
    q.unknown = CC_VAR_KERNEL;
    solve_ok(&a, &q);
    assert_false(a.square);
    assert_int_equal(a.ndims, 2);
    assert_int_equal(a.dim[0].lo, 3);
    assert_int_equal(a.dim[1].lo, 5);
    assert_true(has_step(&a, "height: "));
    assert_true(has_step(&a, "width: "));
    cc_buf b = {0};
    assert_int_equal(cc_shape_render(&a, CC_FORMAT_TEXT, &b, NULL), 0);
    assert_non_null(strstr(cc_buf_str(&b), "answer: kernel = 3x5\n"));
    cc_buf_free(&b);
    /* padding "1,2x3": height 1 before 2 after, width 3 both */
    cc_shape_query_init(&q, CC_SHAPE_CONV);
    set(&q, CC_VAR_INPUT, "10");
    set(&q, CC_VAR_KERNEL, "3");
    set(&q, CC_VAR_PADDING, "1,2x3");
    q.unknown = CC_VAR_OUTPUT;
    solve_ok(&a, &q);
    assert_int_equal(a.dim[0].lo, 11);
    assert_int_equal(a.dim[1].lo, 14);
    cc_shape_answer_free(&a);
}

static void test_transposed_and_pool(void **state)
{
    (void)state;
    cc_shape_query q;
    cc_shape_answer a;
    cc_shape_answer_init(&a);
    /* ConvTranspose2d(k=4, s=2, p=1) doubles: 16 -> 32; solve the input */
    cc_shape_query_init(&q, CC_SHAPE_TCONV);
    q.unknown = CC_VAR_INPUT;
    q.dim[0].kernel = 4;
    q.dim[0].stride = 2;
    q.dim[0].pad_begin = q.dim[0].pad_end = 1;
    q.dim[0].output = 32;
    solve_ok(&a, &q);
    assert_int_equal(a.dim[0].lo, 16);
    assert_int_equal(a.dim[0].count, 1);
    assert_true(has_step(&a, "(I - 1)*2 = 32 - 1 + 2 - 3 = 30"));
    /* 33 is odd: no input gives it; 16 gives 32, 17 gives 34 */
    q.dim[0].output = 33;
    solve_ok(&a, &q);
    assert_false(a.found);
    assert_int_equal(a.dim[0].near[0].value, 16);
    assert_int_equal(a.dim[0].near[1].value, 17);
    /* ... but output_padding 1 gives 33 */
    q.dim[0].output_padding = 1;
    solve_ok(&a, &q);
    assert_true(a.found);
    assert_int_equal(a.dim[0].lo, 16);
    /* pooling 2x2/2 with ceil_mode: 5 -> 3, inputs 5 and 6 give 3 */
    cc_shape_query_init(&q, CC_SHAPE_POOL);
    q.ceil_mode = 1;
    q.unknown = CC_VAR_INPUT;
    q.dim[0].kernel = 2;
    q.dim[0].stride = 2;
    q.dim[0].output = 3;
    solve_ok(&a, &q);
    assert_int_equal(a.dim[0].lo, 5);
    assert_int_equal(a.dim[0].hi, 6);
    q.ceil_mode = 0;
    solve_ok(&a, &q);
    assert_int_equal(a.dim[0].lo, 6);
    assert_int_equal(a.dim[0].hi, 7);
    cc_shape_answer_free(&a);
}

static void test_check_given_output(void **state)
{
    (void)state;
    cc_shape_query q;
    cc_shape_answer a;
    cc_shape_answer_init(&a);
    cc_shape_query_init(&q, CC_SHAPE_CONV);
    q.dim[0].input = 32;
    q.dim[0].kernel = 3;
    q.dim[0].stride = 2;
    q.dim[0].pad_begin = q.dim[0].pad_end = 1;
    q.dim[0].output = 16;
    solve_ok(&a, &q);
    assert_true(a.checked);
    assert_true(a.matches);
    assert_int_equal(a.solved, CC_VAR_OUTPUT);
    assert_true(has_step(&a, "floor(31/2) + 1 = 15 + 1 = 16"));
    q.dim[0].output = 15;
    solve_ok(&a, &q);
    assert_true(a.checked);
    assert_false(a.matches);
    cc_shape_answer_free(&a);
}

static void test_bad_input(void **state)
{
    (void)state;
    cc_shape_query q;
    cc_shape_answer a;
    cc_error err;
    cc_shape_answer_init(&a);
    cc_shape_query_init(&q, CC_SHAPE_CONV);
    q.unknown = CC_VAR_OUTPUT;
    q.dim[0].input = 0;
    q.dim[0].kernel = 3;
    cc_error_clear(&err);
    assert_int_equal(cc_shape_solve(&a, &q, &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "input size must be positive"));
    q.dim[0].input = 3;
    q.dim[0].kernel = 5; /* larger than the input */
    assert_int_equal(cc_shape_solve(&a, &q, &err), CC_ESHAPE);
    q.dim[0].input = 1L << 40;
    assert_int_equal(cc_shape_solve(&a, &q, &err), CC_ERANGE);
    /* no stride makes a 40-kernel fit a 32-input */
    q.unknown = CC_VAR_STRIDE;
    q.dim[0].input = 32;
    q.dim[0].kernel = 40;
    q.dim[0].output = 1;
    assert_true(cc_shape_solve(&a, &q, &err) < 0);
    /* 'same' for a transposed convolution */
    cc_shape_query_init(&q, CC_SHAPE_TCONV);
    q.unknown = CC_VAR_OUTPUT;
    q.dim[0].input = 4;
    q.dim[0].kernel = 3;
    q.padding = CC_PADDING_SAME;
    assert_int_equal(cc_shape_solve(&a, &q, &err), CC_EINVAL);
    /* the notation */
    static const char *bad[] = {"", "x3", "3x", "-1", "3x4x5", "1e3", "2,", "99999999999999999999"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        cc_shape_query_init(&q, CC_SHAPE_CONV);
        assert_true(cc_shape_query_set(&q, CC_VAR_INPUT, bad[k], &err) < 0);
        assert_true(cc_shape_query_set(&q, CC_VAR_PADDING, bad[k], &err) < 0);
        assert_true(err.msg[0] != '\0');
    }
    cc_shape_query_init(&q, CC_SHAPE_CONV);
    assert_int_equal(cc_shape_query_set(&q, CC_VAR_INPUT, "1099511627776", &err), CC_ERANGE);
    assert_int_equal(cc_shape_query_set(&q, CC_VAR_PADDING, "1,2x3,4", &err), 0);
    assert_int_equal(q.ndims, 2);
    assert_int_equal(q.dim[0].pad_begin, 1);
    assert_int_equal(q.dim[0].pad_end, 2);
    assert_int_equal(q.dim[1].pad_begin, 3);
    assert_int_equal(q.dim[1].pad_end, 4);
    cc_shape_answer_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_solver_matches_brute_force),
        cmocka_unit_test(test_kernel_512_to_508),
        cmocka_unit_test(test_same_padding_questions),
        cmocka_unit_test(test_cc_same_padding),
        cmocka_unit_test(test_every_stride),
        cmocka_unit_test(test_odd_kernel_none),
        cmocka_unit_test(test_rectangular),
        cmocka_unit_test(test_transposed_and_pool),
        cmocka_unit_test(test_check_given_output),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
