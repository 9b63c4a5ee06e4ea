/* cmd_eval.c - `convcalc eval MODEL --data SOURCE`: the results table of a
 * saved model (the model file carries its layer stack and normalisation). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "convcalc/data.h"
#include "convcalc/train.h"

static const char usage_text[] =
    "usage: convcalc eval MODEL --data SOURCE [options]\n"
    "\n"
    "Evaluate a model file written by 'convcalc train --out MODEL' and print the\n"
    "results table: loss and accuracy on the training and validation splits (the\n"
    "split the model was trained with) and on the test split.\n"
    "\n"
    "  --data SOURCE     fashion-mnist | mnist:DIR | cifar10:DIR |\n"
    "                    idx:IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS]\n"
    "                    (default: the data set recorded in the model, if it is\n"
    "                    fashion-mnist)\n"
    "  --batch N         images per forward pass (256)\n"
    "  --threads N       worker threads (default: $CONVCALC_THREADS, else every\n"
    "                    online CPU)\n"
    "  --confusion       also print the confusion matrix of the test split\n"
    "  --format FMT      text | markdown | latex | csv | json (default text)\n";

int cmd_eval(int argc, char **argv)
{
    const char *cmd = "eval", *model = NULL, *source = NULL;
    long batch = 256, threads = 0;
    int confusion = 0;
    cc_format fmt = CC_FORMAT_TEXT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int rc;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return CLI_OK;
        } else if (strcmp(a, "--data") == 0 || strcmp(a, "--batch") == 0 ||
                   strcmp(a, "--threads") == 0 || strcmp(a, "--format") == 0) {
            if (!v)
                return cli_usage_error(cmd, "%s needs a value", a);
            i++;
            if (strcmp(a, "--data") == 0)
                source = v;
            else if (strcmp(a, "--batch") == 0) {
                if ((rc = cli_parse_long(cmd, a, v, 1, 65536, &batch)) != 0)
                    return rc;
            } else if (strcmp(a, "--threads") == 0) {
                if ((rc = cli_parse_long(cmd, a, v, 1, 64, &threads)) != 0)
                    return rc;
            } else if ((rc = cli_parse_format(cmd, v, 0x1f, &fmt)) != 0)
                return rc;
        } else if (strcmp(a, "--confusion") == 0) {
            confusion = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error(cmd, "unknown option '%s'", a);
        } else if (!model) {
            model = a;
        } else {
            return cli_usage_error(cmd, "one MODEL only ('%s' is a second)", a);
        }
    }
    if (!model)
        return cli_usage_error(cmd, "no MODEL (a model file written by 'convcalc train --out')");
    if (!threads && cli_default_threads(cmd, &threads) != 0)
        return CLI_USAGE;
    cc_error err;
    cc_error_clear(&err);
    cc_model *m = NULL;
    if (cc_model_load(&m, model, &err) != 0)
        return cli_report(&err);
    if (!source) {
        if (strcmp(m->data_name, "fashion-mnist") != 0) {
            cc_model_free(m);
            return cli_usage_error(cmd, "no --data SOURCE (the model does not say where its "
                                        "data is)");
        }
        source = "fashion-mnist";
    }
    char head[512];
    snprintf(head, sizeof head, "Model: %s (input %dx%dx%d, %ld epochs on %s)\n", model, m->h,
             m->w, m->c, m->epochs, m->data_name[0] ? m->data_name : "unknown data");
    cc_model_free(m);
    cc_results res;
    int64_t *conf = NULL;
    int classes = 0;
    if (cc_model_evaluate(model, source, batch, (int)threads, &res, &conf, &classes, &err) != 0)
        return cli_report(&err);
    cc_buf out = {0};
    if (fmt == CC_FORMAT_TEXT) {
        cc_buf_puts(&out, head);
        cc_buf_printf(&out, "Data: %s: %zu training, %zu validation, %zu test images\n\n",
                      source, res.n[0], res.n[1], res.n[2]);
    }
    cc_results_render(&out, &res, fmt);
    if (confusion && res.have[CC_SPLIT_TEST]) {
        if (fmt == CC_FORMAT_TEXT)
            cc_buf_puts(&out, "\nConfusion matrix (test split; rows: true class, columns: "
                              "predicted)\n");
        else
            cc_buf_putc(&out, '\n');
        cc_confusion_render(&out, conf, classes, NULL, fmt);
    }
    free(conf);
    int status = cli_write_stdout(&out);
    cc_buf_free(&out);
    return status;
}
