/* cmd_check.c - `convcalc check`: grade answer sheets against an exercise
 * set; one sheet gives a report, several a gradebook. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "convcalc/exercise.h"

const char *cli_exercise_datadir(void);

static const char *usage_text =
    "usage: convcalc check SET SHEET... [--variant ID] [--as-trained]\n"
    "                      [--format text|markdown|json|csv]\n"
    "\n"
    "Grade each answer SHEET ('id: answer' lines, convcalc-exercise(5); '-' reads\n"
    "standard input) against the exercise set SET (a file or a bundled set's name).\n"
    "Every expected answer is computed, never stored. A wrong answer gets the\n"
    "worked derivation and, where it is recognised, the likely mistake by name.\n"
    "\n"
    "  --variant ID     grade against this variant (otherwise a sheet's own\n"
    "                   'variant: ID' line, otherwise the original numbers)\n"
    "  --as-trained     grade a results table whose model was trained on a subset\n"
    "                   (convcalc train --limit) on the images it was evaluated on\n"
    "  --format F       text (default), markdown, json, or csv (the gradebook:\n"
    "                   one row per sheet, one column per item, a total; the\n"
    "                   most-missed summary then goes to standard error)\n"
    "\n"
    "Every readable sheet is graded; a sheet that cannot be read or graded is\n"
    "reported, gets a row naming its error, and the run ends with status 2.\n"
    "\n"
    "Exit status: 0 every answer right, 1 some answer wrong, missing or\n"
    "unreadable, 2 bad usage or a set or sheet that could not be read, 3 I/O\n"
    "failure.\n";

/* The sheet's name for the gradebook: its file name without directory and
 * extension. */
static char *sheet_label(const char *path)
{
    if (!strcmp(path, "-"))
        return strdup("stdin");
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    char *s = strdup(b);
    if (s) {
        char *dot = strrchr(s, '.');
        if (dot && dot != s)
            *dot = '\0';
    }
    return s;
}

static char *dir_of(const char *path)
{
    if (!strcmp(path, "-"))
        return strdup(".");
    const char *b = strrchr(path, '/');
    if (!b)
        return strdup(".");
    if (b == path)
        return strdup("/");
    char *d = malloc((size_t)(b - path) + 1);
    if (d) {
        memcpy(d, path, (size_t)(b - path));
        d[b - path] = '\0';
    }
    return d;
}

int cmd_check(int argc, char **argv)
{
    const char *set_name = NULL, *variant = NULL;
    int as_trained = 0;
    cc_format fmt = CC_FORMAT_TEXT;
    const unsigned allowed = (1u << CC_FORMAT_TEXT) | (1u << CC_FORMAT_MARKDOWN) |
                             (1u << CC_FORMAT_JSON) | (1u << CC_FORMAT_CSV);
    const char **sheets = calloc((size_t)argc + 1, sizeof *sheets);
    size_t nsheets = 0;
    if (!sheets) {
        fprintf(stderr, "convcalc: check: out of memory\n");
        return CLI_FAILURE;
    }
    int status = CLI_OK;
    for (int i = 1; i < argc && status == CLI_OK; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_text, stdout);
            free(sheets);
            return CLI_OK;
        } else if (!strcmp(a, "--variant") || !strcmp(a, "--format")) {
            if (i + 1 >= argc)
                status = cli_usage_error("check", "%s needs a value", a);
            else if (!strcmp(a, "--variant"))
                variant = argv[++i];
            else
                status = cli_parse_format("check", argv[++i], allowed, &fmt);
        } else if (!strcmp(a, "--as-trained")) {
            as_trained = 1;
        } else if (!strncmp(a, "--variant=", 10)) {
            variant = a + 10;
        } else if (!strncmp(a, "--format=", 9)) {
            status = cli_parse_format("check", a + 9, allowed, &fmt);
        } else if (a[0] == '-' && a[1]) {
            status = cli_usage_error("check", "unknown option '%s'", a);
        } else if (!set_name) {
            set_name = a;
        } else {
            sheets[nsheets++] = a;
        }
    }
    if (status == CLI_OK && (!set_name || nsheets == 0))
        status = cli_usage_error("check", "give an exercise set and at least one answer sheet");
    if (status != CLI_OK) {
        free(sheets);
        return status;
    }

    cc_error err;
    cc_error_clear(&err);
    cc_exset *base = NULL;
    int rc = cc_exset_load(&base, set_name, cli_exercise_datadir(), &err);
    if (rc) {
        free(sheets);
        return cli_report(&err);
    }
    cc_exset_set_as_trained(base, as_trained);
    cc_result *results = calloc(nsheets, sizeof *results);
    size_t nres = 0;
    if (!results) {
        cc_exset_free(base);
        free(sheets);
        fprintf(stderr, "convcalc: check: out of memory\n");
        return CLI_FAILURE;
    }
    /* Grade every sheet; a sheet may name its own variant. The sets used
     * are kept per variant id, so the gradebook's columns stay the same. */
    cc_exset *shown = NULL; /* the set whose ids head the report */
    cc_exset **owned = calloc(nsheets, sizeof *owned);
    size_t nowned = 0;
    int worst = CLI_OK; /* the worst status of a sheet that could not be graded */
    size_t ngraded = 0;
    for (size_t s = 0; s < nsheets; s++) {
        char *text = NULL, *label = sheet_label(sheets[s]), *dir = dir_of(sheets[s]);
        size_t len;
        cc_sheet *sheet = NULL;
        cc_error_clear(&err);
        if (!label || !dir || !owned) {
            rc = cc_error_set(&err, CC_ENOMEM, "out of memory");
        } else {
            rc = cli_read_file(sheets[s], &text, &len, &err);
        }
        if (!rc) {
            rc = cc_sheet_parse(&sheet, text, len, !strcmp(sheets[s], "-") ? "<stdin>" : sheets[s],
                                &err);
        }
        if (!rc && cc_sheet_count(sheet) == 0)
            fprintf(stderr, "convcalc: %s: warning: the sheet has no answers (every item is "
                            "graded missing)\n", sheets[s]);
        const cc_exset *set = base;
        if (!rc) {
            const char *vid = variant ? variant : cc_sheet_variant(sheet);
            if (vid) {
                cc_exset *v = NULL;
                rc = cc_exset_variant(&v, base, vid, &err);
                if (!rc) {
                    owned[nowned++] = v;
                    set = v;
                }
            }
        }
        if (!rc) {
            rc = cc_check_sheet(&results[nres], set, sheet, label, dir, &err);
            if (rc && !err.source[0])
                cc_error_source(&err, sheets[s]);
        }
        if (!rc) {
            nres++;
            ngraded++;
            if (!shown)
                shown = (cc_exset *)set;
        } else {
            /* report it, give it a row naming its error, and go on */
            if (!err.source[0])
                cc_error_source(&err, sheets[s]);
            int st = cli_report(&err);
            if (st == CLI_FAILURE || worst == CLI_OK)
                worst = st;
            cc_buf msg = {0};
            cc_buf_printf(&msg, "%s", err.source);
            if (err.line > 0)
                cc_buf_printf(&msg, err.col > 0 ? ":%d:%d" : ":%d", err.line, err.col);
            cc_buf_printf(&msg, ": %s", err.msg[0] ? err.msg : cc_strerror(err.code));
            cc_result *r = &results[nres++];
            memset(r, 0, sizeof *r);
            r->name = label ? strdup(label) : NULL;
            r->error = strdup(cc_buf_str(&msg));
            cc_buf_free(&msg);
            rc = 0;
        }
        cc_sheet_free(sheet);
        free(text);
        free(label);
        free(dir);
    }
    if (!shown)
        shown = base;
    if (ngraded == 0 || (nsheets == 1 && worst != CLI_OK)) {
        status = worst; /* nothing graded: the errors said it all */
    } else {
        cc_buf out = {0};
        if (nres == 1 && fmt != CC_FORMAT_CSV)
            rc = cc_result_render(&out, shown, &results[0], fmt, &err);
        else
            rc = cc_gradebook_render(&out, shown, results, nres, fmt, &err);
        if (rc) {
            status = cli_report(&err);
        } else {
            status = cli_write_stdout(&out);
            if (status == CLI_OK && fmt == CC_FORMAT_CSV && nres > 1) {
                /* the most-missed summary, for the person at the terminal */
                cc_buf sum = {0};
                cc_gradebook_summary(&sum, shown, results, nres);
                fputs(cc_buf_str(&sum), stderr);
                cc_buf_free(&sum);
            }
        }
        cc_buf_free(&out);
        if (status == CLI_OK)
            for (size_t s = 0; s < nres; s++)
                if (results[s].n_wrong || results[s].n_missing || results[s].n_unreadable)
                    status = CLI_WRONG;
        if (status == CLI_OK || status == CLI_WRONG)
            if (worst != CLI_OK)
                status = worst; /* a sheet could not be graded: exit 2 (3 for I/O) */
    }
    for (size_t s = 0; s < nres; s++)
        cc_result_free(&results[s]);
    free(results);
    for (size_t s = 0; s < nowned; s++)
        cc_exset_free(owned[s]);
    free(owned);
    cc_exset_free(base);
    free(sheets);
    return status;
}
