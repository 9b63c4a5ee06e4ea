/* onnx_pb.h - a small reader for the ONNX protobuf files of Debian's
 * libonnx-testdata (test-only, header-only). It decodes the protobuf wire
 * format (varints, 64-bit, length-delimited, 32-bit fields) with bounds
 * checks, and keeps only what the node tests need:
 *   TensorProto:    dims (1), data_type (2), float_data (4), int64_data (7),
 *                   name (8), raw_data (9); float (1) and int64 (7) tensors
 *   ModelProto:     graph (7), opset_import (8) -> OperatorSetIdProto
 *                   domain (1), version (2)
 *   GraphProto:     node (1)
 *   NodeProto:      input (1), output (2), op_type (4), attribute (5)
 *   AttributeProto: name (1), f (2), i (3), s (4), floats (7), ints (8)
 * Field numbers from onnx/onnx.proto. */
#ifndef ONNX_PB_H
#define ONNX_PB_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pb_reader {
    const uint8_t *p, *end;
    int bad;
} pb_reader;

static uint64_t pb_varint(pb_reader *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end) {
            r->bad = 1;
            return 0;
        }
        uint8_t b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    r->bad = 1;
    return 0;
}

/* Next field: returns 0 at the end or on a malformed buffer. For
 * length-delimited fields *sub covers the payload; for varints *val holds
 * the value; for fixed32/fixed64 *sub covers the 4/8 bytes. */
static int pb_next(pb_reader *r, int *field, int *wire, uint64_t *val, pb_reader *sub)
{
    if (r->bad || r->p >= r->end)
        return 0;
    uint64_t key = pb_varint(r);
    *field = (int)(key >> 3);
    *wire = (int)(key & 7);
    size_t len = 0;
    switch (*wire) {
    case 0:
        *val = pb_varint(r);
        return !r->bad;
    case 1: len = 8; break;
    case 5: len = 4; break;
    case 2: {
        uint64_t l = pb_varint(r);
        if (r->bad || l > (uint64_t)(r->end - r->p)) {
            r->bad = 1;
            return 0;
        }
        len = (size_t)l;
        break;
    }
    default:
        r->bad = 1;
        return 0;
    }
    if (len > (size_t)(r->end - r->p)) {
        r->bad = 1;
        return 0;
    }
    sub->p = r->p;
    sub->end = r->p + len;
    sub->bad = 0;
    r->p += len;
    return 1;
}

static float pb_f32(const uint8_t *p)
{
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                 (uint32_t)p[3] << 24;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static void pb_str(char *dst, size_t size, const pb_reader *s)
{
    size_t n = (size_t)(s->end - s->p);
    if (n >= size)
        n = size - 1;
    memcpy(dst, s->p, n);
    dst[n] = '\0';
}

/* Read a whole file; NULL if it cannot be read. */
static uint8_t *pb_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf)
            break;
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* ---- TensorProto ---------------------------------------------------------- */
#define PB_MAX_DIMS 8
typedef struct pb_tensor {
    char name[128];
    int dtype;                  /* 1 = FLOAT, 7 = INT64 (stored as floats) */
    int ndim;
    int64_t dims[PB_MAX_DIMS];
    size_t n;                   /* product of dims */
    float *data;                /* [n], for float tensors */
} pb_tensor;

static void pb_tensor_free(pb_tensor *t)
{
    free(t->data);
    t->data = NULL;
}

static void pb_add_dim(pb_tensor *t, int64_t d, int *bad)
{
    if (t->ndim >= PB_MAX_DIMS || d < 0)
        *bad = 1;
    else
        t->dims[t->ndim++] = d;
}

/* Parse a TensorProto; 0 on success, -1 for malformed data, -2 for a data
 * type other than float or int64 (int64 values are converted to float). */
static int pb_parse_tensor(pb_tensor *t, const uint8_t *buf, size_t len)
{
    memset(t, 0, sizeof *t);
    pb_reader r = {buf, buf + len, 0}, s;
    int field, wire, bad = 0;
    uint64_t v;
    const uint8_t *raw = NULL;
    size_t raw_len = 0;
    pb_reader fdata = {NULL, NULL, 0};
    size_t nfloat_unpacked = 0;
    float *unpacked = NULL;
    pb_reader idata = {NULL, NULL, 0};
    while (pb_next(&r, &field, &wire, &v, &s)) {
        if (field == 1 && wire == 0) {
            pb_add_dim(t, (int64_t)v, &bad);
        } else if (field == 1 && wire == 2) {
            while (s.p < s.end && !s.bad)
                pb_add_dim(t, (int64_t)pb_varint(&s), &bad);
            bad |= s.bad;
        } else if (field == 2 && wire == 0) {
            t->dtype = (int)v;
        } else if (field == 4 && wire == 2) {
            fdata = s;
        } else if (field == 4 && wire == 5) {
            float *nu = realloc(unpacked, (nfloat_unpacked + 1) * sizeof(float));
            if (!nu) {
                bad = 1;
                break;
            }
            unpacked = nu;
            unpacked[nfloat_unpacked++] = pb_f32(s.p);
        } else if (field == 7 && wire == 2) {
            idata = s;
        } else if (field == 8 && wire == 2) {
            pb_str(t->name, sizeof t->name, &s);
        } else if (field == 9 && wire == 2) {
            raw = s.p;
            raw_len = (size_t)(s.end - s.p);
        }
    }
    if (r.bad || bad) {
        free(unpacked);
        return -1;
    }
    if (t->dtype != 1 && t->dtype != 7) {
        free(unpacked);
        return -2;
    }
    t->n = 1;
    for (int i = 0; i < t->ndim; i++) {
        if (t->dims[i] > (int64_t)1 << 30 || t->n > ((size_t)1 << 30)) {
            free(unpacked);
            return -1;
        }
        t->n *= (size_t)t->dims[i];
    }
    t->data = calloc(t->n ? t->n : 1, sizeof(float));
    if (!t->data) {
        free(unpacked);
        return -1;
    }
    if (t->dtype == 7) {
        if (raw) {
            if (raw_len != t->n * 8)
                goto fail;
            for (size_t i = 0; i < t->n; i++) {
                uint64_t u = 0;
                for (int k = 7; k >= 0; k--)
                    u = u << 8 | raw[8 * i + (size_t)k];
                t->data[i] = (float)(int64_t)u;
            }
        } else {
            size_t i = 0;
            while (idata.p && idata.p < idata.end && !idata.bad && i < t->n)
                t->data[i++] = (float)(int64_t)pb_varint(&idata);
            if (i != t->n || idata.bad)
                goto fail;
        }
    } else if (raw) {
        if (raw_len != t->n * 4)
            goto fail;
        for (size_t i = 0; i < t->n; i++)
            t->data[i] = pb_f32(raw + 4 * i);
    } else if (fdata.p) {
        if ((size_t)(fdata.end - fdata.p) != t->n * 4)
            goto fail;
        for (size_t i = 0; i < t->n; i++)
            t->data[i] = pb_f32(fdata.p + 4 * i);
    } else {
        if (nfloat_unpacked != t->n)
            goto fail;
        memcpy(t->data, unpacked, t->n * sizeof(float));
    }
    free(unpacked);
    return 0;
fail:
    free(unpacked);
    pb_tensor_free(t);
    return -1;
}

static int pb_load_tensor(pb_tensor *t, const char *path)
{
    size_t len;
    uint8_t *buf = pb_read_file(path, &len);
    if (!buf)
        return -1;
    int rc = pb_parse_tensor(t, buf, len);
    free(buf);
    return rc;
}

/* ---- ModelProto: the first node of the graph and the opset ---------------- */
#define PB_MAX_ATTRS 16
#define PB_MAX_INTS 16
typedef struct pb_attr {
    char name[64];
    int has_f, has_i, has_s;
    float f;
    int64_t i;
    char s[64];
    int nints;
    int64_t ints[PB_MAX_INTS];
} pb_attr;

typedef struct pb_node {
    char op[64];
    int ninputs, noutputs;
    int nattr;
    pb_attr attr[PB_MAX_ATTRS];
    int64_t opset; /* version of the default ("" or "ai.onnx") domain */
    int graph_nodes; /* nodes in the graph (the tests want exactly one) */
} pb_node;

static int pb_parse_attr(pb_attr *a, pb_reader r)
{
    memset(a, 0, sizeof *a);
    int field, wire;
    uint64_t v;
    pb_reader s;
    while (pb_next(&r, &field, &wire, &v, &s)) {
        if (field == 1 && wire == 2)
            pb_str(a->name, sizeof a->name, &s);
        else if (field == 2 && wire == 5) {
            a->f = pb_f32(s.p);
            a->has_f = 1;
        } else if (field == 3 && wire == 0) {
            a->i = (int64_t)v;
            a->has_i = 1;
        } else if (field == 4 && wire == 2) {
            pb_str(a->s, sizeof a->s, &s);
            a->has_s = 1;
        } else if (field == 8 && wire == 0) {
            if (a->nints < PB_MAX_INTS)
                a->ints[a->nints++] = (int64_t)v;
        } else if (field == 8 && wire == 2) {
            while (s.p < s.end && !s.bad && a->nints < PB_MAX_INTS)
                a->ints[a->nints++] = (int64_t)pb_varint(&s);
        }
    }
    return r.bad ? -1 : 0;
}

static int pb_parse_node(pb_node *n, pb_reader r)
{
    int field, wire;
    uint64_t v;
    pb_reader s;
    while (pb_next(&r, &field, &wire, &v, &s)) {
        if (field == 1 && wire == 2)
            n->ninputs++;
        else if (field == 2 && wire == 2)
            n->noutputs++;
        else if (field == 4 && wire == 2)
            pb_str(n->op, sizeof n->op, &s);
        else if (field == 5 && wire == 2 && n->nattr < PB_MAX_ATTRS)
            if (pb_parse_attr(&n->attr[n->nattr++], s))
                return -1;
    }
    return r.bad ? -1 : 0;
}

/* Parse model.onnx: its (first) node and the default-domain opset. */
static int pb_load_model(pb_node *n, const char *path)
{
    memset(n, 0, sizeof *n);
    size_t len;
    uint8_t *buf = pb_read_file(path, &len);
    if (!buf)
        return -1;
    pb_reader r = {buf, buf + len, 0}, s, g, gs;
    int field, wire, rc = -1, have_node = 0;
    uint64_t v;
    while (pb_next(&r, &field, &wire, &v, &s)) {
        if (field == 7 && wire == 2) { /* graph */
            g = s;
            while (pb_next(&g, &field, &wire, &v, &gs))
                if (field == 1 && wire == 2) {
                    n->graph_nodes++;
                    if (!have_node && pb_parse_node(n, gs))
                        goto out;
                    have_node = 1;
                }
            if (g.bad)
                goto out;
        } else if (field == 8 && wire == 2) { /* opset_import */
            char domain[64] = "";
            int64_t version = 0;
            pb_reader o = s, os;
            while (pb_next(&o, &field, &wire, &v, &os)) {
                if (field == 1 && wire == 2)
                    pb_str(domain, sizeof domain, &os);
                else if (field == 2 && wire == 0)
                    version = (int64_t)v;
            }
            if (!domain[0] || !strcmp(domain, "ai.onnx"))
                n->opset = version;
        }
    }
    rc = (r.bad || !have_node) ? -1 : 0;
out:
    free(buf);
    return rc;
}

static const pb_attr *pb_attr_find(const pb_node *n, const char *name)
{
    for (int i = 0; i < n->nattr; i++)
        if (!strcmp(n->attr[i].name, name))
            return &n->attr[i];
    return NULL;
}

#endif
