/* onnx_pb.c - the protobuf side of the ONNX reader: a check of the wire
 * format driven by protobuf-c's descriptors (so a corrupt or truncated
 * file is reported with the byte offset of the first bad field, which
 * protobuf-c's unpack does not give), TensorProto conversion with sizes
 * checked before allocation, attribute lookup, and TensorProto files. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/io.h"
#include "engine/onnx_priv.h"

static int varint(const uint8_t *p, size_t len, size_t *i, uint64_t *v)
{
    uint64_t r = 0;
    for (int s = 0; s < 64; s += 7) {
        if (*i >= len)
            return -1;
        uint8_t b = p[(*i)++];
        r |= (uint64_t)(b & 0x7f) << s;
        if (!(b & 0x80)) {
            *v = r;
            return 0;
        }
    }
    return -2;
}

static int wire_walk(const uint8_t *p, size_t len, size_t base,
                     const ProtobufCMessageDescriptor *desc, int depth, size_t *bad,
                     const char **why)
{
    size_t i = 0;
    if (depth > 64) {
        *bad = base;
        *why = "messages nested more than 64 deep";
        return -1;
    }
    while (i < len) {
        size_t at = i;
        uint64_t key, v;
        int r = varint(p, len, &i, &key);
        if (r) {
            *bad = base + at;
            *why = r == -1 ? "the file ends inside a field key" : "a field key is too long";
            return -1;
        }
        uint32_t wt = (uint32_t)(key & 7);
        uint64_t num = key >> 3;
        if (num == 0 || num > 536870911u) {
            *bad = base + at;
            *why = "a field number out of range";
            return -1;
        }
        switch (wt) {
        case 0:
            if (varint(p, len, &i, &v)) {
                *bad = base + at;
                *why = "the file ends inside a number";
                return -1;
            }
            break;
        case 1:
        case 5: {
            size_t w = wt == 1 ? 8 : 4;
            if (len - i < w) {
                *bad = base + at;
                *why = "the file ends inside a fixed-size number";
                return -1;
            }
            i += w;
            break;
        }
        case 2: {
            if (varint(p, len, &i, &v)) {
                *bad = base + at;
                *why = "the file ends inside a length";
                return -1;
            }
            if (v > len - i) {
                *bad = base + at;
                *why = "a field is longer than what is left of the file (truncated?)";
                return -1;
            }
            const ProtobufCFieldDescriptor *f =
                desc ? protobuf_c_message_descriptor_get_field(desc, (unsigned)num) : NULL;
            if (f && f->type == PROTOBUF_C_TYPE_MESSAGE &&
                wire_walk(p + i, (size_t)v, base + i, f->descriptor, depth + 1, bad, why))
                return -1;
            i += (size_t)v;
            break;
        }
        default:
            *bad = base + at;
            *why = "a field of an unknown wire type (not protobuf data)";
            return -1;
        }
    }
    return 0;
}

int ox_wire_check(const uint8_t *buf, size_t len, const ProtobufCMessageDescriptor *desc,
                  cc_error *err)
{
    size_t bad = 0;
    const char *why = "";
    if (wire_walk(buf, len, 0, desc, 0, &bad, &why))
        return cc_error_set(err, CC_EINVAL, "at byte %zu: %s", bad, why);
    return 0;
}

void ox_const_free(ox_const *c)
{
    free(c->f);
    free(c->i);
    c->f = NULL;
    c->i = NULL;
}

int ox_tensor(ox_const *out, const Onnx__TensorProto *t, cc_error *err)
{
    memset(out, 0, sizeof *out);
    const char *nm = t->name ? t->name : "";
    if (t->n_dims > CC_ONNX_MAX_DIMS)
        return cc_error_set(err, CC_EINVAL, "tensor '%s' has %zu dimensions (at most %d)", nm,
                            t->n_dims, CC_ONNX_MAX_DIMS);
    size_t n = 1;
    for (size_t k = 0; k < t->n_dims; k++) {
        if (t->dims[k] < 0 || t->dims[k] > CC_DIM_MAX ||
            cc_size_mul(n, (size_t)t->dims[k], &n) || n > ((size_t)1 << 31))
            return cc_error_set(err, CC_ERANGE,
                                "tensor '%s': dimension %zu is %lld, or the tensor is too "
                                "large (at most 2^31 elements)", nm, k,
                                (long long)t->dims[k]);
        out->dims[k] = (long)t->dims[k];
    }
    out->ndim = (int)t->n_dims;
    out->n = n;
    if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
        return cc_error_set(err, CC_EINVAL,
                            "tensor '%s' keeps its data in an external file (not supported)",
                            nm);
    int dt = t->has_data_type ? t->data_type : 0;
    size_t esz = dt == 1 ? 4 : dt == 11 ? 8 : dt == 7 ? 8 : dt == 6 ? 4 : 0;
    if (!esz)
        return cc_error_set(err, CC_EINVAL,
                            "tensor '%s' has data type %d (supported: float, double, int32, "
                            "int64)", nm, dt);
    size_t have = t->has_raw_data ? t->raw_data.len / esz
                  : dt == 1       ? t->n_float_data
                  : dt == 11      ? t->n_double_data
                  : dt == 7       ? t->n_int64_data
                                  : t->n_int32_data;
    if ((t->has_raw_data && t->raw_data.len % esz) || have != n)
        return cc_error_set(err, CC_EINVAL,
                            "tensor '%s' holds %zu values but its shape needs %zu", nm, have,
                            n);
    out->f = malloc((n ? n : 1) * sizeof(float));
    if (dt == 6 || dt == 7)
        out->i = malloc((n ? n : 1) * sizeof(int64_t));
    if (!out->f || ((dt == 6 || dt == 7) && !out->i)) {
        ox_const_free(out);
        return cc_error_set(err, CC_ENOMEM, "out of memory for tensor '%s'", nm);
    }
    const uint8_t *raw = t->has_raw_data ? t->raw_data.data : NULL;
    for (size_t k = 0; k < n; k++) {
        double v;
        int64_t iv = 0;
        if (dt == 1) {
            float f;
            if (raw)
                memcpy(&f, raw + 4 * k, 4);
            else
                f = t->float_data[k];
            v = f;
        } else if (dt == 11) {
            if (raw)
                memcpy(&v, raw + 8 * k, 8);
            else
                v = t->double_data[k];
        } else if (dt == 7) {
            if (raw)
                memcpy(&iv, raw + 8 * k, 8);
            else
                iv = t->int64_data[k];
            v = (double)iv;
        } else {
            int32_t i32;
            if (raw)
                memcpy(&i32, raw + 4 * k, 4);
            else
                i32 = t->int32_data[k];
            iv = i32;
            v = i32;
        }
        out->f[k] = (float)v;
        if (out->i)
            out->i[k] = iv;
    }
    return 0;
}

const Onnx__AttributeProto *ox_attr(const Onnx__NodeProto *n, const char *name)
{
    for (size_t k = 0; k < n->n_attribute; k++)
        if (n->attribute[k]->name && !strcmp(n->attribute[k]->name, name))
            return n->attribute[k];
    return NULL;
}

long ox_attr_i(const Onnx__NodeProto *n, const char *name, long dflt)
{
    const Onnx__AttributeProto *a = ox_attr(n, name);
    if (!a || !a->has_i)
        return dflt;
    return a->i > CC_DIM_MAX ? CC_DIM_MAX + 1 : a->i < -CC_DIM_MAX ? -CC_DIM_MAX - 1 : (long)a->i;
}

double ox_attr_f(const Onnx__NodeProto *n, const char *name, double dflt)
{
    const Onnx__AttributeProto *a = ox_attr(n, name);
    return a && a->has_f ? a->f : dflt;
}

size_t ox_attr_ints(const Onnx__NodeProto *n, const char *name, long *v, size_t max)
{
    const Onnx__AttributeProto *a = ox_attr(n, name);
    if (!a)
        return 0;
    for (size_t k = 0; k < a->n_ints && k < max; k++)
        v[k] = a->ints[k] > CC_DIM_MAX     ? CC_DIM_MAX + 1
               : a->ints[k] < -CC_DIM_MAX ? -CC_DIM_MAX - 1
                                          : (long)a->ints[k];
    return a->n_ints;
}

void ox_attr_s(const Onnx__NodeProto *n, const char *name, char *buf, size_t cap)
{
    const Onnx__AttributeProto *a = ox_attr(n, name);
    size_t l = a && a->has_s ? a->s.len : 0;
    if (l >= cap)
        l = cap - 1;
    if (l)
        memcpy(buf, a->s.data, l);
    buf[l] = '\0';
}

int cc_onnx_tensor_parse(const uint8_t *buf, size_t len, float **data,
                         long dims[CC_ONNX_MAX_DIMS], int *ndim, cc_error *err)
{
    *data = NULL;
    *ndim = 0;
    int rc = ox_wire_check(buf, len, &onnx__tensor_proto__descriptor, err);
    if (rc)
        return rc;
    Onnx__TensorProto *t = onnx__tensor_proto__unpack(NULL, len, buf);
    if (!t)
        return cc_error_set(err, CC_EINVAL,
                            "at byte 0: not an ONNX TensorProto (protobuf-c rejects it)");
    ox_const c;
    rc = ox_tensor(&c, t, err);
    onnx__tensor_proto__free_unpacked(t, NULL);
    if (rc)
        return rc;
    free(c.i);
    *data = c.f;
    *ndim = c.ndim;
    memcpy(dims, c.dims, sizeof c.dims);
    return 0;
}

int cc_onnx_tensor_read(const char *path, float **data, long dims[CC_ONNX_MAX_DIMS],
                        int *ndim, cc_error *err)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    *data = NULL;
    *ndim = 0;
    int rc = cc_file_read(path, CC_FILE_MAX, &buf, &len, NULL, err);
    if (!rc)
        rc = cc_onnx_tensor_parse(buf, len, data, dims, ndim, err);
    free(buf);
    if (rc)
        cc_error_source(err, path);
    return rc;
}
