/* cmd_eval.c - `convcalc eval MODEL --data SOURCE`: the results table of a
 * saved model (a convcalc model file carries its layer stack and
 * normalisation), or of a model trained elsewhere: a structure (spec or
 * PyTorch repr) with a state_dict file (--weights), or an ONNX file, with
 * torchvision's preprocessing (ToTensor, then Normalize(--mean, --std)). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_model.h"
#include "convcalc/data.h"
#include "convcalc/net.h"
#include "convcalc/train.h"
#include "convcalc/weights.h"

static const char usage_text[] =
    "usage: convcalc eval MODEL --data SOURCE [options]\n"
    "       convcalc eval SPEC --weights FILE.pt|FILE.safetensors --data SOURCE\n"
    "                     [--mean M --std S] [options]\n"
    "       convcalc eval MODEL.onnx --data SOURCE [--mean M --std S] [options]\n"
    "\n"
    "Evaluate a model and print the results table: loss and accuracy on the\n"
    "training, validation and test splits. A model file written by 'convcalc\n"
    "train --out MODEL' is evaluated on the split it was trained with, with its\n"
    "recorded normalisation. A model trained elsewhere (a PyTorch state_dict\n"
    "joined by name to the structure SPEC gives: spec, PyTorch print(model) or\n"
    "darknet cfg; or an ONNX file) is evaluated on the whole training set and\n"
    "the test set, its inputs prepared as torchvision's ToTensor does (pixels\n"
    "scaled to [0, 1]) and then normalised per channel with --mean and --std.\n"
    "\n"
    "  --data SOURCE     fashion-mnist | mnist:DIR | cifar10:DIR |\n"
    "                    idx:IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS]\n"
    "                    (default: the data set recorded in a model file, if it\n"
    "                    is fashion-mnist)\n"
    "  --weights FILE    a PyTorch state_dict: .pt (torch.save) or safetensors\n"
    "  --mean M[,M...]   per-channel mean of Normalize (one value: every channel)\n"
    "  --std S[,S...]    per-channel std of Normalize (with --mean)\n"
    "  --limit N         evaluate only the first N training images (0: all)\n"
    "  --limit-test N    evaluate only the first N test images (0: all)\n"
    "  --batch N         images per forward pass (256)\n"
    "  --threads N       worker threads (default: $CONVCALC_THREADS, else every\n"
    "                    online CPU)\n"
    "  --confusion       also print the confusion matrix of the test split\n"
    "  --format FMT      text | markdown | latex | csv | json (default text)\n";

typedef struct eval_opts {
    const char *model, *source, *weights, *mean, *std;
    long batch, threads, limit, limit_test;
    int confusion;
    cc_format fmt;
} eval_opts;

static int render(const eval_opts *o, const char *head, const cc_results *res,
                  const int64_t *conf, int classes)
{
    cc_buf out = {0};
    if (o->fmt == CC_FORMAT_TEXT)
        cc_buf_puts(&out, head);
    cc_results_render(&out, res, o->fmt);
    if (o->confusion && res->have[CC_SPLIT_TEST] && conf) {
        if (o->fmt == CC_FORMAT_TEXT)
            cc_buf_puts(&out, "\nConfusion matrix (test split; rows: true class, columns: "
                              "predicted)\n");
        else
            cc_buf_putc(&out, '\n');
        cc_confusion_render(&out, conf, classes, NULL, o->fmt);
    }
    int status = cli_write_stdout(&out);
    cc_buf_free(&out);
    return status;
}

/* A convcalc model file: as before. */
static int eval_model_file(const eval_opts *o)
{
    const char *cmd = "eval", *source = o->source;
    if (o->mean || o->std)
        return cli_usage_error(cmd, "--mean and --std are for models trained elsewhere (a "
                                    "convcalc model file records its own normalisation)");
    cc_error err;
    cc_error_clear(&err);
    cc_model *m = NULL;
    if (cc_model_load(&m, o->model, &err) != 0)
        return cli_report(&err);
    if (!source) {
        if (strcmp(m->data_name, "fashion-mnist") != 0) {
            cc_model_free(m);
            return cli_usage_error(cmd, "no --data SOURCE (the model does not say where its "
                                        "data is)");
        }
        source = "fashion-mnist";
    }
    char head[1024];
    snprintf(head, sizeof head, "Model: %s (input %dx%dx%d, %ld epochs on %s)\n", o->model, m->h,
             m->w, m->c, m->epochs, m->data_name[0] ? m->data_name : "unknown data");
    cc_model_free(m);
    cc_results res;
    int64_t *conf = NULL;
    int classes = 0;
    if (cc_model_evaluate(o->model, source, o->batch, (int)o->threads, &res, &conf, &classes,
                          &err) != 0)
        return cli_report(&err);
    size_t hl = strlen(head);
    snprintf(head + hl, sizeof head - hl,
             "Data: %s: %zu training, %zu validation, %zu test images\n\n", source, res.n[0],
             res.n[1], res.n[2]);
    int status = render(o, head, &res, conf, classes);
    free(conf);
    return status;
}

/* A structure + state_dict, or an ONNX file. */
static int eval_external(const eval_opts *o)
{
    const char *cmd = "eval";
    if (!o->source)
        return cli_usage_error(cmd, "no --data SOURCE");
    float mean[CC_DATA_MAX_CHANNELS], std[CC_DATA_MAX_CHANNELS];
    int nm = 0, ns = 0, rc;
    if ((rc = cli_parse_floats(cmd, "--mean", o->mean, mean, CC_DATA_MAX_CHANNELS, &nm)) ||
        (rc = cli_parse_floats(cmd, "--std", o->std, std, CC_DATA_MAX_CHANNELS, &ns)))
        return rc;
    if ((nm == 0) != (ns == 0))
        return cli_usage_error(cmd, "--mean and --std go together");
    cc_error err;
    cc_error_clear(&err);
    cc_data *d = NULL;
    if (cc_data_load(&d, o->source, &err) != 0)
        return cli_report(&err);
    cc_data_limit(d, (size_t)o->limit, (size_t)o->limit_test);
    int channels = 0;
    if (nm && (rc = cli_norm_channels(cmd, mean, std, nm, ns, d->train.c, &channels)) != 0) {
        cc_data_free(d);
        return rc;
    }
    cc_net *net = NULL;
    if (cli_load_external(&net, o->model, o->weights, d->train.c, d->train.h, d->train.w,
                          &err) != 0) {
        cc_data_free(d);
        return cli_report(&err);
    }
    int64_t *conf = calloc((size_t)d->classes * (size_t)d->classes, sizeof *conf);
    cc_results res;
    if (!conf)
        rc = cc_error_set(&err, CC_ENOMEM, "out of memory");
    else if ((rc = cc_net_set_threads(net, (int)o->threads, &err)) == 0)
        rc = cc_net_evaluate_data(net, d, mean, std, channels, o->batch,
                                  1u << CC_SPLIT_TRAIN | 1u << CC_SPLIT_TEST, &res, conf, &err);
    int status;
    if (rc) {
        status = cli_report(&err);
    } else {
        cc_buf head = {0};
        cli_describe_external(&head, net, o->model, o->weights);
        cc_buf_printf(&head, "Data: %s: %zu training, %zu test images (no validation split)\n",
                      o->source, res.n[0], res.n[2]);
        cli_describe_norm(&head, mean, std, channels);
        cc_buf_putc(&head, '\n');
        status = render(o, cc_buf_str(&head), &res, conf, d->classes);
        cc_buf_free(&head);
    }
    free(conf);
    cc_net_free(net);
    cc_data_free(d);
    return status;
}

int cmd_eval(int argc, char **argv)
{
    const char *cmd = "eval";
    eval_opts o = {.batch = 256, .threads = 0, .fmt = CC_FORMAT_TEXT};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int rc;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return CLI_OK;
        } else if (strcmp(a, "--data") == 0 || strcmp(a, "--batch") == 0 ||
                   strcmp(a, "--threads") == 0 || strcmp(a, "--format") == 0 ||
                   strcmp(a, "--weights") == 0 || strcmp(a, "--mean") == 0 ||
                   strcmp(a, "--std") == 0 || strcmp(a, "--limit") == 0 ||
                   strcmp(a, "--limit-test") == 0) {
            if (!v)
                return cli_usage_error(cmd, "%s needs a value", a);
            i++;
            if (strcmp(a, "--data") == 0)
                o.source = v;
            else if (strcmp(a, "--weights") == 0)
                o.weights = v;
            else if (strcmp(a, "--mean") == 0)
                o.mean = v;
            else if (strcmp(a, "--std") == 0)
                o.std = v;
            else if (strcmp(a, "--batch") == 0) {
                if ((rc = cli_parse_long(cmd, a, v, 1, 65536, &o.batch)) != 0)
                    return rc;
            } else if (strcmp(a, "--threads") == 0) {
                if ((rc = cli_parse_long(cmd, a, v, 1, 64, &o.threads)) != 0)
                    return rc;
            } else if (strcmp(a, "--limit") == 0 || strcmp(a, "--limit-test") == 0) {
                if ((rc = cli_parse_long(cmd, a, v, 0, 1000000000L,
                                         strcmp(a, "--limit") == 0 ? &o.limit
                                                                   : &o.limit_test)) != 0)
                    return rc;
            } else if ((rc = cli_parse_format(cmd, v, 0x1f, &o.fmt)) != 0)
                return rc;
        } else if (strcmp(a, "--confusion") == 0) {
            o.confusion = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error(cmd, "unknown option '%s'", a);
        } else if (!o.model) {
            o.model = a;
        } else {
            return cli_usage_error(cmd, "one MODEL only ('%s' is a second)", a);
        }
    }
    if (!o.model)
        return cli_usage_error(cmd, "no MODEL (a model file written by 'convcalc train --out', "
                                    "a SPEC with --weights, or an ONNX file)");
    if (!o.threads && cli_default_threads(cmd, &o.threads) != 0)
        return CLI_USAGE;
    if (o.weights || cli_is_onnx(o.model))
        return eval_external(&o);
    if (o.limit || o.limit_test)
        return cli_usage_error(cmd, "--limit and --limit-test are for models trained "
                                    "elsewhere");
    return eval_model_file(&o);
}
