/* test_check_corpus.c - the corpus of realistic answer sheets under
 * tests/check-corpus/: each sheet names its set and, per answered item, the
 * verdict and the mistakes a careful human grader gives it:
 *
 *     # set: cnn-basics
 *     # expect 1g: wrong bias-per-input-channel
 *     # expect 1c: wrong one-sided-padding off-by-one
 *     # expect 1b: right
 *
 * Every answered item must have an expectation; the mistakes must be exactly
 * the listed ones (in any order). Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/exercise.h"

#define CORPUS "tests/check-corpus"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *b = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *nb = realloc(b, cap);
            if (!nb)
                break;
            b = nb;
        }
        size_t r = fread(b + n, 1, 4096, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    if (b)
        b[n] = '\0';
    *len = n;
    return b;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Check one expectation line "ID: VERDICT [MISTAKE ...]" against r. */
static int check_expect(const char *file, const cc_exset *set, const cc_result *r,
                        const char *line, char *seen)
{
    char id[64], verdict[32], rest[512] = "";
    if (sscanf(line, " %63[^:]: %31s %511[^\n]", id, verdict, rest) < 2) {
        print_error("%s: bad expectation '%s'\n", file, line);
        return 1;
    }
    long i = cc_exset_find(set, id);
    if (i < 0) {
        print_error("%s: no item %s\n", file, id);
        return 1;
    }
    seen[i] = 1;
    const cc_grade *g = &r->grades[i];
    int bad = strcmp(cc_verdict_name(g->verdict), verdict) != 0;
    size_t listed = 0;
    for (char *t = strtok(rest, " ,"); t; t = strtok(NULL, " ,")) {
        listed++;
        int found = 0;
        for (size_t k = 0; k < g->n_mistakes; k++)
            found |= strcmp(cc_mistake_name(g->mistakes[k]), t) == 0;
        bad |= !found;
    }
    bad |= listed != g->n_mistakes;
    if (bad) {
        print_error("%s: item %s: expected %s [%s], got %s [", file, id, verdict, line,
                    cc_verdict_name(g->verdict));
        for (size_t k = 0; k < g->n_mistakes; k++)
            print_error("%s%s", k ? " " : "", cc_mistake_name(g->mistakes[k]));
        print_error("]\n%s\n", g->feedback);
    }
    return bad;
}

static int check_sheet_file(const char *file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", CORPUS, file);
    size_t len;
    char *text = slurp(path, &len);
    if (!text) {
        print_error("cannot read %s\n", path);
        return 1;
    }
    char setname[128] = "";
    const char *q = strstr(text, "# set: ");
    if (q)
        sscanf(q + 7, "%127s", setname);
    cc_error err;
    cc_error_clear(&err);
    cc_exset *base = NULL, *v = NULL;
    cc_sheet *sheet = NULL;
    cc_result r;
    memset(&r, 0, sizeof r);
    int fails = 0;
    if (!setname[0] || cc_exset_load(&base, setname, NULL, &err) != 0) {
        print_error("%s: set '%s': %s\n", file, setname, err.msg);
        free(text);
        return 1;
    }
    if (cc_sheet_parse(&sheet, text, len, path, &err) != 0) {
        print_error("%s: %d:%d: %s\n", file, err.line, err.col, err.msg);
        fails = 1;
        goto out;
    }
    const cc_exset *set = base;
    if (cc_sheet_variant(sheet)) {
        if (cc_exset_variant(&v, base, cc_sheet_variant(sheet), &err) != 0) {
            print_error("%s: variant: %s\n", file, err.msg);
            fails = 1;
            goto out;
        }
        set = v;
    }
    if (cc_check_sheet(&r, set, sheet, file, CORPUS, &err) != 0) {
        print_error("%s: %s\n", file, err.msg);
        fails = 1;
        goto out;
    }
    char *seen = calloc(cc_exset_count(set) + 1, 1);
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (!strncmp(l, "# expect ", 9)) {
            char line[600];
            size_t n = strcspn(l + 9, "\n");
            snprintf(line, sizeof line, "%.*s", (int)(n < 599 ? n : 599), l + 9);
            fails += check_expect(file, set, &r, line, seen);
        }
    }
    for (size_t k = 0; k < cc_sheet_count(sheet); k++) {
        const char *id;
        int line;
        cc_sheet_entry(sheet, k, &id, NULL, &line);
        long i = cc_exset_find(set, id);
        if (i >= 0 && !seen[i]) {
            print_error("%s:%d: item %s has no '# expect' line\n", file, line, id);
            fails++;
        }
    }
    free(seen);
out:
    cc_result_free(&r);
    cc_sheet_free(sheet);
    cc_exset_free(v);
    cc_exset_free(base);
    free(text);
    return fails;
}

static void test_corpus(void **state)
{
    (void)state;
    DIR *d = opendir(CORPUS);
    assert_non_null(d);
    char *names[512];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 512) {
        size_t l = strlen(e->d_name);
        if (l > 4 && !strcmp(e->d_name + l - 4, ".txt"))
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    int fails = 0;
    for (size_t i = 0; i < n; i++) {
        fails += check_sheet_file(names[i]);
        free(names[i]);
    }
    if (n < 40)
        print_error("the corpus has %zu sheets (expected at least 40)\n", n);
    assert_true(n >= 40);
    assert_int_equal(fails, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
