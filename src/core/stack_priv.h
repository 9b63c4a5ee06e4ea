/* stack_priv.h - internals shared by stack.c and stack_module.c. */
#ifndef CONVCALC_STACK_PRIV_H
#define CONVCALC_STACK_PRIV_H

#include "convcalc/stack.h"

/* Shape and counts of layer i of s, a CC_LAYER_MODULE or CC_LAYER_MUL
 * whose input (layers[i].in) is set: fills *out, the output elements, MACs
 * and FLOPs. CC_ESHAPE with err filled when the input does not fit, or
 * when the module's shape rule is not known (CC_RULE_OPAQUE). */
int cc__module_infer(cc_stack *s, size_t i, cc_shape *out, int64_t *n_out, int64_t *macs,
                     int64_t *flops, cc_error *err);

/* Counts that depend on the stack's input size rather than on the text
 * (CC_RULE_POS_EMBED): set them, or -1 when no input size is given. */
void cc__module_prepare(cc_stack *s);

/* Does s hold a module whose shape rule is not known? */
int cc__stack_has_opaque(const cc_stack *s);

#endif
