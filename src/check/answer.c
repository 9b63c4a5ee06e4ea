/* answer.c - reading answers the way a human grader does: "5x5", "5 × 5",
 * "5 by 5", "(5, 5)" and "5" are the same size; "390,410", "390 410" and
 * "390410" the same count; "= 508" at the end of a worked line is the
 * answer. */
#include "ex_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CLEAN_MAX 4096

/* A copy of text as a grader reads it: without a byte-order mark, with
 * every multiplication sign (UTF-8 or Latin-1 U+00D7, the dot operator) as
 * 'x', and without explanations in brackets -- "(25 weights)", "(from
 * 508/2)", "(F = 7)" -- as long as something with a digit stays outside
 * them ("(5, 5)" alone is kept). Returns 0, or -1 when text is too long. */
static int clean_answer(char *out, size_t size, const char *text)
{
    char tmp[CLEAN_MAX];
    size_t n = 0;
    const unsigned char *s = (const unsigned char *)text;
    if (s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        s += 3;
    for (; *s; s++) {
        if (n + 2 >= sizeof tmp)
            return -1;
        if (s[0] == 0xC3 && s[1] == 0x97) { /* U+00D7 in UTF-8 */
            tmp[n++] = 'x';
            s++;
        } else if (s[0] == 0xE2 && s[1] == 0x8B && s[2] == 0x85) { /* U+22C5 */
            tmp[n++] = 'x';
            s += 2;
        } else if (s[0] == 0xD7 && (s[1] < 0x80 || s[1] >= 0xC0)) { /* Latin-1 U+00D7 */
            tmp[n++] = 'x';
        } else {
            tmp[n++] = (char)s[0];
        }
    }
    tmp[n] = '\0';
    /* does a digit stay outside the brackets? */
    int depth = 0, outside = 0;
    for (size_t i = 0; i < n; i++) {
        char c = tmp[i];
        if (c == '(' || c == '[')
            depth++;
        else if ((c == ')' || c == ']') && depth > 0)
            depth--;
        else if (!depth && isdigit((unsigned char)c))
            outside = 1;
    }
    size_t o = 0;
    depth = 0;
    for (size_t i = 0; i < n && o + 1 < size; i++) {
        char c = tmp[i];
        if (outside && (c == '(' || c == '[')) {
            depth++;
            continue;
        }
        if (outside && (c == ')' || c == ']') && depth > 0) {
            depth--;
            if (o && out[o - 1] != ' ')
                out[o++] = ' ';
            continue;
        }
        if (!depth)
            out[o++] = c;
    }
    out[o] = '\0';
    return 0;
}

/* 1 if the answer offers two values ("3 or 6", "either 3 or 6"). */
static int hedged(const char *s)
{
    for (const char *q = s; *q; q++) {
        if (!strncasecmp(q, "either", 6) && (q == s || !isalpha((unsigned char)q[-1])))
            return 1;
        if ((q[0] == 'o' || q[0] == 'O') && (q[1] == 'r' || q[1] == 'R') && q > s &&
            isspace((unsigned char)q[-1]) && isspace((unsigned char)q[2])) {
            int before = 0, after = 0;
            for (const char *b = s; b < q; b++)
                before |= isdigit((unsigned char)*b);
            for (const char *b = q; *b; b++)
                after |= isdigit((unsigned char)*b);
            if (before && after)
                return 1;
        }
    }
    return 0;
}

/* The number after a label ("H = 112", "height: 112", "W=80"): 1 and *v
 * when the label is at q. */
static int labelled_at(const char *s, const char *q, const char *const *names, long *v)
{
    if (q > s && isalpha((unsigned char)q[-1]))
        return 0;
    for (size_t k = 0; names[k]; k++) {
        size_t l = strlen(names[k]);
        if (strncasecmp(q, names[k], l) || isalpha((unsigned char)q[l]))
            continue;
        const char *r = q + l;
        while (*r == ' ')
            r++;
        if (*r != '=' && *r != ':')
            return 0;
        r++;
        while (*r == ' ')
            r++;
        if (!isdigit((unsigned char)*r))
            return 0;
        *v = strtol(r, NULL, 10);
        return 1;
    }
    return 0;
}

/* A number followed by "(height)" / "(width)" / "(channels)" in the raw
 * text: 1 and *v when found for that word. */
static int annotated(const char *s, const char *word, long *v)
{
    size_t wl = strlen(word);
    for (const char *q = s; *q; q++) {
        if (*q != '(' || strncasecmp(q + 1, word, wl) || q[1 + wl] != ')')
            continue;
        const char *b = q;
        while (b > s && b[-1] == ' ')
            b--;
        const char *e = b;
        while (b > s && isdigit((unsigned char)b[-1]))
            b--;
        if (b == e)
            continue;
        *v = strtol(b, NULL, 10);
        return 1;
    }
    return 0;
}

/* Sizes given by their parts: "H = 112, W = 80", "112 (height) x 80
 * (width)", "height: 112, width: 80, channels: 3". Returns the count of
 * numbers (2 or 3) or 0. */
static int labelled_size(const char *s, long v[3])
{
    static const char *const hn[] = {"height", "h", NULL}, *const wn[] = {"width", "w", NULL};
    static const char *const cn[] = {"channels", "depth", "c", NULL};
    long h = 0, w = 0, c = 0;
    int fh = 0, fw = 0, fc = 0;
    for (const char *q = s; *q; q++) {
        fh = fh || labelled_at(s, q, hn, &h);
        fw = fw || labelled_at(s, q, wn, &w);
        fc = fc || labelled_at(s, q, cn, &c);
    }
    if (!fh)
        fh = annotated(s, "height", &h);
    if (!fw)
        fw = annotated(s, "width", &w);
    if (!fc)
        fc = annotated(s, "channels", &c);
    if (!fh || !fw)
        return 0;
    v[0] = h;
    v[1] = w;
    v[2] = c;
    return fc ? 3 : 2;
}

/* "80x112 (W x H)", "80 x 112 (width x height)": 1 if the answer says its
 * numbers are width first. */
static int width_first(const char *s)
{
    for (const char *q = s; *q; q++) {
        if (*q != '(')
            continue;
        const char *r = q + 1;
        while (*r == ' ')
            r++;
        if ((r[0] == 'W' || r[0] == 'w') && !strncasecmp(r, "width", 5))
            r += 5;
        else if ((r[0] == 'W' || r[0] == 'w') && !isalpha((unsigned char)r[1]))
            r++;
        else
            continue;
        while (*r == ' ')
            r++;
        if (*r == 'x' || *r == 'X' || *r == '*' || *r == ',')
            return 1;
    }
    return 0;
}

const char *ex_answer_core(const char *text)
{
    const char *eq = strrchr(text, '=');
    const char *s = eq ? eq + 1 : text;
    /* "~ 508", "≈ 508" */
    while (*s && (isspace((unsigned char)*s) || *s == '~'))
        s++;
    if ((unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x89 &&
        (unsigned char)s[2] == 0x88)
        s += 3;
    return s;
}

/* The first bytes of s, cut at a character boundary and at most `max`
 * bytes, with "..." when cut, into out. */
void ex_cut(char *out, size_t size, const char *s, size_t max)
{
    size_t n = strcspn(s, "\n");
    int cut = n > max || s[n] == '\n';
    if (n > max)
        n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--; /* not inside a UTF-8 sequence */
    if (size < 4)
        return;
    if (n > size - 4)
        n = size - 4;
    memcpy(out, s, n);
    strcpy(out + n, cut ? "..." : "");
}

/* 1 if s holds an arithmetic operator between numbers ("156 + 2416"). */
static int has_operator(const char *s)
{
    int digit = 0;
    for (; *s; s++) {
        if (isdigit((unsigned char)*s))
            digit = 1;
        else if (digit && strchr("+*/", *s))
            return 1;
        else if (digit && *s == '-' && s[1] == ' ')
            return 1;
    }
    return 0;
}

/* The part of a cleaned answer that holds the value: after the last '='
 * (a derivation ending in its result), unless what follows it is itself a
 * sum and what comes before the first '=' is one number ("61,706 = 156 +
 * 2416 + ..."). May cut buf. */
static const char *value_part(char *buf)
{
    char *last = strrchr(buf, '=');
    if (last && has_operator(last + 1)) {
        char *first = strchr(buf, '=');
        *first = '\0';
        int digits = 0;
        for (const char *q = buf; *q; q++)
            digits |= isdigit((unsigned char)*q);
        if (digits && !has_operator(buf))
            return buf;
        *first = '=';
    }
    return ex_answer_core(buf);
}

static void why_set(char *why, size_t n, const char *fmt, const char *arg)
{
    char q[100];
    ex_cut(q, sizeof q, arg, 60);
    if (why && n)
        snprintf(why, n, fmt, q);
}

/* Skip a leading label: words and ':' before the first digit ("size: 5x5",
 * "P 3", "output shape 6x6x128"). Stops at a digit, a bracket or a sign. */
static const char *skip_label(const char *s)
{
    const char *q = s;
    while (*q && !isdigit((unsigned char)*q) && *q != '(' && *q != '[' && *q != '-' &&
           *q != '+' && *q != '.') {
        if (!(isalpha((unsigned char)*q) || isspace((unsigned char)*q) || *q == ':' ||
              *q == '_'))
            return s;
        q++;
    }
    return q;
}

/* 1 if s (after white space) holds only words and closing punctuation. */
static int only_words(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!(isalpha(c) || isspace(c) || c == '.' || c == ')' || c == ']' || c == '!' ||
              c == ','))
            return 0;
    }
    return 1;
}

/* A separator between the numbers of a size; returns its length or 0. */
static size_t size_sep(const char *s)
{
    unsigned char c = (unsigned char)s[0];
    if (c == 'x' || c == 'X' || c == '*' || c == ',' || c == ';' || isspace(c) || c == '(' ||
        c == ')' || c == '[' || c == ']')
        return 1;
    if (c == 0xC3 && (unsigned char)s[1] == 0x97) /* U+00D7 multiplication sign */
        return 2;
    if (c == 0xE2 && (unsigned char)s[1] == 0x8B && (unsigned char)s[2] == 0x85) /* ⋅ */
        return 3;
    if ((c == 'b' || c == 'B') && (s[1] == 'y' || s[1] == 'Y') &&
        !isalpha((unsigned char)s[2]))
        return 2;
    return 0;
}

int ex_parse_size(const char *text, long v[3], char *why, size_t why_size)
{
    if (ex_blank(text)) {
        why_set(why, why_size, "%s", "no answer");
        return 0;
    }
    char buf[CLEAN_MAX];
    if (clean_answer(buf, sizeof buf, text)) {
        why_set(why, why_size, "'%s' is too long to be one size", text);
        return 0;
    }
    int ln = labelled_size(text, v);
    if (ln)
        return ln;
    if (hedged(buf)) {
        why_set(why, why_size, "'%s' gives more than one value", text);
        return EX_HEDGED;
    }
    const char *s = skip_label(value_part(buf));
    int n = 0;
    for (;;) {
        size_t k;
        while ((k = size_sep(s)) > 0)
            s += k;
        if (!*s)
            break;
        if (*s == '-' && isdigit((unsigned char)s[1])) {
            why_set(why, why_size, "'%s' is negative (expected a positive size)", text);
            return 0;
        }
        if (!isdigit((unsigned char)*s)) {
            if (n > 0 && only_words(s))
                break;
            why_set(why, why_size, "cannot read '%s' as a size (expected e.g. 5x5 or 5)", text);
            return 0;
        }
        errno = 0;
        char *end;
        long x = strtol(s, &end, 10);
        if (*end == '.' && end[1] == '0') { /* "3.0" */
            const char *z = end + 1;
            while (*z == '0')
                z++;
            if (!isdigit((unsigned char)*z))
                end = (char *)z;
        }
        if (*end == '.' && isdigit((unsigned char)end[1])) {
            why_set(why, why_size, "'%s' is not a whole number (expected a size such as 5x5)",
                    text);
            return 0;
        }
        if (errno == ERANGE || x > CC_DIM_MAX) {
            why_set(why, why_size, "'%s' is too large", text);
            return 0;
        }
        if (n == 3) {
            why_set(why, why_size, "'%s' has more than three numbers (expected e.g. 5x5)", text);
            return 0;
        }
        v[n++] = x;
        s = end;
    }
    if (n == 0) {
        why_set(why, why_size, "cannot read '%s' as a size (expected e.g. 5x5 or 5)", text);
        return 0;
    }
    if (n == 2 && width_first(text)) {
        long t = v[0];
        v[0] = v[1];
        v[1] = t;
    }
    return n;
}

static int is_group_sep(const char *s, size_t *len)
{
    unsigned char c = (unsigned char)s[0];
    if (c == ',' || c == ' ' || c == '_' || c == '\'' || c == '.') {
        *len = 1;
        return c;
    }
    if (c == 0xC2 && (unsigned char)s[1] == 0xA0) { /* no-break space */
        *len = 2;
        return ' ';
    }
    if (c == 0xE2 && (unsigned char)s[1] == 0x80 &&
        ((unsigned char)s[2] == 0x89 || (unsigned char)s[2] == 0xAF)) { /* thin spaces */
        *len = 3;
        return ' ';
    }
    return 0;
}

int ex_parse_count(const char *text, int64_t *out, char *why, size_t why_size)
{
    if (ex_blank(text)) {
        why_set(why, why_size, "%s", "no answer");
        return 0;
    }
    char buf[CLEAN_MAX];
    if (clean_answer(buf, sizeof buf, text)) {
        why_set(why, why_size, "'%s' is too long to be one number", text);
        return 0;
    }
    if (hedged(buf)) {
        why_set(why, why_size, "'%s' gives more than one value", text);
        return EX_HEDGED;
    }
    const char *s = skip_label(value_part(buf));
    if (*s == '-' && isdigit((unsigned char)s[1])) {
        why_set(why, why_size, "'%s' is negative (expected a count)", text);
        return 0;
    }
    if (*s == '+')
        s++;
    if (!isdigit((unsigned char)*s)) {
        why_set(why, why_size, "cannot read '%s' as a number (expected e.g. 390410)", text);
        return 0;
    }
    /* scientific notation: "3.9041e5", "3.9041 x 10^5" -- read, then graded */
    {
        char *end;
        double x = strtod(s, &end);
        int sci = memchr(s, 'e', (size_t)(end - s)) || memchr(s, 'E', (size_t)(end - s));
        const char *t = end;
        while (*t == ' ')
            t++;
        if ((*t == 'x' || *t == '*') && !sci) {
            t++;
            while (*t == ' ')
                t++;
            if (!strncmp(t, "10^", 3) && (isdigit((unsigned char)t[3]) || t[3] == '-')) {
                char *e2;
                long ex = strtol(t + 3, &e2, 10);
                x *= pow(10.0, (double)ex);
                end = e2;
                sci = 1;
            }
        }
        if (sci) {
            while (*end && isspace((unsigned char)*end))
                end++;
            if (*end && !only_words(end)) {
                why_set(why, why_size, "cannot read '%s' as one number", text);
                return 0;
            }
            if (!isfinite(x) || x < 0 || x > 9e18 || fabs(x - floor(x + 0.5)) > 1e-6 * (1 + x)) {
                why_set(why, why_size, "'%s' is not a whole number (expected a count)", text);
                return 0;
            }
            *out = (int64_t)floor(x + 0.5);
            return 1;
        }
    }
    int64_t v = 0;
    int groups = 0, sep = 0, first_len = 0;
    for (;;) {
        int len = 0;
        while (isdigit((unsigned char)*s)) {
            if (v > (INT64_MAX - 9) / 10) {
                why_set(why, why_size, "'%s' is too large", text);
                return 0;
            }
            v = v * 10 + (*s - '0');
            s++;
            len++;
        }
        if (groups == 0)
            first_len = len;
        else if (len != 3 || first_len > 3)
            goto bad_groups;
        groups++;
        size_t sl;
        int c = is_group_sep(s, &sl);
        if (c == '.' && s[1] == '0') { /* "3.0": a decimal point, zeros after it */
            size_t z = 1;
            while (s[z] == '0')
                z++;
            if (!isdigit((unsigned char)s[z]) && z - 1 != 3) {
                s += z;
                break;
            }
        }
        if (c && isdigit((unsigned char)s[sl]) && (!sep || sep == c)) {
            sep = c;
            s += sl;
            continue;
        }
        break;
    }
    if (sep == '.' && groups == 2 && first_len <= 3) {
        /* "390.410" is a thousands separator only where a decimal would be
         * odd; a count is whole, so read it as such. */
    }
    if (*s == '.' && s[1] == '0') { /* "390410.0" */
        const char *z = s + 1;
        while (*z == '0')
            z++;
        if (!isdigit((unsigned char)*z))
            s = z;
    }
    if (isalpha((unsigned char)*s)) {
        why_set(why, why_size, "'%s' is not a whole number written out (expected e.g. 390410)",
                text);
        return 0;
    }
    while (*s && isspace((unsigned char)*s))
        s++;
    if (*s == '.' && isdigit((unsigned char)s[1])) {
        why_set(why, why_size, "'%s' is not a whole number (expected a count)", text);
        return 0;
    }
    if (*s && !only_words(s)) {
        why_set(why, why_size, "cannot read '%s' as one number (expected e.g. 390410 or 390,410)",
                text);
        return 0;
    }
    *out = v;
    return 1;
bad_groups:
    why_set(why, why_size,
            "cannot read '%s' as one number (digit groups of three expected, as in 390,410)",
            text);
    return 0;
}

int ex_parse_real(const char *text, double *out, int *percent)
{
    if (ex_blank(text))
        return 0;
    const char *s = skip_label(ex_answer_core(text));
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(v))
        return 0;
    while (*end == ' ')
        end++;
    *percent = 0;
    if (*end == '%') {
        *percent = 1;
        end++;
    }
    if (*end && !only_words(end))
        return 0;
    *out = v;
    return 1;
}

/* Lower-case letters and digits only, without the articles a/an/the. */
static void norm_words(char *out, size_t size, const char *s)
{
    size_t n = 0;
    while (*s) {
        while (*s && !isalnum((unsigned char)*s))
            s++;
        const char *b = s;
        while (isalnum((unsigned char)*s))
            s++;
        size_t wl = (size_t)(s - b);
        if ((wl == 1 && tolower((unsigned char)b[0]) == 'a') ||
            (wl == 2 && strncasecmp(b, "an", 2) == 0) || (wl == 3 && strncasecmp(b, "the", 3) == 0))
            continue;
        for (size_t i = 0; i < wl && n + 1 < size; i++)
            out[n++] = (char)tolower((unsigned char)b[i]);
    }
    out[n] = '\0';
}

/* The option whose text the answer gives (exactly, or as the only option
 * containing it), or -1. */
static int match_text(const char *text, char **choices, size_t n)
{
    char want[256], have[256];
    norm_words(want, sizeof want, text);
    if (!want[0])
        return -1;
    for (size_t i = 0; i < n; i++) {
        norm_words(have, sizeof have, choices[i]);
        if (strcmp(want, have) == 0)
            return (int)i;
    }
    int found = -1;
    if (strlen(want) >= 4)
        for (size_t i = 0; i < n; i++) {
            norm_words(have, sizeof have, choices[i]);
            if (strstr(have, want)) {
                if (found >= 0)
                    return -1; /* ambiguous */
                found = (int)i;
            }
        }
    return found;
}

static int parse_choice_plain(const char *text, char **choices, size_t n);

int ex_parse_choice(const char *text, char **choices, size_t n)
{
    if (ex_blank(text))
        return -1;
    /* "a or c": two choices */
    if (hedged(text) || strstr(text, " or ")) {
        const char *o = strstr(text, " or ");
        if (o) {
            char left[256];
            snprintf(left, sizeof left, "%.*s", (int)(o - text), text);
            int a = parse_choice_plain(left, choices, n), b = parse_choice_plain(o + 4, choices, n);
            if (a >= 0 && b >= 0 && a != b)
                return EX_HEDGED;
        }
    }
    int k = parse_choice_plain(text, choices, n);
    if (k >= 0)
        return k;
    /* "max pooling (c)": a letter in brackets after the option's text */
    for (const char *q = text; *q; q++) {
        if ((q[0] == '(' || q[0] == '[') && isalpha((unsigned char)q[1]) &&
            (q[2] == ')' || q[2] == ']')) {
            int l = tolower((unsigned char)q[1]) - 'a';
            if (l < 0 || (size_t)l >= n)
                return -1;
            char rest[512];
            snprintf(rest, sizeof rest, "%.*s %.400s", (int)(q - text < 100 ? q - text : 100),
                     text, q + 3);
            int r = ex_blank(rest) ? l : parse_choice_plain(rest, choices, n);
            return r < 0 || r == l ? l : -1; /* the words name another option: unsure */
        }
    }
    return -1;
}

static int parse_choice_plain(const char *text, char **choices, size_t n)
{
    if (ex_blank(text))
        return -1;
    const char *s = text;
    while (*s && (isspace((unsigned char)*s) || *s == '(' || *s == '['))
        s++;
    if (!*s) /* only brackets: "(" or "[ " */
        return -1;
    int k = isalpha((unsigned char)s[0]) ? tolower((unsigned char)s[0]) - 'a' : -1;
    const char *rest = s + 1;
    while (*rest && isspace((unsigned char)*rest))
        rest++;
    if (k >= 0 && (size_t)k < n && !isalnum((unsigned char)s[1])) {
        if (!*rest || ((s[1] == ')' || s[1] == ']' || s[1] == '.' || s[1] == ':') &&
                       (!rest[1] || isspace((unsigned char)rest[1]) || isalpha((unsigned char)rest[1]))))
            return k; /* "c", "c)", "(c) max pooling", "c. max pooling" */
        int t = match_text(rest, choices, n); /* "c max pooling" */
        if (t == k)
            return k;
    }
    return match_text(text, choices, n);
}
