/* fuzz_matrix.c - the matrix notation (rows of numbers, brackets,
 * channels and filters separated by | and ||). */
#include "fuzz.h"

#include "convcalc/matrix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_copy(data, size);
    cc_matrix m = {0};
    cc_error err;
    cc_error_clear(&err);
    if (cc_matrix_parse(&m, text, size, &err) == 0)
        cc_matrix_free(&m);
    free(text);
    return 0;
}
