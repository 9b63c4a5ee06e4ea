/* cmd_bench.c - `convcalc bench`: train and run a network on synthetic
 * data and print images per second for a training step and for inference. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "convcalc/layers.h"
#include "convcalc/net.h"
#include "convcalc/optim.h"
#include "convcalc/rng.h"
#include "convcalc/stack.h"

static const char *const usage_text =
    "usage: convcalc bench [SPEC|-] [--input HxWxC] [--from auto|spec|torch|darknet]\n"
    "                      [--batch N] [--steps N] [--warmup N] [--threads N]\n"
    "                      [--seed N] [--peak] [--format text|json]\n"
    "\n"
    "Time the reference engine on synthetic data (normal inputs, uniform\n"
    "labels): a training step (zero_grad, forward, cross-entropy, backward,\n"
    "SGD with momentum 0.9) and inference (forward in eval mode), and print\n"
    "images per second for each. Without SPEC the assignment network is\n"
    "timed (input 32x32x3: conv 32 5x5 pad 2, relu, maxpool 2; conv 64 5x5\n"
    "pad 2, relu, maxpool 2; conv 128 5x5 pad 2, relu, maxpool 2; flatten;\n"
    "linear 2048->64, relu; linear 64->10).\n"
    "\n"
    "  SPEC             a layer stack file as `convcalc params` reads it\n"
    "  --input HxWxC    the input size, when SPEC does not give one\n"
    "  --from F         the format of SPEC (default: detected)\n"
    "  --batch N        images per step, default 64\n"
    "  --steps N        timed steps of each kind, default 20\n"
    "  --warmup N       untimed steps first, default 2\n"
    "  --threads N      worker threads (default: $CONVCALC_THREADS, else every\n"
    "                   online CPU)\n"
    "  --seed N         seed of the weights and the data, default 1\n"
    "  --peak           also measure the machine's GEMM limit (the best FLOP/s\n"
    "                   of n^3 sgemms, n = 256..1024, OpenBLAS and oneDNN, on\n"
    "                   the same threads) and say how close the steps come\n"
    "  --format F       text (default) or json\n"
    "\n"
    "Exit status: 0 measured, 2 bad usage or a network the engine cannot\n"
    "build, 3 an internal failure.\n";

static const char *const assignment_spec =
    "input 32x32x3\n"
    "conv 32 5x5 pad 2\nrelu\nmaxpool 2\n"
    "conv 64 5x5 pad 2\nrelu\nmaxpool 2\n"
    "conv 128 5x5 pad 2\nrelu\nmaxpool 2\n"
    "flatten\nlinear 2048->64\nrelu\nlinear 64->10\n";

static double clock_seconds(clockid_t which)
{
    struct timespec ts;
    clock_gettime(which, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now_seconds(void)
{
    return clock_seconds(CLOCK_MONOTONIC);
}

/* CPU time of the whole process (every thread): on a machine shared with
 * other work it says what the steps cost when the wall clock cannot. */
static double cpu_seconds(void)
{
    return clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
}

typedef struct bench_result {
    double flops;            /* forward FLOPs per image, as `params` counts */
    double peak, peak_blas, peak_dnnl; /* GEMM FLOP/s (0: not measured)  */
    double train_s, infer_s; /* seconds for all timed steps */
    double train_cpu, infer_cpu; /* process CPU seconds for them */
    double last_loss;
} bench_result;

static int run_bench(cc_net *net, long batch, long steps, long warmup, uint64_t seed,
                     bench_result *res, cc_error *err)
{
    long c, h, w;
    cc_net_input_shape(net, &c, &h, &w);
    size_t per = (size_t)c * (size_t)(h ? h : 1) * (size_t)(w ? w : 1), n;
    if (cc_size_mul(per, (size_t)batch, &n) || n > ((size_t)1 << 32))
        return cc_error_set(err, CC_ERANGE, "a batch of %ld inputs is too large", batch);
    float *x = malloc(n * sizeof(float));
    int32_t *y = malloc((size_t)batch * sizeof(int32_t));
    cc_optim *opt = NULL;
    int rc = 0;
    if (!x || !y) {
        rc = cc_error_set(err, CC_ENOMEM, "out of memory for the synthetic batch");
        goto done;
    }
    cc_rng r;
    cc_rng_seed(&r, seed ^ 0x5eed);
    for (size_t i = 0; i < n; i++)
        x[i] = cc_rng_normalf(&r, 0.0f, 1.0f);
    long classes = cc_net_classes(net);
    for (long i = 0; i < batch; i++)
        y[i] = (int32_t)cc_rng_below(&r, (uint64_t)classes);
    cc_optim_config cfg;
    cc_optim_config_default(&cfg, CC_OPTIM_SGD);
    cfg.momentum = 0.9;
    if ((rc = cc_optim_new(&opt, &cfg, err)) || (rc = cc_optim_add_net(opt, net, err)))
        goto done;
    cc_net_set_train(net, 1);
    double t0 = 0.0, c0 = 0.0;
    for (long s = 0; s < warmup + steps; s++) {
        if (s == warmup) {
            t0 = now_seconds();
            c0 = cpu_seconds();
        }
        cc_net_zero_grad(net);
        if ((rc = cc_net_forward(net, x, batch, err)) ||
            (rc = cc_net_loss(net, y, &res->last_loss, NULL, err)) ||
            (rc = cc_net_backward(net, err)) || (rc = cc_optim_step(opt, err)))
            goto done;
    }
    res->train_s = now_seconds() - t0;
    res->train_cpu = cpu_seconds() - c0;
    cc_net_set_train(net, 0);
    for (long s = 0; s < warmup + steps; s++) {
        if (s == warmup) {
            t0 = now_seconds();
            c0 = cpu_seconds();
        }
        if ((rc = cc_net_forward(net, x, batch, err)))
            goto done;
    }
    res->infer_s = now_seconds() - t0;
    res->infer_cpu = cpu_seconds() - c0;
done:
    cc_optim_free(opt);
    free(x);
    free(y);
    return rc;
}

/* "12.3 MiB", "45.6 KiB", "789 B" */
static const char *human_bytes(char *buf, size_t size, size_t bytes)
{
    if (bytes >= 1048576)
        snprintf(buf, size, "%.1f MiB", (double)bytes / 1048576.0);
    else if (bytes >= 1024)
        snprintf(buf, size, "%.1f KiB", (double)bytes / 1024.0);
    else
        snprintf(buf, size, "%zu B", bytes);
    return buf;
}

/* name as a JSON string literal */
static void json_string(cc_buf *out, const char *s)
{
    cc_buf_putc(out, '"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            cc_buf_printf(out, "\\%c", ch);
        else if (ch < 0x20)
            cc_buf_printf(out, "\\u%04x", ch);
        else
            cc_buf_putc(out, (char)ch);
    }
    cc_buf_putc(out, '"');
}

static void render(cc_buf *out, cc_format fmt, const char *name, const cc_net *net,
                   long batch, long steps, long warmup, int threads,
                   const bench_result *res)
{
    double train_ips = (double)batch * (double)steps / res->train_s;
    double infer_ips = (double)batch * (double)steps / res->infer_s;
    double train_ms = 1e3 * res->train_s / (double)steps;
    double infer_ms = 1e3 * res->infer_s / (double)steps;
    /* a training step counts 3x the forward FLOPs (forward, and a backward
     * pass twice its size) */
    double train_gf = 3.0 * res->flops * train_ips / 1e9, infer_gf = res->flops * infer_ips / 1e9;
    long c, h, w;
    cc_net_input_shape(net, &c, &h, &w);
    char shape[96];
    if (h)
        snprintf(shape, sizeof shape, "%ldx%ldx%ld", h, w, c);
    else
        snprintf(shape, sizeof shape, "%ld", c);
    if (fmt == CC_FORMAT_JSON) {
        cc_buf_puts(out, "{\n  \"network\": ");
        json_string(out, name);
        cc_buf_printf(out,
                      ",\n  \"input\": \"%s\",\n"
                      "  \"classes\": %ld,\n  \"params\": %lld,\n  \"batch\": %ld,\n"
                      "  \"steps\": %ld,\n  \"warmup\": %ld,\n  \"threads\": %d,\n"
                      "  \"train_images_per_s\": %.1f,\n  \"infer_images_per_s\": %.1f,\n"
                      "  \"train_ms_per_step\": %.3f,\n  \"infer_ms_per_step\": %.3f,\n"
                      "  \"train_cpu_ms_per_step\": %.3f,\n  \"infer_cpu_ms_per_step\": %.3f,\n"
                      "  \"activation_bytes\": %zu,\n  \"param_bytes\": %zu,\n",
                      shape, cc_net_classes(net), (long long)cc_net_num_params(net),
                      batch, steps, warmup, threads, train_ips, infer_ips, train_ms, infer_ms,
                      1e3 * res->train_cpu / (double)steps, 1e3 * res->infer_cpu / (double)steps,
                      cc_net_activation_bytes(net), cc_net_param_bytes(net));
        cc_buf_printf(out,
                      "  \"conv_backend\": \"%s\",\n  \"onednn_isa\": \"%s\",\n"
                      "  \"openblas_core\": \"%s\",\n  \"flops_per_image\": %.0f,\n"
                      "  \"train_gflops_per_s\": %.2f,\n  \"infer_gflops_per_s\": %.2f",
                      cc_conv_backend_name(cc_conv_auto_backend()), cc_conv_onednn_isa(),
                      cc_blas_core(), res->flops, train_gf, infer_gf);
        if (res->peak > 0)
            cc_buf_printf(out,
                          ",\n  \"gemm_peak_gflops_per_s\": %.2f,\n"
                          "  \"gemm_peak_openblas_gflops_per_s\": %.2f,\n"
                          "  \"gemm_peak_onednn_gflops_per_s\": %.2f",
                          res->peak / 1e9, res->peak_blas / 1e9, res->peak_dnnl / 1e9);
        cc_buf_puts(out, "\n}\n");
        return;
    }
    cc_buf_printf(out, "network    %s, input %s, %ld classes, %lld parameters\n", name, shape,
                  cc_net_classes(net), (long long)cc_net_num_params(net));
    cc_buf_printf(out, "setup      batch %ld, %d thread%s, %ld timed steps after %ld warm-up\n",
                  batch, threads, threads == 1 ? "" : "s", steps, warmup);
    cc_buf_printf(out, "training   %10.1f images/s  (%.2f ms per step: forward, loss, "
                       "backward, SGD; %.2f ms CPU)\n", train_ips, train_ms,
                  1e3 * res->train_cpu / (double)steps);
    cc_buf_printf(out, "inference  %10.1f images/s  (%.2f ms per batch, eval mode; %.2f ms CPU)\n",
                  infer_ips, infer_ms, 1e3 * res->infer_cpu / (double)steps);
    cc_buf_printf(out, "kernels    convolution %s (oneDNN ISA %s); OpenBLAS core %s\n",
                  cc_conv_backend_name(cc_conv_auto_backend()), cc_conv_onednn_isa(),
                  cc_blas_core());
    cc_buf_printf(out, "work       %.4g MFLOP per image forward (as `convcalc params` counts); "
                       "a training step counts 3x: training %.1f GFLOP/s, inference %.1f "
                       "GFLOP/s\n", res->flops / 1e6, train_gf, infer_gf);
    if (res->peak > 0)
        cc_buf_printf(out, "limit      best GEMM %.1f GFLOP/s on %d thread%s (n^3 sgemm, n "
                           "256..1024: oneDNN %.1f, OpenBLAS %.1f); training at %.0f%%, inference at "
                           "%.0f%% of it\n", res->peak / 1e9, threads, threads == 1 ? "" : "s",
                      res->peak_dnnl / 1e9, res->peak_blas / 1e9, 100.0 * train_gf * 1e9 / res->peak,
                      100.0 * infer_gf * 1e9 / res->peak);
    char act[32], par[32];
    cc_buf_printf(out, "memory     %s activations and workspaces, %s parameters, "
                       "gradients and buffers\n",
                  human_bytes(act, sizeof act, cc_net_activation_bytes(net)),
                  human_bytes(par, sizeof par, cc_net_param_bytes(net)));
}

int cmd_bench(int argc, char **argv)
{
    const char *spec_path = NULL, *input = NULL, *from = NULL;
    long batch = 64, steps = 20, warmup = 2, seed = 1;
    long threads = 0; /* not given: cli_default_threads */
    int peak = 0;
    cc_format fmt = CC_FORMAT_TEXT;
    const unsigned formats = 1u << CC_FORMAT_TEXT | 1u << CC_FORMAT_JSON;

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            fputs(usage_text, stdout);
            return CLI_OK;
        }
        if (!strcmp(arg, "--peak")) {
            peak = 1;
            continue;
        }
        if (arg[0] != '-' || !strcmp(arg, "-")) {
            if (spec_path)
                return cli_usage_error("bench", "more than one SPEC ('%s' and '%s')",
                                       spec_path, arg);
            spec_path = arg;
            continue;
        }
        static const char *const opts[] = {"--input",   "--from", "--batch",  "--steps",
                                           "--warmup",  "--threads", "--seed", "--format"};
        size_t nlen = strcspn(arg, "=");
        int idx = -1;
        for (int k = 0; k < (int)(sizeof opts / sizeof opts[0]); k++)
            if (strlen(opts[k]) == nlen && !strncmp(arg, opts[k], nlen))
                idx = k;
        if (idx < 0)
            return cli_usage_error("bench", "unknown option '%s'", arg);
        const char *value;
        if (arg[nlen] == '=') {
            value = arg + nlen + 1;
        } else {
            if (i + 1 >= argc)
                return cli_usage_error("bench", "%s needs a value", arg);
            value = argv[++i];
        }
        int bad = 0;
        switch (idx) {
        case 0: input = value; break;
        case 1: from = value; break;
        case 2: bad = cli_parse_long("bench", "--batch", value, 1, 1L << 20, &batch); break;
        case 3: bad = cli_parse_long("bench", "--steps", value, 1, 1000000, &steps); break;
        case 4: bad = cli_parse_long("bench", "--warmup", value, 0, 1000000, &warmup); break;
        case 5: bad = cli_parse_long("bench", "--threads", value, 1, 64, &threads); break;
        case 6: bad = cli_parse_long("bench", "--seed", value, 0, 0x7fffffffL, &seed); break;
        default: bad = cli_parse_format("bench", value, formats, &fmt); break;
        }
        if (bad)
            return CLI_USAGE;
    }
    if (!threads && cli_default_threads("bench", &threads) != 0)
        return CLI_USAGE;
    cc_stack_source source = CC_SOURCE_AUTO;
    if (from) {
        if (!strcmp(from, "auto")) source = CC_SOURCE_AUTO;
        else if (!strcmp(from, "spec")) source = CC_SOURCE_SPEC;
        else if (!strcmp(from, "torch")) source = CC_SOURCE_TORCH;
        else if (!strcmp(from, "darknet")) source = CC_SOURCE_DARKNET;
        else
            return cli_usage_error("bench", "--from: unknown format '%s' (expected auto, spec, "
                                   "torch or darknet)", from);
    }

    cc_error err;
    cc_error_clear(&err);
    char *text = NULL;
    size_t len = 0;
    const char *name = "assignment network";
    int status = CLI_OK;
    cc_stack *stack = NULL;
    cc_net *net = NULL;
    cc_buf out = {0};
    if (spec_path) {
        if (cli_read_file(spec_path, &text, &len, &err))
            return cli_report(&err);
        name = !strcmp(spec_path, "-") ? "<stdin>" : spec_path;
    }
    int rc = cc_stack_parse(&stack, text ? text : assignment_spec,
                            text ? len : strlen(assignment_spec), source, &err);
    if (rc) {
        cc_error_source(&err, spec_path ? name : "<built-in>");
        status = cli_report(&err);
        goto done;
    }
    if (input) {
        cc_shape shp;
        if ((rc = cc_shape_parse(input, &shp, &err)) ||
            (rc = cc_stack_set_input(stack, shp.rank == 3 ? shp.h : 0,
                                     shp.rank == 3 ? shp.w : 0, shp.c, &err))) {
            cc_error_source(&err, "--input");
            status = cli_report(&err);
            goto done;
        }
    }
    if ((rc = cc_stack_infer(stack, &err))) {
        cc_error_source(&err, spec_path ? name : "<built-in>");
        status = cli_report(&err);
        goto done;
    }
    if ((rc = cc_net_from_stack(&net, stack, (uint64_t)seed, &err)) ||
        (rc = cc_net_set_threads(net, (int)threads, &err)) ||
        (rc = cc_net_reserve(net, batch, &err))) {
        if (spec_path)
            cc_error_source(&err, name);
        status = cli_report(&err);
        goto done;
    }
    bench_result res = {0};
    cc_stack_totals tot;
    cc_stack_totals_get(stack, 0, &tot);
    res.flops = tot.flops > 0 ? (double)tot.flops : 0.0;
    if ((rc = run_bench(net, batch, steps, warmup, (uint64_t)seed, &res, &err)) ||
        (peak && ((rc = cc_gemm_peak(&res.peak_blas, CC_CONV_BLAS, (int)threads, 1024, 3, &err)) ||
                  (rc = cc_gemm_peak(&res.peak_dnnl, CC_CONV_ONEDNN, (int)threads, 1024, 3, &err))))) {
        status = cli_report(&err);
        goto done;
    }
    res.peak = res.peak_blas > res.peak_dnnl ? res.peak_blas : res.peak_dnnl;
    render(&out, fmt, name, net, batch, steps, warmup, (int)threads, &res);
    status = cc_buf_failed(&out) ? CLI_FAILURE : cli_write_stdout(&out);
done:
    cc_buf_free(&out);
    cc_net_free(net);
    cc_stack_free(stack);
    free(text);
    return status;
}
