/* cli_model.c - loading models trained elsewhere for `eval` and `infer`
 * (see cli_model.h). */
#include "cli_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "convcalc/net.h"
#include "convcalc/onnx.h"
#include "convcalc/weights.h"

int cli_parse_floats(const char *cmd, const char *option, const char *arg, float *out,
                     int max, int *n)
{
    *n = 0;
    if (!arg)
        return 0;
    const char *p = arg;
    for (;;) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || !isfinite(v) || (*end && *end != ','))
            return cli_usage_error(cmd, "%s: '%s' is not a number or a comma-separated list "
                                        "of numbers", option, arg);
        if (*n == max)
            return cli_usage_error(cmd, "%s: at most %d values (one per channel)", option, max);
        out[(*n)++] = (float)v;
        if (!*end)
            return 0;
        p = end + 1;
    }
}

int cli_norm_channels(const char *cmd, float *mean, float *std, int nm, int ns, int channels,
                      int *out_channels)
{
    if (nm != ns)
        return cli_usage_error(cmd, "--mean has %d values but --std has %d", nm, ns);
    if (nm != 1 && nm != channels)
        return cli_usage_error(cmd, "--mean and --std have %d values but the images have %d "
                                    "channel%s", nm, channels, channels == 1 ? "" : "s");
    for (int c = 0; c < nm; c++)
        if (!(std[c] > 0))
            return cli_usage_error(cmd, "--std: %g is not positive", std[c]);
    for (int c = nm; c < channels; c++) {
        mean[c] = mean[0];
        std[c] = std[0];
    }
    *out_channels = channels;
    return 0;
}

int cli_load_external(cc_net **out, const char *model, const char *weights, long c, long h,
                      long w, cc_error *err)
{
    *out = NULL;
    if (cli_is_onnx(model)) {
        if (weights)
            return cc_error_set(err, CC_EINVAL, "--weights is for a structure (spec or PyTorch "
                                                "repr); an ONNX file carries its own weights");
        return cc_onnx_load(out, model, NULL, err);
    }
    if (!weights)
        return cc_error_set(err, CC_EINVAL, "no --weights FILE for the structure %s", model);
    return cc_pt_net_load(out, NULL, model, weights, c, h, w, err);
}

void cli_describe_external(cc_buf *out, cc_net *net, const char *model, const char *weights)
{
    long c, h, w;
    cc_net_input_shape(net, &c, &h, &w);
    cc_buf_printf(out, "Model: %s", model);
    if (weights)
        cc_buf_printf(out, " with weights %s", weights);
    cc_buf_printf(out, " (%lld parameters, %lld buffer values, input %ldx%ldx%ld)\n",
                  (long long)cc_net_num_params(net), (long long)cc_net_num_buffers(net), h, w,
                  c);
}

void cli_describe_norm(cc_buf *out, const float *mean, const float *std, int channels)
{
    cc_buf_puts(out, "Inputs: pixels scaled to [0, 1] (as torchvision's ToTensor)");
    if (!channels) {
        cc_buf_puts(out, ", not normalised (no --mean/--std)\n");
        return;
    }
    cc_buf_puts(out, ", then normalised per channel, (x - mean) / std: mean");
    for (int c = 0; c < channels; c++)
        cc_buf_printf(out, "%s%g", c ? ", " : " ", mean[c]);
    cc_buf_puts(out, "; std");
    for (int c = 0; c < channels; c++)
        cc_buf_printf(out, "%s%g", c ? ", " : " ", std[c]);
    cc_buf_putc(out, '\n');
}
