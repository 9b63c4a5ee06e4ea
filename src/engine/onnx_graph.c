/* onnx_graph.c - an ONNX model into the engine: check and unpack the
 * protobuf, check the opset, bind the graph input, walk the nodes in order
 * (constants folded, operators turned into layers by onnx_ops.c), build
 * the network and copy the weights in. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/io.h"
#include "engine/onnx_priv.h"

int ox_err(ox_graph *g, cc_error *err, int code, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const Onnx__NodeProto *n = g->node;
    if (!n)
        return cc_error_set(err, code, "%s", msg);
    return cc_error_set(err, code, "node %zu (%.60s '%.100s', opset %d): %s",
                        g->node_index + 1, n->op_type ? n->op_type : "?",
                        n->name ? n->name : "", g->opset, msg);
}

ox_value *ox_find(ox_graph *g, const char *name)
{
    for (size_t k = g->nv; k-- > 0;)
        if (!strcmp(g->v[k].name, name))
            return &g->v[k];
    return NULL;
}

static ox_value *new_value(ox_graph *g, const char *name, cc_error *err)
{
    if (g->nv == g->capv) {
        size_t cap = g->capv ? 2 * g->capv : 64;
        ox_value *v = realloc(g->v, cap * sizeof *v);
        if (!v) {
            cc_error_set(err, CC_ENOMEM, "out of memory for the graph");
            return NULL;
        }
        g->v = v;
        g->capv = cap;
    }
    ox_value *v = &g->v[g->nv];
    memset(v, 0, sizeof *v);
    v->name = strdup(name ? name : "");
    if (!v->name) {
        cc_error_set(err, CC_ENOMEM, "out of memory for the graph");
        return NULL;
    }
    g->nv++;
    return v;
}

/* Room for n more values, so that the ox_value pointers an operator holds
 * (ox_input, its constants) stay valid while it defines its outputs. */
static int reserve_values(ox_graph *g, size_t n, cc_error *err)
{
    size_t most = ((size_t)-1 / sizeof *g->v) / 4;
    if (n > most || g->nv > most)
        return cc_error_set(err, CC_ERANGE, "too many values in the graph");
    if (g->nv + n <= g->capv)
        return 0;
    size_t cap = g->capv ? g->capv : 64;
    while (cap < g->nv + n)
        cap *= 2;
    ox_value *v = realloc(g->v, cap * sizeof *v);
    if (!v)
        return cc_error_set(err, CC_ENOMEM, "out of memory for the graph");
    g->v = v;
    g->capv = cap;
    return 0;
}

int ox_input(ox_graph *g, int k, ox_value **out, cc_error *err)
{
    const Onnx__NodeProto *n = g->node;
    *out = NULL;
    if ((size_t)k >= n->n_input || !n->input[k][0]) {
        char m[400];
        snprintf(m, sizeof m, "input %d is missing", k + 1);
        return ox_err(g, err, CC_EINVAL, "%s", m);
    }
    ox_value *v = ox_find(g, n->input[k]);
    if (!v) {
        char m[400];
        snprintf(m, sizeof m, "input '%.200s' is not defined by an earlier node", n->input[k]);
        return ox_err(g, err, CC_EINVAL, "%s", m);
    }
    *out = v;
    return 0;
}

int ox_def_layer(ox_graph *g, int k, long layer, int rank, const long *dims, cc_error *err)
{
    if ((size_t)k >= g->node->n_output)
        return 0;
    ox_value *v = new_value(g, g->node->output[k], err);
    if (!v)
        return CC_ENOMEM;
    v->kind = OXV_LAYER;
    v->layer = layer;
    v->rank = rank;
    memcpy(v->dims, dims, (size_t)rank * sizeof(long));
    return 0;
}

int ox_def_const(ox_graph *g, int k, ox_const *c, cc_error *err)
{
    if ((size_t)k >= g->node->n_output) {
        ox_const_free(c);
        return 0;
    }
    ox_value *v = new_value(g, g->node->output[k], err);
    if (!v) {
        ox_const_free(c);
        return CC_ENOMEM;
    }
    v->kind = OXV_CONST;
    v->c = *c;
    v->rank = c->ndim;
    memcpy(v->dims, c->dims, sizeof v->dims);
    memset(c, 0, sizeof *c);
    return 0;
}

long ox_add_layer(ox_graph *g, const cc_layer_desc *d, cc_error *err)
{
    if (g->nl == g->capl) {
        size_t cap = g->capl ? 2 * g->capl : 32;
        cc_layer_desc *L = realloc(g->L, cap * sizeof *L);
        if (!L)
            return cc_error_set(err, CC_ENOMEM, "out of memory for the network");
        g->L = L;
        g->capl = cap;
    }
    g->L[g->nl] = *d;
    if (!g->L[g->nl].name[0])
        snprintf(g->L[g->nl].name, sizeof g->L[g->nl].name, "%zu", g->nl);
    return (long)g->nl++;
}

int ox_add_weight(ox_graph *g, size_t layer, const char *what, float *data, size_t n,
                  cc_error *err)
{
    if (g->nw == g->capw) {
        size_t cap = g->capw ? 2 * g->capw : 32;
        ox_weight *w = realloc(g->w, cap * sizeof *w);
        if (!w) {
            free(data);
            return cc_error_set(err, CC_ENOMEM, "out of memory for the weights");
        }
        g->w = w;
        g->capw = cap;
    }
    g->w[g->nw++] = (ox_weight){.layer = layer, .what = what, .data = data, .n = n};
    return 0;
}

int ox_sample_shape(ox_graph *g, int rank, const long *dims, long *c, long *h, long *w,
                    cc_error *err)
{
    if (rank < 1 || rank > 4) {
        char m[400];
        snprintf(m, sizeof m,
                 "a tensor of rank %d (the engine runs ranks 1 to 4: (N, F), (N, C, L), "
                 "(N, C, H, W))", rank);
        return ox_err(g, err, CC_EINVAL, "%s", m);
    }
    for (int k = 1; k < rank; k++)
        if (dims[k] < 1 || dims[k] > CC_DIM_MAX) {
            char m[400];
            snprintf(m, sizeof m, "dimension %d is %ld (expected a fixed size 1 to %ld)", k,
                     dims[k], (long)CC_DIM_MAX);
            return ox_err(g, err, dims[k] < 1 ? CC_EINVAL : CC_ERANGE, "%s", m);
        }
    *c = rank >= 2 ? dims[1] : 1;
    *h = rank >= 3 ? dims[2] : 0;
    *w = rank == 4 ? dims[3] : rank == 3 ? 1 : 0;
    return 0;
}

long ox_layer_of(ox_graph *g, ox_value *v, int rank, const long *dims, cc_error *err)
{
    if (v->kind == OXV_LAYER)
        return v->layer;
    /* a constant, broadcast (numpy rules, right-aligned) over one sample */
    const ox_const *c = &v->c;
    if (c->ndim > rank || (c->ndim == rank && rank > 0 && c->dims[0] != 1)) {
        char m[400];
        snprintf(m, sizeof m,
                 "constant '%.100s' varies over the batch (rank %d against rank %d); only "
                 "constants that broadcast over the batch are supported", v->name, c->ndim,
                 rank);
        return ox_err(g, err, CC_EINVAL, "%s", m);
    }
    long ch, hh, ww;
    int rc = ox_sample_shape(g, rank, dims, &ch, &hh, &ww, err);
    if (rc)
        return rc;
    size_t n = 1;
    for (int k = 1; k < rank; k++)
        n *= (size_t)dims[k]; /* each <= CC_DIM_MAX; checked below */
    if (n > ((size_t)1 << 28))
        return ox_err(g, err, CC_ERANGE, "%s", "a broadcast constant is too large");
    for (int k = 0; k < c->ndim; k++) {
        long cd = c->dims[c->ndim - 1 - k], td = dims[rank - 1 - k];
        if (cd != 1 && cd != td) {
            char m[400];
            snprintf(m, sizeof m, "constant '%.100s' does not broadcast to the tensor's shape",
                     v->name);
            return ox_err(g, err, CC_ESHAPE, "%s", m);
        }
    }
    float *data = malloc(n * sizeof(float));
    if (!data)
        return cc_error_set(err, CC_ENOMEM, "out of memory for a constant");
    for (size_t e = 0; e < n; e++) {
        /* coordinates of e in dims[1..rank), mapped into c */
        size_t rem = e, ci = 0, cstride = 1;
        for (int k = rank - 1, j = c->ndim - 1; k >= 1; k--, j--) {
            size_t coord = rem % (size_t)dims[k];
            rem /= (size_t)dims[k];
            if (j >= 0) {
                if (c->dims[j] != 1)
                    ci += coord * cstride;
                cstride *= (size_t)c->dims[j];
            }
        }
        data[e] = c->n ? c->f[ci] : 0.0f;
    }
    cc_layer_desc d = {.op = CC_OP_CONST, .out = ch, .kh = hh, .kw = ww};
    long li = ox_add_layer(g, &d, err);
    if (li < 0) {
        free(data);
        return li;
    }
    rc = ox_add_weight(g, (size_t)li, "value", data, n, err);
    return rc ? rc : li;
}

static void graph_free(ox_graph *g)
{
    for (size_t k = 0; k < g->nv; k++) {
        free(g->v[k].name);
        ox_const_free(&g->v[k].c);
    }
    for (size_t k = 0; k < g->nw; k++)
        free(g->w[k].data);
    free(g->v);
    free(g->L);
    free(g->w);
}

static int is_initializer(const Onnx__GraphProto *gr, const char *name)
{
    for (size_t k = 0; k < gr->n_initializer; k++)
        if (gr->initializer[k]->name && !strcmp(gr->initializer[k]->name, name))
            return 1;
    return 0;
}

/* Rank and dims of a graph input or output; symbolic dims are 0. */
static int value_info_shape(const Onnx__ValueInfoProto *vi, int *rank, long *dims,
                            cc_error *err)
{
    const Onnx__TypeProto *t = vi->type;
    if (!t || t->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !t->tensor_type ||
        !t->tensor_type->shape)
        return cc_error_set(err, CC_EINVAL, "graph value '%s' has no tensor shape",
                            vi->name ? vi->name : "");
    const Onnx__TensorShapeProto *s = t->tensor_type->shape;
    if (s->n_dim > CC_ONNX_MAX_DIMS)
        return cc_error_set(err, CC_EINVAL, "graph value '%s' has %zu dimensions",
                            vi->name ? vi->name : "", s->n_dim);
    *rank = (int)s->n_dim;
    for (size_t k = 0; k < s->n_dim; k++) {
        const Onnx__TensorShapeProto__Dimension *d = s->dim[k];
        long v = 0;
        if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
            if (d->dim_value < 0 || d->dim_value > CC_DIM_MAX)
                return cc_error_set(err, CC_ERANGE,
                                    "graph value '%s': dimension %zu is %lld (expected 0 to "
                                    "%ld)", vi->name ? vi->name : "", k,
                                    (long long)d->dim_value, (long)CC_DIM_MAX);
            v = (long)d->dim_value;
        }
        dims[k] = v;
    }
    return 0;
}

static int convert_graph(ox_graph *g, const Onnx__ModelProto *m, const cc_onnx_bind *binds,
                         size_t nbinds, cc_onnx_info *info, cc_error *err)
{
    const Onnx__GraphProto *gr = m->graph;
    int rc;
    for (size_t k = 0; k < gr->n_initializer; k++) {
        ox_value *v = new_value(g, gr->initializer[k]->name, err);
        if (!v)
            return CC_ENOMEM;
        if ((rc = ox_tensor(&v->c, gr->initializer[k], err)))
            return rc;
        v->kind = OXV_CONST;
        v->rank = v->c.ndim;
        memcpy(v->dims, v->c.dims, sizeof v->dims);
        info->initializer_values += (int64_t)v->c.n;
    }
    info->initializers = gr->n_initializer;
    size_t nin = 0;
    for (size_t k = 0; k < gr->n_input; k++) {
        const Onnx__ValueInfoProto *vi = gr->input[k];
        if (!vi->name || is_initializer(gr, vi->name))
            continue;
        ox_value *v = new_value(g, vi->name, err);
        if (!v)
            return CC_ENOMEM;
        if (nin == 0) {
            if ((rc = value_info_shape(vi, &v->rank, v->dims, err)))
                return rc;
            v->kind = OXV_LAYER;
            v->layer = -1;
            g->batch = v->rank ? v->dims[0] : 0;
            snprintf(info->input_name, sizeof info->input_name, "%s", vi->name);
            info->in_rank = v->rank;
            memcpy(info->in_dims, v->dims, sizeof info->in_dims);
        } else if (nin - 1 < nbinds) {
            const cc_onnx_bind *b = &binds[nin - 1];
            size_t n = 1;
            if (b->ndim < 0 || b->ndim > CC_ONNX_MAX_DIMS)
                return cc_error_set(err, CC_EINVAL, "bound tensor %zu has rank %d", nin,
                                    b->ndim);
            for (int d = 0; d < b->ndim; d++)
                if (b->dims[d] < 0 || b->dims[d] > CC_DIM_MAX ||
                    cc_size_mul(n, (size_t)b->dims[d], &n) || n > ((size_t)1 << 31))
                    return cc_error_set(err, CC_ERANGE, "bound tensor %zu is too large", nin);
            v->kind = OXV_CONST;
            v->c.ndim = b->ndim;
            memcpy(v->c.dims, b->dims, sizeof v->c.dims);
            v->c.n = n;
            v->c.f = malloc((n ? n : 1) * sizeof(float));
            v->c.i = malloc((n ? n : 1) * sizeof(int64_t));
            if (!v->c.f || !v->c.i)
                return cc_error_set(err, CC_ENOMEM, "out of memory");
            for (size_t e = 0; e < n; e++) {
                v->c.f[e] = b->data[e];
                v->c.i[e] = (int64_t)b->data[e];
            }
            v->rank = b->ndim;
            memcpy(v->dims, b->dims, sizeof v->dims);
        } else {
            return cc_error_set(err, CC_EINVAL,
                                "the graph has a second input '%s' (the engine runs models "
                                "with one input)", vi->name);
        }
        nin++;
    }
    if (nin == 0)
        return cc_error_set(err, CC_EINVAL, "the graph has no input");
    for (size_t k = 0; k < gr->n_node; k++) {
        const Onnx__NodeProto *n = gr->node[k];
        g->node = n;
        g->node_index = k;
        if (!n->op_type)
            return ox_err(g, err, CC_EINVAL, "%s", "the node has no operator");
        if (n->domain && n->domain[0] && strcmp(n->domain, "ai.onnx"))
            return ox_err(g, err, CC_EINVAL, "%s", "operators of other domains are not supported");
        /* every output is defined once, by folding or by converting */
        if ((rc = reserve_values(g, 2 * n->n_output + 1, err)))
            return rc;
        rc = ox_fold_node(g, n, err);
        if (rc == 1)
            rc = ox_convert_node(g, n, err);
        if (rc == 1) {
            char msg[400];
            snprintf(msg, sizeof msg,
                     "operator %.60s is not supported (see convcalc(1) for the operators "
                     "the engine runs)", n->op_type);
            return ox_err(g, err, CC_EINVAL, "%s", msg);
        }
        if (rc)
            return rc;
    }
    g->node = NULL;
    if (gr->n_output < 1 || !gr->output[0]->name)
        return cc_error_set(err, CC_EINVAL, "the graph has no output");
    ox_value *o = ox_find(g, gr->output[0]->name);
    if (!o || o->kind != OXV_LAYER)
        return cc_error_set(err, CC_EINVAL,
                            "the graph output '%s' is %s", gr->output[0]->name,
                            o ? "a constant (nothing to compute)" : "never computed");
    snprintf(info->output_name, sizeof info->output_name, "%s", o->name);
    info->out_rank = o->rank;
    memcpy(info->out_dims, o->dims, sizeof info->out_dims);
    if (o->layer != (long)g->nl - 1) {
        cc_layer_desc d = {.op = CC_OP_IDENTITY, .nin = 1, .in = {o->layer}};
        long li = ox_add_layer(g, &d, err);
        if (li < 0)
            return (int)li;
    }
    return 0;
}

int cc_onnx_load_buffer(cc_net **out, const uint8_t *buf, size_t len, const char *name,
                        const cc_onnx_bind *binds, size_t nbinds, cc_onnx_info *info,
                        cc_error *err)
{
    *out = NULL;
    cc_onnx_info dummy;
    if (!info)
        info = &dummy;
    memset(info, 0, sizeof *info);
    int rc = ox_wire_check(buf, len, &onnx__model_proto__descriptor, err);
    if (rc)
        return rc;
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, buf);
    if (!m)
        return cc_error_set(err, CC_EINVAL,
                            "at byte 0: not an ONNX model (protobuf-c rejects the data)");
    ox_graph g = {.file = name};
    if (!m->graph) {
        rc = cc_error_set(err, CC_EINVAL, "not an ONNX model: it has no graph");
        goto done;
    }
    info->ir_version = m->has_ir_version ? (long)m->ir_version : 0;
    snprintf(info->producer, sizeof info->producer, "%s%s%s",
             m->producer_name ? m->producer_name : "", m->producer_version ? " " : "",
             m->producer_version ? m->producer_version : "");
    g.opset = -1;
    for (size_t k = 0; k < m->n_opset_import; k++) {
        const Onnx__OperatorSetIdProto *o = m->opset_import[k];
        if (!o->domain || !o->domain[0] || !strcmp(o->domain, "ai.onnx"))
            g.opset = o->has_version ? (int)(o->version > 1000 ? 1000 : o->version) : 1;
    }
    info->opset = g.opset;
    info->nodes = m->graph->n_node;
    if (g.opset < 6 || g.opset > 17) {
        rc = cc_error_set(err, CC_EINVAL,
                          "opset %d of the default domain is not supported (expected 7 to "
                          "17; 6 is read too)", g.opset);
        goto done;
    }
    rc = convert_graph(&g, m, binds, nbinds, info, err);
    if (rc)
        goto done;
    /* the input the network reads, per sample */
    long c, h, w;
    ox_value *in = ox_find(&g, info->input_name);
    g.node = NULL;
    if (in->rank < 1 || in->rank > 4) {
        rc = cc_error_set(err, CC_EINVAL,
                          "input '%s' has rank %d (the engine runs ranks 1 to 4)",
                          in->name, in->rank);
        goto done;
    }
    for (int k = 1; k < in->rank; k++)
        if (in->dims[k] < 1) {
            rc = cc_error_set(err, CC_EINVAL,
                              "input '%s': dimension %d is symbolic (expected a fixed size)",
                              in->name, k);
            goto done;
        }
    c = in->rank >= 2 ? in->dims[1] : 1;
    h = in->rank >= 3 ? in->dims[2] : 0;
    w = in->rank == 4 ? in->dims[3] : in->rank == 3 ? 1 : 0;
    cc_net *net = NULL;
    rc = cc_net_new(&net, g.L, g.nl, c, h, w, 0, err);
    if (rc)
        goto done;
    cc_net_set_train(net, 0);
    for (size_t k = 0; k < g.nw; k++) {
        char pname[160];
        snprintf(pname, sizeof pname, "%s.%s", g.L[g.w[k].layer].name, g.w[k].what);
        rc = cc_net_set(net, pname, g.w[k].data, g.w[k].n, err);
        if (rc) {
            cc_net_free(net);
            goto done;
        }
    }
    *out = net;
done:
    graph_free(&g);
    onnx__model_proto__free_unpacked(m, NULL);
    return rc;
}

int cc_onnx_load(cc_net **out, const char *path, cc_onnx_info *info, cc_error *err)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    *out = NULL;
    int rc = cc_file_read(path, CC_FILE_MAX, &buf, &len, NULL, err);
    if (!rc)
        rc = cc_onnx_load_buffer(out, buf, len, path, NULL, 0, info, err);
    free(buf);
    if (rc)
        cc_error_source(err, path);
    return rc;
}
