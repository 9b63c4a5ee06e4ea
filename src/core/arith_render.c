/* arith_render.c - a shape answer as text, Markdown, LaTeX or JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "convcalc/arith.h"
#include "core/arith_priv.h"

/* The most values "values" lists in JSON (see "count"). */
#define LIST_MAX 100

static int is_size(cc_shape_var v)
{
    return v == CC_VAR_INPUT || v == CC_VAR_KERNEL || v == CC_VAR_OUTPUT;
}

/* One value of dimension d as the command line writes it. */
static void put_one(cc_buf *b, const cc_shape_answer *a, long value)
{
    if (a->solved == CC_VAR_PADDING) {
        long pb, pe;
        cc_shape_answer_padding(a, value, &pb, &pe);
        if (pb == pe)
            cc_buf_printf(b, "%ld", pb);
        else
            cc_buf_printf(b, "%ld,%ld", pb, pe);
        return;
    }
    cc_buf_printf(b, "%ld", value);
}

/* The set of solutions of one dimension in words. */
static void put_set(cc_buf *b, const cc_shape_answer *a, const cc_shape_dim_answer *da)
{
    if (da->unbounded) {
        put_one(b, a, da->lo);
        cc_buf_puts(b, da->step == 2 ? " or any larger odd value" : " or more");
    } else if (da->count <= 6) {
        for (long i = 0; i < da->count; i++) {
            if (i)
                cc_buf_puts(b, i + 1 == da->count ? " or " : ", ");
            put_one(b, a, da->lo + i * da->step);
        }
    } else {
        cc_buf_puts(b, "any of ");
        put_one(b, a, da->lo);
        cc_buf_puts(b, " to ");
        put_one(b, a, da->hi);
        cc_buf_printf(b, "%s (%ld values)", da->step == 2 ? ", odd" : "", da->count);
    }
}

static int unique(const cc_shape_answer *a)
{
    for (int d = 0; d < a->ndims; d++)
        if (!a->dim[d].found || a->dim[d].count != 1 || a->dim[d].unbounded)
            return 0;
    return 1;
}

void arith_value_text(const cc_shape_answer *a, cc_buf *out)
{
    const cc_shape_query *q = &a->query;
    if (unique(a)) {
        put_one(out, a, a->dim[0].lo);
        if (a->ndims == 2 || (q->ndims == 2 && is_size(a->solved))) {
            cc_buf_putc(out, 'x');
            put_one(out, a, a->dim[a->ndims == 2 ? 1 : 0].lo);
        }
        return;
    }
    if (a->ndims == 1) {
        put_set(out, a, &a->dim[0]);
        return;
    }
    cc_buf_puts(out, "height ");
    put_set(out, a, &a->dim[0]);
    cc_buf_puts(out, "; width ");
    put_set(out, a, &a->dim[1]);
}

/* The one-line answer: "kernel = 5x5", "no whole ... ", "output = 16 (given 15: wrong)". */
static void put_answer(cc_buf *b, const cc_shape_answer *a)
{
    const char *name = cc_shape_var_name(a->solved);
    if (a->checked) {
        cc_buf_printf(b, "output = ");
        arith_value_text(a, b);
        cc_buf_printf(b, " (given %ld", a->query.dim[0].output);
        if (a->ndims == 2 || (a->query.ndims == 2))
            cc_buf_printf(b, "x%ld", a->query.dim[1].output);
        cc_buf_puts(b, a->matches ? ": right)" : ": wrong)");
        return;
    }
    if (a->found) {
        cc_buf_printf(b, "%s = ", name);
        arith_value_text(a, b);
        return;
    }
    const cc_shape_query *q = &a->query;
    cc_buf_printf(b, "no %s%s works",
                  a->solved == CC_VAR_KERNEL && q->odd_kernel ? "odd "
                  : a->solved == CC_VAR_PADDING && !q->per_side ? "symmetric " : "whole ",
                  name);
    for (int d = 0; d < a->ndims; d++) {
        const cc_shape_dim_answer *da = &a->dim[d];
        if (da->found || !da->nnear)
            continue;
        cc_buf_printf(b, "%snearest%s: ", d == 0 ? "; " : "; ",
                      a->ndims == 2 ? (d == 0 ? " for the height" : " for the width") : "");
        for (size_t i = 0; i < da->nnear; i++) {
            const cc_shape_near *n = &da->near[i];
            if (i)
                cc_buf_puts(b, ", ");
            if (a->solved == CC_VAR_PADDING && n->pad_end != n->value)
                cc_buf_printf(b, "%ld,%ld per side", n->value, n->pad_end);
            else
                cc_buf_printf(b, "%ld", n->value);
            cc_buf_printf(b, " (gives %ld)", n->output);
        }
    }
}

static void put_title(cc_buf *b, const cc_shape_answer *a, int capital)
{
    const char *kind = cc_shape_kind_name(a->query.kind);
    cc_buf_putc(b, capital ? (char)(kind[0] - 'a' + 'A') : kind[0]);
    cc_buf_puts(b, kind + 1);
    if (a->checked)
        cc_buf_puts(b, ": compute and check the output");
    else
        cc_buf_printf(b, ": solve for the %s", cc_shape_var_name(a->solved));
}

static void render_text(const cc_shape_answer *a, cc_buf *b)
{
    put_title(b, a, 0);
    cc_buf_putc(b, '\n');
    for (size_t i = 0; i < a->nsteps; i++)
        cc_buf_printf(b, "  %s\n", a->steps[i]);
    if (a->nconstraints)
        cc_buf_puts(b, "constraints:\n");
    for (size_t i = 0; i < a->nconstraints; i++)
        cc_buf_printf(b, "  - %s\n", a->constraints[i]);
    cc_buf_puts(b, "answer: ");
    put_answer(b, a);
    cc_buf_putc(b, '\n');
}

static void render_markdown(const cc_shape_answer *a, cc_buf *b)
{
    cc_buf_puts(b, "**");
    put_title(b, a, 1);
    cc_buf_puts(b, "**\n\n");
    for (size_t i = 0; i < a->nsteps; i++)
        cc_buf_printf(b, "%zu. `%s`\n", i + 1, a->steps[i]);
    if (a->nconstraints)
        cc_buf_puts(b, "\nConstraints:\n\n");
    for (size_t i = 0; i < a->nconstraints; i++)
        cc_buf_printf(b, "- %s\n", a->constraints[i]);
    cc_buf_puts(b, "\n**Answer:** ");
    put_answer(b, a);
    cc_buf_putc(b, '\n');
}

static void latex_escape(cc_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '\\': cc_buf_puts(b, "\\textbackslash{}"); break;
        case '{': case '}': case '_': case '%': case '#': case '&': case '$':
            cc_buf_putc(b, '\\');
            cc_buf_putc(b, *s);
            break;
        case '^': cc_buf_puts(b, "\\^{}"); break;
        case '~': cc_buf_puts(b, "\\~{}"); break;
        case '<': cc_buf_puts(b, "\\textless{}"); break;
        case '>': cc_buf_puts(b, "\\textgreater{}"); break;
        default: cc_buf_putc(b, *s);
        }
    }
}

static void render_latex(const cc_shape_answer *a, cc_buf *b)
{
    cc_buf t = {0};
    cc_buf_puts(b, "\\paragraph{");
    put_title(&t, a, 1);
    latex_escape(b, cc_buf_str(&t));
    cc_buf_puts(b, "}\n\\begin{enumerate}\n");
    for (size_t i = 0; i < a->nsteps; i++) {
        cc_buf_puts(b, "\\item \\texttt{");
        latex_escape(b, a->steps[i]);
        cc_buf_puts(b, "}\n");
    }
    cc_buf_puts(b, "\\end{enumerate}\n");
    if (a->nconstraints) {
        cc_buf_puts(b, "Constraints:\n\\begin{itemize}\n");
        for (size_t i = 0; i < a->nconstraints; i++) {
            cc_buf_puts(b, "\\item ");
            latex_escape(b, a->constraints[i]);
            cc_buf_putc(b, '\n');
        }
        cc_buf_puts(b, "\\end{itemize}\n");
    }
    cc_buf_puts(b, "\\textbf{Answer:} ");
    cc_buf_reset(&t);
    put_answer(&t, a);
    latex_escape(b, cc_buf_str(&t));
    cc_buf_puts(b, "\n");
    if (cc_buf_failed(&t))
        b->failed = 1;
    cc_buf_free(&t);
}

/* ---- JSON ------------------------------------------------------------------------ */

static cJSON *value_json(const cc_shape_answer *a, long value)
{
    if (a->solved == CC_VAR_PADDING && a->query.per_side) {
        cc_buf t = {0};
        put_one(&t, a, value);
        cJSON *s = cc_buf_failed(&t) ? NULL : cJSON_CreateString(cc_buf_str(&t));
        cc_buf_free(&t);
        return s;
    }
    return cJSON_CreateNumber((double)value);
}

static int add_list(cJSON *obj, const char *key, char **items, size_t n)
{
    cJSON *arr = cJSON_AddArrayToObject(obj, key);
    if (!arr)
        return -1;
    for (size_t i = 0; i < n; i++) {
        cJSON *s = cJSON_CreateString(items[i]);
        if (!s)
            return -1;
        cJSON_AddItemToArray(arr, s);
    }
    return 0;
}

static cJSON *dim_json(const cc_shape_answer *a, const cc_shape_dim_answer *da)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    int bad = 0;
    bad |= !cJSON_AddBoolToObject(o, "found", da->found);
    if (da->found) {
        cJSON *v = value_json(a, da->lo);
        bad |= !v;
        if (v)
            cJSON_AddItemToObject(o, "from", v);
        if (da->unbounded) {
            bad |= !cJSON_AddNullToObject(o, "to");
            bad |= !cJSON_AddNullToObject(o, "count");
        } else {
            v = value_json(a, da->hi);
            bad |= !v;
            if (v)
                cJSON_AddItemToObject(o, "to", v);
            bad |= !cJSON_AddNumberToObject(o, "count", (double)da->count);
        }
        bad |= !cJSON_AddNumberToObject(o, "step", (double)da->step);
        bad |= !cJSON_AddBoolToObject(o, "unbounded", da->unbounded);
    }
    bad |= !cJSON_AddNumberToObject(o, "output", (double)(a->checked ? da->lo : da->output));
    cJSON *pad = NULL;
    if (da->found || a->solved != CC_VAR_PADDING)
        bad |= !(pad = cJSON_AddArrayToObject(o, "padding"));
    if (pad) {
        cJSON_AddItemToArray(pad, cJSON_CreateNumber((double)da->pad_begin));
        cJSON_AddItemToArray(pad, cJSON_CreateNumber((double)da->pad_end));
    }
    if (!da->found || (a->checked && da->nnear)) {
        cJSON *near = cJSON_AddArrayToObject(o, a->checked ? "given" : "nearest");
        bad |= !near;
        for (size_t i = 0; near && i < da->nnear; i++) {
            const cc_shape_near *n = &da->near[i];
            if (a->checked) {
                cJSON_AddItemToArray(near, cJSON_CreateNumber((double)n->value));
                continue;
            }
            cJSON *e = cJSON_CreateObject();
            if (!e) {
                bad = 1;
                break;
            }
            if (a->solved == CC_VAR_PADDING && n->pad_end != n->value) {
                char tmp[64];
                snprintf(tmp, sizeof tmp, "%ld,%ld", n->value, n->pad_end);
                cJSON_AddStringToObject(e, "value", tmp);
            } else {
                cJSON_AddNumberToObject(e, "value", (double)n->value);
            }
            cJSON_AddNumberToObject(e, "output", (double)n->output);
            cJSON_AddItemToArray(near, e);
        }
    }
    if (bad) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static int render_json(const cc_shape_answer *a, cc_buf *b)
{
    const cc_shape_query *q = &a->query;
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return CC_ENOMEM;
    int bad = 0;
    static const char *kinds[] = {"convolution", "pooling", "transposed"};
    bad |= !cJSON_AddStringToObject(root, "kind", kinds[q->kind]);
    bad |= !cJSON_AddStringToObject(root, "solved", cc_shape_var_name(a->solved));
    bad |= !cJSON_AddBoolToObject(root, "found", a->found);
    bad |= !cJSON_AddNumberToObject(root, "dims", q->ndims);
    bad |= !cJSON_AddBoolToObject(root, "square", a->square);
    if (a->found) {
        cc_buf t = {0};
        if (unique(a)) {
            int plain = a->ndims == 1 && !(q->ndims == 2 && is_size(a->solved)) &&
                        !(a->solved == CC_VAR_PADDING && a->dim[0].pad_begin != a->dim[0].pad_end);
            if (plain) {
                bad |= !cJSON_AddNumberToObject(root, "value", (double)a->dim[0].lo);
            } else {
                arith_value_text(a, &t);
                bad |= cc_buf_failed(&t) || !cJSON_AddStringToObject(root, "value", cc_buf_str(&t));
            }
        } else {
            cJSON *vals = cJSON_AddArrayToObject(root, "values");
            bad |= !vals;
            long total = 1;
            int unb = 0;
            for (int d = 0; d < a->ndims; d++) {
                unb |= a->dim[d].unbounded;
                long c = a->dim[d].count;
                total = total > LIST_MAX || c > LIST_MAX ? LIST_MAX + 1 : total * c;
            }
            if (a->ndims == 1) {
                for (long i = 0; vals && i < a->dim[0].count && i < LIST_MAX; i++)
                    cJSON_AddItemToArray(vals, value_json(a, a->dim[0].lo + i * a->dim[0].step));
            } else {
                long listed = 0;
                for (long i = 0; vals && i < a->dim[0].count && listed < LIST_MAX; i++)
                    for (long j = 0; j < a->dim[1].count && listed < LIST_MAX; j++, listed++) {
                        cc_buf_reset(&t);
                        put_one(&t, a, a->dim[0].lo + i * a->dim[0].step);
                        cc_buf_putc(&t, 'x');
                        put_one(&t, a, a->dim[1].lo + j * a->dim[1].step);
                        cJSON_AddItemToArray(vals, cJSON_CreateString(cc_buf_str(&t)));
                    }
            }
            if (unb)
                bad |= !cJSON_AddNullToObject(root, "count");
            else if (a->ndims == 1)
                bad |= !cJSON_AddNumberToObject(root, "count", (double)a->dim[0].count);
            else if (a->dim[0].count <= CC_DIM_MAX / (a->dim[1].count ? a->dim[1].count : 1))
                bad |= !cJSON_AddNumberToObject(root, "count",
                                                (double)(a->dim[0].count * a->dim[1].count));
            else
                bad |= !cJSON_AddNullToObject(root, "count");
            bad |= !cJSON_AddBoolToObject(root, "unbounded", unb);
        }
        cc_buf_free(&t);
    }
    if (!a->found)
        bad |= !cJSON_AddNullToObject(root, "value");
    if (a->checked)
        bad |= !cJSON_AddBoolToObject(root, "correct", a->matches);
    cJSON *dims = cJSON_AddArrayToObject(root, "per_dim");
    bad |= !dims;
    for (int d = 0; dims && d < a->ndims; d++) {
        cJSON *o = dim_json(a, &a->dim[d]);
        bad |= !o;
        if (o)
            cJSON_AddItemToArray(dims, o);
    }
    bad |= add_list(root, "constraints", a->constraints, a->nconstraints) != 0;
    bad |= add_list(root, "steps", a->steps, a->nsteps) != 0;
    cc_buf t = {0};
    put_answer(&t, a);
    bad |= cc_buf_failed(&t) || !cJSON_AddStringToObject(root, "answer", cc_buf_str(&t));
    cc_buf_free(&t);
    char *s = bad ? NULL : cJSON_Print(root);
    cJSON_Delete(root);
    if (!s)
        return CC_ENOMEM;
    cc_buf_puts(b, s);
    cc_buf_putc(b, '\n');
    free(s);
    return 0;
}

int cc_shape_render(const cc_shape_answer *a, cc_format fmt, cc_buf *out, cc_error *err)
{
    int rc = 0;
    switch (fmt) {
    case CC_FORMAT_TEXT: render_text(a, out); break;
    case CC_FORMAT_MARKDOWN: render_markdown(a, out); break;
    case CC_FORMAT_LATEX: render_latex(a, out); break;
    case CC_FORMAT_JSON: rc = render_json(a, out); break;
    default:
        return cc_error_set(err, CC_EINVAL, "a shape answer is rendered as text, markdown, "
                                            "latex or json");
    }
    if (rc || cc_buf_failed(out))
        return cc_error_set(err, CC_ENOMEM, "out of memory while rendering the answer");
    return 0;
}
