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

static void why_set(char *why, size_t n, const char *fmt, const char *arg)
{
    if (why && n)
        snprintf(why, n, fmt, arg);
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
    const char *s = skip_label(ex_answer_core(text));
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
    const char *s = skip_label(ex_answer_core(text));
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

int ex_parse_choice(const char *text, char **choices, size_t n)
{
    if (ex_blank(text))
        return -1;
    const char *s = text;
    while (*s && (isspace((unsigned char)*s) || *s == '(' || *s == '['))
        s++;
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
