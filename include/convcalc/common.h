/* convcalc/common.h - errors, text buffers, output formats and checked size
 * arithmetic shared by every module of libconvcalc.
 *
 * Conventions (see ARCHITECTURE.md):
 *   - functions return int: 0 on success, a negative CC_E* code on failure,
 *     and fill the caller's cc_error (which may be NULL) with a message and,
 *     when the input was text, the 1-based line and column;
 *   - the library never prints, never exits, never aborts on bad input:
 *     text output is rendered into a cc_buf that the caller writes.
 */
#ifndef CONVCALC_COMMON_H
#define CONVCALC_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- status codes ------------------------------------------------------ */
enum {
    CC_OK = 0,
    CC_EINVAL = -1,   /* bad input: a value out of range, a malformed text   */
    CC_ERANGE = -2,   /* a size or value that would overflow                 */
    CC_ENOMEM = -3,   /* allocation failed                                   */
    CC_EIO = -4,      /* reading or writing a file failed                    */
    CC_ESHAPE = -5,   /* shapes that do not fit together                     */
    CC_ENOSOL = -6,   /* a well-posed question with no (integer) solution    */
    CC_ENUMERIC = -7, /* NaN or infinity where a finite number is required   */
    CC_EINTERNAL = -8 /* a bug: a state that should be impossible            */
};

/* Where an error was found and what it is. line/col are 1-based; 0 means
 * "not known". source names the file (or "<stdin>", "<argument>") when the
 * caller set it; the library fills it only when it opened the file itself. */
typedef struct cc_error {
    int code;
    int line;
    int col;
    char source[256];
    char msg[512];
} cc_error;

/* Clear err (safe on NULL). */
void cc_error_clear(cc_error *err);
/* Set code and a printf-style message; returns code so callers can write
 * `return cc_error_set(err, CC_EINVAL, "...")`. err may be NULL. An
 * argument may be err->msg itself, to prefix context to an error. */
int cc_error_set(cc_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* As cc_error_set, with the 1-based position in the text being read. */
int cc_error_at(cc_error *err, int code, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Record the name of the file the error belongs to (keeps line/col). */
void cc_error_source(cc_error *err, const char *source);
/* Short name of a status code: "invalid input", "overflow", ... */
const char *cc_strerror(int code);

/* ---- growable text buffer ---------------------------------------------- */
/* A NUL-terminated string that grows as text is appended. Zero-initialise
 * (cc_buf b = {0};) and release with cc_buf_free. After an allocation failure
 * the buffer is marked failed: further appends are ignored and
 * cc_buf_failed() returns nonzero, so renderers can append freely and check
 * once at the end. */
typedef struct cc_buf {
    char *data;  /* always NUL-terminated once anything was appended */
    size_t len;
    size_t cap;
    int failed;
} cc_buf;

void cc_buf_free(cc_buf *b);
void cc_buf_reset(cc_buf *b); /* len = 0, keeps the memory */
void cc_buf_append(cc_buf *b, const char *s, size_t n);
void cc_buf_puts(cc_buf *b, const char *s);
void cc_buf_putc(cc_buf *b, char c);
void cc_buf_printf(cc_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cc_buf_vprintf(cc_buf *b, const char *fmt, va_list ap);
int cc_buf_failed(const cc_buf *b);
/* The text so far ("" for an empty buffer, never NULL). */
const char *cc_buf_str(const cc_buf *b);

/* ---- output formats ----------------------------------------------------- */
typedef enum cc_format {
    CC_FORMAT_TEXT = 0,
    CC_FORMAT_MARKDOWN,
    CC_FORMAT_LATEX,
    CC_FORMAT_CSV,
    CC_FORMAT_JSON
} cc_format;

/* "text", "markdown" (or "md"), "latex" (or "tex"), "csv", "json".
 * Returns 0 and sets *out, or CC_EINVAL. */
int cc_format_parse(const char *name, cc_format *out);
const char *cc_format_name(cc_format f);

/* ---- numbers ------------------------------------------------------------ */
/* Print a real number compactly: integers without a fractional part
 * ("2", "-7"), others with up to `digits` significant digits and no trailing
 * zeros ("0.5", "1.25", "3.333333"). Writes at most size bytes; returns out. */
char *cc_fmt_num(char *out, size_t size, double v, int digits);

/* ---- checked size arithmetic -------------------------------------------- */
/* Each returns 0 and stores the result, or CC_ERANGE on overflow. */
int cc_size_mul(size_t a, size_t b, size_t *out);
int cc_size_add(size_t a, size_t b, size_t *out);
int cc_i64_mul(int64_t a, int64_t b, int64_t *out);
int cc_i64_add(int64_t a, int64_t b, int64_t *out);

/* Largest dimension (rows, columns, channels, kernel extent...) any module
 * accepts. Products of dimensions are still checked separately. */
#define CC_DIM_MAX 1000000000L

#ifdef __cplusplus
}
#endif
#endif
