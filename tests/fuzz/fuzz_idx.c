/* fuzz_idx.c - the IDX reader (images idx3 and labels idx1, plain or
 * gzip, as cc_file_read_declared bounds them). The input holds both files:
 * a 2-byte big-endian length n, then n bytes of the images file, then the
 * labels file. */
#include "fuzz.h"

#include "convcalc/data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t n = (size_t)data[0] << 8 | data[1];
    if (n > size - 2)
        n = size - 2;
    char imgs[1024], labs[1024];
    snprintf(imgs, sizeof imgs, "%s", fuzz_file(0, "idx-images", data + 2, n));
    snprintf(labs, sizeof labs, "%s", fuzz_file(1, "idx-labels", data + 2 + n, size - 2 - n));
    cc_dataset set;
    cc_error err;
    cc_error_clear(&err);
    if (cc_idx_read(&set, imgs, labs, &err) == 0)
        cc_dataset_clear(&set);
    return 0;
}
