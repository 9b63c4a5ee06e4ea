/* cmd_infer.c - `convcalc infer MODEL --input TENSOR`: run one input (a
 * batch of them) through a model and print the output tensor. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_model.h"
#include "convcalc/data.h"
#include "convcalc/net.h"
#include "convcalc/tensorfile.h"
#include "convcalc/train.h"

static const char usage_text[] =
    "usage: convcalc infer MODEL --input TENSOR [options]\n"
    "       convcalc infer SPEC --weights FILE.pt|FILE.safetensors --input TENSOR [options]\n"
    "       convcalc infer MODEL.onnx --input TENSOR [options]\n"
    "\n"
    "Run the model (in eval mode) on one input and print the output tensor.\n"
    "TENSOR is a NumPy .npy array or an ONNX TensorProto .pb, fed as it is\n"
    "(shape N x C x H x W or C x H x W; N x F for a flat input), or an 8-bit\n"
    "PGM or PNG image, whose pixels are scaled to [0, 1] (as torchvision's\n"
    "ToTensor) and normalised with --mean and --std (a convcalc model file\n"
    "uses the normalisation it recorded).\n"
    "\n"
    "  --input TENSOR    .npy, .pb, .pgm or .png\n"
    "  --weights FILE    a PyTorch state_dict (.pt or safetensors) for SPEC\n"
    "  --mean M[,M...]   per-channel mean for an image (one value: every channel)\n"
    "  --std S[,S...]    per-channel std for an image\n"
    "  --format FMT      text | json (default text); JSON keys: shape, output\n"
    "                    (the values flat, row-major)\n";

typedef struct infer_opts {
    const char *model, *weights, *input, *mean, *std;
    cc_format fmt;
} infer_opts;

/* Load the model; mean, std and channels get a convcalc model's normalisation. */
static int load_model(cc_net **net, const infer_opts *o, const cc_tensor_file *t, float *mean,
                      float *std, int *channels, cc_error *err)
{
    if (o->weights || cli_is_onnx(o->model)) {
        /* a structure without an input size takes the tensor's */
        long c = 0, h = 0, w = 0;
        if (t->ndim >= 3) {
            c = (long)t->shape[t->ndim - 3];
            h = (long)t->shape[t->ndim - 2];
            w = (long)t->shape[t->ndim - 1];
        } else if (t->ndim >= 1) {
            c = (long)t->shape[t->ndim - 1];
        }
        return cli_load_external(net, o->model, o->weights, c, h, w, err);
    }
    cc_model *m = NULL;
    int rc = cc_model_load(&m, o->model, err);
    if (rc)
        return rc;
    *net = m->net;
    m->net = NULL;
    *channels = m->channels;
    for (int c = 0; c < m->channels; c++) {
        mean[c] = m->mean[c];
        std[c] = m->std[c];
    }
    cc_model_free(m);
    cc_net_set_train(*net, 0);
    return 0;
}

static void render(cc_buf *out, const infer_opts *o, cc_net *net, const cc_tensor_file *t,
                   const float *y, long n, long k)
{
    if (o->fmt == CC_FORMAT_JSON) {
        cc_buf_printf(out, "{\"shape\": [%ld, %ld], \"output\": [", n, k);
        for (long i = 0; i < n * k; i++)
            cc_buf_printf(out, "%s%.9g", i ? ", " : "", y[i]);
        cc_buf_puts(out, "]}\n");
        return;
    }
    cli_describe_external(out, net, o->model, o->weights);
    cc_buf_printf(out, "Input: %s (%s, %s, shape ", o->input,
                  t->image ? "image" : "tensor", t->dtype);
    for (int d = 0; d < t->ndim; d++)
        cc_buf_printf(out, "%s%lld", d ? "x" : "", (long long)t->shape[d]);
    cc_buf_printf(out, ")\nOutput: shape %ldx%ld\n", n, k);
    for (long i = 0; i < n; i++) {
        long best = 0;
        cc_buf_printf(out, "%4ld:", i);
        for (long j = 0; j < k; j++) {
            cc_buf_printf(out, " %.5g", y[i * k + j]);
            if (y[i * k + j] > y[i * k + best])
                best = j;
        }
        cc_buf_printf(out, "  (argmax %ld)\n", best);
    }
}

static int run(const infer_opts *o)
{
    const char *cmd = "infer";
    float mean[CC_DATA_MAX_CHANNELS], std[CC_DATA_MAX_CHANNELS];
    int nm = 0, ns = 0, channels = 0, rc;
    if ((rc = cli_parse_floats(cmd, "--mean", o->mean, mean, CC_DATA_MAX_CHANNELS, &nm)) ||
        (rc = cli_parse_floats(cmd, "--std", o->std, std, CC_DATA_MAX_CHANNELS, &ns)))
        return rc;
    cc_error err;
    cc_error_clear(&err);
    cc_tensor_file t;
    if (cc_tensor_file_load(&t, o->input, &err) != 0)
        return cli_report(&err);
    if (nm && !t.image) {
        cc_tensor_file_clear(&t);
        return cli_usage_error(cmd, "--mean and --std are for images; a .npy or .pb tensor is "
                                    "fed as it is");
    }
    cc_net *net = NULL;
    if (load_model(&net, o, &t, mean, std, &channels, &err) != 0) {
        cc_tensor_file_clear(&t);
        return cli_report(&err);
    }
    int status = CLI_OK;
    long c, h, w;
    cc_net_input_shape(net, &c, &h, &w);
    size_t per = (size_t)c * (size_t)(h ? h : 1) * (size_t)(w ? w : 1);
    int nd = t.ndim, fits = h ? (nd == 3 || nd == 4) && t.shape[nd - 3] == c &&
                                    t.shape[nd - 2] == h && t.shape[nd - 1] == w
                              : (nd == 1 || nd == 2) && t.shape[nd - 1] == c;
    long n = fits && (nd == 4 || nd == 2) ? (long)t.shape[0] : 1;
    if (nm && (status = cli_norm_channels(cmd, mean, std, nm, ns, (int)c, &channels)) != 0)
        goto out;
    if (!fits || n < 1) {
        cc_error_source(&err, o->input);
        if (h)
            cc_error_set(&err, CC_ESHAPE, "the network takes inputs of shape (N, %ld, %ld, %ld) "
                                          "or (%ld, %ld, %ld)", c, h, w, c, h, w);
        else
            cc_error_set(&err, CC_ESHAPE, "the network takes inputs of shape (N, %ld) or (%ld)",
                         c, c);
        status = cli_report(&err);
        goto out;
    }
    if (t.image) /* ToTensor, then Normalize */
        for (size_t i = 0; i < t.count; i++) {
            size_t ch = (i / (per / (size_t)c)) % (size_t)c;
            t.data[i] /= 255.0f;
            if (channels)
                t.data[i] = (t.data[i] - mean[ch]) / std[ch];
        }
    long nb, k;
    if (cc_net_forward(net, t.data, n, &err) != 0) {
        status = cli_report(&err);
        goto out;
    }
    cc_net_output(net, &nb, &k);
    float *y = malloc((size_t)nb * (size_t)k * sizeof *y);
    if (!y || cc_net_final_output(net, y, &err) != 0) {
        if (!y)
            cc_error_set(&err, CC_ENOMEM, "out of memory");
        free(y);
        status = cli_report(&err);
        goto out;
    }
    cc_buf b = {0};
    render(&b, o, net, &t, y, nb, k);
    if (o->fmt == CC_FORMAT_TEXT && t.image)
        cli_describe_norm(&b, mean, std, channels);
    status = cli_write_stdout(&b);
    cc_buf_free(&b);
    free(y);
out:
    cc_net_free(net);
    cc_tensor_file_clear(&t);
    return status;
}

int cmd_infer(int argc, char **argv)
{
    const char *cmd = "infer";
    infer_opts o = {.fmt = CC_FORMAT_TEXT};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return CLI_OK;
        } else if (strcmp(a, "--input") == 0 || strcmp(a, "--weights") == 0 ||
                   strcmp(a, "--mean") == 0 || strcmp(a, "--std") == 0 ||
                   strcmp(a, "--format") == 0) {
            if (!v)
                return cli_usage_error(cmd, "%s needs a value", a);
            i++;
            int rc;
            if (strcmp(a, "--input") == 0)
                o.input = v;
            else if (strcmp(a, "--weights") == 0)
                o.weights = v;
            else if (strcmp(a, "--mean") == 0)
                o.mean = v;
            else if (strcmp(a, "--std") == 0)
                o.std = v;
            else if ((rc = cli_parse_format(cmd, v, 1u << CC_FORMAT_TEXT | 1u << CC_FORMAT_JSON,
                                            &o.fmt)) != 0)
                return rc;
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error(cmd, "unknown option '%s'", a);
        } else if (!o.model) {
            o.model = a;
        } else {
            return cli_usage_error(cmd, "one MODEL only ('%s' is a second)", a);
        }
    }
    if (!o.model)
        return cli_usage_error(cmd, "no MODEL (a convcalc model file, a SPEC with --weights, "
                                    "or an ONNX file)");
    if (!o.input)
        return cli_usage_error(cmd, "no --input TENSOR (.npy, .pb, .pgm or .png)");
    if ((o.mean != NULL) != (o.std != NULL))
        return cli_usage_error(cmd, "--mean and --std go together");
    return run(&o);
}
