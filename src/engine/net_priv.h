/* net_priv.h - the network object's layout, shared by the net*.c files
 * (private): net.c (descriptions, shape inference, construction, settings),
 * net_params.c (parameters, buffers, initialisation, structure queries),
 * net_batch.c (per-batch buffers, aliases, fusion planning), net_fused.c
 * (the fused relu + max pool fast path) and net_pass.c (forward, loss,
 * backward). */
#ifndef CONVCALC_NET_PRIV_H
#define CONVCALC_NET_PRIV_H

#include <stdint.h>

#include "convcalc/layers.h"
#include "convcalc/net.h"
#include "convcalc/rng.h"
#include "engine/net_internal.h"

/* A parameter or buffer tensor: a slice of the net's flat blocks. */
typedef struct net_tensor {
    char name[128];
    float *data;  /* [numel] */
    float *grad;  /* [numel], NULL for buffers */
    size_t numel;
    int ndim;
    long shape[4];
    size_t layer;
    int trainable;
} net_tensor;

typedef struct net_layer {
    cc_layer_desc d;   /* with defaults filled in                         */
    char name[96];     /* parameter-name prefix                           */
    int in_rank, rank; /* 4: (C,H,W) per sample; 2: (F) per sample         */
    long ic, ih, iw;   /* input per sample                                */
    long oc, oh, ow;   /* output per sample (F,1,1 when flat)              */
    size_t in_n, out_n;/* elements per sample                             */
    int alias;         /* output is the input (flatten, identity, softmax) */
    int bn_affine, bn_track; /* batchnorm: gamma/beta, running statistics */
    int frozen;        /* parameters are not trainable                    */
    /* parameters (slices of net->params / net->grads) and buffers */
    float *w, *dw;     /* conv (OC, C/g, KH, KW); linear (OUT, IN); bn (C) */
    float *b, *db;     /* (OC) / (OUT) / (C), or NULL                     */
    float *rmean, *rvar; /* bn (C) running statistics, or NULL             */
    int64_t nparams, nbuffers;
    /* per batch */
    cc_conv2d_desc conv;
    cc_pool2d_desc pool;
    float *out;        /* (B, out_n) activation (aliases for alias layers) */
    float *dout;       /* (B, out_n) gradient of the loss w.r.t. out       */
    int32_t *argmax;   /* maxpool (B, out_n)                               */
    float *mask;       /* dropout (B, out_n)                               */
    float *mean, *rstd;/* batchnorm (C) caches                             */
    int referenced;    /* a layer other than the next one reads this output,
                          or several do                                   */
    int readers;       /* layers that read this output                    */
    int nsrc;          /* inputs: src[k] a layer index, -1 the net input  */
    long src[CC_NET_MAX_IN];
    float *tmp;        /* conv transpose: (B, in_n) backward scratch       */
    float *value;      /* const: (out_n) the buffer                        */
    /* fast path: a relu followed by a max pool without padding is done in
     * one pass by the pool (max commutes with relu), so the relu's output
     * and gradient are never materialised */
    int fused_away;    /* relu done by the next layer: no buffers, no work */
    int fuse_relu;     /* max pool that applies the relu before it        */
    int dout_overwrite;/* the consumer's backward writes every element of
                          dout, so it need not be zeroed first            */
} net_layer;

struct cc_net {
    net_layer *L;         /* [n] */
    size_t n;
    long in_c, in_h, in_w;/* input per sample                              */
    int in_rank;
    size_t in_n;
    long classes;
    size_t out_layer;     /* index whose buffers hold the output (aliases resolved) */
    float *params, *grads;/* [nparam_floats] every parameter, and its gradient */
    size_t nparam_floats;
    float *bufs;          /* [nbuf_floats] running statistics             */
    size_t nbuf_floats;
    net_tensor *P, *Bf;   /* [nP] parameters, [nB] buffers                */
    size_t nP, nB;
    int64_t num_params, num_trainable, num_buffers;
    int train, threads, want_dinput, fast;
    cc_rng drop_rng;
    /* per batch */
    long cap, batch;      /* allocated capacity, current batch            */
    float *arena;         /* every float buffer below, one allocation     */
    size_t arena_floats;
    int32_t *iarena;      /* argmax indexes                               */
    size_t iarena_n;
    float *work;          /* shared conv workspace                         */
    float *dx;            /* (cap, in_n) gradient w.r.t. the input         */
    float *probs;         /* (cap, classes) softmax of the output          */
    int32_t *labels;      /* (cap) copy of the last labels                 */
    const float *x;       /* the last input (the caller keeps it)          */
    int forward_ok, seed_ok, dinput_ok;
};


/* Fill err with "layer i (op): <fmt>" and return code. */
int cc_netp_err(cc_error *err, int code, size_t i, const net_layer *l, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Prefix a kernel's message in err with the layer; returns rc. */
int cc_netp_wrap(cc_error *err, int rc, size_t i, const net_layer *l);
/* Set up c for batch 1 from d's kernel, stride, padding, dilation and
 * groups, for input C x H x W and OC filters. */
int cc_netp_conv_desc(cc_conv2d_desc *c, const cc_layer_desc *d, long C, long H, long W,
                      long OC, cc_error *err);
/* Parameters and buffers: allocate the flat blocks, carve them into tensors. */
int cc_netp_build_params(cc_net *net, cc_error *err);
/* Release the per-batch buffers (capacity back to 0). */
void cc_netp_free_batch(cc_net *net);
/* Decide the fused fast paths (see net_layer.fused_away). */
void cc_netp_plan_fusion(cc_net *net);
/* Set up the kernels' descriptors for batch size B (no allocation). */
int cc_netp_setup_descs(cc_net *net, long B, cc_error *err);
/* Input and input-gradient buffers of layer i (aliases resolved; the
 * gradient is NULL when nothing wants it). */
const float *cc_netp_in(const cc_net *net, size_t i);
float *cc_netp_din(const cc_net *net, size_t i);
/* Point alias layers at their input's buffers. */
void cc_netp_link_aliases(cc_net *net);
/* The fused relu + max pool of layer l (a max pool after a relu). */
void cc_netp_relu_maxpool_forward(cc_net *net, net_layer *l, const float *in, long B);
void cc_netp_relu_maxpool_backward(cc_net *net, net_layer *l, float *dinp, int overwrite,
                                   long B);

/* Buffers of input k of layer i: its output (the network input for -1)
 * and its gradient (NULL for the network input unless wanted), and its
 * elements per sample. */
const float *cc_netp_src(const cc_net *net, const net_layer *l, int k);
float *cc_netp_dsrc(const cc_net *net, const net_layer *l, int k);
size_t cc_netp_src_n(const cc_net *net, const net_layer *l, int k);
/* Shape inference, forward and backward of the graph nodes and the newer
 * activations (net_ops.c); 1 = not one of them. */
int cc_netp_infer_op(cc_net *net, size_t i, cc_error *err);
int cc_netp_forward_op(cc_net *net, size_t i, long B, cc_error *err);
int cc_netp_backward_op(cc_net *net, size_t i, long B, cc_error *err);
/* Check fields of the ops net_ops.c handles (fills defaults). */
int cc_netp_normalise_op(cc_layer_desc *d, size_t i, const net_layer *l, cc_error *err);
/* The same for the channel ops (net_chan.c: split, shuffle, adaptive
 * average pooling, layernorm, scale); 1 = not one of them (normalise: 0). */
int cc_netp_normalise_chan(cc_layer_desc *d, size_t i, const net_layer *l, cc_error *err);
int cc_netp_infer_chan(cc_net *net, size_t i, cc_error *err);
int cc_netp_forward_chan(cc_net *net, size_t i, long B, cc_error *err);
int cc_netp_backward_chan(cc_net *net, size_t i, long B, cc_error *err);

#endif
