/* data.c - IDX and CIFAR-10 readers, the validation split, shuffling,
 * normalisation, augmentation and resizing (see convcalc/data.h). */
#include "convcalc/data.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "convcalc/io.h"

/* ---- small helpers ------------------------------------------------------ */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* splitmix64: the stateless mixer behind the split, shuffles and
 * augmentation, so each random choice depends only on (seed, what, index). */
static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t mix3(uint64_t a, uint64_t b, uint64_t c)
{
    return mix64(mix64(mix64(a) ^ b) ^ c);
}

/* uniform in [0, n) from a stream position, without modulo bias worth
 * noticing for n < 2^32 (multiply-shift) */
static size_t below(uint64_t r, size_t n)
{
    return (size_t)(((unsigned __int128)r * n) >> 64);
}

static int bad_file(cc_error *err, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad_file(cc_error *err, const char *path, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cc_error_set(err, CC_EINVAL, "%s", msg);
    cc_error_source(err, path);
    return CC_EINVAL;
}

void cc_dataset_clear(cc_dataset *set)
{
    if (!set)
        return;
    free(set->images);
    free(set->labels);
    memset(set, 0, sizeof *set);
}

/* ---- IDX ---------------------------------------------------------------- */

static const char *gz_note(int gz) { return gz ? " of the decompressed data" : ""; }

/* The size an IDX header declares (magic, count, then each dimension's
 * size; ctx points at the number of dimensions, 1 for labels, 3 for
 * images), clamped to CC_FILE_MAX so that the reader stops there and the
 * caller reports the truncation. Decompression never runs past it. */
static int idx_declared(const unsigned char *h, size_t hlen, void *ctx, size_t *total,
                        cc_error *err)
{
    (void)err;
    int dims = *(const int *)ctx;
    size_t t = 1;
    for (int i = 0; i < dims; i++)
        if (cc_size_mul(t, be32(h + 4 + 4 * (size_t)i), &t) != 0 || t > CC_FILE_MAX)
            t = CC_FILE_MAX;
    *total = t > CC_FILE_MAX - hlen ? CC_FILE_MAX : t + hlen;
    return 0;
}

/* Trailing bytes counted after an IDX file's declared end (to say how many
 * there are); anything past is not read. */
#define IDX_SLACK 65536

int cc_idx_read(cc_dataset *set, const char *images_path, const char *labels_path,
                cc_error *err)
{
    memset(set, 0, sizeof *set);
    unsigned char *img = NULL, *lab = NULL;
    size_t ilen, llen;
    int igz, lgz, rc;
    int dims_img = 3, dims_lab = 1;
    if ((rc = cc_file_read_declared(images_path, 16, idx_declared, &dims_img, IDX_SLACK,
                                    &img, &ilen, &igz, err)) != 0)
        return rc;
    if ((rc = cc_file_read_declared(labels_path, 8, idx_declared, &dims_lab, IDX_SLACK,
                                    &lab, &llen, &lgz, err)) != 0) {
        free(img);
        return rc;
    }
    /* images: magic 0x00000803, count, rows, columns, then the pixels */
    if (ilen < 16) {
        rc = bad_file(err, images_path,
                      "at byte %zu%s: the file ends inside the IDX header (expected 16 "
                      "bytes: magic number, count, rows, columns)",
                      ilen, gz_note(igz));
        goto out;
    }
    uint32_t magic = be32(img);
    if (magic != 0x00000803) {
        rc = bad_file(err, images_path,
                      "at byte 0: bad magic number 0x%08x (expected 0x00000803: IDX "
                      "unsigned-byte images with 3 dimensions)",
                      (unsigned)magic);
        goto out;
    }
    uint32_t n = be32(img + 4), rows = be32(img + 8), cols = be32(img + 12);
    if (rows == 0 || cols == 0 || rows > 65535 || cols > 65535) {
        rc = bad_file(err, images_path,
                      "at byte %d: image size %ux%u is out of range (expected 1 to 65535)",
                      rows == 0 || rows > 65535 ? 8 : 12, (unsigned)rows, (unsigned)cols);
        goto out;
    }
    if (n == 0) {
        rc = bad_file(err, images_path, "at byte 4: the file holds no images");
        goto out;
    }
    size_t per = (size_t)rows * cols, body;
    if (cc_size_mul(per, n, &body) != 0 || body > ilen - 16) {
        size_t whole = (ilen - 16) / per;
        rc = bad_file(err, images_path,
                      "at byte %zu%s: the file ends after %zu of its %u images of %ux%u "
                      "(truncated? expected %llu bytes)",
                      ilen, gz_note(igz), whole, (unsigned)n, (unsigned)rows, (unsigned)cols,
                      (unsigned long long)16 + (unsigned long long)per * n);
        goto out;
    }
    if (body < ilen - 16) {
        rc = bad_file(err, images_path,
                      "at byte %zu%s: %s%zu bytes of unexpected data after the last of %u "
                      "images",
                      16 + body, gz_note(igz), ilen - 16 - body >= IDX_SLACK ? "at least " : "",
                      ilen - 16 - body, (unsigned)n);
        goto out;
    }
    /* labels: magic 0x00000801, count, then one byte per label */
    if (llen < 8) {
        rc = bad_file(err, labels_path,
                      "at byte %zu%s: the file ends inside the IDX header (expected 8 "
                      "bytes: magic number, count)",
                      llen, gz_note(lgz));
        goto out;
    }
    magic = be32(lab);
    if (magic != 0x00000801) {
        rc = bad_file(err, labels_path,
                      "at byte 0: bad magic number 0x%08x (expected 0x00000801: IDX "
                      "unsigned-byte labels with 1 dimension)",
                      (unsigned)magic);
        goto out;
    }
    uint32_t nl = be32(lab + 4);
    if (nl != n) {
        rc = bad_file(err, labels_path, "at byte 4: %u labels for the %u images of %s",
                      (unsigned)nl, (unsigned)n, images_path);
        goto out;
    }
    if (llen - 8 != nl) {
        rc = bad_file(err, labels_path,
                      llen - 8 < nl ? "at byte %zu%s: %sthe file ends after %zu of its %u "
                                      "labels (truncated?)"
                                    : "at byte %zu%s: %s%zu bytes of unexpected data "
                                      "after the last of %u labels",
                      llen - 8 < nl ? llen : 8 + (size_t)nl, gz_note(lgz),
                      llen - 8 < nl || llen - 8 - nl < IDX_SLACK ? "" : "at least ",
                      llen - 8 < nl ? llen - 8 : llen - 8 - nl, (unsigned)nl);
        goto out;
    }
    set->images = malloc(body);
    set->labels = malloc(n);
    if (!set->images || !set->labels) {
        cc_dataset_clear(set);
        rc = cc_error_set(err, CC_ENOMEM, "out of memory");
        goto out;
    }
    memcpy(set->images, img + 16, body);
    memcpy(set->labels, lab + 8, n);
    set->n = n;
    set->c = 1;
    set->h = (int)rows;
    set->w = (int)cols;
out:
    free(img);
    free(lab);
    return rc;
}

/* ---- CIFAR-10 ----------------------------------------------------------- */

#define CIFAR_REC 3073
/* The most records one CIFAR-10 batch file may hold: the data set's
 * batches have 10,000; the bound keeps a gzip bomb from filling memory. */
#define CIFAR_MAX_RECORDS 60000

int cc_cifar10_read(cc_dataset *set, const char *path, cc_error *err)
{
    unsigned char *buf;
    size_t len;
    int gz, rc;
    if ((rc = cc_file_read(path, (size_t)CIFAR_REC * CIFAR_MAX_RECORDS, &buf, &len, &gz,
                           err)) != 0)
        return rc;
    if (len == 0) {
        free(buf);
        return bad_file(err, path, "at byte 0: the file is empty (expected 3073-byte "
                                   "CIFAR-10 records: 1 label, 3072 pixels)");
    }
    if (len % CIFAR_REC != 0) {
        size_t whole = len / CIFAR_REC;
        free(buf);
        return bad_file(err, path,
                        "at byte %zu%s: the file ends inside record %zu after %zu bytes "
                        "(truncated? a CIFAR-10 record is 3073 bytes: 1 label, 3072 pixels)",
                        len, gz_note(gz), whole + 1, len - whole * CIFAR_REC);
    }
    size_t add = len / CIFAR_REC;
    for (size_t r = 0; r < add; r++)
        if (buf[r * CIFAR_REC] > 9) {
            int lab = buf[r * CIFAR_REC];
            free(buf);
            return bad_file(err, path,
                            "at byte %zu%s: label %d of record %zu is out of range (expected "
                            "0 to 9)",
                            r * CIFAR_REC, gz_note(gz), lab, r + 1);
        }
    if (set->n && (set->c != 3 || set->h != 32 || set->w != 32)) {
        free(buf);
        return cc_error_set(err, CC_EINTERNAL, "appending CIFAR-10 records to a %dx%dx%d set",
                            set->h, set->w, set->c);
    }
    size_t total, bytes;
    if (cc_size_add(set->n, add, &total) != 0 || cc_size_mul(total, 3072, &bytes) != 0) {
        free(buf);
        return cc_error_set(err, CC_ERANGE, "too many images");
    }
    uint8_t *ni = realloc(set->images, bytes);
    if (ni)
        set->images = ni;
    uint8_t *nl = ni ? realloc(set->labels, total) : NULL;
    if (nl)
        set->labels = nl;
    if (!ni || !nl) {
        free(buf);
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    }
    for (size_t r = 0; r < add; r++) {
        set->labels[set->n + r] = buf[r * CIFAR_REC];
        memcpy(set->images + (set->n + r) * 3072, buf + r * CIFAR_REC + 1, 3072);
    }
    set->n = total;
    set->c = 3;
    set->h = 32;
    set->w = 32;
    free(buf);
    return 0;
}

/* ---- sources ------------------------------------------------------------ */

static const char *const fashion_names[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress",
                                              "Coat",        "Sandal",  "Shirt",    "Sneaker",
                                              "Bag",         "Ankle boot"};
static const char *const cifar_names[10] = {"airplane", "automobile", "bird",  "cat",  "deer",
                                            "dog",      "frog",       "horse", "ship", "truck"};

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* DIR/BASE or DIR/BASE.gz, whichever exists (BASE when neither, for the
 * error message) */
static void pick(char *out, size_t size, const char *dir, const char *base)
{
    snprintf(out, size, "%s/%s", dir, base);
    if (file_exists(out))
        return;
    snprintf(out, size, "%s/%s.gz", dir, base);
    if (file_exists(out))
        return;
    snprintf(out, size, "%s/%s", dir, base);
}

static int check_labels(const cc_dataset *s, int classes, const char *path, cc_error *err)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->labels[i] >= classes)
            return bad_file(err, path,
                            "at byte %zu: label %d of image %zu is out of range (expected 0 "
                            "to %d)",
                            8 + i, s->labels[i], i + 1, classes - 1);
    return 0;
}

static int load_mnist_dir(cc_data *d, const char *dir, cc_error *err)
{
    char ti[1100], tl[1100], vi[1100], vl[1100];
    pick(ti, sizeof ti, dir, "train-images-idx3-ubyte");
    pick(tl, sizeof tl, dir, "train-labels-idx1-ubyte");
    pick(vi, sizeof vi, dir, "t10k-images-idx3-ubyte");
    pick(vl, sizeof vl, dir, "t10k-labels-idx1-ubyte");
    int rc;
    if ((rc = cc_idx_read(&d->train, ti, tl, err)) != 0)
        return rc;
    if ((rc = cc_idx_read(&d->test, vi, vl, err)) != 0)
        return rc;
    d->classes = 10;
    if ((rc = check_labels(&d->train, 10, tl, err)) != 0 ||
        (rc = check_labels(&d->test, 10, vl, err)) != 0)
        return rc;
    snprintf(d->origin, sizeof d->origin, "%s", dir);
    return 0;
}

static int same_shape(const cc_dataset *a, const cc_dataset *b)
{
    return a->c == b->c && a->h == b->h && a->w == b->w;
}

int cc_data_load(cc_data **out, const char *source, cc_error *err)
{
    *out = NULL;
    if (!source || !*source)
        return cc_error_set(err, CC_EINVAL,
                            "no data source (expected fashion-mnist, mnist:DIR, "
                            "idx:IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS] or cifar10:DIR)");
    cc_data *d = calloc(1, sizeof *d);
    if (!d)
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    int rc = 0;
    if (strcmp(source, "fashion-mnist") == 0) {
        snprintf(d->name, sizeof d->name, "fashion-mnist");
        rc = load_mnist_dir(d, CC_FASHION_MNIST_DIR, err);
        if (rc == 0)
            for (int k = 0; k < 10; k++)
                snprintf(d->class_names[k], sizeof d->class_names[k], "%s", fashion_names[k]);
        else if (err && strstr(err->msg, "cannot open"))
            snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg),
                     " (install Debian's dataset-fashion-mnist package)");
    } else if (strncmp(source, "mnist:", 6) == 0 && source[6]) {
        snprintf(d->name, sizeof d->name, "mnist");
        rc = load_mnist_dir(d, source + 6, err);
    } else if (strncmp(source, "idx:", 4) == 0) {
        snprintf(d->name, sizeof d->name, "idx");
        char *copy = strdup(source + 4);
        char *part[5] = {0};
        int np = 0;
        if (!copy) {
            rc = cc_error_set(err, CC_ENOMEM, "out of memory");
            goto done;
        }
        for (char *s = copy, *tok; np < 5 && (tok = strsep(&s, ",")) != NULL;)
            part[np++] = tok;
        int empty = 0;
        for (int i = 0; i < np; i++)
            empty |= part[i][0] == '\0';
        if ((np != 2 && np != 4) || empty) {
            free(copy);
            rc = cc_error_set(err, CC_EINVAL,
                              "bad data source '%s' (expected "
                              "idx:IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS])",
                              source);
            goto done;
        }
        rc = cc_idx_read(&d->train, part[0], part[1], err);
        if (rc == 0 && np == 4) {
            rc = cc_idx_read(&d->test, part[2], part[3], err);
            if (rc == 0 && !same_shape(&d->train, &d->test))
                rc = bad_file(err, part[2],
                              "at byte 8: test images are %dx%d but training images are %dx%d",
                              d->test.h, d->test.w, d->train.h, d->train.w);
        }
        if (rc == 0) {
            int mx = 0;
            for (size_t i = 0; i < d->train.n; i++)
                mx = d->train.labels[i] > mx ? d->train.labels[i] : mx;
            d->classes = mx + 1 < 2 ? 2 : mx + 1;
            rc = check_labels(&d->test, d->classes, np == 4 ? part[3] : "", err);
            snprintf(d->origin, sizeof d->origin, "%s", source + 4);
        }
        free(copy);
    } else if (strncmp(source, "cifar10:", 8) == 0 && source[8]) {
        const char *dir = source + 8;
        snprintf(d->name, sizeof d->name, "cifar10");
        snprintf(d->origin, sizeof d->origin, "%s", dir);
        char path[1100];
        int found = 0;
        for (int b = 1; b <= 5 && rc == 0; b++) {
            char base[32];
            snprintf(base, sizeof base, "data_batch_%d.bin", b);
            pick(path, sizeof path, dir, base);
            if (!file_exists(path))
                continue;
            found++;
            rc = cc_cifar10_read(&d->train, path, err);
        }
        if (rc == 0 && !found) {
            snprintf(path, sizeof path, "%s/data_batch_1.bin", dir);
            rc = cc_error_set(err, CC_EINVAL,
                              "cannot open: no CIFAR-10 training batches (expected "
                              "data_batch_1.bin .. data_batch_5.bin in %s)",
                              dir);
            cc_error_source(err, path);
        }
        if (rc == 0) {
            pick(path, sizeof path, dir, "test_batch.bin");
            if (file_exists(path))
                rc = cc_cifar10_read(&d->test, path, err);
        }
        d->classes = 10;
        for (int k = 0; k < 10; k++)
            snprintf(d->class_names[k], sizeof d->class_names[k], "%s", cifar_names[k]);
    } else {
        rc = cc_error_set(err, CC_EINVAL,
                          "unknown data source '%s' (expected fashion-mnist, mnist:DIR, "
                          "idx:IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS] or cifar10:DIR)",
                          source);
    }
done:
    if (rc != 0) {
        cc_data_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

void cc_data_free(cc_data *d)
{
    if (!d)
        return;
    cc_dataset_clear(&d->train);
    cc_dataset_clear(&d->test);
    free(d);
}

void cc_data_limit(cc_data *d, size_t max_train, size_t max_test)
{
    if (max_train && d->train.n > max_train)
        d->train.n = max_train;
    if (max_test && d->test.n > max_test)
        d->test.n = max_test;
}

/* ---- split, statistics, batches ---------------------------------------- */

cc_prep_opts cc_prep_defaults(void)
{
    cc_prep_opts o;
    memset(&o, 0, sizeof o);
    o.val_fraction = 0.1;
    o.seed = 1;
    o.resize = CC_RESIZE_BILINEAR;
    o.normalize = 1;
    return o;
}

const char *cc_split_name(cc_split s)
{
    switch (s) {
    case CC_SPLIT_TRAIN: return "training";
    case CC_SPLIT_VAL: return "validation";
    case CC_SPLIT_TEST: return "test";
    }
    return "?";
}

void cc_prep_shuffle(size_t *order, size_t n, uint64_t seed, uint64_t epoch)
{
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    uint64_t base = mix3(seed, 0x5348554646ULL /* "SHUFF" */, epoch);
    for (size_t i = n; i > 1; i--) {
        size_t j = below(mix64(base + i), i);
        size_t t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
}

void cc_prep_clear(cc_prep *p)
{
    if (!p)
        return;
    free(p->idx[0]);
    free(p->idx[1]);
    memset(p, 0, sizeof *p);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

int cc_prep_init(cc_prep *p, const cc_data *data, const cc_prep_opts *opts, cc_error *err)
{
    memset(p, 0, sizeof *p);
    p->opts = opts ? *opts : cc_prep_defaults();
    const cc_dataset *tr = &data->train;
    if (!(p->opts.val_fraction >= 0 && p->opts.val_fraction < 1))
        return cc_error_set(err, CC_EINVAL,
                            "validation share %g is out of range (expected 0 to below 1)",
                            p->opts.val_fraction);
    if (tr->c < 1 || tr->c > CC_DATA_MAX_CHANNELS)
        return cc_error_set(err, CC_EINVAL, "images with %d channels (expected 1 to %d)",
                            tr->c, CC_DATA_MAX_CHANNELS);
    if (p->opts.out_h < 0 || p->opts.out_w < 0 || p->opts.out_h > 4096 ||
        p->opts.out_w > 4096)
        return cc_error_set(err, CC_EINVAL, "input size %dx%d is out of range (expected 1 to 4096)",
                            p->opts.out_h, p->opts.out_w);
    if (p->opts.crop_pad < 0 || p->opts.crop_pad > 1024)
        return cc_error_set(err, CC_EINVAL, "crop padding %d is out of range (expected 0 to 1024)",
                            p->opts.crop_pad);
    p->c = tr->c;
    p->src_h = tr->h;
    p->src_w = tr->w;
    p->h = p->opts.out_h ? p->opts.out_h : tr->h;
    p->w = p->opts.out_w ? p->opts.out_w : tr->w;
    size_t nval = (size_t)floor((double)tr->n * p->opts.val_fraction + 0.5);
    if (nval >= tr->n)
        nval = tr->n ? tr->n - 1 : 0;
    p->n[CC_SPLIT_VAL] = nval;
    p->n[CC_SPLIT_TRAIN] = tr->n - nval;
    p->n[CC_SPLIT_TEST] = data->test.n;
    if (p->n[CC_SPLIT_TRAIN] == 0)
        return cc_error_set(err, CC_EINVAL, "the training set is empty");
    size_t *perm = malloc((tr->n ? tr->n : 1) * sizeof *perm);
    p->idx[0] = malloc(p->n[0] * sizeof(size_t));
    p->idx[1] = malloc((nval ? nval : 1) * sizeof(size_t));
    if (!perm || !p->idx[0] || !p->idx[1]) {
        free(perm);
        cc_prep_clear(p);
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    }
    cc_prep_shuffle(perm, tr->n, p->opts.seed, UINT64_MAX /* the split's own stream */);
    memcpy(p->idx[1], perm, nval * sizeof(size_t));
    memcpy(p->idx[0], perm + nval, p->n[0] * sizeof(size_t));
    free(perm);
    qsort(p->idx[0], p->n[0], sizeof(size_t), cmp_size);
    qsort(p->idx[1], nval, sizeof(size_t), cmp_size);
    for (int ch = 0; ch < CC_DATA_MAX_CHANNELS; ch++) {
        p->mean[ch] = 0;
        p->std[ch] = 1;
    }
    if (p->opts.normalize) {
        size_t plane = (size_t)tr->h * tr->w;
        for (int ch = 0; ch < tr->c; ch++) {
            /* exact integer sums: no rounding drift over millions of pixels */
            uint64_t s = 0, s2 = 0;
            for (size_t k = 0; k < p->n[0]; k++) {
                const uint8_t *px = tr->images + (p->idx[0][k] * tr->c + ch) * plane;
                for (size_t i = 0; i < plane; i++) {
                    s += px[i];
                    s2 += (uint64_t)px[i] * px[i];
                }
            }
            double cnt = (double)p->n[0] * plane;
            double m = (double)s / cnt, var = (double)s2 / cnt - m * m;
            double sd = sqrt(var > 0 ? var : 0) / 255.0;
            p->mean[ch] = (float)(m / 255.0);
            p->std[ch] = (float)(sd > 1e-6 ? sd : 1.0);
        }
    }
    return 0;
}

int cc_prep_set_stats(cc_prep *p, const float *mean, const float *std, int channels,
                      cc_error *err)
{
    if (channels != p->c)
        return cc_error_set(err, CC_ESHAPE,
                            "normalisation for %d channels but the images have %d", channels,
                            p->c);
    for (int ch = 0; ch < channels; ch++) {
        if (!isfinite(mean[ch]) || !(std[ch] > 0) || !isfinite(std[ch]))
            return cc_error_set(err, CC_EINVAL, "bad normalisation for channel %d", ch);
        p->mean[ch] = mean[ch];
        p->std[ch] = std[ch];
    }
    return 0;
}

/* value (0..255) of the resized image at (y, x), 0 outside */
static float sample(const uint8_t *plane, int sh, int sw, int h, int w, int y, int x,
                    cc_resize mode)
{
    if (y < 0 || x < 0 || y >= h || x >= w)
        return 0.0f;
    if (sh == h && sw == w)
        return plane[(size_t)y * sw + x];
    double sy = (double)sh / h, sx = (double)sw / w;
    if (mode == CC_RESIZE_NEAREST) {
        int yy = (int)floor(y * sy), xx = (int)floor(x * sx);
        yy = yy < sh ? yy : sh - 1;
        xx = xx < sw ? xx : sw - 1;
        return plane[(size_t)yy * sw + xx];
    }
    /* bilinear, half-pixel centres (PyTorch's align_corners=False) */
    double fy = (y + 0.5) * sy - 0.5, fx = (x + 0.5) * sx - 0.5;
    fy = fy < 0 ? 0 : fy;
    fx = fx < 0 ? 0 : fx;
    int y0 = (int)fy, x0 = (int)fx;
    y0 = y0 < sh - 1 ? y0 : sh - 1;
    x0 = x0 < sw - 1 ? x0 : sw - 1;
    int y1 = y0 + 1 < sh ? y0 + 1 : y0, x1 = x0 + 1 < sw ? x0 + 1 : x0;
    double ly = fy - y0, lx = fx - x0;
    double v = (1 - ly) * ((1 - lx) * plane[(size_t)y0 * sw + x0] + lx * plane[(size_t)y0 * sw + x1]) +
               ly * ((1 - lx) * plane[(size_t)y1 * sw + x0] + lx * plane[(size_t)y1 * sw + x1]);
    return (float)v;
}

int cc_prep_batch(float *x, int *y, const cc_prep *p, const cc_data *data, cc_split split,
                  const size_t *order, size_t start, size_t count, int augment,
                  uint64_t epoch, cc_error *err)
{
    if (split < CC_SPLIT_TRAIN || split > CC_SPLIT_TEST)
        return cc_error_set(err, CC_EINVAL, "unknown split %d", (int)split);
    if (start > p->n[split] || count > p->n[split] - start)
        return cc_error_set(err, CC_ERANGE, "batch %zu..%zu is past the %zu images of the %s split",
                            start, start + count, p->n[split], cc_split_name(split));
    const cc_dataset *set = split == CC_SPLIT_TEST ? &data->test : &data->train;
    if (set->c != p->c || set->h != p->src_h || set->w != p->src_w)
        return cc_error_set(err, CC_ESHAPE, "the %s images are %dx%dx%d, expected %dx%dx%d",
                            cc_split_name(split), set->h, set->w, set->c, p->src_h, p->src_w,
                            p->c);
    size_t plane = (size_t)set->h * set->w, img = plane * set->c;
    size_t oplane = (size_t)p->h * p->w;
    int pad = augment ? p->opts.crop_pad : 0;
    for (size_t b = 0; b < count; b++) {
        size_t pos = order ? order[start + b] : start + b;
        if (pos >= p->n[split])
            return cc_error_set(err, CC_ERANGE, "index %zu is past the %s split", pos,
                                cc_split_name(split));
        size_t k = split == CC_SPLIT_TEST ? pos : p->idx[split][pos];
        y[b] = set->labels[k];
        int dy = 0, dx = 0, flip = 0;
        if (augment) {
            uint64_t r = mix3(p->opts.seed ^ 0x415547ULL /* "AUG" */, epoch, pos);
            if (pad) {
                dy = (int)below(mix64(r + 1), (size_t)(2 * pad + 1)) - pad;
                dx = (int)below(mix64(r + 2), (size_t)(2 * pad + 1)) - pad;
            }
            flip = p->opts.flip && (mix64(r + 3) >> 63);
        }
        for (int ch = 0; ch < p->c; ch++) {
            const uint8_t *src = set->images + k * img + ch * plane;
            float *dst = x + (b * p->c + ch) * oplane;
            float m = p->mean[ch], inv = 1.0f / (255.0f * p->std[ch]);
            for (int oy = 0; oy < p->h; oy++)
                for (int ox = 0; ox < p->w; ox++) {
                    int xx = flip ? p->w - 1 - ox : ox;
                    float v = sample(src, set->h, set->w, p->h, p->w, oy + dy, xx + dx,
                                     p->opts.resize);
                    dst[(size_t)oy * p->w + ox] = v * inv - m / p->std[ch];
                }
        }
    }
    return 0;
}
