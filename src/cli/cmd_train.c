/* cmd_train.c - `convcalc train SPEC --data SOURCE`: train a layer stack on
 * a real data set; print the results table, write the model file, the
 * learning curves (SVG), the CSV log; checkpoints every epoch, --resume. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "convcalc/data.h"
#include "convcalc/io.h"
#include "convcalc/net.h"
#include "convcalc/stack.h"
#include "convcalc/train.h"

static const char usage_text[] =
    "usage: convcalc train SPEC|- --data SOURCE [options]\n"
    "\n"
    "Train the layer stack SPEC (any format 'convcalc params' reads) with\n"
    "softmax cross-entropy on a real data set, then print the results table\n"
    "(loss and accuracy on the training, validation and test splits).\n"
    "\n"
    "Data:\n"
    "  --data SOURCE        fashion-mnist | mnist:DIR | cifar10:DIR |\n"
    "                       idx:IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS]\n"
    "  --input HxWxC        network input size (default: the stack's, else the data's);\n"
    "                       images are resized to it\n"
    "  --resize MODE        nearest | bilinear (default bilinear)\n"
    "  --val X              share of the training set held out for validation (0.1)\n"
    "  --no-normalize       do not subtract the per-channel mean and divide by the std\n"
    "  --crop P             augmentation: random crop after zero padding by P pixels\n"
    "  --flip               augmentation: random horizontal flip\n"
    "  --limit N            use only the first N training images (0: all)\n"
    "  --limit-test N       use only the first N test images (0: all)\n"
    "Training:\n"
    "  --optimizer NAME     sgd | adam | adamw (default sgd)\n"
    "  --lr X               learning rate (sgd 0.01, adam/adamw 0.001)\n"
    "  --momentum X         SGD momentum (0)\n"
    "  --weight-decay X     L2 (sgd, adam) or decoupled (adamw) weight decay\n"
    "  --epochs N           epochs (10)\n"
    "  --batch N            batch size (64)\n"
    "  --patience N         stop after N epochs without a better validation loss and\n"
    "                       restore the best weights (0: never stop early; default 0)\n"
    "  --seed N             seed of the initialisation, split, shuffles (1)\n"
    "  --threads N          worker threads (default: $CONVCALC_THREADS, else every\n"
    "                       online CPU); results are bit-identical per count\n"
    "Files:\n"
    "  --out MODEL          write the trained model (safetensors, convcalc-model(5));\n"
    "                       checkpoints go to MODEL.ckpt after every epoch\n"
    "  --checkpoint FILE    checkpoint file (default MODEL.ckpt with --out)\n"
    "  --resume             continue from the checkpoint; ends as an uninterrupted run\n"
    "  --plot FILE.svg      learning curves (loss and accuracy against steps)\n"
    "  --log FILE.csv       every evaluation: epoch,step,images,split,loss,accuracy,lr,seconds\n"
    "Output:\n"
    "  --format FMT         text | markdown | latex | csv | json (default text)\n"
    "  --confusion          also print the confusion matrix (always in text)\n"
    "  --quiet              no progress on standard error\n"
    "  --from FORMAT        auto | spec | torch | darknet (how SPEC is written)\n"
    "\n"
    "Progress (a bar on a terminal, plain lines otherwise) goes to standard error.\n";

typedef struct progress {
    int tty, quiet;
    double last;      /* when the bar was last drawn */
    double epoch_t0;
    long last_epoch;
} progress;

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void fmt_eta(char *out, size_t size, double s)
{
    if (!isfinite(s) || s < 0)
        snprintf(out, size, "?");
    else if (s >= 3600)
        snprintf(out, size, "%dh%02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
    else if (s >= 60)
        snprintf(out, size, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
    else
        snprintf(out, size, "%ds", (int)s);
}

static void on_progress(void *ctx, const cc_train_status *s)
{
    progress *p = ctx;
    if (p->quiet)
        return;
    double t = wall();
    if (s->epoch != p->last_epoch) {
        p->last_epoch = s->epoch;
        p->epoch_t0 = t;
    }
    if (s->val) {
        if (p->tty)
            fputs("\r\033[K", stderr);
        fprintf(stderr,
                "epoch %ld/%ld: train loss %.4f acc %.2f%% | validation loss %.4f acc %.2f%%%s "
                "| %.1f s\n",
                s->epoch, s->epochs, s->loss, 100 * s->accuracy, s->val->loss,
                100 * s->val->accuracy, s->improved ? " (best)" : "", t - p->epoch_t0);
        fflush(stderr);
        p->last_epoch = s->epoch + 1; /* the next epoch starts now */
        p->epoch_t0 = t;
        return;
    }
    char eta[32];
    fmt_eta(eta, sizeof eta, s->eta_s);
    if (p->tty) {
        if (t - p->last < 0.1 && s->batch != s->batches && !s->evaluating)
            return;
        p->last = t;
        int width = 24, fill = (int)((double)width * s->batch / (s->batches ? s->batches : 1));
        char bar[32];
        for (int i = 0; i < width; i++)
            bar[i] = i < fill ? '#' : '-';
        bar[width] = 0;
        if (s->evaluating)
            fprintf(stderr, "\r\033[Kepoch %ld/%ld [%s] evaluating the validation split...",
                    s->epoch, s->epochs, bar);
        else
            fprintf(stderr,
                    "\r\033[Kepoch %ld/%ld [%s] %ld/%ld  %.0f img/s  loss %.4f  acc %.2f%%  "
                    "ETA %s",
                    s->epoch, s->epochs, bar, s->batch, s->batches, s->images_per_s, s->loss,
                    100 * s->accuracy, eta);
        fflush(stderr);
        return;
    }
    /* not a terminal: a plain line at every tenth of an epoch */
    long tenth = s->batches >= 10 ? s->batches / 10 : 1;
    if (!s->evaluating && (s->batch % tenth == 0 || s->batch == s->batches)) {
        fprintf(stderr, "epoch %ld/%ld batch %ld/%ld: %.0f img/s, loss %.4f, acc %.2f%%, ETA %s\n",
                s->epoch, s->epochs, s->batch, s->batches, s->images_per_s, s->loss,
                100 * s->accuracy, eta);
        fflush(stderr);
    }
}

static int write_text_file(const char *path, const cc_buf *b)
{
    cc_error err;
    cc_error_clear(&err);
    if (cc_buf_failed(b)) {
        fprintf(stderr, "convcalc: out of memory\n");
        return CLI_FAILURE;
    }
    if (cli_write_file_atomic(path, cc_buf_str(b), b->len, &err) != 0)
        return cli_report(&err);
    return CLI_OK;
}

/* Per-epoch table from the history: training means weighted by images. */
static void epoch_table(cc_buf *out, const cc_eval_point *h, size_t n)
{
    cc_buf_puts(out, "epoch  train loss  train acc  val loss  val acc\n");
    size_t i = 0;
    int64_t prev_images = 0;
    while (i < n) {
        long e = h[i].epoch;
        double sl = 0, sa = 0, w = 0, vl = NAN, va = NAN;
        for (; i < n && h[i].epoch == e; i++) {
            if (h[i].split == CC_SPLIT_TRAIN) {
                double k = (double)(h[i].images - prev_images);
                prev_images = h[i].images;
                sl += k * h[i].loss;
                sa += k * h[i].accuracy;
                w += k;
            } else {
                vl = h[i].loss;
                va = h[i].accuracy;
            }
        }
        cc_buf_printf(out, "%5ld  %10.4f  %8.2f%%", e, w > 0 ? sl / w : NAN,
                      w > 0 ? 100 * sa / w : NAN);
        if (isfinite(vl))
            cc_buf_printf(out, "  %8.4f  %6.2f%%\n", vl, 100 * va);
        else
            cc_buf_puts(out, "         -        -\n");
    }
}

int cmd_train(int argc, char **argv)
{
    const char *spec_path = NULL, *source = NULL, *input = NULL, *out_path = NULL;
    const char *ckpt = NULL, *plot = NULL, *log = NULL, *from = "auto";
    cc_format fmt = CC_FORMAT_TEXT;
    cc_train_config cfg;
    cc_train_config_default(&cfg);
    cfg.threads = 0; /* not given: see cli_default_threads */
    cc_optim_kind kind = CC_OPTIM_SGD;
    double lr = NAN, momentum = NAN, wd = NAN;
    long limit = 0, limit_test = 0;
    int quiet = 0, confusion = 0;
    const char *cmd = "train";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        double d;
        int rc;
#define NEED_VALUE() \
    do { \
        if (!v) \
            return cli_usage_error(cmd, "%s needs a value", a); \
        i++; \
    } while (0)
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return CLI_OK;
        } else if (strcmp(a, "--data") == 0) {
            NEED_VALUE();
            source = v;
        } else if (strcmp(a, "--input") == 0) {
            NEED_VALUE();
            input = v;
        } else if (strcmp(a, "--from") == 0) {
            NEED_VALUE();
            from = v;
        } else if (strcmp(a, "--resize") == 0) {
            NEED_VALUE();
            if (strcmp(v, "nearest") == 0)
                cfg.prep.resize = CC_RESIZE_NEAREST;
            else if (strcmp(v, "bilinear") == 0)
                cfg.prep.resize = CC_RESIZE_BILINEAR;
            else
                return cli_usage_error(cmd, "--resize: unknown mode '%s' (expected nearest or "
                                            "bilinear)",
                                       v);
        } else if (strcmp(a, "--val") == 0) {
            NEED_VALUE();
            if ((rc = cli_parse_double(cmd, a, v, &d)) != 0)
                return rc;
            if (!(d >= 0 && d < 1))
                return cli_usage_error(cmd, "--val: %s is out of range (expected 0 to below 1)", v);
            cfg.prep.val_fraction = d;
        } else if (strcmp(a, "--no-normalize") == 0) {
            cfg.prep.normalize = 0;
        } else if (strcmp(a, "--crop") == 0) {
            NEED_VALUE();
            if ((rc = cli_parse_long(cmd, a, v, 0, 64, &n)) != 0)
                return rc;
            cfg.prep.crop_pad = (int)n;
        } else if (strcmp(a, "--flip") == 0) {
            cfg.prep.flip = 1;
        } else if (strcmp(a, "--limit") == 0 || strcmp(a, "--limit-test") == 0) {
            NEED_VALUE();
            if ((rc = cli_parse_long(cmd, a, v, 0, 1000000000L, &n)) != 0)
                return rc;
            *(strcmp(a, "--limit") == 0 ? &limit : &limit_test) = n;
        } else if (strcmp(a, "--optimizer") == 0) {
            NEED_VALUE();
            if (cc_optim_kind_parse(v, &kind) != 0)
                return cli_usage_error(cmd, "--optimizer: unknown optimizer '%s' (expected sgd, "
                                            "adam or adamw)",
                                       v);
        } else if (strcmp(a, "--lr") == 0 || strcmp(a, "--momentum") == 0 ||
                   strcmp(a, "--weight-decay") == 0) {
            NEED_VALUE();
            if ((rc = cli_parse_double(cmd, a, v, &d)) != 0)
                return rc;
            if (strcmp(a, "--lr") == 0 ? !(d > 0) : !(d >= 0))
                return cli_usage_error(cmd, "%s: %s is out of range (expected %s)", a, v,
                                       strcmp(a, "--lr") == 0 ? "a number above 0"
                                                              : "0 or more");
            *(strcmp(a, "--lr") == 0 ? &lr : strcmp(a, "--momentum") == 0 ? &momentum : &wd) = d;
        } else if (strcmp(a, "--epochs") == 0) {
            NEED_VALUE();
            if ((rc = cli_parse_long(cmd, a, v, 1, 100000, &cfg.epochs)) != 0)
                return rc;
        } else if (strcmp(a, "--batch") == 0) {
            NEED_VALUE();
            if ((rc = cli_parse_long(cmd, a, v, 1, 65536, &cfg.batch)) != 0)
                return rc;
        } else if (strcmp(a, "--patience") == 0) {
            NEED_VALUE();
            if ((rc = cli_parse_long(cmd, a, v, 0, 100000, &cfg.patience)) != 0)
                return rc;
        } else if (strcmp(a, "--seed") == 0) {
            NEED_VALUE();
            if ((rc = cli_parse_long(cmd, a, v, 0, 2147483647L, &n)) != 0)
                return rc;
            cfg.seed = (uint64_t)n;
        } else if (strcmp(a, "--threads") == 0) {
            NEED_VALUE();
            if ((rc = cli_parse_long(cmd, a, v, 1, 64, &n)) != 0)
                return rc;
            cfg.threads = (int)n;
        } else if (strcmp(a, "--out") == 0) {
            NEED_VALUE();
            out_path = v;
        } else if (strcmp(a, "--checkpoint") == 0) {
            NEED_VALUE();
            ckpt = v;
        } else if (strcmp(a, "--plot") == 0) {
            NEED_VALUE();
            plot = v;
        } else if (strcmp(a, "--log") == 0) {
            NEED_VALUE();
            log = v;
        } else if (strcmp(a, "--resume") == 0) {
            cfg.resume = 1;
        } else if (strcmp(a, "--format") == 0) {
            NEED_VALUE();
            if ((rc = cli_parse_format(cmd, v, 0x1f, &fmt)) != 0)
                return rc;
        } else if (strcmp(a, "--confusion") == 0) {
            confusion = 1;
        } else if (strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error(cmd, "unknown option '%s'", a);
        } else if (!spec_path) {
            spec_path = a;
        } else {
            return cli_usage_error(cmd, "one SPEC only ('%s' is a second)", a);
        }
#undef NEED_VALUE
    }
    if (!spec_path)
        return cli_usage_error(cmd, "no SPEC (a layer stack file, or - for standard input)");
    if (!source)
        return cli_usage_error(cmd, "no --data SOURCE (e.g. --data fashion-mnist)");
    if (!cfg.threads) {
        long nt;
        if (cli_default_threads(cmd, &nt) != 0)
            return CLI_USAGE;
        cfg.threads = (int)nt;
    }
    cc_stack_source src_kind;
    if (strcmp(from, "auto") == 0)
        src_kind = CC_SOURCE_AUTO;
    else if (strcmp(from, "spec") == 0)
        src_kind = CC_SOURCE_SPEC;
    else if (strcmp(from, "torch") == 0)
        src_kind = CC_SOURCE_TORCH;
    else if (strcmp(from, "darknet") == 0)
        src_kind = CC_SOURCE_DARKNET;
    else
        return cli_usage_error(cmd, "--from: unknown format '%s' (expected auto, spec, torch or "
                                    "darknet)",
                               from);
    cc_optim_config_default(&cfg.optim, kind);
    if (!isnan(lr))
        cfg.optim.lr = lr;
    if (!isnan(momentum)) {
        if (kind != CC_OPTIM_SGD)
            return cli_usage_error(cmd, "--momentum applies to sgd only (adam has betas)");
        cfg.optim.momentum = momentum;
    }
    if (!isnan(wd))
        cfg.optim.weight_decay = wd;
    char ckpt_buf[4096];
    if (!ckpt && out_path) {
        snprintf(ckpt_buf, sizeof ckpt_buf, "%s.ckpt", out_path);
        ckpt = ckpt_buf;
    }
    if (cfg.resume && !ckpt)
        return cli_usage_error(cmd, "--resume needs --out MODEL or --checkpoint FILE");
    cfg.checkpoint = ckpt;

    cc_error err;
    cc_error_clear(&err);
    char *text = NULL;
    size_t len = 0;
    int status = CLI_OK;
    cc_stack *stack = NULL;
    cc_data *data = NULL;
    cc_train_run *run = NULL;
    cc_buf out = {0}, file = {0};
    if (cli_read_file(spec_path, &text, &len, &err) != 0)
        return cli_report(&err);
    if (cc_stack_parse(&stack, text, len, src_kind, &err) != 0) {
        cc_error_source(&err, strcmp(spec_path, "-") == 0 ? "<stdin>" : spec_path);
        status = cli_report(&err);
        goto done;
    }
    if (input) {
        cc_shape sh;
        if (cc_shape_parse(input, &sh, &err) != 0 || sh.rank != 3) {
            if (sh.rank != 3 && !err.msg[0])
                cc_error_set(&err, CC_EINVAL, "expected HxWxC, e.g. 28x28x1");
            fprintf(stderr, "convcalc: train: --input: %s\n", err.msg);
            status = CLI_USAGE;
            goto done;
        }
        if (cc_stack_set_input(stack, sh.h, sh.w, sh.c, &err) != 0) {
            status = cli_report(&err);
            goto done;
        }
    }
    if (cc_data_load(&data, source, &err) != 0) {
        status = cli_report(&err);
        goto done;
    }
    cc_data_limit(data, (size_t)limit, (size_t)limit_test);
    progress prog = {isatty(STDERR_FILENO), quiet, 0, wall(), 1};
    cfg.progress = on_progress;
    cfg.progress_ctx = &prog;
    if (cc_train_new(&run, stack, data, &cfg, &err) != 0) {
        if (!err.source[0] && err.line)
            cc_error_source(&err, strcmp(spec_path, "-") == 0 ? "<stdin>" : spec_path);
        status = cli_report(&err);
        goto done;
    }
    const cc_prep *p = cc_train_prep(run);
    cc_net *net = cc_train_net(run);
    if (fmt == CC_FORMAT_TEXT) {
        cc_buf_printf(&out, "Data: %s (%s): %zu training, %zu validation, %zu test images of "
                            "%dx%dx%d, %d classes\n",
                      data->name, data->origin, p->n[0], p->n[1], p->n[2], data->train.h,
                      data->train.w, data->train.c, data->classes);
        if (p->h != data->train.h || p->w != data->train.w)
            cc_buf_printf(&out, "Resized to %dx%d (%s)\n", p->h, p->w,
                          p->opts.resize == CC_RESIZE_NEAREST ? "nearest" : "bilinear");
        if (p->opts.normalize) {
            cc_buf_puts(&out, "Normalised per channel (statistics of the training split): mean");
            for (int c = 0; c < p->c; c++)
                cc_buf_printf(&out, " %.4f", p->mean[c]);
            cc_buf_puts(&out, ", std");
            for (int c = 0; c < p->c; c++)
                cc_buf_printf(&out, " %.4f", p->std[c]);
            cc_buf_putc(&out, '\n');
        }
        if (p->opts.crop_pad || p->opts.flip)
            cc_buf_printf(&out, "Augmentation:%s%s\n", p->opts.crop_pad ? " random crop" : "",
                          p->opts.flip ? " horizontal flip" : "");
        cc_buf_printf(&out, "Network: %zu layers, %lld parameters, input %dx%dx%d, %ld outputs\n",
                      cc_net_layer_count(net), (long long)cc_net_num_params(net), p->h, p->w,
                      p->c, cc_net_classes(net));
        char lrs[32];
        cc_fmt_num(lrs, sizeof lrs, cfg.optim.lr, 6);
        cc_buf_printf(&out, "Training: %s lr %s", cc_optim_kind_name(cfg.optim.kind), lrs);
        if (cfg.optim.kind == CC_OPTIM_SGD)
            cc_buf_printf(&out, " momentum %g", cfg.optim.momentum);
        cc_buf_printf(&out, " weight decay %g, batch %ld, %ld epochs", cfg.optim.weight_decay,
                      cfg.batch, cfg.epochs);
        if (cfg.patience)
            cc_buf_printf(&out, ", early stopping patience %ld", cfg.patience);
        cc_buf_printf(&out, ", seed %llu, %d thread%s\n", (unsigned long long)cfg.seed,
                      cfg.threads, cfg.threads == 1 ? "" : "s");
        if (cli_write_stdout(&out) != CLI_OK) {
            status = CLI_FAILURE;
            goto done;
        }
        cc_buf_reset(&out);
    }
    if (cc_train_fit(run, &err) != 0) {
        if (prog.tty && !quiet)
            fputs("\r\033[K", stderr);
        status = cli_report(&err);
        goto done;
    }
    if (prog.tty && !quiet)
        fputs("\r\033[K", stderr);
    long epochs_run, best_epoch, resumed;
    int early;
    cc_train_summary(run, &epochs_run, &best_epoch, &early, &resumed);
    size_t nh;
    const cc_eval_point *h = cc_train_history(run, &nh);
    const cc_results *res = cc_train_results(run);
    int classes;
    cc_split csplit;
    const int64_t *conf = cc_train_confusion(run, &classes, &csplit);
    if (fmt == CC_FORMAT_TEXT) {
        if (resumed)
            cc_buf_printf(&out, "Resumed from the checkpoint after epoch %ld\n", resumed);
        cc_buf_putc(&out, '\n');
        epoch_table(&out, h, nh);
        if (early)
            cc_buf_printf(&out, "\nStopped early after epoch %ld: no better validation loss "
                                "for %ld epochs.\n",
                          epochs_run, cfg.patience);
        if (best_epoch && cfg.patience > 0)
            cc_buf_printf(&out, "%sBest validation loss at epoch %ld: its weights were "
                                "restored.\n",
                          early ? "" : "\n", best_epoch);
        else if (best_epoch)
            cc_buf_printf(&out, "\nLowest validation loss at epoch %ld (without --patience "
                                "the result is the last epoch's weights).\n",
                          best_epoch);
        cc_buf_puts(&out, "\nResults\n");
        cc_results_render(&out, res, CC_FORMAT_TEXT);
        cc_buf_printf(&out, "\nConfusion matrix (%s split; rows: true class, columns: "
                            "predicted)\n",
                      cc_split_name(csplit));
        cc_confusion_render(&out, conf, classes, (const char(*)[24])data->class_names,
                            CC_FORMAT_TEXT);
    } else if (fmt == CC_FORMAT_JSON) {
        cc_buf r = {0};
        cc_results_render(&r, res, CC_FORMAT_JSON);
        /* the results object, with the run's facts added */
        if (r.len >= 2)
            cc_buf_append(&out, r.data, r.len - 2);
        cc_buf_free(&r);
        cc_buf_printf(&out, ", \"epochs_run\": %ld, \"best_epoch\": %ld, \"stopped_early\": %s, "
                            "\"normalization\": {\"mean\": [",
                      epochs_run, best_epoch, early ? "true" : "false");
        for (int c = 0; c < p->c; c++)
            cc_buf_printf(&out, "%s%.6f", c ? ", " : "", p->mean[c]);
        cc_buf_puts(&out, "], \"std\": [");
        for (int c = 0; c < p->c; c++)
            cc_buf_printf(&out, "%s%.6f", c ? ", " : "", p->std[c]);
        cc_buf_printf(&out, "]}, \"confusion_split\": \"%s\", \"confusion\": ",
                      cc_split_name(csplit));
        cc_buf r2 = {0};
        cc_confusion_render(&r2, conf, classes, (const char(*)[24])data->class_names,
                            CC_FORMAT_JSON);
        if (r2.len)
            cc_buf_append(&out, r2.data, r2.len - 1);
        cc_buf_free(&r2);
        cc_buf_puts(&out, "}\n");
    } else {
        cc_results_render(&out, res, fmt);
        if (confusion) {
            cc_buf_putc(&out, '\n');
            cc_confusion_render(&out, conf, classes, (const char(*)[24])data->class_names, fmt);
        }
    }
    if (out_path) {
        if (cc_train_save_model(run, out_path, &err) != 0) {
            status = cli_report(&err);
            goto done;
        }
    }
    if (plot) {
        char title[256];
        snprintf(title, sizeof title, "%s: %s lr %g, batch %ld, best epoch %ld of %ld",
                 data->name, cc_optim_kind_name(cfg.optim.kind), cfg.optim.lr, cfg.batch,
                 best_epoch, epochs_run);
        cc_curves_svg(&file, h, nh, title);
        if ((status = write_text_file(plot, &file)) != CLI_OK)
            goto done;
        cc_buf_reset(&file);
    }
    if (log) {
        cc_history_csv(&file, h, nh);
        if ((status = write_text_file(log, &file)) != CLI_OK)
            goto done;
    }
    if (fmt == CC_FORMAT_TEXT && (out_path || plot || log))
        cc_buf_printf(&out, "\nWrote%s%s%s%s%s%s\n", out_path ? " model " : "",
                      out_path ? out_path : "", plot ? " curves " : "", plot ? plot : "",
                      log ? " log " : "", log ? log : "");
    status = cli_write_stdout(&out);
done:
    cc_buf_free(&out);
    cc_buf_free(&file);
    cc_train_free(run);
    cc_data_free(data);
    cc_stack_free(stack);
    free(text);
    return status;
}
