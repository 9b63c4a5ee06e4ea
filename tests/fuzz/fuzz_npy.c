/* fuzz_npy.c - NumPy .npy arrays: the magic, the header length and the
 * Python-literal header, then the data size against the shape. */
#include "fuzz.h"

#include "convcalc/tensorfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *bytes = (unsigned char *)fuzz_copy(data, size);
    cc_tensor_file t;
    cc_error err;
    cc_error_clear(&err);
    if (cc_npy_parse(&t, bytes, size, &err) == 0) {
        size_t count = 1;
        for (int d = 0; d < t.ndim; d++)
            count *= (size_t)t.shape[d];
        if (count != t.count)
            abort();
    }
    cc_tensor_file_clear(&t);
    free(bytes);
    return 0;
}
