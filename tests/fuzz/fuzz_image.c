/* fuzz_image.c - 8-bit images for `infer`: the PGM reader (P5 and P2) and
 * PNG through libpng; a decoded image must be (1, C, H, W) with pixel
 * values 0..255. */
#include "fuzz.h"

#include "convcalc/tensorfile.h"

static void check(const cc_tensor_file *t)
{
    if (t->ndim != 4 || t->shape[0] != 1 || (t->shape[1] != 1 && t->shape[1] != 3))
        abort();
    for (size_t i = 0; i < t->count; i++)
        if (!(t->data[i] >= 0.0f && t->data[i] <= 255.0f))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *bytes = (unsigned char *)fuzz_copy(data, size);
    cc_tensor_file t;
    cc_error err;
    cc_error_clear(&err);
    if (cc_pgm_parse(&t, bytes, size, &err) == 0)
        check(&t);
    cc_tensor_file_clear(&t);
    if (cc_png_parse(&t, bytes, size, &err) == 0)
        check(&t);
    cc_tensor_file_clear(&t);
    free(bytes);
    return 0;
}
