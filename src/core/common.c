/* common.c - errors, text buffers, formats, compact numbers, checked sizes. */
#include "convcalc/common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors --------------------------------------------------------------- */

void cc_error_clear(cc_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

static int error_vset(cc_error *err, int code, int line, int col,
                      const char *fmt, va_list ap)
{
    if (!err)
        return code;
    /* formatted apart first: an argument may be err->msg itself, as in
     * cc_error_set(err, rc, "tensor %s: %s", name, err->msg) */
    char msg[sizeof err->msg];
    vsnprintf(msg, sizeof msg, fmt, ap);
    memcpy(err->msg, msg, sizeof msg);
    err->code = code;
    err->line = line;
    err->col = col;
    return code;
}

int cc_error_set(cc_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vset(err, code, 0, 0, fmt, ap);
    va_end(ap);
    return code;
}

int cc_error_at(cc_error *err, int code, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vset(err, code, line, col, fmt, ap);
    va_end(ap);
    return code;
}

void cc_error_source(cc_error *err, const char *source)
{
    if (err && source)
        snprintf(err->source, sizeof err->source, "%s", source);
}

const char *cc_strerror(int code)
{
    switch (code) {
    case CC_OK: return "success";
    case CC_EINVAL: return "invalid input";
    case CC_ERANGE: return "value out of range";
    case CC_ENOMEM: return "out of memory";
    case CC_EIO: return "input/output error";
    case CC_ESHAPE: return "shape mismatch";
    case CC_ENOSOL: return "no solution";
    case CC_ENUMERIC: return "not a finite number";
    case CC_EINTERNAL: return "internal error";
    default: return "unknown error";
    }
}

/* ---- buffers -------------------------------------------------------------- */

void cc_buf_free(cc_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

void cc_buf_reset(cc_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

/* Make room for n more bytes plus the terminator. */
static int buf_reserve(cc_buf *b, size_t n)
{
    if (b->failed)
        return -1;
    if (n > SIZE_MAX - b->len - 1) {
        b->failed = 1;
        return -1;
    }
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

void cc_buf_append(cc_buf *b, const char *s, size_t n)
{
    if (buf_reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void cc_buf_puts(cc_buf *b, const char *s) { cc_buf_append(b, s, strlen(s)); }

void cc_buf_putc(cc_buf *b, char c) { cc_buf_append(b, &c, 1); }

void cc_buf_vprintf(cc_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if (buf_reserve(b, (size_t)n))
        return;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void cc_buf_printf(cc_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cc_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

int cc_buf_failed(const cc_buf *b) { return b->failed; }

const char *cc_buf_str(const cc_buf *b) { return b->data ? b->data : ""; }

/* ---- formats -------------------------------------------------------------- */

static const struct {
    const char *name;
    cc_format f;
} format_names[] = {
    {"text", CC_FORMAT_TEXT},   {"markdown", CC_FORMAT_MARKDOWN},
    {"md", CC_FORMAT_MARKDOWN}, {"latex", CC_FORMAT_LATEX},
    {"tex", CC_FORMAT_LATEX},   {"csv", CC_FORMAT_CSV},
    {"json", CC_FORMAT_JSON},
};

int cc_format_parse(const char *name, cc_format *out)
{
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
        if (name && strcmp(name, format_names[i].name) == 0) {
            *out = format_names[i].f;
            return CC_OK;
        }
    return CC_EINVAL;
}

const char *cc_format_name(cc_format f)
{
    switch (f) {
    case CC_FORMAT_TEXT: return "text";
    case CC_FORMAT_MARKDOWN: return "markdown";
    case CC_FORMAT_LATEX: return "latex";
    case CC_FORMAT_CSV: return "csv";
    case CC_FORMAT_JSON: return "json";
    }
    return "text";
}

/* ---- numbers -------------------------------------------------------------- */

char *cc_fmt_num(char *out, size_t size, double v, int digits)
{
    if (size == 0)
        return out;
    if (isnan(v)) {
        snprintf(out, size, "nan");
        return out;
    }
    if (isinf(v)) {
        snprintf(out, size, v < 0 ? "-inf" : "inf");
        return out;
    }
    if (v == 0.0)
        v = 0.0; /* no "-0" */
    if (fabs(v) < 1e15 && v == floor(v)) {
        snprintf(out, size, "%.0f", v);
        return out;
    }
    if (digits < 1)
        digits = 1;
    if (digits > 17)
        digits = 17;
    snprintf(out, size, "%.*g", digits, v);
    return out;
}

/* ---- checked sizes ---------------------------------------------------------- */

int cc_size_mul(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a)
        return CC_ERANGE;
    *out = a * b;
    return CC_OK;
}

int cc_size_add(size_t a, size_t b, size_t *out)
{
    if (b > SIZE_MAX - a)
        return CC_ERANGE;
    *out = a + b;
    return CC_OK;
}

int cc_i64_mul(int64_t a, int64_t b, int64_t *out)
{
    if (__builtin_mul_overflow(a, b, out))
        return CC_ERANGE;
    return CC_OK;
}

int cc_i64_add(int64_t a, int64_t b, int64_t *out)
{
    if (__builtin_add_overflow(a, b, out))
        return CC_ERANGE;
    return CC_OK;
}
