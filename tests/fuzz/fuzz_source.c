/* fuzz_source.c - data SOURCE strings (fashion-mnist, mnist:DIR,
 * idx:IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS], cifar10:DIR). The harness
 * works in a directory of its own holding tiny valid files (train.idx,
 * labels.idx, test.idx, tlabels.idx, a MNIST-named set in mnist/ and a
 * CIFAR-10 batch in cifar/), so sources that name them load for real.
 * Absolute paths, "..", and "fashion-mnist" itself (60,000 images: a
 * load, not a parse) are skipped, so nothing outside that directory is
 * read. */
#include <sys/stat.h>

#include "fuzz.h"

#include "convcalc/data.h"

static void put(const char *path, const unsigned char *d, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(d, 1, n, f) != n))
        abort();
    fclose(f);
}

static void idx_pair(const char *images, const char *labels, uint32_t n)
{
    unsigned char img[16 + 3 * 4 * 4] = {0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 4};
    unsigned char lab[8 + 3] = {0, 0, 8, 1, 0, 0, 0, 0, 1, 2, 3};
    img[7] = lab[7] = (unsigned char)n;
    for (size_t i = 16; i < sizeof img; i++)
        img[i] = (unsigned char)(i * 37);
    put(images, img, 16 + 16 * n);
    put(labels, lab, 8 + n);
}

static void setup(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    const char *tmp = getenv("TMPDIR");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/convcalc-fuzz-source-%ld", tmp && *tmp ? tmp : "/tmp",
             (long)getpid());
    if (mkdir(dir, 0700) != 0 || chdir(dir) != 0)
        abort();
    idx_pair("train.idx", "labels.idx", 3);
    idx_pair("test.idx", "tlabels.idx", 2);
    if (mkdir("mnist", 0700) != 0 || mkdir("cifar", 0700) != 0)
        abort();
    idx_pair("mnist/train-images-idx3-ubyte", "mnist/train-labels-idx1-ubyte", 3);
    idx_pair("mnist/t10k-images-idx3-ubyte", "mnist/t10k-labels-idx1-ubyte", 2);
    static unsigned char rec[2 * 3073];
    rec[0] = 3;
    rec[3073] = 9;
    put("cifar/data_batch_1.bin", rec, sizeof rec);
    put("cifar/test_batch.bin", rec, 3073);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    char *src = fuzz_cstr(data, size);
    if (src[0] == '/' || strstr(src, "..") || strstr(src, ":/") || strstr(src, ",/") ||
        strstr(src, "fashion-mnist")) {
        free(src);
        return 0;
    }
    cc_data *d = NULL;
    cc_error err;
    cc_error_clear(&err);
    if (cc_data_load(&d, src, &err) == 0)
        cc_data_free(d);
    free(src);
    return 0;
}
