/* results.c - the results-table kind: a student reports loss and accuracy
 * on the training, validation and test splits and names the model file
 * (safetensors, as `convcalc train` writes, or a model trained elsewhere:
 * ONNX, or a PyTorch state_dict joined to the problem's network by name);
 * the checker loads the model, checks it against the problem's network,
 * runs it on the data with the engine and says which numbers it
 * reproduces. */
#include "results.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "convcalc/data.h"
#include "convcalc/model.h"
#include "convcalc/net.h"
#include "convcalc/onnx.h"
#include "convcalc/stack.h"
#include "convcalc/train.h"
#include "convcalc/weights.h"

#define DEFAULT_TOLERANCE 0.01
static const char *const split_name[3] = {"train", "validation", "test"};

static int tolerance_of(const ex_problem *p, double *tol, cc_error *err)
{
    const ex_param *pr = ex_param_find(p, "tolerance");
    *tol = DEFAULT_TOLERANCE;
    if (!pr)
        return 0;
    char *end;
    double v = strtod(pr->value, &end);
    if (end == pr->value || *end || !(v > 0 && v < 1))
        return ex_param_error(err, CC_EINVAL, pr, 0, 0,
                              "tolerance: expected a number between 0 and 1 (such as 0.01)");
    *tol = v;
    return 0;
}

int ex_results_solve(cc_buf *steps, int64_t *params, const cc_exset *set, const ex_problem *p,
                     cc_error *err)
{
    (void)set;
    double tol;
    int rc = tolerance_of(p, &tol, err);
    if (rc)
        return rc;
    cc_stack *s = NULL;
    rc = ex_stack_of(&s, p, err);
    if (rc)
        return rc;
    cc_stack_totals t;
    cc_stack_totals_get(s, 0, &t);
    *params = t.total_params;
    const char *data = ex_value(p, "data");
    cc_buf_printf(steps, "The network has %lld parameters:\n", (long long)t.total_params);
    for (size_t i = 0; i < s->n; i++)
        if (s->layers[i].counts.params > 0) {
            cc_buf_printf(steps, "  %s: ", s->layers[i].name);
            cc_layer_param_formula(steps, &s->layers[i], 0);
            cc_buf_putc(steps, '\n');
        }
    cc_buf_printf(steps,
                  "The checker loads the model file, checks that its layers and parameter "
                  "count are these, evaluates it on %s (the training and validation splits "
                  "the model was trained with, and the test split), and accepts each reported "
                  "number within %g of its own (accuracy as a fraction or a percentage).\n",
                  data, tol);
    cc_stack_free(s);
    return 0;
}

/* ---- reading the answer ----------------------------------------------------- */

typedef struct reported {
    char model[1024];
    int have[3][2];     /* [split][0 loss, 1 accuracy] */
    double v[3][2];
} reported;

static int split_of(const char *w, size_t n)
{
    if ((n == 5 && !strncasecmp(w, "train", 5)) || (n == 8 && !strncasecmp(w, "training", 8)))
        return 0;
    if ((n == 3 && !strncasecmp(w, "val", 3)) || (n == 5 && !strncasecmp(w, "valid", 5)) ||
        (n == 10 && !strncasecmp(w, "validation", 10)))
        return 1;
    if (n == 4 && !strncasecmp(w, "test", 4))
        return 2;
    return -1;
}

/* A number at *q (after ':', '=' or blanks); percent sets *pct. */
static int number_at(const char **q, double *v, int *pct)
{
    const char *s = *q;
    while (*s == ' ' || *s == '\t' || *s == ':' || *s == '=')
        s++;
    char *end;
    double x = strtod(s, &end);
    if (end == s || !isfinite(x))
        return 0;
    *pct = 0;
    while (*end == ' ')
        end++;
    if (*end == '%') {
        *pct = 1;
        end++;
    }
    *v = x;
    *q = end;
    return 1;
}

/* What a model file name says it is: convcalc's own model file
 * (safetensors with the stack in its metadata), an ONNX model, or a
 * PyTorch state_dict (.pt/.pth, joined to the problem's stack by name). */
enum { MODEL_NONE, MODEL_OWN, MODEL_ONNX, MODEL_TORCH };

static int ends_with(const char *w, const char *suffix)
{
    size_t wl = strlen(w), sl = strlen(suffix);
    return wl > sl && !strcasecmp(w + wl - sl, suffix);
}

static int model_kind(const char *w)
{
    if (ends_with(w, ".safetensors"))
        return MODEL_OWN;
    if (ends_with(w, ".onnx"))
        return MODEL_ONNX;
    if (ends_with(w, ".pt") || ends_with(w, ".pth"))
        return MODEL_TORCH;
    return MODEL_NONE;
}

static void put_value(reported *r, int split, int metric, double v, int pct)
{
    if (metric == 1 && (pct || v > 1.0))
        v /= 100.0;
    r->v[split][metric] = v;
    r->have[split][metric] = 1;
}

static void read_answer(reported *r, const char *answer)
{
    memset(r, 0, sizeof *r);
    const char *line = answer;
    while (*line) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        char buf[1024];
        snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf ? n : sizeof buf - 1), line);
        /* the model file: a word ending in .safetensors, .onnx, .pt or
         * .pth, or the word after "model" */
        for (char *w = strtok(buf, " \t:,|"); w; w = strtok(NULL, " \t:,|")) {
            if (!r->model[0] && model_kind(w) != MODEL_NONE)
                snprintf(r->model, sizeof r->model, "%s", w);
        }
        snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf ? n : sizeof buf - 1), line);
        const char *q = buf;
        while (*q == ' ' || *q == '\t' || *q == '|')
            q++;
        const char *w = q;
        while (isalpha((unsigned char)*q))
            q++;
        size_t wl = (size_t)(q - w);
        int split = split_of(w, wl);
        if (!r->model[0] && wl == 5 && !strncasecmp(w, "model", 5)) {
            const char *m = q;
            while (*m == ' ' || *m == ':' || *m == '=')
                m++;
            size_t ml = strcspn(m, " \t");
            if (ml)
                snprintf(r->model, sizeof r->model, "%.*s", (int)ml, m);
        } else if (split >= 0) {
            /* "train loss 0.31 accuracy 0.89" */
            for (const char *s = q; *s; s++) {
                int metric = -1;
                if (!strncasecmp(s, "loss", 4)) {
                    metric = 0;
                    s += 4;
                } else if (!strncasecmp(s, "accuracy", 8)) {
                    metric = 1;
                    s += 8;
                } else if (!strncasecmp(s, "acc", 3)) {
                    metric = 1;
                    s += 3;
                }
                if (metric < 0)
                    continue;
                double v;
                int pct;
                const char *t = s;
                if (number_at(&t, &v, &pct)) {
                    put_value(r, split, metric, v, pct);
                    s = t - 1;
                }
            }
        } else if ((wl == 4 && !strncasecmp(w, "loss", 4)) ||
                   (wl == 8 && !strncasecmp(w, "accuracy", 8))) {
            /* a row of the results table: training, validation, test */
            int metric = wl == 8;
            for (int sp = 0; sp < 3; sp++) {
                while (*q == ' ' || *q == '\t' || *q == '|')
                    q++;
                double v;
                int pct;
                if (!number_at(&q, &v, &pct))
                    break;
                put_value(r, sp, metric, v, pct);
            }
        }
        line += n + (nl ? 1 : 0);
    }
}

/* ---- grading ---------------------------------------------------------------- */

/* Do two stacks have the same layers with parameters, in order? Writes
 * what differs into why. */
static int same_stack(const cc_stack *want, const cc_stack *got, char *why, size_t size)
{
    size_t i = 0, j = 0;
    for (;;) {
        while (i < want->n && want->layers[i].counts.params <= 0)
            i++;
        while (j < got->n && got->layers[j].counts.params <= 0)
            j++;
        if (i >= want->n || j >= got->n)
            break;
        const cc_layer *a = &want->layers[i], *b = &got->layers[j];
        if (a->kind != b->kind || a->counts.params != b->counts.params) {
            cc_buf da = {0}, db = {0};
            cc_layer_describe(&da, a);
            cc_layer_describe(&db, b);
            snprintf(why, size, "layer '%s' of the problem (%s, %lld parameters) is '%s' in "
                                "the model (%s, %lld parameters)",
                     a->name, cc_buf_str(&da), (long long)a->counts.params, b->name,
                     cc_buf_str(&db), (long long)b->counts.params);
            cc_buf_free(&da);
            cc_buf_free(&db);
            return 0;
        }
        i++;
        j++;
    }
    if (i < want->n || j < got->n) {
        snprintf(why, size, "the model has %s layers with parameters than the problem",
                 i < want->n ? "fewer" : "more");
        return 0;
    }
    return 1;
}

/* The split sizes the training run recorded in the model file
 * (convcalc.results: train, validation, test images). Returns 1 when
 * found. */
static int recorded_images(const char *path, size_t n[3])
{
    cc_safetensors *st = NULL;
    cc_error e;
    cc_error_clear(&e);
    if (cc_st_load(&st, path, &e) != 0)
        return 0;
    const char *meta = cc_st_meta(st, "convcalc.results");
    cJSON *j = meta ? cJSON_Parse(meta) : NULL;
    static const char *const keys[3] = {"train", "validation", "test"};
    int found = j != NULL;
    for (int k = 0; j && k < 3; k++) {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(j, keys[k]);
        const cJSON *im = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, "images") : NULL;
        n[k] = cJSON_IsNumber(im) && im->valuedouble >= 0 ? (size_t)im->valuedouble : 0;
    }
    cJSON_Delete(j);
    cc_st_free(st);
    return found;
}

/* Compare every number the model gives (the splits it has) with what the
 * student reported, as details and feedback; 1 when all are reproduced
 * within tol and none is missing. */
static int compare_numbers(cc_grade *g, cc_buf *fb, const reported *rp, const cc_results *res,
                           double tol)
{
    const reported r = *rp;
    int good = 0, total = 0, missing = 0;
    cc_buf bad = {0};
    for (int s = 0; s < 3; s++) {
        if (!res->have[s])
            continue;
        for (int m = 0; m < 2; m++) {
            double want_v = m ? res->accuracy[s] : res->loss[s];
            char what[64], ws[32], gs[32] = "";
            snprintf(what, sizeof what, "%s %s", split_name[s], m ? "accuracy" : "loss");
            snprintf(ws, sizeof ws, "%.4f", want_v);
            total++;
            if (!r.have[s][m]) {
                missing++;
                ex_grade_detail(g, what, ws, "", 0);
                cc_buf_printf(&bad, "  %s: not reported; the model gives %s\n", what, ws);
                continue;
            }
            snprintf(gs, sizeof gs, "%.4f", r.v[s][m]);
            int ok = fabs(r.v[s][m] - want_v) <= tol + 1e-12;
            good += ok;
            ex_grade_detail(g, what, ws, gs, ok);
            if (!ok)
                cc_buf_printf(&bad, "  %s: you reported %s, the model gives %s\n", what, gs, ws);
        }
    }
    cc_buf_printf(fb, "Reproduced %d of %d numbers within %g", good, total, tol);
    cc_buf_puts(fb, good == total ? ".\n" : ":\n");
    cc_buf_puts(fb, cc_buf_str(&bad));
    cc_buf_free(&bad);
    return good == total && !missing;
}

/* Load a model trained elsewhere: an ONNX file as it is, or a PyTorch
 * state_dict joined by name to the problem's own network. */
static int load_external(cc_net **net, const char *path, const cc_stack *want, cc_error *e)
{
    *net = NULL;
    if (model_kind(path) == MODEL_ONNX)
        return cc_onnx_load(net, path, NULL, e);
    int rc = cc_net_from_stack(net, want, 1, e);
    cc_safetensors *sd = NULL;
    if (!rc)
        rc = cc_state_dict_load(&sd, path, e);
    if (!rc)
        rc = cc_net_load_state_dict(*net, sd, e);
    cc_st_free(sd);
    if (rc) {
        cc_net_free(*net);
        *net = NULL;
        return rc;
    }
    cc_net_set_train(*net, 0);
    return 0;
}

/* Per-channel values of a `mean:`/`std:` key ("0.286" or "0.485 0.456
 * 0.406"); 0 values when the key is absent. */
static int channel_values(const ex_problem *p, const char *key, float *out, int max, int *n,
                          cc_error *err)
{
    *n = 0;
    const ex_param *pr = ex_param_find(p, key);
    if (!pr)
        return 0;
    const char *q = pr->value;
    while (*q) {
        while (*q == ' ' || *q == ',')
            q++;
        if (!*q)
            break;
        char *end;
        double v = strtod(q, &end);
        if (end == q || !isfinite(v) || *n == max || (!strcmp(key, "std") && !(v > 0)))
            return ex_param_error(err, CC_EINVAL, pr, 0, 0,
                                  "%s: expected up to %d numbers, one per channel (such as "
                                  "0.5 0.5 0.5)%s",
                                  key, max, !strcmp(key, "std") ? ", each above 0" : "");
        out[(*n)++] = (float)v;
        q = end;
    }
    return 0;
}

/* A model trained elsewhere (ONNX, or a PyTorch state_dict joined to the
 * problem's network): evaluated on the training and test splits, with
 * pixels scaled to [0, 1] and normalised with the problem's mean and std
 * as torchvision's ToTensor and Normalize do. There is no validation
 * split: a number reported for one is not graded. */
static int grade_external(cc_grade *g, cc_buf *fb, const ex_problem *p, const reported *r,
                          const char *path, double tol, int *right, cc_error *err)
{
    float mean[CC_DATA_MAX_CHANNELS], std[CC_DATA_MAX_CHANNELS];
    int nm, ns;
    int rc = channel_values(p, "mean", mean, CC_DATA_MAX_CHANNELS, &nm, err);
    if (!rc)
        rc = channel_values(p, "std", std, CC_DATA_MAX_CHANNELS, &ns, err);
    if (rc)
        return rc;
    if (nm != ns) {
        const ex_param *pr = ex_param_find(p, nm ? "mean" : "std");
        return ex_param_error(err, CC_EINVAL, pr, 0, 0,
                              "mean and std need the same number of values (%d and %d)", nm,
                              ns);
    }
    cc_stack *want = NULL;
    rc = ex_stack_of(&want, p, err);
    if (rc)
        return rc;
    cc_net *net = NULL;
    cc_error e2;
    cc_error_clear(&e2);
    int is_onnx = model_kind(r->model) == MODEL_ONNX;
    if (load_external(&net, path, want, &e2) != 0) {
        cc_buf_printf(fb, "Cannot load %s as %s: %s.\n", r->model,
                      is_onnx ? "an ONNX model" : "a state_dict of the problem's network",
                      e2.msg);
        ex_grade_detail(g, "model file",
                        is_onnx ? "an ONNX model of the problem's network"
                                : "a state_dict with the problem's layers",
                        r->model, 0);
        cc_stack_free(want);
        return 0;
    }
    cc_stack_totals tw;
    cc_stack_totals_get(want, 0, &tw);
    cc_stack_free(want);
    int64_t have = cc_net_num_params(net);
    char a[32], b[32];
    snprintf(a, sizeof a, "%lld", (long long)tw.total_params);
    snprintf(b, sizeof b, "%lld", (long long)have);
    int stack_ok = 1;
    if (is_onnx) {
        /* torch.onnx.export folds BatchNorm into the convolutions, so the
         * count may differ from the network's without any fault */
        cc_buf_printf(fb, "The ONNX model has %lld parameters; the problem's network has "
                          "%lld (an export may fold BatchNorm into the convolutions).\n",
                      (long long)have, (long long)tw.total_params);
    } else {
        stack_ok = have == tw.total_params;
        ex_grade_detail(g, "parameter count", a, b, stack_ok);
        cc_buf_printf(fb, "The state_dict fits the problem's network: every layer by name and "
                          "shape, %lld parameters.\n", (long long)have);
    }
    cc_data *d = NULL;
    cc_results res;
    memset(&res, 0, sizeof res);
    cc_error_clear(&e2);
    rc = cc_data_load(&d, ex_value(p, "data"), &e2);
    if (rc == 0)
        rc = cc_net_evaluate_data(net, d, mean, std, nm, 256,
                                  (1u << CC_SPLIT_TRAIN) | (1u << CC_SPLIT_TEST), &res, NULL, &e2);
    cc_data_free(d);
    cc_net_free(net);
    if (rc != 0) {
        if (e2.source[0] && strcmp(e2.source, path) != 0) /* the data, not the model */
            return cc_error_set(err, e2.code, "problem %s: cannot evaluate on %s: %s%s%s", p->id,
                                ex_value(p, "data"), e2.source, e2.source[0] ? ": " : "",
                                e2.msg);
        cc_buf_printf(fb, "The model cannot be evaluated on %s: %s.\n", ex_value(p, "data"),
                      e2.msg);
        return 0;
    }
    if (nm)
        cc_buf_printf(fb, "Pixels scaled to [0, 1], then normalised with the problem's mean and "
                          "std (ToTensor, Normalize).\n");
    else
        cc_buf_printf(fb, "Pixels scaled to [0, 1] (ToTensor), not normalised: the problem "
                          "gives no mean and std.\n");
    if (r->have[1][0] || r->have[1][1])
        cc_buf_puts(fb, "A model trained elsewhere has no validation split known here: the "
                        "validation numbers are not graded.\n");
    int all = compare_numbers(g, fb, r, &res, tol);
    *right = stack_ok && all;
    return cc_buf_failed(fb) ? cc_error_set(err, CC_ENOMEM, "out of memory") : 0;
}

int ex_results_grade(cc_grade *g, cc_buf *fb, cc_buf *given, const cc_exset *set,
                     const ex_problem *p, const char *answer, const char *basedir, int *right,
                     char *why, size_t why_size, cc_error *err)
{
    *right = 0;
    double tol;
    int rc = tolerance_of(p, &tol, err);
    if (rc)
        return rc;
    reported r;
    read_answer(&r, answer);
    int nrep = 0;
    for (int s = 0; s < 3; s++)
        nrep += r.have[s][0] + r.have[s][1];
    if (!r.model[0]) {
        snprintf(why, why_size, "no model file named (expected 'model FILE.safetensors', "
                                "FILE.onnx or FILE.pt)");
        return 0;
    }
    if (nrep == 0) {
        snprintf(why, why_size, "no loss or accuracy found (expected lines such as 'test loss "
                                "0.35 accuracy 0.87')");
        return 0;
    }
    char path[2048];
    if (r.model[0] != '/' && basedir && *basedir)
        snprintf(path, sizeof path, "%s/%s", basedir, r.model);
    else
        snprintf(path, sizeof path, "%s", r.model);
    cc_buf_printf(given, "model %s", r.model);
    for (int s = 0; s < 3; s++)
        for (int m = 0; m < 2; m++)
            if (r.have[s][m])
                cc_buf_printf(given, ", %s %s %.4g", split_name[s], m ? "accuracy" : "loss",
                              r.v[s][m]);

    if (model_kind(r.model) == MODEL_ONNX || model_kind(r.model) == MODEL_TORCH)
        return grade_external(g, fb, p, &r, path, tol, right, err);

    cc_model *model = NULL;
    cc_error e2;
    cc_error_clear(&e2);
    if (cc_model_load(&model, path, &e2) != 0) {
        cc_buf_printf(fb, "Cannot load the model file %s: %s.\n", r.model, e2.msg);
        ex_grade_detail(g, "model file", "a model file convcalc train wrote", r.model, 0);
        return 0;
    }
    cc_stack *want = NULL;
    rc = ex_stack_of(&want, p, err);
    if (rc) {
        cc_model_free(model);
        return rc;
    }
    cc_stack_totals tw, tg;
    cc_stack_totals_get(want, 0, &tw);
    cc_stack_totals_get(model->stack, 0, &tg);
    char sw[512] = "";
    int stack_ok = same_stack(want, model->stack, sw, sizeof sw) &&
                   tw.total_params == tg.total_params;
    char a[32], b[32];
    snprintf(a, sizeof a, "%lld", (long long)tw.total_params);
    snprintf(b, sizeof b, "%lld", (long long)tg.total_params);
    ex_grade_detail(g, "parameter count", a, b, tw.total_params == tg.total_params);
    ex_grade_detail(g, "layer stack", "the problem's", stack_ok ? "the same" : "different",
                    stack_ok);
    if (stack_ok)
        cc_buf_printf(fb, "The model's layers and its %lld parameters are the problem's.\n",
                      (long long)tg.total_params);
    else
        cc_buf_printf(fb, "The model is not the problem's network: %s%s(%lld parameters, the "
                          "problem's has %lld).\n",
                      sw, sw[0] ? " " : "", (long long)tg.total_params,
                      (long long)tw.total_params);
    cc_stack_free(want);
    cc_model_free(model);

    cc_results res;
    memset(&res, 0, sizeof res);
    cc_error_clear(&e2);
    int rc2 = cc_model_evaluate(path, ex_value(p, "data"), 256, 1, &res, NULL, NULL, &e2);
    size_t rec[3];
    if (!rc2 && recorded_images(path, rec) &&
        (rec[0] + rec[1] < res.n[0] + res.n[1] || (rec[2] && rec[2] < res.n[2]))) {
        /* trained (and evaluated) on the first images only: --limit */
        cc_buf_printf(fb, "The model was trained on a subset: its file records %zu training, "
                          "%zu validation and %zu test images, where %s has %zu, %zu and %zu "
                          "(convcalc train --limit).\n",
                      rec[0], rec[1], rec[2], ex_value(p, "data"), res.n[0], res.n[1], res.n[2]);
        char a[64], b[64];
        snprintf(a, sizeof a, "%zu", res.n[0] + res.n[1]);
        snprintf(b, sizeof b, "%zu", rec[0] + rec[1]);
        ex_grade_detail(g, "training images", a, b, 0);
        if (set->results_as_trained) {
            cc_buf_puts(fb, "Graded on the images it was evaluated on (--as-trained).\n");
            size_t max_test = rec[2] < res.n[2] ? rec[2] : 0;
            memset(&res, 0, sizeof res);
            rc2 = cc_model_evaluate_subset(path, ex_value(p, "data"), rec[0] + rec[1], max_test,
                                           256, 1, &res, NULL, NULL, &e2);
        } else {
            cc_buf_puts(fb, "The numbers below are on the whole data set; convcalc check "
                            "--as-trained grades on the images the model was evaluated on.\n");
        }
    }
    if (rc2 != 0) {
        if (e2.source[0] && strcmp(e2.source, path) != 0) /* the data, not the model */
            return cc_error_set(err, e2.code, "problem %s: cannot evaluate on %s: %s%s%s", p->id,
                                ex_value(p, "data"), e2.source, e2.source[0] ? ": " : "",
                                e2.msg);
        cc_buf_printf(fb, "The model cannot be evaluated on %s: %s.\n", ex_value(p, "data"),
                      e2.msg);
        return 0;
    }
    int all = compare_numbers(g, fb, &r, &res, tol);
    *right = stack_ok && all;
    return cc_buf_failed(fb) ? cc_error_set(err, CC_ENOMEM, "out of memory") : 0;
}
