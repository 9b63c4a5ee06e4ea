/* import_priv.h - internals of the layer-stack readers shared with their
 * tests (not part of the public API). */
#ifndef CONVCALC_IMPORT_PRIV_H
#define CONVCALC_IMPORT_PRIV_H

#include <stddef.h>

/* The i-th PyTorch module type name the repr reader knows (e.g. "Conv2d"),
 * or NULL when i is past the last one. */
const char *cc_torch_known_module(size_t i);

#endif
