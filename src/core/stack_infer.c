/* stack_infer.c - shape inference over a layer stack: the HxWxC notation,
 * each layer's output shape, receptive field, MACs and FLOPs, the shape
 * rules' error messages, and the totals. */
#include "convcalc/stack.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/arith.h"
#include "core/stack_priv.h"

/* ---- shapes ------------------------------------------------------------------ */
static int parse_dim(const char **p, long *out)
{
    const char *q = *p;
    long v = 0;
    if (*q < '0' || *q > '9')
        return -1;
    while (*q >= '0' && *q <= '9') {
        if (v > CC_DIM_MAX)
            return -2;
        v = v * 10 + (*q - '0');
        q++;
    }
    if (v > CC_DIM_MAX)
        return -2;
    *p = q;
    *out = v;
    return 0;
}

int cc_shape_parse(const char *text, cc_shape *out, cc_error *err)
{
    long d[3];
    int n = 0;
    const char *p = text;
    for (;;) {
        int r = parse_dim(&p, &d[n]);
        if (r == -2)
            return cc_error_set(err, CC_ERANGE,
                                "size '%s' has a dimension above %ld", text, (long)CC_DIM_MAX);
        if (r < 0 || d[n] == 0)
            break;
        n++;
        if (*p == '\0') {
            cc_shape s = {0, 0, 0, 0};
            if (n == 1)
                s = (cc_shape){1, d[0], 1, 1};
            else if (n == 2)
                s = (cc_shape){3, 1, d[0], d[1]};
            else
                s = (cc_shape){3, d[2], d[0], d[1]};
            *out = s;
            return 0;
        }
        if ((*p != 'x' && *p != 'X') || n == 3)
            break;
        p++;
    }
    return cc_error_set(err, CC_EINVAL,
                        "'%s' is not a size (expected HxWxC such as 32x32x3, HxW, or a "
                        "number of features; every dimension at least 1)",
                        text);
}

void cc_shape_format(cc_buf *out, const cc_shape *s)
{
    if (s->rank == 3)
        cc_buf_printf(out, "%ldx%ldx%ld", s->c, s->h, s->w);
    else if (s->rank == 1)
        cc_buf_printf(out, "%ld", s->c);
    else
        cc_buf_puts(out, "?");
}

/* "conv (line 3)" style name of a layer for messages. */
static const char *lname(const cc_layer *l, char *buf, size_t size)
{
    const char *k = cc_layer_kind_name(l->kind);
    if (l->name[0] && l->src_layer > 0)
        snprintf(buf, size, "%s (darknet layer %ld)", l->name, l->src_layer - 1);
    else if (l->name[0] && strncmp(l->name, k, strlen(k)) == 0)
        snprintf(buf, size, "%s", l->name);
    else if (l->name[0])
        snprintf(buf, size, "%s (%s)", l->name, k);
    else
        snprintf(buf, size, "%s", cc_layer_kind_name(l->kind));
    return buf;
}

static int shape_err(cc_error *err, const cc_layer *l, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int shape_err(cc_error *err, const cc_layer *l, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cc_error_at(err, CC_ESHAPE, l->line, l->col, "%s", msg);
}

/* The text "relu gives 64x8x8" for the layer that produced shape `in`. */
static void giver(char *buf, size_t size, const cc_stack *s, size_t i)
{
    char nb[160];
    if (i == 0)
        snprintf(buf, size, "the input");
    else
        snprintf(buf, size, "%s", lname(&s->layers[i - 1], nb, sizeof nb));
}

static void shape_str(char *buf, size_t size, const cc_shape *sh)
{
    cc_buf b = {0};
    cc_shape_format(&b, sh);
    snprintf(buf, size, "%s", cc_buf_failed(&b) ? "?" : cc_buf_str(&b));
    cc_buf_free(&b);
}

/* Resolve "same" padding as TensorFlow does (for stride 1 the same as
 * PyTorch's padding='same'): total = max((ceil(in/s)-1)*s + k_eff - in, 0),
 * the extra pixel after. */
static void same_pad(long in, long k, long s, long d, long *before, long *after)
{
    long keff = d * (k - 1) + 1;
    long out = (in + s - 1) / s;
    long total = (out - 1) * s + keff - in;
    if (total < 0)
        total = 0;
    *before = total / 2;
    *after = total - total / 2;
}

/* Receptive field step along one dimension, with arith's cc_rf_step
 * (Araujo et al. 2019). rf -1 (whole input) and 0 (no fixed size)
 * propagate; a field beyond arith's limit counts as the whole input. */
static void rf_step(long r_in, long j_in, long kernel, long stride, long dilation, long *r_out,
                    long *j_out)
{
    if (r_in <= 0) {
        *r_out = r_in;
        *j_out = j_in;
        return;
    }
    cc_rf st = {r_in, j_in};
    if (cc_rf_step(&st, kernel, stride, dilation, NULL)) {
        *r_out = -1;
        *j_out = j_in;
        return;
    }
    *r_out = st.rf;
    *j_out = st.jump;
}

void cc_stack_rf_step(cc_infer_step *st, long kh, long kw, long sh, long sw)
{
    rf_step(st->rf_h, st->jump_h, kh, sh, 1, &st->rf_h, &st->jump_h);
    rf_step(st->rf_w, st->jump_w, kw, sw, 1, &st->rf_w, &st->jump_w);
}

/* Sum over the output positions of an adaptive pooling window's length
 * (PyTorch: start = floor(i*in/out), end = ceil((i+1)*in/out)), and the
 * longest window. */
static void adaptive_windows(long in, long out, int64_t *sum, long *longest)
{
    *sum = 0;
    *longest = 0;
    for (long i = 0; i < out; i++) {
        long st = (long)(((int64_t)i * in) / out);
        long en = (long)((((int64_t)i + 1) * in + out - 1) / out);
        *sum += en - st;
        if (en - st > *longest)
            *longest = en - st;
    }
}


/* Apply one layer: l->in is set; compute l->out and l->counts. */
static int infer_layer(cc_stack *s, size_t i, long *rf_h, long *rf_w, long *j_h,
                       long *j_w, cc_error *err)
{
    cc_layer *l = &s->layers[i];
    cc_shape in = l->in;
    cc_shape o = in;
    char from[200], nb[160], shs[64];
    giver(from, sizeof from, s, i);
    lname(l, nb, sizeof nb);
    shape_str(shs, sizeof shs, &in);
    int64_t n_out = 0, macs = 0, flops = 0;
    long rh = *rf_h, rw = *rf_w, jh = *j_h, jw = *j_w;

    int needs_spatial = l->kind == CC_LAYER_CONV || cc__layer_is_pool(l) ||
                        l->kind == CC_LAYER_GLOBAL_AVGPOOL ||
                        l->kind == CC_LAYER_ADAPTIVE_AVGPOOL ||
                        l->kind == CC_LAYER_BATCHNORM2D;
    if (needs_spatial && in.rank != 3)
        return shape_err(err, l,
                         "%s needs a C x H x W input but %s gives a flat vector of %ld",
                         nb, from, in.c);

    switch (l->kind) {
    case CC_LAYER_CONV: {
        if (l->filters <= 0 || l->filters > CC_DIM_MAX)
            return shape_err(err, l, "%s: %ld filters (expected 1 to %ld)", nb, l->filters,
                             (long)CC_DIM_MAX);
        if (l->in_channels > 0 && l->in_channels != in.c)
            return shape_err(err, l, "%s expects %ld input channels but %s gives %ld (%s)",
                             nb, l->in_channels, from, in.c, shs);
        if (l->groups <= 0 || in.c % l->groups || l->filters % l->groups)
            return shape_err(err, l,
                             "%s: groups %ld must divide both the %ld input channels and "
                             "the %ld filters",
                             nb, l->groups, in.c, l->filters);
        if (l->pad_same) {
            same_pad(in.h, l->kernel_h, l->stride_h, l->dilation_h, &l->pad_top,
                     &l->pad_bottom);
            same_pad(in.w, l->kernel_w, l->stride_w, l->dilation_w, &l->pad_left,
                     &l->pad_right);
        }
        cc_error e;
        cc_error_clear(&e);
        if (cc_conv_out(&o.h, in.h, l->kernel_h, l->stride_h, l->pad_top, l->pad_bottom,
                        l->dilation_h, &e))
            return shape_err(err, l,
                             "%s: height: %s (O = floor((%ld + %ld + %ld - %ld) / %ld) + 1)",
                             nb, e.msg, in.h, l->pad_top, l->pad_bottom,
                             l->dilation_h * (l->kernel_h - 1) + 1, l->stride_h);
        if (cc_conv_out(&o.w, in.w, l->kernel_w, l->stride_w, l->pad_left, l->pad_right,
                        l->dilation_w, &e))
            return shape_err(err, l,
                             "%s: width: %s (O = floor((%ld + %ld + %ld - %ld) / %ld) + 1)", nb,
                             e.msg, in.w, l->pad_left, l->pad_right,
                             l->dilation_w * (l->kernel_w - 1) + 1, l->stride_w);
        o.c = l->filters;
        n_out = cc__shape_elements(&o);
        int64_t n;
        if (n_out < 0 || cc__mul3(l->kernel_h, l->kernel_w, in.c / l->groups, &n) ||
            cc_i64_mul(n_out, n, &macs) || cc_i64_mul(2 * n - 1 + (l->bias ? 1 : 0), n_out, &flops))
            return shape_err(err, l, "%s: the operation count overflows", nb);
        rf_step(rh, jh, l->kernel_h, l->stride_h, l->dilation_h, &rh, &jh);
        rf_step(rw, jw, l->kernel_w, l->stride_w, l->dilation_w, &rw, &jw);
        break;
    }
    case CC_LAYER_MAXPOOL:
    case CC_LAYER_AVGPOOL: {
        long sh = cc__layer_stride_h(l), sw = cc__layer_stride_w(l);
        cc_error e;
        cc_error_clear(&e);
        if (l->pad_same) {
            same_pad(in.h, l->kernel_h, sh, l->dilation_h, &l->pad_top, &l->pad_bottom);
            same_pad(in.w, l->kernel_w, sw, l->dilation_w, &l->pad_left, &l->pad_right);
        }
        if (cc_pool_out(&o.h, in.h, l->kernel_h, sh, l->pad_top, l->pad_bottom,
                        l->dilation_h, l->ceil_mode, &e))
            return shape_err(err, l, "%s: height: %s (O = %s((%ld + %ld + %ld - %ld) / %ld) + 1)",
                             nb, e.msg, l->ceil_mode ? "ceil" : "floor", in.h, l->pad_top,
                             l->pad_bottom, l->dilation_h * (l->kernel_h - 1) + 1, sh);
        if (cc_pool_out(&o.w, in.w, l->kernel_w, sw, l->pad_left, l->pad_right,
                        l->dilation_w, l->ceil_mode, &e))
            return shape_err(err, l, "%s: width: %s (O = %s((%ld + %ld + %ld - %ld) / %ld) + 1)",
                             nb, e.msg, l->ceil_mode ? "ceil" : "floor", in.w, l->pad_left,
                             l->pad_right, l->dilation_w * (l->kernel_w - 1) + 1, sw);
        n_out = cc__shape_elements(&o);
        int64_t win = (int64_t)l->kernel_h * l->kernel_w;
        if (n_out < 0 || cc_i64_mul(n_out, l->kind == CC_LAYER_MAXPOOL ? win - 1 : win, &flops))
            return shape_err(err, l, "%s: the operation count overflows", nb);
        rf_step(rh, jh, l->kernel_h, sh, l->dilation_h, &rh, &jh);
        rf_step(rw, jw, l->kernel_w, sw, l->dilation_w, &rw, &jw);
        break;
    }
    case CC_LAYER_GLOBAL_AVGPOOL:
        o.h = o.w = 1;
        n_out = o.c;
        flops = cc__shape_elements(&in);
        rh = rw = -1;
        break;
    case CC_LAYER_ADAPTIVE_AVGPOOL: {
        if (l->out_h <= 0 || l->out_w <= 0 || l->out_h > 65536 || l->out_w > 65536)
            return shape_err(err, l, "%s: output size %ldx%ld (expected 1 to 65536)", nb,
                             l->out_h, l->out_w);
        o.h = l->out_h;
        o.w = l->out_w;
        int64_t sum_h, sum_w;
        long kh, kw;
        adaptive_windows(in.h, o.h, &sum_h, &kh);
        adaptive_windows(in.w, o.w, &sum_w, &kw);
        n_out = cc__shape_elements(&o);
        if (n_out < 0 || cc__mul3(sum_h, sum_w, o.c, &flops))
            return shape_err(err, l, "%s: the operation count overflows", nb);
        if (o.h == 1 && o.w == 1) {
            rh = rw = -1;
        } else {
            if (in.h % o.h == 0)
                rf_step(rh, jh, in.h / o.h, in.h / o.h, 1, &rh, &jh);
            else if (rh > 0)
                rh = 0;
            if (in.w % o.w == 0)
                rf_step(rw, jw, in.w / o.w, in.w / o.w, 1, &rw, &jw);
            else if (rw > 0)
                rw = 0;
        }
        break;
    }
    case CC_LAYER_BATCHNORM1D:
    case CC_LAYER_BATCHNORM2D: {
        if (l->kind == CC_LAYER_BATCHNORM1D && in.rank != 1)
            return shape_err(err, l,
                             "%s needs a flat input but %s gives %s (use batchnorm2d, or "
                             "flatten first)",
                             nb, from, shs);
        if (l->num_features > 0 && l->num_features != in.c)
            return shape_err(err, l, "%s expects %ld features but %s gives %ld (%s)", nb,
                             l->num_features, from, in.c, shs);
        n_out = cc__shape_elements(&o);
        flops = 2 * n_out;
        break;
    }
    case CC_LAYER_RELU:
    case CC_LAYER_LEAKY_RELU:
    case CC_LAYER_ELU:
    case CC_LAYER_SIGMOID:
    case CC_LAYER_TANH:
    case CC_LAYER_RELU6:
    case CC_LAYER_GELU:
    case CC_LAYER_SILU:
    case CC_LAYER_HARDSWISH:
    case CC_LAYER_HARDSIGMOID:
    case CC_LAYER_ACTIVATION:
        n_out = cc__shape_elements(&o);
        flops = n_out;
        break;
    case CC_LAYER_SOFTMAX:
        n_out = cc__shape_elements(&o);
        flops = 3 * n_out;
        if (l->groups < 1 || (n_out > 0 && n_out % l->groups))
            return shape_err(err, l, "%s: %ld groups do not divide its %lld inputs", nb,
                             l->groups, (long long)n_out);
        break;
    case CC_LAYER_DROPOUT:
    case CC_LAYER_IDENTITY:
        n_out = cc__shape_elements(&o);
        break;
    case CC_LAYER_FLATTEN:
        n_out = cc__shape_elements(&in);
        if (n_out < 0 || n_out > (int64_t)CC_DIM_MAX)
            return shape_err(err, l, "%s: %s has more than %ld elements", nb, shs,
                             (long)CC_DIM_MAX);
        o = (cc_shape){1, (long)n_out, 1, 1};
        break;
    case CC_LAYER_LINEAR: {
        long nin;
        if (in.rank == 3 && l->in_last) {
            /* channels-last (after a Permute): the same weights at every
             * H, W position */
            if (l->in_features > 0 && l->in_features != in.c)
                return shape_err(err, l, "%s expects %ld inputs but %s gives %ld channels (%s)",
                                 nb, l->in_features, from, in.c, shs);
            o.c = l->out_features;
            n_out = cc__shape_elements(&o);
            if (n_out < 0 || cc_i64_mul(n_out, in.c, &macs) ||
                cc_i64_mul(2 * (int64_t)in.c - 1 + (l->bias ? 1 : 0), n_out, &flops))
                return shape_err(err, l, "%s: the operation count overflows", nb);
            break;
        }
        if (in.rank == 3 && !l->flatten_input)
            return shape_err(err, l,
                             "%s needs a flat input but %s gives %s (add a flatten layer "
                             "before it)",
                             nb, from, shs);
        int64_t e = cc__shape_elements(&in);
        if (e < 0 || e > (int64_t)CC_DIM_MAX)
            return shape_err(err, l, "%s: %s has more than %ld elements", nb, shs,
                             (long)CC_DIM_MAX);
        nin = (long)e;
        if (l->in_features > 0 && l->in_features != nin) {
            if (in.rank == 3)
                return shape_err(err, l, "%s expects %ld inputs but %s gives %s = %ld", nb,
                                 l->in_features, from, shs, nin);
            if (i > 0 && s->layers[i - 1].kind == CC_LAYER_FLATTEN &&
                s->layers[i - 1].in.rank == 3) {
                char fsh[64];
                shape_str(fsh, sizeof fsh, &s->layers[i - 1].in);
                return shape_err(err, l, "%s expects %ld inputs but %s gives %ld (%s flattened)",
                                 nb, l->in_features, from, nin, fsh);
            }
            return shape_err(err, l, "%s expects %ld inputs but %s gives %ld", nb,
                             l->in_features, from, nin);
        }
        if (l->out_features <= 0 || l->out_features > CC_DIM_MAX)
            return shape_err(err, l, "%s: %ld outputs (expected 1 to %ld)", nb,
                             l->out_features, (long)CC_DIM_MAX);
        o = (cc_shape){1, l->out_features, 1, 1};
        n_out = l->out_features;
        if (cc_i64_mul(nin, l->out_features, &macs) ||
            cc_i64_mul(2 * (int64_t)nin - 1 + (l->bias ? 1 : 0), n_out, &flops))
            return shape_err(err, l, "%s: the operation count overflows", nb);
        rh = rw = -1;
        break;
    }
    case CC_LAYER_ADD:
    case CC_LAYER_CONCAT: {
        long srcs[CC_CONCAT_MAX];
        int ns;
        if (l->kind == CC_LAYER_ADD) {
            srcs[0] = l->from;
            ns = 1;
        } else {
            ns = l->n_sources;
            if (ns < 1 || ns > CC_CONCAT_MAX)
                return shape_err(err, l, "%s: %d sources (expected 1 to %d)", nb, ns,
                                 CC_CONCAT_MAX);
            memcpy(srcs, l->sources, sizeof srcs);
        }
        if (l->kind == CC_LAYER_CONCAT)
            o.c = 0;
        for (int k = 0; k < ns; k++) {
            long f = srcs[k];
            if (f != CC_FROM_INPUT && (f < 0 || (size_t)f >= i))
                return shape_err(err, l, "%s refers to layer %ld, which is not before it", nb,
                                 f + 1);
            const cc_shape *fs = f == CC_FROM_INPUT ? &s->input : &s->layers[f].out;
            const cc_layer *fl = f == CC_FROM_INPUT ? NULL : &s->layers[f];
            char fsh[64], fnm[200], fnb[160];
            shape_str(fsh, sizeof fsh, fs);
            if (fl && fl->src_layer > 0)
                snprintf(fnm, sizeof fnm, "%s", lname(fl, fnb, sizeof fnb));
            else if (fl)
                snprintf(fnm, sizeof fnm, "layer %ld, %s,", f + 1, lname(fl, fnb, sizeof fnb));
            else
                snprintf(fnm, sizeof fnm, "the input");
            long frh = fl ? fl->counts.rf_h : 1, frw = fl ? fl->counts.rf_w : 1;
            int same = fs->rank == in.rank && fs->c == in.c && fs->h == in.h && fs->w == in.w;
            if (l->kind == CC_LAYER_ADD && !same && l->resample) {
                /* darknet's shortcut: the sizes in a whole ratio, the same in
                 * height and width; the channels both have are added */
                long st = in.w ? fs->w / in.w : 0, sa = fs->w ? in.w / fs->w : 0;
                if (fs->rank != 3 || in.rank != 3 || in.h == 0 || fs->h == 0 ||
                    st != fs->h / in.h || sa != in.h / fs->h)
                    return shape_err(err, l,
                                     "%s: %s gives %s and %s gives %s: darknet adds maps "
                                     "whose sizes are in the same whole ratio in height and "
                                     "width",
                                     nb, fnm, fsh, from, shs);
                long mc = fs->c < in.c ? fs->c : in.c, mh = fs->h < in.h ? fs->h : in.h,
                     mw = fs->w < in.w ? fs->w : in.w;
                flops = (int64_t)mc * mh * mw;
            } else if (l->kind == CC_LAYER_ADD) {
                if (!same)
                    return shape_err(err, l, "%s: %s gives %s but %s gives %s (they must be equal)",
                                     nb, fnm, fsh, from, shs);
                flops = cc__shape_elements(&in);
            } else if (ns == 1 && fs->rank == 1 && l->groups <= 1) {
                o = *fs;
                rh = frh;
                rw = frw;
            } else {
                if (fs->rank != 3 || (k > 0 && (fs->h != o.h || fs->w != o.w)))
                    return shape_err(err, l,
                                     "%s: %s gives %s, which does not match the height and "
                                     "width %ldx%ld of the first source",
                                     nb, fnm, fsh, o.h, o.w);
                if (k == 0) {
                    o = *fs;
                    o.c = 0;
                    rh = frh;
                    rw = frw;
                    jh = fl ? fl->counts.jump_h : 1;
                    jw = fl ? fl->counts.jump_w : 1;
                }
                if (l->groups > 1 && (fs->c % l->groups || l->group_id < 0 ||
                                      l->group_id >= l->groups))
                    return shape_err(err, l,
                                     "%s: groups %ld, group_id %ld: %s has %ld channels (the "
                                     "groups must divide them, 0 <= group_id < groups)",
                                     nb, l->groups, l->group_id, fnm, fs->c);
                o.c += l->groups > 1 ? fs->c / l->groups : fs->c;
            }
            /* the receptive field of a merge is the larger one */
            if (frh < 0 || rh < 0)
                rh = -1;
            else if (frh == 0 || rh == 0)
                rh = 0;
            else if (frh > rh)
                rh = frh;
            if (frw < 0 || rw < 0)
                rw = -1;
            else if (frw == 0 || rw == 0)
                rw = 0;
            else if (frw > rw)
                rw = frw;
        }
        if (o.c > CC_DIM_MAX)
            return shape_err(err, l, "%s: %ld channels (more than %ld)", nb, o.c,
                             (long)CC_DIM_MAX);
        n_out = cc__shape_elements(&o);
        break;
    }
    case CC_LAYER_UPSAMPLE:
    case CC_LAYER_REORG:
    case CC_LAYER_CROP:
    case CC_LAYER_LOCAL:
    case CC_LAYER_RECURRENT:
    case CC_LAYER_DETECT: {
        cc_infer_step st = {.rf_h = rh, .rf_w = rw, .jump_h = jh, .jump_w = jw};
        int rc = cc_stack_more_infer(s, i, &st, err);
        if (rc)
            return rc;
        o = st.out;
        n_out = st.n_out;
        macs = st.macs;
        flops = st.flops;
        rh = st.rf_h;
        rw = st.rf_w;
        jh = st.jump_h;
        jw = st.jump_w;
        break;
    }
    case CC_LAYER_MODULE:
    case CC_LAYER_MUL: {
        int rc = cc__module_infer(s, i, &o, &n_out, &macs, &flops, err);
        if (rc)
            return rc;
        if (o.rank == 1 || o.h != in.h || o.w != in.w)
            rh = rw = -1;
        break;
    }
    default:
        return cc_error_at(err, CC_EINTERNAL, l->line, l->col, "unknown layer kind %d",
                           (int)l->kind);
    }
    l->out = o;
    if (l->kind != CC_LAYER_MODULE)
        l->out_last = o.rank == 3 && l->in_last;
    if (cc__layer_count_params(l))
        return shape_err(err, l, "%s: the parameter count overflows", nb);
    l->counts.macs = macs;
    l->counts.flops = flops;
    l->counts.activations = n_out;
    l->counts.rf_h = rh;
    l->counts.rf_w = rw;
    l->counts.jump_h = jh;
    l->counts.jump_w = jw;
    *rf_h = rh;
    *rf_w = rw;
    *j_h = jh;
    *j_w = jw;
    return 0;
}

/* Counts from declared channel numbers only (no input size, or a model
 * whose forward order is unknown). */
static int infer_declared(cc_stack *s, cc_error *err)
{
    for (size_t i = 0; i < s->n; i++) {
        cc_layer *l = &s->layers[i];
        l->in = l->out = (cc_shape){0, 0, 0, 0};
        if (cc__layer_count_params(l)) {
            char nb[160];
            return shape_err(err, l, "%s: the parameter count overflows",
                             lname(l, nb, sizeof nb));
        }
        l->counts.macs = l->counts.flops = l->counts.activations = -1;
        /* the receptive field: unknown unless declared_rf() follows */
        l->counts.rf_h = l->counts.rf_w = l->counts.jump_h = l->counts.jump_w = 0;
    }
    return 0;
}

/* Is every parametrised layer's input size declared? */
static const cc_layer *first_undeclared(const cc_stack *s)
{
    for (size_t i = 0; i < s->n; i++) {
        const cc_layer *l = &s->layers[i];
        if ((l->kind == CC_LAYER_CONV && l->in_channels <= 0) ||
            ((l->kind == CC_LAYER_BATCHNORM1D || l->kind == CC_LAYER_BATCHNORM2D) &&
             l->num_features <= 0) ||
            (l->kind == CC_LAYER_LINEAR && l->in_features <= 0) ||
            l->kind == CC_LAYER_LOCAL || l->kind == CC_LAYER_RECURRENT)
            return l;
    }
    return NULL;
}

static void set_shape_note(cc_stack *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_shape_note(cc_stack *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->shape_note, sizeof s->shape_note, fmt, ap);
    va_end(ap);
}

int cc_layer_elementwise(cc_layer_kind k)
{
    switch (k) {
    case CC_LAYER_RELU:
    case CC_LAYER_LEAKY_RELU:
    case CC_LAYER_ELU:
    case CC_LAYER_SIGMOID:
    case CC_LAYER_TANH:
    case CC_LAYER_DROPOUT:
    case CC_LAYER_IDENTITY:
    case CC_LAYER_RELU6:
    case CC_LAYER_GELU:
    case CC_LAYER_SILU:
    case CC_LAYER_HARDSWISH:
    case CC_LAYER_HARDSIGMOID:
    case CC_LAYER_ACTIVATION:
        return 1;
    default:
        return 0;
    }
}

/* Receptive field and jump of each layer in the printed order from the
 * kernels, strides and dilations alone: they do not depend on the input
 * size. Convolution and pooling grow it, element-wise layers, batch norm,
 * softmax and flatten keep it, linear and global pooling see the whole
 * input (-1); adaptive pooling, modules and merges, whose windows depend
 * on sizes or on a forward order not known here, leave it unknown (0). */
static void declared_rf(cc_stack *s)
{
    long rh = 1, rw = 1, jh = 1, jw = 1;
    for (size_t i = 0; i < s->n; i++) {
        cc_layer *l = &s->layers[i];
        switch (l->kind) {
        case CC_LAYER_CONV:
            rf_step(rh, jh, l->kernel_h, l->stride_h, l->dilation_h, &rh, &jh);
            rf_step(rw, jw, l->kernel_w, l->stride_w, l->dilation_w, &rw, &jw);
            break;
        case CC_LAYER_MAXPOOL:
        case CC_LAYER_AVGPOOL:
            rf_step(rh, jh, l->kernel_h, cc__layer_stride_h(l), l->dilation_h, &rh, &jh);
            rf_step(rw, jw, l->kernel_w, cc__layer_stride_w(l), l->dilation_w, &rw, &jw);
            break;
        case CC_LAYER_BATCHNORM1D:
        case CC_LAYER_BATCHNORM2D:
        case CC_LAYER_SOFTMAX:
        case CC_LAYER_FLATTEN:
            break;
        case CC_LAYER_LINEAR:
        case CC_LAYER_GLOBAL_AVGPOOL:
            rh = rw = -1;
            break;
        case CC_LAYER_ADAPTIVE_AVGPOOL:
            if (l->out_h == 1 && l->out_w == 1) {
                rh = rw = -1;
                break;
            }
            /* fall through */
        default:
            if (!cc_layer_elementwise(l->kind)) {
                rh = rh < 0 ? rh : 0;
                rw = rw < 0 ? rw : 0;
            }
            break;
        }
        l->counts.rf_h = rh;
        l->counts.rf_w = rw;
        l->counts.jump_h = rh < 0 ? -1 : jh;
        l->counts.jump_w = rw < 0 ? -1 : jw;
    }
}

/* A linear layer that flattens its input (darknet's connected, a custom
 * PyTorch forward's torch.flatten) flattens before the element-wise layers
 * that lead up to it, as torchvision's AlexNet does before its Dropout:
 * does layer i start or continue such a run? */
static int flattens_before(const cc_stack *s, size_t i)
{
    for (size_t k = i; k < s->n; k++) {
        const cc_layer *l = &s->layers[k];
        if (l->kind == CC_LAYER_LINEAR)
            return l->flatten_input && k > i;
        if (!cc_layer_elementwise(l->kind))
            return 0;
    }
    return 0;
}

/* An auxiliary head (implied 3: it runs only in training) whose layer i
 * does not fit the input size: it and the rest of that head get unknown
 * shapes and their declared parameter counts; returns the head's last
 * layer, or -1 when a count overflows. */
static long skip_aux_head(cc_stack *s, size_t i)
{
    size_t k = i;
    for (; k < s->n && s->layers[k].implied == 3; k++) {
        cc_layer *l = &s->layers[k];
        if (k > i && l->kind == CC_LAYER_CONCAT && l->n_sources == 1)
            break; /* the next head starts */
        l->in = l->out = (cc_shape){0, 0, 0, 0};
        l->out_last = 0;
        if (cc__layer_count_params(l))
            return -1;
        l->counts.macs = l->counts.flops = 0;
        l->counts.activations = -1;
        l->counts.rf_h = l->counts.rf_w = l->counts.jump_h = l->counts.jump_w = -1;
    }
    return (long)k - 1;
}

static int infer_chain(cc_stack *s, cc_error *err, char *aux_note, size_t aux_size)
{
    long rh = 1, rw = 1, jh = 1, jw = 1;
    if (s->input.rank != 3)
        rh = rw = -1;
    for (size_t i = 0; i < s->n; i++) {
        cc_layer *l = &s->layers[i];
        l->in = i == 0 ? s->input : s->layers[i - 1].out;
        l->in_last = i > 0 && l->in.rank == 3 && s->layers[i - 1].out_last;
        if (l->in.rank == 3 && !l->in_last && flattens_before(s, i)) {
            int64_t e = cc__shape_elements(&l->in);
            if (e > 0 && e <= (int64_t)CC_DIM_MAX)
                l->in = (cc_shape){1, (long)e, 1, 1};
        }
        int rc = infer_layer(s, i, &rh, &rw, &jh, &jw, err);
        if (rc == CC_ESHAPE && l->implied == 3) {
            /* evaluation never runs it; training at this size would fail */
            long last = skip_aux_head(s, i);
            if (last < 0)
                return rc;
            if (!aux_note[0])
                snprintf(aux_note, aux_size,
                         "; the training-only auxiliary head at line %d does not fit this "
                         "input (%.60s): its shapes are unknown", l->line, l->name);
            cc_error_clear(err);
            i = (size_t)last;
            continue;
        }
        if (rc)
            return rc;
        if (l->implied == 3) /* runs only in training (an auxiliary head) */
            l->counts.macs = l->counts.flops = 0;
        if (l->functional) { /* forward hooks do not see it */
            l->counts.unhooked_macs += l->counts.macs;
            l->counts.macs = l->counts.flops = 0;
        }
    }
    return 0;
}

int cc_stack_infer(cc_stack *s, cc_error *err)
{
    s->shapes = CC_SHAPES_NONE;
    s->shape_note[0] = '\0';
    for (size_t i = 0; i < s->n; i++) {
        cc_layer *l = &s->layers[i];
        l->in = l->out = (cc_shape){0, 0, 0, 0};
        memset(&l->counts, 0, sizeof l->counts);
    }
    cc__module_prepare(s);
    if (s->input.rank == 0) {
        const cc_layer *u = first_undeclared(s);
        if (u) {
            char nb[160];
            return cc_error_at(err, CC_EINVAL, u->line, u->col,
                               "no input size, so the input of %s is not known (add a line "
                               "'input HxWxC', e.g. 'input 32x32x3', or pass --input)",
                               lname(u, nb, sizeof nb));
        }
        int rc = infer_declared(s, err);
        if (rc)
            return rc;
        declared_rf(s);
        set_shape_note(s, "no input size given: parameters only (pass --input HxWxC for shapes)");
        return 0;
    }
    cc_error e;
    cc_error_clear(&e);
    char aux[200] = "";
    int rc = infer_chain(s, &e, aux, sizeof aux);
    if (rc == 0) {
        s->shapes = s->custom_modules ? CC_SHAPES_ASSUMED : CC_SHAPES_SEQUENTIAL;
        if (s->custom_modules)
            set_shape_note(s, "shapes assume forward() calls the modules in the printed order "
                     "(they fit together that way); parameters are exact either way%s", aux);
        else if (aux[0])
            set_shape_note(s, "%s", aux + 2);
        return 0;
    }
    if (rc == CC_ESHAPE && (s->custom_modules || cc__stack_has_opaque(s)) &&
        !first_undeclared(s)) {
        rc = infer_declared(s, err);
        if (rc)
            return rc;
        s->shapes = CC_SHAPES_UNKNOWN;
        set_shape_note(s, "shapes cannot be inferred from the repr of a non-sequential model "
                 "(line %d: %.160s); parameter totals are exact",
                 e.line, e.msg);
        return 0;
    }
    if (err)
        *err = e;
    return rc;
}

void cc_stack_totals_get(const cc_stack *s, int keras, cc_stack_totals *t)
{
    memset(t, 0, sizeof *t);
    int macs_known = s->n > 0 && s->input.rank > 0;
    for (size_t i = 0; i < s->n; i++) {
        const cc_layer_counts *k = &s->layers[i].counts;
        if (k->params < 0 || t->total_params < 0) {
            t->total_params = t->trainable_params = t->non_trainable_params = t->buffers = -1;
        } else {
            t->total_params += k->params;
            t->trainable_params += k->trainable;
            t->non_trainable_params += k->non_trainable;
            t->buffers += k->buffers;
        }
        if (k->macs < 0)
            macs_known = 0;
        else {
            t->macs += k->macs;
            t->flops += k->flops;
            t->unhooked_macs += k->unhooked_macs;
            if (k->params > 0)
                t->activation_elements += 2 * k->activations;
        }
    }
    if (keras && t->total_params >= 0) {
        t->total_params += t->buffers;
        t->non_trainable_params += t->buffers;
        t->buffers = 0;
    }
    if (!macs_known) {
        t->macs = t->flops = t->activation_elements = t->unhooked_macs = -1;
    }
    t->input_elements = s->input.rank ? cc__shape_elements(&s->input) : -1;
}

