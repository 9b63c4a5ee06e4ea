/* train.c - the training loop, checkpoints and resuming, model files with
 * their layer stack, and evaluation of saved models (see convcalc/train.h). */
#include "convcalc/train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "convcalc/model.h"
#include "convcalc/net.h"
#include "convcalc/stack.h"

/* A parameter or buffer of the network, by position. */
typedef struct slot {
    const char *name;
    float *data;   /* [numel] in the network */
    size_t numel;
    int ndim;
    int64_t shape[4];
} slot;

#define EVAL_BATCH 128

struct cc_train_run {
    const cc_data *data;
    cc_train_config cfg;
    cc_stack *stack;        /* our own copy, input size set, shapes inferred */
    char *spec;             /* its spec text (model files keep it)          */
    cc_net *net;
    cc_optim *opt;
    cc_prep prep;
    slot *slots;            /* parameters then buffers                      */
    size_t n_slots;
    float **best;           /* [n_slots] copies of the best weights         */
    float *x;               /* [eval_batch, c, h, w] network input          */
    int *y;                 /* [eval_batch] labels                          */
    long eval_batch;        /* images per evaluation pass (>= the batch)    */
    size_t *order;          /* [n train] this epoch's shuffle               */
    /* progress, all of it saved in checkpoints */
    long epoch_done;
    int64_t steps, images;
    double best_loss;
    long best_epoch, bad_epochs;
    int stopped_early;
    double seconds_before;  /* training time of earlier (interrupted) runs */
    cc_eval_point *hist;
    size_t n_hist, cap_hist;
    /* set when done */
    long resumed_from;
    int finished;
    cc_results results;
    int64_t *confusion;     /* [classes * classes]                          */
    cc_split conf_split;
    int classes;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void cc_train_config_default(cc_train_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cc_optim_config_default(&cfg->optim, CC_OPTIM_SGD);
    cfg->epochs = 10;
    cfg->batch = 64;
    cfg->seed = 1;
    cfg->threads = 1;
    cfg->prep = cc_prep_defaults();
}

/* ---- the network's tensors ------------------------------------------------------ */

static int collect_slots(cc_net *net, slot **out, size_t *n, cc_error *err)
{
    size_t np = cc_net_param_count(net), nb = cc_net_buffer_count(net);
    slot *s = calloc(np + nb ? np + nb : 1, sizeof *s);
    if (!s)
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    for (size_t i = 0; i < np + nb; i++) {
        cc_net_tensor t;
        int rc = i < np ? cc_net_param(net, i, &t, err) : cc_net_buffer(net, i - np, &t, err);
        if (rc) {
            free(s);
            return rc;
        }
        s[i].name = t.name;
        s[i].data = t.data;
        s[i].numel = t.numel;
        s[i].ndim = t.ndim;
        for (int d = 0; d < t.ndim && d < 4; d++)
            s[i].shape[d] = t.shape[d];
    }
    *out = s;
    *n = np + nb;
    return 0;
}

/* ---- building a run ------------------------------------------------------------- */

/* Copy a stack through its spec text (which is also what model files keep),
 * giving it an input size when it has none. */
static int own_stack(cc_stack **out, char **spec_out, const cc_stack *stack, int c, int h,
                     int w, cc_error *err)
{
    cc_buf b = {0};
    int rc = cc_stack_to_spec(&b, stack);
    if (rc == 0 && cc_buf_failed(&b))
        rc = cc_error_set(err, CC_ENOMEM, "out of memory");
    if (rc == CC_EINVAL) {
        /* a layer the spec language has no word for (a PyTorch module
         * counted from its arguments, a squeeze-excitation product) */
        size_t i = 0;
        while (i < stack->n && stack->layers[i].kind != CC_LAYER_MODULE &&
               stack->layers[i].kind != CC_LAYER_MUL)
            i++;
        const cc_layer *l = i < stack->n ? &stack->layers[i] : NULL;
        cc_error_at(err, CC_EINVAL, l ? l->line : 0, l ? l->col : 0,
                    "cannot train this model: layer %zu%s%s%s (%s) has no form in the spec "
                    "language, which training builds the network from (expected a model "
                    "made of the layers convcalc-spec(5) lists)", i + 1,
                    l && l->name[0] ? " '" : "", l && l->name[0] ? l->name : "",
                    l && l->name[0] ? "'" : "",
                    l ? (l->type[0] ? l->type : cc_layer_kind_name(l->kind)) : "?");
    }
    if (rc) {
        cc_buf_free(&b);
        return rc;
    }
    cc_stack *s = NULL;
    rc = cc_stack_parse_spec(&s, cc_buf_str(&b), b.len, err);
    cc_buf_free(&b);
    if (rc)
        return rc;
    if (s->input.rank == 0 && (rc = cc_stack_set_input(s, h, w, c, err)) != 0)
        goto fail;
    if ((rc = cc_stack_infer(s, err)) != 0)
        goto fail;
    /* the spec text again, now with the input line */
    cc_buf t = {0};
    rc = cc_stack_to_spec(&t, s);
    if (rc == 0 && cc_buf_failed(&t))
        rc = cc_error_set(err, CC_ENOMEM, "out of memory");
    if (rc) {
        cc_buf_free(&t);
        goto fail;
    }
    *spec_out = t.data ? t.data : strdup("");
    *out = s;
    return 0;
fail:
    cc_stack_free(s);
    return rc;
}

int cc_train_new(cc_train_run **out, const cc_stack *stack, const cc_data *data,
                 const cc_train_config *cfg, cc_error *err)
{
    *out = NULL;
    if (cfg->epochs < 1 || cfg->epochs > 100000)
        return cc_error_set(err, CC_EINVAL, "epochs %ld out of range (expected 1 to 100000)",
                            cfg->epochs);
    if (cfg->batch < 1 || cfg->batch > 65536)
        return cc_error_set(err, CC_EINVAL, "batch size %ld out of range (expected 1 to 65536)",
                            cfg->batch);
    if (cfg->patience < 0)
        return cc_error_set(err, CC_EINVAL, "patience %ld is negative", cfg->patience);
    if (data->train.n == 0)
        return cc_error_set(err, CC_EINVAL, "the data set has no training images");
    cc_train_run *r = calloc(1, sizeof *r);
    if (!r)
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    r->data = data;
    r->cfg = *cfg;
    r->cfg.prep.seed = cfg->seed;
    r->best_loss = INFINITY;
    int rc = own_stack(&r->stack, &r->spec, stack, data->train.c, data->train.h,
                       data->train.w, err);
    if (rc)
        goto fail;
    const cc_shape *in = &r->stack->input;
    if (in->rank != 3)
        rc = cc_error_set(err, CC_ESHAPE,
                          "the network takes flat inputs of %ld features; training needs an "
                          "image input HxWxC",
                          in->c);
    else if (in->c != data->train.c)
        rc = cc_error_set(err, CC_ESHAPE,
                          "the network takes %ld-channel images but the data's have %d",
                          in->c, data->train.c);
    if (rc)
        goto fail;
    r->cfg.prep.out_h = (int)in->h;
    r->cfg.prep.out_w = (int)in->w;
    if ((rc = cc_net_from_stack(&r->net, r->stack, cfg->seed, err)) != 0)
        goto fail;
    if ((rc = cc_net_set_threads(r->net, cfg->threads, err)) != 0)
        goto fail;
    r->classes = data->classes;
    if (cc_net_classes(r->net) < data->classes) {
        rc = cc_error_set(err, CC_ESHAPE,
                          "the network has %ld outputs but the data has %d classes",
                          cc_net_classes(r->net), data->classes);
        goto fail;
    }
    if ((rc = cc_prep_init(&r->prep, data, &r->cfg.prep, err)) != 0)
        goto fail;
    if ((rc = cc_optim_new(&r->opt, &cfg->optim, err)) != 0 ||
        (rc = cc_optim_add_net(r->opt, r->net, err)) != 0)
        goto fail;
    if ((rc = collect_slots(r->net, &r->slots, &r->n_slots, err)) != 0)
        goto fail;
    /* evaluation (inference mode) runs at a larger batch than training:
     * per image, 128 was faster than 64 and than 256 in `convcalc bench
     * --batch N`'s inference CPU time, and costs half 256's memory */
    r->eval_batch = cfg->batch < EVAL_BATCH ? EVAL_BATCH : cfg->batch;
    size_t xn;
    if (cc_size_mul((size_t)r->eval_batch, (size_t)in->c * in->h * in->w, &xn) != 0 ||
        xn > ((size_t)1 << 31)) {
        rc = cc_error_set(err, CC_ERANGE, "a batch of %ld inputs is too large", cfg->batch);
        goto fail;
    }
    r->x = malloc(xn * sizeof(float));
    r->y = malloc((size_t)r->eval_batch * sizeof(int));
    r->order = malloc((r->prep.n[CC_SPLIT_TRAIN] + 1) * sizeof(size_t));
    r->best = calloc(r->n_slots + 1, sizeof *r->best);
    r->confusion = calloc((size_t)r->classes * r->classes, sizeof(int64_t));
    if (!r->x || !r->y || !r->order || !r->best || !r->confusion) {
        rc = cc_error_set(err, CC_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < r->n_slots; i++) {
        r->best[i] = malloc((r->slots[i].numel ? r->slots[i].numel : 1) * sizeof(float));
        if (!r->best[i]) {
            rc = cc_error_set(err, CC_ENOMEM, "out of memory");
            goto fail;
        }
        memcpy(r->best[i], r->slots[i].data, r->slots[i].numel * sizeof(float));
    }
    if ((rc = cc_net_reserve(r->net, r->eval_batch, err)) != 0)
        goto fail;
    *out = r;
    return 0;
fail:
    cc_train_free(r);
    return rc;
}

void cc_train_free(cc_train_run *r)
{
    if (!r)
        return;
    if (r->best)
        for (size_t i = 0; i < r->n_slots; i++)
            free(r->best[i]);
    free(r->best);
    free(r->slots);
    free(r->x);
    free(r->y);
    free(r->order);
    free(r->hist);
    free(r->confusion);
    free(r->spec);
    cc_prep_clear(&r->prep);
    cc_optim_free(r->opt);
    cc_net_free(r->net);
    cc_stack_free(r->stack);
    free(r);
}

static int push_point(cc_train_run *r, const cc_eval_point *p, cc_error *err)
{
    if (r->n_hist == r->cap_hist) {
        size_t nc = r->cap_hist ? r->cap_hist * 2 : 64;
        cc_eval_point *nh = realloc(r->hist, nc * sizeof *nh);
        if (!nh)
            return cc_error_set(err, CC_ENOMEM, "out of memory");
        r->hist = nh;
        r->cap_hist = nc;
    }
    r->hist[r->n_hist++] = *p;
    return 0;
}

/* ---- evaluation ------------------------------------------------------------------- */

static int evaluate_into(cc_net *net, const cc_prep *p, const cc_data *data, cc_split split,
                         long batch, float *x, int *y, double *loss, double *accuracy,
                         int64_t *confusion, int classes, cc_error *err)
{
    size_t n = p->n[split];
    *loss = NAN;
    *accuracy = NAN;
    if (n == 0)
        return 0;
    cc_net_set_train(net, 0);
    double sum = 0;
    int64_t right = 0;
    for (size_t start = 0; start < n; start += (size_t)batch) {
        size_t count = n - start < (size_t)batch ? n - start : (size_t)batch;
        int rc = cc_prep_batch(x, y, p, data, split, NULL, start, count, 0, 0, err);
        if (rc == 0)
            rc = cc_net_forward(net, x, (long)count, err);
        double l;
        long correct;
        if (rc == 0)
            rc = cc_net_loss(net, y, &l, &correct, err);
        if (rc)
            return rc;
        sum += l * (double)count;
        right += correct;
        if (confusion) {
            long nb, nc;
            const float *o = cc_net_output(net, &nb, &nc);
            for (long i = 0; i < nb; i++) {
                long best = 0;
                for (long k = 1; k < nc; k++)
                    if (o[i * nc + k] > o[i * nc + best])
                        best = k;
                if (y[i] < classes && best < classes)
                    confusion[(size_t)y[i] * classes + best]++;
            }
        }
    }
    *loss = sum / (double)n;
    *accuracy = (double)right / (double)n;
    return 0;
}

int cc_evaluate(cc_net *net, const cc_prep *p, const cc_data *data, cc_split split, long batch,
                double *loss, double *accuracy, int64_t *confusion, cc_error *err)
{
    long c, h, w;
    cc_net_input_shape(net, &c, &h, &w);
    if (c != p->c || h != p->h || w != p->w)
        return cc_error_set(err, CC_ESHAPE, "the network takes %ldx%ldx%ld inputs, not %dx%dx%d",
                            h, w, c, p->h, p->w, p->c);
    if (batch < 1)
        batch = 64;
    size_t xn;
    if (cc_size_mul((size_t)batch, (size_t)c * h * w, &xn) != 0 ||
        cc_size_mul(xn, sizeof(float), &xn) != 0)
        return cc_error_set(err, CC_ERANGE, "a batch of %ld inputs of %ldx%ldx%ld is too large",
                            batch, h, w, c);
    float *x = malloc(xn);
    int *y = malloc((size_t)batch * sizeof(int));
    int rc = !x || !y ? cc_error_set(err, CC_ENOMEM, "out of memory")
                      : evaluate_into(net, p, data, split, batch, x, y, loss, accuracy,
                                      confusion, data->classes, err);
    free(x);
    free(y);
    return rc;
}

/* ---- checkpoints ------------------------------------------------------------------- */

static void fmt_double(char *out, size_t size, double v)
{
    snprintf(out, size, "%.17g", v);
}

/* The settings a checkpoint must agree with to be resumed. */
static void config_items(const cc_train_run *r, char items[][2][600], int *n)
{
    const cc_optim_config *o = &r->cfg.optim;
    int k = 0;
#define ITEM(key, ...) \
    (snprintf(items[k][0], 600, "%s", key), snprintf(items[k][1], 600, __VA_ARGS__), k++)
    uint64_t hash = 1469598103934665603ULL; /* FNV-1a of the spec text */
    for (const char *p = r->spec; *p; p++)
        hash = (hash ^ (unsigned char)*p) * 1099511628211ULL;
    ITEM("layer stack", "fnv1a64 %016llx, %zu bytes", (unsigned long long)hash, strlen(r->spec));
    ITEM("data", "%s %s %zu+%zu images", r->data->name, r->data->origin, r->data->train.n,
         r->data->test.n);
    ITEM("optimizer", "%s", cc_optim_kind_name(o->kind));
    ITEM("learning rate", "%.17g", o->lr);
    ITEM("momentum", "%.17g", o->momentum);
    ITEM("weight decay", "%.17g", o->weight_decay);
    ITEM("batch size", "%ld", r->cfg.batch);
    ITEM("seed", "%llu", (unsigned long long)r->cfg.seed);
    ITEM("validation share", "%.17g", r->cfg.prep.val_fraction);
    ITEM("augmentation", "crop %d flip %d resize %d", r->cfg.prep.crop_pad, r->cfg.prep.flip,
         (int)r->cfg.prep.resize);
    ITEM("patience", "%ld", r->cfg.patience);
#undef ITEM
    *n = k;
}

static void history_text(cc_buf *b, const cc_eval_point *h, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cc_buf_printf(b, "%ld %lld %lld %d %.17g %.17g %.17g %.17g\n", h[i].epoch,
                      (long long)h[i].step, (long long)h[i].images, (int)h[i].split, h[i].loss,
                      h[i].accuracy, h[i].lr, h[i].seconds);
}

static int save_checkpoint(cc_train_run *r, double seconds, cc_error *err)
{
    cc_safetensors *st;
    int rc = cc_st_new(&st, err);
    if (rc)
        return rc;
    char name[300], v[64];
    for (size_t i = 0; i < r->n_slots && rc == 0; i++) {
        snprintf(name, sizeof name, "net.%s", r->slots[i].name);
        rc = cc_st_add(st, name, r->slots[i].shape, r->slots[i].ndim, r->slots[i].data, err);
        snprintf(name, sizeof name, "best.%s", r->slots[i].name);
        if (rc == 0)
            rc = cc_st_add(st, name, r->slots[i].shape, r->slots[i].ndim, r->best[i], err);
    }
    size_t ns = cc_optim_state_count(r->opt);
    for (size_t i = 0; i < ns && rc == 0; i++) {
        cc_optim_state_view sv;
        rc = cc_optim_state(r->opt, i, &sv, err);
        snprintf(name, sizeof name, "optim.%s", sv.name);
        int64_t shape[1] = {(int64_t)sv.n};
        if (rc == 0)
            rc = cc_st_add(st, name, shape, 1, sv.data, err);
    }
    char items[16][2][600];
    int ni;
    config_items(r, items, &ni);
    for (int i = 0; i < ni && rc == 0; i++) {
        snprintf(name, sizeof name, "config.%.60s", items[i][0]);
        rc = cc_st_set_meta(st, name, items[i][1], err);
    }
    struct {
        const char *k;
        double d;
        int is_int;
    } vals[] = {{"epoch", (double)r->epoch_done, 1},
                {"steps", (double)r->steps, 1},
                {"images", (double)r->images, 1},
                {"best_loss", r->best_loss, 0},
                {"best_epoch", (double)r->best_epoch, 1},
                {"bad_epochs", (double)r->bad_epochs, 1},
                {"stopped_early", (double)r->stopped_early, 1},
                {"optim_steps", (double)cc_optim_steps(r->opt), 1},
                {"seconds", seconds, 0}};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0] && rc == 0; i++) {
        if (vals[i].is_int)
            snprintf(v, sizeof v, "%lld", (long long)vals[i].d);
        else
            fmt_double(v, sizeof v, vals[i].d);
        rc = cc_st_set_meta(st, vals[i].k, v, err);
    }
    cc_buf h = {0};
    history_text(&h, r->hist, r->n_hist);
    if (rc == 0)
        rc = cc_buf_failed(&h) ? cc_error_set(err, CC_ENOMEM, "out of memory")
                               : cc_st_set_meta(st, "history", cc_buf_str(&h), err);
    cc_buf_free(&h);
    if (rc == 0)
        rc = cc_st_set_meta(st, "convcalc.checkpoint", "1", err);
    if (rc == 0)
        rc = cc_st_save(st, r->cfg.checkpoint, err);
    cc_st_free(st);
    return rc;
}

static int meta_ll(const cc_safetensors *st, const char *key, long long *out, cc_error *err)
{
    const char *v = cc_st_meta(st, key);
    char *end;
    if (!v || (*out = strtoll(v, &end, 10), end == v || *end))
        return cc_error_set(err, CC_EINVAL, "the checkpoint lacks a valid '%s'", key);
    return 0;
}

static int meta_d(const cc_safetensors *st, const char *key, double *out, cc_error *err)
{
    const char *v = cc_st_meta(st, key);
    char *end;
    if (!v || (*out = strtod(v, &end), end == v || *end))
        return cc_error_set(err, CC_EINVAL, "the checkpoint lacks a valid '%s'", key);
    return 0;
}

static int copy_tensor(const cc_safetensors *st, const char *name, float *dst, size_t n,
                       cc_error *err)
{
    const cc_st_tensor *t = cc_st_find(st, name);
    if (!t || t->count != n)
        return cc_error_set(err, CC_EINVAL, "the checkpoint %s tensor %s",
                            t ? "has a wrong-sized" : "lacks the", name);
    memcpy(dst, t->data, n * sizeof(float));
    return 0;
}

static int load_checkpoint(cc_train_run *r, double *seconds, cc_error *err)
{
    cc_safetensors *st;
    int rc = cc_st_load(&st, r->cfg.checkpoint, err);
    if (rc)
        return rc;
    if (!cc_st_meta(st, "convcalc.checkpoint")) {
        rc = cc_error_set(err, CC_EINVAL, "not a convcalc checkpoint (a model file?)");
        goto out;
    }
    char items[16][2][600], name[300];
    int ni;
    config_items(r, items, &ni);
    for (int i = 0; i < ni; i++) {
        snprintf(name, sizeof name, "config.%.60s", items[i][0]);
        const char *v = cc_st_meta(st, name);
        if (!v || strcmp(v, items[i][1]) != 0) {
            rc = cc_error_set(err, CC_EINVAL,
                              "the checkpoint was made with another %s (expected the same "
                              "settings as the interrupted run, or no --resume)",
                              items[i][0]);
            goto out;
        }
    }
    for (size_t i = 0; i < r->n_slots && rc == 0; i++) {
        snprintf(name, sizeof name, "net.%s", r->slots[i].name);
        rc = copy_tensor(st, name, r->slots[i].data, r->slots[i].numel, err);
        snprintf(name, sizeof name, "best.%s", r->slots[i].name);
        if (rc == 0)
            rc = copy_tensor(st, name, r->best[i], r->slots[i].numel, err);
    }
    size_t ns = cc_optim_state_count(r->opt);
    for (size_t i = 0; i < ns && rc == 0; i++) {
        cc_optim_state_view sv;
        rc = cc_optim_state(r->opt, i, &sv, err);
        snprintf(name, sizeof name, "optim.%s", sv.name);
        if (rc == 0)
            rc = copy_tensor(st, name, sv.data, sv.n, err);
    }
    long long epoch, steps, images, best_epoch, bad, early, osteps;
    double best_loss;
    if (rc || (rc = meta_ll(st, "epoch", &epoch, err)) || (rc = meta_ll(st, "steps", &steps, err)) ||
        (rc = meta_ll(st, "images", &images, err)) ||
        (rc = meta_ll(st, "best_epoch", &best_epoch, err)) ||
        (rc = meta_ll(st, "bad_epochs", &bad, err)) ||
        (rc = meta_ll(st, "stopped_early", &early, err)) ||
        (rc = meta_ll(st, "optim_steps", &osteps, err)) ||
        (rc = meta_d(st, "best_loss", &best_loss, err)) ||
        (rc = meta_d(st, "seconds", seconds, err)))
        goto out;
    if ((rc = cc_optim_set_steps(r->opt, osteps, err)) != 0)
        goto out;
    r->epoch_done = (long)epoch;
    r->steps = steps;
    r->images = images;
    r->best_epoch = (long)best_epoch;
    r->bad_epochs = (long)bad;
    r->stopped_early = (int)early;
    r->best_loss = best_loss;
    r->n_hist = 0;
    const char *h = cc_st_meta(st, "history");
    for (const char *p = h ? h : ""; *p;) {
        cc_eval_point e;
        long long s, im;
        int split, used = 0;
        if (sscanf(p, "%ld %lld %lld %d %lf %lf %lf %lf%n", &e.epoch, &s, &im, &split, &e.loss,
                   &e.accuracy, &e.lr, &e.seconds, &used) != 8) {
            rc = cc_error_set(err, CC_EINVAL, "the checkpoint's history is malformed");
            goto out;
        }
        e.step = s;
        e.images = im;
        e.split = split == CC_SPLIT_VAL ? CC_SPLIT_VAL : CC_SPLIT_TRAIN;
        if ((rc = push_point(r, &e, err)) != 0)
            goto out;
        p += used;
        while (*p == '\n' || *p == ' ')
            p++;
    }
out:
    if (rc)
        cc_error_source(err, r->cfg.checkpoint);
    cc_st_free(st);
    return rc;
}

/* ---- the loop ---------------------------------------------------------------------- */

static void copy_weights(cc_train_run *r, int to_best)
{
    for (size_t i = 0; i < r->n_slots; i++) {
        if (to_best)
            memcpy(r->best[i], r->slots[i].data, r->slots[i].numel * sizeof(float));
        else
            memcpy(r->slots[i].data, r->best[i], r->slots[i].numel * sizeof(float));
    }
}

int cc_train_fit(cc_train_run *r, cc_error *err)
{
    const cc_train_config *cfg = &r->cfg;
    int rc;
    r->finished = 0;
    double seconds_before = 0;
    if (cfg->resume && cfg->checkpoint && access(cfg->checkpoint, F_OK) == 0) {
        if ((rc = load_checkpoint(r, &seconds_before, err)) != 0)
            return rc;
        r->resumed_from = r->epoch_done;
    }
    size_t ntrain = r->prep.n[CC_SPLIT_TRAIN], nval = r->prep.n[CC_SPLIT_VAL];
    long batches = (long)((ntrain + (size_t)cfg->batch - 1) / (size_t)cfg->batch);
    long log_every = cfg->log_every > 0 ? cfg->log_every : (batches >= 10 ? batches / 10 : 1);
    double t0 = now_s();
    int64_t images_this_run = 0;
    int stop = r->stopped_early;
    for (long epoch = r->epoch_done + 1; epoch <= cfg->epochs && !stop; epoch++) {
        cc_net_set_train(r->net, 1);
        /* dropout masks depend on (seed, epoch) only, as the shuffles do */
        cc_net_seed_dropout(r->net, cfg->seed ^ ((uint64_t)epoch << 40) ^ 0x44524f50ULL);
        cc_prep_shuffle(r->order, ntrain, cfg->seed, (uint64_t)epoch);
        double run_loss = 0, ep_loss = 0, te = now_s();
        int64_t run_right = 0, run_n = 0, ep_right = 0, ep_n = 0;
        for (long b = 0; b < batches; b++) {
            if (cfg->stop_after_steps > 0 && r->steps >= cfg->stop_after_steps)
                return 0; /* interrupted on purpose: the checkpoint holds the last epoch */
            size_t start = (size_t)b * cfg->batch;
            size_t count = ntrain - start < (size_t)cfg->batch ? ntrain - start : (size_t)cfg->batch;
            double loss;
            long correct;
            cc_net_zero_grad(r->net);
            if ((rc = cc_prep_batch(r->x, r->y, &r->prep, r->data, CC_SPLIT_TRAIN, r->order,
                                    start, count, 1, (uint64_t)epoch, err)) != 0 ||
                (rc = cc_net_forward(r->net, r->x, (long)count, err)) != 0 ||
                (rc = cc_net_loss(r->net, r->y, &loss, &correct, err)) != 0 ||
                (rc = cc_net_backward(r->net, err)) != 0 ||
                (rc = cc_optim_step(r->opt, err)) != 0) {
                if (rc == CC_ENUMERIC)
                    cc_error_set(err, CC_ENUMERIC,
                                 "the loss diverged at epoch %ld, step %lld (%s); try a smaller "
                                 "learning rate",
                                 epoch, (long long)r->steps + 1, err ? err->msg : "");
                return rc;
            }
            r->steps++;
            r->images += (int64_t)count;
            images_this_run += (int64_t)count;
            run_loss += loss * (double)count;
            ep_loss += loss * (double)count;
            run_right += correct;
            ep_right += correct;
            run_n += (int64_t)count;
            ep_n += (int64_t)count;
            double t = now_s();
            if ((b + 1) % log_every == 0 || b == batches - 1) {
                cc_eval_point p = {epoch, r->steps, r->images, CC_SPLIT_TRAIN,
                                   run_loss / (double)run_n, (double)run_right / (double)run_n,
                                   cc_optim_lr(r->opt), seconds_before + (t - t0)};
                if ((rc = push_point(r, &p, err)) != 0)
                    return rc;
                run_loss = 0;
                run_right = run_n = 0;
            }
            if (cfg->progress) {
                double rate = (double)images_this_run / (t - t0 > 1e-9 ? t - t0 : 1e-9);
                double left = (double)(cfg->epochs - epoch) * (double)(ntrain + nval / 3) +
                              (double)(ntrain - start - count) + (double)nval / 3;
                cc_train_status s = {epoch, cfg->epochs, b + 1, batches, 0,
                                     ep_loss / (double)ep_n, (double)ep_right / (double)ep_n,
                                     (double)ep_n / (t - te > 1e-9 ? t - te : 1e-9),
                                     left / rate, NULL, 0};
                cfg->progress(cfg->progress_ctx, &s);
            }
        }
        int improved = 0;
        if (nval) {
            if (cfg->progress) {
                cc_train_status s = {epoch, cfg->epochs, batches, batches, 1,
                                     ep_loss / (double)ep_n, (double)ep_right / (double)ep_n,
                                     0, 0, NULL, 0};
                cfg->progress(cfg->progress_ctx, &s);
            }
            double vl, va;
            if ((rc = evaluate_into(r->net, &r->prep, r->data, CC_SPLIT_VAL, r->eval_batch, r->x,
                                    r->y, &vl, &va, NULL, r->classes, err)) != 0)
                return rc;
            cc_eval_point p = {epoch, r->steps, r->images, CC_SPLIT_VAL, vl, va,
                               cc_optim_lr(r->opt), seconds_before + (now_s() - t0)};
            if ((rc = push_point(r, &p, err)) != 0)
                return rc;
            if (vl < r->best_loss) {
                r->best_loss = vl;
                r->best_epoch = epoch;
                r->bad_epochs = 0;
                copy_weights(r, 1);
                improved = 1;
            } else if (++r->bad_epochs >= cfg->patience && cfg->patience > 0) {
                r->stopped_early = 1;
                stop = 1;
            }
            if (cfg->progress) {
                cc_train_status s = {epoch, cfg->epochs, batches, batches, 0,
                                     ep_loss / (double)ep_n, (double)ep_right / (double)ep_n,
                                     0, 0, &r->hist[r->n_hist - 1], improved};
                cfg->progress(cfg->progress_ctx, &s);
            }
        } else {
            copy_weights(r, 1); /* no validation: the last weights are the result */
            r->best_epoch = 0;
        }
        r->epoch_done = epoch;
        if (cfg->checkpoint &&
            (rc = save_checkpoint(r, seconds_before + (now_s() - t0), err)) != 0)
            return rc;
    }
    /* early stopping ends with the best weights; otherwise the last ones */
    if (cfg->patience > 0 || nval == 0)
        copy_weights(r, 0);
    memset(r->confusion, 0, (size_t)r->classes * r->classes * sizeof(int64_t));
    r->conf_split = r->prep.n[CC_SPLIT_TEST] ? CC_SPLIT_TEST : CC_SPLIT_VAL;
    for (int s = 0; s < 3; s++) {
        r->results.n[s] = r->prep.n[s];
        r->results.have[s] = r->prep.n[s] > 0;
        if (!r->prep.n[s])
            continue;
        if ((rc = evaluate_into(r->net, &r->prep, r->data, (cc_split)s, r->eval_batch, r->x, r->y,
                                &r->results.loss[s], &r->results.accuracy[s],
                                s == (int)r->conf_split ? r->confusion : NULL, r->classes,
                                err)) != 0)
            return rc;
    }
    r->finished = 1;
    return 0;
}

int cc_train_finished(const cc_train_run *r) { return r->finished; }
const cc_results *cc_train_results(const cc_train_run *r) { return &r->results; }
const cc_prep *cc_train_prep(const cc_train_run *r) { return &r->prep; }
cc_net *cc_train_net(cc_train_run *r) { return r->net; }

const cc_eval_point *cc_train_history(const cc_train_run *r, size_t *n)
{
    *n = r->n_hist;
    return r->hist;
}

void cc_train_summary(const cc_train_run *r, long *epochs_run, long *best_epoch,
                      int *stopped_early, long *resumed_from)
{
    if (epochs_run)
        *epochs_run = r->epoch_done;
    if (best_epoch)
        *best_epoch = r->best_epoch;
    if (stopped_early)
        *stopped_early = r->stopped_early;
    if (resumed_from)
        *resumed_from = r->resumed_from;
}

const int64_t *cc_train_confusion(const cc_train_run *r, int *classes, cc_split *split)
{
    if (classes)
        *classes = r->classes;
    if (split)
        *split = r->conf_split;
    return r->confusion;
}

/* ---- model files ------------------------------------------------------------------- */

static const char *resize_name(cc_resize m) { return m == CC_RESIZE_NEAREST ? "nearest" : "bilinear"; }

static void float_list(char *out, size_t size, const float *v, int n)
{
    size_t at = 0;
    out[0] = 0;
    for (int i = 0; i < n && at < size; i++)
        at += (size_t)snprintf(out + at, size - at, "%s%.9g", i ? "," : "", v[i]);
}

int cc_train_save_model(cc_train_run *r, const char *path, cc_error *err)
{
    cc_safetensors *st;
    int rc = cc_st_new(&st, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < r->n_slots && rc == 0; i++)
        rc = cc_st_add(st, r->slots[i].name, r->slots[i].shape, r->slots[i].ndim,
                       r->slots[i].data, err);
    char v[1024];
    const cc_shape *in = &r->stack->input;
    const cc_optim_config *o = &r->cfg.optim;
    cc_buf res = {0};
    cc_results_render(&res, &r->results, CC_FORMAT_JSON);
    if (res.len && res.data[res.len - 1] == '\n')
        res.data[--res.len] = 0;
    cc_buf names = {0};
    for (int k = 0; k < r->classes; k++)
        cc_buf_printf(&names, "%s%s", k ? "," : "", r->data->class_names[k]);
#define META(key, ...) \
    (rc == 0 ? (snprintf(v, sizeof v, __VA_ARGS__), rc = cc_st_set_meta(st, key, v, err)) : rc)
    META("format", "pt");
    if (rc == 0)
        rc = cc_st_set_meta(st, "convcalc.stack", r->spec, err);
    META("convcalc.input", "%ldx%ldx%ld", in->h, in->w, in->c);
    float_list(v, sizeof v, r->prep.mean, r->prep.c);
    if (rc == 0)
        rc = cc_st_set_meta(st, "convcalc.normalize.mean", v, err);
    float_list(v, sizeof v, r->prep.std, r->prep.c);
    if (rc == 0)
        rc = cc_st_set_meta(st, "convcalc.normalize.std", v, err);
    META("convcalc.resize", "%s", resize_name(r->prep.opts.resize));
    META("convcalc.data", "%s", r->data->name);
    META("convcalc.val_fraction", "%.17g", r->prep.opts.val_fraction);
    META("convcalc.split_seed", "%llu", (unsigned long long)r->prep.opts.seed);
    META("convcalc.epochs", "%ld", r->epoch_done);
    META("convcalc.best_epoch", "%ld", r->best_epoch);
    META("convcalc.training", "%s lr %g momentum %g weight_decay %g batch %ld seed %llu",
         cc_optim_kind_name(o->kind), o->lr, o->momentum, o->weight_decay, r->cfg.batch,
         (unsigned long long)r->cfg.seed);
    if (rc == 0 && r->finished)
        rc = cc_st_set_meta(st, "convcalc.results", cc_buf_str(&res), err);
    if (rc == 0)
        rc = cc_st_set_meta(st, "convcalc.classes", cc_buf_str(&names), err);
#undef META
    cc_buf_free(&res);
    cc_buf_free(&names);
    if (rc == 0)
        rc = cc_st_save(st, path, err);
    cc_st_free(st);
    return rc;
}

void cc_model_free(cc_model *m)
{
    if (!m)
        return;
    cc_net_free(m->net);
    cc_stack_free(m->stack);
    free(m->spec);
    free(m);
}

static int parse_floats(const char *s, float *out, int max, int *n)
{
    int k = 0;
    while (s && *s && k < max) {
        char *end;
        double d = strtod(s, &end);
        if (end == s)
            return -1;
        out[k++] = (float)d;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return -1;
    }
    *n = k;
    return 0;
}

int cc_model_load(cc_model **out, const char *path, cc_error *err)
{
    *out = NULL;
    cc_safetensors *st;
    int rc = cc_st_load(&st, path, err);
    if (rc)
        return rc;
    cc_model *m = calloc(1, sizeof *m);
    if (!m) {
        cc_st_free(st);
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    }
    const char *spec = cc_st_meta(st, "convcalc.stack");
    if (!spec) {
        rc = cc_error_set(err, CC_EINVAL,
                          "no layer stack in the metadata (expected a model file written by "
                          "convcalc train: __metadata__ key convcalc.stack)");
        goto fail;
    }
    if (cc_st_meta(st, "convcalc.checkpoint")) {
        rc = cc_error_set(err, CC_EINVAL, "this is a checkpoint, not a model file");
        goto fail;
    }
    m->spec = strdup(spec);
    if (!m->spec) {
        rc = cc_error_set(err, CC_ENOMEM, "out of memory");
        goto fail;
    }
    cc_error sub;
    cc_error_clear(&sub);
    if ((rc = cc_stack_parse_spec(&m->stack, spec, strlen(spec), &sub)) != 0 ||
        (rc = cc_stack_infer(m->stack, &sub)) != 0) {
        cc_error_set(err, rc, "its layer stack (metadata convcalc.stack, line %d): %s",
                     sub.line, sub.msg);
        goto fail;
    }
    if (m->stack->input.rank != 3) {
        rc = cc_error_set(err, CC_EINVAL, "its layer stack has no image input size");
        goto fail;
    }
    m->c = (int)m->stack->input.c;
    m->h = (int)m->stack->input.h;
    m->w = (int)m->stack->input.w;
    if ((rc = cc_net_from_stack(&m->net, m->stack, 1, err)) != 0)
        goto fail;
    /* every parameter and buffer must be in the file, and nothing else */
    size_t np = cc_net_param_count(m->net), nb = cc_net_buffer_count(m->net);
    for (size_t i = 0; i < np + nb; i++) {
        cc_net_tensor t;
        if ((rc = i < np ? cc_net_param(m->net, i, &t, err)
                         : cc_net_buffer(m->net, i - np, &t, err)) != 0)
            goto fail;
        const cc_st_tensor *f = cc_st_find(st, t.name);
        if (!f) {
            rc = cc_error_set(err, CC_EINVAL, "tensor %s is missing (the layer stack needs it)",
                              t.name);
            goto fail;
        }
        if ((rc = cc_net_set(m->net, t.name, f->data, f->count, err)) != 0) {
            cc_error_set(err, rc, "tensor %s: %s", t.name, err ? err->msg : "");
            goto fail;
        }
    }
    if (st->n != np + nb) {
        rc = cc_error_set(err, CC_EINVAL,
                          "%zu tensors but the layer stack has %zu parameters and buffers",
                          st->n, np + nb);
        goto fail;
    }
    for (int ch = 0; ch < CC_DATA_MAX_CHANNELS; ch++) {
        m->mean[ch] = 0;
        m->std[ch] = 1;
    }
    int nm = 0, ns = 0;
    if (parse_floats(cc_st_meta(st, "convcalc.normalize.mean"), m->mean, CC_DATA_MAX_CHANNELS, &nm) ||
        parse_floats(cc_st_meta(st, "convcalc.normalize.std"), m->std, CC_DATA_MAX_CHANNELS, &ns) ||
        nm != ns || (nm && nm != m->c)) {
        rc = cc_error_set(err, CC_EINVAL, "bad normalisation in the metadata");
        goto fail;
    }
    m->channels = nm;
    const char *v = cc_st_meta(st, "convcalc.val_fraction");
    m->val_fraction = v ? strtod(v, NULL) : 0.1;
    if (!(m->val_fraction >= 0 && m->val_fraction < 1))
        m->val_fraction = 0.1;
    v = cc_st_meta(st, "convcalc.split_seed");
    m->split_seed = v ? strtoull(v, NULL, 10) : 1;
    v = cc_st_meta(st, "convcalc.resize");
    m->resize = v && strcmp(v, "nearest") == 0 ? CC_RESIZE_NEAREST : CC_RESIZE_BILINEAR;
    v = cc_st_meta(st, "convcalc.data");
    snprintf(m->data_name, sizeof m->data_name, "%s", v ? v : "");
    v = cc_st_meta(st, "convcalc.epochs");
    m->epochs = v ? strtol(v, NULL, 10) : 0;
    cc_net_set_train(m->net, 0);
    cc_st_free(st);
    *out = m;
    return 0;
fail:
    cc_error_source(err, path);
    cc_st_free(st);
    cc_model_free(m);
    return rc;
}

int cc_model_evaluate(const char *model_path, const char *source, long batch, int threads,
                      cc_results *out, int64_t **confusion, int *classes, cc_error *err)
{
    return cc_model_evaluate_subset(model_path, source, 0, 0, batch, threads, out, confusion,
                                    classes, err);
}

int cc_model_evaluate_subset(const char *model_path, const char *source, size_t max_train,
                             size_t max_test, long batch, int threads, cc_results *out,
                             int64_t **confusion, int *classes, cc_error *err)
{
    memset(out, 0, sizeof *out);
    if (confusion)
        *confusion = NULL;
    cc_model *m;
    int rc = cc_model_load(&m, model_path, err);
    if (rc)
        return rc;
    cc_data *d = NULL;
    cc_prep p;
    memset(&p, 0, sizeof p);
    int64_t *conf = NULL;
    if ((rc = cc_data_load(&d, source, err)) != 0)
        goto out;
    cc_data_limit(d, max_train, max_test);
    if (d->train.c != m->c) {
        rc = cc_error_set(err, CC_ESHAPE, "the model takes %d-channel images but %s has %d",
                          m->c, source, d->train.c);
        goto out;
    }
    if (cc_net_classes(m->net) < d->classes) {
        rc = cc_error_set(err, CC_ESHAPE, "the model has %ld outputs but %s has %d classes",
                          cc_net_classes(m->net), source, d->classes);
        goto out;
    }
    cc_prep_opts o = cc_prep_defaults();
    o.val_fraction = m->val_fraction;
    o.seed = m->split_seed;
    o.out_h = m->h;
    o.out_w = m->w;
    o.resize = m->resize;
    o.normalize = 0;
    if ((rc = cc_prep_init(&p, d, &o, err)) != 0)
        goto out;
    if (m->channels && (rc = cc_prep_set_stats(&p, m->mean, m->std, m->channels, err)) != 0)
        goto out;
    if (threads > 0 && (rc = cc_net_set_threads(m->net, threads, err)) != 0)
        goto out;
    conf = calloc((size_t)d->classes * d->classes, sizeof *conf);
    if (!conf) {
        rc = cc_error_set(err, CC_ENOMEM, "out of memory");
        goto out;
    }
    for (int s = 0; s < 3; s++) {
        out->n[s] = p.n[s];
        out->have[s] = p.n[s] > 0;
        if (p.n[s] && (rc = cc_evaluate(m->net, &p, d, (cc_split)s, batch, &out->loss[s],
                                        &out->accuracy[s], s == CC_SPLIT_TEST ? conf : NULL,
                                        err)) != 0)
            goto out;
    }
    if (classes)
        *classes = d->classes;
    if (confusion) {
        *confusion = conf;
        conf = NULL;
    }
out:
    free(conf);
    cc_prep_clear(&p);
    cc_data_free(d);
    cc_model_free(m);
    return rc;
}
