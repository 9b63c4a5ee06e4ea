/* convcalc/net.h - a trainable network: a sequence of layers (with residual
 * adds) built from code or from a layer stack, with its parameters,
 * gradients, buffers, activations and workspaces.
 *
 *   cc_layer_desc L[] = { CC_CONV2D(32, 5, 1, 2), CC_RELU(), CC_MAXPOOL2D(2, 2),
 *                         CC_FLATTEN(), CC_LINEAR(10) };
 *   cc_net *net;
 *   cc_net_new(&net, L, 5, 3, 32, 32, seed, &err);     // input C=3, H=W=32
 *   cc_net_set_train(net, 1);
 *   cc_net_zero_grad(net);
 *   cc_net_forward(net, x, batch, &err);              // x: (batch, 3, 32, 32)
 *   cc_net_loss(net, labels, &loss, &correct, &err);  // softmax cross-entropy
 *   cc_net_backward(net, &err);                       // accumulates d<param>
 *   cc_optim_step(opt, &err);
 *
 * Tensors are float32, NCHW, contiguous. A flat (features) tensor is
 * (N, F) and is reported with shape (F, 1, 1) and rank 2.
 *
 * Initialisation follows PyTorch's defaults exactly in distribution, drawn
 * from cc_rng seeded with `seed` layer by layer in order (weight first, then
 * bias): Conv2d and Linear weights Kaiming-uniform with a = sqrt(5), i.e.
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in_channels/groups * kh
 * * kw (conv) or in_features (linear), biases U(-1/sqrt(fan_in),
 * 1/sqrt(fan_in)); BatchNorm weight 1, bias 0, running mean 0, running
 * variance 1.
 *
 * Parameter names follow PyTorch's state_dict for an nn.Sequential: layer i
 * (counting every layer, activations included) owns "i.weight", "i.bias",
 * "i.running_mean", "i.running_var", unless its desc carries a name, which
 * then replaces "i". So a model saved with these names loads into the same
 * nn.Sequential in PyTorch.
 *
 * Memory: activations, their gradients, caches and one shared workspace are
 * allocated for the largest batch seen so far and reused by every later
 * step; a step allocates nothing. Results depend only on the seed, the
 * inputs and the thread count: two runs with the same three are
 * bit-identical.
 */
#ifndef CONVCALC_NET_H
#define CONVCALC_NET_H

#include <stddef.h>
#include <stdint.h>

#include "convcalc/common.h"
#include "convcalc/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cc_op {
    CC_OP_CONV2D = 0,
    CC_OP_LINEAR,
    CC_OP_MAXPOOL2D,
    CC_OP_AVGPOOL2D,
    CC_OP_GLOBAL_AVGPOOL, /* (N,C,H,W) -> (N,C,1,1), AdaptiveAvgPool2d(1)       */
    CC_OP_BATCHNORM,      /* BatchNorm2d on (N,C,H,W), BatchNorm1d on (N,F)    */
    CC_OP_RELU,
    CC_OP_LEAKY_RELU,     /* slope = negative_slope (PyTorch default 0.01)     */
    CC_OP_ELU,            /* slope = alpha (PyTorch default 1.0)               */
    CC_OP_SIGMOID,
    CC_OP_TANH,
    CC_OP_DROPOUT,        /* p; inverted scaling in training, identity in eval */
    CC_OP_FLATTEN,
    CC_OP_ADD,            /* residual: output = input + output of layer `from` */
    CC_OP_SOFTMAX,        /* only as the last layer: folded into the loss      */
    CC_OP_IDENTITY,
    /* graph nodes and the operators ONNX models use (see "graphs" below) */
    CC_OP_MUL,            /* a * b; b may be (C,1,1) or (1,1,1) per sample   */
    CC_OP_SUB,            /* a - b; b broadcast as for mul                   */
    CC_OP_CONCAT,         /* channels (rank 4) or features (rank 2) of every
                           * input, in order                                 */
    CC_OP_CONST,          /* no input: `value` (out x kh x kw per sample, or
                           * out flat features when kh = kw = 0), the same
                           * for every sample of the batch; a buffer         */
    CC_OP_CLIP,           /* min(max(x, alpha), beta); ReLU6 = clip(0, 6)    */
    CC_OP_HARDSIGMOID,    /* max(0, min(1, alpha*x + beta)); defaults 1/6, 1/2
                           * (PyTorch; ONNX's are 0.2, 0.5)                  */
    CC_OP_HARDSWISH,      /* x * relu6(x + 3) / 6                            */
    CC_OP_SILU,           /* x * sigmoid(x)                                  */
    CC_OP_GELU,           /* x * Phi(x), the exact (erf) form                */
    CC_OP_SOFTPLUS,       /* log(1 + exp(x))                                 */
    CC_OP_SELU,           /* gamma * (x > 0 ? x : alpha * (exp(x) - 1))       */
    CC_OP_PRELU,          /* x > 0 ? x : w[c] * x, w learnable: `out` slopes
                           * (1 or the channel count; default 1)             */
    CC_OP_LOG_SOFTMAX,    /* over channels; as the last layer, folded into
                           * the loss like softmax                           */
    CC_OP_UPSAMPLE,       /* nearest neighbour, integer factors sh x sw      */
    CC_OP_CONV_TRANSPOSE, /* ConvTranspose2d: out channels, kernel, stride,
                           * padding, dilation, groups; output padding
                           * oph/opw; weight (in, out/groups, kh, kw)        */
    CC_OP_PAD,            /* constant padding pt/pb/pl/pr with value alpha   */
    CC_OP_RESHAPE,        /* the same values seen as out x kh x kw (or out
                           * flat features when kh = kw = 0)                 */
    CC_OP_DIV,            /* a / b; b broadcast as for mul                   */
    /* channel ops (net_chan.c): rank 4 acts on channels, rank 2 on features */
    CC_OP_CHANNEL_SPLIT,  /* chunk `chunk` of `groups` equal channel chunks
                           * (torch.chunk(x, groups, 1)[chunk]); groups must
                           * divide the channels                             */
    CC_OP_CHANNEL_SHUFFLE,/* channel g*(C/groups)+j goes to j*groups+g
                           * (ShuffleNet's channel_shuffle, nn.ChannelShuffle) */
    CC_OP_ADAPTIVE_AVGPOOL, /* AdaptiveAvgPool2d to kh x kw: window
                           * [floor(o*H/kh), ceil((o+1)*H/kh)) (the same in
                           * width); the output may be larger than the input */
    CC_OP_LAYERNORM,      /* normalise over the channels at every position
                           * (torchvision's LayerNorm2d; LayerNorm(C) on a
                           * channels-last map) or over the features; eps
                           * (default 1e-5); weight and bias per channel   */
    CC_OP_SCALE,          /* x * s[c], s learnable per channel (ConvNeXt's
                           * layer scale), initialised to alpha (0: 1)     */
    CC_OP_UPSAMPLE_BILINEAR, /* bilinear, whole factors sh x sw, PyTorch's
                           * align_corners=False: source (d + 0.5) / s - 0.5
                           * clamped at 0, neighbours clamped at the edge   */
    CC_OP_COUNT
} cc_op;

/* Most inputs one layer reads: the concat of a dense block (torchvision's
 * DenseNet-201 joins 49 tensors in one concat when exported to ONNX). */
#define CC_NET_MAX_IN 64

/* Graphs: a layer reads the previous layer's output unless its desc lists
 * inputs (nin, in[]): any earlier layer or the network input (-1). So a
 * sequential stack is the special case nin = 0 everywhere, and residual
 * adds (add of two layers), concatenations and squeeze-excitation products
 * (mul of a (C,H,W) map by a (C,1,1) gate) are ordinary layers. Layers run
 * in index order, so every input must come before its reader; the last
 * layer is the output. Gradients of an output read by several layers add
 * up. */

/* One layer. Zero fields take PyTorch's defaults where one exists (stride
 * = kernel for pooling, 1 for conv; dilation 1; groups 1; eps 1e-5,
 * momentum 0.1; dropout p 0.5; leaky slope 0.01; elu alpha 1). */
typedef struct cc_layer_desc {
    cc_op op;
    long out;              /* conv: out channels; linear: out features       */
    long kh, kw;           /* conv, pool: kernel                             */
    long sh, sw;           /* conv, pool: stride                             */
    long pt, pb, pl, pr;   /* conv, pool: padding top, bottom, left, right   */
    long dh, dw;           /* conv, maxpool: dilation                        */
    long groups;           /* conv                                           */
    int no_bias;           /* conv, linear: 1 = bias=False                   */
    int ceil_mode;         /* pools                                          */
    int exclude_pad;       /* avgpool: 1 = count_include_pad=False           */
    double eps, momentum;  /* batchnorm                                      */
    double slope;          /* leaky relu negative slope, elu alpha           */
    double p;              /* dropout probability in [0, 1)                  */
    int has_p;             /* dropout: 1 = p was given (so p = 0 is allowed) */
    long from;             /* add: index of the earlier layer whose output is
                            * added (-1 = the network input)                 */
    char name[96];         /* optional parameter-name prefix ("features.0")  */
    double alpha, beta;    /* clip min/max, hardsigmoid alpha/beta, selu
                            * alpha/gamma (0: the default), pad value       */
    long oph, opw;         /* conv transpose: output padding               */
    int nin;               /* inputs given in `in` (0: the previous layer,
                            * and for add the layer `from` as well)        */
    long in[CC_NET_MAX_IN];/* input layers by index (-1: the network input);
                            * the first decides the shape of elementwise
                            * layers                                       */
    long chunk;            /* channel split: which chunk (0 .. groups-1)   */
} cc_layer_desc;

/* Shorthands for building networks in code (designated initialisers). */
#define CC_CONV2D(c, k, s, p) \
    ((cc_layer_desc){.op = CC_OP_CONV2D, .out = (c), .kh = (k), .kw = (k), .sh = (s), \
                     .sw = (s), .pt = (p), .pb = (p), .pl = (p), .pr = (p)})
#define CC_LINEAR(f) ((cc_layer_desc){.op = CC_OP_LINEAR, .out = (f)})
#define CC_MAXPOOL2D(k, s) \
    ((cc_layer_desc){.op = CC_OP_MAXPOOL2D, .kh = (k), .kw = (k), .sh = (s), .sw = (s)})
#define CC_AVGPOOL2D(k, s) \
    ((cc_layer_desc){.op = CC_OP_AVGPOOL2D, .kh = (k), .kw = (k), .sh = (s), .sw = (s)})
#define CC_GLOBAL_AVGPOOL() ((cc_layer_desc){.op = CC_OP_GLOBAL_AVGPOOL})
#define CC_BATCHNORM() ((cc_layer_desc){.op = CC_OP_BATCHNORM})
#define CC_RELU() ((cc_layer_desc){.op = CC_OP_RELU})
#define CC_SIGMOID() ((cc_layer_desc){.op = CC_OP_SIGMOID})
#define CC_TANH() ((cc_layer_desc){.op = CC_OP_TANH})
#define CC_DROPOUT(prob) ((cc_layer_desc){.op = CC_OP_DROPOUT, .p = (prob), .has_p = 1})
#define CC_FLATTEN() ((cc_layer_desc){.op = CC_OP_FLATTEN})
#define CC_ADD(layer) ((cc_layer_desc){.op = CC_OP_ADD, .from = (layer)})
#define CC_RELU6() ((cc_layer_desc){.op = CC_OP_CLIP, .alpha = 0.0, .beta = 6.0})
#define CC_HARDSIGMOID() ((cc_layer_desc){.op = CC_OP_HARDSIGMOID})
#define CC_HARDSWISH() ((cc_layer_desc){.op = CC_OP_HARDSWISH})
#define CC_SILU() ((cc_layer_desc){.op = CC_OP_SILU})
#define CC_GELU() ((cc_layer_desc){.op = CC_OP_GELU})
#define CC_UPSAMPLE(s) ((cc_layer_desc){.op = CC_OP_UPSAMPLE, .sh = (s), .sw = (s)})
/* Two-input nodes: CC_ADD2(a, b), CC_MUL2(a, b), CC_CONCAT2(a, b) (layer
 * indexes, -1 the network input). */
#define CC_ADD2(a, b) ((cc_layer_desc){.op = CC_OP_ADD, .nin = 2, .in = {(a), (b)}})
#define CC_MUL2(a, b) ((cc_layer_desc){.op = CC_OP_MUL, .nin = 2, .in = {(a), (b)}})
#define CC_CONCAT2(a, b) ((cc_layer_desc){.op = CC_OP_CONCAT, .nin = 2, .in = {(a), (b)}})

/* "conv2d", "linear", "maxpool2d", ... */
const char *cc_op_name(cc_op op);

typedef struct cc_net cc_net;

/* Build a network for inputs of shape (in_c, in_h, in_w); in_h = in_w = 0
 * means flat inputs of in_c features (as cc_stack_set_input).
 * Infers every shape (an error names the layer and the dimension that does
 * not fit), allocates the parameters and buffers and initialises them from
 * seed. */
int cc_net_new(cc_net **out, const cc_layer_desc *layers, size_t nlayers, long in_c,
               long in_h, long in_w, uint64_t seed, cc_error *err);
void cc_net_free(cc_net *net);

/* Build the network a layer stack describes (see convcalc/stack.h), for the
 * stack's input shape; layer names come from the stack when it has them. */
struct cc_stack;
int cc_net_from_stack(cc_net **out, const struct cc_stack *stack, uint64_t seed,
                      cc_error *err);

/* Does the engine's output shape (c, h, w per sample; h = w = 1 when flat)
 * for stack layer l (inferred) hold what the stack says? 1: the same
 * shape; 2: the same values flattened (the stack shows an element-wise
 * layer before a flattening linear layer with a flat output, the engine
 * keeps C x H x W there and flattens in the linear layer); 0: no. */
struct cc_layer;
int cc_net_stack_shape_match(const struct cc_layer *l, long c, long h, long w);
/* Is stack layer l (inferred) left out of the network cc_net_from_stack
 * builds? 1 for a layer of an auxiliary head (it runs only in training)
 * whose shapes are not known because the head does not fit the input
 * size: the engine runs an identity in its place, without parameters. */
int cc_net_stack_skipped(const struct cc_layer *l);

/* Re-draw every parameter from seed and reset the buffers (as cc_net_new). */
void cc_net_init(cc_net *net, uint64_t seed);

/* Training mode (1: batch statistics, dropout active) or eval mode (0). New
 * networks start in training mode, as PyTorch modules do. */
void cc_net_set_train(cc_net *net, int train);
int cc_net_is_train(const cc_net *net);
/* Seed the stream dropout draws its masks from (set by cc_net_new/init). */
void cc_net_seed_dropout(cc_net *net, uint64_t seed);

/* Worker threads for the kernels (1..64; default 1). Results are
 * bit-identical for the same thread count. */
int cc_net_set_threads(cc_net *net, int threads, cc_error *err);
int cc_net_threads(const cc_net *net);

/* Fused fast paths (on by default): a relu followed by a max pool without
 * padding runs as one pass and keeps no relu activation. Results are
 * bit-identical either way; 0 runs every layer by itself (the reference
 * the tests compare against). Frees the batch buffers when it changes. */
void cc_net_set_fast(cc_net *net, int fast);

/* Allocate activations and workspaces for batches up to `batch` now (the
 * forward pass does it on demand). */
int cc_net_reserve(cc_net *net, long batch, cc_error *err);

/* Forward pass of a batch x: (batch, in_c, in_h, in_w). Keeps what the
 * backward pass needs, including the pointer x: leave x unchanged until
 * cc_net_backward has run. */
int cc_net_forward(cc_net *net, const float *x, long batch, cc_error *err);
/* The output of the last forward pass: (batch, classes) logits (a final
 * softmax layer is not applied here; see cc_net_probs). */
const float *cc_net_output(const cc_net *net, long *batch, long *classes);
/* Softmax of the output, written to probs (batch, classes). */
int cc_net_probs(const cc_net *net, float *probs, cc_error *err);
/* The model's own output of the last forward pass, written to out (batch,
 * classes): the output with a final softmax or log-softmax applied (the
 * layers cc_net_output leaves out), as the model would compute it. */
int cc_net_final_output(const cc_net *net, float *out, cc_error *err);

/* Mean softmax cross-entropy of the last forward's output against labels
 * (batch, each in [0, classes)); sets *loss, *correct (argmax == label;
 * may be NULL) and the gradient of the loss for cc_net_backward. Fails with
 * CC_ENUMERIC when the loss is NaN or infinite, CC_EINVAL for a bad label. */
int cc_net_loss(cc_net *net, const int32_t *labels, double *loss, long *correct,
                cc_error *err);
/* Backward pass from the gradient cc_net_loss left (or one set with
 * cc_net_set_doutput): accumulates into every parameter gradient. */
int cc_net_backward(cc_net *net, cc_error *err);
/* Start a backward pass from a given output gradient (batch, classes). */
int cc_net_set_doutput(cc_net *net, const float *dout, cc_error *err);
/* Ask the backward pass for the gradient with respect to the input too (off
 * by default: the first layer then skips that work). */
void cc_net_want_dinput(cc_net *net, int want);
/* Gradient of the loss with respect to the last input (batch, in_c, in_h,
 * in_w) after cc_net_backward with cc_net_want_dinput on; NULL otherwise. */
const float *cc_net_dinput(const cc_net *net);

/* Set every parameter gradient to zero. */
void cc_net_zero_grad(cc_net *net);

/* ---- parameters and buffers --------------------------------------------- */
typedef struct cc_net_tensor {
    const char *name; /* "3.weight", "features.0.bias", "1.running_mean"   */
    float *data;      /* [numel]                                          */
    float *grad;      /* [numel] for parameters, NULL for buffers          */
    size_t numel;
    int ndim;         /* 1 (bias, BN vectors), 2 (linear weight), 4 (conv)  */
    long shape[4];    /* PyTorch's shape: conv (out, in/groups, kh, kw),
                       * linear (out, in), vectors (n)                     */
    size_t layer;     /* index of the layer that owns it                  */
    int trainable;    /* 1 for parameters the optimizer updates; 0 for
                       * buffers and frozen parameters                    */
} cc_net_tensor;

/* Parameter tensors, in layer order, weight before bias. */
size_t cc_net_param_count(const cc_net *net);
int cc_net_param(cc_net *net, size_t i, cc_net_tensor *out, cc_error *err);
/* Buffer tensors (BatchNorm running mean and variance), in layer order. */
size_t cc_net_buffer_count(const cc_net *net);
int cc_net_buffer(cc_net *net, size_t i, cc_net_tensor *out, cc_error *err);
/* Look a parameter or buffer up by name; 0, or CC_EINVAL if there is none. */
int cc_net_find(cc_net *net, const char *name, cc_net_tensor *out, cc_error *err);
/* Copy numel values into the parameter or buffer called name (the count
 * must match); CC_ENUMERIC if a value is not finite. */
int cc_net_set(cc_net *net, const char *name, const float *data, size_t numel,
               cc_error *err);

/* Scalars: trainable parameters, and buffer elements (running statistics;
 * PyTorch's num_batches_tracked counters are not kept). */
int64_t cc_net_num_params(const cc_net *net);
int64_t cc_net_num_trainable(const cc_net *net);
int64_t cc_net_num_buffers(const cc_net *net);

/* ---- structure ------------------------------------------------------------ */
typedef struct cc_net_layer_info {
    cc_op op;
    const char *name;    /* PyTorch-style prefix: "3" or the desc's name   */
    int rank;            /* 4 for (N,C,H,W) outputs, 2 for (N,F)           */
    long out_c, out_h, out_w; /* output shape per sample (F,1,1 when flat) */
    int64_t params;      /* trainable scalars of this layer                */
    int64_t buffers;     /* buffer scalars of this layer                   */
    const cc_layer_desc *desc; /* the layer as built (defaults filled in);
                                  valid while the net lives              */
    int nin;             /* inputs it reads (0 for a constant)             */
    long in[CC_NET_MAX_IN]; /* their layer indexes, -1 the network input    */
    int in_rank;         /* of the first input: 4 (C,H,W) or 2 (F)         */
    long in_c, in_h, in_w;  /* its shape per sample (F,1,1 when flat)      */
} cc_net_layer_info;

size_t cc_net_layer_count(const cc_net *net);
/* What layer i (< cc_net_layer_count) is, computes and reads from. */
int cc_net_layer(const cc_net *net, size_t i, cc_net_layer_info *out, cc_error *err);

/* The network as a layer stack (stack.h) for reports and figures, every
 * shape and parameter count taken from the built layers: each layer
 * becomes one stack layer of the nearest kind (operators the stack model
 * has no kind for become modules named after the operator; constants are
 * left out); a layer that reads an output other than the one just before
 * starts with a one-source concat (a branch, as darknet's route), an add,
 * product, difference or quotient keeps its other operand in .from, and a
 * concatenation its first CC_CONCAT_MAX sources. shapes is
 * CC_SHAPES_SEQUENTIAL; MACs and FLOPs are not counted (-1). Free with
 * cc_stack_free. */
int cc_net_to_stack(cc_stack **out, const cc_net *net, cc_error *err);
/* Input shape per sample and the number of classes (outputs per sample). */
void cc_net_input_shape(const cc_net *net, long *c, long *h, long *w);
long cc_net_classes(const cc_net *net);

/* Bytes allocated for activations, gradients, caches and workspaces for
 * the current batch capacity, and for parameters (+grads) and buffers. */
size_t cc_net_activation_bytes(const cc_net *net);
size_t cc_net_param_bytes(const cc_net *net);

#ifdef __cplusplus
}
#endif
#endif
