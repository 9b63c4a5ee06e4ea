/* fuzz_source.c - data SOURCE strings (fashion-mnist, mnist:DIR,
 * idx:IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS], cifar10:DIR). The harness
 * makes a directory of its own holding tiny valid files (train.idx,
 * labels.idx, test.idx, tlabels.idx, a MNIST-named set in mnist/ and a
 * CIFAR-10 batch in cifar/); every '@' in the input stands for that
 * directory, so sources that name them ("idx:@/train.idx,@/labels.idx")
 * load for real. Inputs with other absolute paths or "..", and
 * "fashion-mnist" itself (60,000 images: a load, not a parse) are
 * skipped. The directory is not made the working directory, because
 * libFuzzer reads its corpus by relative paths. */
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

static char dir[512];

static const char *in_dir(const char *name)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static void setup(void)
{
    if (dir[0])
        return;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/convcalc-fuzz-source-%ld", tmp && *tmp ? tmp : "/tmp",
             (long)getpid());
    if (mkdir(dir, 0700) != 0)
        abort();
    char a[1024];
    snprintf(a, sizeof a, "%s", in_dir("train.idx"));
    idx_pair(a, in_dir("labels.idx"), 3);
    snprintf(a, sizeof a, "%s", in_dir("test.idx"));
    idx_pair(a, in_dir("tlabels.idx"), 2);
    if (mkdir(in_dir("mnist"), 0700) != 0 || mkdir(in_dir("cifar"), 0700) != 0)
        abort();
    snprintf(a, sizeof a, "%s", in_dir("mnist/train-images-idx3-ubyte"));
    idx_pair(a, in_dir("mnist/train-labels-idx1-ubyte"), 3);
    snprintf(a, sizeof a, "%s", in_dir("mnist/t10k-images-idx3-ubyte"));
    idx_pair(a, in_dir("mnist/t10k-labels-idx1-ubyte"), 2);
    static unsigned char rec[2 * 3073];
    rec[0] = 3;
    rec[3073] = 9;
    put(in_dir("cifar/data_batch_1.bin"), rec, sizeof rec);
    put(in_dir("cifar/test_batch.bin"), rec, 3073);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    char *raw = fuzz_cstr(data, size);
    if (raw[0] == '/' || strstr(raw, "..") || strstr(raw, ":/") || strstr(raw, ",/") ||
        strstr(raw, "fashion-mnist")) {
        free(raw);
        return 0;
    }
    /* '@' -> the directory of tiny files */
    size_t ats = 0, dlen = strlen(dir);
    for (size_t i = 0; i < size; i++)
        ats += raw[i] == '@';
    char *src = malloc(size + ats * dlen + 1);
    if (!src)
        abort();
    size_t k = 0;
    for (size_t i = 0; i < size; i++) {
        if (raw[i] == '@') {
            memcpy(src + k, dir, dlen);
            k += dlen;
        } else {
            src[k++] = raw[i];
        }
    }
    src[k] = 0;
    free(raw);
    cc_data *d = NULL;
    cc_error err;
    cc_error_clear(&err);
    if (cc_data_load(&d, src, &err) == 0)
        cc_data_free(d);
    free(src);
    return 0;
}
