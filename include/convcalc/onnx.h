/* convcalc/onnx.h - ONNX models (the protobuf files torch.onnx.export
 * writes) and ONNX TensorProto files, read into the reference engine.
 *
 *   cc_net *net;
 *   cc_onnx_info info;
 *   if (cc_onnx_load(&net, "model.onnx", &info, &err) == 0) {
 *       cc_net_forward(net, x, batch, &err);     // x: (batch, C, H, W)
 *       cc_net_final_output(net, y, &err);       // the model's own output
 *       cc_net_free(net);
 *   }
 *
 * Supported: opsets 7 to 17 of the default domain, 2-D image models (NCHW)
 * and flat (N, F) models, with these operators: Conv (group, dilations,
 * pads, auto_pad), ConvTranspose, BatchNormalization, Gemm (alpha, beta,
 * transA = 0, transB), MatMul with a constant matrix, Add, Sub, Mul, Div
 * (two tensors, or a tensor and a constant that broadcasts over the batch),
 * Relu, LeakyRelu, Elu, Selu, PRelu, Sigmoid, Tanh, Softmax, LogSoftmax,
 * Softplus, Clip, HardSigmoid, HardSwish, MaxPool, AveragePool (ceil_mode,
 * count_include_pad), GlobalAveragePool, Flatten, Reshape, Pad (constant),
 * Dropout, Identity, Constant, Concat, Upsample and Resize (nearest, whole
 * factors), and the constant chains of Shape,
 * Gather, Unsqueeze, Squeeze, Concat, Cast and arithmetic that exporters
 * emit to compute a Reshape's target (folded at load time). Anything else
 * is a CC_EINVAL error that names the operator, the node and the opset; a
 * model is never run approximately.
 *
 * A truncated or corrupt file is a CC_EINVAL error "at byte N: ..." (N the
 * offset of the first malformed protobuf field) with err->source set to
 * the path; tensor sizes are checked before anything is allocated. */
#ifndef CONVCALC_ONNX_H
#define CONVCALC_ONNX_H

#include <stddef.h>
#include <stdint.h>

#include "convcalc/common.h"
#include "convcalc/net.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Most dimensions of a tensor this module reads. */
#define CC_ONNX_MAX_DIMS 8

/* What a model holds beyond the network. */
typedef struct cc_onnx_info {
    int opset;                  /* of the default domain                   */
    long ir_version;
    char producer[64];          /* "pytorch 1.13.1"                        */
    char input_name[128];       /* the graph input the network reads       */
    char output_name[128];      /* the graph output it computes            */
    int in_rank;                /* rank of the input, batch included       */
    long in_dims[CC_ONNX_MAX_DIMS]; /* its dimensions; in_dims[0] is the batch
                                 * (0 when symbolic)                        */
    int out_rank;               /* rank of the output, batch included      */
    long out_dims[CC_ONNX_MAX_DIMS];
    size_t initializers;        /* initializer tensors in the graph        */
    int64_t initializer_values; /* their elements: the model's parameters
                                 * and buffers, counted exactly            */
    size_t nodes;               /* graph nodes                             */
} cc_onnx_info;

/* A tensor given for a graph input other than the first (the ONNX test
 * cases feed weights that way); it is used as a constant. */
typedef struct cc_onnx_bind {
    const float *data;          /* [product of dims]                       */
    int ndim;
    long dims[CC_ONNX_MAX_DIMS];
} cc_onnx_bind;

/* Read the ONNX model at path into a new network in evaluation mode (free
 * with cc_net_free). The network's input is the graph's first input that
 * is not an initializer, per sample (its batch dimension dropped); its
 * output is the graph's first output. info may be NULL. */
int cc_onnx_load(cc_net **out, const char *path, cc_onnx_info *info, cc_error *err);

/* As cc_onnx_load from a buffer (name is used in messages), binding
 * nbinds tensors to the second, third, ... graph inputs. */
int cc_onnx_load_buffer(cc_net **out, const uint8_t *buf, size_t len, const char *name,
                        const cc_onnx_bind *binds, size_t nbinds, cc_onnx_info *info,
                        cc_error *err);

/* Read an ONNX TensorProto file (the .pb files of ONNX test data): float,
 * double, int32 and int64 elements, converted to float. *data is malloc'd
 * (free() it; NULL for an empty tensor), dims[0..*ndim) the shape. */
int cc_onnx_tensor_read(const char *path, float **data, long dims[CC_ONNX_MAX_DIMS],
                        int *ndim, cc_error *err);
/* The same from a buffer. */
int cc_onnx_tensor_parse(const uint8_t *buf, size_t len, float **data,
                         long dims[CC_ONNX_MAX_DIMS], int *ndim, cc_error *err);

#ifdef __cplusplus
}
#endif
#endif
