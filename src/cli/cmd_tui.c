/* cmd_tui.c - `convcalc tui`: the interactive application, opened on the
 * built-in example or on the user's matrices. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "convcalc/arith.h"
#include "tui/tui.h"
#include "tui/tui_app.h"

static void usage(FILE *out)
{
    fputs("usage: convcalc tui [--image M] [--kernel K] [--stride S]\n"
          "                    [--padding P|valid|same|full] [--dilation D]\n"
          "                    [--mode convolution|correlation]\n"
          "\n"
          "Opens the interactive application (also what 'convcalc' alone does on a\n"
          "terminal) on the built-in example, or on your input and kernel. M and K\n"
          "are matrices as 'convcalc conv' reads them: \"2 1 2; 3 9 1\",\n"
          "[[2,1,2],[3,9,1]], or @FILE to read one from a file. Press ? inside for\n"
          "every key.\n"
          "\n"
          "Options:\n"
          "  --image M       the input (default: the built-in 3x5 example)\n"
          "  --kernel K      the kernel (default: the Sobel-style 3x3 example); repeat\n"
          "                  the option to add filters\n"
          "  --stride S      N or HxW (default 1)\n"
          "  --padding P     N, B,E (before,after), HxW with each part N or B,E,\n"
          "                  or valid, same, full (default 1 for the example, 0 for\n"
          "                  your own matrices)\n"
          "  --dilation D    N or HxW (default 1)\n"
          "  --mode M        convolution (flip the kernel, default) or correlation\n"
          "  --help          this text\n",
          out);
}

/* --image/--kernel: the text itself, or @FILE. */
static int matrix_arg(const char *opt, const char *arg, char **text, const char **source)
{
    free(*text);
    *text = NULL;
    if (arg[0] == '@') {
        if (strcmp(arg + 1, "-") == 0)
            return cli_usage_error("tui", "%s: standard input is the keyboard here; "
                                   "give a file", opt);
        cc_error err;
        cc_error_clear(&err);
        if (cli_read_file(arg + 1, text, NULL, &err) != 0)
            return cli_report(&err);
        *source = arg + 1;
        return 0;
    }
    *text = strdup(arg);
    if (!*text) {
        fprintf(stderr, "convcalc: out of memory\n");
        return CLI_FAILURE;
    }
    *source = opt;
    return 0;
}

/* --stride, --padding, --dilation in the notation of `convcalc conv` and
 * `convcalc shape` (arith.h: cc_shape_query_set). */
static int shape_option(tui_options *o, cc_shape_var var, const char *val)
{
    cc_shape_query q;
    cc_shape_query_init(&q, CC_SHAPE_CONV);
    int rc = cli_shape_option("tui", &q, (int)var, val);
    if (rc)
        return rc;
    if (var == CC_VAR_STRIDE || var == CC_VAR_DILATION) {
        long h = var == CC_VAR_STRIDE ? q.dim[0].stride : q.dim[0].dilation;
        long w = var == CC_VAR_STRIDE ? q.dim[1].stride : q.dim[1].dilation;
        if (h < 1 || w < 1)
            return cli_usage_error("tui", "--%s: %ld is out of range (expected 1 to %ld)",
                                   var == CC_VAR_STRIDE ? "stride" : "dilation", h < 1 ? h : w,
                                   (long)CC_DIM_MAX);
    }
    if (var == CC_VAR_STRIDE) {
        o->stride = q.dim[0].stride;
        o->stride_w = q.dim[1].stride;
    } else if (var == CC_VAR_DILATION) {
        o->dilation = q.dim[0].dilation;
        o->dilation_w = q.dim[1].dilation;
    } else {
        o->pad_set = 1;
        o->pad_kind = q.padding == CC_PADDING_VALID  ? TUI_PAD_VALID
                      : q.padding == CC_PADDING_SAME ? TUI_PAD_SAME
                      : q.padding == CC_PADDING_FULL ? TUI_PAD_FULL
                                                     : TUI_PAD_NUMBER;
        o->pad = q.dim[0].pad_begin;
        o->pad_bottom = q.dim[0].pad_end;
        o->pad_left = q.dim[1].pad_begin;
        o->pad_right = q.dim[1].pad_end;
        o->pad_sides = 1;
    }
    return 0;
}

int cmd_tui(int argc, char **argv)
{
    tui_options o;
    memset(&o, 0, sizeof o);
    char *image = NULL, *kernel = NULL;
    int rc = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            free(image);
            free(kernel);
            return CLI_OK;
        }
        const char *opts[] = {"--image", "--kernel", "--stride", "--padding", "--dilation",
                              "--mode"};
        size_t which = sizeof opts / sizeof opts[0];
        const char *val = NULL;
        for (size_t j = 0; j < sizeof opts / sizeof opts[0]; j++) {
            size_t n = strlen(opts[j]);
            if (strncmp(a, opts[j], n) == 0 && (a[n] == '\0' || a[n] == '=')) {
                which = j;
                if (a[n] == '=')
                    val = a + n + 1;
                else if (i + 1 < argc)
                    val = argv[++i];
                break;
            }
        }
        if (which == sizeof opts / sizeof opts[0]) {
            rc = cli_usage_error("tui", "unknown option '%s'", a);
            break;
        }
        if (!val) {
            rc = cli_usage_error("tui", "%s needs a value", opts[which]);
            break;
        }
        switch (which) {
        case 0: rc = matrix_arg("--image", val, &image, &o.image_source); break;
        case 1: {
            /* each --kernel adds filters, as `convcalc conv` does */
            char *one = NULL;
            const char *src = NULL;
            rc = matrix_arg("--kernel", val, &one, &src);
            if (rc == 0 && kernel) {
                size_t n = strlen(kernel) + strlen(one) + 8;
                char *both = malloc(n);
                if (!both) {
                    fprintf(stderr, "convcalc: out of memory\n");
                    rc = CLI_FAILURE;
                } else {
                    snprintf(both, n, "%s\n---\n%s", kernel, one);
                    free(kernel);
                    kernel = both;
                    o.kernel_source = "--kernel";
                }
                free(one);
            } else if (rc == 0) {
                kernel = one;
                o.kernel_source = src;
            } else {
                free(one);
            }
            break;
        }
        case 2: case 3: case 4:
            rc = shape_option(&o, which == 2 ? CC_VAR_STRIDE
                                  : which == 3 ? CC_VAR_PADDING : CC_VAR_DILATION, val);
            break;
        case 5: {
            cc_conv_mode m;
            if (cc_conv_mode_parse(val, &m) != 0)
                rc = cli_usage_error("tui", "--mode: unknown mode '%s' (expected convolution "
                                     "or correlation)", val);
            else
                o.correlation = m == CC_MODE_CORRELATION;
            break;
        }
        }
    }
    /* the matrices and settings first: their errors matter more */
    tui_state s;
    int have_state = 0;
    if (rc == 0) {
        o.image = image;
        o.kernel = kernel;
        cc_error err;
        cc_error_clear(&err);
        if (tui_state_init(&s, &o, &err) != 0)
            rc = cli_report(&err);
        else
            have_state = 1;
    }
    if (rc == 0 && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
        fprintf(stderr,
                "convcalc: tui: the interactive application needs a terminal on standard "
                "input and output.\n"
                "Use a subcommand instead, e.g. 'convcalc conv --image \"1 2; 3 4\" "
                "--kernel \"1 0; 0 1\"'; 'convcalc --help' lists them.\n");
        rc = CLI_USAGE;
    }
    if (rc == 0)
        rc = tui_run(&s);
    if (have_state)
        tui_state_free(&s);
    free(image);
    free(kernel);
    return rc;
}
