/* arith_steps.c - the derivation the shape solver shows: the output-size
 * formula written as a student writes it, with the numbers put in, solved
 * for the unknown, and the solutions checked by putting them back. */
#include "convcalc/arith.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arith_priv.h"

/* ---- steps: the algebra, as a student writes it ------------------------------------- */

/* How a quantity is written: as its symbol, as the number, or (VAL) with x
 * put in for the unknown. */
enum { SYM, SUB, VAL };

struct ctx {
    const cc_shape_query *q;
    int d;
    cc_shape_var var; /* the unknown (CC_VAR_OUTPUT / NONE: none) */
    long x;           /* VAL: the unknown's value */
    long pb, pe;      /* padding in effect (resolved), when known */
};

static void put_q(cc_buf *b, const struct ctx *c, int mode, cc_shape_var which, const char *sym)
{
    const cc_shape_dim *v = &c->q->dim[c->d];
    if (mode == SYM || (mode == SUB && which == c->var)) {
        cc_buf_puts(b, sym);
        return;
    }
    long val;
    if (which == c->var)
        val = c->x;
    else {
        switch (which) {
        case CC_VAR_INPUT: val = v->input; break;
        case CC_VAR_KERNEL: val = v->kernel; break;
        case CC_VAR_STRIDE: val = v->stride; break;
        case CC_VAR_DILATION: val = v->dilation; break;
        default: val = v->output; break;
        }
    }
    cc_buf_printf(b, "%ld", val);
}

/* Whether the kernel is written as F (dilation 1) or D*(F - 1) + 1. */
static int plain_kernel(const struct ctx *c)
{
    return c->var != CC_VAR_DILATION && c->q->dim[c->d].dilation == 1;
}

/* D*(F - 1), or (F - 1) when the dilation is 1. */
static void put_dil_term(cc_buf *b, const struct ctx *c, int mode)
{
    if (plain_kernel(c)) {
        cc_buf_puts(b, "(");
        put_q(b, c, mode, CC_VAR_KERNEL, "F");
        cc_buf_puts(b, " - 1)");
        return;
    }
    put_q(b, c, mode, CC_VAR_DILATION, "D");
    cc_buf_puts(b, "*(");
    put_q(b, c, mode, CC_VAR_KERNEL, "F");
    cc_buf_puts(b, " - 1)");
}

/* The padding term: 2*P, P_b + P_e, 2*D*(F - 1) (full), or the total P
 * (per-side unknown). */
static void put_pad(cc_buf *b, const struct ctx *c, int mode)
{
    const cc_shape_query *q = c->q;
    if (c->var == CC_VAR_PADDING) {
        if (mode == VAL) {
            long pb = q->per_side ? c->x / 2 : c->x, pe = q->per_side ? c->x - c->x / 2 : c->x;
            if (pb == pe)
                cc_buf_printf(b, "2*%ld", pb);
            else
                cc_buf_printf(b, "%ld + %ld", pb, pe);
        } else {
            cc_buf_puts(b, q->per_side ? "P" : "2*P");
        }
        return;
    }
    if (q->padding == CC_PADDING_FULL &&
        (mode == SYM || c->var == CC_VAR_KERNEL || c->var == CC_VAR_DILATION)) {
        cc_buf_puts(b, "2*");
        put_dil_term(b, c, mode);
        return;
    }
    if (mode == SYM) {
        cc_buf_puts(b, c->pb == c->pe ? "2*P" : "P_b + P_e");
        return;
    }
    if (c->pb == c->pe)
        cc_buf_printf(b, "2*%ld", c->pb);
    else
        cc_buf_printf(b, "%ld + %ld", c->pb, c->pe);
}

/* Numerator of the convolution formula: I + pad - F, or
 * I + pad - D*(F - 1) - 1. */
static void put_numer(cc_buf *b, const struct ctx *c, int mode)
{
    put_q(b, c, mode, CC_VAR_INPUT, "I");
    cc_buf_puts(b, " + ");
    put_pad(b, c, mode);
    if (plain_kernel(c)) {
        cc_buf_puts(b, " - ");
        put_q(b, c, mode, CC_VAR_KERNEL, "F");
    } else {
        cc_buf_puts(b, " - ");
        put_dil_term(b, c, mode);
        cc_buf_puts(b, " - 1");
    }
}

static int show_round(const struct ctx *c)
{
    return c->var == CC_VAR_STRIDE || c->q->dim[c->d].stride != 1;
}

static const char *round_name(const struct ctx *c)
{
    return c->q->kind == CC_SHAPE_POOL && c->q->ceil_mode ? "ceil" : "floor";
}

/* The right-hand side of O = ... */
static void put_rhs(cc_buf *b, const struct ctx *c, int mode)
{
    if (c->q->kind == CC_SHAPE_TCONV) {
        cc_buf_puts(b, "(");
        put_q(b, c, mode, CC_VAR_INPUT, "I");
        cc_buf_puts(b, " - 1)*");
        put_q(b, c, mode, CC_VAR_STRIDE, "S");
        cc_buf_puts(b, " - ");
        int paren = c->var == CC_VAR_PADDING ? !c->q->per_side : c->pb != c->pe;
        if (paren && mode != SYM && c->var != CC_VAR_PADDING)
            paren = 1;
        if (c->var != CC_VAR_PADDING && c->pb == c->pe)
            paren = 0;
        if (paren)
            cc_buf_puts(b, "(");
        put_pad(b, c, mode);
        if (paren)
            cc_buf_puts(b, ")");
        cc_buf_puts(b, " + ");
        put_dil_term(b, c, mode);
        long op = c->q->dim[c->d].output_padding;
        if (op) {
            if (mode == SYM)
                cc_buf_puts(b, " + op");
            else
                cc_buf_printf(b, " + %ld", op);
        }
        cc_buf_puts(b, " + 1");
        return;
    }
    int r = show_round(c);
    if (r)
        cc_buf_printf(b, "%s(", round_name(c));
    cc_buf_puts(b, "(");
    put_numer(b, c, mode);
    cc_buf_puts(b, ")/");
    put_q(b, c, mode, CC_VAR_STRIDE, "S");
    if (r)
        cc_buf_puts(b, ")");
    cc_buf_puts(b, " + 1");
}

/* The numerator's value (conv/pool) with x put in. */
static long numer_value(const struct ctx *c, long x)
{
    cc_shape_dim v = c->q->dim[c->d];
    long *f = arith_dim_field(&v, c->var);
    if (f)
        *f = x;
    long pb = c->pb, pe = c->pe;
    if (c->var == CC_VAR_PADDING) {
        pb = c->q->per_side ? x / 2 : x;
        pe = c->q->per_side ? x - x / 2 : x;
    } else if (c->q->padding == CC_PADDING_FULL) {
        pb = pe = v.dilation * (v.kernel - 1);
    }
    return v.input + pb + pe - v.dilation * (v.kernel - 1) - 1;
}

struct steps {
    cc_shape_answer *a;
    const char *prefix; /* "height: " / "width: " / "" */
    int rc;
};

static void step(struct steps *s, const cc_buf *b)
{
    if (s->rc)
        return;
    if (cc_buf_failed(b)) {
        s->rc = CC_ENOMEM;
        return;
    }
    s->rc = arith_list_add(&s->a->steps, &s->a->nsteps, "%s%s", s->prefix, cc_buf_str(b));
}

static const char *var_sym(const cc_shape_query *q, cc_shape_var v)
{
    switch (v) {
    case CC_VAR_INPUT: return "I";
    case CC_VAR_KERNEL: return "F";
    case CC_VAR_PADDING: return "P";
    case CC_VAR_STRIDE: return "S";
    case CC_VAR_DILATION: return "D";
    default: (void)q; return "O";
    }
}

/* "F = 5", "F = 5 or 7", "5 <= F <= 9 (every value)", "F >= 501" */
static void put_solution_set(cc_buf *b, const cc_shape_query *q, const cc_shape_dim_answer *da,
                             cc_shape_var var)
{
    const char *sym = var_sym(q, var);
    if (da->unbounded) {
        cc_buf_printf(b, "%s >= %ld%s", sym, da->lo, da->step == 2 ? " (odd)" : "");
    } else if (da->count == 1) {
        cc_buf_printf(b, "%s = %ld", sym, da->lo);
    } else if (da->count <= 6) {
        cc_buf_printf(b, "%s = ", sym);
        for (long i = 0; i < da->count; i++)
            cc_buf_printf(b, "%s%ld", i == 0 ? "" : i + 1 == da->count ? " or " : ", ",
                          da->lo + i * da->step);
    } else {
        cc_buf_printf(b, "%ld <= %s <= %ld%s", da->lo, sym, da->hi,
                      da->step == 2 ? " (odd values)" : "");
    }
}

/* The check line for value x: "check: (512 + 2*0 - 5)/1 + 1 = 507/1 + 1 = 508". */
static void check_line(struct steps *s, struct ctx c, long x, const char *lead)
{
    cc_buf b = {0};
    long o, pb, pe;
    if (arith_forward(c.q, c.d, c.var, x, &o, &pb, &pe, NULL) != 0) {
        cc_buf_free(&b);
        return;
    }
    c.x = x;
    c.pb = pb;
    c.pe = pe;
    cc_buf_printf(&b, "%s", lead);
    if (c.var != CC_VAR_NONE && c.var != CC_VAR_OUTPUT)
        cc_buf_printf(&b, "%s = %ld: ", var_sym(c.q, c.var), x);
    cc_buf_puts(&b, "O = ");
    put_rhs(&b, &c, VAL);
    const cc_shape_dim *v = &c.q->dim[c.d];
    long S = c.var == CC_VAR_STRIDE ? x : v->stride;
    if (c.q->kind != CC_SHAPE_TCONV) {
        long n = numer_value(&c, x);
        int ceil_mode = c.q->kind == CC_SHAPE_POOL && c.q->ceil_mode;
        long qt = ceil_mode ? (n + S - 1) / S : n / S;
        if (show_round(&c))
            cc_buf_printf(&b, " = %s(%ld/%ld) + 1 = %ld + 1", round_name(&c), n, S, qt);
        else
            cc_buf_printf(&b, " = %ld/%ld + 1", n, S);
        if (ceil_mode && qt + 1 != o)
            cc_buf_printf(&b, " = %ld, minus the last window, which would start at "
                              "(%ld - 1)*%ld = %ld, outside the input and left padding "
                              "(%ld + %ld)",
                          qt + 1, qt + 1, S, qt * S,
                          c.var == CC_VAR_INPUT ? x : v->input, pb);
    }
    cc_buf_printf(&b, " = %ld", o);
    step(s, &b);
    cc_buf_free(&b);
}

/* Steps for 'same' padding (convolution/pooling): O = ceil(I/S). */
static void same_steps(struct steps *s, const struct ctx *c, const cc_shape_dim_answer *da)
{
    cc_buf b = {0};
    const cc_shape_query *q = c->q;
    cc_shape_var var = c->var;
    cc_buf_puts(&b, "same padding: O = ceil(I/S), total padding = (O - 1)*S + D*(F - 1) + 1 - I, "
                    "P_b = floor(total/2), P_e = total - P_b");
    step(s, &b);
    cc_buf_reset(&b);
    if (var == CC_VAR_INPUT || var == CC_VAR_STRIDE) {
        cc_buf_printf(&b, "%ld = ceil(", q->dim[c->d].output);
        put_q(&b, c, SUB, CC_VAR_INPUT, "I");
        cc_buf_puts(&b, "/");
        put_q(&b, c, SUB, CC_VAR_STRIDE, "S");
        cc_buf_puts(&b, ")");
        if (var == CC_VAR_INPUT)
            cc_buf_printf(&b, ", so %ld < I <= %ld", (q->dim[c->d].output - 1) * q->dim[c->d].stride,
                          q->dim[c->d].output * q->dim[c->d].stride);
        step(s, &b);
    } else if (var == CC_VAR_KERNEL || var == CC_VAR_DILATION) {
        cc_buf_printf(&b, "with 'same' padding the output, ceil(%ld/%ld) = %ld, does not depend "
                          "on %s", q->dim[c->d].input, q->dim[c->d].stride,
                      (q->dim[c->d].input + q->dim[c->d].stride - 1) / q->dim[c->d].stride,
                      var_sym(q, var));
        step(s, &b);
    }
    if (da && da->found && da->count == 1) {
        /* show the padding for the solution */
        cc_shape_dim v = q->dim[c->d];
        long *f = arith_dim_field(&v, var);
        if (f)
            *f = da->lo;
        long pb, pe, o;
        if (cc_same_padding(&pb, &pe, &o, v.input, v.kernel, v.stride, v.dilation, NULL) == 0) {
            cc_buf_reset(&b);
            cc_buf_printf(&b, "O = ceil(%ld/%ld) = %ld; total padding = (%ld - 1)*%ld + %ld*(%ld - 1) "
                              "+ 1 - %ld = %ld; P_b = %ld, P_e = %ld%s",
                          v.input, v.stride, o, o, v.stride, v.dilation, v.kernel, v.input,
                          pb + pe, pb, pe,
                          pb != pe ? " (the extra one at the end, as SAME_UPPER)" : "");
            step(s, &b);
        }
    }
    cc_buf_free(&b);
}

/* Steps for dimension d. */
int arith_dim_steps(cc_shape_answer *a, int d, const char *prefix)
{
    const cc_shape_query *q = &a->query;
    const cc_shape_dim_answer *da = &a->dim[d];
    cc_shape_var var = a->solved == CC_VAR_OUTPUT && q->unknown != CC_VAR_OUTPUT ? CC_VAR_NONE
                                                                                  : a->solved;
    struct steps s = {a, prefix, 0};
    struct ctx c = {q, d, var, 0, da->pad_begin, da->pad_end};
    if (var != CC_VAR_PADDING && q->padding != CC_PADDING_SAME) {
        /* the known padding (the answer's is 0 when nothing was found) */
        const cc_shape_dim *v = &q->dim[d];
        c.pb = v->pad_begin;
        c.pe = v->pad_end;
        if (q->padding == CC_PADDING_VALID)
            c.pb = c.pe = 0;
        else if (q->padding == CC_PADDING_FULL)
            c.pb = c.pe = v->dilation * (v->kernel - 1);
    }
    cc_buf b = {0};
    int same = q->padding == CC_PADDING_SAME && var != CC_VAR_PADDING;

    if (same)
        same_steps(&s, &c, da);
    if (q->padding == CC_PADDING_FULL && var != CC_VAR_PADDING) {
        cc_buf_puts(&b, "full padding: P = D*(F - 1) on each side");
        step(&s, &b);
        cc_buf_reset(&b);
    }
    if (q->padding == CC_PADDING_VALID && var != CC_VAR_PADDING) {
        cc_buf_puts(&b, "valid: no padding, P = 0");
        step(&s, &b);
        cc_buf_reset(&b);
    }
    /* the formula (with 'same' padding the output does not depend on F or D) */
    int independent = same && var != CC_VAR_NONE && var != CC_VAR_OUTPUT;
    if (!independent) {
        cc_buf_puts(&b, "O = ");
        put_rhs(&b, &c, SYM);
        step(&s, &b);
        cc_buf_reset(&b);
    }

    if (var == CC_VAR_NONE || var == CC_VAR_OUTPUT) {
        check_line(&s, c, 0, "");
        cc_buf_free(&b);
        return s.rc;
    }
    if (!independent) {
        /* substituted */
        cc_buf_printf(&b, "%ld = ", q->dim[d].output);
        put_rhs(&b, &c, SUB);
        step(&s, &b);
        cc_buf_reset(&b);
        long O = q->dim[d].output;
        if (q->kind == CC_SHAPE_TCONV) {
            const cc_shape_dim *v = &q->dim[d];
            long op = v->output_padding;
            long B = v->pad_begin + v->pad_end, A = (v->input - 1) * v->stride,
                 C = v->dilation * (v->kernel - 1);
            switch (var) {
            case CC_VAR_INPUT:
            case CC_VAR_STRIDE:
                cc_buf_puts(&b, "(");
                put_q(&b, &c, SUB, CC_VAR_INPUT, "I");
                cc_buf_puts(&b, " - 1)*");
                put_q(&b, &c, SUB, CC_VAR_STRIDE, "S");
                cc_buf_printf(&b, " = %ld - 1", O);
                if (op)
                    cc_buf_printf(&b, " - %ld", op);
                cc_buf_printf(&b, " + %ld - %ld = %ld", B, C, O - 1 - op + B - C);
                break;
            case CC_VAR_KERNEL:
            case CC_VAR_DILATION:
                put_dil_term(&b, &c, SUB);
                cc_buf_printf(&b, " = %ld - 1", O);
                if (op)
                    cc_buf_printf(&b, " - %ld", op);
                cc_buf_printf(&b, " + %ld - %ld = %ld", B, A, O - 1 - op + B - A);
                break;
            default:
                cc_buf_printf(&b, "%s = %ld + %ld + %ld + 1 - %ld = %ld",
                              q->per_side ? "P" : "2*P", A, C, op, O, A + C + op + 1 - O);
                break;
            }
            step(&s, &b);
            cc_buf_reset(&b);
        } else if (!same) {
            int ceil_mode = q->kind == CC_SHAPE_POOL && q->ceil_mode;
            long qt = O - 1;
            if (var == CC_VAR_STRIDE) {
                long n = numer_value(&c, 0);
                cc_buf_printf(&b, "%s(%ld/S) = %ld - 1 = %ld", round_name(&c), n, O, qt);
                if (!ceil_mode) {
                    if (qt == 0)
                        cc_buf_printf(&b, ", so S > %ld", n);
                    else
                        cc_buf_printf(&b, ", so %ld/%ld < S <= %ld/%ld", n, qt + 1, n, qt);
                } else if (qt >= 2) {
                    cc_buf_printf(&b, ", so %ld/%ld <= S < %ld/%ld", n, qt, n, qt - 1);
                }
            } else {
                long S = q->dim[d].stride;
                if (!show_round(&c)) {
                    cc_buf_puts(&b, "");
                    put_numer(&b, &c, SUB);
                    cc_buf_printf(&b, " = (%ld - 1)*1 = %ld", O, qt);
                } else {
                    long lo = ceil_mode ? (qt - 1) * S + 1 : qt * S;
                    long hi = ceil_mode ? qt * S : qt * S + S - 1;
                    cc_buf_printf(&b, "%s((", round_name(&c));
                    put_numer(&b, &c, SUB);
                    cc_buf_printf(&b, ")/%ld) = %ld - 1 = %ld, so %ld <= ", S, O, qt, lo);
                    put_numer(&b, &c, SUB);
                    cc_buf_printf(&b, " <= %ld", hi);
                }
            }
            step(&s, &b);
            cc_buf_reset(&b);
        }
    }
    /* the solutions, from the solver */
    if (da->found) {
        cc_buf_puts(&b, "so ");
        put_solution_set(&b, q, da, var);
        if (var == CC_VAR_PADDING && q->per_side)
            cc_buf_puts(&b, " (total; P_b = floor(P/2), P_e = P - P_b)");
        step(&s, &b);
        cc_buf_reset(&b);
        check_line(&s, c, da->lo, "check: ");
        if (da->count > 1 && !da->unbounded)
            check_line(&s, c, da->hi, "check: ");
    } else {
        cc_buf_printf(&b, "no %s%s gives %ld", q->odd_kernel && var == CC_VAR_KERNEL ? "odd " : "whole ",
                      cc_shape_var_name(var), q->dim[d].output);
        if (var == CC_VAR_PADDING && !q->per_side)
            cc_buf_puts(&b, " with the same padding on both sides");
        step(&s, &b);
        cc_buf_reset(&b);
        for (size_t i = 0; i < da->nnear; i++) {
            const cc_shape_near *n = &da->near[i];
            cc_buf_puts(&b, "nearest: ");
            if (var == CC_VAR_PADDING && n->pad_end != n->value)
                cc_buf_printf(&b, "P_b = %ld, P_e = %ld", n->value, n->pad_end);
            else
                cc_buf_printf(&b, "%s = %ld", var_sym(q, var), n->value);
            cc_buf_printf(&b, " gives %ld", n->output);
            if (n->output == q->dim[d].output && var == CC_VAR_PADDING)
                cc_buf_puts(&b, " (padding per side, the extra one at the end as SAME_UPPER)");
            else if (n->output == q->dim[d].output && var == CC_VAR_KERNEL)
                cc_buf_puts(&b, " (even)");
            step(&s, &b);
            cc_buf_reset(&b);
        }
    }
    cc_buf_free(&b);
    return s.rc;
}
