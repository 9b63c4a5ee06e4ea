/* exset.c - exercise sets: the text format (convcalc-exercise(5)),
 * references and placeholders, copies and variants. Loading from files and
 * the bundled sets: exset_load.c. */
#include "ex_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- string helpers ------------------------------------------------------ */

char *ex_strndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *ex_strdup(const char *s)
{
    return s ? ex_strndup(s, strlen(s)) : NULL;
}

char *ex_trimdup(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return ex_strndup(s, n);
}

int ex_streq_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

void ex_strv_free(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

int ex_blank(const char *text)
{
    if (!text)
        return 1;
    for (; *text; text++)
        if (!isspace((unsigned char)*text))
            return 0;
    return 1;
}

void ex_id_norm(char *out, size_t size, const char *id)
{
    size_t n = 0;
    while (*id && isspace((unsigned char)*id))
        id++;
    /* "Q1a", "Problem 1a", "Exercise 1a", "#1a" */
    static const char *const prefixes[] = {"problem", "exercise", "question", "q", "#"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t pl = strlen(prefixes[i]);
        if (strncasecmp(id, prefixes[i], pl) == 0 &&
            (isdigit((unsigned char)id[pl]) || id[pl] == ' ' || id[pl] == '.')) {
            id += pl;
            while (*id == ' ' || *id == '.')
                id++;
            break;
        }
    }
    for (; *id && n + 1 < size; id++) {
        unsigned char c = (unsigned char)*id;
        if (isalnum(c) || c == '.' || c == '_' || c == '-')
            out[n++] = (char)tolower(c);
        else if (c == ')' || c == ']' || isspace(c))
            continue;
        else
            out[n++] = (char)c;
    }
    /* "1a." -> "1a" */
    while (n > 0 && out[n - 1] == '.')
        n--;
    out[n] = '\0';
}

const ex_param *ex_param_find(const ex_problem *p, const char *name)
{
    for (size_t i = 0; i < p->n_params; i++)
        if (strcmp(p->params[i].name, name) == 0)
            return &p->params[i];
    return NULL;
}

const char *ex_value(const ex_problem *p, const char *name)
{
    const ex_param *pr = ex_param_find(p, name);
    return pr ? (pr->value ? pr->value : pr->raw) : NULL;
}

int ex_param_error(cc_error *err, int code, const ex_param *pr, int dline, int dcol,
                   const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line = pr ? pr->line : 0, col = pr ? pr->col : 0;
    if (pr && dline > 0) {
        /* a position inside the value: continuation lines are shifted by
         * the removed indentation */
        line = pr->line + dline - 1;
        col = (pr->cont || dline > 1) ? pr->indent + dcol : pr->col + dcol - 1;
    }
    char src[256];
    snprintf(src, sizeof src, "%s", err ? err->source : "");
    cc_error_at(err, code, line, col, "%s", msg);
    cc_error_source(err, src[0] ? src : NULL);
    return code;
}

/* ---- sets ---------------------------------------------------------------- */

static void problem_free(ex_problem *p)
{
    free(p->id);
    for (size_t i = 0; i < p->n_params; i++) {
        free(p->params[i].name);
        free(p->params[i].raw);
        free(p->params[i].value);
        ex_strv_free(p->params[i].vary, p->params[i].n_vary);
    }
    free(p->params);
    free(p->prompt_raw);
    free(p->prompt);
    ex_strv_free(p->choices, p->n_choices);
    free(p->given);
    free(p->hint);
    memset(p, 0, sizeof *p);
}

void cc_exset_free(cc_exset *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        problem_free(&set->p[i]);
    free(set->p);
    free(set->title);
    free(set->intro);
    free(set->source);
    free(set->basedir);
    free(set->variant);
    free(set);
}

const char *cc_exset_title(const cc_exset *set)
{
    return set->title ? set->title : "Exercises";
}
const char *cc_exset_intro(const cc_exset *set) { return set->intro ? set->intro : ""; }
const char *cc_exset_variant_id(const cc_exset *set) { return set->variant; }
size_t cc_exset_count(const cc_exset *set) { return set->n; }

double cc_exset_total_points(const cc_exset *set)
{
    double t = 0;
    for (size_t i = 0; i < set->n; i++)
        t += set->p[i].points;
    return t;
}

long cc_exset_find(const cc_exset *set, const char *id)
{
    char want[128], have[128];
    ex_id_norm(want, sizeof want, id);
    if (!want[0])
        return -1;
    for (size_t i = 0; i < set->n; i++) {
        ex_id_norm(have, sizeof have, set->p[i].id);
        if (strcmp(want, have) == 0)
            return (long)i;
    }
    return -1;
}

void cc_exset_set_as_trained(cc_exset *set, int on)
{
    if (set)
        set->results_as_trained = on != 0;
}

int cc_exset_problem(const cc_exset *set, size_t i, cc_exinfo *out)
{
    if (!set || i >= set->n || !out)
        return CC_EINVAL;
    const ex_problem *p = &set->p[i];
    memset(out, 0, sizeof *out);
    out->id = p->id;
    out->kind = p->kind;
    out->points = p->points;
    out->prompt = p->prompt ? p->prompt : "";
    out->given = p->given ? p->given : "";
    if (!p->hint) /* made once, from a value that is not the answer */
        ((ex_problem *)p)->hint = ex_problem_hint(set, p);
    out->answer_hint = p->hint ? p->hint : ex_kind(p->kind)->hint;
    out->multiline = ex_kind(p->kind)->multiline;
    out->n_choices = p->n_choices;
    out->choices = (const char *const *)p->choices;
    return 0;
}

/* ---- the parser ------------------------------------------------------------ */

typedef struct {
    const char *src;
    cc_error *err;
} pctx;

static int perr(pctx *c, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int perr(pctx *c, int line, int col, const char *fmt, ...)
{
    char msg[480];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cc_error_at(c->err, CC_EINVAL, line, col, "%s", msg);
    cc_error_source(c->err, c->src);
    return CC_EINVAL;
}

static int valid_id(const char *s)
{
    if (!*s || !isalnum((unsigned char)*s))
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-')
            return 0;
    return 1;
}

/* The value being collected: where continuation lines go. */
typedef struct {
    char **dst;   /* string to extend */
    ex_param *param;
    int indent;   /* indentation of the first continuation line, -1 unknown */
    int blanks;   /* blank lines seen since the last continuation line */
    int text;     /* prose: lines join with a space */
} cont_t;

/* Append a continuation line: text (prompts, explanations) joins lines
 * with a space and keeps blank lines as paragraph breaks; data (matrices,
 * stacks) keeps every line. */
static int append_line(char **dst, const char *s, size_t n, int blanks, int text)
{
    size_t old = *dst ? strlen(*dst) : 0;
    size_t add = n + (size_t)blanks + 2;
    char *d = realloc(*dst, old + add + 1);
    if (!d)
        return CC_ENOMEM;
    size_t k = old;
    if (old > 0 && text) {
        if (blanks) {
            d[k++] = '\n';
            d[k++] = '\n';
        } else {
            d[k++] = ' ';
        }
    } else if (old > 0) {
        d[k++] = '\n';
        for (int b = 0; b < blanks; b++)
            d[k++] = '\n';
    }
    memcpy(d + k, s, n);
    d[k + n] = '\0';
    *dst = d;
    return 0;
}

static ex_param *add_param(ex_problem *p)
{
    if (p->n_params == p->cap_params) {
        size_t nc = p->cap_params ? p->cap_params * 2 : 8;
        ex_param *np = realloc(p->params, nc * sizeof *np);
        if (!np)
            return NULL;
        p->params = np;
        p->cap_params = nc;
    }
    ex_param *pr = &p->params[p->n_params++];
    memset(pr, 0, sizeof *pr);
    return pr;
}

static int split_words(const char *s, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    while (*s) {
        while (*s && (isspace((unsigned char)*s) || *s == ','))
            s++;
        if (!*s)
            break;
        const char *b = s;
        while (*s && !isspace((unsigned char)*s) && *s != ',')
            s++;
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            char **nv = realloc(*out, cap * sizeof *nv);
            if (!nv)
                return CC_ENOMEM;
            *out = nv;
        }
        if (!((*out)[*n] = ex_strndup(b, (size_t)(s - b))))
            return CC_ENOMEM;
        (*n)++;
    }
    return 0;
}

/* Parse "a..b" (optionally "a..b step s") into a list of choices. */
static int expand_range(char ***v, size_t *n)
{
    if (*n < 1)
        return 0;
    const char *dots = strstr((*v)[0], "..");
    if (!dots)
        return 0;
    char *e1, *e2;
    long a = strtol((*v)[0], &e1, 10), b = strtol(dots + 2, &e2, 10), step = 1;
    if (e1 != dots || *e2 || b < a)
        return CC_EINVAL;
    if (*n == 3 && strcmp((*v)[1], "step") == 0) {
        char *e3;
        step = strtol((*v)[2], &e3, 10);
        if (*e3 || step < 1)
            return CC_EINVAL;
    } else if (*n != 1) {
        return CC_EINVAL;
    }
    if ((b - a) / step > 1000)
        return CC_EINVAL;
    size_t cnt = (size_t)((b - a) / step) + 1;
    char **nv = calloc(cnt, sizeof *nv);
    if (!nv)
        return CC_ENOMEM;
    for (size_t i = 0; i < cnt; i++) {
        char tmp[32];
        snprintf(tmp, sizeof tmp, "%ld", a + (long)i * step);
        if (!(nv[i] = ex_strdup(tmp))) {
            ex_strv_free(nv, i);
            return CC_ENOMEM;
        }
    }
    ex_strv_free(*v, *n);
    *v = nv;
    *n = cnt;
    return 0;
}

static int parse_text(cc_exset *set, const char *text, size_t len, pctx *c)
{
    ex_problem *cur = NULL;
    cont_t cont = {0};
    int line = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t e = pos;
        while (e < len && text[e] != '\n')
            e++;
        line++;
        const char *s = text + pos;
        size_t n = e - pos;
        pos = e + 1;
        if (n > 0 && s[n - 1] == '\r')
            n--;
        for (size_t k = 0; k < n; k++)
            if (s[k] == '\0')
                return perr(c, line, (int)k + 1, "a NUL byte in the text (expected plain text)");
        size_t ind = 0;
        while (ind < n && (s[ind] == ' ' || s[ind] == '\t'))
            ind++;
        if (ind == n) { /* blank */
            if (cont.dst)
                cont.blanks++;
            continue;
        }
        if (ind == 0 && s[0] == '#')
            continue;
        if (ind > 0) { /* continuation */
            if (!cont.dst)
                return perr(c, line, (int)ind + 1,
                            "an indented line that continues nothing (expected 'key: value'; "
                            "indent only the lines that continue a value)");
            if (cont.indent < 0) {
                cont.indent = (int)ind;
                if (cont.param)
                    cont.param->indent = (int)ind;
            }
            size_t strip = ind < (size_t)cont.indent ? ind : (size_t)cont.indent;
            if (append_line(cont.dst, s + strip, n - strip, cont.blanks, cont.text))
                return CC_ENOMEM;
            cont.blanks = 0;
            continue;
        }
        cont.dst = NULL;
        cont.param = NULL;
        /* key: value */
        size_t k = 0;
        while (k < n && (isalnum((unsigned char)s[k]) || s[k] == '-' || s[k] == '_'))
            k++;
        char key[64];
        if (k == 0 || k >= sizeof key)
            return perr(c, line, 1, "expected 'key: value' (a key such as problem, kind, "
                                    "points, prompt or a parameter name)");
        memcpy(key, s, k);
        key[k] = '\0';
        for (char *q = key; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        char vname[64] = "";
        size_t after = k;
        if (strcmp(key, "vary") == 0) {
            while (after < n && s[after] == ' ')
                after++;
            size_t b = after;
            while (after < n && (isalnum((unsigned char)s[after]) || s[after] == '-' ||
                                 s[after] == '_'))
                after++;
            if (after == b || after - b >= sizeof vname)
                return perr(c, line, (int)b + 1,
                            "expected a parameter name after 'vary' (vary NAME: choices)");
            memcpy(vname, s + b, after - b);
            vname[after - b] = '\0';
        }
        while (after < n && (s[after] == ' ' || s[after] == '\t'))
            after++;
        if (after >= n || s[after] != ':')
            return perr(c, line, (int)after + 1, "expected ':' after '%s' (key: value)",
                        vname[0] ? vname : key);
        size_t vb = after + 1;
        while (vb < n && (s[vb] == ' ' || s[vb] == '\t'))
            vb++;
        int vcol = (int)vb + 1;
        char *value = ex_strndup(s + vb, n - vb);
        if (!value)
            return CC_ENOMEM;
        /* trim the end */
        for (size_t q = strlen(value); q > 0 && isspace((unsigned char)value[q - 1]); q--)
            value[q - 1] = '\0';

        if (strcmp(key, "problem") == 0) {
            if (!valid_id(value)) {
                free(value);
                return perr(c, line, vcol,
                            "bad problem id (expected letters, digits, '.', '_' or '-', "
                            "such as 1a)");
            }
            for (size_t i = 0; i < set->n; i++)
                if (strcmp(set->p[i].id, value) == 0) {
                    int l0 = set->p[i].line;
                    free(value);
                    return perr(c, line, vcol, "problem id '%s' is used twice (first on line %d)",
                                set->p[i].id, l0);
                }
            if (set->n == set->cap) {
                size_t nc = set->cap ? set->cap * 2 : 8;
                ex_problem *np = realloc(set->p, nc * sizeof *np);
                if (!np) {
                    free(value);
                    return CC_ENOMEM;
                }
                set->p = np;
                set->cap = nc;
            }
            cur = &set->p[set->n++];
            memset(cur, 0, sizeof *cur);
            cur->id = value;
            cur->line = line;
            cur->col = vcol;
            cur->points = 1;
            cur->key = -1;
            continue;
        }
        if (!cur) {
            if (strcmp(key, "title") == 0) {
                free(set->title);
                set->title = value;
                cont = (cont_t){&set->title, NULL, -1, 0, 1};
            } else if (strcmp(key, "intro") == 0) {
                free(set->intro);
                set->intro = value;
                cont = (cont_t){&set->intro, NULL, -1, 0, 1};
            } else if (strcmp(key, "partial") == 0) {
                int bad = strcmp(value, "cells") != 0 && strcmp(value, "none") != 0;
                set->partial_cells = strcmp(value, "cells") == 0;
                free(value);
                if (bad)
                    return perr(c, line, vcol, "bad partial (expected cells or none)");
            } else {
                free(value);
                return perr(c, line, 1, "unknown key '%s' before the first problem "
                                        "(expected title, intro, partial or problem)", key);
            }
            continue;
        }
        if (strcmp(key, "kind") == 0) {
            int found = 0;
            for (int kk = 0; kk < CC_EX_KIND_COUNT; kk++)
                if (strcmp(value, cc_exkind_name((cc_exkind)kk)) == 0) {
                    cur->kind = (cc_exkind)kk;
                    found = 1;
                }
            free(value);
            if (!found) {
                char list[400] = "";
                for (int kk = 0; kk < CC_EX_KIND_COUNT; kk++) {
                    strcat(list, kk ? ", " : "");
                    strcat(list, cc_exkind_name((cc_exkind)kk));
                }
                return perr(c, line, vcol, "unknown kind (expected one of %s)", list);
            }
            cur->has_kind = 1;
            cur->kind_line = line;
            cur->kind_col = vcol;
        } else if (strcmp(key, "points") == 0) {
            char *end;
            double v = strtod(value, &end);
            int bad = end == value || *end || !(v >= 0 && v <= 1000);
            free(value);
            if (bad)
                return perr(c, line, vcol, "bad points (expected a number from 0 to 1000)");
            cur->points = v;
        } else if (strcmp(key, "partial") == 0) {
            int bad = strcmp(value, "cells") != 0 && strcmp(value, "none") != 0;
            cur->partial_cells = strcmp(value, "cells") == 0 ? 1 : -1;
            free(value);
            if (bad)
                return perr(c, line, vcol, "bad partial (expected cells or none)");
            if (cur->has_kind && cur->kind != CC_EX_CONVOLVE)
                return perr(c, line, 1, "partial credit is for matrix answers (kind convolve)");
        } else if (strcmp(key, "prompt") == 0) {
            free(cur->prompt_raw);
            cur->prompt_raw = value;
            cur->prompt_line = line;
            cont = (cont_t){&cur->prompt_raw, NULL, -1, 0, 1};
        } else if (strcmp(key, "choice") == 0) {
            if (!value[0]) {
                free(value);
                return perr(c, line, vcol, "empty choice (expected the option's text)");
            }
            char **nv = realloc(cur->choices, (cur->n_choices + 1) * sizeof *nv);
            if (!nv) {
                free(value);
                return CC_ENOMEM;
            }
            cur->choices = nv;
            cur->choices[cur->n_choices++] = value;
            if (cur->n_choices > 26)
                return perr(c, line, 1, "more than 26 choices (expected at most a to z)");
        } else if (strcmp(key, "key") == 0) {
            int ok = strlen(value) == 1 && isalpha((unsigned char)value[0]);
            cur->key = ok ? tolower((unsigned char)value[0]) - 'a' : -1;
            free(value);
            if (!ok)
                return perr(c, line, vcol, "bad key (expected the letter of the right choice)");
            cur->key_line = line;
            cur->key_col = vcol;
        } else if (strcmp(key, "vary") == 0) {
            ex_param *pr = NULL;
            for (size_t i = 0; i < cur->n_params; i++)
                if (strcmp(cur->params[i].name, vname) == 0)
                    pr = &cur->params[i];
            if (!pr) {
                free(value);
                return perr(c, line, 6, "vary '%s' before '%s' is given (give the parameter "
                                        "first: %s: VALUE)", vname, vname, vname);
            }
            ex_strv_free(pr->vary, pr->n_vary);
            pr->vary = NULL;
            pr->n_vary = 0;
            int rc = split_words(value, &pr->vary, &pr->n_vary);
            if (!rc)
                rc = expand_range(&pr->vary, &pr->n_vary);
            free(value);
            if (rc == CC_ENOMEM)
                return rc;
            if (rc || pr->n_vary == 0)
                return perr(c, line, vcol, "bad choices for vary (expected values separated by "
                                           "spaces, or a range such as 3..9 step 2)");
            pr->vary_line = line;
            pr->vary_col = vcol;
        } else if (strcmp(key, "title") == 0 || strcmp(key, "intro") == 0) {
            free(value);
            return perr(c, line, 1, "'%s' belongs before the first problem", key);
        } else { /* a parameter */
            for (size_t i = 0; i < cur->n_params; i++)
                if (strcmp(cur->params[i].name, key) == 0) {
                    free(value);
                    return perr(c, line, 1, "parameter '%s' given twice in problem %s", key,
                                cur->id);
                }
            ex_param *pr = add_param(cur);
            if (!pr) {
                free(value);
                return CC_ENOMEM;
            }
            pr->name = ex_strdup(key);
            pr->raw = value;
            if (!pr->name)
                return CC_ENOMEM;
            pr->line = line;
            pr->col = vcol;
            pr->indent = 0;
            if (!value[0]) {
                pr->cont = 1;
                pr->line = line + 1;
            }
            cont = (cont_t){&pr->raw, pr, -1, 0, !strcmp(key, "explain")};
        }
    }
    if (set->n == 0)
        return perr(c, line > 0 ? line : 1, 1, "no problems (expected 'problem: ID' lines)");
    return 0;
}

/* Fill in the placeholders {name} of s from p's parameters. */
static int expand(char **out, const char *s, const ex_problem *p, int line, pctx *c)
{
    cc_buf b = {0};
    int ln = line;
    for (const char *q = s; *q; q++) {
        if (*q == '\n')
            ln++;
        if (q[0] == '{' && q[1] == '{') {
            cc_buf_putc(&b, '{');
            q++;
            continue;
        }
        if (q[0] == '}' && q[1] == '}') {
            cc_buf_putc(&b, '}');
            q++;
            continue;
        }
        if (*q != '{') {
            cc_buf_putc(&b, *q);
            continue;
        }
        /* {name}: letters, digits, '-' and '_'; any other brace is text
         * (the spec language's "repeat 2 { ... }") */
        const char *e = q + 1;
        while (isalnum((unsigned char)*e) || *e == '-' || *e == '_')
            e++;
        char name[64];
        if (*e != '}' || e == q + 1 || (size_t)(e - q - 1) >= sizeof name) {
            cc_buf_putc(&b, *q);
            continue;
        }
        memcpy(name, q + 1, (size_t)(e - q - 1));
        name[e - q - 1] = '\0';
        const ex_param *pr = ex_param_find(p, name);
        if (!pr || !pr->value) {
            cc_buf_free(&b);
            return perr(c, ln, 1, "placeholder {%s} names no parameter of problem %s%s", name,
                        p->id, pr ? " that is known yet" : "");
        }
        cc_buf_puts(&b, pr->value);
        q = e;
    }
    if (cc_buf_failed(&b))
        return CC_ENOMEM;
    *out = b.data ? b.data : ex_strdup("");
    return *out ? 0 : CC_ENOMEM;
}

static int resolve_ref(cc_exset *set, size_t pi, ex_param *pr, pctx *c)
{
    const char *r = pr->raw + 1;
    const char *dot = strrchr(r, '.');
    if (!dot || dot == r || !dot[1])
        return perr(c, pr->line, pr->col, "bad reference (expected @ID.answer or @ID.PARAMETER)");
    char id[128];
    snprintf(id, sizeof id, "%.*s", (int)(dot - r), r);
    long j = -1;
    for (size_t i = 0; i < pi; i++)
        if (strcmp(set->p[i].id, id) == 0)
            j = (long)i;
    if (j < 0)
        return perr(c, pr->line, pr->col + 1,
                    "reference to '%s', which is not an earlier problem", id);
    const ex_problem *q = &set->p[j];
    if (strcmp(dot + 1, "answer") == 0) {
        cc_buf b = {0};
        cc_error e2;
        cc_error_clear(&e2);
        int rc = ex_problem_answer(&b, set, q, &e2);
        if (rc) {
            cc_buf_free(&b);
            return perr(c, pr->line, pr->col, "cannot use the answer of %s: %s", id, e2.msg);
        }
        free(pr->value);
        pr->value = b.data;
        return 0;
    }
    const char *v = ex_value(q, dot + 1);
    if (!v)
        return perr(c, pr->line, (int)(dot - pr->raw) + pr->col + 1,
                    "problem %s has no parameter '%s'", id, dot + 1);
    free(pr->value);
    pr->value = ex_strdup(v);
    return pr->value ? 0 : CC_ENOMEM;
}

int ex_default_prompt(cc_buf *out, const ex_problem *p);

static int finalize_one(cc_exset *set, size_t i, pctx *c)
{
    ex_problem *p = &set->p[i];
    if (!p->has_kind)
        return perr(c, p->line, 1, "problem %s has no kind (expected a 'kind:' line)", p->id);
    const ex_kind_info *ki = ex_kind(p->kind);
    for (size_t k = 0; k < p->n_params; k++) {
        ex_param *pr = &p->params[k];
        int ok = 0;
        for (const char *const *a = ki->params; a && *a; a++)
            if (strcmp(*a, pr->name) == 0)
                ok = 1;
        if (!ok) {
            /* a parameter of the teacher's own, used as {name} elsewhere */
            char ph[80];
            snprintf(ph, sizeof ph, "{%s}", pr->name);
            if (p->prompt_raw && strstr(p->prompt_raw, ph))
                ok = 1;
            for (size_t k2 = 0; k2 < p->n_params && !ok; k2++)
                if (k2 != k && strstr(p->params[k2].raw, ph))
                    ok = 1;
        }
        if (!ok) {
            char list[300] = "";
            for (const char *const *a = ki->params; a && *a; a++) {
                if (list[0])
                    strcat(list, ", ");
                strcat(list, *a);
            }
            return perr(c, pr->cont ? pr->line - 1 : pr->line, 1,
                        "a %s problem has no parameter '%s' (expected %s)", ki->name, pr->name,
                        list[0] ? list : "none");
        }
        free(pr->value);
        pr->value = NULL;
    }
    for (const char *const *a = ki->required; a && *a; a++)
        if (!ex_param_find(p, *a))
            return perr(c, p->line, 1, "problem %s (%s) needs '%s:'", p->id, ki->name, *a);
    /* references first, then placeholders (which may use resolved ones) */
    for (size_t k = 0; k < p->n_params; k++) {
        ex_param *pr = &p->params[k];
        if (pr->raw[0] == '@') {
            int rc = resolve_ref(set, i, pr, c);
            if (rc)
                return rc;
        } else if (!strchr(pr->raw, '{')) {
            if (!(pr->value = ex_strdup(pr->raw)))
                return CC_ENOMEM;
        }
    }
    for (size_t k = 0; k < p->n_params; k++) {
        ex_param *pr = &p->params[k];
        if (!pr->value) {
            int rc = expand(&pr->value, pr->raw, p, pr->line, c);
            if (rc)
                return rc;
        }
    }
    if (p->kind == CC_EX_CHOICE) {
        if (p->n_choices < 2)
            return perr(c, p->line, 1, "multiple-choice problem %s needs at least two "
                                       "'choice:' lines", p->id);
        if (p->key < 0)
            return perr(c, p->line, 1, "multiple-choice problem %s needs 'key: LETTER'", p->id);
        if ((size_t)p->key >= p->n_choices)
            return perr(c, p->key_line, p->key_col, "key '%c' names no choice (expected a to %c)",
                        'a' + p->key, 'a' + (int)p->n_choices - 1);
    } else if (p->n_choices || p->key >= 0) {
        return perr(c, p->line, 1, "problem %s has choices but is not of kind choice", p->id);
    }
    free(p->prompt);
    p->prompt = NULL;
    if (p->prompt_raw) {
        int rc = expand(&p->prompt, p->prompt_raw, p, p->prompt_line, c);
        if (rc)
            return rc;
    } else {
        cc_buf b = {0};
        ex_default_prompt(&b, p);
        if (cc_buf_failed(&b))
            return CC_ENOMEM;
        p->prompt = b.data ? b.data : ex_strdup("");
    }
    int rc = ex_problem_validate(set, p, c->err);
    if (rc) {
        if (c->err && !c->err->source[0])
            cc_error_source(c->err, c->src);
        if (c->err && c->err->line == 0)
            c->err->line = p->line;
        return rc;
    }
    cc_buf g = {0};
    rc = ex_problem_given(&g, p, CC_FORMAT_TEXT, c->err);
    if (rc) {
        cc_buf_free(&g);
        return rc;
    }
    free(p->given);
    p->given = g.data ? g.data : ex_strdup("");
    return p->given ? 0 : CC_ENOMEM;
}

int ex_finalize(cc_exset *set, cc_error *err)
{
    pctx c = {set->source, err};
    for (size_t i = 0; i < set->n; i++) {
        int rc = finalize_one(set, i, &c);
        if (rc)
            return rc;
    }
    return 0;
}

int cc_exset_parse(cc_exset **out, const char *text, size_t len, const char *source,
                   const char *basedir, cc_error *err)
{
    *out = NULL;
    cc_exset *set = calloc(1, sizeof *set);
    if (!set)
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    set->source = ex_strdup(source ? source : "<exercises>");
    set->basedir = basedir ? ex_strdup(basedir) : NULL;
    pctx c = {set->source, err};
    int rc = set->source ? parse_text(set, text, len, &c) : CC_ENOMEM;
    if (!rc)
        rc = ex_finalize(set, err);
    if (rc) {
        if (rc == CC_ENOMEM)
            cc_error_set(err, CC_ENOMEM, "out of memory");
        cc_exset_free(set);
        return rc;
    }
    *out = set;
    return 0;
}

/* ---- copies and variants ------------------------------------------------- */

static int copy_problem(ex_problem *d, const ex_problem *s)
{
    memset(d, 0, sizeof *d);
    *d = *s;
    d->id = NULL;
    d->params = NULL;
    d->n_params = d->cap_params = 0;
    d->prompt_raw = d->prompt = d->given = d->hint = NULL;
    d->choices = NULL;
    d->n_choices = 0;
    if (!(d->id = ex_strdup(s->id)))
        return CC_ENOMEM;
    if (s->prompt_raw && !(d->prompt_raw = ex_strdup(s->prompt_raw)))
        return CC_ENOMEM;
    if (s->prompt && !(d->prompt = ex_strdup(s->prompt)))
        return CC_ENOMEM;
    if (s->given && !(d->given = ex_strdup(s->given)))
        return CC_ENOMEM;
    if (s->n_choices) {
        if (!(d->choices = calloc(s->n_choices, sizeof *d->choices)))
            return CC_ENOMEM;
        for (size_t i = 0; i < s->n_choices; i++) {
            if (!(d->choices[i] = ex_strdup(s->choices[i])))
                return CC_ENOMEM;
            d->n_choices = i + 1;
        }
    }
    for (size_t i = 0; i < s->n_params; i++) {
        const ex_param *sp = &s->params[i];
        ex_param *dp = add_param(d);
        if (!dp)
            return CC_ENOMEM;
        *dp = *sp;
        dp->name = ex_strdup(sp->name);
        dp->raw = ex_strdup(sp->raw);
        dp->value = sp->value ? ex_strdup(sp->value) : NULL;
        dp->vary = NULL;
        dp->n_vary = 0;
        if (!dp->name || !dp->raw || (sp->value && !dp->value))
            return CC_ENOMEM;
        if (sp->n_vary) {
            if (!(dp->vary = calloc(sp->n_vary, sizeof *dp->vary)))
                return CC_ENOMEM;
            for (size_t k = 0; k < sp->n_vary; k++) {
                if (!(dp->vary[k] = ex_strdup(sp->vary[k])))
                    return CC_ENOMEM;
                dp->n_vary = k + 1;
            }
        }
    }
    return 0;
}

int ex_copy(cc_exset **out, const cc_exset *src, cc_error *err)
{
    *out = NULL;
    cc_exset *d = calloc(1, sizeof *d);
    if (!d)
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    int rc = 0;
    if ((src->title && !(d->title = ex_strdup(src->title))) ||
        (src->intro && !(d->intro = ex_strdup(src->intro))) ||
        (src->source && !(d->source = ex_strdup(src->source))) ||
        (src->basedir && !(d->basedir = ex_strdup(src->basedir))) ||
        (src->variant && !(d->variant = ex_strdup(src->variant))))
        rc = CC_ENOMEM;
    d->partial_cells = src->partial_cells;
    d->results_as_trained = src->results_as_trained;
    if (!rc && src->n) {
        d->p = calloc(src->n, sizeof *d->p);
        if (!d->p)
            rc = CC_ENOMEM;
        d->cap = src->n;
        for (size_t i = 0; !rc && i < src->n; i++) {
            d->n = i + 1;
            rc = copy_problem(&d->p[i], &src->p[i]);
        }
    }
    if (rc) {
        cc_exset_free(d);
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    }
    *out = d;
    return 0;
}

/* FNV-1a, 64 bits: a stable hash of a variant id on every platform. */
static uint64_t fnv1a(const char *s, uint64_t h)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

#define VARIANT_TRIES 200

int cc_exset_variant(cc_exset **out, const cc_exset *base, const char *variant_id,
                     cc_error *err)
{
    *out = NULL;
    if (!variant_id || !*variant_id)
        return cc_error_set(err, CC_EINVAL, "empty variant id (expected a name or number)");
    cc_exset *v;
    int rc = ex_copy(&v, base, err);
    if (rc)
        return rc;
    free(v->variant);
    if (!(v->variant = ex_strdup(variant_id))) {
        cc_exset_free(v);
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    }
    uint64_t h = fnv1a(variant_id, 0xcbf29ce484222325ULL);
    pctx c = {v->source, err};
    for (size_t i = 0; i < v->n; i++) {
        cc_rng rng;
        cc_rng_seed(&rng, fnv1a(v->p[i].id, h ^ 0x9e3779b97f4a7c15ULL));
        int done = 0;
        for (int t = 0; t < VARIANT_TRIES && !done; t++) {
            ex_problem fresh;
            rc = copy_problem(&fresh, &base->p[i]);
            if (!rc)
                rc = ex_vary(&fresh, &rng, err);
            if (rc) {
                problem_free(&fresh);
                cc_exset_free(v);
                return rc == CC_ENOMEM ? cc_error_set(err, CC_ENOMEM, "out of memory") : rc;
            }
            problem_free(&v->p[i]);
            v->p[i] = fresh;
            cc_error e2;
            cc_error_clear(&e2);
            pctx c2 = {v->source, &e2};
            rc = finalize_one(v, i, &c2);
            if (rc == CC_ENOMEM) {
                cc_exset_free(v);
                return cc_error_set(err, CC_ENOMEM, "out of memory");
            }
            done = rc == 0;
        }
        if (!done) { /* keep the original numbers of this problem */
            problem_free(&v->p[i]);
            rc = copy_problem(&v->p[i], &base->p[i]);
            if (!rc)
                rc = finalize_one(v, i, &c);
            if (rc) {
                cc_exset_free(v);
                return rc;
            }
        }
    }
    *out = v;
    return 0;
}
