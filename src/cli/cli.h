/* cli.h - what the subcommands of the convcalc program share.
 *
 * Every subcommand is `int cmd_NAME(int argc, char **argv)` with argv[0] the
 * subcommand's name; it returns the process exit status:
 *   CLI_OK 0, CLI_WRONG 1 (check found wrong answers), CLI_USAGE 2 (bad usage
 *   or bad input), CLI_FAILURE 3 (internal or I/O failure).
 * Errors go to stderr as `convcalc: FILE:LINE:COL: what is wrong`.
 */
#ifndef CONVCALC_CLI_H
#define CONVCALC_CLI_H

#include <stdio.h>

#include "convcalc/common.h"

enum { CLI_OK = 0, CLI_WRONG = 1, CLI_USAGE = 2, CLI_FAILURE = 3 };

int cmd_conv(int argc, char **argv);
int cmd_shape(int argc, char **argv);
int cmd_params(int argc, char **argv);
int cmd_exercise(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_infer(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_tui(int argc, char **argv);

/* Print `convcalc: SOURCE:LINE:COL: message` (the parts that are known) to
 * stderr and return the exit status that fits err->code: CLI_FAILURE for
 * CC_ENOMEM, CC_EIO and CC_EINTERNAL, CLI_USAGE otherwise. */
int cli_report(const cc_error *err);

/* Print `convcalc: SUBCOMMAND: message` plus a pointer to --help; returns
 * CLI_USAGE. */
int cli_usage_error(const char *subcommand, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parse --format's argument; on failure prints the error and returns
 * CLI_USAGE, otherwise 0. `allowed` is a bit set of (1 << CC_FORMAT_*)
 * saying which formats this subcommand supports. */
/* --stride, --dilation, --padding in the notation of `convcalc shape`
 * (arith.h: cc_shape_query_set), so conv, tui and shape read them alike.
 * Returns 0 or CLI_USAGE (the message printed). */
struct cc_shape_query;
int cli_shape_option(const char *subcommand, struct cc_shape_query *q, int var,
                     const char *val);
int cli_parse_format(const char *subcommand, const char *arg, unsigned allowed,
                     cc_format *out);

/* As cli_parse_format, also accepting "svg" (a figure): *svg is set to 1
 * for it, 0 for the others. */
int cli_parse_format_svg(const char *subcommand, const char *arg, unsigned allowed,
                         cc_format *out, int *svg);

/* Parse a whole decimal integer in [min, max]; on failure prints
 * `convcalc: SUBCOMMAND: --OPTION: ...` and returns CLI_USAGE. */
int cli_parse_long(const char *subcommand, const char *option, const char *arg,
                   long min, long max, long *out);
/* Parse a finite real number. */
int cli_parse_double(const char *subcommand, const char *option, const char *arg,
                     double *out);

/* The worker-thread count a subcommand uses when --threads is not given:
 * CONVCALC_THREADS if it is set (a whole number 1..64), otherwise every
 * online CPU (at most 64). A malformed CONVCALC_THREADS prints
 * `convcalc: SUBCOMMAND: CONVCALC_THREADS: ...` and returns CLI_USAGE;
 * otherwise *out is set and 0 is returned. */
int cli_default_threads(const char *subcommand, long *out);

/* The largest text input (a spec, a repr, a cfg, a matrix file, an exercise
 * set, an answer sheet) convcalc reads: 64 MiB. */
#define CLI_TEXT_MAX ((size_t)64 << 20)

/* Read a whole file ("-" for standard input) into a NUL-terminated string.
 * Returns 0, or fills err (source = path) and returns its code: CC_EINVAL
 * for a file that cannot be opened or is a directory, CC_ERANGE past
 * CLI_TEXT_MAX, CC_EIO, CC_ENOMEM. */
int cli_read_file(const char *path, char **out, size_t *len, cc_error *err);

/* Write buf to stdout, checking for write errors (a full disk, a closed
 * pipe); returns CLI_OK or CLI_FAILURE after printing why. */
int cli_write_stdout(const cc_buf *buf);

/* Write data to path atomically: to a temporary file in the same directory,
 * fsync, then rename over path, so an interrupted run leaves the old file
 * intact. Returns 0 or fills err and returns CC_EIO. */
int cli_write_file_atomic(const char *path, const void *data, size_t len,
                          cc_error *err);

/* `params MODEL.onnx` (cmd_params_onnx.c): 1 when path names an ONNX
 * file (by its .onnx extension); the report of the network built from it. */
int cli_is_onnx(const char *path);
int cli_params_onnx(const char *path, cc_format fmt);
/* params MODEL.onnx --format svg: the network diagram of the graph. */
struct cc_svg_opts;
int cli_params_onnx_svg(const char *path, const struct cc_svg_opts *o);

#endif
