/* model.c - safetensors files: a JSON header and float32 data (see
 * convcalc/model.h and convcalc-model(5)). */
#include "convcalc/model.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/io.h"
#include "engine/pickle.h"

int cc_st_new(cc_safetensors **out, cc_error *err)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : cc_error_set(err, CC_ENOMEM, "out of memory");
}

void cc_st_free(cc_safetensors *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->n; i++) {
        free(st->tensors[i].name);
        free(st->tensors[i].data);
    }
    for (size_t i = 0; i < st->n_meta; i++) {
        free(st->meta_keys[i]);
        free(st->meta_values[i]);
    }
    free(st->tensors);
    free(st->meta_keys);
    free(st->meta_values);
    free(st);
}

const cc_st_tensor *cc_st_find(const cc_safetensors *st, const char *name)
{
    for (size_t i = 0; i < st->n; i++)
        if (strcmp(st->tensors[i].name, name) == 0)
            return &st->tensors[i];
    return NULL;
}

const char *cc_st_meta(const cc_safetensors *st, const char *key)
{
    for (size_t i = 0; i < st->n_meta; i++)
        if (strcmp(st->meta_keys[i], key) == 0)
            return st->meta_values[i];
    return NULL;
}

static int shape_count(const int64_t *shape, int ndim, size_t *count, cc_error *err)
{
    size_t c = 1;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] < 0 || (uint64_t)shape[d] > SIZE_MAX / 4)
            return cc_error_set(err, CC_ERANGE, "dimension %d is %lld (out of range)", d,
                                (long long)shape[d]);
        if (cc_size_mul(c, (size_t)shape[d], &c) != 0)
            return cc_error_set(err, CC_ERANGE, "the shape's size overflows");
    }
    size_t bytes;
    if (cc_size_mul(c, sizeof(float), &bytes) != 0)
        return cc_error_set(err, CC_ERANGE, "the shape's size overflows");
    *count = c;
    return 0;
}

int cc_st_add(cc_safetensors *st, const char *name, const int64_t *shape, int ndim,
              const float *data, cc_error *err)
{
    if (!name || !*name || strcmp(name, "__metadata__") == 0)
        return cc_error_set(err, CC_EINVAL, "bad tensor name '%s'", name ? name : "");
    if (ndim < 0 || ndim > CC_ST_MAX_DIMS)
        return cc_error_set(err, CC_EINVAL, "tensor %s has %d dimensions (at most %d)", name,
                            ndim, CC_ST_MAX_DIMS);
    if (cc_st_find(st, name))
        return cc_error_set(err, CC_EINVAL, "tensor %s is already there", name);
    size_t count;
    int rc = shape_count(shape, ndim, &count, err);
    if (rc)
        return rc;
    if (st->n == st->cap) {
        size_t nc = st->cap ? st->cap * 2 : 16;
        cc_st_tensor *nt = realloc(st->tensors, nc * sizeof *nt);
        if (!nt)
            return cc_error_set(err, CC_ENOMEM, "out of memory");
        st->tensors = nt;
        st->cap = nc;
    }
    cc_st_tensor *t = &st->tensors[st->n];
    memset(t, 0, sizeof *t);
    t->name = strdup(name);
    t->data = malloc(count ? count * sizeof(float) : 1);
    if (!t->name || !t->data) {
        free(t->name);
        free(t->data);
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    }
    t->ndim = ndim;
    memcpy(t->dtype, "F32", 4);
    for (int d = 0; d < ndim; d++)
        t->shape[d] = shape[d];
    t->count = count;
    if (data)
        memcpy(t->data, data, count * sizeof(float));
    else
        memset(t->data, 0, count * sizeof(float));
    st->n++;
    return 0;
}

int cc_st_set_meta(cc_safetensors *st, const char *key, const char *value, cc_error *err)
{
    for (size_t i = 0; i < st->n_meta; i++)
        if (strcmp(st->meta_keys[i], key) == 0) {
            char *v = strdup(value);
            if (!v)
                return cc_error_set(err, CC_ENOMEM, "out of memory");
            free(st->meta_values[i]);
            st->meta_values[i] = v;
            return 0;
        }
    if (st->n_meta == st->cap_meta) {
        size_t nc = st->cap_meta ? st->cap_meta * 2 : 8;
        char **nk = realloc(st->meta_keys, nc * sizeof *nk);
        if (!nk)
            return cc_error_set(err, CC_ENOMEM, "out of memory");
        st->meta_keys = nk;
        char **nv = realloc(st->meta_values, nc * sizeof *nv);
        if (!nv)
            return cc_error_set(err, CC_ENOMEM, "out of memory");
        st->meta_values = nv;
        st->cap_meta = nc;
    }
    char *k = strdup(key), *v = strdup(value);
    if (!k || !v) {
        free(k);
        free(v);
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    }
    st->meta_keys[st->n_meta] = k;
    st->meta_values[st->n_meta] = v;
    st->n_meta++;
    return 0;
}

static void put_le32f(unsigned char *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    p[0] = (unsigned char)u;
    p[1] = (unsigned char)(u >> 8);
    p[2] = (unsigned char)(u >> 16);
    p[3] = (unsigned char)(u >> 24);
}

static float get_le32f(const unsigned char *p)
{
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                 (uint32_t)p[3] << 24;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

int cc_st_serialize(const cc_safetensors *st, unsigned char **out, size_t *len,
                    cc_error *err)
{
    *out = NULL;
    *len = 0;
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    int oom = 0;
    if (st->n_meta) {
        cJSON *meta = cJSON_AddObjectToObject(root, "__metadata__");
        oom |= !meta;
        for (size_t i = 0; meta && i < st->n_meta; i++)
            oom |= !cJSON_AddStringToObject(meta, st->meta_keys[i], st->meta_values[i]);
    }
    size_t off = 0;
    for (size_t i = 0; i < st->n && !oom; i++) {
        const cc_st_tensor *t = &st->tensors[i];
        cJSON *o = cJSON_AddObjectToObject(root, t->name);
        oom |= !o || !cJSON_AddStringToObject(o, "dtype", "F32");
        cJSON *shape = o ? cJSON_AddArrayToObject(o, "shape") : NULL;
        oom |= !shape;
        for (int d = 0; shape && d < t->ndim; d++) {
            cJSON *num = cJSON_CreateNumber((double)t->shape[d]);
            oom |= !num || !cJSON_AddItemToArray(shape, num);
        }
        cJSON *offs = o ? cJSON_AddArrayToObject(o, "data_offsets") : NULL;
        oom |= !offs;
        size_t end = off + t->count * 4;
        if (offs) {
            cJSON *a = cJSON_CreateNumber((double)off), *b = cJSON_CreateNumber((double)end);
            oom |= !a || !b || !cJSON_AddItemToArray(offs, a) || !cJSON_AddItemToArray(offs, b);
        }
        off = end;
    }
    char *text = oom ? NULL : cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!text)
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    size_t hlen = strlen(text), padded = (hlen + 7) / 8 * 8, total = 8 + padded + off;
    unsigned char *buf = malloc(total);
    if (!buf) {
        free(text);
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    }
    for (int b = 0; b < 8; b++)
        buf[b] = (unsigned char)((uint64_t)padded >> (8 * b));
    memcpy(buf + 8, text, hlen);
    memset(buf + 8 + hlen, ' ', padded - hlen);
    free(text);
    unsigned char *p = buf + 8 + padded;
    for (size_t i = 0; i < st->n; i++)
        for (size_t k = 0; k < st->tensors[i].count; k++, p += 4)
            put_le32f(p, st->tensors[i].data[k]);
    *out = buf;
    *len = total;
    return 0;
}

struct span {
    size_t begin, end, index;
};

static int cmp_span(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

static int whole_number(const cJSON *v, double max, int64_t *out)
{
    if (!cJSON_IsNumber(v))
        return -1;
    double d = v->valuedouble;
    if (!(d >= 0 && d <= max) || d != floor(d))
        return -1;
    *out = (int64_t)d;
    return 0;
}

static int st_parse(cc_safetensors **out, const unsigned char *data, size_t len, int any,
                    cc_error *err)
{
    *out = NULL;
    if (len < 8)
        return cc_error_set(err, CC_EINVAL,
                            "at byte %zu: the file ends inside the 8-byte header length "
                            "(not a safetensors file?)",
                            len);
    uint64_t hlen = 0;
    for (int b = 0; b < 8; b++)
        hlen |= (uint64_t)data[b] << (8 * b);
    if (hlen > CC_ST_MAX_HEADER || hlen > len - 8)
        return cc_error_set(err, CC_EINVAL,
                            "at byte 0: header length %llu is past the end of the %zu-byte "
                            "file (not a safetensors file, or truncated)",
                            (unsigned long long)hlen, len);
    if (hlen < 2 || data[8] != '{')
        return cc_error_set(err, CC_EINVAL,
                            "at byte 8: the header does not start with '{' (expected a JSON "
                            "object)");
    const char *end_ptr = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts((const char *)data + 8, (size_t)hlen, &end_ptr, 0);
    if (!root || !cJSON_IsObject(root)) {
        size_t at = end_ptr ? (size_t)(end_ptr - (const char *)data) : 8;
        if (!root && cJSON_GetErrorPtr())
            at = (size_t)(cJSON_GetErrorPtr() - (const char *)data);
        cJSON_Delete(root);
        return cc_error_set(err, CC_EINVAL, "at byte %zu: malformed JSON header", at);
    }
    size_t body = len - 8 - (size_t)hlen, base = 8 + (size_t)hlen;
    cc_safetensors *st;
    int rc = cc_st_new(&st, err);
    if (rc) {
        cJSON_Delete(root);
        return rc;
    }
    size_t ntens = 0;
    for (cJSON *it = root->child; it; it = it->next)
        ntens += strcmp(it->string, "__metadata__") != 0;
    struct span *spans = calloc(ntens ? ntens : 1, sizeof *spans);
    if (!spans) {
        rc = cc_error_set(err, CC_ENOMEM, "out of memory");
        goto fail;
    }
    for (cJSON *it = root->child; it; it = it->next) {
        if (strcmp(it->string, "__metadata__") == 0) {
            if (!cJSON_IsObject(it)) {
                rc = cc_error_set(err, CC_EINVAL,
                                  "in the header: __metadata__ is not an object of strings");
                goto fail;
            }
            for (cJSON *m = it->child; m; m = m->next) {
                if (!cJSON_IsString(m)) {
                    rc = cc_error_set(err, CC_EINVAL,
                                      "in the header: metadata '%s' is not a string", m->string);
                    goto fail;
                }
                if ((rc = cc_st_set_meta(st, m->string, m->valuestring, err)) != 0)
                    goto fail;
            }
            continue;
        }
        const char *name = it->string;
        cJSON *dt = cJSON_GetObjectItemCaseSensitive(it, "dtype");
        cJSON *sh = cJSON_GetObjectItemCaseSensitive(it, "shape");
        cJSON *of = cJSON_GetObjectItemCaseSensitive(it, "data_offsets");
        if (!cJSON_IsObject(it) || !cJSON_IsString(dt) || !cJSON_IsArray(sh) ||
            !cJSON_IsArray(of) || cJSON_GetArraySize(of) != 2) {
            rc = cc_error_set(err, CC_EINVAL,
                              "in the header: tensor '%s' lacks dtype, shape or data_offsets",
                              name);
            goto fail;
        }
        int dtype = -1;
        for (int k = 0; k < PK_DTYPE_COUNT; k++)
            if ((any || k == PK_F32) && strcmp(dt->valuestring, pk_dtype_name((pk_dtype)k)) == 0)
                dtype = k;
        if (dtype < 0) {
            rc = cc_error_set(err, CC_EINVAL,
                              "in the header: tensor '%s' has dtype %s (convcalc reads %s)",
                              name, dt->valuestring,
                              any ? "F32, F64, F16, BF16, I64, I32, I16, I8, U8 and BOOL"
                                  : "F32");
            goto fail;
        }
        size_t esize = pk_dtype_size((pk_dtype)dtype);
        int ndim = cJSON_GetArraySize(sh);
        if (ndim > CC_ST_MAX_DIMS) {
            rc = cc_error_set(err, CC_EINVAL, "in the header: tensor '%s' has %d dimensions",
                              name, ndim);
            goto fail;
        }
        int64_t shape[CC_ST_MAX_DIMS], b0, b1;
        int d = 0;
        for (cJSON *v = sh->child; v; v = v->next, d++)
            if (whole_number(v, 9007199254740992.0, &shape[d]) != 0) {
                rc = cc_error_set(err, CC_EINVAL,
                                  "in the header: tensor '%s' has a bad shape", name);
                goto fail;
            }
        if (whole_number(of->child, 9007199254740992.0, &b0) != 0 ||
            whole_number(of->child->next, 9007199254740992.0, &b1) != 0 || b1 < b0 ||
            (uint64_t)b1 > body) {
            rc = cc_error_set(err, CC_EINVAL,
                              "in the header: tensor '%s' has data_offsets outside the %zu "
                              "data bytes",
                              name, body);
            goto fail;
        }
        size_t count;
        if ((rc = shape_count(shape, ndim, &count, err)) != 0)
            goto fail;
        size_t nbytes;
        if (cc_size_mul(count, esize, &nbytes) != 0 || nbytes != (size_t)(b1 - b0)) {
            rc = cc_error_set(err, CC_EINVAL,
                              "in the header: tensor '%s' has %zu values but %lld data bytes",
                              name, count, (long long)(b1 - b0));
            goto fail;
        }
        if ((rc = cc_st_add(st, name, shape, ndim, NULL, err)) != 0)
            goto fail;
        cc_st_tensor *t = &st->tensors[st->n - 1];
        snprintf(t->dtype, sizeof t->dtype, "%s", pk_dtype_name((pk_dtype)dtype));
        if (dtype == PK_F32)
            for (size_t k = 0; k < count; k++)
                t->data[k] = get_le32f(data + base + (size_t)b0 + 4 * k);
        else
            pk_convert(t->data, data + base + (size_t)b0, (pk_dtype)dtype, count);
        spans[st->n - 1] = (struct span){(size_t)b0, (size_t)b1, st->n - 1};
    }
    /* the data must be covered exactly, without overlaps or holes */
    qsort(spans, st->n, sizeof *spans, cmp_span);
    size_t at = 0;
    for (size_t i = 0; i < st->n; i++) {
        if (spans[i].begin != at) {
            rc = cc_error_set(err, CC_EINVAL,
                              "at byte %zu: tensor '%s' %s (data_offsets must cover the data "
                              "without gaps or overlaps)",
                              base + spans[i].begin, st->tensors[spans[i].index].name,
                              spans[i].begin > at ? "leaves a gap before it" : "overlaps another");
            goto fail;
        }
        at = spans[i].end;
    }
    if (at != body) {
        rc = cc_error_set(err, CC_EINVAL, "at byte %zu: %zu bytes of data after the last tensor",
                          base + at, body - at);
        goto fail;
    }
    free(spans);
    cJSON_Delete(root);
    *out = st;
    return 0;
fail:
    free(spans);
    cJSON_Delete(root);
    cc_st_free(st);
    return rc;
}

int cc_st_parse(cc_safetensors **out, const unsigned char *data, size_t len, cc_error *err)
{
    return st_parse(out, data, len, 0, err);
}

int cc_st_parse_any(cc_safetensors **out, const unsigned char *data, size_t len,
                    cc_error *err)
{
    return st_parse(out, data, len, 1, err);
}

int cc_st_save(const cc_safetensors *st, const char *path, cc_error *err)
{
    unsigned char *buf;
    size_t len;
    int rc = cc_st_serialize(st, &buf, &len, err);
    if (rc)
        return rc;
    rc = cc_file_write_atomic(path, buf, len, err);
    free(buf);
    return rc;
}

int cc_st_load(cc_safetensors **out, const char *path, cc_error *err)
{
    unsigned char *buf;
    size_t len;
    *out = NULL;
    int rc = cc_file_read(path, CC_FILE_MAX, &buf, &len, NULL, err);
    if (rc)
        return rc;
    rc = cc_st_parse(out, buf, len, err);
    free(buf);
    if (rc)
        cc_error_source(err, path);
    return rc;
}
