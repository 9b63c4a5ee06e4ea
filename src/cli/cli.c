/* cli.c - helpers shared by the subcommands: errors, numbers, files. */
#include "cli.h"
#include "convcalc/arith.h"

#include "convcalc/io.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_report(const cc_error *err)
{
    fputs("convcalc: ", stderr);
    if (err->source[0]) {
        fputs(err->source, stderr);
        if (err->line > 0) {
            fprintf(stderr, ":%d", err->line);
            if (err->col > 0)
                fprintf(stderr, ":%d", err->col);
        }
        fputs(": ", stderr);
    } else if (err->line > 0) {
        fprintf(stderr, "line %d", err->line);
        if (err->col > 0)
            fprintf(stderr, ", column %d", err->col);
        fputs(": ", stderr);
    }
    fprintf(stderr, "%s\n", err->msg[0] ? err->msg : cc_strerror(err->code));
    switch (err->code) {
    case CC_ENOMEM:
    case CC_EIO:
    case CC_EINTERNAL:
        return CLI_FAILURE;
    default:
        return CLI_USAGE;
    }
}

int cli_usage_error(const char *subcommand, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "convcalc: %s: ", subcommand);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'convcalc %s --help'.\n", subcommand);
    return CLI_USAGE;
}

int cli_shape_option(const char *subcommand, struct cc_shape_query *q, int var,
                     const char *val)
{
    cc_error err;
    cc_error_clear(&err);
    if (cc_shape_query_set(q, (cc_shape_var)var, val, &err))
        return cli_usage_error(subcommand, "--%s%s", err.msg,
                               var == CC_VAR_PADDING && !strstr(err.msg, "valid")
                                   ? " (padding is N, B,E, HxW of those, valid, same or full)"
                                   : "");
    return 0;
}

int cli_parse_format(const char *subcommand, const char *arg, unsigned allowed,
                     cc_format *out)
{
    cc_format f;
    if (cc_format_parse(arg, &f) != 0 || !(allowed & (1u << f))) {
        char list[128] = "";
        for (int i = CC_FORMAT_TEXT; i <= CC_FORMAT_JSON; i++)
            if (allowed & (1u << i)) {
                if (list[0])
                    strcat(list, ", ");
                strcat(list, cc_format_name((cc_format)i));
            }
        return cli_usage_error(subcommand, "--format: unknown format '%s' (expected %s)",
                               arg, list);
    }
    *out = f;
    return 0;
}

int cli_parse_format_svg(const char *subcommand, const char *arg, unsigned allowed,
                         cc_format *out, int *svg)
{
    cc_format f;
    *svg = strcmp(arg, "svg") == 0;
    if (*svg)
        return 0;
    if (cc_format_parse(arg, &f) == 0 && (allowed & (1u << f))) {
        *out = f;
        return 0;
    }
    char list[128] = "";
    for (int i = CC_FORMAT_TEXT; i <= CC_FORMAT_JSON; i++)
        if (allowed & (1u << i)) {
            strcat(list, cc_format_name((cc_format)i));
            strcat(list, ", ");
        }
    return cli_usage_error(subcommand, "--format: unknown format '%s' (expected %ssvg)", arg,
                           list);
}

int cli_parse_long(const char *subcommand, const char *option, const char *arg,
                   long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (end == arg || *end != '\0')
        return cli_usage_error(subcommand, "%s: '%s' is not a whole number", option, arg);
    if (errno == ERANGE || v < min || v > max)
        return cli_usage_error(subcommand, "%s: %s is out of range (expected %ld to %ld)",
                               option, arg, min, max);
    *out = v;
    return 0;
}

int cli_default_threads(const char *subcommand, long *out)
{
    const char *env = getenv("CONVCALC_THREADS");
    if (env && *env)
        return cli_parse_long(subcommand, "CONVCALC_THREADS", env, 1, 64, out);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    *out = n < 1 ? 1 : n > 64 ? 64 : n;
    return 0;
}

int cli_parse_double(const char *subcommand, const char *option, const char *arg,
                     double *out)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (end == arg || *end != '\0')
        return cli_usage_error(subcommand, "%s: '%s' is not a number", option, arg);
    if (errno == ERANGE || !isfinite(v))
        return cli_usage_error(subcommand, "%s: %s is out of range", option, arg);
    *out = v;
    return 0;
}

int cli_read_file(const char *path, char **out, size_t *len, cc_error *err)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        int e = errno;
        cc_error_set(err, e == ENOENT || e == EACCES || e == EISDIR ? CC_EINVAL : CC_EIO,
                     "cannot open: %s", strerror(e));
        cc_error_source(err, path);
        return err ? err->code : CC_EIO;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        cc_error_set(err, CC_EINVAL, "cannot open: it is a directory (expected a file)");
        cc_error_source(err, path);
        return CC_EINVAL;
    }
    cc_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > CLI_TEXT_MAX) {
            if (!is_stdin)
                fclose(f);
            cc_buf_free(&b);
            cc_error_set(err, CC_ERANGE, "larger than %d MiB (the most convcalc reads as text)",
                         (int)(CLI_TEXT_MAX >> 20));
            cc_error_source(err, is_stdin ? "<stdin>" : path);
            return CC_ERANGE;
        }
        cc_buf_append(&b, chunk, n);
    }
    int bad = ferror(f);
    int e = errno;
    if (!is_stdin)
        fclose(f);
    if (bad || cc_buf_failed(&b)) {
        cc_buf_free(&b);
        cc_error_set(err, bad ? CC_EIO : CC_ENOMEM, "cannot read: %s",
                     bad ? strerror(e) : "out of memory");
        cc_error_source(err, is_stdin ? "<stdin>" : path);
        return bad ? CC_EIO : CC_ENOMEM;
    }
    if (!b.data) { /* empty input */
        b.data = calloc(1, 1);
        if (!b.data)
            return cc_error_set(err, CC_ENOMEM, "out of memory");
    }
    *out = b.data;
    if (len)
        *len = b.len;
    return 0;
}

int cli_write_stdout(const cc_buf *buf)
{
    if (cc_buf_failed(buf)) {
        fprintf(stderr, "convcalc: out of memory while formatting the output\n");
        return CLI_FAILURE;
    }
    if (buf->len && fwrite(buf->data, 1, buf->len, stdout) != buf->len) {
        fprintf(stderr, "convcalc: cannot write the output: %s\n", strerror(errno));
        return CLI_FAILURE;
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "convcalc: cannot write the output: %s\n", strerror(errno));
        return CLI_FAILURE;
    }
    return CLI_OK;
}

int cli_write_file_atomic(const char *path, const void *data, size_t len,
                          cc_error *err)
{
    return cc_file_write_atomic(path, data, len, err);
}
