/* matrix.c - small matrices (N x C x R x K stacks): parsing and printing.
 * The text formats are described in matrix.h and convcalc-matrix(5). */
#include "convcalc/matrix.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest magnitude a value may have: cc_fmt_num prints whole numbers below
 * 1e15 exactly, and doubles hold every integer up to 2^53 > 1e15. */
#define VALUE_MAX 1e15

/* ---- basics ----------------------------------------------------------------- */

static int dims_count(long n, long c, long rows, long cols, size_t *count,
                      cc_error *err)
{
    long d[4] = {n, c, rows, cols};
    static const char *names[4] = {"group count", "channel count", "row count",
                                   "column count"};
    size_t total = 1;
    for (int i = 0; i < 4; i++) {
        if (d[i] < 1)
            return cc_error_set(err, CC_EINVAL, "matrix %s must be positive (got %ld)",
                                names[i], d[i]);
        if (d[i] > CC_DIM_MAX)
            return cc_error_set(err, CC_ERANGE, "matrix %s %ld exceeds the limit of %ld",
                                names[i], d[i], CC_DIM_MAX);
        if (cc_size_mul(total, (size_t)d[i], &total))
            return cc_error_set(err, CC_ERANGE, "matrix of %ldx%ldx%ldx%ld values is too large",
                                n, c, rows, cols);
    }
    size_t bytes;
    if (cc_size_mul(total, sizeof(double), &bytes))
        return cc_error_set(err, CC_ERANGE, "matrix of %ldx%ldx%ldx%ld values is too large",
                            n, c, rows, cols);
    *count = total;
    return CC_OK;
}

int cc_matrix_new(cc_matrix *m, long n, long c, long rows, long cols, cc_error *err)
{
    memset(m, 0, sizeof *m);
    size_t count = 0;
    int rc = dims_count(n, c, rows, cols, &count, err);
    if (rc)
        return rc;
    m->data = calloc(count, sizeof(double));
    if (!m->data)
        return cc_error_set(err, CC_ENOMEM, "out of memory for a %ldx%ldx%ldx%ld matrix",
                            n, c, rows, cols);
    m->n = n;
    m->c = c;
    m->rows = rows;
    m->cols = cols;
    return CC_OK;
}

void cc_matrix_free(cc_matrix *m)
{
    if (!m)
        return;
    free(m->data);
    memset(m, 0, sizeof *m);
}

int cc_matrix_from(cc_matrix *m, long n, long c, long rows, long cols,
                   const double *values, cc_error *err)
{
    int rc = cc_matrix_new(m, n, c, rows, cols, err);
    if (rc)
        return rc;
    memcpy(m->data, values, cc_matrix_size(m) * sizeof(double));
    return CC_OK;
}

int cc_matrix_copy(cc_matrix *dst, const cc_matrix *src, cc_error *err)
{
    return cc_matrix_from(dst, src->n, src->c, src->rows, src->cols, src->data, err);
}

size_t cc_matrix_size(const cc_matrix *m)
{
    if (!m->data)
        return 0;
    return (size_t)m->n * (size_t)m->c * (size_t)m->rows * (size_t)m->cols;
}

double *cc_matrix_plane(const cc_matrix *m, long n, long c)
{
    return m->data + ((size_t)n * (size_t)m->c + (size_t)c) * (size_t)m->rows * (size_t)m->cols;
}

double cc_matrix_get(const cc_matrix *m, long n, long c, long r, long k)
{
    return cc_matrix_plane(m, n, c)[(size_t)r * (size_t)m->cols + (size_t)k];
}

void cc_matrix_set(cc_matrix *m, long n, long c, long r, long k, double v)
{
    cc_matrix_plane(m, n, c)[(size_t)r * (size_t)m->cols + (size_t)k] = v;
}

int cc_matrix_is_integer(const cc_matrix *m)
{
    size_t n = cc_matrix_size(m);
    for (size_t i = 0; i < n; i++)
        if (m->data[i] != floor(m->data[i]))
            return 0;
    return 1;
}

int cc_matrix_equal(const cc_matrix *a, const cc_matrix *b)
{
    if (a->n != b->n || a->c != b->c || a->rows != b->rows || a->cols != b->cols)
        return 0;
    size_t n = cc_matrix_size(a);
    for (size_t i = 0; i < n; i++)
        if (a->data[i] != b->data[i])
            return 0;
    return 1;
}

/* ---- parsing ------------------------------------------------------------------ */

typedef struct parser {
    const char *s;
    size_t len, pos;
    int line, col;
    cc_error *err;
    double *vals; /* values read so far */
    size_t nvals, cap;
} parser;

static int peek(const parser *p) { return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1; }

static int peek_at(const parser *p, size_t ahead)
{
    return p->pos + ahead < p->len ? (unsigned char)p->s[p->pos + ahead] : -1;
}

/* Advance one byte, keeping line and column (columns count characters:
 * UTF-8 continuation bytes do not start a new column). */
static void advance(parser *p)
{
    if (p->pos >= p->len)
        return;
    unsigned char ch = (unsigned char)p->s[p->pos++];
    if (ch == '\n') {
        p->line++;
        p->col = 1;
    } else if ((ch & 0xC0) != 0x80) {
        p->col++;
    }
}

/* U+2212 MINUS SIGN, as pasted from PDFs and web pages. */
static int at_unicode_minus(const parser *p)
{
    return peek(p) == 0xE2 && peek_at(p, 1) == 0x88 && peek_at(p, 2) == 0x92;
}

static int push_value(parser *p, double v, int line, int col)
{
    if (p->nvals == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64, bytes;
        if (cc_size_mul(cap, sizeof(double), &bytes))
            return cc_error_at(p->err, CC_ERANGE, line, col, "too many values");
        double *nv = realloc(p->vals, bytes);
        if (!nv)
            return cc_error_at(p->err, CC_ENOMEM, line, col, "out of memory");
        p->vals = nv;
        p->cap = cap;
    }
    p->vals[p->nvals++] = v;
    return CC_OK;
}

static int is_number_start(const parser *p)
{
    int ch = peek(p);
    if (ch == '+' || ch == '-' || ch == '.' || (ch >= '0' && ch <= '9'))
        return 1;
    return at_unicode_minus(p);
}

/* Describe the character at the current position for an error message. */
static void describe_here(const parser *p, char *out, size_t size)
{
    int ch = peek(p);
    if (ch < 0)
        snprintf(out, size, "the end of the text");
    else if (ch == '\n')
        snprintf(out, size, "the end of the line");
    else if (ch >= 0x21 && ch < 0x7f)
        snprintf(out, size, "'%c'", ch);
    else if (ch == ' ' || ch == '\t' || ch == '\r')
        snprintf(out, size, "a blank");
    else
        snprintf(out, size, "the byte 0x%02x", (unsigned)ch);
}

/* Characters that may follow a number. */
static int ends_number(int ch)
{
    return ch < 0 || ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == ',' ||
           ch == ';' || ch == '|' || ch == '#' || ch == ']' || ch == ')';
}

/* Append a character to a number's token; a token that does not fit is
 * marked by setting *n past the end. */
static void tok_put(char *tok, size_t size, size_t *n, char ch)
{
    if (*n + 1 < size)
        tok[*n] = ch;
    if (*n < size)
        (*n)++;
}

static int read_digits(parser *p, char *tok, size_t size, size_t *n)
{
    int digits = 0;
    while (peek(p) >= '0' && peek(p) <= '9') {
        tok_put(tok, size, n, (char)peek(p));
        digits++;
        advance(p);
    }
    return digits;
}

/* Read one number: [+-]digits[.digits][(e|E)[+-]digits]. */
static int read_number(parser *p, double *out)
{
    int line = p->line, col = p->col;
    char tok[80];
    size_t n = 0;
    if (at_unicode_minus(p)) {
        tok_put(tok, sizeof tok, &n, '-');
        advance(p);
        advance(p);
        advance(p);
    } else if (peek(p) == '+' || peek(p) == '-') {
        tok_put(tok, sizeof tok, &n, (char)peek(p));
        advance(p);
    }
    int digits = read_digits(p, tok, sizeof tok, &n);
    if (peek(p) == '.') {
        tok_put(tok, sizeof tok, &n, '.');
        advance(p);
        digits += read_digits(p, tok, sizeof tok, &n);
    }
    if (!digits) {
        char what[32];
        describe_here(p, what, sizeof what);
        return cc_error_at(p->err, CC_EINVAL, p->line, p->col,
                           "expected a digit, found %s (a number such as 2, -1 or 0.5)", what);
    }
    if (peek(p) == 'e' || peek(p) == 'E') {
        tok_put(tok, sizeof tok, &n, 'e');
        advance(p);
        if (peek(p) == '+' || peek(p) == '-') {
            tok_put(tok, sizeof tok, &n, (char)peek(p));
            advance(p);
        }
        if (!read_digits(p, tok, sizeof tok, &n))
            return cc_error_at(p->err, CC_EINVAL, p->line, p->col,
                               "expected the digits of an exponent (as in 1e-3)");
    }
    if (n + 1 > sizeof tok)
        return cc_error_at(p->err, CC_ERANGE, line, col, "number too long (at most %zu characters)",
                           sizeof tok - 1);
    tok[n] = '\0';
    if (!ends_number(peek(p))) {
        char what[32];
        describe_here(p, what, sizeof what);
        return cc_error_at(p->err, CC_EINVAL, p->line, p->col,
                           "unexpected %s after the number %s (expected a blank, ',', ';' or '|')",
                           what, tok);
    }
    double v = strtod(tok, NULL);
    if (!isfinite(v) || fabs(v) > VALUE_MAX)
        return cc_error_at(p->err, CC_ERANGE, line, col,
                           "the number %s is too large (at most 1e15 in magnitude)", tok);
    *out = v == 0.0 ? 0.0 : v; /* no negative zero */
    return push_value(p, *out, line, col);
}

/* Skip blanks (not newlines) and a '#' comment up to the newline; returns 1
 * when a comment was skipped. */
static int skip_blanks(parser *p)
{
    int comment = 0;
    for (;;) {
        int ch = peek(p);
        if (ch == ' ' || ch == '\t' || ch == '\r') {
            advance(p);
        } else if (ch == '#') {
            comment = 1;
            while (peek(p) >= 0 && peek(p) != '\n')
                advance(p);
        } else {
            return comment;
        }
    }
}

/* Shape bookkeeping shared by both syntaxes: level 0 is a group (its items
 * are channels), 1 a channel (rows), 2 a row (values). shape[l] is the
 * expected number of items at level l (0: not known yet), count[l] the
 * number in the current one, groups the number of closed groups. */
typedef struct shaper {
    long shape[3];
    long count[3];
    long groups;
} shaper;

static const char *level_item[3] = {"channel", "row", "value"};
static const char *level_owner[3] = {"filter", "channel", "row"};

/* Close the current item of level l: check it against the first one. */
static int close_level(parser *p, shaper *sh, int l, int line, int col)
{
    long got = sh->count[l];
    if (sh->shape[l] == 0)
        sh->shape[l] = got;
    else if (sh->shape[l] != got)
        return cc_error_at(p->err, CC_EINVAL, line, col,
                           "this %s has %ld %s%s, expected %ld like the first %s",
                           level_owner[l], got, level_item[l], got == 1 ? "" : "s",
                           sh->shape[l], level_owner[l]);
    sh->count[l] = 0;
    long *up = l > 0 ? &sh->count[l - 1] : &sh->groups;
    if (*up >= CC_DIM_MAX)
        return cc_error_at(p->err, CC_ERANGE, line, col, "more than %ld %ss", CC_DIM_MAX,
                           l > 0 ? level_owner[l - 1] : "filter");
    (*up)++;
    return CC_OK;
}

static int empty_field(parser *p, int line, int col)
{
    return cc_error_at(p->err, CC_EINVAL, line, col,
                       "an empty field: expected a number after ','");
}

/* Plain text and CSV: rows end at ';' or a newline, channels at '|' or a
 * blank line, groups at "||" or a line holding only "---". */
static int parse_plain(parser *p, long dims[4])
{
    shaper sh = {{0}, {0}, 0};
    int rc;
    int line_has_content = 0; /* anything but blanks on this line */
    int blank_pending = 0;    /* a blank line followed the last row */
    int after_comma = 0;      /* the last token was ',' */
    int sep_line = 0, sep_col = 0;
    for (;;) {
        if (skip_blanks(p))
            line_has_content = 1;
        int ch = peek(p);
        int line = p->line, col = p->col;
        if (ch < 0 || ch == '\n' || ch == ';') {
            if (after_comma)
                return empty_field(p, line, col);
            if (sh.count[2] > 0) {
                if ((rc = close_level(p, &sh, 2, line, col)))
                    return rc;
            } else if (ch == ';') {
                return cc_error_at(p->err, CC_EINVAL, line, col,
                                   "an empty row: expected numbers before ';'");
            } else if (ch == '\n' && !line_has_content && sh.count[1] > 0) {
                blank_pending = 1;
            }
            if (ch < 0)
                break;
            line_has_content = ch != '\n';
            advance(p);
            continue;
        }
        line_has_content = 1;
        int dashes = ch == '-' && peek_at(p, 1) == '-';
        if (blank_pending && ch != '|' && !dashes) {
            /* a blank line between rows ends the channel */
            if ((rc = close_level(p, &sh, 1, line, col)))
                return rc;
            sep_line = line;
            sep_col = col;
        }
        blank_pending = 0;
        if (ch == ',') {
            if (sh.count[2] == 0)
                return cc_error_at(p->err, CC_EINVAL, line, col,
                                   "an empty field: expected a number before ','");
            if (after_comma)
                return empty_field(p, line, col);
            after_comma = 1;
            advance(p);
            continue;
        }
        if (ch == '|' || dashes) {
            int group = 0;
            const char *sep = "|";
            if (ch == '|') {
                advance(p);
                if (peek(p) == '|') {
                    advance(p);
                    group = 1;
                    sep = "||";
                }
            } else {
                int n = 0;
                while (peek(p) == '-') {
                    advance(p);
                    n++;
                }
                skip_blanks(p);
                if (col != 1 || n != 3 || (peek(p) >= 0 && peek(p) != '\n'))
                    return cc_error_at(p->err, CC_EINVAL, line, col,
                                       "unexpected '--': a line holding only '---' "
                                       "separates filters");
                group = 1;
                sep = "---";
            }
            if (after_comma)
                return empty_field(p, line, col);
            if (sh.count[2] > 0 && (rc = close_level(p, &sh, 2, line, col)))
                return rc;
            if (sh.count[1] == 0)
                return cc_error_at(p->err, CC_EINVAL, line, col,
                                   "an empty %s before '%s' (expected rows of numbers)",
                                   sh.count[0] == 0 && group ? "filter" : "channel", sep);
            if ((rc = close_level(p, &sh, 1, line, col)))
                return rc;
            if (group && (rc = close_level(p, &sh, 0, line, col)))
                return rc;
            sep_line = line;
            sep_col = col;
            continue;
        }
        if (is_number_start(p)) {
            double v;
            if ((rc = read_number(p, &v)))
                return rc;
            if (sh.shape[2] && sh.count[2] >= sh.shape[2])
                return cc_error_at(p->err, CC_EINVAL, line, col,
                                   "this row has more than %ld value%s, expected %ld like "
                                   "the first row",
                                   sh.shape[2], sh.shape[2] == 1 ? "" : "s", sh.shape[2]);
            if (sh.count[2] >= CC_DIM_MAX)
                return cc_error_at(p->err, CC_ERANGE, line, col,
                                   "more than %ld values in a row", CC_DIM_MAX);
            sh.count[2]++;
            after_comma = 0;
            continue;
        }
        char what[32];
        describe_here(p, what, sizeof what);
        return cc_error_at(p->err, CC_EINVAL, line, col,
                           "unexpected %s (expected a number, ',', ';', '|' or a new line)",
                           what);
    }
    if (sh.count[1] == 0) {
        if (sh.groups > 0 || sh.count[0] > 0)
            return cc_error_at(p->err, CC_EINVAL, sep_line, sep_col,
                               "nothing follows this separator (expected another %s)",
                               sh.count[0] > 0 ? "channel" : "filter");
        return cc_error_at(p->err, CC_EINVAL, p->line, p->col,
                           "an empty matrix (expected rows of numbers such as \"1 2; 3 4\")");
    }
    if ((rc = close_level(p, &sh, 1, p->line, p->col)) ||
        (rc = close_level(p, &sh, 0, p->line, p->col)))
        return rc;
    dims[0] = sh.groups;
    dims[1] = sh.shape[0];
    dims[2] = sh.shape[1];
    dims[3] = sh.shape[2];
    return CC_OK;
}

/* Skip blanks, newlines and comments. */
static void skip_space(parser *p)
{
    for (;;) {
        skip_blanks(p);
        if (peek(p) != '\n')
            return;
        advance(p);
    }
}

/* NumPy / JSON brackets. depth counts from 1 (the outermost list);
 * p_leaf is the depth whose items are numbers (0 until the first number).
 * shape[d] is the item count of the first list closed at depth d. */
typedef struct brackets {
    int leaf;
    long shape[5];
} brackets;

static const char *bracket_owner(const brackets *b, int depth)
{
    switch (b->leaf - depth) {
    case 0: return "row";
    case 1: return "matrix";
    case 2: return "filter";
    default: return "list";
    }
}

static int parse_list(parser *p, brackets *b, int depth)
{
    int open_line = p->line, open_col = p->col;
    if (depth > 4)
        return cc_error_at(p->err, CC_EINVAL, p->line, p->col,
                           "lists nested too deeply (at most 4 levels: filters, channels, "
                           "rows, values)");
    advance(p); /* '[' */
    long count = 0;
    int rc;
    skip_space(p);
    if (peek(p) == ']')
        return cc_error_at(p->err, CC_EINVAL, p->line, p->col,
                           "an empty list (expected numbers or lists)");
    for (;;) {
        int line = p->line, col = p->col;
        if (peek(p) == '[') {
            if (b->leaf && depth >= b->leaf)
                return cc_error_at(p->err, CC_EINVAL, line, col,
                                   "expected a number, found '[' (lists must be nested "
                                   "equally deep)");
            if ((rc = parse_list(p, b, depth + 1)))
                return rc;
        } else if (is_number_start(p)) {
            if (b->leaf == 0)
                b->leaf = depth;
            else if (b->leaf != depth)
                return cc_error_at(p->err, CC_EINVAL, line, col,
                                   "expected '[', found a number (lists must be nested "
                                   "equally deep)");
            double v;
            if ((rc = read_number(p, &v)))
                return rc;
        } else {
            char what[32];
            describe_here(p, what, sizeof what);
            return cc_error_at(p->err, CC_EINVAL, line, col,
                               "unexpected %s (expected a number or '[')", what);
        }
        if (count >= CC_DIM_MAX)
            return cc_error_at(p->err, CC_ERANGE, line, col, "more than %ld items in a list",
                               CC_DIM_MAX);
        count++;
        size_t before = p->pos;
        skip_space(p);
        int spaced = p->pos != before;
        if (peek(p) == ',') {
            advance(p);
            skip_space(p);
            if (peek(p) == ']' || peek(p) == ',')
                return cc_error_at(p->err, CC_EINVAL, p->line, p->col,
                                   "expected a number or '[' after ','");
            continue;
        }
        if (peek(p) == ']')
            break;
        if (peek(p) < 0)
            return cc_error_at(p->err, CC_EINVAL, p->line, p->col,
                               "the text ends inside a list: missing ']' for the '[' at "
                               "line %d, column %d",
                               open_line, open_col);
        if (!spaced) {
            char what[32];
            describe_here(p, what, sizeof what);
            return cc_error_at(p->err, CC_EINVAL, p->line, p->col,
                               "unexpected %s (expected ',' or ']')", what);
        }
    }
    int line = p->line, col = p->col;
    advance(p); /* ']' */
    if (b->shape[depth] == 0) {
        b->shape[depth] = count;
    } else if (b->shape[depth] != count) {
        const char *owner = bracket_owner(b, depth);
        const char *item = b->leaf == depth ? "value" : b->leaf - depth == 1 ? "row"
                                                      : b->leaf - depth == 2 ? "channel"
                                                                             : "item";
        return cc_error_at(p->err, CC_EINVAL, line, col,
                           "this %s has %ld %s%s, expected %ld like the first %s", owner, count,
                           item, count == 1 ? "" : "s", b->shape[depth], owner);
    }
    return CC_OK;
}

/* "array(", "np.array(", "numpy.array(", "tensor(", "torch.tensor(". */
static size_t wrapper_len(const parser *p)
{
    static const char *names[] = {"array(", "np.array(", "numpy.array(", "tensor(",
                                  "torch.tensor("};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t n = strlen(names[i]);
        if (p->len - p->pos >= n && memcmp(p->s + p->pos, names[i], n) == 0)
            return n;
    }
    return 0;
}

static int parse_brackets(parser *p, long dims[4])
{
    brackets b = {0, {0}};
    size_t wrap = wrapper_len(p);
    int wline = p->line, wcol = p->col;
    for (size_t i = 0; i < wrap; i++)
        advance(p);
    skip_space(p);
    if (peek(p) != '[') {
        char what[32];
        describe_here(p, what, sizeof what);
        return cc_error_at(p->err, CC_EINVAL, p->line, p->col, "unexpected %s (expected '[')",
                           what);
    }
    int rc = parse_list(p, &b, 1);
    if (rc)
        return rc;
    skip_space(p);
    if (wrap) {
        /* NumPy and PyTorch add ", dtype=..." or ", requires_grad=True" */
        if (peek(p) == ',') {
            advance(p);
            while (peek(p) >= 0 && peek(p) != ')' && peek(p) != '[' && peek(p) != '(')
                advance(p);
        }
        if (peek(p) != ')')
            return cc_error_at(p->err, CC_EINVAL, p->line, p->col,
                               "missing ')' for the '(' opened at line %d, column %d", wline,
                               wcol + (int)wrap - 1);
        advance(p);
        skip_space(p);
    }
    if (peek(p) >= 0) {
        char what[32];
        describe_here(p, what, sizeof what);
        return cc_error_at(p->err, CC_EINVAL, p->line, p->col,
                           "unexpected %s after the end of the matrix", what);
    }
    /* shape[1..leaf] -> n, c, rows, cols (missing outer levels are 1) */
    long d[4] = {1, 1, 1, 1};
    for (int i = 0; i < b.leaf && i < 4; i++)
        d[4 - b.leaf + i] = b.shape[i + 1];
    memcpy(dims, d, sizeof d);
    return CC_OK;
}

int cc_matrix_parse(cc_matrix *m, const char *text, size_t len, cc_error *err)
{
    memset(m, 0, sizeof *m);
    parser p = {text, len, 0, 1, 1, err, NULL, 0, 0};
    if (!text)
        return cc_error_set(err, CC_EINVAL, "no matrix given");
    /* skip a UTF-8 byte order mark */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        p.pos = 3;
    size_t start = p.pos;
    int sl = 1, sc = 1;
    skip_space(&p);
    long dims[4] = {0, 0, 0, 0};
    int rc;
    if (peek(&p) == '[' || wrapper_len(&p)) {
        rc = parse_brackets(&p, dims);
    } else {
        p.pos = start;
        p.line = sl;
        p.col = sc;
        rc = parse_plain(&p, dims);
    }
    if (rc == CC_OK && (size_t)dims[0] * (size_t)dims[1] * (size_t)dims[2] * (size_t)dims[3] !=
                           p.nvals)
        rc = cc_error_set(err, CC_EINTERNAL, "matrix parser counted %zu values for %ldx%ldx%ldx%ld",
                          p.nvals, dims[0], dims[1], dims[2], dims[3]);
    if (rc == CC_OK)
        rc = cc_matrix_from(m, dims[0], dims[1], dims[2], dims[3], p.vals, err);
    free(p.vals);
    return rc;
}

/* ---- printing ----------------------------------------------------------------- */

char *cc_matrix_fmt_value(char *out, size_t size, double v)
{
    return cc_fmt_num(out, size, v, CC_MATRIX_DIGITS);
}

int cc_matrix_col_width(const cc_matrix *m, long n, long c, long k)
{
    const double *pl = cc_matrix_plane(m, n, c);
    int w = 1;
    char s[64];
    for (long r = 0; r < m->rows; r++) {
        int l = (int)strlen(cc_matrix_fmt_value(s, sizeof s, pl[r * m->cols + k]));
        if (l > w)
            w = l;
    }
    return w;
}

#define JSON_DIGITS 15

static void json_plane(cc_buf *out, const cc_matrix *m, long n, long c)
{
    const double *pl = cc_matrix_plane(m, n, c);
    char s[64];
    cc_buf_putc(out, '[');
    for (long r = 0; r < m->rows; r++) {
        cc_buf_puts(out, r ? ",[" : "[");
        for (long k = 0; k < m->cols; k++) {
            if (k)
                cc_buf_putc(out, ',');
            cc_buf_puts(out, cc_fmt_num(s, sizeof s, pl[r * m->cols + k], JSON_DIGITS));
        }
        cc_buf_putc(out, ']');
    }
    cc_buf_putc(out, ']');
}

int cc_matrix_render(cc_buf *out, const cc_matrix *m, long n, long c, cc_format fmt,
                     int indent)
{
    if (!m->data || n < 0 || n >= m->n || c < 0 || c >= m->c)
        return CC_EINVAL;
    const double *pl = cc_matrix_plane(m, n, c);
    char s[64];
    switch (fmt) {
    case CC_FORMAT_JSON:
        json_plane(out, m, n, c);
        break;
    case CC_FORMAT_LATEX:
        cc_buf_puts(out, "\\begin{bmatrix}");
        for (long r = 0; r < m->rows; r++) {
            cc_buf_puts(out, r ? " \\\\ " : " ");
            for (long k = 0; k < m->cols; k++) {
                if (k)
                    cc_buf_puts(out, " & ");
                cc_buf_puts(out, cc_matrix_fmt_value(s, sizeof s, pl[r * m->cols + k]));
            }
        }
        cc_buf_puts(out, " \\end{bmatrix}");
        break;
    case CC_FORMAT_CSV:
        for (long r = 0; r < m->rows; r++) {
            for (long k = 0; k < m->cols; k++) {
                if (k)
                    cc_buf_putc(out, ',');
                cc_buf_puts(out, cc_matrix_fmt_value(s, sizeof s, pl[r * m->cols + k]));
            }
            cc_buf_putc(out, '\n');
        }
        break;
    case CC_FORMAT_MARKDOWN:
        indent += 4;
        /* fall through */
    case CC_FORMAT_TEXT: {
        if (indent < 0)
            indent = 0;
        for (long r = 0; r < m->rows; r++) {
            cc_buf_printf(out, "%*s[", indent, "");
            for (long k = 0; k < m->cols; k++) {
                int w = cc_matrix_col_width(m, n, c, k);
                cc_buf_printf(out, " %*s", w, cc_matrix_fmt_value(s, sizeof s, pl[r * m->cols + k]));
            }
            cc_buf_puts(out, " ]\n");
        }
        break;
    }
    }
    return cc_buf_failed(out) ? CC_ENOMEM : CC_OK;
}

int cc_matrix_render_json(cc_buf *out, const cc_matrix *m)
{
    if (!m->data)
        return CC_EINVAL;
    if (m->n == 1 && m->c == 1) {
        json_plane(out, m, 0, 0);
    } else {
        int groups = m->n > 1;
        if (groups)
            cc_buf_putc(out, '[');
        for (long n = 0; n < m->n; n++) {
            if (n)
                cc_buf_putc(out, ',');
            cc_buf_putc(out, '[');
            for (long c = 0; c < m->c; c++) {
                if (c)
                    cc_buf_putc(out, ',');
                json_plane(out, m, n, c);
            }
            cc_buf_putc(out, ']');
        }
        if (groups)
            cc_buf_putc(out, ']');
    }
    return cc_buf_failed(out) ? CC_ENOMEM : CC_OK;
}
