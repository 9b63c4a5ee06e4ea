/* cmd_conv.c - `convcalc conv`: a convolution worked by hand, step by step. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "convcalc/arith.h"
#include "convcalc/svg.h"
#include "convcalc/walk.h"

static const char usage_text[] =
    "usage: convcalc conv [--image M] [--kernel K]... [options]\n"
    "\n"
    "Work a convolution by hand: pad the input, flip the kernel, then for every\n"
    "output cell show the window, the element-wise product and the sum.\n"
    "Without --image and --kernel it works the built-in example (a 3x5 image,\n"
    "a 3x3 Sobel-style kernel, padding 1, stride 1, convolution).\n"
    "\n"
    "  --image M        the input: C channels of HxW\n"
    "  --kernel K       the filters: K filters of C channels of FhxFw; repeat the\n"
    "                   option to add filters\n"
    "  --bias B         one bias per filter, e.g. \"1\" or \"1,-2\"\n"
    "  --stride S       N or HxW (default 1)\n"
    "  --padding P      N, B,E (before,after), HxW with each part N or B,E,\n"
    "                   or valid, same, full (default 0)\n"
    "  --dilation D     N or HxW (default 1)\n"
    "  --mode MODE      convolution (flip the kernel, the textbook definition;\n"
    "                   the default) or correlation (no flip, as PyTorch does)\n"
    "  --activation A   relu, leaky-relu, sigmoid or tanh: a last step after the\n"
    "                   bias (--slope X: leaky-relu's negative slope, default 0.01)\n"
    "  --transposed     a transposed convolution (PyTorch's conv_transpose2d, the\n"
    "                   kernel as written): the scatter view, then the equivalent\n"
    "                   convolution (zeros inserted, a border, the flipped kernel)\n"
    "  --output-padding N  with --transposed: N or HxW extra rows/columns at the\n"
    "                   end (default 0)\n"
    "  --view V         with --transposed: both (default), scatter or conv\n"
    "  --pool max|avg   pooling instead of a convolution (no --kernel): every\n"
    "                   channel on its own, as max_pool2d / avg_pool2d\n"
    "  --window K       with --pool: the window, N or HxW; the stride defaults to it\n"
    "  --ceil           with --pool: round the output size up (ceil_mode)\n"
    "  --exclude-pad    with --pool avg: divide by the input cells only\n"
    "                   (count_include_pad=False; padding counts by default)\n"
    "  --im2col         show the convolution as one matrix product: the unrolled\n"
    "                   input times the kernels as columns\n"
    "  --format F       text, markdown, latex, json or svg (default text); svg\n"
    "                   draws step N as a figure, or without --step every step\n"
    "                   as one animation\n"
    "  --frames DIR     write every step as a figure, DIR/step-NN.svg\n"
    "  --mono           figures in black and greys (for print)\n"
    "  --standalone     with --format latex: a complete document for pdflatex\n"
    "  --summary        only the sizes and the output\n"
    "  --step N         only step N (1-based; the text numbers every step)\n"
    "  --help           this help\n"
    "\n"
    "A matrix argument M or K is read from standard input when it is '-', from\n"
    "FILE when it is '@FILE' or when it does not start like a matrix (a digit,\n"
    "a sign or '.' before a digit, '[', 'array(' or 'tensor('), and is the\n"
    "matrix itself otherwise: \"2 1 2; 3 9 1\", \"[[2,1,2],[3,9,1]]\". Rows end\n"
    "at ';' or a new line, channels are separated by '|' or a blank line,\n"
    "filters by '||' or a\n"
    "line '---'. See convcalc-matrix(5).\n";

#define CMD "conv"

/* Does the argument start like a matrix literal? */
static int looks_literal(const char *a)
{
    while (*a == ' ' || *a == '\t' || *a == '\n')
        a++;
    if (isdigit((unsigned char)*a) || *a == '[')
        return 1;
    if (*a == '.' && isdigit((unsigned char)a[1]))
        return 1;
    if ((*a == '-' || *a == '+') &&
        (isdigit((unsigned char)a[1]) || (a[1] == '.' && isdigit((unsigned char)a[2]))))
        return 1;
    if (!strncmp(a, "\xE2\x88\x92", 3)) /* U+2212 MINUS SIGN */
        return 1;
    static const char *wrappers[] = {"array(", "np.array(", "numpy.array(", "tensor(",
                                     "torch.tensor("};
    for (size_t i = 0; i < sizeof wrappers / sizeof wrappers[0]; i++)
        if (!strncmp(a, wrappers[i], strlen(wrappers[i])))
            return 1;
    return 0;
}

/* Read a matrix argument (see the usage text). *stdin_used guards
 * against two options both reading standard input. */
static int load_matrix(const char *option, const char *arg, cc_matrix *m, int *stdin_used,
                       int *status)
{
    cc_error err;
    cc_error_clear(&err);
    char *text = NULL;
    size_t len;
    const char *source;
    int rc;
    if (!strcmp(arg, "-") || (arg[0] == '@' && arg[1]) || !looks_literal(arg)) {
        const char *path = arg[0] == '@' ? arg + 1 : arg;
        if (!strcmp(path, "-")) {
            if (*stdin_used) {
                *status = cli_usage_error(CMD, "%s: standard input was already read by "
                                               "another option",
                                          option);
                return -1;
            }
            *stdin_used = 1;
            source = "<stdin>";
        } else {
            source = path;
        }
        if ((rc = cli_read_file(path, &text, &len, &err))) {
            *status = cli_report(&err);
            return -1;
        }
        rc = cc_matrix_parse(m, text, len, &err);
        cc_error_source(&err, source);
        free(text);
    } else {
        rc = cc_matrix_parse(m, arg, strlen(arg), &err);
        cc_error_source(&err, option);
    }
    if (rc) {
        *status = cli_report(&err);
        return -1;
    }
    return 0;
}

/* --stride, --dilation, --padding in the notation of `convcalc shape`
 * (arith.h: cc_shape_query_set), so both commands read them alike. */
static int parse_shape_option(cc_shape_query *q, cc_shape_var var, const char *val)
{
    return cli_shape_option(CMD, q, (int)var, val);
}

/* Append the filters of b to a (the channels and sizes must agree). */
static int add_filters(cc_matrix *a, cc_matrix *b, int *status)
{
    if (!a->data) {
        *a = *b;
        memset(b, 0, sizeof *b);
        return 0;
    }
    if (a->c != b->c || a->rows != b->rows || a->cols != b->cols) {
        *status = cli_usage_error(CMD, "--kernel: every filter must have the same shape (%ld "
                                       "channel(s) of %ldx%ld, got %ld of %ldx%ld)",
                                  a->c, a->rows, a->cols, b->c, b->rows, b->cols);
        return -1;
    }
    cc_matrix sum;
    cc_error err;
    cc_error_clear(&err);
    if (cc_matrix_new(&sum, a->n + b->n, a->c, a->rows, a->cols, &err)) {
        *status = cli_report(&err);
        return -1;
    }
    size_t na = cc_matrix_size(a), nb = cc_matrix_size(b);
    memcpy(sum.data, a->data, na * sizeof(double));
    memcpy(sum.data + na, b->data, nb * sizeof(double));
    cc_matrix_free(a);
    cc_matrix_free(b);
    *a = sum;
    return 0;
}

/* --frames DIR: every step as DIR/step-NN.svg (created if missing; each
 * file written atomically). Prints what it wrote. */
static int write_frames(const char *dir, const cc_walk *w, const cc_svg_opts *o)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "convcalc: %s: cannot create the directory: %s\n", dir,
                strerror(errno));
        return CLI_FAILURE;
    }
    size_t n = cc_walk_nsteps(w);
    int digits = n >= 1000000 ? 7 : n >= 100000 ? 6 : n >= 10000 ? 5 : n >= 1000 ? 4
               : n >= 100 ? 3 : 2;
    cc_buf fig = {0}, path = {0};
    cc_error err;
    cc_error_clear(&err);
    int status = CLI_OK;
    for (size_t i = 0; i < n && status == CLI_OK; i++) {
        cc_buf_reset(&fig);
        cc_buf_reset(&path);
        cc_buf_printf(&path, "%s/step-%0*zu.svg", dir, digits, i + 1);
        if (cc_svg_walk_step(&fig, w, i, o, &err) ||
            cli_write_file_atomic(cc_buf_str(&path), fig.data, fig.len, &err)) {
            if (!err.source[0])
                cc_error_source(&err, cc_buf_str(&path));
            status = cli_report(&err);
        }
    }
    if (status == CLI_OK)
        printf("wrote %zu figures: %s/step-%0*d.svg to %s/step-%0*zu.svg\n", n, dir, digits, 1,
               dir, digits, n);
    cc_buf_free(&fig);
    cc_buf_free(&path);
    return status;
}

/* The options of the operations besides the convolution. Returns 0 or
 * an exit status. */
static int parse_op_option(const char *name, const char *val, cc_walk_spec *spec,
                           cc_shape_query *window, int *window_given, int *opad_given,
                           int *slope_given)
{
    cc_error err;
    cc_error_clear(&err);
    if (!strcmp(name, "--activation")) {
        if (cc_activation_parse(val, &spec->activation) || spec->activation == CC_ACT_NONE)
            return cli_usage_error(CMD, "--activation: unknown activation '%s' (expected relu, "
                                        "leaky-relu, sigmoid or tanh)",
                                   val);
    } else if (!strcmp(name, "--slope")) {
        char *end;
        errno = 0;
        double x = strtod(val, &end);
        if (end == val || *end || errno || x != x || x > 1e6 || x < -1e6)
            return cli_usage_error(CMD, "--slope: expected a number at '%s'", val);
        spec->slope = x;
        *slope_given = 1;
    } else if (!strcmp(name, "--output-padding")) {
        cc_shape_query q;
        cc_shape_query_init(&q, CC_SHAPE_TCONV);
        if (cc_shape_query_set_output_padding(&q, val, &err))
            return cli_usage_error(CMD, "--output-padding: %s", err.msg);
        spec->output_padding_h = q.dim[0].output_padding;
        spec->output_padding_w = q.dim[1].output_padding;
        *opad_given = 1;
    } else if (!strcmp(name, "--view")) {
        if (!strcmp(val, "both"))
            spec->view = CC_TVIEW_BOTH;
        else if (!strcmp(val, "scatter"))
            spec->view = CC_TVIEW_SCATTER;
        else if (!strcmp(val, "conv") || !strcmp(val, "convolution"))
            spec->view = CC_TVIEW_CONV;
        else
            return cli_usage_error(CMD, "--view: unknown view '%s' (expected both, scatter or "
                                        "conv)",
                                   val);
    } else if (!strcmp(name, "--pool")) {
        if (spec->op == CC_OP_TRANSPOSED)
            return cli_usage_error(CMD, "--transposed and --pool do not go together");
        if (!strcmp(val, "max"))
            spec->op = CC_OP_MAX_POOL;
        else if (!strcmp(val, "avg") || !strcmp(val, "average") || !strcmp(val, "mean"))
            spec->op = CC_OP_AVG_POOL;
        else
            return cli_usage_error(CMD, "--pool: unknown pooling '%s' (expected max or avg)",
                                   val);
    } else if (!strcmp(name, "--window")) {
        if (cc_shape_query_set(window, CC_VAR_KERNEL, val, &err))
            return cli_usage_error(CMD, "--window: %s", err.msg);
        *window_given = 1;
    }
    return 0;
}

/* Options that belong to another operation. */
static int check_op_options(const cc_walk_spec *spec, int nkernels, int window_given,
                            int stride_given, int mode_given, int ceil_given, int exclude_given,
                            int opad_given, int slope_given, int bias_given)
{
    int pool = spec->op == CC_OP_MAX_POOL || spec->op == CC_OP_AVG_POOL;
    (void)stride_given;
    if (pool && nkernels)
        return cli_usage_error(CMD, "--pool takes no --kernel (the window is --window K)");
    if (pool && bias_given)
        return cli_usage_error(CMD, "--pool takes no --bias");
    if (pool && !window_given)
        return cli_usage_error(CMD, "--pool needs --window K (the window size, N or HxW)");
    if (!pool && window_given)
        return cli_usage_error(CMD, "--window goes with --pool max|avg");
    if (!pool && (ceil_given || exclude_given))
        return cli_usage_error(CMD, "%s goes with --pool", ceil_given ? "--ceil" : "--exclude-pad");
    if (exclude_given && spec->op != CC_OP_AVG_POOL)
        return cli_usage_error(CMD, "--exclude-pad goes with --pool avg");
    if (pool && mode_given)
        return cli_usage_error(CMD, "--mode does not apply to pooling");
    if (spec->op == CC_OP_TRANSPOSED && mode_given)
        return cli_usage_error(CMD, "--mode does not apply to --transposed (it works as "
                                    "PyTorch's conv_transpose2d: the kernel as written)");
    if (spec->op != CC_OP_TRANSPOSED && (opad_given || spec->view != CC_TVIEW_BOTH))
        return cli_usage_error(CMD, "%s goes with --transposed",
                               opad_given ? "--output-padding" : "--view");
    if (slope_given && spec->activation != CC_ACT_LEAKY_RELU)
        return cli_usage_error(CMD, "--slope goes with --activation leaky-relu");
    return 0;
}

int cmd_conv(int argc, char **argv)
{
    cc_walk_spec spec;
    cc_walk_spec_init(&spec);
    cc_shape_query sizes;
    cc_shape_query_init(&sizes, CC_SHAPE_CONV);
    int padding_given = 0, ceil_given = 0, exclude_given = 0, im2col = 0;
    int stride_given = 0, mode_given = 0, window_given = 0, opad_given = 0, slope_given = 0;
    cc_shape_query window;
    cc_shape_query_init(&window, CC_SHAPE_POOL);
    cc_walk_render_opts opts;
    cc_walk_render_opts_init(&opts);
    cc_matrix image = {0}, kernels = {0}, one = {0}, bias = {0};
    const char *image_arg = NULL, *bias_arg = NULL;
    int nkernels = 0, stdin_used = 0, status = CLI_OK;
    long step = 0;
    int svg = 0;
    const char *frames = NULL;
    cc_svg_opts svg_opts = {0};
    cc_walk *w = NULL;
    cc_buf out = {0};
    cc_error err;
    cc_error_clear(&err);

    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            fputs(usage_text, stdout);
            goto done;
        }
        if (!strcmp(o, "--summary")) {
            opts.summary = 1;
            continue;
        }
        if (!strcmp(o, "--standalone")) {
            opts.standalone = 1;
            continue;
        }
        if (!strcmp(o, "--mono")) {
            svg_opts.mono = 1;
            continue;
        }
        if (!strcmp(o, "--transposed")) {
            if (spec.op != CC_OP_CONV) {
                status = cli_usage_error(CMD, "--transposed and --pool do not go together");
                goto done;
            }
            spec.op = CC_OP_TRANSPOSED;
            continue;
        }
        if (!strcmp(o, "--ceil")) {
            spec.ceil_mode = 1;
            ceil_given = 1;
            continue;
        }
        if (!strcmp(o, "--exclude-pad")) {
            spec.count_include_pad = 0;
            exclude_given = 1;
            continue;
        }
        if (!strcmp(o, "--im2col")) {
            im2col = 1;
            continue;
        }
        static const char *with_value[] = {"--image", "--kernel", "--bias",   "--stride",
                                           "--padding", "--dilation", "--mode", "--format",
                                           "--step", "--activation", "--slope",
                                           "--output-padding", "--view", "--pool", "--window",
                                           "--frames"};
        const char *val = NULL;
        size_t j;
        for (j = 0; j < sizeof with_value / sizeof with_value[0]; j++) {
            size_t n = strlen(with_value[j]);
            if (!strncmp(o, with_value[j], n) && (o[n] == '\0' || o[n] == '=')) {
                if (o[n] == '=') {
                    val = o + n + 1;
                } else if (i + 1 < argc) {
                    val = argv[++i];
                } else {
                    status = cli_usage_error(CMD, "%s needs a value", with_value[j]);
                    goto done;
                }
                break;
            }
        }
        if (!val) {
            status = cli_usage_error(CMD, "unknown option '%s'", o);
            goto done;
        }
        const char *name = with_value[j];
        if (!strcmp(name, "--image")) {
            if (image_arg) {
                status = cli_usage_error(CMD, "--image given twice (put channels in one "
                                              "matrix, separated by '|')");
                goto done;
            }
            image_arg = val;
            if (load_matrix("--image", val, &image, &stdin_used, &status))
                goto done;
        } else if (!strcmp(name, "--kernel")) {
            if (load_matrix("--kernel", val, &one, &stdin_used, &status) ||
                add_filters(&kernels, &one, &status))
                goto done;
            nkernels++;
        } else if (!strcmp(name, "--bias")) {
            bias_arg = val;
            if (load_matrix("--bias", val, &bias, &stdin_used, &status))
                goto done;
        } else if (!strcmp(name, "--stride")) {
            if ((status = parse_shape_option(&sizes, CC_VAR_STRIDE, val)))
                goto done;
            stride_given = 1;
        } else if (!strcmp(name, "--dilation")) {
            if ((status = parse_shape_option(&sizes, CC_VAR_DILATION, val)))
                goto done;
        } else if (!strcmp(name, "--padding")) {
            if ((status = parse_shape_option(&sizes, CC_VAR_PADDING, val)))
                goto done;
            padding_given = 1;
        } else if (!strcmp(name, "--mode")) {
            mode_given = 1;
            if (cc_conv_mode_parse(val, &spec.mode)) {
                status = cli_usage_error(CMD, "--mode: unknown mode '%s' (expected convolution "
                                              "or correlation)",
                                         val);
                goto done;
            }
        } else if (!strcmp(name, "--format")) {
            unsigned allowed = 1u << CC_FORMAT_TEXT | 1u << CC_FORMAT_MARKDOWN |
                               1u << CC_FORMAT_LATEX | 1u << CC_FORMAT_JSON;
            if ((status = cli_parse_format_svg(CMD, val, allowed, &opts.format, &svg)))
                goto done;
        } else if (!strcmp(name, "--step")) {
            if ((status = cli_parse_long(CMD, "--step", val, 1, CC_DIM_MAX, &step)))
                goto done;
        } else if (!strcmp(name, "--frames")) {
            frames = val;
        } else if ((status = parse_op_option(name, val, &spec, &window, &window_given,
                                             &opad_given, &slope_given))) {
            goto done;
        }
    }

    if (frames && step > 0) {
        status = cli_usage_error(CMD, "--frames writes every step; leave out --step");
        goto done;
    }
    if ((svg || frames) && (opts.summary || im2col)) {
        status = cli_usage_error(CMD, "%s does not apply to figures",
                                 opts.summary ? "--summary" : "--im2col");
        goto done;
    }
    if ((status = check_op_options(&spec, nkernels, window_given, stride_given, mode_given,
                                   ceil_given, exclude_given, opad_given, slope_given,
                                   bias_arg != NULL)))
        goto done;
    if (spec.op == CC_OP_MAX_POOL || spec.op == CC_OP_AVG_POOL) {
        spec.pool_h = window.dim[0].kernel;
        spec.pool_w = window.dim[1].kernel;
        if (!stride_given) /* PyTorch: the stride defaults to the window */
            sizes.dim[0].stride = spec.pool_h, sizes.dim[1].stride = spec.pool_w;
    }
    spec.stride_h = sizes.dim[0].stride;
    spec.stride_w = sizes.dim[1].stride;
    spec.dilation_h = sizes.dim[0].dilation;
    spec.dilation_w = sizes.dim[1].dilation;
    spec.pad_kind = sizes.padding == CC_PADDING_VALID  ? CC_PAD_VALID
                    : sizes.padding == CC_PADDING_SAME ? CC_PAD_SAME
                    : sizes.padding == CC_PADDING_FULL ? CC_PAD_FULL
                                                       : CC_PAD_EXPLICIT;
    spec.pad_top = sizes.dim[0].pad_begin;
    spec.pad_bottom = sizes.dim[0].pad_end;
    spec.pad_left = sizes.dim[1].pad_begin;
    spec.pad_right = sizes.dim[1].pad_end;
    int pool = spec.op == CC_OP_MAX_POOL || spec.op == CC_OP_AVG_POOL;
    if (pool && !image_arg) {
        status = cli_usage_error(CMD, "--pool needs --image");
        goto done;
    }
    if (!pool && !image_arg != !nkernels) {
        status = cli_usage_error(CMD, "give both --image and --kernel, or neither for the "
                                      "built-in example");
        goto done;
    }
    if (!image_arg) {
        /* the built-in example; options given still apply */
        cc_walk_spec ex;
        if (cc_walk_example(&image, &kernels, &ex, &err)) {
            status = cli_report(&err);
            goto done;
        }
        if (!padding_given) {
            spec.pad_top = ex.pad_top;
            spec.pad_bottom = ex.pad_bottom;
            spec.pad_left = ex.pad_left;
            spec.pad_right = ex.pad_right;
        }
    }
    spec.input = &image;
    spec.kernels = &kernels;
    if (bias_arg) {
        if ((long)cc_matrix_size(&bias) != kernels.n) {
            status = cli_usage_error(CMD, "--bias: %zu value%s for %ld filter%s (expected one "
                                          "per filter)",
                                     cc_matrix_size(&bias), cc_matrix_size(&bias) == 1 ? "" : "s",
                                     kernels.n, kernels.n == 1 ? "" : "s");
            goto done;
        }
        spec.bias = bias.data;
    }
    if (cc_walk_new(&w, &spec, &err)) {
        cc_error_source(&err, CMD);
        status = cli_report(&err);
        goto done;
    }
    if (step > 0) {
        if ((size_t)step > cc_walk_nsteps(w)) {
            status = cli_usage_error(CMD, "--step: there is no step %ld (this walk has %zu "
                                          "steps)",
                                     step, cc_walk_nsteps(w));
            goto done;
        }
        opts.step = step - 1;
    }
    if (frames) {
        status = write_frames(frames, w, &svg_opts);
        goto done;
    }
    if (svg) {
        if (step > 0 ? cc_svg_walk_step(&out, w, (size_t)opts.step, &svg_opts, &err)
                     : cc_svg_walk_animation(&out, w, &svg_opts, &err)) {
            cc_error_source(&err, CMD);
            status = cli_report(&err);
            goto done;
        }
    } else if (im2col ? cc_walk_render_im2col(&out, w, opts.format, &err)
                      : cc_walk_render(&out, w, &opts, &err)) {
        cc_error_source(&err, CMD);
        status = cli_report(&err);
        goto done;
    }
    status = cli_write_stdout(&out);
done:
    cc_buf_free(&out);
    cc_walk_free(w);
    cc_matrix_free(&image);
    cc_matrix_free(&kernels);
    cc_matrix_free(&one);
    cc_matrix_free(&bias);
    return status;
}
