/* conv_dnnl.c - the oneDNN backend of Conv2d (forward, backward-data,
 * backward-weights), chosen by measurement (tests/bench/README.md).
 *
 * The engine's tensors stay NCHW. Per batch chunk (the pool splits the batch
 * as for the OpenBLAS path) the input, the weights and the output gradient
 * are reordered into the blocked layouts oneDNN's kernels want, the
 * primitive runs on one thread, and the result is reordered back; gradients
 * are added to the caller's buffers by the reorders themselves (a sum
 * post-op), so they accumulate as the engine's contract says. Weight and bias
 * gradients are per-chunk partials, reduced in chunk order afterwards, so a
 * given thread count gives bit-identical results.
 *
 * Primitives are created once per geometry and chunk batch size (at
 * cc_conv2d_setup, i.e. when a network reserves a batch) and kept in a small
 * process-wide cache, freed at exit. Scratchpads are the caller's workspace
 * (user scratchpad mode), so chunks never share oneDNN-internal memory. */
#include <dnnl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"

/* oneDNN here is built on OpenMP; each chunk runs its primitive on the
 * calling thread (one OpenMP thread), the pool provides the parallelism. */
extern void omp_set_num_threads(int n);

enum { P_FWD, P_BWD_D, P_BWD_W, R_SRC, R_DST, R_WF, R_DDST_D, R_WD, R_DSRC, R_SRC_W, R_DDST_W,
       R_DW, NPRIM };

typedef struct dconv {
    long key[16];
    dnnl_primitive_t p[NPRIM]; /* NULL reorder: the layouts already agree */
    dnnl_memory_desc_t md_src, md_dst, md_wf, md_ddst_d, md_wd, md_dsrc, md_src_w, md_ddst_w,
        md_dw, md_bias, md_u_src, md_u_dst, md_u_w;
    size_t scratch;     /* bytes: the largest scratchpad of the primitives */
    size_t off[8];      /* byte offsets in a chunk's area                   */
    size_t area;        /* bytes per chunk                                  */
    int bwd_data;       /* backward-data runs here (else: OpenBLAS path)    */
} dconv;

enum { A_SRC, A_DST, A_W, A_DDST, A_DSRC, A_DW, A_DB, A_SCRATCH };

#define CACHE_MAX 256
static struct {
    pthread_mutex_t mu;
    dnnl_engine_t eng;
    int eng_failed;
    dconv *e[CACHE_MAX];
    int n;
} C = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void free_entry(dconv *e)
{
    if (!e)
        return;
    for (int i = 0; i < NPRIM; i++)
        if (e->p[i])
            dnnl_primitive_destroy(e->p[i]);
    free(e);
}

__attribute__((destructor)) static void dnnl_cache_free(void)
{
    for (int i = 0; i < C.n; i++)
        free_entry(C.e[i]);
    C.n = 0;
    if (C.eng)
        dnnl_engine_destroy(C.eng);
    C.eng = NULL;
}

static void make_key(long key[16], const cc_conv2d_desc *d, long B)
{
    const long k[16] = {B, d->C, d->H, d->W, d->OC, d->KH, d->KW, d->stride_h, d->stride_w,
                        d->pad_top, d->pad_bottom, d->pad_left, d->pad_right, d->dil_h,
                        d->dil_w, d->groups};
    memcpy(key, k, sizeof k);
}

/* A primitive from a descriptor, with a user scratchpad; records its size. */
static int make_prim(dnnl_primitive_t *out, size_t *scratch, const void *op_desc,
                     const_dnnl_primitive_desc_t hint, dnnl_primitive_desc_t *keep)
{
    dnnl_primitive_attr_t attr;
    if (dnnl_primitive_attr_create(&attr) != dnnl_success)
        return -1;
    dnnl_primitive_desc_t pd = NULL;
    int rc = dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user) !=
                     dnnl_success ||
             dnnl_primitive_desc_create(&pd, op_desc, attr, C.eng, hint) != dnnl_success;
    dnnl_primitive_attr_destroy(attr);
    if (rc)
        return -1;
    size_t s = dnnl_memory_desc_get_size(dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0));
    if (s > *scratch)
        *scratch = s;
    if (dnnl_primitive_create(out, pd) != dnnl_success) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    if (keep)
        *keep = pd;
    else
        dnnl_primitive_desc_destroy(pd);
    return 0;
}

/* A reorder from `from` to `to` (none when they agree); `sum` adds to the
 * destination instead of overwriting it. */
static int make_reorder(dnnl_primitive_t *out, size_t *scratch, const dnnl_memory_desc_t *from,
                        const dnnl_memory_desc_t *to, int sum)
{
    *out = NULL;
    if (!sum && dnnl_memory_desc_equal(from, to))
        return 0;
    dnnl_primitive_attr_t attr;
    dnnl_post_ops_t po = NULL;
    if (dnnl_primitive_attr_create(&attr) != dnnl_success)
        return -1;
    int rc = dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user) != dnnl_success;
    if (!rc && sum)
        rc = dnnl_post_ops_create(&po) != dnnl_success ||
             dnnl_post_ops_append_sum(po, 1.0f) != dnnl_success ||
             dnnl_primitive_attr_set_post_ops(attr, po) != dnnl_success;
    dnnl_primitive_desc_t pd = NULL;
    if (!rc)
        rc = dnnl_reorder_primitive_desc_create(&pd, from, C.eng, to, C.eng, attr) != dnnl_success;
    if (po)
        dnnl_post_ops_destroy(po);
    dnnl_primitive_attr_destroy(attr);
    if (rc)
        return -1;
    size_t s = dnnl_memory_desc_get_size(dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0));
    if (s > *scratch)
        *scratch = s;
    rc = dnnl_primitive_create(out, pd) != dnnl_success;
    dnnl_primitive_desc_destroy(pd);
    return rc ? -1 : 0;
}

static size_t align64(size_t n)
{
    return (n + 63) & ~(size_t)63;
}

/* Build the primitives for chunk batch size B (C.mu held). */
static dconv *build(const cc_conv2d_desc *d, long B)
{
    dconv *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    make_key(e->key, d, B);
    dnnl_dims_t sd = {B, d->C, d->H, d->W}, wd = {d->OC, d->C, d->KH, d->KW}, bd = {d->OC},
                dd = {B, d->OC, d->OH, d->OW}, str = {d->stride_h, d->stride_w},
                dil = {d->dil_h - 1, d->dil_w - 1}, pl = {d->pad_top, d->pad_left},
                pr = {d->pad_bottom, d->pad_right};
    dnnl_memory_desc_t s_any, w_any, d_any;
    const dnnl_format_tag_t any = dnnl_format_tag_any;
    int bad = dnnl_memory_desc_init_by_tag(&s_any, 4, sd, dnnl_f32, any) ||
              dnnl_memory_desc_init_by_tag(&w_any, 4, wd, dnnl_f32, any) ||
              dnnl_memory_desc_init_by_tag(&d_any, 4, dd, dnnl_f32, any) ||
              dnnl_memory_desc_init_by_tag(&e->md_bias, 1, bd, dnnl_f32, dnnl_x) ||
              dnnl_memory_desc_init_by_tag(&e->md_u_src, 4, sd, dnnl_f32, dnnl_nchw) ||
              dnnl_memory_desc_init_by_tag(&e->md_u_w, 4, wd, dnnl_f32, dnnl_oihw) ||
              dnnl_memory_desc_init_by_tag(&e->md_u_dst, 4, dd, dnnl_f32, dnnl_nchw);
    dnnl_convolution_desc_t fd, bdd, bwd;
    dnnl_primitive_desc_t fpd = NULL, bdpd = NULL, bwpd = NULL;
    bad = bad ||
          dnnl_dilated_convolution_forward_desc_init(&fd, dnnl_forward_training,
                                                     dnnl_convolution_direct, &s_any, &w_any,
                                                     &e->md_bias, &d_any, str, dil, pl, pr) ||
          make_prim(&e->p[P_FWD], &e->scratch, &fd, NULL, &fpd);
    /* Where oneDNN's backward-data has no blocked kernel for few input
     * channels, it is slower than im2col (measured): leave it to OpenBLAS. */
    e->bwd_data = d->C >= 16;
    if (!bad && e->bwd_data)
        bad = dnnl_dilated_convolution_backward_data_desc_init(&bdd, dnnl_convolution_direct,
                                                               &s_any, &w_any, &d_any, str, dil,
                                                               pl, pr) ||
              make_prim(&e->p[P_BWD_D], &e->scratch, &bdd, fpd, &bdpd);
    if (!bad)
        bad = dnnl_dilated_convolution_backward_weights_desc_init(
                  &bwd, dnnl_convolution_direct, &s_any, &w_any, &e->md_bias, &d_any, str, dil,
                  pl, pr) ||
              make_prim(&e->p[P_BWD_W], &e->scratch, &bwd, fpd, &bwpd);
    if (!bad) {
        e->md_src = *dnnl_primitive_desc_query_md(fpd, dnnl_query_src_md, 0);
        e->md_wf = *dnnl_primitive_desc_query_md(fpd, dnnl_query_weights_md, 0);
        e->md_dst = *dnnl_primitive_desc_query_md(fpd, dnnl_query_dst_md, 0);
        e->md_src_w = *dnnl_primitive_desc_query_md(bwpd, dnnl_query_src_md, 0);
        e->md_ddst_w = *dnnl_primitive_desc_query_md(bwpd, dnnl_query_diff_dst_md, 0);
        e->md_dw = *dnnl_primitive_desc_query_md(bwpd, dnnl_query_diff_weights_md, 0);
        if (e->bwd_data) {
            e->md_ddst_d = *dnnl_primitive_desc_query_md(bdpd, dnnl_query_diff_dst_md, 0);
            e->md_wd = *dnnl_primitive_desc_query_md(bdpd, dnnl_query_weights_md, 0);
            e->md_dsrc = *dnnl_primitive_desc_query_md(bdpd, dnnl_query_diff_src_md, 0);
        }
        size_t *s = &e->scratch;
        bad = make_reorder(&e->p[R_SRC], s, &e->md_u_src, &e->md_src, 0) ||
              make_reorder(&e->p[R_WF], s, &e->md_u_w, &e->md_wf, 0) ||
              make_reorder(&e->p[R_DST], s, &e->md_dst, &e->md_u_dst, 0) ||
              make_reorder(&e->p[R_SRC_W], s, &e->md_u_src, &e->md_src_w, 0) ||
              make_reorder(&e->p[R_DDST_W], s, &e->md_u_dst, &e->md_ddst_w, 0) ||
              make_reorder(&e->p[R_DW], s, &e->md_dw, &e->md_u_w, 1);
        if (!bad && e->bwd_data)
            bad = make_reorder(&e->p[R_DDST_D], s, &e->md_u_dst, &e->md_ddst_d, 0) ||
                  make_reorder(&e->p[R_WD], s, &e->md_u_w, &e->md_wd, 0) ||
                  make_reorder(&e->p[R_DSRC], s, &e->md_dsrc, &e->md_u_src, 1);
    }
    if (fpd)
        dnnl_primitive_desc_destroy(fpd);
    if (bdpd)
        dnnl_primitive_desc_destroy(bdpd);
    if (bwpd)
        dnnl_primitive_desc_destroy(bwpd);
    if (bad) {
        free_entry(e);
        return NULL;
    }
    /* A chunk's area: input (or input gradient), output (or output
     * gradient), weights (or weight gradient), bias (gradient), scratchpad;
     * no pass needs both members of a pair. */
    size_t x = dnnl_memory_desc_get_size(&e->md_src), y = dnnl_memory_desc_get_size(&e->md_dst);
    size_t w = dnnl_memory_desc_get_size(&e->md_wf);
    const dnnl_memory_desc_t *xs[] = {&e->md_src_w, &e->md_dsrc}, *ys[] = {&e->md_ddst_w, &e->md_ddst_d},
                             *ws[] = {&e->md_dw, &e->md_wd};
    for (int i = 0; i < 2; i++) {
        if (i == 1 && !e->bwd_data)
            break;
        size_t a = dnnl_memory_desc_get_size(xs[i]), b = dnnl_memory_desc_get_size(ys[i]),
               c = dnnl_memory_desc_get_size(ws[i]);
        x = a > x ? a : x;
        y = b > y ? b : y;
        w = c > w ? c : w;
    }
    e->off[A_SRC] = e->off[A_DSRC] = 0;
    e->off[A_DST] = e->off[A_DDST] = align64(x);
    e->off[A_W] = e->off[A_DW] = e->off[A_DST] + align64(y);
    e->off[A_DB] = e->off[A_W] + align64(w);
    e->off[A_SCRATCH] = e->off[A_DB] + align64((size_t)d->OC * sizeof(float));
    size_t at = e->off[A_SCRATCH] + align64(e->scratch);
    e->area = at;
    return e;
}

/* The cached primitives for (d, B), built on first use; NULL if oneDNN
 * cannot run this convolution. */
static dconv *lookup(const cc_conv2d_desc *d, long B)
{
    long key[16];
    make_key(key, d, B);
    pthread_mutex_lock(&C.mu);
    dconv *e = NULL;
    if (!C.eng && !C.eng_failed)
        C.eng_failed = dnnl_engine_create(&C.eng, dnnl_cpu, 0) != dnnl_success;
    for (int i = 0; i < C.n && !e; i++)
        if (!memcmp(C.e[i]->key, key, sizeof key))
            e = C.e[i];
    if (!e && C.eng) {
        omp_set_num_threads(1);
        e = build(d, B);
        if (e) {
            if (C.n == CACHE_MAX) { /* drop the oldest geometry */
                free_entry(C.e[0]);
                memmove(C.e, C.e + 1, (CACHE_MAX - 1) * sizeof C.e[0]);
                C.n--;
            }
            C.e[C.n++] = e;
        }
    }
    pthread_mutex_unlock(&C.mu);
    return e;
}

static int conv_chunks(const cc_conv2d_desc *d)
{
    long t = d->threads < 1 ? 1 : d->threads > 64 ? 64 : d->threads;
    return (int)(t > d->B ? d->B : t);
}

int cc_dnnl_conv_setup(const cc_conv2d_desc *d, size_t *work_floats)
{
    if (d->groups != 1)
        return -1;
    const int chunks = conv_chunks(d);
    const long big = (d->B + chunks - 1) / chunks, small = d->B / chunks;
    dconv *a = lookup(d, big), *b = small && small != big ? lookup(d, small) : a;
    if (!a || !b)
        return -1;
    size_t per = a->area > b->area ? a->area : b->area;
    size_t bytes;
    if (cc_size_mul(per, (size_t)chunks, &bytes))
        return -1;
    *work_floats = (bytes + sizeof(float) - 1) / sizeof(float) + 16; /* + alignment slack */
    return 0;
}

int cc_dnnl_conv_has_bwd_data(const cc_conv2d_desc *d)
{
    return d->C >= 16;
}

typedef struct djob {
    const cc_conv2d_desc *d;
    float *out, *dinp;
    const float *inp, *weight, *bias, *dout;
    char *work;
    size_t per; /* bytes per chunk */
    int pass;   /* 0 forward, 1 backward-data, 2 backward-weights */
    int failed;
} djob;

/* Run primitive p with up to 6 (arg, md, pointer) triples plus the
 * chunk's scratchpad. */
typedef struct darg {
    int arg;
    const dnnl_memory_desc_t *md;
    void *ptr;
} darg;

static int run(dnnl_primitive_t p, dnnl_stream_t s, const darg *a, int n, const dconv *e,
               char *area)
{
    if (!p)
        return 0;
    dnnl_exec_arg_t args[8];
    int k = 0, rc = 0;
    for (int i = 0; i < n && !rc; i++, k++) {
        args[k].arg = a[i].arg;
        rc = dnnl_memory_create(&args[k].memory, a[i].md, C.eng, a[i].ptr) != dnnl_success;
    }
    if (rc)
        k--;
    dnnl_memory_desc_t smd;
    if (!rc && e->scratch) {
        dnnl_dims_t sdim = {(dnnl_dim_t)e->scratch};
        rc = dnnl_memory_desc_init_by_tag(&smd, 1, sdim, dnnl_u8, dnnl_x) != dnnl_success;
        if (!rc) {
            args[k].arg = DNNL_ARG_SCRATCHPAD;
            rc = dnnl_memory_create(&args[k].memory, &smd, C.eng, area + e->off[A_SCRATCH]) !=
                 dnnl_success;
            if (!rc)
                k++;
        }
    }
    if (!rc)
        rc = dnnl_primitive_execute(p, s, k, args) != dnnl_success ||
             dnnl_stream_wait(s) != dnnl_success;
    for (int i = 0; i < k; i++)
        dnnl_memory_destroy(args[i].memory);
    return rc;
}

static void dnnl_chunk(void *ctx, int chunk, long b0, long b1)
{
    djob *J = ctx;
    const cc_conv2d_desc *d = J->d;
    if (b1 <= b0)
        return;
    dconv *e = lookup(d, b1 - b0);
    dnnl_stream_t s = NULL;
    static _Thread_local int one_thread;
    if (!one_thread) {
        omp_set_num_threads(1);
        one_thread = 1;
    }
    if (!e || dnnl_stream_create(&s, C.eng, dnnl_stream_default_flags) != dnnl_success) {
        J->failed = 1;
        return;
    }
    char *A = J->work + (size_t)chunk * J->per;
    const size_t in_n = (size_t)d->C * d->H * d->W, out_n = (size_t)d->OC * d->OH * d->OW;
    void *x = (void *)(J->inp + (size_t)b0 * in_n), *w = (void *)J->weight;
    int rc = 0;
#define SLOT(i) ((void *)(A + e->off[i]))
#define BLK(r, u, i) (e->p[r] ? SLOT(i) : (u)) /* blocked copy, or the user's buffer */
    if (J->pass == 0) {
        void *y = J->out + (size_t)b0 * out_n;
        void *xs = BLK(R_SRC, x, A_SRC), *ws = BLK(R_WF, w, A_W), *ys = BLK(R_DST, y, A_DST);
        void *b = (void *)J->bias;
        if (!b) {
            b = SLOT(A_DB);
            memset(b, 0, (size_t)d->OC * sizeof(float));
        }
        const darg r1[] = {{DNNL_ARG_FROM, &e->md_u_src, x}, {DNNL_ARG_TO, &e->md_src, xs}};
        const darg r2[] = {{DNNL_ARG_FROM, &e->md_u_w, w}, {DNNL_ARG_TO, &e->md_wf, ws}};
        const darg f[] = {{DNNL_ARG_SRC, &e->md_src, xs},
                          {DNNL_ARG_WEIGHTS, &e->md_wf, ws},
                          {DNNL_ARG_BIAS, &e->md_bias, b},
                          {DNNL_ARG_DST, &e->md_dst, ys}};
        const darg r3[] = {{DNNL_ARG_FROM, &e->md_dst, ys}, {DNNL_ARG_TO, &e->md_u_dst, y}};
        rc = run(e->p[R_SRC], s, r1, 2, e, A) || run(e->p[R_WF], s, r2, 2, e, A) ||
             run(e->p[P_FWD], s, f, 4, e, A) || run(e->p[R_DST], s, r3, 2, e, A);
    } else if (J->pass == 1) {
        void *dy = (void *)(J->dout + (size_t)b0 * out_n), *dx = J->dinp + (size_t)b0 * in_n;
        void *dys = BLK(R_DDST_D, dy, A_DDST), *ws = BLK(R_WD, w, A_W), *dxs = SLOT(A_DSRC);
        const darg r1[] = {{DNNL_ARG_FROM, &e->md_u_dst, dy}, {DNNL_ARG_TO, &e->md_ddst_d, dys}};
        const darg r2[] = {{DNNL_ARG_FROM, &e->md_u_w, w}, {DNNL_ARG_TO, &e->md_wd, ws}};
        const darg bd[] = {{DNNL_ARG_DIFF_DST, &e->md_ddst_d, dys},
                           {DNNL_ARG_WEIGHTS, &e->md_wd, ws},
                           {DNNL_ARG_DIFF_SRC, &e->md_dsrc, dxs}};
        const darg r3[] = {{DNNL_ARG_FROM, &e->md_dsrc, dxs}, {DNNL_ARG_TO, &e->md_u_src, dx}};
        rc = run(e->p[R_DDST_D], s, r1, 2, e, A) || run(e->p[R_WD], s, r2, 2, e, A) ||
             run(e->p[P_BWD_D], s, bd, 3, e, A) || run(e->p[R_DSRC], s, r3, 2, e, A);
    } else {
        void *dy = (void *)(J->dout + (size_t)b0 * out_n);
        void *xs = BLK(R_SRC_W, x, A_SRC), *dys = BLK(R_DDST_W, dy, A_DDST);
        const darg r1[] = {{DNNL_ARG_FROM, &e->md_u_src, x}, {DNNL_ARG_TO, &e->md_src_w, xs}};
        const darg r2[] = {{DNNL_ARG_FROM, &e->md_u_dst, dy}, {DNNL_ARG_TO, &e->md_ddst_w, dys}};
        const darg bw[] = {{DNNL_ARG_SRC, &e->md_src_w, xs},
                           {DNNL_ARG_DIFF_DST, &e->md_ddst_w, dys},
                           {DNNL_ARG_DIFF_WEIGHTS, &e->md_dw, SLOT(A_DW)},
                           {DNNL_ARG_DIFF_BIAS, &e->md_bias, SLOT(A_DB)}};
        rc = run(e->p[R_SRC_W], s, r1, 2, e, A) || run(e->p[R_DDST_W], s, r2, 2, e, A) ||
             run(e->p[P_BWD_W], s, bw, 4, e, A);
    }
#undef BLK
#undef SLOT
    dnnl_stream_destroy(s);
    if (rc)
        J->failed = 1;
}

static char *aligned_work(float *work)
{
    uintptr_t p = (uintptr_t)work;
    return (char *)((p + 63) & ~(uintptr_t)63);
}

/* Per-chunk stride in bytes, as cc_dnnl_conv_setup sized it. */
static size_t chunk_bytes(const cc_conv2d_desc *d)
{
    int chunks = conv_chunks(d);
    size_t total = (d->impl_floats - 16) * sizeof(float);
    return total / (size_t)chunks & ~(size_t)63;
}

int cc_dnnl_conv_forward(float *out, const float *inp, const float *weight, const float *bias,
                         const cc_conv2d_desc *d, float *work)
{
    djob J = {.d = d, .out = out, .inp = inp, .weight = weight, .bias = bias,
              .work = aligned_work(work), .per = chunk_bytes(d), .pass = 0};
    cc_parallel_chunks(conv_chunks(d), d->B, dnnl_chunk, &J);
    return J.failed ? -1 : 0;
}

int cc_dnnl_conv_backward_data(float *dinp, const float *dout, const float *weight,
                               const cc_conv2d_desc *d, float *work)
{
    djob J = {.d = d, .dinp = dinp, .dout = dout, .weight = weight,
              .work = aligned_work(work), .per = chunk_bytes(d), .pass = 1};
    cc_parallel_chunks(conv_chunks(d), d->B, dnnl_chunk, &J);
    return J.failed ? -1 : 0;
}

int cc_dnnl_conv_backward_weights(float *dweight, float *dbias, const float *dout,
                                  const float *inp, const cc_conv2d_desc *d, float *work)
{
    const int chunks = conv_chunks(d);
    djob J = {.d = d, .dout = dout, .inp = inp, .work = aligned_work(work),
              .per = chunk_bytes(d), .pass = 2};
    cc_parallel_chunks(chunks, d->B, dnnl_chunk, &J);
    if (J.failed)
        return -1;
    /* reduce the partials in chunk order: dweight += each (a sum reorder
     * from the blocked layout), dbias += each */
    dnnl_stream_t s;
    if (dnnl_stream_create(&s, C.eng, dnnl_stream_default_flags) != dnnl_success)
        return -1;
    int rc = 0;
    for (int k = 0; k < chunks && !rc; k++) {
        long b0 = (long)((__int128)d->B * k / chunks), b1 = (long)((__int128)d->B * (k + 1) / chunks);
        if (b1 <= b0)
            continue;
        dconv *e = lookup(d, b1 - b0);
        if (!e) {
            rc = -1;
            break;
        }
        char *A = J.work + (size_t)k * J.per;
        if (dweight) {
            const darg r[] = {{DNNL_ARG_FROM, &e->md_dw, A + e->off[A_DW]},
                              {DNNL_ARG_TO, &e->md_u_w, dweight}};
            rc = run(e->p[R_DW], s, r, 2, e, A);
        }
        if (dbias) {
            const float *pb = (const float *)(A + e->off[A_DB]);
            for (long o = 0; o < d->OC; o++)
                dbias[o] += pb[o];
        }
    }
    dnnl_stream_destroy(s);
    return rc;
}

const char *cc_conv_onednn_isa(void)
{
    switch (dnnl_get_effective_cpu_isa()) {
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_sse41: return "sse41";
    default: return "other";
    }
}
