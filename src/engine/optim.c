/* optim.c - SGD (momentum, Nesterov, weight decay), Adam and AdamW, written
 * to follow torch.optim's single-tensor code path operation by operation
 * (float32 element updates, double-precision scalars), and the StepLR and
 * CosineAnnealingLR schedules in closed form. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/net.h"
#include "convcalc/optim.h"

typedef struct optim_param {
    char *name;
    float *p;        /* [n] parameter, updated in place              */
    const float *g;  /* [n] its gradient                             */
    size_t n;
    float *buf;      /* [n] SGD momentum buffer, or Adam exp_avg     */
    float *buf2;     /* [n] Adam exp_avg_sq (NULL for SGD)           */
    char *buf_name;  /* "<name>.momentum_buffer" or "<name>.exp_avg" */
    char *buf2_name; /* "<name>.exp_avg_sq"                          */
} optim_param;

struct cc_optim {
    cc_optim_config cfg;
    int64_t steps;
    optim_param *params; /* [nparams] */
    size_t nparams, cap;
};

void cc_optim_config_default(cc_optim_config *cfg, cc_optim_kind kind)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->kind = kind;
    cfg->beta1 = 0.9;
    cfg->beta2 = 0.999;
    cfg->eps = 1e-8;
    if (kind == CC_OPTIM_SGD) {
        cfg->lr = 0.01;
    } else {
        cfg->lr = 1e-3;
        cfg->weight_decay = kind == CC_OPTIM_ADAMW ? 0.01 : 0.0;
    }
}

int cc_optim_kind_parse(const char *name, cc_optim_kind *out)
{
    if (!name)
        return CC_EINVAL;
    if (!strcmp(name, "sgd"))
        *out = CC_OPTIM_SGD;
    else if (!strcmp(name, "adam"))
        *out = CC_OPTIM_ADAM;
    else if (!strcmp(name, "adamw"))
        *out = CC_OPTIM_ADAMW;
    else
        return CC_EINVAL;
    return 0;
}

const char *cc_optim_kind_name(cc_optim_kind kind)
{
    switch (kind) {
    case CC_OPTIM_SGD: return "sgd";
    case CC_OPTIM_ADAM: return "adam";
    case CC_OPTIM_ADAMW: return "adamw";
    }
    return "?";
}

static int check_lr(double lr, cc_error *err)
{
    if (!(isfinite(lr) && lr > 0.0))
        return cc_error_set(err, CC_EINVAL,
                            "learning rate %g is not a positive finite number", lr);
    return 0;
}

static int check_config(const cc_optim_config *c, cc_error *err)
{
    int rc = check_lr(c->lr, err);
    if (rc)
        return rc;
    if (c->kind != CC_OPTIM_SGD && c->kind != CC_OPTIM_ADAM && c->kind != CC_OPTIM_ADAMW)
        return cc_error_set(err, CC_EINVAL, "unknown optimizer kind %d", (int)c->kind);
    if (!(isfinite(c->weight_decay) && c->weight_decay >= 0.0))
        return cc_error_set(err, CC_EINVAL,
                            "weight decay %g is not a non-negative finite number",
                            c->weight_decay);
    if (c->kind == CC_OPTIM_SGD) {
        if (!(isfinite(c->momentum) && c->momentum >= 0.0))
            return cc_error_set(err, CC_EINVAL,
                                "momentum %g is not a non-negative finite number",
                                c->momentum);
        if (!(c->dampening >= 0.0 && c->dampening <= 1.0))
            return cc_error_set(err, CC_EINVAL, "dampening %g is not in [0, 1]",
                                c->dampening);
        if (c->nesterov && (c->momentum <= 0.0 || c->dampening != 0.0))
            return cc_error_set(err, CC_EINVAL,
                                "Nesterov momentum needs a momentum above 0 and "
                                "zero dampening");
    } else {
        if (!(c->beta1 >= 0.0 && c->beta1 < 1.0))
            return cc_error_set(err, CC_EINVAL, "beta1 %g is not in [0, 1)", c->beta1);
        if (!(c->beta2 >= 0.0 && c->beta2 < 1.0))
            return cc_error_set(err, CC_EINVAL, "beta2 %g is not in [0, 1)", c->beta2);
        if (!(isfinite(c->eps) && c->eps > 0.0))
            return cc_error_set(err, CC_EINVAL, "eps %g is not a positive finite number",
                                c->eps);
    }
    return 0;
}

int cc_optim_new(cc_optim **out, const cc_optim_config *cfg, cc_error *err)
{
    *out = NULL;
    int rc = check_config(cfg, err);
    if (rc)
        return rc;
    cc_optim *o = calloc(1, sizeof *o);
    if (!o)
        return cc_error_set(err, CC_ENOMEM, "out of memory for the optimizer");
    o->cfg = *cfg;
    *out = o;
    return 0;
}

void cc_optim_free(cc_optim *opt)
{
    if (!opt)
        return;
    for (size_t i = 0; i < opt->nparams; i++) {
        optim_param *q = &opt->params[i];
        free(q->name);
        free(q->buf);
        free(q->buf2);
        free(q->buf_name);
        free(q->buf2_name);
    }
    free(opt->params);
    free(opt);
}

static char *concat(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 1);
    if (s) {
        memcpy(s, a, la);
        memcpy(s + la, b, lb + 1);
    }
    return s;
}

static int uses_buffer(const cc_optim_config *c)
{
    return c->kind != CC_OPTIM_SGD || c->momentum != 0.0;
}

int cc_optim_add(cc_optim *opt, const char *name, float *param, const float *grad,
                 size_t n, cc_error *err)
{
    if (!param || !grad || !name)
        return cc_error_set(err, CC_EINVAL, "optimizer parameter without data or name");
    if (n == 0)
        return cc_error_set(err, CC_EINVAL, "optimizer parameter '%s' is empty", name);
    size_t bytes;
    if (cc_size_mul(n, sizeof(float), &bytes))
        return cc_error_set(err, CC_ERANGE, "parameter '%s' is too large", name);
    if (opt->nparams == opt->cap) {
        size_t cap = opt->cap ? opt->cap * 2 : 16;
        optim_param *p = realloc(opt->params, cap * sizeof *p);
        if (!p)
            return cc_error_set(err, CC_ENOMEM, "out of memory for the optimizer");
        opt->params = p;
        opt->cap = cap;
    }
    optim_param q = {0};
    q.p = param;
    q.g = grad;
    q.n = n;
    q.name = concat(name, "");
    int ok = q.name != NULL;
    if (ok && uses_buffer(&opt->cfg)) {
        int sgd = opt->cfg.kind == CC_OPTIM_SGD;
        q.buf = calloc(n, sizeof(float));
        q.buf_name = concat(name, sgd ? ".momentum_buffer" : ".exp_avg");
        ok = q.buf && q.buf_name;
        if (ok && !sgd) {
            q.buf2 = calloc(n, sizeof(float));
            q.buf2_name = concat(name, ".exp_avg_sq");
            ok = q.buf2 && q.buf2_name;
        }
    }
    if (!ok) {
        free(q.name);
        free(q.buf);
        free(q.buf2);
        free(q.buf_name);
        free(q.buf2_name);
        return cc_error_set(err, CC_ENOMEM, "out of memory for the state of '%s'", name);
    }
    opt->params[opt->nparams++] = q;
    return 0;
}

int cc_optim_add_net(cc_optim *opt, struct cc_net *net, cc_error *err)
{
    size_t n = cc_net_param_count(net);
    for (size_t i = 0; i < n; i++) {
        cc_net_tensor t;
        int rc = cc_net_param(net, i, &t, err);
        if (rc)
            return rc;
        if (!t.trainable)
            continue;
        rc = cc_optim_add(opt, t.name, t.data, t.grad, t.numel, err);
        if (rc)
            return rc;
    }
    return 0;
}

static void sgd_update(const cc_optim_config *c, int first, optim_param *q)
{
    const float lr = (float)c->lr, wd = (float)c->weight_decay;
    const float mom = (float)c->momentum, damp = (float)(1.0 - c->dampening);
    float *p = q->p, *buf = q->buf;
    const float *g = q->g;
    for (size_t i = 0; i < q->n; i++) {
        float d = g[i];
        if (c->weight_decay != 0.0)
            d = d + wd * p[i];
        if (c->momentum != 0.0) {
            float b = first ? d : buf[i] * mom + damp * d;
            buf[i] = b;
            d = c->nesterov ? d + mom * b : b;
        }
        p[i] = p[i] + -lr * d;
    }
}

static void adam_update(const cc_optim_config *c, int64_t t, optim_param *q)
{
    const int adamw = c->kind == CC_OPTIM_ADAMW;
    const double bc1 = 1.0 - pow(c->beta1, (double)t);
    const double bc2 = 1.0 - pow(c->beta2, (double)t);
    const float step_size = (float)-(c->lr / bc1);
    const float bc2_sqrt = (float)sqrt(bc2);
    const float b1 = (float)c->beta1, b2 = (float)c->beta2;
    const float a1 = (float)(1.0 - c->beta1), a2 = (float)(1.0 - c->beta2);
    const float eps = (float)c->eps, wd = (float)c->weight_decay;
    const float decay = (float)(1.0 - c->lr * c->weight_decay);
    float *p = q->p, *m = q->buf, *v = q->buf2;
    const float *g = q->g;
    for (size_t i = 0; i < q->n; i++) {
        float gi = g[i];
        if (adamw)
            p[i] = p[i] * decay;
        else if (c->weight_decay != 0.0)
            gi = gi + wd * p[i];
        float mi = m[i] * b1 + a1 * gi;
        float vi = v[i] * b2 + a2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        float denom = sqrtf(vi) / bc2_sqrt + eps;
        p[i] = p[i] + step_size * mi / denom;
    }
}

int cc_optim_step(cc_optim *opt, cc_error *err)
{
    for (size_t k = 0; k < opt->nparams; k++) {
        const optim_param *q = &opt->params[k];
        for (size_t i = 0; i < q->n; i++)
            if (!isfinite(q->g[i]))
                return cc_error_set(err, CC_ENUMERIC,
                                    "the gradient of '%s' holds %s at element %zu; "
                                    "no parameter was changed (lower the learning rate?)",
                                    q->name, isnan(q->g[i]) ? "NaN" : "infinity", i);
    }
    int64_t t = opt->steps + 1;
    for (size_t k = 0; k < opt->nparams; k++) {
        if (opt->cfg.kind == CC_OPTIM_SGD)
            sgd_update(&opt->cfg, opt->steps == 0, &opt->params[k]);
        else
            adam_update(&opt->cfg, t, &opt->params[k]);
    }
    opt->steps = t;
    return 0;
}

double cc_optim_lr(const cc_optim *opt)
{
    return opt->cfg.lr;
}

int cc_optim_set_lr(cc_optim *opt, double lr, cc_error *err)
{
    int rc = check_lr(lr, err);
    if (rc)
        return rc;
    opt->cfg.lr = lr;
    return 0;
}

const cc_optim_config *cc_optim_get_config(const cc_optim *opt)
{
    return &opt->cfg;
}

int64_t cc_optim_steps(const cc_optim *opt)
{
    return opt->steps;
}

int cc_optim_set_steps(cc_optim *opt, int64_t steps, cc_error *err)
{
    if (steps < 0)
        return cc_error_set(err, CC_EINVAL, "a negative step count (%lld)",
                            (long long)steps);
    opt->steps = steps;
    return 0;
}

size_t cc_optim_state_count(const cc_optim *opt)
{
    if (!uses_buffer(&opt->cfg))
        return 0;
    return opt->nparams * (opt->cfg.kind == CC_OPTIM_SGD ? 1 : 2);
}

int cc_optim_state(cc_optim *opt, size_t i, cc_optim_state_view *out, cc_error *err)
{
    size_t per = opt->cfg.kind == CC_OPTIM_SGD ? 1 : 2;
    if (i >= cc_optim_state_count(opt))
        return cc_error_set(err, CC_EINVAL, "optimizer state %zu does not exist", i);
    optim_param *q = &opt->params[i / per];
    int second = per == 2 && i % 2 == 1;
    out->name = second ? q->buf2_name : q->buf_name;
    out->data = second ? q->buf2 : q->buf;
    out->n = q->n;
    return 0;
}

float *cc_optim_state_find(cc_optim *opt, const char *name, size_t *n)
{
    size_t count = cc_optim_state_count(opt);
    for (size_t i = 0; i < count; i++) {
        cc_optim_state_view v;
        if (cc_optim_state(opt, i, &v, NULL) == 0 && !strcmp(v.name, name)) {
            if (n)
                *n = v.n;
            return v.data;
        }
    }
    return NULL;
}

int cc_lr_check(const cc_lr_schedule *s, cc_error *err)
{
    int rc = check_lr(s->base_lr, err);
    if (rc)
        return rc;
    switch (s->kind) {
    case CC_LR_CONSTANT:
        return 0;
    case CC_LR_STEP:
        if (s->step_size <= 0)
            return cc_error_set(err, CC_EINVAL, "step schedule: step size %ld is not positive",
                                s->step_size);
        if (!(isfinite(s->gamma) && s->gamma > 0.0))
            return cc_error_set(err, CC_EINVAL, "step schedule: gamma %g is not positive",
                                s->gamma);
        return 0;
    case CC_LR_COSINE:
        if (s->t_max <= 0)
            return cc_error_set(err, CC_EINVAL, "cosine schedule: T_max %ld is not positive",
                                s->t_max);
        if (!(isfinite(s->eta_min) && s->eta_min >= 0.0))
            return cc_error_set(err, CC_EINVAL, "cosine schedule: eta_min %g is negative",
                                s->eta_min);
        return 0;
    }
    return cc_error_set(err, CC_EINVAL, "unknown schedule kind %d", (int)s->kind);
}

double cc_lr_at(const cc_lr_schedule *s, long epoch)
{
    if (epoch < 0)
        epoch = 0;
    switch (s->kind) {
    case CC_LR_STEP:
        return s->base_lr * pow(s->gamma, (double)(epoch / s->step_size));
    case CC_LR_COSINE: {
        const double pi = 3.14159265358979323846;
        return s->eta_min + (s->base_lr - s->eta_min) *
                                (1.0 + cos(pi * (double)epoch / (double)s->t_max)) / 2.0;
    }
    case CC_LR_CONSTANT:
        break;
    }
    return s->base_lr;
}
