/* fuzz_detect.c - format auto-detection (spec, PyTorch repr or darknet
 * cfg) and the reader it picks, as `convcalc params` does by default. */
#include "stack_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_copy(data, size);
    (void)cc_stack_detect(text, size);
    free(text);
    return fuzz_stack(data, size, CC_SOURCE_AUTO);
}
