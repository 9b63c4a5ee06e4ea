/* convcalc/optim.h - optimizers and learning-rate schedules, written to do
 * exactly what torch.optim does (PyTorch 1.13, single-tensor code path):
 *
 *   SGD    g = grad + weight_decay * p
 *          (momentum != 0) b = g on the first step, else
 *                          b = momentum * b + (1 - dampening) * g;
 *                          g = nesterov ? g + momentum * b : b
 *          p -= lr * g
 *   Adam   t += 1; g = grad + weight_decay * p       (L2 in the gradient)
 *          m = beta1 * m + (1 - beta1) * g
 *          v = beta2 * v + (1 - beta2) * g * g
 *          p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 *   AdamW  as Adam, but the decay is decoupled: p *= 1 - lr * weight_decay
 *          first, and the gradient is used as it is.
 *
 * The bias corrections and step sizes are computed in double precision (as
 * Python does) and the element-wise updates in float32 (as ATen does).
 *
 * An optimizer holds pointers to parameters and their gradients (it owns
 * neither) and owns its state: one momentum buffer per parameter (SGD with
 * momentum) or the first and second moments (Adam, AdamW), plus the step
 * count. All state is reachable by name for checkpoints (--resume): a
 * checkpoint saved with cc_optim_state / cc_optim_steps and restored with
 * cc_optim_set_steps after copying the buffers back continues bit-identically.
 */
#ifndef CONVCALC_OPTIM_H
#define CONVCALC_OPTIM_H

#include <stddef.h>
#include <stdint.h>

#include "convcalc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cc_net;

typedef enum cc_optim_kind {
    CC_OPTIM_SGD = 0,
    CC_OPTIM_ADAM,
    CC_OPTIM_ADAMW
} cc_optim_kind;

typedef struct cc_optim_config {
    cc_optim_kind kind;
    double lr;           /* learning rate, > 0                               */
    double momentum;     /* SGD: >= 0 (0 = plain SGD)                         */
    double dampening;    /* SGD: in [0, 1]                                    */
    int nesterov;        /* SGD: needs momentum > 0 and dampening == 0        */
    double weight_decay; /* >= 0; L2 for SGD and Adam, decoupled for AdamW    */
    double beta1, beta2; /* Adam/AdamW: in [0, 1)                             */
    double eps;          /* Adam/AdamW: > 0 (PyTorch adds it after the sqrt)  */
} cc_optim_config;

/* PyTorch's defaults for the kind: SGD lr 0.01 (PyTorch has no default;
 * convcalc uses 0.01), momentum 0, dampening 0, no Nesterov, no decay;
 * Adam lr 1e-3, betas (0.9, 0.999), eps 1e-8, decay 0; AdamW the same with
 * weight_decay 0.01. */
void cc_optim_config_default(cc_optim_config *cfg, cc_optim_kind kind);
/* "sgd", "adam", "adamw" -> kind; 0 or CC_EINVAL. */
int cc_optim_kind_parse(const char *name, cc_optim_kind *out);
const char *cc_optim_kind_name(cc_optim_kind kind);

typedef struct cc_optim cc_optim;

/* A new optimizer with no parameters; checks every field of cfg. */
int cc_optim_new(cc_optim **out, const cc_optim_config *cfg, cc_error *err);
void cc_optim_free(cc_optim *opt);

/* Register one parameter tensor: param[n] is updated from grad[n]. The
 * name (copied) names the state buffers. Allocates the state (zeros). */
int cc_optim_add(cc_optim *opt, const char *name, float *param,
                 const float *grad, size_t n, cc_error *err);
/* Register every trainable parameter of a network, in cc_net_param order
 * (frozen parameters are left alone). */
int cc_optim_add_net(cc_optim *opt, struct cc_net *net, cc_error *err);

/* One update of every registered parameter. Fails with CC_ENUMERIC (and
 * changes nothing) when a gradient holds NaN or infinity. */
int cc_optim_step(cc_optim *opt, cc_error *err);

/* The learning rate used by the next step (set it from a schedule). */
double cc_optim_lr(const cc_optim *opt);
int cc_optim_set_lr(cc_optim *opt, double lr, cc_error *err);
const cc_optim_config *cc_optim_get_config(const cc_optim *opt);

/* Steps taken so far (Adam's t; for SGD it says whether the momentum
 * buffers hold anything: 0 means the next step initialises them). */
int64_t cc_optim_steps(const cc_optim *opt);
int cc_optim_set_steps(cc_optim *opt, int64_t steps, cc_error *err);

/* State buffers, for checkpoints. Names are "<param>.momentum_buffer"
 * (SGD with momentum), "<param>.exp_avg" and "<param>.exp_avg_sq" (Adam,
 * AdamW), in registration order. data may be written to restore a state. */
typedef struct cc_optim_state_view {
    const char *name;
    float *data; /* [n] */
    size_t n;
} cc_optim_state_view;

size_t cc_optim_state_count(const cc_optim *opt);
int cc_optim_state(cc_optim *opt, size_t i, cc_optim_state_view *out,
                   cc_error *err);
/* The state buffer with this name, or NULL. */
float *cc_optim_state_find(cc_optim *opt, const char *name, size_t *n);

/* ---- learning-rate schedules (per epoch, as torch.optim.lr_scheduler) ---- */
typedef enum cc_lr_kind {
    CC_LR_CONSTANT = 0,
    CC_LR_STEP,   /* StepLR: lr = base * gamma^floor(epoch / step_size)      */
    CC_LR_COSINE  /* CosineAnnealingLR: lr = eta_min + (base - eta_min)
                   *   * (1 + cos(pi * epoch / t_max)) / 2                    */
} cc_lr_kind;

typedef struct cc_lr_schedule {
    cc_lr_kind kind;
    double base_lr;
    long step_size; /* CC_LR_STEP: epochs between decays, > 0 */
    double gamma;   /* CC_LR_STEP: factor, > 0 */
    long t_max;     /* CC_LR_COSINE: half period in epochs, > 0 */
    double eta_min; /* CC_LR_COSINE: lowest rate, >= 0 */
} cc_lr_schedule;

/* Check a schedule's fields; 0 or CC_EINVAL. */
int cc_lr_check(const cc_lr_schedule *s, cc_error *err);
/* The learning rate for epoch (0-based; epoch 0 gives base_lr). */
double cc_lr_at(const cc_lr_schedule *s, long epoch);

#ifdef __cplusplus
}
#endif
#endif
