/* svg_stack_priv.h - what the network diagram (svg_stack.c) and its
 * folding of large networks (svg_stack_fold.c) share. */
#ifndef CONVCALC_SVG_STACK_PRIV_H
#define CONVCALC_SVG_STACK_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "convcalc/stack.h"

/* Most boxes a diagram draws one by one; a larger network is folded
 * (svg_fold). */
#define SVG_MAX_ITEMS 40

/* One feature map: a layer that changes the shape (or joins branches)
 * and the shape-keeping layers after it (norms, activations, dropout),
 * which are listed under it. */
typedef struct svg_block {
    size_t first, last;  /* layers first..last (the input: SIZE_MAX)        */
    cc_shape shape;      /* the output of layer last                         */
    int64_t params;      /* -1: not known                                    */
    int role;            /* cc_svg_role of the box                           */
    long filters;        /* a convolution's output channels (0: none)        */
    uint64_t sig;        /* what the layers are, without their channel
                            counts and shapes: equal for the repetitions of
                            one unit (svg_fold)                              */
} svg_block;

/* How an item of the diagram stands for its blocks. */
enum {
    SVG_ITEM_ONE = 0,    /* one block                                        */
    SVG_ITEM_REPEAT,     /* reps repetitions of one unit of blocks           */
    SVG_ITEM_MODULE,     /* the blocks of one module (a common name prefix)  */
    SVG_ITEM_RUN         /* consecutive blocks (the last resort)             */
};

/* One box of the diagram: blocks b0..b1-1. */
typedef struct svg_item {
    size_t b0, b1;
    int how;             /* SVG_ITEM_*                                       */
    long reps;           /* REPEAT: repetitions; unit = blocks b0..unit_b1-1 */
    size_t unit_b1;
    int unit_how;        /* REPEAT: how the unit's first item stood (ONE or
                            MODULE)                                          */
    char label[96];      /* MODULE: the name prefix                          */
    uint64_t sig;
    /* layout (svg_stack.c) */
    double th, vh, ob;   /* thickness (C), height (H), oblique depth (W)     */
    double x, axis;
    int row;
} svg_item;

/* The blocks of an inferred stack: the input, then one per layer that is
 * not a shape-keeping decoration of the block before. bs has room for
 * s->n + 1 blocks; returns their number. */
size_t svg_blocks(svg_block *bs, const cc_stack *s);

/* The items that stand for nb blocks (items has room for nb): one per
 * block when there are at most SVG_MAX_ITEMS; otherwise, in this order
 * until they fit: repeated units folded into one item (xN); the blocks
 * of each module (layers whose names share the first d dotted parts,
 * the deepest d that fits) as one item, with repeated modules folded;
 * runs of consecutive items merged evenly. Returns the number of items
 * and sets *rule to the step that was needed (SVG_ITEM_ONE: none). */
size_t svg_fold(svg_item *items, const svg_block *bs, size_t nb, const cc_stack *s, int *rule);

#endif
