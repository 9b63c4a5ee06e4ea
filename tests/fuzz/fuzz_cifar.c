/* fuzz_cifar.c - the CIFAR-10 binary batch reader (3073-byte records,
 * plain or gzip). */
#include "fuzz.h"

#include "convcalc/data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(0, "cifar", data, size);
    cc_dataset set = {0};
    cc_error err;
    cc_error_clear(&err);
    cc_cifar10_read(&set, path, &err);
    cc_dataset_clear(&set);
    return 0;
}
