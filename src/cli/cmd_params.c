/* cmd_params.c - `convcalc params`: the parameter-count report of a layer
 * stack read from the spec language, a PyTorch print(model) or a darknet
 * cfg. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "convcalc/report.h"
#include "convcalc/stack.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: convcalc params SPEC|- [--from auto|spec|torch|darknet] [--input HxWxC]\n"
            "                       [--keras] [--batch N] [--to-spec]\n"
            "                       [--format text|markdown|latex|csv|json]\n"
            "\n"
            "Parameter-count report of a layer stack, one row per layer: output shape,\n"
            "parameters with their formula, trainable and non-trainable, MACs, FLOPs,\n"
            "receptive field and jump; then the totals and a memory estimate.\n"
            "\n"
            "  SPEC           a file in the spec language (convcalc-spec(5)), a PyTorch\n"
            "                 print(model) output, or a darknet .cfg; - reads stdin\n"
            "  --from F       the format of SPEC (default auto: detected from the text)\n"
            "  --input HxWxC  input size, e.g. 32x32x3 (overrides the file's own; a\n"
            "                 PyTorch repr needs it for shapes, MACs and memory)\n"
            "  --keras        count BatchNorm as Keras does: 4C parameters, 2C of them\n"
            "                 non-trainable (default: PyTorch's 2C parameters + 2C buffers)\n"
            "  --batch N      batch size for the memory estimate (default 1)\n"
            "  --to-spec      print the stack in the spec language instead of a report\n"
            "  --format F     text (default), markdown, latex, csv or json\n"
            "\n"
            "Examples:\n"
            "  convcalc params exercises/assignment.spec\n"
            "  python -c 'import torchvision; print(torchvision.models.resnet18())' |\n"
            "      convcalc params - --input 224x224x3\n"
            "\n"
            "Exit status: 0 success, 2 bad usage or input (with FILE:LINE:COL), 3 I/O failure.\n");
}

int cmd_params(int argc, char **argv)
{
    const char *path = NULL, *input = NULL;
    cc_stack_source from = CC_SOURCE_AUTO;
    cc_report_options ro;
    cc_report_options_init(&ro);
    int to_spec = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        int needs = !strcmp(a, "--from") || !strcmp(a, "--input") || !strcmp(a, "--batch") ||
                    !strcmp(a, "--format");
        if (needs) {
            if (i + 1 >= argc)
                return cli_usage_error("params", "%s needs a value", a);
            val = argv[++i];
        }
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return CLI_OK;
        } else if (!strcmp(a, "--from")) {
            if (!strcmp(val, "auto"))
                from = CC_SOURCE_AUTO;
            else if (!strcmp(val, "spec"))
                from = CC_SOURCE_SPEC;
            else if (!strcmp(val, "torch"))
                from = CC_SOURCE_TORCH;
            else if (!strcmp(val, "darknet"))
                from = CC_SOURCE_DARKNET;
            else
                return cli_usage_error("params",
                                       "--from: unknown format '%s' (expected auto, spec, "
                                       "torch or darknet)",
                                       val);
        } else if (!strcmp(a, "--input")) {
            input = val;
        } else if (!strcmp(a, "--batch")) {
            if (cli_parse_long("params", "--batch", val, 1, 1000000, &ro.batch))
                return CLI_USAGE;
        } else if (!strcmp(a, "--format")) {
            unsigned all = (1u << CC_FORMAT_TEXT) | (1u << CC_FORMAT_MARKDOWN) |
                           (1u << CC_FORMAT_LATEX) | (1u << CC_FORMAT_CSV) |
                           (1u << CC_FORMAT_JSON);
            if (cli_parse_format("params", val, all, &ro.format))
                return CLI_USAGE;
        } else if (!strcmp(a, "--keras")) {
            ro.keras = 1;
        } else if (!strcmp(a, "--to-spec")) {
            to_spec = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error("params", "unknown option '%s'", a);
        } else if (path) {
            return cli_usage_error("params", "more than one SPEC ('%s' and '%s')", path, a);
        } else {
            path = a;
        }
    }
    if (!path)
        return cli_usage_error("params", "no SPEC given (a file, or - for standard input)");

    cc_error err;
    cc_error_clear(&err);
    cc_shape in = {0, 0, 0, 0};
    if (input && cc_shape_parse(input, &in, &err)) {
        return cli_usage_error("params", "--input: %s", err.msg);
    }
    char *text = NULL;
    size_t len = 0;
    if (cli_read_file(path, &text, &len, &err))
        return cli_report(&err);
    const char *shown = strcmp(path, "-") == 0 ? "<stdin>" : path;
    cc_stack *s = NULL;
    int rc = cc_stack_parse(&s, text, len, from, &err);
    free(text);
    if (rc) {
        cc_error_source(&err, shown);
        return cli_report(&err);
    }
    for (size_t i = 0; i < s->n_notes; i++) {
        const cc_stack_note *n = &s->notes[i];
        if (n->line > 0)
            fprintf(stderr, "convcalc: %s:%d:%d: warning: %s\n", shown, n->line, n->col,
                    n->msg);
        else
            fprintf(stderr, "convcalc: %s: warning: %s\n", shown, n->msg);
    }
    if (in.rank && cc_stack_set_input(s, in.rank == 3 ? in.h : 0, in.rank == 3 ? in.w : 0,
                                      in.c, &err)) {
        cc_stack_free(s);
        return cli_usage_error("params", "--input: %s", err.msg);
    }
    if (in.rank)
        s->input_line = 0;
    rc = cc_stack_infer(s, &err);
    if (rc) {
        cc_error_source(&err, shown);
        cc_stack_free(s);
        return cli_report(&err);
    }
    cc_buf out = {0};
    if (to_spec) {
        rc = cc_stack_to_spec(&out, s);
        if (rc)
            cc_error_set(&err, rc, "out of memory");
    } else {
        ro.title = shown;
        rc = cc_report_stack(&out, s, &ro, &err);
    }
    cc_stack_free(s);
    if (rc) {
        cc_buf_free(&out);
        return cli_report(&err);
    }
    int status = cli_write_stdout(&out);
    cc_buf_free(&out);
    return status;
}
