/* convcalc/stack.h - layer stacks: the model, shape inference, parameter,
 * buffer, MAC and FLOP counting, receptive field and jump per layer.
 *
 * A cc_stack is a flat list of leaf layers (containers such as PyTorch's
 * Sequential only contribute to the dotted names). Three readers fill one:
 * the spec language (convcalc-spec(5)), a PyTorch `print(model)` dump and a
 * darknet .cfg. cc_stack_infer then computes every layer's input and output
 * shape and its counts. Data layout is channels first: a 3-D tensor is
 * C x H x W (the batch dimension is never stored), a flat one has rank 1 and
 * its size in c (h = w = 1).
 *
 * Counting conventions (PyTorch's, which torchinfo follows):
 *   params     the layer's learnable tensors (weights, biases, BatchNorm's
 *              gamma and beta); trainable unless the source froze them
 *   buffers    BatchNorm's running mean and running variance (2C); they are
 *              state, not parameters. PyTorch also keeps one integer
 *              num_batches_tracked per BatchNorm: not counted.
 *   Keras      counts a BatchNorm as 4C parameters, 2C of them
 *              non-trainable: cc_stack_totals(..., keras = 1, ...)
 *   MACs       multiply-accumulates of conv and linear layers
 *              (conv: Hout*Wout*Cout * Kh*Kw*Cin/groups; linear: in*out)
 *   FLOPs      every floating-point operation of one forward pass in
 *              inference mode; see convcalc-spec(5) for each layer's rule
 *              (conv/linear: per output 2n-1 for a sum of n products, +1
 *              for the bias)
 *   receptive field and jump (Araujo et al., "Computing receptive fields of
 *              convolutional neural networks", Distill 2019):
 *              r_out = r_in + (k_eff - 1) * j_in,  j_out = j_in * s
 *
 * Every function returns 0 or a negative CC_E* code and fills the caller's
 * cc_error (message, 1-based line and column in the text that was read).
 */
#ifndef CONVCALC_STACK_H
#define CONVCALC_STACK_H

#include <stddef.h>
#include <stdint.h>

#include "convcalc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- layers -------------------------------------------------------------- */
typedef enum cc_layer_kind {
    CC_LAYER_CONV = 0,          /* 2-D convolution (cross-correlation)        */
    CC_LAYER_MAXPOOL,           /* max pooling                                 */
    CC_LAYER_AVGPOOL,           /* average pooling                             */
    CC_LAYER_GLOBAL_AVGPOOL,    /* mean over H, W: C x H x W -> C x 1 x 1      */
    CC_LAYER_ADAPTIVE_AVGPOOL,  /* PyTorch AdaptiveAvgPool2d: -> C x out_h x out_w */
    CC_LAYER_BATCHNORM1D,       /* over a flat input (C features)             */
    CC_LAYER_BATCHNORM2D,       /* per channel of a C x H x W input           */
    CC_LAYER_RELU,
    CC_LAYER_LEAKY_RELU,        /* slope for negative inputs in .slope         */
    CC_LAYER_ELU,               /* .alpha                                      */
    CC_LAYER_SIGMOID,
    CC_LAYER_TANH,
    CC_LAYER_SOFTMAX,           /* over the channels (dim 1 in PyTorch)        */
    CC_LAYER_DROPOUT,           /* .p; identity at inference                   */
    CC_LAYER_FLATTEN,           /* C x H x W -> C*H*W (row-major, as PyTorch)  */
    CC_LAYER_LINEAR,            /* fully connected: in_features -> out_features */
    CC_LAYER_IDENTITY,          /* passes its input through                    */
    CC_LAYER_ADD,               /* residual: previous output + output of .from */
    CC_LAYER_CONCAT,            /* channel concatenation of .sources (route)   */
    CC_LAYER_RELU6,             /* more parameter-free activations (PyTorch)   */
    CC_LAYER_GELU,
    CC_LAYER_SILU,
    CC_LAYER_HARDSWISH,
    CC_LAYER_HARDSIGMOID,
    CC_LAYER_UPSAMPLE,          /* nearest neighbour, integer factor in
                                   stride_h x stride_w (darknet [upsample]) */
    CC_LAYER_REORG,             /* darknet [reorg]: space to depth by .stride_h
                                   (.reverse: depth to space); .extra > 0: a
                                   flat output of C*H*W + extra values        */
    CC_LAYER_CROP,              /* darknet [crop]: the centre out_h x out_w    */
    CC_LAYER_LOCAL,             /* darknet [local]: a convolution whose weights
                                   differ at every output position           */
    CC_LAYER_RECURRENT,         /* darknet [rnn], [gru], [lstm]: .cell, hidden
                                   size .out_features, per time step         */
    CC_LAYER_DETECT,            /* darknet [yolo], [region], [detection]: the
                                   output of a detector, no parameters       */
    CC_LAYER_ACTIVATION,        /* an element-wise activation known only by
                                   its name in .type (darknet's ramp, loggy,
                                   selu, relie, plse, stair, hardtan, lhtan):
                                   no parameters, 1 FLOP per value; the
                                   engine does not build it                  */
    CC_LAYER_MODULE,            /* a PyTorch module counted from its printed
                                   arguments: .fixed_params/.fixed_buffers,
                                   its shape by .rule (cc_module_rule)      */
    CC_LAYER_MUL,               /* previous output * output of .from, the
                                   C x 1 x 1 side broadcast over H x W
                                   (squeeze-excitation)                     */
    CC_LAYER_KIND_COUNT
} cc_layer_kind;

/* Recurrent cells (darknet's): each is made of connected sub-layers, in
 * -> hidden and hidden -> hidden, each with its own bias. */
enum {
    CC_CELL_RNN = 0, /* input, self and output sub-layers: 1 + 2        */
    CC_CELL_GRU,     /* z, r, h gates: 3 from the input + 3 recurrent   */
    CC_CELL_LSTM     /* f, i, g, o gates: 4 from the input + 4 recurrent */
};

/* Which kind of detector output a CC_LAYER_DETECT is (its .type says it
 * too): a [yolo] or [region] layer keeps its C x H x W input (C must be
 * det_num * (det_classes + det_coords + 1)); a [detection] layer takes a
 * flat input of det_side^2 * ((1 + det_coords) * det_num + det_classes). */

/* How a CC_LAYER_MODULE changes the shape of its input. */
typedef enum cc_module_rule {
    CC_RULE_KEEP = 0,     /* the shape is unchanged (norms, PReLU, ...)     */
    CC_RULE_OPAQUE,       /* not known: shapes after it are not inferred    */
    CC_RULE_CHANNELS_LAST,/* Permute([0, 2, 3, 1]): C x H x W stays, but
                             the following layers act on the last axis    */
    CC_RULE_CHANNELS_FIRST, /* Permute([0, 3, 1, 2]): back               */
    CC_RULE_UPSAMPLE,     /* rule_arg: out h, out w (0: use the scale),
                             scale h, scale w (-1: the H x W of layer
                             .from's output, or of the input)             */
    CC_RULE_PAD,          /* rule_arg: left, right, top, bottom           */
    CC_RULE_PIXEL_SHUFFLE,/* rule_arg[0]: upscale factor r: C/r^2 x rH x rW */
    CC_RULE_PIXEL_UNSHUFFLE, /* rule_arg[0]: r: C*r^2 x H/r x W/r        */
    CC_RULE_CONV_TRANSPOSE, /* 2-D transposed convolution: kernel, stride,
                             padding, dilation, groups, filters as conv;
                             rule_arg[0..1]: output padding h, w          */
    CC_RULE_POS_EMBED,    /* parameters from the input size: ViT's class
                             token and position embedding, rule_arg[0] =
                             patch size, [1] = hidden size                */
    CC_RULE_UNFLATTEN,    /* Unflatten(1, (C, H, W)): rule_arg C, H, W     */
    /* transformers: token sequences are held channels-last, N tokens of
     * D features as D x N x 1 (windows: D x H x W) */
    CC_RULE_TOKENS,       /* C x H x W -> H*W + rule_arg[0] tokens of C    */
    CC_RULE_CLASS_TOKEN,  /* tokens -> the first token's D features       */
    CC_RULE_ATTENTION,    /* softmax(q k^T) v as functions, no hooked MACs:
                             rule_arg[0] window side (0: every token sees
                             every token; -1: each row of H sees its W
                             tokens), [1] 1: input D (in_proj included),
                             0: input 3D (q, k, v), [2] D                 */
    CC_RULE_PATCH_MERGE,  /* channels-last C x H x W -> 4C x H/2 x W/2     */
    CC_RULE_TABLE,        /* a 2 x S x S coordinate table (rule_arg[0] S),
                             whatever the input                           */
    CC_RULE_PARTITION,    /* C x H x W -> channels-last C x G x P: G
                             windows of P pixels; rule_arg[0] partition
                             size, [1] 1: grid (P = (H/size)^2)           */
    CC_RULE_DEPARTITION,  /* back to the input shape of layer .from       */
    CC_RULE_SWAP,         /* channels-last C x H x W -> C x W x H          */
    CC_RULE_CHANNEL_SHUFFLE, /* rule_arg[0]: groups G; the shape is kept,
                             channel g*(C/G)+j moves to j*G+g             */
    CC_RULE_COUNT
} cc_module_rule;

/* A shape without the batch dimension. rank 3: C x H x W; rank 1: c
 * features (h = w = 1); rank 0: not known. */
typedef struct cc_shape {
    int rank;
    long c, h, w;
} cc_shape;

/* Source of a layer's input other than the previous layer: an index into
 * the stack's layers, or CC_FROM_INPUT for the stack's input. */
#define CC_FROM_INPUT (-1L)
#define CC_CONCAT_MAX 8

/* What cc_stack_infer computes for each layer. -1 in a count means not
 * known (no shapes); rf_* = -1 means "the whole input" (after linear or
 * global pooling), 0 "no fixed size" (adaptive pooling whose windows are
 * uneven). */
typedef struct cc_layer_counts {
    int64_t params;        /* all parameters = trainable + non_trainable    */
    int64_t trainable;
    int64_t non_trainable; /* frozen parameters (PyTorch requires_grad off)  */
    int64_t buffers;       /* BatchNorm running mean + variance: 2C          */
    int64_t macs;          /* multiply-accumulates, -1 if shapes unknown     */
    int64_t flops;         /* floating-point operations, -1 if unknown       */
    int64_t activations;   /* elements of the output (batch 1), -1 unknown   */
    long rf_h, rf_w;       /* receptive field in input pixels, -1 whole input */
    long jump_h, jump_w;   /* distance in input pixels between neighbours    */
    int64_t unhooked_macs; /* MACs forward hooks do not see (projections and
                              attention products forward() computes as
                              functions): not in macs                    */
} cc_layer_counts;

/* One layer. Initialise with cc_layer_init (it sets the defaults noted
 * below), fill what the kind uses, append with cc_stack_add. Fields a kind
 * does not use are ignored. */
typedef struct cc_layer {
    cc_layer_kind kind;
    char name[96];        /* "conv1", "features.0", "layer1.0.bn1"; may be "" */
    char type[40];        /* the source's own type name ("Conv2d",
                             "convolutional"); "" -> cc_layer_kind_name   */
    int line, col;        /* where it was defined in the text (0: unknown) */
    int depth;            /* nesting depth in the source (0 = top level)   */

    /* conv, pooling (kernel, stride, padding, dilation) */
    long in_channels;     /* conv: as declared by the source, 0 = infer    */
    long filters;         /* conv: output channels                         */
    long kernel_h, kernel_w;
    long stride_h, stride_w;        /* default 1 (pooling: 0 = kernel)     */
    long pad_top, pad_bottom, pad_left, pad_right; /* default 0            */
    int pad_same;         /* conv: "same" padding, resolved by inference   */
    long dilation_h, dilation_w;    /* default 1                           */
    long groups;          /* default 1; = in channels for depthwise        */
    int bias;             /* conv, linear: default 1                       */
    int ceil_mode;        /* pooling: round the output size up            */
    int count_include_pad;/* avgpool: default 1 (PyTorch)                  */
    long out_h, out_w;    /* adaptive avgpool target size                  */

    /* batchnorm */
    long num_features;    /* as declared, 0 = infer                        */
    double eps;           /* default 1e-5                                  */
    double momentum;      /* default 0.1                                   */
    int affine;           /* default 1: learnable gamma and beta           */
    int track_running_stats; /* default 1: running mean/var buffers        */

    /* activations, dropout */
    double slope;         /* leaky relu, default 0.01                      */
    double alpha;         /* elu, default 1.0                              */
    double p;             /* dropout probability, default 0.5              */

    /* linear */
    long in_features;     /* as declared, 0 = infer                        */
    long out_features;
    int flatten_input;    /* accept C x H x W and flatten it first (darknet
                             "connected"); otherwise the input must be flat */

    /* add, concat */
    long from;            /* add: index of the other operand, CC_FROM_INPUT */
    long sources[CC_CONCAT_MAX]; /* concat: layer indexes (or CC_FROM_INPUT) */
    int n_sources;

    int frozen;           /* parameters are not trainable                  */

    /* darknet (import_darknet.c) */
    long src_layer;       /* the source's own layer number + 1 (darknet:
                             section index + 1); 0 = none                  */
    int resample;         /* add: the shapes may differ (darknet's
                             [shortcut]): the output has the previous
                             layer's shape, and the channels both have are
                             added, the larger map sampled with the ratio
                             of the sizes                                  */
    long group_id;        /* concat with groups G > 1: take channel slice
                             group_id of G from every source            */
    int reverse;          /* reorg: depth to space                        */
    long extra;           /* reorg: see CC_LAYER_REORG; a module with
                             CC_RULE_UPSAMPLE: 0 nearest neighbour, 1
                             bilinear (align_corners=False), 2 another mode */
    int cell;             /* recurrent: CC_CELL_*                          */
    int cell_bn;          /* recurrent: batch_normalize in every sub-layer */
    int noadjust;         /* crop: no 2x-1 rescaling of the values        */
    long det_num, det_classes, det_coords, det_side; /* detect: anchors,
                             classes, box coordinates, grid side
                             (detection only)                              */
    /* module (CC_LAYER_MODULE) */
    int64_t fixed_params; /* parameters its printed arguments fix          */
    int64_t fixed_buffers;/* buffers (running statistics, tables)          */
    int rule;             /* cc_module_rule                                */
    long rule_arg[4];
    char formula[96];     /* how fixed_params was counted, "" for none     */

    /* every kind */
    int implied;          /* the layer, or its count, comes from knowing the
                             source's class (torchvision) rather than from
                             the text; 2: a layer forward() adds that the
                             text does not show (an add, a branch start)   */
    int repeat_call;      /* a module that forward() calls again: its
                             parameters are counted at the first call      */

    /* ---- filled by cc_stack_infer ---- */
    cc_shape in, out;     /* rank 0 when not known                         */
    int in_last, out_last;/* rank 3 held channels-last (after a PyTorch
                             Permute): a linear layer or a LayerNorm acts
                             on C at every H, W position                   */
    cc_layer_counts counts;
    int functional;       /* forward() applies this module's weights as a
                             function (F.linear): no forward hook sees it,
                             so its MACs go to counts.unhooked_macs        */
} cc_layer;

/* Set every field to its default for kind (zero the rest). */
void cc_layer_init(cc_layer *l, cc_layer_kind kind);
/* "conv", "maxpool", "batchnorm2d", "leakyrelu", ... (the spec keyword). */
const char *cc_layer_kind_name(cc_layer_kind kind);
/* The layer as one line of the spec language, without its name:
 * "conv 32 5x5 pad 2", "maxpool 2", "linear 2048->64". */
void cc_layer_describe(cc_buf *out, const cc_layer *l);
/* The parameter count written out with its numbers, e.g.
 * "(5*5*3 + 1) * 32 = 2432"; "" for parameter-free layers. keras: count a
 * BatchNorm as Keras does (4C). Needs in_channels/num_features/in_features
 * (declared or inferred). */
void cc_layer_param_formula(cc_buf *out, const cc_layer *l, int keras);

/* ---- stacks ---------------------------------------------------------------- */
typedef enum cc_stack_source {
    CC_SOURCE_AUTO = 0,   /* detect from the content (cc_stack_detect)     */
    CC_SOURCE_SPEC,       /* the spec language, convcalc-spec(5)           */
    CC_SOURCE_TORCH,      /* PyTorch print(model)                          */
    CC_SOURCE_DARKNET,    /* darknet .cfg                                  */
    CC_SOURCE_API         /* built with cc_stack_add                       */
} cc_stack_source;

/* What cc_stack_infer could say about shapes. */
typedef enum cc_shape_status {
    CC_SHAPES_NONE = 0,   /* not inferred (no input size, or not run)      */
    CC_SHAPES_SEQUENTIAL, /* a chain (plus add/concat): every shape known  */
    CC_SHAPES_ASSUMED,    /* a custom PyTorch module whose modules fit
                             together in printed order: shapes assume that
                             forward() calls them in that order           */
    CC_SHAPES_UNKNOWN     /* a non-sequential model (residual blocks in a
                             PyTorch repr): parameters exact, no shapes    */
} cc_shape_status;

/* A remark about the input that is not an error (an unknown darknet key
 * that was ignored, an assumption made). */
typedef struct cc_stack_note {
    int line, col;        /* 0: not tied to a line */
    char msg[256];
} cc_stack_note;

typedef struct cc_stack {
    cc_layer *layers;     /* n layers, in order                            */
    size_t n, cap;
    cc_shape input;       /* rank 0 until set (spec "input", darknet [net],
                             cc_stack_set_input)                           */
    int input_line;       /* where the input size was given (0: not text) */
    cc_stack_source source;
    int custom_modules;   /* torch: a container other than Sequential was
                             seen, so the printed order may not be forward's */
    cc_shape_status shapes; /* set by cc_stack_infer                       */
    char shape_note[256]; /* why shapes are unknown/assumed, or ""         */
    cc_stack_note *notes;
    size_t n_notes, cap_notes;
} cc_stack;

/* Totals over the layers. Counts that are not known are -1. */
typedef struct cc_stack_totals {
    int64_t total_params;        /* trainable + non_trainable             */
    int64_t trainable_params;
    int64_t non_trainable_params;
    int64_t buffers;             /* (Keras: 0, they count as parameters)   */
    int64_t macs, flops;
    int64_t input_elements;      /* C*H*W of the input (batch 1)           */
    int64_t activation_elements; /* torchinfo's forward/backward estimate:
                                    2 x the output elements of every layer
                                    that has parameters (batch 1)          */
    int64_t unhooked_macs;       /* sum of the layers' unhooked_macs (-1
                                    when macs is)                         */
} cc_stack_totals;

cc_stack *cc_stack_new(void);
void cc_stack_free(cc_stack *s);
/* Append a copy of *l. */
int cc_stack_add(cc_stack *s, const cc_layer *l, cc_error *err);
/* Set the input size: H x W x C (h = w = 0: a flat input of c features). */
int cc_stack_set_input(cc_stack *s, long h, long w, long c, cc_error *err);
/* Append a note (printf-style). */
int cc_stack_note_add(cc_stack *s, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Parse "32x32x3" (H x W x C), "28x28" (C = 1) or "784" (flat) into a
 * shape. */
int cc_shape_parse(const char *text, cc_shape *out, cc_error *err);
/* "3x32x32" style (C x H x W) for rank 3, "2048" for rank 1, "?" for 0. */
void cc_shape_format(cc_buf *out, const cc_shape *s);

/* 1 for the element-wise kinds (activations, dropout, identity): one output
 * value per input value, any shape kept; 0 for every other kind. */
int cc_layer_elementwise(cc_layer_kind k);

/* Which reader fits the text: darknet if the first non-blank,
 * non-comment line is a [section]; torch if it looks like
 * `Name(` ... `)` with `(child): Module(...)` lines, also below one
 * `input SIZE` line; else spec. */
cc_stack_source cc_stack_detect(const char *text, size_t len);

/* Read a stack from text (len bytes, need not be NUL-terminated). On error
 * *out is NULL and err has the line and column. With CC_SOURCE_AUTO or
 * CC_SOURCE_TORCH, one spec line `input HxWxC` (or HxW, or N) above a
 * PyTorch print(model) sets its input size, as cc_stack_set_input would. */
int cc_stack_parse(cc_stack **out, const char *text, size_t len,
                   cc_stack_source from, cc_error *err);
int cc_stack_parse_spec(cc_stack **out, const char *text, size_t len, cc_error *err);
int cc_stack_parse_torch(cc_stack **out, const char *text, size_t len, cc_error *err);
int cc_stack_parse_darknet(cc_stack **out, const char *text, size_t len,
                           cc_error *err);

/* Infer every shape and count. Parameter counts need channel counts:
 * declared ones (torch, darknet) or the input size. Shape errors stop at
 * the first bad layer with its line/column and the failed rule, e.g.
 * "linear expects 2048 inputs but flatten gives 1152" (CC_ESHAPE). May be
 * called again after cc_stack_set_input. */
int cc_stack_infer(cc_stack *s, cc_error *err);

/* Sum the counts. keras: the Keras convention for BatchNorm. */
void cc_stack_totals_get(const cc_stack *s, int keras, cc_stack_totals *out);

/* What `darknet ops` prints for a stack read from a darknet cfg: 2 x the
 * MACs of its convolutional, connected and recurrent layers (darknet leaves
 * other layers, locally connected ones included, out). -1 when shapes are
 * not known. Needs cc_stack_infer. */
int64_t cc_stack_darknet_ops(const cc_stack *s);

/* The stack in the spec language, every layer spelled out with its name,
 * so that cc_stack_parse_spec reads back the same stack (model files keep
 * it this way). CC_EINVAL when a layer has no spec form (CC_LAYER_MODULE,
 * CC_LAYER_MUL: PyTorch modules the spec language does not have). */
int cc_stack_to_spec(cc_buf *out, const cc_stack *s);

#ifdef __cplusplus
}
#endif
#endif
