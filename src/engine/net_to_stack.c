/* net_to_stack.c - a built network (an ONNX graph, say) seen as a layer
 * stack, so that the reports and figures of stacks (params --format svg)
 * draw it: layers, shapes, parameter counts and the edges that skip. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/net.h"
#include "convcalc/stack.h"

static cc_shape shape_of(int rank, long c, long h, long w)
{
    return rank == 4 ? (cc_shape){3, c, h, w} : (cc_shape){1, c, 1, 1};
}

/* The stack kind for a built layer, with its fields. */
static void layer_from(cc_layer *l, const cc_net_layer_info *li)
{
    const cc_layer_desc *d = li->desc;
    switch (d->op) {
    case CC_OP_CONV2D:
        cc_layer_init(l, CC_LAYER_CONV);
        l->in_channels = li->in_c;
        l->filters = d->out;
        l->bias = !d->no_bias;
        break;
    case CC_OP_MAXPOOL2D:
        cc_layer_init(l, CC_LAYER_MAXPOOL);
        break;
    case CC_OP_AVGPOOL2D:
        cc_layer_init(l, CC_LAYER_AVGPOOL);
        l->count_include_pad = !d->exclude_pad;
        break;
    case CC_OP_LINEAR:
        cc_layer_init(l, CC_LAYER_LINEAR);
        l->in_features = li->in_c * li->in_h * li->in_w;
        l->out_features = d->out;
        l->bias = !d->no_bias;
        break;
    case CC_OP_GLOBAL_AVGPOOL: cc_layer_init(l, CC_LAYER_GLOBAL_AVGPOOL); break;
    case CC_OP_BATCHNORM:
        cc_layer_init(l, li->in_rank == 4 ? CC_LAYER_BATCHNORM2D : CC_LAYER_BATCHNORM1D);
        l->num_features = li->in_c;
        l->eps = d->eps;
        break;
    case CC_OP_RELU: cc_layer_init(l, CC_LAYER_RELU); break;
    case CC_OP_LEAKY_RELU:
        cc_layer_init(l, CC_LAYER_LEAKY_RELU);
        l->slope = d->slope;
        break;
    case CC_OP_ELU:
        cc_layer_init(l, CC_LAYER_ELU);
        l->alpha = d->slope;
        break;
    case CC_OP_SIGMOID: cc_layer_init(l, CC_LAYER_SIGMOID); break;
    case CC_OP_TANH: cc_layer_init(l, CC_LAYER_TANH); break;
    case CC_OP_DROPOUT:
        cc_layer_init(l, CC_LAYER_DROPOUT);
        l->p = d->p;
        break;
    case CC_OP_FLATTEN: cc_layer_init(l, CC_LAYER_FLATTEN); break;
    case CC_OP_SOFTMAX: cc_layer_init(l, CC_LAYER_SOFTMAX); break;
    case CC_OP_IDENTITY: cc_layer_init(l, CC_LAYER_IDENTITY); break;
    case CC_OP_HARDSIGMOID: cc_layer_init(l, CC_LAYER_HARDSIGMOID); break;
    case CC_OP_HARDSWISH: cc_layer_init(l, CC_LAYER_HARDSWISH); break;
    case CC_OP_SILU: cc_layer_init(l, CC_LAYER_SILU); break;
    case CC_OP_GELU: cc_layer_init(l, CC_LAYER_GELU); break;
    case CC_OP_CLIP:
        if (d->alpha == 0 && d->beta == 6) {
            cc_layer_init(l, CC_LAYER_RELU6);
            break;
        }
        /* fall through */
    case CC_OP_SOFTPLUS:
    case CC_OP_SELU:
    case CC_OP_LOG_SOFTMAX:
        cc_layer_init(l, CC_LAYER_ACTIVATION);
        snprintf(l->type, sizeof l->type, "%s", cc_op_name(d->op));
        break;
    case CC_OP_UPSAMPLE:
        cc_layer_init(l, CC_LAYER_UPSAMPLE);
        l->stride_h = d->sh;
        l->stride_w = d->sw;
        return;
    case CC_OP_CONCAT: cc_layer_init(l, CC_LAYER_CONCAT); break;
    case CC_OP_ADD:
    case CC_OP_SUB:
    case CC_OP_MUL:
    case CC_OP_DIV:
        cc_layer_init(l, d->op == CC_OP_MUL ? CC_LAYER_MUL : CC_LAYER_ADD);
        if (d->op == CC_OP_SUB || d->op == CC_OP_DIV)
            snprintf(l->type, sizeof l->type, "%s", cc_op_name(d->op));
        break;
    case CC_OP_RESHAPE:
        if (li->rank == 2) {
            cc_layer_init(l, CC_LAYER_FLATTEN);
            break;
        }
        /* fall through */
    default: /* transposed convolution, padding, PReLU, ... */
        cc_layer_init(l, CC_LAYER_MODULE);
        if (d->op == CC_OP_CONV_TRANSPOSE)
            snprintf(l->type, sizeof l->type, "convtranspose %ld %ldx%ld", d->out, d->kh, d->kw);
        else
            snprintf(l->type, sizeof l->type, "%s", cc_op_name(d->op));
        l->fixed_params = li->params;
        l->fixed_buffers = li->buffers;
        return;
    }
    /* kernel, stride, padding and dilation (ignored by other kinds) */
    l->kernel_h = d->kh;
    l->kernel_w = d->kw;
    l->stride_h = d->sh;
    l->stride_w = d->sw;
    l->pad_top = d->pt;
    l->pad_bottom = d->pb;
    l->pad_left = d->pl;
    l->pad_right = d->pr;
    l->dilation_h = d->dh > 0 ? d->dh : 1;
    l->dilation_w = d->dw > 0 ? d->dw : 1;
    l->groups = d->groups > 0 ? d->groups : 1;
    l->ceil_mode = d->ceil_mode;
}

static void known(cc_layer *l, cc_shape in, cc_shape out, int64_t params, int64_t buffers)
{
    l->in = in;
    l->out = out;
    l->counts = (cc_layer_counts){.params = params, .trainable = params, .buffers = buffers,
                                  .macs = -1, .flops = -1,
                                  .activations = (int64_t)out.c * out.h * out.w,
                                  .jump_h = 1, .jump_w = 1};
}

int cc_net_to_stack(cc_stack **out, const cc_net *net, cc_error *err)
{
    *out = NULL;
    size_t n = cc_net_layer_count(net);
    cc_stack *s = cc_stack_new();
    long *at = calloc(n + 1, sizeof *at); /* net layer -> stack layer (-2: constant) */
    if (!s || !at) {
        cc_stack_free(s);
        free(at);
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    }
    long c, h, w;
    cc_net_input_shape(net, &c, &h, &w);
    s->source = CC_SOURCE_API;
    s->input = h > 0 ? (cc_shape){3, c, h, w} : (cc_shape){1, c, 1, 1};
    int rc = 0;
    cc_net_layer_info li;
    for (size_t i = 0; i < n && !rc; i++) {
        if ((rc = cc_net_layer(net, i, &li, err)))
            break;
        if (li.desc->op == CC_OP_CONST) {
            at[i] = -2;
            continue;
        }
        /* the inputs that are layers' outputs or the network's input */
        long src[CC_NET_MAX_IN];
        int ns = 0;
        for (int k = 0; k < li.nin; k++)
            if (li.in[k] < 0 || at[li.in[k]] != -2)
                src[ns++] = li.in[k] < 0 ? CC_FROM_INPUT : at[li.in[k]];
        long last = s->n ? (long)s->n - 1 : CC_FROM_INPUT;
        cc_layer l;
        layer_from(&l, &li);
        snprintf(l.name, sizeof l.name, "%s", li.name ? li.name : "");
        long first = ns ? src[0] : last;
        int binary = l.kind == CC_LAYER_ADD || l.kind == CC_LAYER_MUL;
        if (l.kind == CC_LAYER_CONCAT) {
            for (int k = 0; k < ns && k < CC_CONCAT_MAX; k++)
                l.sources[k] = src[k];
            l.n_sources = ns < CC_CONCAT_MAX ? ns : CC_CONCAT_MAX;
            first = last;
        } else if (binary && ns == 2) {
            if (src[1] == last) {
                l.from = src[0];
                first = last;
            } else {
                l.from = src[1];
            }
        } else if (binary) { /* an operand is a constant: an element-wise step */
            cc_layer_kind k = l.kind;
            cc_layer_init(&l, CC_LAYER_ACTIVATION);
            snprintf(l.type, sizeof l.type, "%s const",
                     k == CC_LAYER_MUL ? "mul" : li.desc->op == CC_OP_ADD ? "add"
                                                                         : cc_op_name(li.desc->op));
            snprintf(l.name, sizeof l.name, "%s", li.name ? li.name : "");
        }
        if (first != last) { /* a branch: the route to the output it reads */
            cc_layer r;
            cc_layer_init(&r, CC_LAYER_CONCAT);
            r.sources[0] = first;
            r.n_sources = 1;
            cc_shape sh = first == CC_FROM_INPUT ? s->input : s->layers[first].out;
            known(&r, sh, sh, 0, 0);
            if ((rc = cc_stack_add(s, &r, err)))
                break;
        }
        known(&l, shape_of(li.in_rank, li.in_c, li.in_h, li.in_w),
              shape_of(li.rank, li.out_c, li.out_h, li.out_w), li.params, li.buffers);
        if ((rc = cc_stack_add(s, &l, err)))
            break;
        at[i] = (long)s->n - 1;
    }
    free(at);
    if (rc) {
        cc_stack_free(s);
        return rc;
    }
    s->shapes = CC_SHAPES_SEQUENTIAL;
    *out = s;
    return 0;
}
