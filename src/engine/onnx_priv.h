/* onnx_priv.h - shared by the ONNX reader's files (private): onnx_pb.c
 * (protobuf checks with byte offsets, tensors, attributes), onnx_graph.c
 * (values, constant folding, the network) and onnx_ops.c (one function
 * per operator family). */
#ifndef CONVCALC_ONNX_PRIV_H
#define CONVCALC_ONNX_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "convcalc/net.h"
#include "convcalc/onnx.h"
#include "onnx.pb-c.h"

/* A constant tensor: float values, and the exact integers for integer
 * tensors (shape arithmetic). */
typedef struct ox_const {
    int ndim;
    long dims[CC_ONNX_MAX_DIMS];
    size_t n;
    float *f;      /* [n]                     */
    int64_t *i;    /* [n] or NULL             */
} ox_const;

void ox_const_free(ox_const *c);

/* The value Shape folds a symbolic batch size to. */
#define OX_BATCH (-((int64_t)1 << 40))

/* Convert a TensorProto (sizes checked before any allocation). */
int ox_tensor(ox_const *out, const Onnx__TensorProto *t, cc_error *err);

/* Check buf as a protobuf message of type desc; on the first malformed
 * field return CC_EINVAL "at byte N: ...". */
int ox_wire_check(const uint8_t *buf, size_t len, const ProtobufCMessageDescriptor *desc,
                  cc_error *err);

/* Attribute lookup on a node (NULL when absent). */
const Onnx__AttributeProto *ox_attr(const Onnx__NodeProto *n, const char *name);
long ox_attr_i(const Onnx__NodeProto *n, const char *name, long dflt);
double ox_attr_f(const Onnx__NodeProto *n, const char *name, double dflt);
/* ints attribute: count (0 when absent), values copied up to max. */
size_t ox_attr_ints(const Onnx__NodeProto *n, const char *name, long *v, size_t max);
/* string attribute into buf ("" when absent). */
void ox_attr_s(const Onnx__NodeProto *n, const char *name, char *buf, size_t cap);

/* ---- graph conversion state (onnx_graph.c) -------------------------------- */
typedef enum { OXV_NONE, OXV_LAYER, OXV_CONST } ox_kind;

typedef struct ox_value {
    char *name;
    ox_kind kind;
    long layer;                 /* OXV_LAYER: index, -1 the network input  */
    int rank;                   /* ONNX rank including the batch           */
    long dims[CC_ONNX_MAX_DIMS];/* dims[0] the batch (0 = symbolic)        */
    ox_const c;                 /* OXV_CONST                               */
} ox_value;

/* A parameter value to copy in once the network is built. */
typedef struct ox_weight {
    size_t layer;
    const char *what;           /* "weight", "bias", "running_mean", ...   */
    float *data;                /* owned                                   */
    size_t n;
} ox_weight;

typedef struct ox_graph {
    const char *file;
    int opset;
    ox_value *v;
    size_t nv, capv;
    cc_layer_desc *L;
    size_t nl, capl;
    ox_weight *w;
    size_t nw, capw;
    long batch;                 /* the input's batch size (0 = symbolic)  */
    /* the node being converted, for messages */
    size_t node_index;
    const Onnx__NodeProto *node;
} ox_graph;

ox_value *ox_find(ox_graph *g, const char *name);
/* The value for input k of the current node (CC_EINVAL when missing). */
int ox_input(ox_graph *g, int k, ox_value **out, cc_error *err);
/* Define output k of the current node as a layer / a constant (takes c). */
int ox_def_layer(ox_graph *g, int k, long layer, int rank, const long *dims, cc_error *err);
int ox_def_const(ox_graph *g, int k, ox_const *c, cc_error *err);
/* Append a layer; returns its index or a negative status. */
long ox_add_layer(ox_graph *g, const cc_layer_desc *d, cc_error *err);
/* Queue a parameter copy (takes data). */
int ox_add_weight(ox_graph *g, size_t layer, const char *what, float *data, size_t n,
                  cc_error *err);
/* A layer reading value v (its layer, or a new const layer for a constant
 * broadcast to shape rank/dims of the other operand). */
long ox_layer_of(ox_graph *g, ox_value *v, int rank, const long *dims, cc_error *err);
/* Fill err with "node 3 (Conv '/conv1/Conv', opset 13): ..." (no prefix
 * outside a node) and return code. */
int ox_err(ox_graph *g, cc_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Map an ONNX per-sample shape (dims[1..rank)) onto the engine's (C,H,W):
 * 0 and fills desc-like out c, h, w (h = w = 0 for flat), or an error. */
int ox_sample_shape(ox_graph *g, int rank, const long *dims, long *c, long *h, long *w,
                    cc_error *err);

/* Convert the current node (onnx_ops.c); 1 when the operator is unknown. */
int ox_convert_node(ox_graph *g, const Onnx__NodeProto *n, cc_error *err);
/* Fold the current node when all its inputs are constants (onnx_ops.c);
 * 1 when it is not a foldable operator. */
int ox_fold_node(ox_graph *g, const Onnx__NodeProto *n, cc_error *err);

/* A float from the file as an integer: truncated toward zero, NaN as 0 and
 * out-of-range values clamped to +-2^62 (a plain cast of those is undefined
 * behaviour), so the checks that follow reject them as too large. */
static inline int64_t ox_f2i(double v)
{
    const double lim = 4611686018427387904.0; /* 2^62 */
    return v != v ? 0 : v >= lim ? (int64_t)lim : v <= -lim ? -(int64_t)lim : (int64_t)v;
}

#endif
