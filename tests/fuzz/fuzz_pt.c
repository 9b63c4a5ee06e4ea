/* fuzz_pt.c - PyTorch .pt archives: libzip's reading of the archive, the
 * restricted pickle reader on its data.pkl, and the gathering of every
 * tensor from its storage member; a parsed state_dict is then joined to a
 * small network by name. */
#include "fuzz.h"

#include "convcalc/net.h"
#include "convcalc/weights.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *bytes = (unsigned char *)fuzz_copy(data, size);
    cc_safetensors *sd = NULL;
    cc_error err;
    cc_error_clear(&err);
    if (cc_pt_parse(&sd, bytes, size, &err) == 0) {
        cc_layer_desc l = CC_LINEAR(2);
        cc_net *net = NULL;
        if (cc_net_new(&net, &l, 1, 3, 0, 0, 1, &err) == 0) {
            cc_net_load_state_dict(net, sd, &err);
            cc_net_free(net);
        }
        cc_st_free(sd);
    }
    free(bytes);
    return 0;
}
