/* stack_priv.h - what stack.c, stack_darknet.c and stack_module.c share
 * (private). */
#ifndef CONVCALC_STACK_PRIV_H
#define CONVCALC_STACK_PRIV_H

#include "convcalc/stack.h"

/* One layer's inference step: the receptive field and jump before the
 * layer on entry, after it on return; the output shape and counts. */
typedef struct cc_infer_step {
    cc_shape out;
    int64_t n_out, macs, flops;
    long rf_h, rf_w, jump_h, jump_w;
} cc_infer_step;

/* Advance st's receptive field and jump over a window kh x kw with stride
 * sh x sw (stack.c). */
void cc_stack_rf_step(cc_infer_step *st, long kh, long kw, long sh, long sw);

/* The darknet-only kinds (stack_darknet.c): upsample, reorg, crop, local,
 * recurrent, detect. Output shape and counts of layer i of s, whose .in is
 * set; 0 or CC_ESHAPE with the layer's line. */
int cc_stack_more_infer(const cc_stack *s, size_t i, cc_infer_step *st, cc_error *err);
/* Parameters and buffers of l given its input size (in_n values, in_c
 * channels) and output shape: 0, 1 when they are not known, -1 on
 * overflow. */
int cc_stack_more_params(const cc_layer *l, int64_t in_n, long in_c, cc_shape out,
                         int64_t *params, int64_t *buffers);
/* The parameter formula of a local or recurrent layer ("" otherwise). */
void cc_stack_more_formula(cc_buf *out, const cc_layer *l, int64_t in_n, long in_c,
                           cc_shape o);
/* The arguments of the spec line of l (after its keyword). */
void cc_stack_more_describe(cc_buf *b, const cc_layer *l);
/* "rnn", "gru", "lstm". */
const char *cc_cell_name(int cell);
/* Shape and counts of layer i of s, a CC_LAYER_MODULE or CC_LAYER_MUL
 * whose input (layers[i].in) is set: fills *out, the output elements, MACs
 * and FLOPs. CC_ESHAPE with err filled when the input does not fit, or
 * when the module's shape rule is not known (CC_RULE_OPAQUE). */
int cc__module_infer(cc_stack *s, size_t i, cc_shape *out, int64_t *n_out, int64_t *macs,
                     int64_t *flops, cc_error *err);

/* Counts that depend on the stack's input size rather than on the text
 * (CC_RULE_POS_EMBED): set them, or -1 when no input size is given. */
void cc__module_prepare(cc_stack *s);
/* CC_ESHAPE at l: "NAME TYPE: message" (stack_module.c). */
int cc__module_err(cc_error *err, const cc_layer *l, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The output shape of the transformer rules of layer i (CC_RULE_TOKENS to
 * CC_RULE_SWAP, stack_token.c); sets counts.unhooked_macs of attention. */
int cc__token_infer(cc_stack *s, size_t i, cc_shape *out, cc_error *err);

/* Does s hold a module whose shape rule is not known? */
int cc__stack_has_opaque(const cc_stack *s);

/* Shared by stack.c (layers, counting) and stack_infer.c (shapes). */
int cc__layer_is_pool(const cc_layer *l);       /* max/avg pooling        */
long cc__layer_stride_h(const cc_layer *l);     /* stride, pooling's
                                                   default = its window   */
long cc__layer_stride_w(const cc_layer *l);
int64_t cc__shape_elements(const cc_shape *s);  /* C*H*W, -1 unknown      */
/* *out = a*b*c; 0, or -1 on overflow. */
int cc__mul3(int64_t a, int64_t b, int64_t c, int64_t *out);
/* Fill l->counts from its declared or inferred sizes. */
int cc__layer_count_params(cc_layer *l);

#endif
