/* npy.c - NumPy .npy arrays (see convcalc/tensorfile.h). The header is a
 * Python dict literal, {'descr': '<f4', 'fortran_order': False, 'shape':
 * (2, 3), }, read here by a small strict scanner. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/tensorfile.h"
#include "engine/pickle.h"

void cc_tensor_file_clear(cc_tensor_file *t)
{
    if (!t)
        return;
    free(t->data);
    memset(t, 0, sizeof *t);
}

typedef struct scan {
    const char *p, *end;
    size_t base; /* byte offset of the header in the file */
    const char *start;
} scan;

static size_t at(const scan *s) { return s->base + (size_t)(s->p - s->start); }

static void blanks(scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n'))
        s->p++;
}

static int eat(scan *s, char c)
{
    blanks(s);
    if (s->p < s->end && *s->p == c) {
        s->p++;
        return 1;
    }
    return 0;
}

/* A quoted string: sets *str, *len (without the quotes). */
static int quoted(scan *s, const char **str, size_t *len)
{
    blanks(s);
    if (s->p >= s->end || (*s->p != '\'' && *s->p != '"'))
        return 0;
    char q = *s->p++;
    const char *b = s->p;
    while (s->p < s->end && *s->p != q)
        s->p++;
    if (s->p >= s->end)
        return 0;
    *str = b;
    *len = (size_t)(s->p - b);
    s->p++;
    return 1;
}

static int word(scan *s, const char *w)
{
    blanks(s);
    size_t l = strlen(w);
    if ((size_t)(s->end - s->p) >= l && memcmp(s->p, w, l) == 0) {
        s->p += l;
        return 1;
    }
    return 0;
}

static int bad(cc_error *err, const scan *s, const char *what)
{
    return cc_error_set(err, CC_EINVAL, "at byte %zu: %s in the .npy header", at(s), what);
}

static int shape_tuple(scan *s, cc_tensor_file *t, cc_error *err)
{
    if (!eat(s, '('))
        return bad(err, s, "expected a shape tuple '('");
    t->ndim = 0;
    for (;;) {
        if (eat(s, ')'))
            return 0;
        blanks(s);
        if (s->p >= s->end || *s->p < '0' || *s->p > '9')
            return bad(err, s, "expected a dimension (a whole number)");
        if (t->ndim == CC_TF_MAX_DIMS)
            return bad(err, s, "more than 8 dimensions");
        int64_t v = 0;
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
            if (v > CC_DIM_MAX)
                return cc_error_set(err, CC_ERANGE, "at byte %zu: a dimension larger than %ld",
                                    at(s), CC_DIM_MAX);
            v = v * 10 + (*s->p++ - '0');
        }
        if (v > CC_DIM_MAX)
            return cc_error_set(err, CC_ERANGE, "at byte %zu: a dimension larger than %ld",
                                at(s), CC_DIM_MAX);
        t->shape[t->ndim++] = v;
        if (!eat(s, ',') && !(blanks(s), s->p < s->end && *s->p == ')'))
            return bad(err, s, "expected ',' or ')' in the shape");
    }
}

int cc_npy_parse(cc_tensor_file *out, const unsigned char *data, size_t len, cc_error *err)
{
    memset(out, 0, sizeof *out);
    if (len < 10 || memcmp(data, "\x93NUMPY", 6) != 0)
        return cc_error_set(err, CC_EINVAL, "at byte 0: not a .npy file (no \\x93NUMPY magic)");
    int major = data[6];
    if (major < 1 || major > 3)
        return cc_error_set(err, CC_EINVAL, "at byte 6: .npy format version %d (convcalc reads "
                                            "1, 2 and 3)", major);
    size_t hl, hstart = major == 1 ? 10 : 12;
    if (len < hstart)
        return cc_error_set(err, CC_EINVAL, "at byte %zu: the file ends inside the header "
                                            "length (truncated?)", len);
    hl = major == 1 ? (size_t)data[8] | (size_t)data[9] << 8
                    : (size_t)data[8] | (size_t)data[9] << 8 | (size_t)data[10] << 16 |
                          (size_t)data[11] << 24;
    if (hl > len - hstart)
        return cc_error_set(err, CC_EINVAL, "at byte 8: a %zu-byte header in a %zu-byte file "
                                            "(truncated?)", hl, len);
    scan s = {(const char *)data + hstart, (const char *)data + hstart + hl, hstart,
              (const char *)data + hstart};
    const char *descr = NULL;
    size_t dl = 0;
    int fortran = -1, have_shape = 0, rc;
    if (!eat(&s, '{'))
        return bad(err, &s, "expected '{'");
    while (!eat(&s, '}')) {
        const char *k;
        size_t kl;
        if (!quoted(&s, &k, &kl) || !eat(&s, ':'))
            return bad(err, &s, "expected 'key':");
        if (kl == 5 && memcmp(k, "descr", 5) == 0) {
            if (!quoted(&s, &descr, &dl))
                return bad(err, &s, "expected a dtype string after 'descr'");
        } else if (kl == 13 && memcmp(k, "fortran_order", 13) == 0) {
            fortran = word(&s, "True") ? 1 : word(&s, "False") ? 0 : -2;
            if (fortran == -2)
                return bad(err, &s, "expected True or False after 'fortran_order'");
        } else if (kl == 5 && memcmp(k, "shape", 5) == 0) {
            if ((rc = shape_tuple(&s, out, err)) != 0)
                return rc;
            have_shape = 1;
        } else {
            return bad(err, &s, "an unknown key (expected descr, fortran_order, shape)");
        }
        if (!eat(&s, ',') && !(blanks(&s), s.p < s.end && *s.p == '}'))
            return bad(err, &s, "expected ',' or '}'");
    }
    if (!descr || fortran < 0 || !have_shape)
        return bad(err, &s, "descr, fortran_order or shape is missing");
    if (fortran)
        return cc_error_set(err, CC_EINVAL, "at byte %zu: fortran_order is True (column-major); "
                                            "convcalc reads C-order arrays (save it with "
                                            "np.ascontiguousarray)", hstart);
    pk_dtype dt;
    if (dl == 3 && memcmp(descr, "<f4", 3) == 0)
        dt = PK_F32;
    else if (dl == 3 && memcmp(descr, "<f8", 3) == 0)
        dt = PK_F64;
    else if (dl == 3 && (memcmp(descr, "|u1", 3) == 0 || memcmp(descr, "<u1", 3) == 0))
        dt = PK_U8;
    else
        return cc_error_set(err, CC_EINVAL, "at byte %zu: dtype '%.*s' (convcalc reads '<f4', "
                                            "'<f8' and '|u1')", hstart, (int)(dl > 16 ? 16 : dl),
                            descr);
    size_t count = 1, bytes;
    for (int d = 0; d < out->ndim; d++)
        if (cc_size_mul(count, (size_t)out->shape[d], &count) != 0)
            return cc_error_set(err, CC_ERANGE, "at byte %zu: the shape's size overflows",
                                hstart);
    size_t body = len - hstart - hl;
    if (cc_size_mul(count, pk_dtype_size(dt), &bytes) != 0 || bytes != body)
        return cc_error_set(err, CC_EINVAL, "at byte %zu: the shape needs %zu values of %zu "
                                            "bytes but %zu bytes follow the header (truncated?)",
                            len, count, pk_dtype_size(dt), body);
    out->data = malloc(count ? count * sizeof(float) : 1);
    if (!out->data)
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    pk_convert(out->data, data + hstart + hl, dt, count);
    out->count = count;
    snprintf(out->dtype, sizeof out->dtype, "%s", pk_dtype_name(dt));
    return 0;
}
