/* cmd_exercise.c - `convcalc exercise`: print an exercise sheet, a variant
 * of it, and its worked solutions. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "convcalc/exercise.h"

#ifndef CONVCALC_DATADIR
#define CONVCALC_DATADIR "/usr/local/share/convcalc"
#endif

static const char *usage_text =
    "usage: convcalc exercise SET [--variant ID] [--solutions]\n"
    "                             [--format text|markdown|latex]\n"
    "       convcalc exercise --list\n"
    "\n"
    "Print the exercise sheet SET: a file in the format of convcalc-exercise(5),\n"
    "or the name of a bundled set (looked up in ./exercises, then in\n"
    "$CONVCALC_DATADIR/exercises).\n"
    "\n"
    "  --variant ID     a reproducible variant: other numbers of the same kind and\n"
    "                   difficulty (the same ID always gives the same sheet)\n"
    "  --solutions      add the worked solutions, every step\n"
    "  --answers        print only the expected answers, one 'id: answer' line each\n"
    "  --format F       text (default), markdown or latex (a complete document)\n"
    "  --list           list the bundled sets\n"
    "\n"
    "Exit status: 0 ok, 2 bad usage or a malformed set, 3 I/O failure.\n";

const char *cli_exercise_datadir(void);

/* Where bundled sets are installed: $CONVCALC_DATADIR overrides the
 * directory the program was built for. */
const char *cli_exercise_datadir(void)
{
    const char *e = getenv("CONVCALC_DATADIR");
    return e && *e ? e : CONVCALC_DATADIR;
}

int cmd_exercise(int argc, char **argv)
{
    const char *set_name = NULL, *variant = NULL;
    int solutions = 0, list = 0, answers = 0;
    cc_format fmt = CC_FORMAT_TEXT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_text, stdout);
            return CLI_OK;
        } else if (!strcmp(a, "--solutions")) {
            solutions = 1;
        } else if (!strcmp(a, "--answers")) {
            answers = 1;
        } else if (!strcmp(a, "--list")) {
            list = 1;
        } else if (!strcmp(a, "--variant") || !strcmp(a, "--format")) {
            if (i + 1 >= argc)
                return cli_usage_error("exercise", "%s needs a value", a);
            if (!strcmp(a, "--variant")) {
                variant = argv[++i];
            } else if (cli_parse_format("exercise", argv[++i],
                                        (1u << CC_FORMAT_TEXT) | (1u << CC_FORMAT_MARKDOWN) |
                                            (1u << CC_FORMAT_LATEX),
                                        &fmt)) {
                return CLI_USAGE;
            }
        } else if (!strncmp(a, "--variant=", 10)) {
            variant = a + 10;
        } else if (!strncmp(a, "--format=", 9)) {
            if (cli_parse_format("exercise", a + 9,
                                 (1u << CC_FORMAT_TEXT) | (1u << CC_FORMAT_MARKDOWN) |
                                     (1u << CC_FORMAT_LATEX),
                                 &fmt))
                return CLI_USAGE;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("exercise", "unknown option '%s'", a);
        } else if (!set_name) {
            set_name = a;
        } else {
            return cli_usage_error("exercise", "one exercise set at a time (got '%s' too)", a);
        }
    }
    cc_error err;
    cc_error_clear(&err);
    cc_buf out = {0};
    if (list) {
        char **names;
        if (cc_exset_bundled(&names, cli_exercise_datadir(), &err))
            return cli_report(&err);
        for (char **q = names; *q; q++) {
            cc_exset *s;
            cc_error e2;
            if (cc_exset_load(&s, *q, cli_exercise_datadir(), &e2) == 0) {
                cc_buf_printf(&out, "%-20s %s (%zu problems)\n", *q, cc_exset_title(s),
                              cc_exset_count(s));
                cc_exset_free(s);
            } else {
                cc_buf_printf(&out, "%-20s (cannot be read: %s)\n", *q, e2.msg);
            }
        }
        cc_exset_names_free(names);
        int rc = cli_write_stdout(&out);
        cc_buf_free(&out);
        return rc;
    }
    if (!set_name)
        return cli_usage_error("exercise", "which exercise set? (give a file or a bundled set's "
                                           "name; --list lists them)");
    cc_exset *set = NULL, *v = NULL;
    int rc;
    if (!strcmp(set_name, "-")) {
        char *text;
        size_t len;
        rc = cli_read_file("-", &text, &len, &err);
        if (!rc) {
            rc = cc_exset_parse(&set, text, len, "<stdin>", ".", &err);
            free(text);
        }
    } else {
        rc = cc_exset_load(&set, set_name, cli_exercise_datadir(), &err);
    }
    if (rc)
        return cli_report(&err);
    if (variant) {
        rc = cc_exset_variant(&v, set, variant, &err);
        cc_exset_free(set);
        if (rc)
            return cli_report(&err);
        set = v;
    }
    if (answers) {
        for (size_t i = 0; !rc && i < cc_exset_count(set); i++) {
            cc_exinfo info;
            cc_exset_problem(set, i, &info);
            cc_buf_printf(&out, "%s: ", info.id);
            rc = cc_exset_answer(&out, set, i, &err);
            cc_buf_putc(&out, '\n');
        }
    } else {
        rc = cc_exset_render(&out, set, solutions, fmt, &err);
    }
    cc_exset_free(set);
    if (rc) {
        cc_buf_free(&out);
        return cli_report(&err);
    }
    rc = cli_write_stdout(&out);
    cc_buf_free(&out);
    return rc;
}
