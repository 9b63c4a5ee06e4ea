/* convcalc/train.h - training and evaluation on real data sets: the
 * training loop (cross-entropy, SGD/Adam/AdamW, early stopping on the
 * validation loss with the best weights restored, checkpoints every epoch
 * and resuming), model files that carry their layer stack, evaluation of a
 * saved model, and the reports: the results table, the confusion matrix,
 * the CSV log and the learning curves as SVG.
 *
 *   cc_train_config cfg;
 *   cc_train_config_default(&cfg);
 *   cfg.epochs = 10; cfg.optim.lr = 0.05; cfg.checkpoint = "m.ckpt";
 *   cc_train_run *run;
 *   cc_train_new(&run, stack, data, &cfg, &err);    // builds net, split, optimizer
 *   cc_train_fit(run, &err);                        // resumes when cfg.resume
 *   const cc_results *r = cc_train_results(run);    // Loss/Accuracy x 3 splits
 *   cc_train_save_model(run, "m.safetensors", &err);
 *   cc_train_free(run);
 *
 * Determinism: the split, the per-epoch shuffles, the augmentation and the
 * dropout masks depend only on the seed and the epoch, so a run resumed
 * from a checkpoint ends bit-identical to one that was never interrupted
 * (same thread count).
 */
#ifndef CONVCALC_TRAIN_H
#define CONVCALC_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "convcalc/common.h"
#include "convcalc/data.h"
#include "convcalc/optim.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cc_stack;
struct cc_net;

/* ---- results ---------------------------------------------------------------- */
/* Loss and accuracy on the three splits (indexed by cc_split). */
typedef struct cc_results {
    int have[3];          /* 0: the split is empty (no test set, no validation) */
    size_t n[3];          /* images evaluated                                  */
    double loss[3];       /* mean cross-entropy                                */
    double accuracy[3];   /* share of images classified right, 0..1            */
} cc_results;

/* One point of the learning curves: a training point is the running mean
 * over the batches since the previous training point; a validation point
 * is a full pass over the validation split. */
typedef struct cc_eval_point {
    long epoch;           /* 1-based                                           */
    int64_t step;         /* optimizer steps taken so far                      */
    int64_t images;       /* training images seen so far                       */
    cc_split split;       /* CC_SPLIT_TRAIN or CC_SPLIT_VAL                    */
    double loss, accuracy;
    double lr;
    double seconds;       /* wall-clock seconds of training so far             */
} cc_eval_point;

/* ---- configuration ------------------------------------------------------------ */
typedef struct cc_train_status {
    long epoch, epochs;           /* 1-based current epoch, planned epochs        */
    long batch, batches;          /* batches done in this epoch, per epoch        */
    int evaluating;               /* 1 while the validation split is evaluated    */
    double loss, accuracy;        /* running training mean in this epoch          */
    double images_per_s;          /* training throughput in this epoch            */
    double eta_s;                 /* estimated seconds left (all epochs)          */
    const cc_eval_point *val;     /* set once per epoch when validation is done   */
    int improved;                 /* with val: best validation loss so far        */
} cc_train_status;

typedef void (*cc_train_progress_fn)(void *ctx, const cc_train_status *st);

typedef struct cc_train_config {
    cc_optim_config optim;        /* SGD lr 0.01 by default                        */
    long epochs;                  /* 10                                            */
    long batch;                   /* 64                                            */
    long patience;                /* early stopping: epochs without a better
                                     validation loss before stopping, then the
                                     best weights are restored; 0 = off            */
    uint64_t seed;                /* initialisation, split, shuffles, dropout: 1   */
    int threads;                  /* 1                                             */
    cc_prep_opts prep;            /* split, input size, augmentation; its seed is
                                     set from seed                                 */
    long log_every;               /* training-curve points every this many steps;
                                     0 = about 10 per epoch                        */
    const char *checkpoint;       /* written after every epoch; NULL = none        */
    int resume;                   /* continue from checkpoint if it exists         */
    int64_t stop_after_steps;     /* stop (as if interrupted) once the total step
                                     count reaches this; 0 = never. For tests.     */
    cc_train_progress_fn progress;/* called after every batch; may be NULL         */
    void *progress_ctx;
} cc_train_config;

void cc_train_config_default(cc_train_config *cfg);

/* ---- training ------------------------------------------------------------------- */
typedef struct cc_train_run cc_train_run;

/* Build the network of stack (its input size; when the stack has none, the
 * data's) for the data, split the data and set up the optimizer. The
 * images are resized to the network's input; channel counts must match;
 * the network's outputs must cover the data's classes. stack and data must
 * outlive the run. */
int cc_train_new(cc_train_run **out, const struct cc_stack *stack, const cc_data *data,
                 const cc_train_config *cfg, cc_error *err);
void cc_train_free(cc_train_run *run);

/* Train (from the checkpoint when cfg->resume and it exists), then evaluate
 * every split with the final weights: with early stopping (patience > 0)
 * the weights of the epoch with the lowest validation loss, otherwise the
 * last epoch's. Returns 0 when training is
 * done, CC_EINVAL for a checkpoint of another configuration, CC_ENUMERIC
 * when the loss diverges. When cfg->stop_after_steps stopped it early, it
 * returns 0 with cc_train_finished() == 0 and no results. */
int cc_train_fit(cc_train_run *run, cc_error *err);
int cc_train_finished(const cc_train_run *run);

const cc_results *cc_train_results(const cc_train_run *run);
/* Every curve point so far, in order. */
const cc_eval_point *cc_train_history(const cc_train_run *run, size_t *n);
/* Epochs run, the best epoch (1-based; 0 without validation), whether early
 * stopping ended it, and the epoch a resumed run started from (0: fresh). */
void cc_train_summary(const cc_train_run *run, long *epochs_run, long *best_epoch,
                      int *stopped_early, long *resumed_from);
/* Confusion matrix on the test split (the validation split when there is
 * no test set): counts[true * classes + predicted]; *split says which. */
const int64_t *cc_train_confusion(const cc_train_run *run, int *classes, cc_split *split);
const cc_prep *cc_train_prep(const cc_train_run *run);
struct cc_net *cc_train_net(cc_train_run *run);

/* Write the model file (safetensors; weights with PyTorch's state_dict
 * names, the layer stack and the training information in its metadata). */
int cc_train_save_model(cc_train_run *run, const char *path, cc_error *err);

/* ---- evaluation ------------------------------------------------------------------- */
/* Mean loss and accuracy of net (put in eval mode) on a split; confusion
 * (classes x classes, may be NULL) gets counts added. */
int cc_evaluate(struct cc_net *net, const cc_prep *p, const cc_data *data, cc_split split,
                long batch, double *loss, double *accuracy, int64_t *confusion,
                cc_error *err);

/* A model file read back: the network with its weights, the stack, and what
 * training recorded (normalisation, split). */
typedef struct cc_model {
    struct cc_net *net;
    struct cc_stack *stack;
    char *spec;                       /* the stack's spec text                  */
    int c, h, w;                      /* input shape                            */
    int channels;                     /* normalisation entries                  */
    float mean[CC_DATA_MAX_CHANNELS], std[CC_DATA_MAX_CHANNELS];
    double val_fraction;              /* the training run's split ...           */
    uint64_t split_seed;              /* ... so eval sees the same validation set */
    cc_resize resize;
    char data_name[64];               /* data set it was trained on, or ""      */
    long epochs;                      /* epochs trained                         */
} cc_model;

int cc_model_load(cc_model **out, const char *path, cc_error *err);
void cc_model_free(cc_model *m);

/* Evaluate a model file on a data SOURCE (see convcalc/data.h): loss and
 * accuracy on the training and validation splits (the split the model was
 * trained with) and the test split. confusion: NULL, or a new
 * classes x classes matrix on the test split (free() it). Errors name the
 * model file or the data file. */
int cc_model_evaluate(const char *model_path, const char *source, long batch, int threads,
                      cc_results *out, int64_t **confusion, int *classes, cc_error *err);
/* The same on the first max_train training images (split into training and
 * validation as the model's run split them) and the first max_test test
 * images, as `convcalc train --limit` trains (0: all). */
int cc_model_evaluate_subset(const char *model_path, const char *source, size_t max_train,
                             size_t max_test, long batch, int threads, cc_results *out,
                             int64_t **confusion, int *classes, cc_error *err);

/* ---- reports ------------------------------------------------------------------------ */
/* The results table: rows Loss and Accuracy, columns Training, Validation,
 * Test, in text, markdown, latex, csv or json ({"train": {"loss": ...,
 * "accuracy": ...}, "validation": ..., "test": ...}; a missing split is
 * null). Accuracy prints as a percentage except in JSON and CSV (0..1). */
void cc_results_render(cc_buf *out, const cc_results *r, cc_format f);
/* The confusion matrix, rows true class, columns predicted; names may be
 * NULL or hold "" for unnamed classes. */
void cc_confusion_render(cc_buf *out, const int64_t *counts, int classes,
                         const char (*names)[24], cc_format f);
/* The CSV log: epoch,step,images,split,loss,accuracy,lr,seconds. */
void cc_history_csv(cc_buf *out, const cc_eval_point *pts, size_t n);
/* Learning curves as a standalone SVG: loss (left panel) and accuracy
 * (right panel) against steps, training and validation, with axes, ticks,
 * labels, a legend and the title. */
void cc_curves_svg(cc_buf *out, const cc_eval_point *pts, size_t n, const char *title);

#ifdef __cplusplus
}
#endif
#endif
