/* fuzz_pickle.c - the restricted pickle reader alone (what a .pt archive's
 * data.pkl holds), without the zip around it, so that mutations reach the
 * opcodes: it must refuse or read, never crash, and every entry it returns
 * must have its strings inside the input. */
#include "fuzz.h"

#include "engine/pickle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *bytes = (unsigned char *)fuzz_copy(data, size);
    pk_tensor *t = NULL;
    size_t n = 0;
    cc_error err;
    cc_error_clear(&err);
    if (pk_state_dict(&t, &n, bytes, size, "data.pkl", &err) == 0) {
        for (size_t i = 0; i < n; i++) {
            const unsigned char *nm = (const unsigned char *)t[i].name;
            const unsigned char *key = (const unsigned char *)t[i].key;
            if (nm < bytes || nm + t[i].name_len > bytes + size || key < bytes ||
                key + t[i].key_len > bytes + size || t[i].ndim < 0 || t[i].ndim > PK_MAX_DIMS)
                abort();
        }
        free(t);
    }
    free(bytes);
    return 0;
}
