/* net_stack.c - cc_net_from_stack: turn an inferred layer stack
 * (convcalc/stack.h) into layer descriptions for the engine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/net.h"
#include "convcalc/stack.h"
#include "engine/net_internal.h"

static int unsupported(cc_error *err, size_t i, const cc_layer *l)
{
    char where[64] = "";
    if (l->src_layer > 0)
        snprintf(where, sizeof where, ", darknet layer %ld", l->src_layer - 1);
    cc_error_set(err, CC_EINVAL,
                 "layer %zu (%s%s%s) is a kind the engine does not implement; it can count "
                 "its parameters but not train it", i + 1,
                 l->type[0] ? l->type : cc_layer_kind_name(l->kind), where,
                 l->kind == CC_LAYER_ADD ? ", an add of two different shapes" :
                 l->kind == CC_LAYER_CONCAT ? ", channel groups of several sources" :
                 l->kind == CC_LAYER_SOFTMAX ? ", groups" :
                 l->kind != CC_LAYER_MODULE ? "" :
                 l->rule == CC_RULE_UPSAMPLE ? ", a mode other than nearest or bilinear "
                                               "without aligned corners, or a factor that "
                                               "is not whole" :
                 !strncmp(l->type, "LayerNorm", 9) ? ", over a dimension other than the "
                                                     "channels" : "");
    if (err) {
        err->line = l->line;
        err->col = l->col;
    }
    return CC_EINVAL;
}

/* Fill d (and the flags: 1 no affine, 2 no running statistics, 4 frozen)
 * from stack layer l. */
/* Does add layer l's other operand have l's input shape? */
static int same_as_source(const cc_layer *l, const cc_stack *stack)
{
    const cc_shape *f = l->from == CC_FROM_INPUT ? &stack->input
                        : l->from >= 0 && (size_t)l->from < stack->n
                            ? &stack->layers[l->from].out
                            : NULL;
    return f && f->rank == l->in.rank && f->c == l->in.c && f->h == l->in.h && f->w == l->in.w;
}

/* A PyTorch module (CC_LAYER_MODULE) the engine has an op for. */
static int convert_module(cc_layer_desc *d, unsigned char *flags, size_t i, const cc_layer *l,
                          cc_error *err)
{
    size_t nl = strlen(l->name);
    int ln = !strcmp(l->type, "LayerNorm2d") || !strcmp(l->type, "LayerNorm");
    switch (l->rule) {
    case CC_RULE_CHANNELS_LAST:
    case CC_RULE_CHANNELS_FIRST:
        /* the engine keeps C x H x W: the layers after a Permute that act
         * on the channels (linear, LayerNorm) are built channels-first */
        d->op = CC_OP_IDENTITY;
        return 0;
    case CC_RULE_KEEP:
        /* LayerNorm over the channels: LayerNorm2d, LayerNorm(C) on a
         * channels-last map or on C features */
        if (ln && (strcmp(l->type, "LayerNorm") || l->in.rank == 1 || l->in_last) &&
            (l->fixed_params == 0 || l->fixed_params == 2 * (int64_t)l->in.c)) {
            d->op = CC_OP_LAYERNORM;
            *flags |= l->fixed_params == 0 ? 1 : 0;
            return 0;
        }
        if (!strcmp(l->type, "PReLU")) {
            d->op = CC_OP_PRELU;
            d->out = (long)l->fixed_params;
            return 0;
        }
        if (!strcmp(l->type, "SELU")) {
            d->op = CC_OP_SELU;
            return 0;
        }
        if (!strcmp(l->type, "LogSoftmax") && l->in.rank == 1) {
            /* over the features: the only dimension of a vector */
            d->op = CC_OP_LOG_SOFTMAX;
            return 0;
        }
        /* a learnable per-channel factor the reader adds as layer_scale
         * (ConvNeXt's CNBlock) */
        if (l->implied && nl >= 11 && !strcmp(l->name + nl - 11, "layer_scale") &&
            l->fixed_params == l->in.c && l->fixed_buffers == 0) {
            d->op = CC_OP_SCALE;
            return 0;
        }
        break;
    case CC_RULE_UPSAMPLE:
        /* nearest neighbour or bilinear (align_corners=False) by whole
         * factors (the scale, or a size that is a multiple of the input) */
        if (l->extra > 1 || l->in.rank != 3 || l->out.rank != 3 || l->out.h % l->in.h ||
            l->out.w % l->in.w)
            break;
        d->op = l->extra ? CC_OP_UPSAMPLE_BILINEAR : CC_OP_UPSAMPLE;
        d->sh = l->out.h / l->in.h;
        d->sw = l->out.w / l->in.w;
        return 0;
    case CC_RULE_CONV_TRANSPOSE:
        d->op = CC_OP_CONV_TRANSPOSE;
        d->out = l->filters;
        d->groups = l->groups;
        d->no_bias = !l->bias;
        d->oph = l->rule_arg[0];
        d->opw = l->rule_arg[1];
        return 0;
    case CC_RULE_PAD:
        if (strcmp(l->type, "ZeroPad2d") != 0)
            break; /* reflection, replication or another value */
        d->op = CC_OP_PAD;
        d->pl = l->rule_arg[0];
        d->pr = l->rule_arg[1];
        d->pt = l->rule_arg[2];
        d->pb = l->rule_arg[3];
        return 0;
    case CC_RULE_CHANNEL_SHUFFLE:
        d->op = CC_OP_CHANNEL_SHUFFLE;
        d->groups = l->rule_arg[0];
        return 0;
    case CC_RULE_UNFLATTEN:
        d->op = CC_OP_RESHAPE;
        d->out = l->rule_arg[0];
        d->kh = l->rule_arg[1];
        d->kw = l->rule_arg[2];
        return 0;
    default:
        break;
    }
    return unsupported(err, i, l);
}

static int convert(cc_layer_desc *d, unsigned char *flags, size_t i, const cc_layer *l,
                   const cc_stack *stack, cc_error *err)
{
    memset(d, 0, sizeof *d);
    *flags = l->frozen ? 4 : 0;
    snprintf(d->name, sizeof d->name, "%s", l->name);
    d->kh = l->kernel_h;
    d->kw = l->kernel_w;
    d->sh = l->stride_h;
    d->sw = l->stride_w;
    d->pt = l->pad_top;
    d->pb = l->pad_bottom;
    d->pl = l->pad_left;
    d->pr = l->pad_right;
    d->dh = l->dilation_h;
    d->dw = l->dilation_w;
    switch (l->kind) {
    case CC_LAYER_CONV:
        d->op = CC_OP_CONV2D;
        d->out = l->filters;
        d->groups = l->groups;
        d->no_bias = !l->bias;
        break;
    case CC_LAYER_MAXPOOL:
    case CC_LAYER_AVGPOOL:
        d->op = l->kind == CC_LAYER_MAXPOOL ? CC_OP_MAXPOOL2D : CC_OP_AVGPOOL2D;
        d->ceil_mode = l->ceil_mode;
        d->exclude_pad = !l->count_include_pad;
        break;
    case CC_LAYER_GLOBAL_AVGPOOL:
        d->op = CC_OP_GLOBAL_AVGPOOL;
        break;
    case CC_LAYER_ADAPTIVE_AVGPOOL:
        /* (1, 1) is global pooling; an output that divides the input evenly
         * is an ordinary average pool with window = stride = in / out */
        if (l->out_h == 1 && l->out_w == 1) {
            d->op = CC_OP_GLOBAL_AVGPOOL;
        } else if (l->in.rank == 3 && l->out_h > 0 && l->out_w > 0 &&
                   l->in.h % l->out_h == 0 && l->in.w % l->out_w == 0) {
            d->op = CC_OP_AVGPOOL2D;
            d->kh = d->sh = l->in.h / l->out_h;
            d->kw = d->sw = l->in.w / l->out_w;
            d->pt = d->pb = d->pl = d->pr = 0;
            d->dh = d->dw = 1;
        } else {
            /* uneven (or overlapping, or repeating) windows */
            d->op = CC_OP_ADAPTIVE_AVGPOOL;
            d->kh = l->out_h;
            d->kw = l->out_w;
        }
        break;
    case CC_LAYER_BATCHNORM1D:
    case CC_LAYER_BATCHNORM2D:
        d->op = CC_OP_BATCHNORM;
        d->eps = l->eps;
        d->momentum = l->momentum;
        *flags |= (l->affine ? 0 : 1) | (l->track_running_stats ? 0 : 2);
        break;
    case CC_LAYER_RELU:
        d->op = CC_OP_RELU;
        break;
    case CC_LAYER_LEAKY_RELU:
        d->op = CC_OP_LEAKY_RELU;
        d->slope = l->slope;
        break;
    case CC_LAYER_ELU:
        d->op = CC_OP_ELU;
        d->slope = l->alpha;
        break;
    case CC_LAYER_SIGMOID:
        d->op = CC_OP_SIGMOID;
        break;
    case CC_LAYER_TANH:
        d->op = CC_OP_TANH;
        break;
    case CC_LAYER_SOFTMAX:
        if (l->groups > 1)
            return unsupported(err, i, l);
        d->op = CC_OP_SOFTMAX;
        break;
    case CC_LAYER_DROPOUT:
        d->op = CC_OP_DROPOUT;
        d->p = l->p;
        d->has_p = 1;
        break;
    case CC_LAYER_FLATTEN:
        d->op = CC_OP_FLATTEN;
        break;
    case CC_LAYER_LINEAR:
        d->op = CC_OP_LINEAR;
        d->out = l->out_features;
        d->no_bias = !l->bias;
        if (l->in.rank == 3 && l->in_last) {
            /* on a channels-last map: the same weights at every position,
             * which is a 1x1 convolution of the channels-first map */
            d->op = CC_OP_CONV2D;
            d->kh = d->kw = d->sh = d->sw = d->dh = d->dw = 1;
            d->pt = d->pb = d->pl = d->pr = 0;
        }
        break;
    case CC_LAYER_IDENTITY:
        d->op = CC_OP_IDENTITY;
        break;
    case CC_LAYER_ADD:
        if (l->resample && (l->in.c != l->out.c || l->in.h != l->out.h ||
                            l->in.w != l->out.w || !same_as_source(l, stack)))
            return unsupported(err, i, l);
        d->op = CC_OP_ADD;
        d->from = l->from == CC_FROM_INPUT ? -1 : l->from;
        break;
    case CC_LAYER_MUL: {
        /* squeeze-excitation: the map times a C x 1 x 1 gate; the engine's
         * mul broadcasts its second input */
        const cc_shape *f = l->from == CC_FROM_INPUT ? &stack->input
                            : l->from >= 0 && (size_t)l->from < i ? &stack->layers[l->from].out
                                                                  : NULL;
        if (!f || f->rank != 3 || l->in.rank != 3)
            return unsupported(err, i, l);
        long other = l->from == CC_FROM_INPUT ? -1 : l->from;
        int gate_is_prev = l->in.h == 1 && l->in.w == 1 && (f->h != 1 || f->w != 1);
        d->op = CC_OP_MUL;
        d->nin = 2;
        d->in[0] = gate_is_prev ? other : (long)i - 1;
        d->in[1] = gate_is_prev ? (long)i - 1 : other;
        break;
    }
    case CC_LAYER_CONCAT:
        if (l->groups > 1 && l->n_sources == 1) {
            /* one chunk of one source: a channel split */
            d->op = CC_OP_CHANNEL_SPLIT;
            d->groups = l->groups;
            d->chunk = l->group_id;
            d->nin = 1;
            d->in[0] = l->sources[0] == CC_FROM_INPUT ? -1 : l->sources[0];
            break;
        }
        if (l->groups > 1 || l->n_sources < 1 || l->n_sources > CC_CONCAT_MAX)
            return unsupported(err, i, l);
        d->op = CC_OP_CONCAT;
        d->nin = l->n_sources;
        for (int k = 0; k < l->n_sources; k++)
            d->in[k] = l->sources[k] == CC_FROM_INPUT ? -1 : l->sources[k];
        break;
    case CC_LAYER_RELU6:
        d->op = CC_OP_CLIP;
        d->alpha = 0.0;
        d->beta = 6.0;
        break;
    case CC_LAYER_GELU:
        d->op = CC_OP_GELU;
        break;
    case CC_LAYER_SILU:
        d->op = CC_OP_SILU;
        break;
    case CC_LAYER_HARDSWISH:
        d->op = CC_OP_HARDSWISH;
        break;
    case CC_LAYER_HARDSIGMOID:
        d->op = CC_OP_HARDSIGMOID; /* PyTorch's 1/6 and 1/2 */
        break;
    case CC_LAYER_UPSAMPLE:
        d->op = CC_OP_UPSAMPLE;
        d->sh = l->stride_h;
        d->sw = l->stride_w;
        break;
    case CC_LAYER_MODULE:
        return convert_module(d, flags, i, l, err);
    default:
        return unsupported(err, i, l);
    }
    return 0;
}

int cc_net_stack_skipped(const cc_layer *l)
{
    return l->implied == 3 && l->out.rank == 0;
}

int cc_net_stack_shape_match(const cc_layer *l, long c, long h, long w)
{
    if (l->out.rank == 0)
        return 0;
    long sh = l->out.rank == 3 ? l->out.h : 1, sw = l->out.rank == 3 ? l->out.w : 1;
    if (c == l->out.c && h == sh && w == sw)
        return 1;
    /* the stack flattens before the element-wise layers that lead up to a
     * flattening linear layer (as torchinfo shows torchvision's AlexNet);
     * the engine keeps C x H x W there and flattens in the linear layer:
     * the same values in the same (row-major) order */
    if (cc_layer_elementwise(l->kind) && l->out.rank == 1 && c > 0 && h > 0 && w > 0 &&
        (int64_t)c * h * w == (int64_t)l->out.c)
        return 2;
    return 0;
}

int cc_net_from_stack(cc_net **out, const cc_stack *stack, uint64_t seed, cc_error *err)
{
    *out = NULL;
    if (!stack || stack->n == 0)
        return cc_error_set(err, CC_EINVAL, "the layer stack is empty");
    if (stack->input.rank != 3 && stack->input.rank != 1)
        return cc_error_set(err, CC_EINVAL,
                            "the layer stack has no input size (give one, e.g. --input "
                            "32x32x3)");
    if (stack->shapes != CC_SHAPES_SEQUENTIAL && stack->shapes != CC_SHAPES_ASSUMED)
        return cc_error_set(err, CC_EINVAL,
                            "the engine builds only networks whose shapes are known; %s",
                            stack->shape_note[0] ? stack->shape_note
                                                 : "infer the stack's shapes first");
    cc_layer_desc *d = calloc(stack->n, sizeof *d);
    unsigned char *flags = calloc(stack->n, 1);
    int rc = 0;
    if (!d || !flags)
        rc = cc_error_set(err, CC_ENOMEM, "out of memory for the network");
    for (size_t i = 0; !rc && i < stack->n; i++) {
        if (cc_net_stack_skipped(&stack->layers[i])) {
            d[i] = (cc_layer_desc){.op = CC_OP_IDENTITY};
            continue;
        }
        rc = convert(&d[i], &flags[i], i, &stack->layers[i], stack, err);
    }
    if (!rc) {
        const cc_shape *in = &stack->input;
        int flat = in->rank == 1;
        rc = cc_net_build_flags(out, d, stack->n, flags, in->c, flat ? 0 : in->h,
                                flat ? 0 : in->w, seed, err);
    }
    /* the engine's shapes must be the stack's */
    for (size_t i = 0; !rc && i < stack->n; i++) {
        const cc_layer *l = &stack->layers[i];
        cc_net_layer_info info;
        cc_net_layer(*out, i, &info, NULL);
        if (cc_net_stack_skipped(l))
            continue;
        long h = l->out.rank == 3 ? l->out.h : 1, w = l->out.rank == 3 ? l->out.w : 1;
        if (l->out.rank != 0 &&
            cc_net_stack_shape_match(l, info.out_c, info.out_h, info.out_w) == 0)
            rc = cc_error_set(err, CC_EINTERNAL,
                              "layer %zu: the engine computes %ldx%ldx%ld but the stack says "
                              "%ldx%ldx%ld", i + 1, info.out_c, info.out_h, info.out_w,
                              l->out.c, h, w);
        else if (l->counts.params >= 0 && info.params != l->counts.params)
            rc = cc_error_set(err, CC_EINTERNAL,
                              "layer %zu: the engine allocates %lld parameters but the stack "
                              "counts %lld", i + 1, (long long)info.params,
                              (long long)l->counts.params);
        if (rc) {
            cc_net_free(*out);
            *out = NULL;
        }
    }
    free(d);
    free(flags);
    return rc;
}
