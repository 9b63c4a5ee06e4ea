/* onnx_fold.c - constant folding at load time: Constant, and the chains of
 * Shape, Gather, Unsqueeze, Squeeze, Concat, Slice, Cast, Reshape and
 * arithmetic that exporters emit to compute a Reshape's target shape. A
 * batch size that is symbolic in the model folds to OX_BATCH. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/onnx_priv.h"

static int const_new(ox_const *c, int ndim, const long *dims, cc_error *err)
{
    memset(c, 0, sizeof *c);
    size_t n = 1;
    if (ndim < 0 || ndim > CC_ONNX_MAX_DIMS)
        return cc_error_set(err, CC_EINVAL, "a constant of rank %d", ndim);
    for (int k = 0; k < ndim; k++) {
        if (dims[k] < 0 || cc_size_mul(n, (size_t)dims[k], &n) || n > ((size_t)1 << 28))
            return cc_error_set(err, CC_ERANGE, "a folded constant is too large");
        c->dims[k] = dims[k];
    }
    c->ndim = ndim;
    c->n = n;
    c->f = calloc(n ? n : 1, sizeof(float));
    c->i = calloc(n ? n : 1, sizeof(int64_t));
    if (!c->f || !c->i) {
        ox_const_free(c);
        return cc_error_set(err, CC_ENOMEM, "out of memory for a constant");
    }
    return 0;
}

static void set_i(ox_const *c, size_t k, int64_t v)
{
    c->i[k] = v;
    c->f[k] = (float)v;
}

static int64_t get_i(const ox_const *c, size_t k)
{
    return c->i ? c->i[k] : ox_f2i(c->f[k]);
}

/* Axes list of a node: attribute before opset 13 (or 18 for some), input
 * 1 after; normalised against rank r. */
static int axes_of(ox_graph *g, const Onnx__NodeProto *n, int from_input, int r, long *ax,
                   size_t *nax, cc_error *err)
{
    *nax = 0;
    if (from_input) {
        if (n->n_input < 2 || !n->input[1][0])
            return 0;
        ox_value *v = ox_find(g, n->input[1]);
        if (!v || v->kind != OXV_CONST || v->c.n > CC_ONNX_MAX_DIMS)
            return ox_err(g, err, CC_EINVAL, "the axes are not a small constant");
        for (size_t k = 0; k < v->c.n; k++)
            ax[k] = (long)get_i(&v->c, k);
        *nax = v->c.n;
    } else {
        size_t m = ox_attr_ints(n, "axes", ax, CC_ONNX_MAX_DIMS);
        if (m > CC_ONNX_MAX_DIMS)
            return ox_err(g, err, CC_EINVAL, "too many axes");
        *nax = m;
    }
    for (size_t k = 0; k < *nax; k++) {
        if (ax[k] < 0)
            ax[k] += r;
        if (ax[k] < 0 || ax[k] >= r)
            return ox_err(g, err, CC_EINVAL, "axis out of range for rank %d", r);
    }
    return 0;
}

static int fold_constant(ox_graph *g, const Onnx__NodeProto *n, ox_const *o, cc_error *err)
{
    const Onnx__AttributeProto *a;
    if ((a = ox_attr(n, "value")) && a->t)
        return ox_tensor(o, a->t, err);
    long one = 1;
    if ((a = ox_attr(n, "value_float")) && a->has_f) {
        int rc = const_new(o, 0, &one, err);
        if (!rc)
            o->f[0] = a->f, o->i[0] = ox_f2i(a->f);
        return rc;
    }
    if ((a = ox_attr(n, "value_int")) && a->has_i) {
        int rc = const_new(o, 0, &one, err);
        if (!rc)
            set_i(o, 0, a->i);
        return rc;
    }
    if ((a = ox_attr(n, "value_floats"))) {
        long d = (long)a->n_floats;
        int rc = const_new(o, 1, &d, err);
        for (size_t k = 0; !rc && k < a->n_floats; k++)
            o->f[k] = a->floats[k], o->i[k] = ox_f2i(a->floats[k]);
        return rc;
    }
    if ((a = ox_attr(n, "value_ints"))) {
        long d = (long)a->n_ints;
        int rc = const_new(o, 1, &d, err);
        for (size_t k = 0; !rc && k < a->n_ints; k++)
            set_i(o, k, a->ints[k]);
        return rc;
    }
    return ox_err(g, err, CC_EINVAL, "a Constant without a supported value attribute");
}

static int fold_arith(ox_graph *g, const char *op, const ox_const *a, const ox_const *b,
                      ox_const *o, cc_error *err)
{
    const ox_const *big = a->n >= b->n ? a : b;
    if (a->n != b->n && a->n != 1 && b->n != 1)
        return ox_err(g, err, CC_EINVAL, "constant operands of different sizes");
    int rc = const_new(o, big->ndim, big->dims, err);
    if (rc)
        return rc;
    int ints = a->i && b->i;
    for (size_t k = 0; k < o->n; k++) {
        size_t ia = a->n == 1 ? 0 : k, ib = b->n == 1 ? 0 : k;
        if (ints) {
            int64_t x = a->i[ia], y = b->i[ib], r;
            if (!strcmp(op, "Add")) r = x + y;
            else if (!strcmp(op, "Sub")) r = x - y;
            else if (!strcmp(op, "Mul")) r = x * y;
            else r = y ? x / y : 0;
            set_i(o, k, r);
        } else {
            double x = a->f[ia], y = b->f[ib], r;
            if (!strcmp(op, "Add")) r = x + y;
            else if (!strcmp(op, "Sub")) r = x - y;
            else if (!strcmp(op, "Mul")) r = x * y;
            else r = x / y;
            o->f[k] = (float)r;
            o->i[k] = (int64_t)r;
        }
    }
    if (!ints) {
        free(o->i);
        o->i = NULL;
    }
    return 0;
}

int ox_fold_node(ox_graph *g, const Onnx__NodeProto *n, cc_error *err)
{
    static const char *const foldable[] = {"Constant", "Identity", "Cast",    "Shape",
                                           "Gather",   "Unsqueeze", "Squeeze", "Concat",
                                           "Add",      "Sub",      "Mul",     "Div",
                                           "Reshape",  "Slice",    NULL};
    const char *op = n->op_type;
    int known = 0;
    for (int k = 0; foldable[k]; k++)
        known |= !strcmp(op, foldable[k]);
    if (!known)
        return 1;
    ox_value *in[8] = {0};
    for (size_t k = 0; k < n->n_input && k < 8; k++) {
        if (!n->input[k][0])
            continue;
        in[k] = ox_find(g, n->input[k]);
        if (!in[k])
            return 1; /* ox_convert_node names the missing input */
        if (in[k]->kind != OXV_CONST && !(k == 0 && !strcmp(op, "Shape")))
            return 1;
    }
    ox_const o;
    memset(&o, 0, sizeof o);
    int rc = 0;
    if (!strcmp(op, "Constant")) {
        rc = fold_constant(g, n, &o, err);
    } else if (!in[0]) {
        return ox_err(g, err, CC_EINVAL, "input 1 is missing");
    } else if (!strcmp(op, "Shape")) {
        long r = in[0]->rank, start = ox_attr_i(n, "start", 0), end = ox_attr_i(n, "end", r);
        if (start < 0)
            start += r;
        if (end < 0)
            end += r;
        start = start < 0 ? 0 : start > r ? r : start;
        end = end < start ? start : end > r ? r : end;
        long d = end - start;
        rc = const_new(&o, 1, &d, err);
        for (long k = 0; !rc && k < d; k++) {
            long v = in[0]->dims[start + k];
            set_i(&o, (size_t)k, start + k == 0 && in[0]->kind == OXV_LAYER && v == 0 ? OX_BATCH
                                                                                 : v);
        }
    } else if (!strcmp(op, "Identity") || !strcmp(op, "Cast")) {
        const ox_const *c = &in[0]->c;
        rc = const_new(&o, c->ndim, c->dims, err);
        for (size_t k = 0; !rc && k < c->n; k++) {
            o.f[k] = c->f[k];
            o.i[k] = get_i(c, k);
        }
    } else if (!strcmp(op, "Gather")) {
        const ox_const *d = &in[0]->c, *ix = in[1] ? &in[1]->c : NULL;
        long axis = ox_attr_i(n, "axis", 0);
        if (!ix || d->ndim < 1 || (axis != 0 && axis != -d->ndim))
            return ox_err(g, err, CC_EINVAL, "only Gather along axis 0 of a constant folds");
        long dims[CC_ONNX_MAX_DIMS];
        int nd = ix->ndim + d->ndim - 1;
        if (nd > CC_ONNX_MAX_DIMS)
            return ox_err(g, err, CC_EINVAL, "the gathered constant has too many dimensions");
        memcpy(dims, ix->dims, (size_t)ix->ndim * sizeof(long));
        memcpy(dims + ix->ndim, d->dims + 1, (size_t)(d->ndim - 1) * sizeof(long));
        rc = const_new(&o, nd, dims, err);
        size_t block = d->dims[0] ? d->n / (size_t)d->dims[0] : 0;
        for (size_t k = 0; !rc && k < ix->n; k++) {
            int64_t j = get_i(ix, k);
            if (j < 0)
                j += d->dims[0];
            if (j < 0 || j >= d->dims[0]) {
                ox_const_free(&o);
                return ox_err(g, err, CC_EINVAL, "Gather index %lld out of range",
                              (long long)get_i(ix, k));
            }
            for (size_t e = 0; e < block; e++) {
                o.f[k * block + e] = d->f[(size_t)j * block + e];
                o.i[k * block + e] = get_i(d, (size_t)j * block + e);
            }
        }
    } else if (!strcmp(op, "Unsqueeze") || !strcmp(op, "Squeeze")) {
        const ox_const *c = &in[0]->c;
        int uns = op[0] == 'U';
        long ax[CC_ONNX_MAX_DIMS];
        size_t nax;
        long tmp[CC_ONNX_MAX_DIMS];
        size_t cnt = g->opset >= 13 ? (in[1] ? in[1]->c.n : 0)
                                    : ox_attr_ints(n, "axes", tmp, CC_ONNX_MAX_DIMS);
        int r = c->ndim + (uns ? (int)(cnt > CC_ONNX_MAX_DIMS ? CC_ONNX_MAX_DIMS : cnt) : 0);
        rc = axes_of(g, n, g->opset >= 13, r, ax, &nax, err);
        if (rc)
            return rc;
        long dims[CC_ONNX_MAX_DIMS];
        int nd = 0;
        if (uns) {
            int total = c->ndim + (int)nax, src = 0;
            if (total > CC_ONNX_MAX_DIMS)
                return ox_err(g, err, CC_EINVAL, "too many dimensions");
            for (int k = 0; k < total; k++) {
                int is_new = 0;
                for (size_t j = 0; j < nax; j++)
                    is_new |= ax[j] == k;
                dims[nd++] = is_new ? 1 : c->dims[src++];
            }
        } else {
            for (int k = 0; k < c->ndim; k++) {
                int drop = nax == 0 ? c->dims[k] == 1 : 0;
                for (size_t j = 0; j < nax; j++)
                    drop |= ax[j] == k;
                if (!drop)
                    dims[nd++] = c->dims[k];
            }
        }
        rc = const_new(&o, nd, dims, err);
        for (size_t k = 0; !rc && k < c->n; k++) {
            o.f[k] = c->f[k];
            o.i[k] = get_i(c, k);
        }
    } else if (!strcmp(op, "Concat")) {
        long total = 0;
        for (size_t k = 0; k < n->n_input; k++) {
            if (!in[k] || k >= 8 || in[k]->c.ndim != 1)
                return ox_err(g, err, CC_EINVAL, "only 1-D constants concatenate at load time");
            total += (long)in[k]->c.n;
        }
        rc = const_new(&o, 1, &total, err);
        size_t at = 0;
        for (size_t k = 0; !rc && k < n->n_input; k++)
            for (size_t e = 0; e < in[k]->c.n; e++, at++) {
                o.f[at] = in[k]->c.f[e];
                o.i[at] = get_i(&in[k]->c, e);
            }
    } else if (!strcmp(op, "Add") || !strcmp(op, "Sub") || !strcmp(op, "Mul") ||
               !strcmp(op, "Div")) {
        if (!in[1])
            return ox_err(g, err, CC_EINVAL, "input 2 is missing");
        rc = fold_arith(g, op, &in[0]->c, &in[1]->c, &o, err);
    } else if (!strcmp(op, "Slice")) {
        const ox_const *c = &in[0]->c;
        long st = 0, en = 0;
        if (c->ndim != 1)
            return ox_err(g, err, CC_EINVAL, "only 1-D constants slice at load time");
        if (g->opset < 10) {
            long v[CC_ONNX_MAX_DIMS];
            if (ox_attr_ints(n, "starts", v, 1) != 1)
                return ox_err(g, err, CC_EINVAL, "Slice needs one start");
            st = v[0];
            ox_attr_ints(n, "ends", v, 1);
            en = v[0];
        } else {
            if (!in[1] || !in[2] || in[1]->c.n != 1 || in[2]->c.n != 1 ||
                (in[4] && get_i(&in[4]->c, 0) != 1))
                return ox_err(g, err, CC_EINVAL, "only a single step-1 slice folds");
            st = (long)get_i(&in[1]->c, 0);
            int64_t e = get_i(&in[2]->c, 0);
            en = e > (int64_t)c->n ? (long)c->n : (long)e;
        }
        long len = (long)c->n;
        if (st < 0)
            st += len;
        if (en < 0)
            en += len;
        st = st < 0 ? 0 : st > len ? len : st;
        en = en < st ? st : en > len ? len : en;
        long d = en - st;
        rc = const_new(&o, 1, &d, err);
        for (long k = 0; !rc && k < d; k++) {
            o.f[k] = c->f[st + k];
            o.i[k] = get_i(c, (size_t)(st + k));
        }
    } else { /* Reshape of a constant */
        const ox_const *c = &in[0]->c, *s = in[1] ? &in[1]->c : NULL;
        if (!s || s->ndim != 1 || s->n > CC_ONNX_MAX_DIMS)
            return ox_err(g, err, CC_EINVAL, "Reshape needs a 1-D shape");
        long dims[CC_ONNX_MAX_DIMS];
        size_t known = 1;
        int infer = -1;
        for (size_t k = 0; k < s->n; k++) {
            int64_t v = get_i(s, k);
            if (v == 0 && (int)k < c->ndim)
                v = c->dims[k];
            if (v == -1 && infer < 0) {
                infer = (int)k;
                dims[k] = 1;
                continue;
            }
            if (v < 0 || v > CC_DIM_MAX)
                return ox_err(g, err, CC_EINVAL, "bad Reshape target");
            dims[k] = (long)v;
            known *= (size_t)v;
        }
        if (infer >= 0)
            dims[infer] = known ? (long)(c->n / known) : 0;
        rc = const_new(&o, (int)s->n, dims, err);
        if (!rc && o.n != c->n) {
            ox_const_free(&o);
            return ox_err(g, err, CC_ESHAPE, "Reshape of %zu values into %zu", c->n, o.n);
        }
        for (size_t k = 0; !rc && k < c->n; k++) {
            o.f[k] = c->f[k];
            o.i[k] = get_i(c, k);
        }
    }
    if (rc)
        return rc;
    return ox_def_const(g, 0, &o, err);
}
