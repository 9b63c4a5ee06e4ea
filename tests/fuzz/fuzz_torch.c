/* fuzz_torch.c - the PyTorch repr (print(model)) reader of layer stacks, then shape inference and
 * the parameter report on what it read. */
#include "stack_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_stack(data, size, CC_SOURCE_TORCH);
}
