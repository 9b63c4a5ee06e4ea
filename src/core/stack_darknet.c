/* stack_darknet.c - shapes, counts and spec lines of the layer kinds only
 * darknet cfgs have: upsample, reorg, crop, local, the recurrent cells and
 * the detector outputs (yolo, region, detection). The rules follow
 * pjreddie/darknet's make_*_layer functions; parameters are the floats its
 * save_weights writes for the layer (convcalc's params + buffers). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/stack_priv.h"

static int ferr(cc_error *err, const cc_layer *l, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int ferr(cc_error *err, const cc_layer *l, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cc_error_at(err, CC_ESHAPE, l->line, l->col, "%s", msg);
}

/* "[yolo] (darknet layer 106)": how messages name a layer. */
static const char *who(const cc_layer *l, char *buf, size_t size)
{
    const char *t = l->type[0] ? l->type : cc_layer_kind_name(l->kind);
    if (l->src_layer > 0)
        snprintf(buf, size, "[%s] (darknet layer %ld)", t, l->src_layer - 1);
    else
        snprintf(buf, size, "%s", l->name[0] ? l->name : t);
    return buf;
}

static int64_t numel(const cc_shape *s)
{
    int64_t n;
    if (s->rank == 0 || cc_i64_mul(s->c, s->h, &n) || cc_i64_mul(n, s->w, &n))
        return -1;
    return n;
}

/* The connected sub-layers of a recurrent cell: n_in from the input, n_rec
 * from the hidden state (darknet's rnn: input, self and output layers). */
static void cell_parts(int cell, int *n_in, int *n_rec)
{
    *n_in = cell == CC_CELL_LSTM ? 4 : cell == CC_CELL_GRU ? 3 : 1;
    *n_rec = cell == CC_CELL_LSTM ? 4 : cell == CC_CELL_GRU ? 3 : 2;
}

const char *cc_cell_name(int cell)
{
    return cell == CC_CELL_LSTM ? "lstm" : cell == CC_CELL_GRU ? "gru" : "rnn";
}

int cc_stack_more_params(const cc_layer *l, int64_t in_n, long in_c, cc_shape out,
                         int64_t *params, int64_t *buffers)
{
    *params = *buffers = 0;
    switch (l->kind) {
    case CC_LAYER_LOCAL: {
        /* a weight per location, input value and filter; a bias per output */
        int64_t loc, w, b;
        if (out.rank != 3 || in_c <= 0)
            return 1;
        if (cc_i64_mul(out.h, out.w, &loc) || cc_i64_mul(loc, l->kernel_h, &w) ||
            cc_i64_mul(w, l->kernel_w, &w) || cc_i64_mul(w, in_c, &w) ||
            cc_i64_mul(w, l->filters, &w) || cc_i64_mul(loc, l->filters, &b) ||
            cc_i64_add(w, b, params))
            return -1;
        return 0;
    }
    case CC_LAYER_RECURRENT: {
        int n_in, n_rec;
        int64_t h = l->out_features, a, r, per;
        if (in_n <= 0)
            return 1;
        cell_parts(l->cell, &n_in, &n_rec);
        /* each sub-layer: weights, a bias, with batch_normalize a scale */
        per = h * (l->cell_bn ? 2 : 1);
        if (cc_i64_mul(in_n, h, &a) || cc_i64_add(a, per, &a) || cc_i64_mul(h, h, &r) ||
            cc_i64_add(r, per, &r) || cc_i64_mul(a, n_in, &a) || cc_i64_mul(r, n_rec, &r) ||
            cc_i64_add(a, r, params))
            return -1;
        *buffers = l->cell_bn ? 2 * h * (n_in + n_rec) : 0;
        return 0;
    }
    default:
        return 0;
    }
}

void cc_stack_more_formula(cc_buf *out, const cc_layer *l, int64_t in_n, long in_c,
                           cc_shape o)
{
    int64_t p, b;
    if (cc_stack_more_params(l, in_n, in_c, o, &p, &b) != 0)
        return;
    if (l->kind == CC_LAYER_LOCAL)
        cc_buf_printf(out, "%ld*%ld * (%ld*%ld*%ld + 1) * %ld = %lld", o.h, o.w, l->kernel_h,
                      l->kernel_w, in_c, l->filters, (long long)p);
    else if (l->kind == CC_LAYER_RECURRENT) {
        int n_in, n_rec;
        cell_parts(l->cell, &n_in, &n_rec);
        const char *bias = l->cell_bn ? " + 2" : " + 1";
        cc_buf_printf(out, "%d*(%lld%s)*%ld + %d*(%ld%s)*%ld = %lld", n_in, (long long)in_n,
                      bias, l->out_features, n_rec, l->out_features, bias, l->out_features,
                      (long long)p);
    }
}

int cc_stack_more_infer(const cc_stack *s, size_t i, cc_infer_step *st, cc_error *err)
{
    const cc_layer *l = &s->layers[i];
    const cc_shape in = l->in;
    cc_shape o = in;
    char nb[160];
    who(l, nb, sizeof nb);
    int64_t n_in = numel(&in), n_out = -1;
    st->macs = st->flops = 0;
    int spatial = l->kind != CC_LAYER_RECURRENT &&
                  !(l->kind == CC_LAYER_DETECT && l->det_side > 0);
    if (spatial && in.rank != 3)
        return ferr(err, l, "%s needs a C x H x W input but gets a flat vector of %ld", nb,
                    in.c);
    switch (l->kind) {
    case CC_LAYER_UPSAMPLE: {
        long f = l->stride_h;
        if (f < 1 || l->stride_w < 1 || f > 1024 || l->stride_w > 1024)
            return ferr(err, l, "%s: factor %ldx%ld (expected 1 to 1024)", nb, f,
                        l->stride_w);
        if ((int64_t)in.h * f > CC_DIM_MAX || (int64_t)in.w * l->stride_w > CC_DIM_MAX)
            return ferr(err, l, "%s: %ldx%ld upsampled %ldx%ld is larger than %ld", nb, in.h,
                        in.w, f, l->stride_w, (long)CC_DIM_MAX);
        o.h = in.h * f;
        o.w = in.w * l->stride_w;
        /* an output pixel sees what the input pixel it copies sees; the
         * jump shrinks by the factor (unknown when it does not divide) */
        if (st->jump_h % f == 0)
            st->jump_h /= f;
        else if (st->rf_h > 0)
            st->rf_h = 0;
        if (st->jump_w % l->stride_w == 0)
            st->jump_w /= l->stride_w;
        else if (st->rf_w > 0)
            st->rf_w = 0;
        break;
    }
    case CC_LAYER_REORG: {
        long k = l->stride_h;
        if (k < 1 || k > 65536)
            return ferr(err, l, "%s: stride %ld (expected 1 to 65536)", nb, k);
        if (l->extra > 0) {
            /* darknet: a flat output of the input values and `extra` more */
            if (n_in < 0 || n_in + l->extra > CC_DIM_MAX)
                return ferr(err, l, "%s: %lld + %ld values are too many", nb,
                            (long long)n_in, l->extra);
            o = (cc_shape){1, (long)(n_in + l->extra), 1, 1};
            st->rf_h = st->rf_w = -1;
            break;
        }
        if (l->reverse) {
            if (in.c % (k * k) || (int64_t)in.h * k > CC_DIM_MAX ||
                (int64_t)in.w * k > CC_DIM_MAX)
                return ferr(err, l,
                            "%s: reverse stride %ld needs the %ld channels divisible by "
                            "%ld",
                            nb, k, in.c, k * k);
            o.c = in.c / (k * k);
            o.h = in.h * k;
            o.w = in.w * k;
            if (st->rf_h > 0 && (st->jump_h % k || st->jump_w % k))
                st->rf_h = st->rf_w = 0;
            else {
                st->jump_h /= k;
                st->jump_w /= k;
            }
            break;
        }
        if (in.h % k || in.w % k)
            return ferr(err, l,
                        "%s: stride %ld does not divide the input %ldx%ld (darknet's reorg "
                        "needs whole blocks)",
                        nb, k, in.h, in.w);
        if ((int64_t)in.c * k * k > CC_DIM_MAX)
            return ferr(err, l, "%s: %ld x %ld x %ld channels are too many", nb, in.c, k, k);
        o.c = in.c * k * k;
        o.h = in.h / k;
        o.w = in.w / k;
        cc_stack_rf_step(st, k, k, k, k);
        break;
    }
    case CC_LAYER_CROP:
        if (l->out_h < 1 || l->out_w < 1 || l->out_h > in.h || l->out_w > in.w)
            return ferr(err, l, "%s: a %ldx%ld crop of a %ldx%ld input (expected 1 to the "
                        "input size)", nb, l->out_h, l->out_w, in.h, in.w);
        o.h = l->out_h;
        o.w = l->out_w;
        n_out = numel(&o);
        st->flops = l->noadjust ? 0 : 2 * n_out; /* darknet rescales to 2x - 1 */
        break;
    case CC_LAYER_LOCAL: {
        long k = l->kernel_h, sd = l->stride_h;
        if (l->filters < 1 || l->filters > CC_DIM_MAX || k < 1 || sd < 1)
            return ferr(err, l, "%s: %ld filters, size %ld, stride %ld (expected at least 1)",
                        nb, l->filters, k, sd);
        /* darknet: out = (in - 1)/stride + 1 with pad, (in - size)/stride + 1
         * without */
        long eh = l->pad_top > 0 ? in.h - 1 : in.h - k;
        long ew = l->pad_top > 0 ? in.w - 1 : in.w - k;
        if (eh < 0 || ew < 0)
            return ferr(err, l, "%s: size %ld is larger than the %ldx%ld input", nb, k, in.h,
                        in.w);
        o.c = l->filters;
        o.h = eh / sd + 1;
        o.w = ew / sd + 1;
        n_out = numel(&o);
        int64_t per;
        if (n_out < 0 || cc_i64_mul((int64_t)k * k, in.c, &per) ||
            cc_i64_mul(per, n_out, &st->macs) || cc_i64_mul(2 * per, n_out, &st->flops))
            return ferr(err, l, "%s: the operation count overflows", nb);
        cc_stack_rf_step(st, k, k, sd, sd);
        break;
    }
    case CC_LAYER_RECURRENT: {
        int n_i, n_r;
        long h = l->out_features;
        if (h < 1 || h > CC_DIM_MAX)
            return ferr(err, l, "%s: output=%ld (expected 1 to %ld)", nb, h, (long)CC_DIM_MAX);
        if (n_in < 1 || n_in > CC_DIM_MAX)
            return ferr(err, l, "%s: %lld inputs (expected 1 to %ld)", nb, (long long)n_in,
                        (long)CC_DIM_MAX);
        cell_parts(l->cell, &n_i, &n_r);
        int64_t a, r;
        if (cc_i64_mul(n_in, h, &a) || cc_i64_mul(a, n_i, &a) || cc_i64_mul(h, h, &r) ||
            cc_i64_mul(r, n_r, &r) || cc_i64_add(a, r, &st->macs))
            return ferr(err, l, "%s: the operation count overflows", nb);
        /* each sub-layer as a linear layer with its bias: 2 per MAC */
        if (cc_i64_mul(2, st->macs, &st->flops))
            return ferr(err, l, "%s: the operation count overflows", nb);
        o = (cc_shape){1, h, 1, 1};
        st->rf_h = st->rf_w = -1;
        break;
    }
    case CC_LAYER_DETECT: {
        int64_t per = 0, want = -1;
        if (l->det_num < 1 || l->det_classes < 0 || l->det_coords < 0 ||
            l->det_num > 65536 || l->det_classes > CC_DIM_MAX || l->det_coords > 65536)
            return ferr(err, l, "%s: num %ld, classes %ld, coords %ld are out of range", nb,
                        l->det_num, l->det_classes, l->det_coords);
        if (l->det_side > 0) {
            /* darknet asserts side*side*((1 + coords)*n + classes) == inputs */
            if (l->det_side > 65536 ||
                cc_i64_mul((1 + l->det_coords), l->det_num, &per) ||
                cc_i64_add(per, l->det_classes, &per) ||
                cc_i64_mul(per, (int64_t)l->det_side * l->det_side, &want) || want != n_in)
                return ferr(err, l,
                            "%s: side %ld, num %ld, coords %ld and classes %ld need "
                            "side*side*((1 + coords)*num + classes) inputs, but it gets %lld",
                            nb, l->det_side, l->det_num, l->det_coords, l->det_classes,
                            (long long)n_in);
            o = (cc_shape){1, (long)n_in, 1, 1};
        } else {
            /* yolo, region: num*(classes + coords + 1) channels per cell */
            if (cc_i64_add(l->det_classes, l->det_coords + 1, &per) ||
                cc_i64_mul(per, l->det_num, &want) || want != in.c)
                return ferr(err, l,
                            "%s: %ld anchors x (%ld classes + %ld coordinates + 1) = %lld "
                            "channels, but the input has %ld",
                            nb, l->det_num, l->det_classes, l->det_coords, (long long)want,
                            in.c);
        }
        n_out = numel(&o);
        st->flops = n_out; /* one activation per value */
        break;
    }
    default:
        return cc_error_at(err, CC_EINTERNAL, l->line, l->col, "unknown layer kind %d",
                           (int)l->kind);
    }
    if (n_out < 0)
        n_out = numel(&o);
    if (n_out < 0)
        return ferr(err, l, "%s: the output is too large", nb);
    st->out = o;
    st->n_out = n_out;
    return 0;
}

void cc_stack_more_describe(cc_buf *b, const cc_layer *l)
{
    switch (l->kind) {
    case CC_LAYER_UPSAMPLE:
        if (l->stride_h == l->stride_w)
            cc_buf_printf(b, " %ld", l->stride_h);
        else
            cc_buf_printf(b, " %ldx%ld", l->stride_h, l->stride_w);
        break;
    case CC_LAYER_REORG:
        cc_buf_printf(b, " %ld", l->stride_h);
        if (l->reverse)
            cc_buf_puts(b, " reverse");
        if (l->extra > 0)
            cc_buf_printf(b, " extra %ld", l->extra);
        break;
    case CC_LAYER_CROP:
        cc_buf_printf(b, " %ldx%ld", l->out_h, l->out_w);
        if (l->noadjust)
            cc_buf_puts(b, " noadjust");
        break;
    case CC_LAYER_LOCAL:
        cc_buf_printf(b, " %ld %ldx%ld", l->filters, l->kernel_h, l->kernel_w);
        if (l->stride_h != 1)
            cc_buf_printf(b, " stride %ld", l->stride_h);
        if (l->pad_top > 0)
            cc_buf_puts(b, " pad");
        break;
    case CC_LAYER_RECURRENT:
        cc_buf_printf(b, " %s %ld", cc_cell_name(l->cell), l->out_features);
        if (l->cell_bn)
            cc_buf_puts(b, " batchnorm");
        break;
    case CC_LAYER_DETECT:
        cc_buf_printf(b, " num %ld classes %ld coords %ld", l->det_num, l->det_classes,
                      l->det_coords);
        if (l->det_side > 0)
            cc_buf_printf(b, " side %ld", l->det_side);
        break;
    case CC_LAYER_ACTIVATION:
        cc_buf_printf(b, " %s", l->type);
        break;
    default:
        break;
    }
}
