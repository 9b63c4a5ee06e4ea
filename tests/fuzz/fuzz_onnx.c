/* fuzz_onnx.c - the ONNX reader: the first byte chooses a model (even) or
 * a TensorProto (odd); the rest is the file. A model that loads runs one
 * forward pass on zeros when its input and output are small. */
#include "fuzz.h"

#include <stdlib.h>

#include "convcalc/net.h"
#include "convcalc/onnx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    cc_error err;
    cc_error_clear(&err);
    if (data[0] & 1) {
        float *t = NULL;
        long dims[CC_ONNX_MAX_DIMS];
        int nd;
        if (cc_onnx_tensor_parse(data + 1, size - 1, &t, dims, &nd, &err) == 0)
            free(t);
        return 0;
    }
    cc_net *net = NULL;
    if (cc_onnx_load_buffer(&net, data + 1, size - 1, "fuzz.onnx", NULL, 0, NULL, &err))
        return 0;
    long c, h, w;
    cc_net_input_shape(net, &c, &h, &w);
    size_t n = (size_t)c * (size_t)(h ? h : 1) * (size_t)(w ? w : 1);
    double act = 0.0; /* run only small networks: activations under ~4 MB */
    for (size_t i = 0; i < cc_net_layer_count(net); i++) {
        cc_net_layer_info li;
        if (cc_net_layer(net, i, &li, NULL) == 0)
            act += (double)li.out_c * (double)li.out_h * (double)li.out_w;
    }
    if (n <= 4096 && act <= 1e6) {
        float *x = calloc(n, sizeof(float));
        if (x && cc_net_forward(net, x, 1, &err) == 0) {
            float *y = calloc((size_t)cc_net_classes(net), sizeof(float));
            if (y)
                cc_net_final_output(net, y, &err);
            free(y);
        }
        free(x);
    }
    cc_net_free(net);
    return 0;
}
