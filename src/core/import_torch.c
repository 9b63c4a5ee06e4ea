/* import_torch.c - placeholder until the reader lands (same day). */
#include "convcalc/stack.h"

int cc_stack_parse_torch(cc_stack **out, const char *text, size_t len, cc_error *err)
{
    (void)text;
    (void)len;
    *out = NULL;
    return cc_error_set(err, CC_EINVAL, "the torch reader is not available yet");
}
