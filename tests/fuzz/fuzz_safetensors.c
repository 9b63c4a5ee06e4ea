/* fuzz_safetensors.c - the safetensors parser (header length, JSON
 * header, tensor offsets), then a write back and a second parse of what
 * was written, which must succeed. */
#include "fuzz.h"

#include "convcalc/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *bytes = (unsigned char *)fuzz_copy(data, size);
    cc_safetensors *st = NULL;
    cc_error err;
    cc_error_clear(&err);
    if (cc_st_parse(&st, bytes, size, &err) == 0) {
        unsigned char *out = NULL;
        size_t len = 0;
        if (cc_st_serialize(st, &out, &len, &err) == 0) {
            cc_safetensors *again = NULL;
            if (cc_st_parse(&again, out, len, &err) != 0)
                abort(); /* what we write, we read */
            cc_st_free(again);
            free(out);
        }
        cc_st_free(st);
    }
    free(bytes);
    return 0;
}
