/* import_torch_priv.h - internals of the PyTorch repr reader, shared by
 * import_torch.c (the module tree), import_torch_args.c (argument values),
 * import_torch_layers.c (one rule per torch.nn module) and
 * import_torch_blocks.c (torchvision classes whose repr hides parameters or
 * data flow). */
#ifndef CONVCALC_IMPORT_TORCH_PRIV_H
#define CONVCALC_IMPORT_TORCH_PRIV_H

#include <stddef.h>

#include "convcalc/stack.h"

/* One module line of the repr. */
typedef struct tnode {
    char name[64];      /* "conv1", "0", "1-3" */
    char type[40];
    long repeat;        /* the "N x" of a collapsed run, else 1 */
    long first_index;   /* for "a-b" names: a */
    const char *args;   /* leaf: between the parentheses */
    int args_len;
    int line, col, args_col;
    int is_container;
    int first_child, next_sibling; /* indexes into the node array, -1 none */
    int last_child;
} tnode;

/* An unknown module type seen, for one note per type. */
typedef struct tunknown {
    char type[40];
    int line, col;
    long more;          /* further instances */
} tunknown;

typedef struct tparser {
    tnode *nodes;
    size_t n, cap;
    cc_stack *s;
    cc_error *err;
    size_t expanded;
    tunknown *unknown;  /* unknown module types, in order of appearance */
    size_t n_unknown, cap_unknown;
    char known[24][40]; /* classes whose flow or hidden parameters were used */
    int n_known;
} tparser;

/* One argument of a leaf: `key=value` or a positional value. */
typedef struct targ {
    const char *key;   /* NULL for positional */
    int key_len;
    const char *val;
    int val_len;
    int col;
} targ;

#define MAX_ARGS 16

/* import_torch_args.c: split a leaf's arguments (at most MAX_ARGS) */
int tt_split_args(tparser *tp, const tnode *n, targ *out, int *count);
int tt_key_is(const targ *g, const char *k);
int tt_val_is(const targ *g, const char *v);
/* Fill tp->err: "Type: 'key=value' is not <expected>" at the argument. */
int tt_bad_value(tparser *tp, const tnode *n, const targ *g, const char *expected);
/* An int or a pair "(a, b)" (or "(a,)"), each >= min. */
int tt_val_pair(tparser *tp, const tnode *n, const targ *g, long min, long *a, long *b);
/* An int or a tuple of 1 to max ints, each >= min: *count values. */
int tt_val_tuple(tparser *tp, const tnode *n, const targ *g, long min, int max, long *v,
                 int *count);
int tt_val_long(tparser *tp, const tnode *n, const targ *g, long min, long *out);
int tt_val_real(tparser *tp, const tnode *n, const targ *g, double *out);
int tt_val_bool(tparser *tp, const tnode *n, const targ *g, int *out);
/* A warning about the text (a note on the stack). */
void tt_warn(tparser *tp, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* import_torch_layers.c: the layer of a leaf module; an unknown type is
 * read by the arguments it prints, or counted as parameter-free. */
int tt_leaf_layer(tparser *tp, const tnode *n, cc_layer *l);

/* import_torch_blocks.c */
/* Emit the layers of container node idx whose class is known (torchvision
 * blocks, MultiheadAttention): *handled = 0 when it is not one of them. */
int tt_block(tparser *tp, int idx, const char *name, int depth, int *handled);
/* The parameters a known class hides (import_torch_blocks.c), its
 * children walked. */
int tt_block_hidden(tparser *tp, int idx, const char *name, int depth, int *handled);
/* import_torch_flow.c: the data flow of a torchvision block. */
int tt_flow(tparser *tp, int idx, const char *name, int depth, int *handled);
/* import_torch_flow.c, for import_torch_vit.c: child `name` of idx (-1:
 * none); the index of the last layer emitted; append a layer forward()
 * adds (implied 2) named NAME.WHAT; a branch from layer `from`; an add of
 * layer `from` to the last layer; the children `names` in that order. */
int tt_child(const tparser *tp, int idx, const char *name);
long tt_cur(const tparser *tp);
int tt_synth(tparser *tp, cc_layer *l, const char *name, const char *what, int depth, int idx);
int tt_route(tparser *tp, long from, const char *name, int depth, int idx);
int tt_join(tparser *tp, long from, const char *name, int depth, int idx);
int tt_run_list(tparser *tp, int idx, const char *const *names, const char *name, int depth);
/* ... and for import_torch_seg.c: the Conv2d leaves under idx (any strided,
 * the first one's input and the last one's output channels); a concat of
 * layers src; a product of layer `from` and the last layer. */
void tt_convs(tparser *tp, int idx, int *strided, long *first_in, long *last_out);
int tt_concat(tparser *tp, const long *src, int n, const char *name, int depth, int idx);
int tt_mul(tparser *tp, long from, const char *name, int depth, int idx);
/* import_torch_seg.c: FCN, DeepLabV3 (ASPP, ASPPPooling) and LRASPP with
 * the resizes their forward() does; *handled = 0 for other classes. */
int tt_segmentation(tparser *tp, int idx, const char *name, int depth, int *handled);
/* import_torch_blocks.c: the layer of leaf node c (a scratch parse, no
 * notes), 0 or an error; append an implied parameter layer PREFIX.WHAT. */
int tt_leaf_of(tparser *tp, int c, cc_layer *l);
int tt_hidden(tparser *tp, const char *prefix, const char *what, int depth, const tnode *at,
              int64_t params, int64_t buffers, long channels, const char *formula);
/* import_torch_vit.c: ViT, Swin and MaxViT (their flow and hidden
 * parameters), MultiheadAttention; *handled = 0 for other classes. */
int tt_transformer(tparser *tp, int idx, const char *name, int depth, int *handled);
/* Emit container idx's children in printed order (import_torch.c). */
int tt_walk_children(tparser *tp, int idx, const char *name, int depth);
/* Emit node idx (a leaf or a container) as import_torch.c does. */
int tt_walk(tparser *tp, int idx, const char *prefix, int depth);
/* Append a layer to the stack. */
int tt_add(tparser *tp, cc_layer *l);

#endif
