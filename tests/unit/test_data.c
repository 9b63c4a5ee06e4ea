/* test_data.c - IDX and CIFAR-10 readers on files the test writes itself
 * (plain and gzip), every corrupt-file case, the split, shuffles,
 * normalisation, augmentation and resizing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "convcalc/data.h"

static char dir[256];

static void path_of(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
}

static void write_file(const char *name, const unsigned char *data, size_t len, int gz)
{
    char p[512];
    path_of(p, sizeof p, name);
    if (gz) {
        gzFile f = gzopen(p, "wb");
        assert_non_null(f);
        assert_int_equal(gzwrite(f, data, (unsigned)len), (int)len);
        gzclose(f);
    } else {
        FILE *f = fopen(p, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, len, f), len);
        fclose(f);
    }
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* n images of r x c with pixel (i, y, x) = (i*7 + y*c + x) & 255, labels i % 10 */
static unsigned char *make_images(uint32_t n, uint32_t r, uint32_t c, size_t *len)
{
    *len = 16 + (size_t)n * r * c;
    unsigned char *b = malloc(*len);
    put32(b, 0x803);
    put32(b + 4, n);
    put32(b + 8, r);
    put32(b + 12, c);
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t k = 0; k < r * c; k++)
            b[16 + (size_t)i * r * c + k] = (unsigned char)((i * 7 + k) & 255);
    return b;
}

static unsigned char *make_labels(uint32_t n, size_t *len)
{
    *len = 8 + n;
    unsigned char *b = malloc(*len);
    put32(b, 0x801);
    put32(b + 4, n);
    for (uint32_t i = 0; i < n; i++)
        b[8 + i] = (unsigned char)(i % 10);
    return b;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s/cc-data-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_mnist_dir(int gz, uint32_t ntrain, uint32_t ntest)
{
    size_t l;
    unsigned char *b = make_images(ntrain, 4, 3, &l);
    write_file(gz ? "train-images-idx3-ubyte.gz" : "train-images-idx3-ubyte", b, l, gz);
    free(b);
    b = make_labels(ntrain, &l);
    write_file(gz ? "train-labels-idx1-ubyte.gz" : "train-labels-idx1-ubyte", b, l, gz);
    free(b);
    b = make_images(ntest, 4, 3, &l);
    write_file(gz ? "t10k-images-idx3-ubyte.gz" : "t10k-images-idx3-ubyte", b, l, gz);
    free(b);
    b = make_labels(ntest, &l);
    write_file(gz ? "t10k-labels-idx1-ubyte.gz" : "t10k-labels-idx1-ubyte", b, l, gz);
    free(b);
}

static void test_idx_plain_and_gzip(void **state)
{
    (void)state;
    for (int gz = 0; gz <= 1; gz++) {
        write_mnist_dir(gz, 50, 20);
        char src[300];
        snprintf(src, sizeof src, "mnist:%s", dir);
        cc_data *d;
        cc_error err;
        cc_error_clear(&err);
        assert_int_equal(cc_data_load(&d, src, &err), 0);
        assert_int_equal(d->train.n, 50);
        assert_int_equal(d->test.n, 20);
        assert_int_equal(d->train.h, 4);
        assert_int_equal(d->train.w, 3);
        assert_int_equal(d->train.c, 1);
        assert_int_equal(d->classes, 10);
        assert_int_equal(d->train.labels[13], 3);
        assert_int_equal(d->train.images[13 * 12 + 5], (13 * 7 + 5) & 255);
        cc_data_free(d);
        /* remove this round's files so the next round reads the others */
        const char *names[] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                               "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
        for (int i = 0; i < 4; i++) {
            char p[512], q[520];
            path_of(p, sizeof p, names[i]);
            snprintf(q, sizeof q, "%s%s", p, gz ? ".gz" : "");
            assert_int_equal(unlink(q), 0);
        }
    }
}

/* load idx:IMAGES,LABELS and return the status; err holds the message */
static int load_pair(const char *img, const char *lab, cc_error *err)
{
    char src[1200], a[512], b[512];
    path_of(a, sizeof a, img);
    path_of(b, sizeof b, lab);
    snprintf(src, sizeof src, "idx:%s,%s", a, b);
    cc_data *d = NULL;
    cc_error_clear(err);
    int rc = cc_data_load(&d, src, err);
    cc_data_free(d);
    return rc;
}

static void expect_error(int rc, const cc_error *err, const char *file, const char *needle)
{
    assert_int_equal(rc, CC_EINVAL);
    if (!strstr(err->source, file) || !strstr(err->msg, needle))
        fail_msg("got '%s: %s', expected file %s and '%s'", err->source, err->msg, file, needle);
}

static void test_idx_corrupt_files(void **state)
{
    (void)state;
    size_t il, ll;
    unsigned char *img = make_images(30, 5, 5, &il), *lab = make_labels(30, &ll);
    cc_error err;
    write_file("good-img", img, il, 0);
    write_file("good-lab", lab, ll, 0);
    assert_int_equal(load_pair("good-img", "good-lab", &err), 0);

    /* truncated images, plain and gzip: the offset is where the data ends */
    write_file("short-img", img, il - 10, 0);
    expect_error(load_pair("short-img", "good-lab", &err), &err, "short-img",
                 "at byte 756: the file ends after 29 of its 30 images");
    write_file("short-img.gz", img, il - 10, 1);
    expect_error(load_pair("short-img.gz", "good-lab", &err), &err, "short-img.gz",
                 "at byte 756 of the decompressed data");
    /* a header cut short */
    write_file("tiny-img", img, 7, 0);
    expect_error(load_pair("tiny-img", "good-lab", &err), &err, "tiny-img",
                 "at byte 7: the file ends inside the IDX header");
    /* bad magic numbers */
    unsigned char *bad = malloc(il);
    memcpy(bad, img, il);
    put32(bad, 0x801);
    write_file("magic-img", bad, il, 0);
    expect_error(load_pair("magic-img", "good-lab", &err), &err, "magic-img",
                 "at byte 0: bad magic number 0x00000801 (expected 0x00000803");
    expect_error(load_pair("good-img", "good-img", &err), &err, "good-img",
                 "at byte 0: bad magic number 0x00000803 (expected 0x00000801");
    /* label count that does not match the images */
    memcpy(bad, lab, ll);
    put32(bad + 4, 29);
    write_file("count-lab", bad, ll - 1, 0);
    expect_error(load_pair("good-img", "count-lab", &err), &err, "count-lab",
                 "at byte 4: 29 labels for the 30 images");
    /* labels cut short, and extra bytes */
    write_file("short-lab", lab, ll - 3, 0);
    expect_error(load_pair("good-img", "short-lab", &err), &err, "short-lab",
                 "the file ends after 27 of its 30 labels");
    memcpy(bad, img, il);
    write_file("long-img", bad, il, 0);
    {
        unsigned char *longer = calloc(1, il + 5);
        memcpy(longer, img, il);
        write_file("long-img", longer, il + 5, 0);
        free(longer);
    }
    expect_error(load_pair("long-img", "good-lab", &err), &err, "long-img",
                 "5 bytes of unexpected data after the last of 30 images");
    /* a hostile size: 2^32-1 images of 65535x65535 in a 16-byte file: an
     * error message, not an allocation */
    memcpy(bad, img, 16);
    put32(bad + 4, 0xffffffffu);
    put32(bad + 8, 65535);
    put32(bad + 12, 65535);
    write_file("huge-img", bad, 16, 0);
    expect_error(load_pair("huge-img", "good-lab", &err), &err, "huge-img",
                 "the file ends after 0 of its 4294967295 images");
    put32(bad + 8, 0);
    write_file("zero-img", bad, 16, 0);
    expect_error(load_pair("zero-img", "good-lab", &err), &err, "zero-img",
                 "image size 0x65535 is out of range");
    /* gzip data that is corrupt (not just short) */
    {
        char p[512];
        path_of(p, sizeof p, "good.gz");
        write_file("good.gz", img, il, 1);
        FILE *f = fopen(p, "r+b");
        assert_non_null(f);
        fseek(f, 40, SEEK_SET);
        for (int i = 0; i < 20; i++)
            fputc(0xA5 ^ i, f);
        fclose(f);
        int rc = load_pair("good.gz", "good-lab", &err);
        assert_int_equal(rc, CC_EINVAL);
        assert_non_null(strstr(err.source, "good.gz"));
    }
    /* a missing file */
    assert_int_equal(load_pair("nothing-here", "good-lab", &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "cannot open"));
    assert_non_null(strstr(err.source, "nothing-here"));
    free(bad);
    free(img);
    free(lab);
}

/* A gzip bomb: a valid header declaring one 4x4 image, then 32 MiB of
 * zeros that compress to a few hundred kilobytes. Decompression stops
 * shortly after the declared 32 bytes, so the read is fast and small, and
 * the error names the trailing data. A bomb behind the labels' header is
 * stopped the same way. */
static void test_idx_gzip_bomb(void **state)
{
    (void)state;
    unsigned char head[16];
    put32(head, 0x00000803);
    put32(head + 4, 1);
    put32(head + 8, 4);
    put32(head + 12, 4);
    char p[512];
    path_of(p, sizeof p, "bomb-img");
    gzFile f = gzopen(p, "wb9");
    assert_non_null(f);
    assert_int_equal(gzwrite(f, head, sizeof head), (int)sizeof head);
    static unsigned char zeros[1 << 20];
    for (int i = 0; i < 32; i++)
        assert_int_equal(gzwrite(f, zeros, sizeof zeros), (int)sizeof zeros);
    gzclose(f);
    unsigned char lab[9];
    put32(lab, 0x00000801);
    put32(lab + 4, 1);
    lab[8] = 3;
    write_file("bomb-lab", lab, sizeof lab, 1);
    cc_error err;
    cc_error_clear(&err);
    expect_error(load_pair("bomb-img", "bomb-lab", &err), &err, "bomb-img",
                 "at least 65536 bytes of unexpected data after the last of 1 images");
    /* the same behind the labels */
    unsigned char img[32];
    memcpy(img, head, 16);
    memset(img + 16, 1, 16);
    write_file("small-img", img, sizeof img, 1);
    path_of(p, sizeof p, "bomb-lab2");
    f = gzopen(p, "wb9");
    assert_non_null(f);
    assert_int_equal(gzwrite(f, lab, sizeof lab), (int)sizeof lab);
    for (int i = 0; i < 32; i++)
        assert_int_equal(gzwrite(f, zeros, sizeof zeros), (int)sizeof zeros);
    gzclose(f);
    cc_error_clear(&err);
    expect_error(load_pair("small-img", "bomb-lab2", &err), &err, "bomb-lab2",
                 "at least 65536 bytes of unexpected data after the last of 1 labels");
}

static void test_bad_sources(void **state)
{
    (void)state;
    cc_data *d;
    cc_error err;
    assert_int_equal(cc_data_load(&d, "imagenet", &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "unknown data source 'imagenet'"));
    assert_int_equal(cc_data_load(&d, "idx:a", &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "idx:IMAGES,LABELS"));
    assert_int_equal(cc_data_load(&d, "idx:a,b,c", &err), CC_EINVAL);
    assert_int_equal(cc_data_load(&d, "mnist:", &err), CC_EINVAL);
    assert_null(d);
}

static unsigned char *make_cifar(size_t n, size_t *len)
{
    *len = n * 3073;
    unsigned char *b = malloc(*len);
    for (size_t r = 0; r < n; r++) {
        b[r * 3073] = (unsigned char)((r * 3) % 10);
        for (size_t k = 0; k < 3072; k++)
            b[r * 3073 + 1 + k] = (unsigned char)((r + k / 1024 * 100 + k) & 255);
    }
    return b;
}

static void test_cifar10(void **state)
{
    (void)state;
    size_t l;
    unsigned char *b = make_cifar(6, &l);
    write_file("data_batch_1.bin", b, l, 0);
    write_file("data_batch_2.bin.gz", b, l, 1);
    write_file("test_batch.bin", b, 3073 * 4, 0);
    char src[300];
    snprintf(src, sizeof src, "cifar10:%s", dir);
    cc_data *d;
    cc_error err;
    assert_int_equal(cc_data_load(&d, src, &err), 0);
    assert_int_equal(d->train.n, 12);
    assert_int_equal(d->test.n, 4);
    assert_int_equal(d->train.c, 3);
    assert_int_equal(d->train.h, 32);
    assert_int_equal(d->train.labels[7], 3); /* record 1 of the second file */
    /* green plane of record 2: (2 + 100 + 1024 + k) & 255 at k = 1024 + 5 */
    assert_int_equal(d->train.images[2 * 3072 + 1029], (2 + 100 + 1029) & 255);
    assert_string_equal(d->class_names[3], "cat");
    cc_data_free(d);
    /* truncated, bad label */
    write_file("test_batch.bin", b, 3073 * 2 + 100, 0);
    assert_int_equal(cc_data_load(&d, src, &err), CC_EINVAL);
    assert_non_null(strstr(err.source, "test_batch.bin"));
    assert_non_null(strstr(err.msg, "at byte 6246: the file ends inside record 3 after 100 bytes"));
    b[3073] = 12;
    write_file("data_batch_1.bin", b, l, 0);
    assert_int_equal(cc_data_load(&d, src, &err), CC_EINVAL);
    assert_non_null(strstr(err.source, "data_batch_1.bin"));
    assert_non_null(strstr(err.msg, "at byte 3073: label 12 of record 2 is out of range"));
    free(b);
    char empty[300];
    snprintf(empty, sizeof empty, "cifar10:%s/none", dir);
    assert_int_equal(cc_data_load(&d, empty, &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "no CIFAR-10 training batches"));
}

/* a data set in memory: n images 1 x h x w */
static cc_data *mem_data(size_t n, int h, int w)
{
    cc_data *d = calloc(1, sizeof *d);
    d->train.n = n;
    d->train.c = 1;
    d->train.h = h;
    d->train.w = w;
    d->train.images = malloc(n * h * w);
    d->train.labels = malloc(n);
    for (size_t i = 0; i < n; i++) {
        d->train.labels[i] = (uint8_t)(i % 10);
        for (int k = 0; k < h * w; k++)
            d->train.images[i * h * w + k] = (uint8_t)((i + k * 16) & 255);
    }
    d->classes = 10;
    return d;
}

static void test_split_and_shuffle(void **state)
{
    (void)state;
    cc_data *d = mem_data(100, 2, 2);
    cc_prep_opts o = cc_prep_defaults();
    o.seed = 42;
    cc_prep p, q;
    cc_error err;
    assert_int_equal(cc_prep_init(&p, d, &o, &err), 0);
    assert_int_equal(p.n[CC_SPLIT_TRAIN], 90);
    assert_int_equal(p.n[CC_SPLIT_VAL], 10);
    /* the two splits partition the set */
    int seen[100] = {0};
    for (size_t i = 0; i < 90; i++)
        seen[p.idx[0][i]]++;
    for (size_t i = 0; i < 10; i++)
        seen[p.idx[1][i]]++;
    for (int i = 0; i < 100; i++)
        assert_int_equal(seen[i], 1);
    /* same seed, same split; another seed, another */
    assert_int_equal(cc_prep_init(&q, d, &o, &err), 0);
    assert_memory_equal(p.idx[1], q.idx[1], 10 * sizeof(size_t));
    cc_prep_clear(&q);
    o.seed = 43;
    assert_int_equal(cc_prep_init(&q, d, &o, &err), 0);
    assert_memory_not_equal(p.idx[1], q.idx[1], 10 * sizeof(size_t));
    cc_prep_clear(&q);
    /* shuffles: permutations, reproducible, different per epoch */
    size_t a[90], b[90];
    cc_prep_shuffle(a, 90, 7, 0);
    cc_prep_shuffle(b, 90, 7, 0);
    assert_memory_equal(a, b, sizeof a);
    cc_prep_shuffle(b, 90, 7, 1);
    assert_memory_not_equal(a, b, sizeof a);
    int cnt[90] = {0};
    for (int i = 0; i < 90; i++)
        cnt[b[i]]++;
    for (int i = 0; i < 90; i++)
        assert_int_equal(cnt[i], 1);
    cc_prep_clear(&p);
    /* bad shares */
    o.val_fraction = 1.0;
    assert_int_equal(cc_prep_init(&p, d, &o, &err), CC_EINVAL);
    cc_data_free(d);
}

static void test_normalise_and_batch(void **state)
{
    (void)state;
    cc_data *d = mem_data(20, 2, 2);
    cc_prep_opts o = cc_prep_defaults();
    o.val_fraction = 0;
    cc_prep p;
    cc_error err;
    assert_int_equal(cc_prep_init(&p, d, &o, &err), 0);
    /* mean and std over all 80 pixels, by a two-pass reference */
    double s = 0, s2 = 0;
    for (int i = 0; i < 80; i++)
        s += d->train.images[i] / 255.0;
    double m = s / 80;
    for (int i = 0; i < 80; i++)
        s2 += (d->train.images[i] / 255.0 - m) * (d->train.images[i] / 255.0 - m);
    double sd = sqrt(s2 / 80);
    assert_true(fabs(p.mean[0] - m) < 1e-6);
    assert_true(fabs(p.std[0] - sd) < 1e-6);
    float x[3 * 4];
    int y[3];
    assert_int_equal(cc_prep_batch(x, y, &p, d, CC_SPLIT_TRAIN, NULL, 5, 3, 0, 0, &err), 0);
    assert_int_equal(y[0], 5);
    assert_int_equal(y[2], 7);
    for (int k = 0; k < 4; k++)
        assert_true(fabs(x[4 + k] - (d->train.images[6 * 4 + k] / 255.0 - m) / sd) < 1e-4);
    /* past the end */
    assert_int_equal(cc_prep_batch(x, y, &p, d, CC_SPLIT_TRAIN, NULL, 19, 2, 0, 0, &err),
                     CC_ERANGE);
    cc_prep_clear(&p);
    cc_data_free(d);
}

static void test_resize_and_augment(void **state)
{
    (void)state;
    /* one 2x2 image [[0, 100], [200, 40]] */
    cc_data *d = mem_data(1, 2, 2);
    uint8_t px[4] = {0, 100, 200, 40};
    memcpy(d->train.images, px, 4);
    cc_prep_opts o = cc_prep_defaults();
    o.val_fraction = 0;
    o.normalize = 0;
    o.out_h = 4;
    o.out_w = 4;
    o.resize = CC_RESIZE_NEAREST;
    cc_prep p;
    cc_error err;
    float x[16];
    int y;
    assert_int_equal(cc_prep_init(&p, d, &o, &err), 0);
    assert_int_equal(cc_prep_batch(x, &y, &p, d, CC_SPLIT_TRAIN, NULL, 0, 1, 0, 0, &err), 0);
    /* nearest: each pixel becomes a 2x2 block */
    float want_n[16] = {0, 0, 100, 100, 0, 0, 100, 100, 200, 200, 40, 40, 200, 200, 40, 40};
    for (int i = 0; i < 16; i++)
        assert_true(fabsf(x[i] * 255.0f - want_n[i]) < 1e-3f);
    cc_prep_clear(&p);
    /* bilinear, half-pixel centres: torch.nn.functional.interpolate(
     * mode='bilinear', align_corners=False) (tests/golden/data_resize.py) */
    o.resize = CC_RESIZE_BILINEAR;
    assert_int_equal(cc_prep_init(&p, d, &o, &err), 0);
    assert_int_equal(cc_prep_batch(x, &y, &p, d, CC_SPLIT_TRAIN, NULL, 0, 1, 0, 0, &err), 0);
    float want_b[16] = {0,   25,     75,    100, 50,  58.75, 76.25, 85,
                        150, 126.25, 78.75, 55,  200, 160,   80,    40};
    for (int i = 0; i < 16; i++)
        if (fabsf(x[i] * 255.0f - want_b[i]) > 1e-3f)
            fail_msg("bilinear pixel %d: %g, expected %g", i, x[i] * 255.0f, want_b[i]);
    cc_prep_clear(&p);
    /* downsampling a 5x7 ramp to 3x4, both modes (tests/golden/data_resize.py) */
    {
        cc_data *r = mem_data(1, 5, 7);
        for (int i = 0; i < 35; i++)
            r->train.images[i] = (uint8_t)i;
        static const float bil[12] = {2.7083f, 4.4583f, 6.2083f, 7.9583f, 14.375f, 16.125f,
                                      17.875f, 19.625f, 26.0417f, 27.7917f, 29.5417f, 31.2917f};
        static const float near[12] = {0, 1, 3, 5, 7, 8, 10, 12, 21, 22, 24, 26};
        for (int mode = 0; mode < 2; mode++) {
            cc_prep_opts ro = o;
            ro.out_h = 3;
            ro.out_w = 4;
            ro.resize = mode ? CC_RESIZE_BILINEAR : CC_RESIZE_NEAREST;
            cc_prep rp;
            float rx[12];
            assert_int_equal(cc_prep_init(&rp, r, &ro, &err), 0);
            assert_int_equal(cc_prep_batch(rx, &y, &rp, r, CC_SPLIT_TRAIN, NULL, 0, 1, 0, 0, &err), 0);
            for (int i = 0; i < 12; i++)
                if (fabsf(rx[i] * 255.0f - (mode ? bil : near)[i]) > 2e-3f)
                    fail_msg("%s pixel %d: %g, expected %g", mode ? "bilinear" : "nearest", i,
                             rx[i] * 255.0f, (mode ? bil : near)[i]);
            cc_prep_clear(&rp);
        }
        cc_data_free(r);
    }
    /* flip only: the image is mirrored or not; the choice is reproducible */
    o.out_h = o.out_w = 0;
    o.flip = 1;
    assert_int_equal(cc_prep_init(&p, d, &o, &err), 0);
    int flipped = 0, kept = 0;
    for (uint64_t e = 0; e < 32; e++) {
        float a[4], b[4];
        assert_int_equal(cc_prep_batch(a, &y, &p, d, CC_SPLIT_TRAIN, NULL, 0, 1, 1, e, &err), 0);
        assert_int_equal(cc_prep_batch(b, &y, &p, d, CC_SPLIT_TRAIN, NULL, 0, 1, 1, e, &err), 0);
        assert_memory_equal(a, b, sizeof a);
        if (a[0] * 255.0f > 50 && fabsf(a[1]) < 1e-6f && fabsf(a[2] * 255.0f - 40) < 1e-3f)
            flipped++;
        else if (fabsf(a[0]) < 1e-6f && fabsf(a[1] * 255.0f - 100) < 1e-3f)
            kept++;
        else
            fail_msg("neither the image nor its mirror");
    }
    assert_true(flipped > 4 && kept > 4);
    cc_prep_clear(&p);
    /* crop with padding 1: every result is the image shifted by -1..1 */
    o.flip = 0;
    o.crop_pad = 1;
    assert_int_equal(cc_prep_init(&p, d, &o, &err), 0);
    int shifted = 0;
    for (uint64_t e = 0; e < 16; e++) {
        float a[4];
        assert_int_equal(cc_prep_batch(a, &y, &p, d, CC_SPLIT_TRAIN, NULL, 0, 1, 1, e, &err), 0);
        int ok = 0;
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                int match = 1;
                for (int i = 0; i < 2; i++)
                    for (int j = 0; j < 2; j++) {
                        int si = i + dy, sj = j + dx;
                        float v = si < 0 || sj < 0 || si > 1 || sj > 1 ? 0 : px[si * 2 + sj];
                        match &= fabsf(a[i * 2 + j] * 255.0f - v) < 1e-3f;
                    }
                ok |= match;
                shifted |= match && (dy || dx);
            }
        assert_true(ok);
    }
    assert_true(shifted);
    /* without augment (evaluation), no change */
    float a[4];
    assert_int_equal(cc_prep_batch(a, &y, &p, d, CC_SPLIT_TRAIN, NULL, 0, 1, 0, 3, &err), 0);
    for (int i = 0; i < 4; i++)
        assert_true(fabsf(a[i] * 255.0f - px[i]) < 1e-3f);
    cc_prep_clear(&p);
    cc_data_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idx_plain_and_gzip),
        cmocka_unit_test(test_idx_corrupt_files),
        cmocka_unit_test(test_idx_gzip_bomb),
        cmocka_unit_test(test_bad_sources),
        cmocka_unit_test(test_cifar10),
        cmocka_unit_test(test_split_and_shuffle),
        cmocka_unit_test(test_normalise_and_batch),
        cmocka_unit_test(test_resize_and_augment),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
