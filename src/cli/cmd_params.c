/* cmd_params.c - `convcalc params`: the parameter-count report of a layer
 * stack read from the spec language, a PyTorch print(model) or a darknet
 * cfg. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "convcalc/net.h"
#include "convcalc/report.h"
#include "convcalc/stack.h"
#include "convcalc/svg.h"

/* ---- --verify: the same stack built by the reference engine -------------------- */
typedef struct vrow {
    cc_shape shape;    /* the engine's output shape (rank 3 or 1) */
    int64_t params;    /* scalars in the parameter tensors it allocated */
    int64_t buffers;   /* scalars in its buffer tensors */
} vrow;

static void shape_of(cc_buf *b, const cc_shape *sh)
{
    cc_buf_reset(b);
    cc_shape_format(b, sh);
}

/* What --verify compares the report against. */
static const char *const compared =
    "Engine check: the report's shapes and counts against convcalc's reference engine\n"
    "(the same layers built as tensors, the parameter and buffer values it allocated,\n"
    "one forward pass on a zero input in evaluation mode); an independent implementation\n"
    "of the same layers, not PyTorch, Keras or darknet themselves.";

/* Build s in the engine, count what it allocated per layer, run one
 * forward pass on zeros, and write the comparison to out. Returns 0 and
 * sets *differs, or fills err (the engine cannot build this stack). */
static int verify(const cc_stack *s, cc_format fmt, cc_buf *out, int *differs, cc_error *err)
{
    *differs = 0;
    cc_net *net = NULL;
    int rc = cc_net_from_stack(&net, s, 0, err);
    if (rc)
        return rc;
    vrow *v = calloc(s->n ? s->n : 1, sizeof *v);
    float *x = NULL, *probs = NULL;
    if (!v) {
        cc_net_free(net);
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < s->n && i < cc_net_layer_count(net); i++) {
        cc_net_layer_info info;
        cc_net_layer(net, i, &info, NULL);
        v[i].shape = info.rank == 4 ? (cc_shape){3, info.out_c, info.out_h, info.out_w}
                                    : (cc_shape){1, info.out_c, 1, 1};
    }
    int64_t total_p = 0, total_b = 0;
    for (size_t k = 0; k < cc_net_param_count(net); k++) {
        cc_net_tensor t;
        if (cc_net_param(net, k, &t, NULL) == 0 && t.layer < s->n) {
            v[t.layer].params += (int64_t)t.numel;
            total_p += (int64_t)t.numel;
        }
    }
    for (size_t k = 0; k < cc_net_buffer_count(net); k++) {
        cc_net_tensor t;
        if (cc_net_buffer(net, k, &t, NULL) == 0 && t.layer < s->n) {
            v[t.layer].buffers += (int64_t)t.numel;
            total_b += (int64_t)t.numel;
        }
    }
    /* one forward pass on a zero image, in evaluation mode */
    long in_c, in_h, in_w;
    cc_net_input_shape(net, &in_c, &in_h, &in_w);
    size_t n_in = (size_t)in_c * (size_t)(in_h ? in_h : 1) * (size_t)(in_w ? in_w : 1);
    long classes = cc_net_classes(net);
    x = calloc(n_in, sizeof *x);
    probs = calloc(classes > 0 ? (size_t)classes : 1, sizeof *probs);
    char forward[256] = "";
    int forward_ok = 0;
    if (!x || !probs) {
        rc = cc_error_set(err, CC_ENOMEM, "out of memory");
        goto done;
    }
    cc_net_set_train(net, 0);
    cc_error ferr;
    cc_error_clear(&ferr);
    if (cc_net_forward(net, x, 1, &ferr)) {
        snprintf(forward, sizeof forward, "the forward pass failed: %.200s", ferr.msg);
    } else {
        long b = 0, c = 0;
        const float *y = cc_net_output(net, &b, &c);
        int finite = 1;
        for (long k = 0; y && k < b * c; k++)
            if (!isfinite(y[k]))
                finite = 0;
        const cc_shape *last = &s->layers[s->n - 1].out;
        int64_t want = (int64_t)last->c * last->h * last->w;
        if (!y || b != 1 || c != want || !finite) {
            snprintf(forward, sizeof forward,
                     "the forward pass on zeros gives %ld x %ld outputs%s, the stack says %lld",
                     b, c, finite ? "" : " (not all finite)", (long long)want);
        } else {
            snprintf(forward, sizeof forward,
                     "the forward pass on a zero input gives %ld finite outputs, as the stack "
                     "says", c);
            forward_ok = 1;
        }
    }
    if (!forward_ok)
        *differs = 1;

    cc_table *t = cc_table_new(8);
    cc_buf a = {0}, b = {0};
    if (!t) {
        rc = cc_error_set(err, CC_ENOMEM, "out of memory");
        goto done;
    }
    static const char *const head[8] = {"#", "name", "output (stack)", "output (engine)",
                                        "params (stack)", "params (engine)", "buffers", "check"};
    for (int c = 0; c < 8; c++)
        cc_table_header(t, c, head[c], c == 0 || (c >= 4 && c <= 6));
    cJSON *jl = fmt == CC_FORMAT_JSON ? cJSON_CreateArray() : NULL;
    int n_bad = 0, n_flat = 0, n_skip = 0;
    int64_t skip_p = 0, skip_b = 0;
    for (size_t i = 0; i < s->n; i++) {
        const cc_layer *l = &s->layers[i];
        int skipped = cc_net_stack_skipped(l);
        int match = cc_net_stack_shape_match(l, v[i].shape.c, v[i].shape.h, v[i].shape.w);
        if (skipped) {
            n_skip++;
            skip_p += l->counts.params > 0 ? l->counts.params : 0;
            skip_b += l->counts.buffers > 0 ? l->counts.buffers : 0;
            v[i].buffers = l->counts.buffers;
            v[i].shape = (cc_shape){0, 0, 0, 0};
            match = 1;
            v[i].params = l->counts.params;
        }
        int same_shape = match != 0;
        if (match == 2)
            n_flat++;
        int same_p = l->counts.params == v[i].params;
        int same_b = l->counts.buffers == v[i].buffers;
        int ok = same_shape && same_p && same_b;
        if (!ok)
            n_bad++;
        cc_table_row(t);
        cc_table_cell(t, 0, "%zu", i + 1);
        cc_table_cell(t, 1, "%s", l->name);
        shape_of(&a, &l->out);
        shape_of(&b, &v[i].shape);
        cc_table_cell(t, 2, "%s", cc_buf_str(&a));
        cc_table_cell(t, 3, "%s", cc_buf_str(&b));
        cc_table_cell(t, 4, "%lld", (long long)l->counts.params);
        cc_table_cell(t, 5, "%lld", (long long)v[i].params);
        if (same_b)
            cc_table_cell(t, 6, "%lld", (long long)v[i].buffers);
        else
            cc_table_cell(t, 6, "%lld vs %lld", (long long)l->counts.buffers,
                          (long long)v[i].buffers);
        cc_table_cell(t, 7, "%s", !ok ? (!same_shape ? "SHAPE DIFFERS" : "COUNT DIFFERS")
                                      : skipped ? "not built (training only)"
                                      : match == 2 ? "ok (flattened)" : "ok");
        if (jl) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddItemToArray(jl, o);
            cJSON_AddNumberToObject(o, "index", (double)(i + 1));
            cJSON_AddStringToObject(o, "name", l->name);
            cJSON_AddStringToObject(o, "output_stack", cc_buf_str(&a));
            cJSON_AddStringToObject(o, "output_engine", cc_buf_str(&b));
            cJSON_AddNumberToObject(o, "params_stack", (double)l->counts.params);
            cJSON_AddNumberToObject(o, "params_engine", (double)v[i].params);
            cJSON_AddNumberToObject(o, "buffers_stack", (double)l->counts.buffers);
            cJSON_AddNumberToObject(o, "buffers_engine", (double)v[i].buffers);
            cJSON_AddBoolToObject(o, "ok", ok);
            cJSON_AddBoolToObject(o, "flattened", match == 2);
            cJSON_AddBoolToObject(o, "built", !skipped);
        }
    }
    if (n_bad)
        *differs = 1;
    cc_stack_totals tot;
    cc_stack_totals_get(s, 0, &tot);
    if (tot.total_params != total_p + skip_p || tot.buffers != total_b + skip_b)
        *differs = 1;
    char summary[1400], flat[200] = "", skip[360] = "";
    if (n_skip)
        snprintf(skip, sizeof skip,
                 "; %d layer%s of auxiliary heads, which run only in training and do not fit "
                 "this input size, %s not built (an identity in their place; their %lld "
                 "parameters and %lld buffer values are counted from their arguments only)",
                 n_skip, n_skip == 1 ? "" : "s", n_skip == 1 ? "is" : "are",
                 (long long)skip_p, (long long)skip_b);
    if (n_flat)
        snprintf(flat, sizeof flat,
                 " (%d element-wise layer%s before a flattening linear layer: the report "
                 "shows %s output flattened, the engine flattens in the linear layer)",
                 n_flat, n_flat == 1 ? "" : "s", n_flat == 1 ? "its" : "their");
    if (*differs)
        snprintf(summary, sizeof summary,
                 "The engine disagrees: %d of %zu layers differ; it allocated %lld parameters "
                 "and %lld buffer values (the stack counts %lld and %lld); %s.",
                 n_bad, s->n, (long long)total_p, (long long)total_b,
                 (long long)tot.total_params, (long long)tot.buffers, forward);
    else
        snprintf(summary, sizeof summary,
                 "Verified: the engine built %s%zu layers with the same shapes%s, allocated "
                 "%lld parameters and %lld buffer values as counted%s, and %s%s.",
                 n_skip ? "" : "all ", s->n - (size_t)n_skip, flat, (long long)total_p,
                 (long long)total_b, n_skip ? " for them" : "", forward, skip);
    if (fmt == CC_FORMAT_JSON) {
        cJSON *root = cJSON_CreateObject();
        cJSON_AddBoolToObject(root, "verified", !*differs);
        cJSON_AddItemToObject(root, "layers", jl);
        cJSON_AddNumberToObject(root, "total_params", (double)tot.total_params);
        cJSON_AddNumberToObject(root, "engine_params", (double)total_p);
        cJSON_AddNumberToObject(root, "buffers", (double)tot.buffers);
        cJSON_AddNumberToObject(root, "engine_buffers", (double)total_b);
        cJSON_AddBoolToObject(root, "forward_ok", forward_ok);
        cJSON_AddStringToObject(root, "compared_against", "convcalc reference engine");
        cJSON_AddStringToObject(root, "summary", summary);
        char *txt = cJSON_Print(root);
        cJSON_Delete(root);
        if (txt) {
            cc_buf_puts(out, txt);
            cc_buf_putc(out, '\n');
            free(txt);
        }
    } else {
        if (fmt == CC_FORMAT_TEXT)
            cc_buf_printf(out, "%s\n\n", compared);
        cc_table_render(out, t, fmt);
        if (fmt == CC_FORMAT_LATEX) {
            cc_buf_puts(out, "% ");
            cc_latex_escape(out, summary);
            cc_buf_putc(out, '\n');
        } else if (fmt != CC_FORMAT_CSV) {
            cc_buf_printf(out, "\n%s\n", summary);
        }
    }
    cc_table_free(t);
    cc_buf_free(&a);
    cc_buf_free(&b);
done:
    free(x);
    free(probs);
    free(v);
    cc_net_free(net);
    return rc;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: convcalc params SPEC|- [--from auto|spec|torch|darknet] [--input HxWxC]\n"
            "                       [--keras] [--batch N] [--to-spec] [--verify]\n"
            "                       [--format text|markdown|latex|csv|json|svg] [--mono]\n"
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
            "  --verify       build the stack in the reference engine, count what it\n"
            "                 allocates, run one forward pass on zeros, and compare every\n"
            "                 shape and count with the report (exit 3 if they differ)\n"
            "  --format F     text (default), markdown, latex, csv, json, or svg: the\n"
            "                 network as a diagram (a block per feature map)\n"
            "  --mono         the diagram in black and greys (for print)\n"
            "\n"
            "Examples:\n"
            "  convcalc params exercises/assignment.spec\n"
            "  python -c 'import torchvision; print(torchvision.models.resnet18())' |\n"
            "      convcalc params - --input 224x224x3\n"
            "\n"
            "Exit status: 0 success, 2 bad usage or input (with FILE:LINE:COL), 3 I/O\n"
            "failure or (--verify) the engine disagrees with the report.\n");
}

int cmd_params(int argc, char **argv)
{
    const char *path = NULL, *input = NULL;
    cc_stack_source from = CC_SOURCE_AUTO;
    cc_report_options ro;
    cc_report_options_init(&ro);
    int to_spec = 0, check = 0, svg = 0;
    cc_svg_opts svg_opts = {0};
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
            if (cli_parse_format_svg("params", val, all, &ro.format, &svg))
                return CLI_USAGE;
        } else if (!strcmp(a, "--mono")) {
            svg_opts.mono = 1;
        } else if (!strcmp(a, "--keras")) {
            ro.keras = 1;
        } else if (!strcmp(a, "--to-spec")) {
            to_spec = 1;
        } else if (!strcmp(a, "--verify")) {
            check = 1;
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
    if (cli_is_onnx(path) && svg && !check && !to_spec && !input)
        return cli_params_onnx_svg(path, &svg_opts);
    if (cli_is_onnx(path) && !check && !to_spec && !input)
        return cli_params_onnx(path, ro.format);

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
    if (check && s->shapes != CC_SHAPES_SEQUENTIAL && s->shapes != CC_SHAPES_ASSUMED) {
        fprintf(stderr,
                "convcalc: %s: --verify: not verified: the shapes of this model are not "
                "known (%s), and the engine check builds every layer with its shapes; "
                "without --verify the report still gives the parameter totals\n",
                shown, s->shape_note[0] ? s->shape_note : "no input size");
        cc_stack_free(s);
        return CLI_USAGE;
    }
    if (check) {
        int differs = 0;
        rc = verify(s, ro.format, &out, &differs, &err);
        cc_stack_free(s);
        if (rc) {
            cc_buf_free(&out);
            fprintf(stderr, "convcalc: %s: --verify: not verified: the reference engine cannot build "
                            "this stack: %s\n", shown, err.msg);
            return rc == CC_ENOMEM || rc == CC_EINTERNAL ? CLI_FAILURE : CLI_USAGE;
        }
        int status = cli_write_stdout(&out);
        cc_buf_free(&out);
        return status != CLI_OK ? status : differs ? CLI_FAILURE : CLI_OK;
    }
    if (to_spec) {
        rc = cc_stack_to_spec(&out, s);
        if (rc == CC_EINVAL)
            cc_error_set(&err, rc, "the spec language has no form for some of its modules "
                         "(PyTorch modules such as GroupNorm or LSTM)");
        else if (rc)
            cc_error_set(&err, rc, "out of memory");
    } else if (svg) {
        svg_opts.title = shown;
        rc = cc_svg_stack(&out, s, &svg_opts, &err);
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
