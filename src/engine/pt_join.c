/* pt_join.c - cc_net_load_state_dict: weights joined to a network by
 * PyTorch's state_dict names (see convcalc/weights.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/net.h"
#include "convcalc/weights.h"

#define LIST_MAX 6 /* names listed per kind of problem, then "and N more" */

typedef struct problems {
    cc_buf missing, unexpected, shapes, dtypes;
    size_t n_missing, n_unexpected, n_shapes, n_dtypes;
} problems;

static void list_add(cc_buf *b, size_t *n, const char *fmt, const char *name, const char *more)
{
    if (*n < LIST_MAX) {
        if (*n)
            cc_buf_puts(b, ", ");
        cc_buf_printf(b, fmt, name, more);
    }
    (*n)++;
}

static void shape_text(char *out, size_t size, const int64_t *s, int ndim)
{
    size_t at = (size_t)snprintf(out, size, "[");
    for (int d = 0; d < ndim && at < size; d++)
        at += (size_t)snprintf(out + at, size - at, "%s%lld", d ? ", " : "", (long long)s[d]);
    if (at < size)
        snprintf(out + at, size - at, "]");
}

/* Is name "<a BatchNorm layer's name>.num_batches_tracked"? */
static int is_bn_counter(const cc_net *net, const char *name)
{
    const char *suffix = ".num_batches_tracked";
    size_t l = strlen(name), sl = strlen(suffix);
    if (l <= sl || strcmp(name + l - sl, suffix) != 0)
        return 0;
    for (size_t i = 0; i < cc_net_layer_count(net); i++) {
        cc_net_layer_info info;
        if (cc_net_layer(net, i, &info, NULL) == 0 && info.op == CC_OP_BATCHNORM &&
            strlen(info.name) == l - sl && strncmp(info.name, name, l - sl) == 0)
            return 1;
    }
    return 0;
}

static void flush(cc_buf *msg, const char *title, const cc_buf *list, size_t n)
{
    if (!n)
        return;
    cc_buf_printf(msg, "%s%s (%zu): %s", msg->len ? "; " : "", title, n, cc_buf_str(list));
    if (n > LIST_MAX)
        cc_buf_printf(msg, " and %zu more", n - LIST_MAX);
}

int cc_net_load_state_dict(cc_net *net, const cc_safetensors *sd, cc_error *err)
{
    size_t np = cc_net_param_count(net), nb = cc_net_buffer_count(net);
    problems p;
    memset(&p, 0, sizeof p);
    int rc = 0;
    for (size_t i = 0; i < np + nb && !rc; i++) {
        cc_net_tensor t;
        rc = i < np ? cc_net_param(net, i, &t, err) : cc_net_buffer(net, i - np, &t, err);
        if (rc)
            break;
        const cc_st_tensor *f = cc_st_find(sd, t.name);
        if (!f) {
            list_add(&p.missing, &p.n_missing, "%s%s", t.name, "");
            continue;
        }
        int64_t want[4];
        for (int d = 0; d < t.ndim; d++)
            want[d] = t.shape[d];
        int same = f->ndim == t.ndim;
        for (int d = 0; same && d < t.ndim; d++)
            same = f->shape[d] == want[d];
        if (!same) {
            char a[128], b[128], both[300];
            shape_text(a, sizeof a, f->shape, f->ndim);
            shape_text(b, sizeof b, want, t.ndim);
            snprintf(both, sizeof both, " (the file has %s, the structure needs %s)", a, b);
            list_add(&p.shapes, &p.n_shapes, "%s%s", t.name, both);
        } else if (f->dtype[0] != 'F' && strcmp(f->dtype, "BF16") != 0) {
            char what[64];
            snprintf(what, sizeof what, " (%s)", f->dtype);
            list_add(&p.dtypes, &p.n_dtypes, "%s%s", t.name, what);
        }
    }
    for (size_t i = 0; i < sd->n && !rc; i++) {
        cc_net_tensor t;
        const char *name = sd->tensors[i].name;
        if (cc_net_find(net, name, &t, NULL) != 0 && !is_bn_counter(net, name))
            list_add(&p.unexpected, &p.n_unexpected, "%s%s", name, "");
    }
    if (!rc && (p.n_missing || p.n_unexpected || p.n_shapes || p.n_dtypes)) {
        cc_buf msg = {0};
        flush(&msg, "missing keys", &p.missing, p.n_missing);
        flush(&msg, "unexpected keys", &p.unexpected, p.n_unexpected);
        flush(&msg, "shape mismatches", &p.shapes, p.n_shapes);
        flush(&msg, "integer tensors where weights must be floating point", &p.dtypes,
              p.n_dtypes);
        rc = cc_error_set(err,
                          p.n_shapes && !p.n_missing && !p.n_unexpected && !p.n_dtypes
                              ? CC_ESHAPE
                              : CC_EINVAL,
                          "the weights do not fit the structure: %s", cc_buf_str(&msg));
        cc_buf_free(&msg);
    }
    for (size_t i = 0; i < np + nb && !rc; i++) {
        cc_net_tensor t;
        if ((rc = i < np ? cc_net_param(net, i, &t, err) : cc_net_buffer(net, i - np, &t, err)))
            break;
        const cc_st_tensor *f = cc_st_find(sd, t.name);
        cc_error sub;
        cc_error_clear(&sub);
        if ((rc = cc_net_set(net, t.name, f->data, f->count, &sub)) != 0)
            cc_error_set(err, rc, "tensor %s: %s", t.name, sub.msg);
    }
    cc_buf_free(&p.missing);
    cc_buf_free(&p.unexpected);
    cc_buf_free(&p.shapes);
    cc_buf_free(&p.dtypes);
    return rc;
}
