/* net_internal.h - what net_stack.c needs from net.c (private). */
#ifndef CONVCALC_NET_INTERNAL_H
#define CONVCALC_NET_INTERNAL_H

#include "convcalc/net.h"

/* cc_net_new with per-layer flags (NULL: none): 1 batchnorm (or layernorm) without
 * gamma/beta (affine=False), 2 batchnorm without running statistics
 * (track_running_stats=False), 4 frozen parameters. */
int cc_net_build_flags(cc_net **out, const cc_layer_desc *layers, size_t nlayers,
                       const unsigned char *flags, long in_c, long in_h, long in_w,
                       uint64_t seed, cc_error *err);

#endif
