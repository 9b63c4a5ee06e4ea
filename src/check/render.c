/* render.c - exercise sheets (text, Markdown, LaTeX), one sheet's grades
 * (text, Markdown, JSON) and gradebooks (CSV, text, JSON). */
#include "ex_internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void latex_escape(cc_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '\\': cc_buf_puts(b, "\\textbackslash{}"); break;
        case '{': case '}': case '$': case '&': case '#': case '_': case '%':
            cc_buf_putc(b, '\\');
            cc_buf_putc(b, *s);
            break;
        case '^': cc_buf_puts(b, "\\^{}"); break;
        case '~': cc_buf_puts(b, "\\~{}"); break;
        case '\n': cc_buf_puts(b, "\n"); break;
        default:
            if ((unsigned char)s[0] == 0xC3 && (unsigned char)s[1] == 0x97) { /* × */
                cc_buf_puts(b, "$\\times$");
                s++;
            } else {
                cc_buf_putc(b, *s);
            }
        }
    }
}

static void points_text(cc_buf *b, double pts)
{
    char t[32];
    cc_fmt_num(t, sizeof t, pts, 3);
    cc_buf_printf(b, "%s point%s", t, pts == 1 ? "" : "s");
}

/* Append s with every line indented. */
static void indented(cc_buf *b, const char *s, const char *pad)
{
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        if (n)
            cc_buf_puts(b, pad);
        cc_buf_append(b, s, n);
        cc_buf_putc(b, '\n');
        s += n + (nl ? 1 : 0);
    }
}

/* Append s word-wrapped to width columns, every line indented by pad;
 * newlines in s start new lines. */
static void wrapped(cc_buf *b, const char *s, const char *pad, size_t width)
{
    size_t pl = strlen(pad);
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        size_t col = 0;
        const char *q = s, *end = s + n;
        if (n == 0)
            cc_buf_putc(b, '\n');
        if (n && pl + n <= width) { /* fits: keep it as it is (alignment) */
            cc_buf_puts(b, pad);
            cc_buf_append(b, s, n);
            q = end;
            col = n;
        }
        while (q < end) {
            while (q < end && *q == ' ')
                q++;
            const char *w = q;
            while (q < end && *q != ' ')
                q++;
            size_t wl = (size_t)(q - w);
            if (!wl)
                break;
            if (col && col + 1 + wl > width - pl) {
                cc_buf_putc(b, '\n');
                col = 0;
            }
            if (!col)
                cc_buf_puts(b, pad);
            else
                cc_buf_putc(b, ' ');
            cc_buf_append(b, w, wl);
            col += (col ? 1 : 0) + wl;
        }
        if (n)
            cc_buf_putc(b, '\n');
        s += n + (nl ? 1 : 0);
    }
}

int cc_exset_render(cc_buf *out, const cc_exset *set, int solutions, cc_format fmt,
                    cc_error *err)
{
    if (fmt != CC_FORMAT_TEXT && fmt != CC_FORMAT_MARKDOWN && fmt != CC_FORMAT_LATEX)
        return cc_error_set(err, CC_EINVAL, "an exercise sheet is text, markdown or latex");
    const char *title = cc_exset_title(set);
    char tot[32];
    cc_fmt_num(tot, sizeof tot, cc_exset_total_points(set), 3);
    if (fmt == CC_FORMAT_LATEX) {
        cc_buf_puts(out, "\\documentclass[11pt]{article}\n\\usepackage[utf8]{inputenc}\n"
                         "\\usepackage{amsmath}\n\\usepackage[margin=2.5cm]{geometry}\n"
                         "\\setlength{\\parindent}{0pt}\n\\begin{document}\n\\section*{");
        latex_escape(out, title);
        if (solutions)
            cc_buf_puts(out, " --- solutions");
        cc_buf_puts(out, "}\n");
        if (set->variant) {
            cc_buf_puts(out, "Variant \\texttt{");
            latex_escape(out, set->variant);
            cc_buf_puts(out, "}. ");
        }
        cc_buf_printf(out, "%s points in all.\n\n", tot);
        if (set->intro) {
            latex_escape(out, set->intro);
            cc_buf_puts(out, "\n\n");
        }
    } else if (fmt == CC_FORMAT_MARKDOWN) {
        cc_buf_printf(out, "# %s%s\n\n", title, solutions ? ": solutions" : "");
        if (set->variant)
            cc_buf_printf(out, "Variant `%s`. ", set->variant);
        cc_buf_printf(out, "%s points in all.\n\n", tot);
        if (set->intro)
            cc_buf_printf(out, "%s\n\n", set->intro);
    } else {
        cc_buf_printf(out, "%s%s\n", title, solutions ? ": solutions" : "");
        for (size_t i = strlen(title) + (solutions ? 11 : 0); i > 0; i--)
            cc_buf_putc(out, '=');
        cc_buf_putc(out, '\n');
        if (set->variant)
            cc_buf_printf(out, "Variant %s. ", set->variant);
        cc_buf_printf(out, "%s points in all.\n", tot);
        if (set->intro)
            wrapped(out, set->intro, "", 78);
        cc_buf_putc(out, '\n');
    }
    for (size_t i = 0; i < set->n; i++) {
        const ex_problem *p = &set->p[i];
        cc_buf pts = {0};
        points_text(&pts, p->points);
        cc_buf given = {0};
        int rc = ex_problem_given(&given, p, fmt, err);
        if (rc) {
            cc_buf_free(&pts);
            cc_buf_free(&given);
            return rc;
        }
        if (fmt == CC_FORMAT_LATEX) {
            cc_buf_puts(out, "\\subsection*{");
            latex_escape(out, p->id);
            cc_buf_printf(out, " \\normalsize(%s)}\n", cc_buf_str(&pts));
            latex_escape(out, p->prompt);
            cc_buf_puts(out, "\n\n");
            cc_buf_puts(out, cc_buf_str(&given));
            if (p->n_choices) {
                cc_buf_puts(out, "\\begin{itemize}\n");
                for (size_t k = 0; k < p->n_choices; k++) {
                    cc_buf_printf(out, "\\item[(%c)] ", 'a' + (int)k);
                    latex_escape(out, p->choices[k]);
                    cc_buf_putc(out, '\n');
                }
                cc_buf_puts(out, "\\end{itemize}\n");
            }
        } else if (fmt == CC_FORMAT_MARKDOWN) {
            cc_buf_printf(out, "## %s (%s)\n\n%s\n\n", p->id, cc_buf_str(&pts), p->prompt);
            if (given.len)
                cc_buf_printf(out, "%s\n", cc_buf_str(&given));
            for (size_t k = 0; k < p->n_choices; k++)
                cc_buf_printf(out, "- (%c) %s\n", 'a' + (int)k, p->choices[k]);
            if (p->n_choices)
                cc_buf_putc(out, '\n');
        } else {
            cc_buf_printf(out, "%s (%s)\n", p->id, cc_buf_str(&pts));
            wrapped(out, p->prompt, "  ", 78);
            if (given.len)
                indented(out, cc_buf_str(&given), "  ");
            for (size_t k = 0; k < p->n_choices; k++)
                cc_buf_printf(out, "    (%c) %s\n", 'a' + (int)k, p->choices[k]);
        }
        cc_buf_free(&pts);
        cc_buf_free(&given);
        if (solutions) {
            cc_buf sol = {0};
            rc = ex_problem_solution(&sol, set, p, fmt, err);
            if (rc) {
                cc_buf_free(&sol);
                return rc;
            }
            if (fmt == CC_FORMAT_LATEX) {
                cc_buf_puts(out, "\\paragraph{Solution.}\n");
                cc_buf_puts(out, cc_buf_str(&sol));
                cc_buf_puts(out, "\n");
            } else if (fmt == CC_FORMAT_MARKDOWN) {
                cc_buf_printf(out, "**Solution.**\n\n%s\n", cc_buf_str(&sol));
            } else {
                cc_buf_puts(out, "  Solution:\n");
                wrapped(out, cc_buf_str(&sol), "    ", 100);
            }
            cc_buf_free(&sol);
        } else if (fmt == CC_FORMAT_TEXT) {
            cc_buf_puts(out, "  Answer: ______________________\n");
        } else if (fmt == CC_FORMAT_LATEX) {
            cc_buf_puts(out, "\n\\vspace{1.5cm}\n");
        }
        cc_buf_putc(out, '\n');
    }
    if (fmt == CC_FORMAT_LATEX)
        cc_buf_puts(out, "\\end{document}\n");
    return cc_buf_failed(out) ? cc_error_set(err, CC_ENOMEM, "out of memory") : 0;
}

/* ---- results ------------------------------------------------------------------ */

static cJSON *result_json(const cc_exset *set, const cc_result *r)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "sheet", r->name ? r->name : "");
    if (r->error) {
        cJSON_AddStringToObject(o, "error", r->error);
        return o;
    }
    if (set->variant)
        cJSON_AddStringToObject(o, "variant", set->variant);
    else
        cJSON_AddNullToObject(o, "variant");
    cJSON_AddNumberToObject(o, "score", r->score);
    cJSON_AddNumberToObject(o, "max_score", r->max_score);
    cJSON_AddNumberToObject(o, "right", (double)r->n_right);
    cJSON_AddNumberToObject(o, "wrong", (double)r->n_wrong);
    cJSON_AddNumberToObject(o, "missing", (double)r->n_missing);
    cJSON_AddNumberToObject(o, "unreadable", (double)r->n_unreadable);
    cJSON *items = cJSON_AddArrayToObject(o, "items");
    for (size_t i = 0; items && i < r->n; i++) {
        const cc_grade *g = &r->grades[i];
        cJSON *it = cJSON_CreateObject();
        if (!it)
            break;
        cJSON_AddStringToObject(it, "id", set->p[i].id);
        cJSON_AddStringToObject(it, "kind", cc_exkind_name(set->p[i].kind));
        cJSON_AddStringToObject(it, "verdict", cc_verdict_name(g->verdict));
        cJSON_AddNumberToObject(it, "points", g->points);
        cJSON_AddNumberToObject(it, "max_points", g->max_points);
        cJSON_AddStringToObject(it, "expected", g->expected ? g->expected : "");
        if (g->given)
            cJSON_AddStringToObject(it, "given", g->given);
        else
            cJSON_AddNullToObject(it, "given");
        cJSON *ms = cJSON_AddArrayToObject(it, "mistake");
        for (size_t k = 0; ms && k < g->n_mistakes; k++)
            cJSON_AddItemToArray(ms, cJSON_CreateString(cc_mistake_name(g->mistakes[k])));
        if (g->n_mistakes)
            cJSON_AddStringToObject(it, "mistake_text", cc_mistake_text(g->mistakes[0]));
        if (g->reason)
            cJSON_AddStringToObject(it, "reason", g->reason);
        else
            cJSON_AddNullToObject(it, "reason");
        cJSON_AddStringToObject(it, "feedback", g->feedback ? g->feedback : "");
        cJSON_AddStringToObject(it, "derivation", g->derivation ? g->derivation : "");
        if (g->n_details) {
            cJSON *ds = cJSON_AddArrayToObject(it, "details");
            for (size_t k = 0; ds && k < g->n_details; k++) {
                cJSON *d = cJSON_CreateObject();
                if (!d)
                    break;
                cJSON_AddStringToObject(d, "what", g->details[k].what);
                cJSON_AddStringToObject(d, "expected", g->details[k].expected);
                cJSON_AddStringToObject(d, "given", g->details[k].given);
                cJSON_AddBoolToObject(d, "ok", g->details[k].ok);
                cJSON_AddItemToArray(ds, d);
            }
        }
        cJSON_AddItemToArray(items, it);
    }
    return o;
}

static int put_json(cc_buf *out, cJSON *o, cc_error *err)
{
    char *s = o ? cJSON_Print(o) : NULL;
    cJSON_Delete(o);
    if (!s)
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    cc_buf_puts(out, s);
    cc_buf_putc(out, '\n');
    free(s);
    return cc_buf_failed(out) ? cc_error_set(err, CC_ENOMEM, "out of memory") : 0;
}

static void result_text(cc_buf *out, const cc_exset *set, const cc_result *r, int md)
{
    char sc[32], mx[32];
    if (r->error) {
        cc_buf_printf(out, md ? "## %s: not graded\n\n%s\n" : "%s: not graded: %s\n", r->name,
                      r->error);
        return;
    }
    cc_fmt_num(sc, sizeof sc, r->score, 4);
    cc_fmt_num(mx, sizeof mx, r->max_score, 4);
    if (md)
        cc_buf_printf(out, "## %s: %s of %s points\n\n", r->name, sc, mx);
    else
        cc_buf_printf(out, "%s: %s of %s points%s%s\n", r->name, sc, mx,
                      set->variant ? ", variant " : "", set->variant ? set->variant : "");
    for (size_t i = 0; i < r->n; i++) {
        const cc_grade *g = &r->grades[i];
        char p[32], m[32];
        cc_fmt_num(p, sizeof p, g->points, 4);
        cc_fmt_num(m, sizeof m, g->max_points, 4);
        if (md) {
            cc_buf_printf(out, "- **%s** %s (%s/%s)", set->p[i].id, cc_verdict_name(g->verdict),
                          p, m);
            for (size_t k = 0; k < g->n_mistakes; k++)
                cc_buf_printf(out, k ? ", *%s*" : ", likely mistake: *%s*",
                              cc_mistake_name(g->mistakes[k]));
            cc_buf_puts(out, "\n");
            if (g->verdict != CC_VERDICT_RIGHT) {
                cc_buf_puts(out, "\n```\n");
                cc_buf_puts(out, g->feedback);
                cc_buf_puts(out, "```\n\n");
            }
        } else {
            cc_buf_printf(out, "  %-6s %-7s %s/%s", set->p[i].id, cc_verdict_name(g->verdict), p, m);
            if (g->verdict == CC_VERDICT_RIGHT) {
                cc_buf_printf(out, "  %s", g->given ? g->given : "");
                const char *fb = g->feedback ? g->feedback : "";
                if (strncmp(fb, "Right (", 7) == 0) /* a note about how it was read */
                    cc_buf_printf(out, "  %.*s", (int)(strcspn(fb, "\n")), fb + 6);
                cc_buf_putc(out, '\n');
            } else {
                for (size_t k = 0; k < g->n_mistakes; k++)
                    cc_buf_printf(out, k ? ", %s" : "  [%s", cc_mistake_name(g->mistakes[k]));
                if (g->n_mistakes)
                    cc_buf_putc(out, ']');
                cc_buf_putc(out, '\n');
                wrapped(out, g->feedback ? g->feedback : "", "         ", 100);
            }
        }
    }
    cc_buf_printf(out, "%s%zu right, %zu wrong, %zu missing", md ? "\n" : "", r->n_right,
                  r->n_wrong, r->n_missing);
    if (r->n_unreadable)
        cc_buf_printf(out, ", %zu unreadable (for a teacher to read)", r->n_unreadable);
    cc_buf_printf(out, ": %s of %s points\n", sc, mx);
}

int cc_result_render(cc_buf *out, const cc_exset *set, const cc_result *r, cc_format fmt,
                     cc_error *err)
{
    switch (fmt) {
    case CC_FORMAT_JSON: return put_json(out, result_json(set, r), err);
    case CC_FORMAT_TEXT:
    case CC_FORMAT_MARKDOWN: result_text(out, set, r, fmt == CC_FORMAT_MARKDOWN); break;
    case CC_FORMAT_CSV: return cc_gradebook_render(out, set, r, 1, fmt, err);
    default: return cc_error_set(err, CC_EINVAL, "a check report is text, markdown, csv or json");
    }
    return cc_buf_failed(out) ? cc_error_set(err, CC_ENOMEM, "out of memory") : 0;
}

static void csv_field(cc_buf *b, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        cc_buf_puts(b, s);
        return;
    }
    cc_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            cc_buf_putc(b, '"');
        cc_buf_putc(b, *s);
    }
    cc_buf_putc(b, '"');
}

typedef struct missed {
    size_t idx, wrong, missing;
} missed;

static int missed_cmp(const void *a, const void *b)
{
    const missed *x = a, *y = b;
    size_t nx = x->wrong + x->missing, ny = y->wrong + y->missing;
    if (nx != ny)
        return nx < ny ? 1 : -1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Items sorted by how many sheets missed them (wrong or missing). */
static missed *missed_list(const cc_exset *set, const cc_result *rs, size_t n)
{
    missed *m = calloc(set->n ? set->n : 1, sizeof *m);
    if (!m)
        return NULL;
    for (size_t i = 0; i < set->n; i++) {
        m[i].idx = i;
        for (size_t s = 0; s < n; s++) {
            if (i >= rs[s].n)
                continue;
            if (rs[s].grades[i].verdict == CC_VERDICT_WRONG)
                m[i].wrong++;
            else if (rs[s].grades[i].verdict == CC_VERDICT_MISSING)
                m[i].missing++;
        }
    }
    qsort(m, set->n, sizeof *m, missed_cmp);
    return m;
}

int cc_gradebook_render(cc_buf *out, const cc_exset *set, const cc_result *rs, size_t n,
                        cc_format fmt, cc_error *err)
{
    missed *m = missed_list(set, rs, n);
    if (!m)
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    if (fmt == CC_FORMAT_CSV) {
        cc_buf_puts(out, "sheet");
        for (size_t i = 0; i < set->n; i++) {
            cc_buf_putc(out, ',');
            csv_field(out, set->p[i].id);
        }
        int errors = 0;
        for (size_t s = 0; s < n; s++)
            errors |= rs[s].error != NULL;
        cc_buf_puts(out, errors ? ",total,max,error\n" : ",total,max\n");
        for (size_t s = 0; s < n; s++) {
            csv_field(out, rs[s].name ? rs[s].name : "");
            if (rs[s].error) {
                for (size_t i = 0; i < set->n + 2; i++)
                    cc_buf_putc(out, ',');
                cc_buf_putc(out, ',');
                csv_field(out, rs[s].error);
                cc_buf_putc(out, '\n');
                continue;
            }
            for (size_t i = 0; i < rs[s].n; i++) {
                char t[32];
                cc_buf_printf(out, ",%s", cc_fmt_num(t, sizeof t, rs[s].grades[i].points, 4));
            }
            char a[32], b[32];
            cc_buf_printf(out, ",%s,%s%s\n", cc_fmt_num(a, sizeof a, rs[s].score, 4),
                          cc_fmt_num(b, sizeof b, rs[s].max_score, 4), errors ? "," : "");
        }
    } else if (fmt == CC_FORMAT_JSON) {
        cJSON *o = cJSON_CreateObject();
        cJSON *sheets = o ? cJSON_AddArrayToObject(o, "sheets") : NULL;
        for (size_t s = 0; sheets && s < n; s++)
            cJSON_AddItemToArray(sheets, result_json(set, &rs[s]));
        cJSON *sum = o ? cJSON_AddArrayToObject(o, "most_missed") : NULL;
        for (size_t i = 0; sum && i < set->n; i++) {
            if (!m[i].wrong && !m[i].missing)
                continue;
            cJSON *it = cJSON_CreateObject();
            if (!it)
                break;
            cJSON_AddStringToObject(it, "id", set->p[m[i].idx].id);
            cJSON_AddNumberToObject(it, "wrong", (double)m[i].wrong);
            cJSON_AddNumberToObject(it, "missing", (double)m[i].missing);
            cJSON_AddItemToArray(sum, it);
        }
        free(m);
        return put_json(out, o, err);
    } else {
        int md = fmt == CC_FORMAT_MARKDOWN;
        for (size_t s = 0; s < n; s++) {
            result_text(out, set, &rs[s], md);
            cc_buf_putc(out, '\n');
        }
        cc_buf_puts(out, md ? "## Gradebook\n\n| sheet |" : "Gradebook\n  sheet");
        for (size_t i = 0; i < set->n; i++)
            cc_buf_printf(out, md ? " %s |" : " %6s", set->p[i].id);
        cc_buf_puts(out, md ? " total |\n|---|" : "   total\n");
        if (md) {
            for (size_t i = 0; i <= set->n; i++)
                cc_buf_puts(out, "---:|");
            cc_buf_putc(out, '\n');
        }
        for (size_t s = 0; s < n; s++) {
            if (rs[s].error) {
                cc_buf_printf(out, md ? "| %s | not graded: %s |\n" : "  %s\n        not graded: %s\n",
                              rs[s].name, rs[s].error);
                continue;
            }
            cc_buf_printf(out, md ? "| %s |" : "  %s\n       ", rs[s].name);
            for (size_t i = 0; i < rs[s].n; i++) {
                char t[32];
                cc_fmt_num(t, sizeof t, rs[s].grades[i].points, 4);
                cc_buf_printf(out, md ? " %s |" : " %6s", t);
            }
            char a[32], b[32];
            cc_fmt_num(a, sizeof a, rs[s].score, 4);
            cc_fmt_num(b, sizeof b, rs[s].max_score, 4);
            cc_buf_printf(out, md ? " %s/%s |\n" : " %5s/%s\n", a, b);
        }
        cc_buf_puts(out, md ? "\n## Most missed\n\n" : "\n");
        cc_gradebook_summary(out, set, rs, n);
    }
    free(m);
    return cc_buf_failed(out) ? cc_error_set(err, CC_ENOMEM, "out of memory") : 0;
}

void cc_gradebook_summary(cc_buf *out, const cc_exset *set, const cc_result *rs, size_t n)
{
    missed *m = missed_list(set, rs, n);
    if (!m)
        return;
    cc_buf_printf(out, "Most missed (of %zu sheet%s):\n", n, n == 1 ? "" : "s");
    int any = 0;
    for (size_t i = 0; i < set->n; i++) {
        if (!m[i].wrong && !m[i].missing)
            continue;
        any = 1;
        const ex_problem *p = &set->p[m[i].idx];
        cc_buf_printf(out, "  %-6s missed by %zu (%zu wrong, %zu missing)  %s\n", p->id,
                      m[i].wrong + m[i].missing, m[i].wrong, m[i].missing, cc_exkind_name(p->kind));
    }
    if (!any)
        cc_buf_puts(out, "  none: every answer is right\n");
    free(m);
}
