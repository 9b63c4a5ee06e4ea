/* convcalc/data.h - image classification data sets for training and
 * evaluation: MNIST-style IDX files (plain or gzip), CIFAR-10 binary
 * batches, the validation split, per-epoch shuffling, normalisation,
 * augmentation and resizing.
 *
 * A SOURCE names a data set:
 *   fashion-mnist                 Debian's dataset-fashion-mnist package
 *                                 (/usr/share/datasets/fashion-mnist)
 *   mnist:DIR                     DIR/{train,t10k}-{images-idx3,labels-idx1}-ubyte
 *                                 (each with or without .gz)
 *   idx:IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS]
 *   cifar10:DIR                   DIR/data_batch_1.bin .. data_batch_5.bin
 *                                 (those present) and DIR/test_batch.bin
 *
 * Pixels stay bytes in memory (NCHW per image); cc_prep_batch turns a batch
 * of them into float32 NCHW, normalised, resized and augmented.
 *
 * Bad files give CC_EINVAL with the file as the error's source and the
 * byte offset in the message ("at byte 4: ..."); offsets count the
 * decompressed bytes of a gzip file. Sizes are checked before allocation.
 */
#ifndef CONVCALC_DATA_H
#define CONVCALC_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "convcalc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CC_DATA_MAX_CLASSES 256
#define CC_DATA_MAX_CHANNELS 4

/* One set of labelled images, all of the same shape. */
typedef struct cc_dataset {
    size_t n;          /* number of images                                  */
    int c, h, w;       /* shape of one image                                */
    uint8_t *images;   /* [n, c, h, w] pixel values 0..255                  */
    uint8_t *labels;   /* [n] class indexes                                 */
} cc_dataset;

/* A data source: a training set (split later into training and
 * validation) and, when the source has one, a test set. */
typedef struct cc_data {
    cc_dataset train;
    cc_dataset test;          /* test.n == 0: the source has no test set   */
    int classes;              /* 10 for MNIST-style and CIFAR-10 sets, else
                                 1 + the largest label seen                  */
    char name[32];            /* "fashion-mnist", "mnist", "idx", "cifar10"  */
    char origin[512];         /* the directory or files it was read from     */
    char class_names[CC_DATA_MAX_CLASSES][24]; /* "" when unknown            */
} cc_data;

/* Where Debian's dataset-fashion-mnist puts its files. */
#define CC_FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist"

/* Load a SOURCE (see above). Errors: CC_EINVAL (a bad source text, a
 * missing, truncated or corrupt file), CC_ERANGE, CC_EIO, CC_ENOMEM. */
int cc_data_load(cc_data **out, const char *source, cc_error *err);
void cc_data_free(cc_data *d);

/* Read one pair of IDX files (images idx3 ubyte, labels idx1 ubyte, plain or
 * gzip) into set (which the caller frees with cc_dataset_clear). */
int cc_idx_read(cc_dataset *set, const char *images_path, const char *labels_path,
                cc_error *err);
/* Append the 3073-byte records (label, 1024 red, 1024 green, 1024 blue) of a
 * CIFAR-10 binary batch file to set (32x32x3). */
int cc_cifar10_read(cc_dataset *set, const char *path, cc_error *err);
void cc_dataset_clear(cc_dataset *set);

/* Keep only the first max_train training and max_test test images (0 keeps
 * all): quick runs and tests. */
void cc_data_limit(cc_data *d, size_t max_train, size_t max_test);

/* ---- preparing batches --------------------------------------------------- */
typedef enum cc_split { CC_SPLIT_TRAIN = 0, CC_SPLIT_VAL = 1, CC_SPLIT_TEST = 2 } cc_split;
typedef enum cc_resize { CC_RESIZE_NEAREST = 0, CC_RESIZE_BILINEAR = 1 } cc_resize;

typedef struct cc_prep_opts {
    double val_fraction;  /* share of the training set held out, [0, 1); 0.1 */
    uint64_t seed;        /* chooses the split, the shuffles, the augmentation */
    int out_h, out_w;     /* size of the network's input; 0 = the images'   */
    cc_resize resize;     /* how images are resized when the sizes differ   */
    int crop_pad;         /* augmentation: pad by this many zero pixels and
                             crop back at a random place; 0 = off           */
    int flip;             /* augmentation: random horizontal flip           */
    int normalize;        /* subtract the per-channel mean, divide by std   */
} cc_prep_opts;

/* The defaults: 10% validation, seed 1, native size, bilinear, no
 * augmentation, normalisation on. */
cc_prep_opts cc_prep_defaults(void);

/* The split and the statistics that turn bytes into network inputs. */
typedef struct cc_prep {
    cc_prep_opts opts;
    size_t n[3];          /* images in training, validation, test split     */
    size_t *idx[2];       /* [n[split]] indexes into data->train for the
                             training and validation splits (ascending)     */
    int c, h, w;          /* shape of a prepared image                      */
    int src_h, src_w;     /* shape of a stored image                        */
    float mean[CC_DATA_MAX_CHANNELS]; /* per channel, in [0, 1] units, over the
                                         training split; 0 when not normalised */
    float std[CC_DATA_MAX_CHANNELS];  /* 1 when not normalised              */
} cc_prep;

/* Split data's training set (seeded) and compute the statistics. */
int cc_prep_init(cc_prep *p, const cc_data *data, const cc_prep_opts *opts, cc_error *err);
/* Use given statistics (e.g. a saved model's) instead of computing them:
 * channels values each. */
int cc_prep_set_stats(cc_prep *p, const float *mean, const float *std, int channels,
                      cc_error *err);
void cc_prep_clear(cc_prep *p);

/* order[0..n) = a permutation of 0..n-1 that depends only on (seed, epoch),
 * so that a resumed run shuffles exactly as an uninterrupted one. */
void cc_prep_shuffle(size_t *order, size_t n, uint64_t seed, uint64_t epoch);

/* Fill count images and labels of a split: image i of the batch is the
 * split's image order[start + i] (order NULL: start + i). With augment set
 * (training), the random crop and flip of each image depend only on (seed,
 * epoch, position in the split).
 *   x  [count, c, h, w] float32 network input
 *   y  [count] class indexes */
int cc_prep_batch(float *x, int *y, const cc_prep *p, const cc_data *data, cc_split split,
                  const size_t *order, size_t start, size_t count, int augment,
                  uint64_t epoch, cc_error *err);

/* "training", "validation", "test". */
const char *cc_split_name(cc_split s);

#ifdef __cplusplus
}
#endif
#endif
