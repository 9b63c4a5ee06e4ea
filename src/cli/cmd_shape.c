/* cmd_shape.c - `convcalc shape`: leave one quantity out and it is solved. */
#include <string.h>

#include "cli.h"
#include "convcalc/arith.h"
#include "convcalc/svg.h"

static const char *const usage_text =
    "usage: convcalc shape [--input N|HxW] [--kernel F|HxW] [--padding P]\n"
    "                      [--stride S|HxW] [--dilation D|HxW] [--output N|HxW]\n"
    "                      [--pool [--ceil]] [--transposed [--output-padding N]]\n"
    "                      [--solve NAME] [--odd] [--per-side]\n"
    "                      [--format text|markdown|latex|json|svg] [--mono]\n"
    "\n"
    "Leave one quantity out and it is solved, with the derivation a student\n"
    "writes down; give them all and the output is computed and checked.\n"
    "\n"
    "  --input N|HxW        input size (e.g. 32 or 32x64: height x width)\n"
    "  --kernel F|HxW       kernel (or pooling window) size\n"
    "  --padding P          P on both sides, B,E (before,after), HxW of those\n"
    "                       (e.g. 1,2x3), valid (0), same (output = ceil(I/S),\n"
    "                       extra padding at the end as SAME_UPPER) or full\n"
    "                       (D*(F-1) per side); default 0\n"
    "  --stride S|HxW       stride, default 1\n"
    "  --dilation D|HxW     dilation, default 1\n"
    "  --output N|HxW       output size\n"
    "  --pool               a pooling layer (PyTorch MaxPool2d/AvgPool2d)\n"
    "  --ceil               pooling with ceil_mode=True\n"
    "  --transposed         a transposed convolution (ConvTranspose2d)\n"
    "  --output-padding N   its output_padding, default 0\n"
    "  --solve NAME         the unknown: input, kernel, padding, stride,\n"
    "                       dilation or output (needed only when padding,\n"
    "                       stride or dilation should be solved while\n"
    "                       another of them is left at its default)\n"
    "  --odd                solving for the kernel: only odd sizes count\n"
    "  --per-side           solving for the padding: before and after may\n"
    "                       differ (the extra one at the end)\n"
    "  --format F           text (default), markdown, latex, json, or svg: the\n"
    "                       layer drawn as grids with the derivation underneath\n"
    "  --mono               the figure in black and greys (for print)\n"
    "\n"
    "Without --solve, the unknown is the one of input, kernel and output that\n"
    "is missing; when all three are given, the padding if it is not given,\n"
    "else the stride if it is not given, else the output is computed and\n"
    "checked. Solve for the dilation with --solve dilation.\n"
    "Exit status: 0 answered (also when no whole number solves it), 1 the\n"
    "given output is wrong, 2 bad usage or input.\n";

enum { O_INPUT, O_KERNEL, O_PADDING, O_STRIDE, O_DILATION, O_OUTPUT, O_OPAD, O_COUNT };

static const struct {
    const char *name;
    cc_shape_var var;
} value_opts[O_COUNT] = {
    {"--input", CC_VAR_INPUT},       {"--kernel", CC_VAR_KERNEL},
    {"--padding", CC_VAR_PADDING},   {"--stride", CC_VAR_STRIDE},
    {"--dilation", CC_VAR_DILATION}, {"--output", CC_VAR_OUTPUT},
    {"--output-padding", CC_VAR_NONE},
};

int cmd_shape(int argc, char **argv)
{
    const char *val[O_COUNT] = {0};
    const char *solve = NULL;
    int pool = 0, ceil_mode = 0, transposed = 0, odd = 0, per_side = 0;
    cc_format fmt = CC_FORMAT_TEXT;
    int svg = 0;
    cc_svg_opts svg_opts = {0};
    const unsigned formats = 1u << CC_FORMAT_TEXT | 1u << CC_FORMAT_MARKDOWN |
                             1u << CC_FORMAT_LATEX | 1u << CC_FORMAT_JSON;

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(usage_text, stdout);
            return CLI_OK;
        }
        if (strcmp(arg, "--pool") == 0) { pool = 1; continue; }
        if (strcmp(arg, "--ceil") == 0) { ceil_mode = 1; continue; }
        if (strcmp(arg, "--transposed") == 0) { transposed = 1; continue; }
        if (strcmp(arg, "--odd") == 0) { odd = 1; continue; }
        if (strcmp(arg, "--per-side") == 0) { per_side = 1; continue; }
        if (strcmp(arg, "--mono") == 0) { svg_opts.mono = 1; continue; }
        /* options with a value: --name VALUE or --name=VALUE */
        const char *value = NULL;
        size_t nlen = strcspn(arg, "=");
        int idx = -1, is_format = 0, is_solve = 0;
        for (int k = 0; k < O_COUNT; k++)
            if (strlen(value_opts[k].name) == nlen && strncmp(arg, value_opts[k].name, nlen) == 0)
                idx = k;
        if (nlen == 8 && strncmp(arg, "--format", 8) == 0)
            is_format = 1;
        if (nlen == 7 && strncmp(arg, "--solve", 7) == 0)
            is_solve = 1;
        if (idx < 0 && !is_format && !is_solve)
            return cli_usage_error("shape", "unknown option '%s'", arg);
        if (arg[nlen] == '=') {
            value = arg + nlen + 1;
        } else {
            if (i + 1 >= argc)
                return cli_usage_error("shape", "%s needs a value", arg);
            value = argv[++i];
        }
        if (is_format) {
            if (cli_parse_format_svg("shape", value, formats, &fmt, &svg))
                return CLI_USAGE;
        } else if (is_solve) {
            solve = value;
        } else {
            if (val[idx])
                return cli_usage_error("shape", "%s given twice", value_opts[idx].name);
            val[idx] = value;
        }
    }
    if (pool && transposed)
        return cli_usage_error("shape", "--pool and --transposed do not go together");
    if (ceil_mode && !pool)
        return cli_usage_error("shape", "--ceil needs --pool");
    if (val[O_OPAD] && !transposed)
        return cli_usage_error("shape", "--output-padding needs --transposed");

    cc_shape_query q;
    cc_shape_query_init(&q, pool ? CC_SHAPE_POOL : transposed ? CC_SHAPE_TCONV : CC_SHAPE_CONV);
    q.ceil_mode = ceil_mode;
    q.odd_kernel = odd;
    q.per_side = per_side;

    /* which quantity is unknown */
    cc_shape_var unknown = CC_VAR_NONE;
    if (solve) {
        static const cc_shape_var vars[] = {CC_VAR_INPUT, CC_VAR_KERNEL, CC_VAR_PADDING,
                                            CC_VAR_STRIDE, CC_VAR_DILATION, CC_VAR_OUTPUT};
        for (size_t k = 0; k < sizeof vars / sizeof vars[0]; k++)
            if (strcmp(solve, cc_shape_var_name(vars[k])) == 0)
                unknown = vars[k];
        if (unknown == CC_VAR_NONE)
            return cli_usage_error("shape", "--solve: unknown quantity '%s' (expected input, "
                                            "kernel, padding, stride, dilation or output)", solve);
        for (int k = 0; k < O_OPAD; k++)
            if (value_opts[k].var == unknown && val[k])
                return cli_usage_error("shape", "--solve %s, but %s is given", solve,
                                       value_opts[k].name);
    } else {
        const char *missing[3];
        int nmissing = 0;
        static const int core[] = {O_INPUT, O_KERNEL, O_OUTPUT};
        for (int k = 0; k < 3; k++)
            if (!val[core[k]]) {
                missing[nmissing++] = value_opts[core[k]].name + 2;
                unknown = value_opts[core[k]].var;
            }
        if (nmissing > 1) {
            if (nmissing == 2)
                return cli_usage_error("shape", "two unknowns: %s and %s (leave out only one)",
                                       missing[0], missing[1]);
            return cli_usage_error("shape", "three unknowns: input, kernel and output (give "
                                            "at least two of them)");
        }
        if (nmissing == 0) {
            if (!val[O_PADDING])
                unknown = CC_VAR_PADDING;
            else if (!val[O_STRIDE])
                unknown = CC_VAR_STRIDE;
            else
                unknown = CC_VAR_NONE; /* compute and check */
        }
    }
    if (odd && unknown != CC_VAR_KERNEL)
        return cli_usage_error("shape", "--odd applies when solving for the kernel");
    if (per_side && unknown != CC_VAR_PADDING)
        return cli_usage_error("shape", "--per-side applies when solving for the padding");
    q.unknown = unknown;

    cc_error err;
    cc_error_clear(&err);
    for (int k = 0; k < O_COUNT; k++) {
        if (!val[k])
            continue;
        int rc = k == O_OPAD ? cc_shape_query_set_output_padding(&q, val[k], &err)
                             : cc_shape_query_set(&q, value_opts[k].var, val[k], &err);
        if (rc) {
            fprintf(stderr, "convcalc: shape: %s\n", err.msg);
            return rc == CC_ENOMEM ? CLI_FAILURE : CLI_USAGE;
        }
    }

    cc_shape_answer a;
    cc_shape_answer_init(&a);
    int rc = cc_shape_solve(&a, &q, &err);
    if (rc) {
        cc_shape_answer_free(&a);
        fprintf(stderr, "convcalc: shape: %s\n", err.msg);
        return rc == CC_ENOMEM || rc == CC_EINTERNAL ? CLI_FAILURE : CLI_USAGE;
    }
    cc_buf out = {0};
    rc = svg ? cc_svg_shape(&out, &a, &svg_opts, &err) : cc_shape_render(&a, fmt, &out, &err);
    int status = CLI_OK;
    if (rc) {
        fprintf(stderr, "convcalc: shape: %s\n", err.msg);
        status = CLI_FAILURE;
    } else {
        status = cli_write_stdout(&out);
        if (status == CLI_OK && a.checked && !a.matches)
            status = CLI_WRONG;
    }
    cc_buf_free(&out);
    cc_shape_answer_free(&a);
    return status;
}
