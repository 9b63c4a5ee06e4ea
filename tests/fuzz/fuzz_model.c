/* fuzz_model.c - the model file: safetensors whose metadata carries the
 * layer stack, the normalisation and the split; loading builds the
 * network from the stack and checks every tensor against it. */
#include "fuzz.h"

#include "convcalc/train.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(0, "model", data, size);
    cc_model *m = NULL;
    cc_error err;
    cc_error_clear(&err);
    if (cc_model_load(&m, path, &err) == 0)
        cc_model_free(m);
    return 0;
}
