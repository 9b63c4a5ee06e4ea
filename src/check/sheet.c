/* sheet.c - answer sheets: `id: answer` lines (convcalc-exercise(5)), and
 * grading a whole sheet against a set. */
#include "ex_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct sheet_entry {
    char *id;
    char *answer;
    int line, col;
} sheet_entry;

struct cc_sheet {
    char *name;
    char *variant;
    char *source;
    sheet_entry *e;
    size_t n, cap;
};

void cc_sheet_free(cc_sheet *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->e[i].id);
        free(s->e[i].answer);
    }
    free(s->e);
    free(s->name);
    free(s->variant);
    free(s->source);
    free(s);
}

const char *cc_sheet_name(const cc_sheet *s) { return s->name; }
const char *cc_sheet_variant(const cc_sheet *s) { return s->variant; }
size_t cc_sheet_count(const cc_sheet *s) { return s->n; }

int cc_sheet_entry(const cc_sheet *s, size_t i, const char **id, const char **answer, int *line)
{
    if (i >= s->n)
        return CC_EINVAL;
    if (id)
        *id = s->e[i].id;
    if (answer)
        *answer = s->e[i].answer;
    if (line)
        *line = s->e[i].line;
    return 0;
}

/* Where the id of an entry line ends: "1a:", "Q1a)", "1a. 5", "1a = 5",
 * "Problem 1a:". Returns the length of the id, and *vstart the start of the
 * answer; 0 if the line does not start an entry. */
static size_t entry_id(const char *s, size_t n, size_t *vstart)
{
    size_t i = 0;
    /* an optional word before the id: "Problem 1a", "Q 1a" */
    static const char *const words[] = {"problem ", "exercise ", "question ", "q "};
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
        size_t wl = strlen(words[w]);
        if (n > wl && !strncasecmp(s, words[w], wl)) {
            i = wl;
            break;
        }
    }
    size_t b = i;
    while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '.' || s[i] == '_' || s[i] == '-'))
        i++;
    size_t idl = i;
    while (idl > b && s[idl - 1] == '.')
        idl--;
    if (idl == b)
        return 0;
    size_t j = i;
    while (j < n && s[j] == ' ')
        j++;
    int named = (idl - b == 4 && !strncasecmp(s + b, "name", 4)) ||
                (idl - b == 7 && !strncasecmp(s + b, "student", 7)) ||
                (idl - b == 7 && !strncasecmp(s + b, "variant", 7));
    if (j < n && (s[j] == ':' || s[j] == ')' || s[j] == '=')) {
        (void)named;
        *vstart = j + (s[j] == '=' ? 0 : 1); /* keep '=': "1a = 5" reads as "= 5" */
        return idl;
    }
    if (idl < i && (i >= n || s[i] == ' ') && isalpha((unsigned char)s[idl - 1]) && !named) {
        /* "1a. 5": a dot after an id that ends in a letter */
        *vstart = i;
        return idl;
    }
    return 0;
}

static int serr(cc_error *err, const char *src, int line, int col, const char *msg)
{
    cc_error_at(err, CC_EINVAL, line, col, "%s", msg);
    cc_error_source(err, src);
    return CC_EINVAL;
}

int cc_sheet_parse(cc_sheet **out, const char *text, size_t len, const char *source,
                   cc_error *err)
{
    *out = NULL;
    cc_sheet *s = calloc(1, sizeof *s);
    if (!s || !(s->source = ex_strdup(source ? source : "<sheet>"))) {
        free(s);
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    }
    int line = 0, rc = 0;
    size_t pos = 0;
    if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
        (unsigned char)text[2] == 0xBF)
        pos = 3; /* a UTF-8 byte-order mark */
    sheet_entry *cur = NULL;
    while (pos < len && !rc) {
        size_t e = pos;
        while (e < len && text[e] != '\n')
            e++;
        line++;
        const char *l = text + pos;
        size_t n = e - pos;
        pos = e + 1;
        if (n > 0 && l[n - 1] == '\r')
            n--;
        for (size_t k = 0; k < n; k++)
            if (l[k] == '\0') {
                rc = serr(err, s->source, line, (int)k + 1,
                          "a NUL byte in the answer sheet (expected plain text)");
                break;
            }
        if (rc)
            break;
        size_t ind = 0;
        while (ind < n && (l[ind] == ' ' || l[ind] == '\t'))
            ind++;
        if (ind == n) { /* a blank line ends nothing: matrices may have them */
            if (cur && cur->answer[0]) {
                size_t al = strlen(cur->answer);
                char *na = realloc(cur->answer, al + 2);
                if (!na) {
                    rc = CC_ENOMEM;
                    break;
                }
                na[al] = '\n';
                na[al + 1] = '\0';
                cur->answer = na;
            }
            continue;
        }
        if (l[ind] == '#' && (ind + 1 >= n || !isdigit((unsigned char)l[ind + 1])))
            continue;
        size_t vstart = 0, idl = ind == 0 ? entry_id(l, n, &vstart) : 0;
        if (!idl) {
            /* an unindented line continues an answer only when it looks
             * like a matrix row; other text must be indented */
            int row = 1;
            for (size_t k = ind; k < n && row; k++)
                row = strchr("0123456789+-.,;|[]() \t", l[k]) != NULL || l[k] == 'e';
            if (!cur || (ind == 0 && !row)) {
                rc = serr(err, s->source, line, (int)ind + 1,
                          "expected 'id: answer' (such as '1c: 3'; indent the lines that "
                          "continue an answer)");
                break;
            }
            /* continues the answer (a matrix row, a results line) */
            size_t al = strlen(cur->answer);
            char *na = realloc(cur->answer, al + (n - ind) + 2);
            if (!na) {
                rc = CC_ENOMEM;
                break;
            }
            if (al && na[al - 1] != '\n')
                na[al++] = '\n';
            memcpy(na + al, l + ind, n - ind);
            na[al + n - ind] = '\0';
            cur->answer = na;
            continue;
        }
        while (vstart < n && (l[vstart] == ' ' || l[vstart] == '\t'))
            vstart++;
        char *id = ex_strndup(l, idl);
        char *ans = ex_strndup(l + vstart, n > vstart ? n - vstart : 0);
        if (!id || !ans) {
            free(id);
            free(ans);
            rc = CC_ENOMEM;
            break;
        }
        if (ex_streq_nocase(id, "name") || ex_streq_nocase(id, "student") ||
            ex_streq_nocase(id, "variant")) {
            char **dst = ex_streq_nocase(id, "variant") ? &s->variant : &s->name;
            free(id);
            free(*dst);
            *dst = ex_trimdup(ans);
            free(ans);
            if (!*dst) {
                rc = CC_ENOMEM;
                break;
            }
            cur = NULL;
            continue;
        }
        char norm[128], other[128];
        ex_id_norm(norm, sizeof norm, id);
        for (size_t k = 0; k < s->n; k++) {
            ex_id_norm(other, sizeof other, s->e[k].id);
            if (!strcmp(norm, other)) {
                char msg[300];
                snprintf(msg, sizeof msg, "answer '%s' given twice (first on line %d)", id,
                         s->e[k].line);
                free(id);
                free(ans);
                rc = serr(err, s->source, line, 1, msg);
                break;
            }
        }
        if (rc)
            break;
        if (s->n == s->cap) {
            size_t nc = s->cap ? s->cap * 2 : 16;
            sheet_entry *ne = realloc(s->e, nc * sizeof *ne);
            if (!ne) {
                free(id);
                free(ans);
                rc = CC_ENOMEM;
                break;
            }
            s->e = ne;
            s->cap = nc;
        }
        cur = &s->e[s->n++];
        cur->id = id;
        cur->answer = ans;
        cur->line = line;
        cur->col = 1;
    }
    if (rc == CC_ENOMEM)
        cc_error_set(err, CC_ENOMEM, "out of memory");
    if (rc) {
        cc_sheet_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void cc_result_free(cc_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        cc_grade_free(&r->grades[i]);
    free(r->grades);
    free(r->name);
    free(r->error);
    memset(r, 0, sizeof *r);
}

int cc_check_sheet(cc_result *out, const cc_exset *set, const cc_sheet *sheet, const char *name,
                   const char *basedir, cc_error *err)
{
    memset(out, 0, sizeof *out);
    /* every id on the sheet must be a problem of the set */
    for (size_t k = 0; k < sheet->n; k++)
        if (cc_exset_find(set, sheet->e[k].id) < 0) {
            char list[300] = "";
            for (size_t i = 0; i < set->n && strlen(list) < 240; i++) {
                if (i)
                    strcat(list, ", ");
                strcat(list, set->p[i].id);
            }
            cc_error_at(err, CC_EINVAL, sheet->e[k].line, 1,
                        "no problem '%s' in this exercise set (expected one of %s)",
                        sheet->e[k].id, list);
            cc_error_source(err, sheet->source);
            return CC_EINVAL;
        }
    out->name = ex_strdup(sheet->name ? sheet->name : name ? name : sheet->source);
    out->grades = calloc(set->n ? set->n : 1, sizeof *out->grades);
    if (!out->name || !out->grades) {
        cc_result_free(out);
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < set->n; i++) {
        const char *ans = NULL;
        for (size_t k = 0; k < sheet->n; k++)
            if (cc_exset_find(set, sheet->e[k].id) == (long)i)
                ans = sheet->e[k].answer;
        int rc = cc_exset_grade(&out->grades[i], set, i, ans, basedir, err);
        if (rc) {
            cc_result_free(out);
            return rc;
        }
        out->n = i + 1;
        const cc_grade *g = &out->grades[i];
        out->score += g->points;
        out->max_score += g->max_points;
        if (g->verdict == CC_VERDICT_RIGHT)
            out->n_right++;
        else if (g->verdict == CC_VERDICT_WRONG)
            out->n_wrong++;
        else if (g->verdict == CC_VERDICT_UNREADABLE)
            out->n_unreadable++;
        else
            out->n_missing++;
    }
    return 0;
}
