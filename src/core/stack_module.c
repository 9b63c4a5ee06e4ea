/* stack_module.c - shapes and counts of the layers a PyTorch repr brings
 * beyond the spec language's own (CC_LAYER_MODULE: normalisations,
 * resampling, padding, transposed convolution, permutes, modules that are
 * not known), and the broadcast product of squeeze-excitation
 * (CC_LAYER_MUL). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/stack_priv.h"

int cc__module_err(cc_error *err, const cc_layer *l, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cc_error_at(err, CC_ESHAPE, l->line, l->col, "%s%s%s: %s", l->name,
                       l->name[0] ? " " : "", l->type[0] ? l->type : "module", msg);
}

static int64_t count(const cc_shape *s)
{
    int64_t a, b;
    if (s->rank == 0 || cc_i64_mul(s->c, s->h, &a) || cc_i64_mul(a, s->w, &b))
        return -1;
    return b;
}

static int fits(long v)
{
    return v >= 1 && v <= CC_DIM_MAX;
}

void cc__module_prepare(cc_stack *s)
{
    for (size_t i = 0; i < s->n; i++) {
        cc_layer *l = &s->layers[i];
        if (l->kind != CC_LAYER_MODULE || l->rule != CC_RULE_POS_EMBED)
            continue;
        long p = l->rule_arg[0], d = l->rule_arg[1];
        l->fixed_params = -1;
        l->formula[0] = '\0';
        if (s->input.rank != 3 || p <= 0 || d <= 0)
            continue;
        int64_t tokens = (int64_t)(s->input.h / p) * (s->input.w / p) + 1, n;
        if (cc_i64_mul(tokens + 1, d, &n))
            continue;
        /* class token (1 x 1 x D) + position embedding (1 x tokens x D) */
        l->fixed_params = n;
        snprintf(l->formula, sizeof l->formula, "(1 + (%ld/%ld)*(%ld/%ld) + 1) * %ld = %lld",
                 s->input.h, p, s->input.w, p, d, (long long)n);
    }
}

int cc__stack_has_opaque(const cc_stack *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->layers[i].kind == CC_LAYER_MODULE &&
            (s->layers[i].rule == CC_RULE_OPAQUE || s->layers[i].rule == CC_RULE_POS_EMBED))
            return 1;
    return 0;
}

static int mul_infer(cc_stack *s, size_t i, cc_shape *o, cc_error *err)
{
    const cc_layer *l = &s->layers[i];
    long f = l->from;
    if (f != CC_FROM_INPUT && (f < 0 || (size_t)f >= i))
        return cc__module_err(err, l, "refers to layer %ld, which is not before it", f + 1);
    const cc_shape *a = &l->in, *b = f == CC_FROM_INPUT ? &s->input : &s->layers[f].out;
    if (a->rank != 3 || b->rank != 3 || a->c != b->c ||
        !((a->h == b->h && a->w == b->w) || (a->h == 1 && a->w == 1) ||
          (b->h == 1 && b->w == 1)))
        return cc__module_err(err, l, "%ldx%ldx%ld times %ldx%ldx%ld (expected equal shapes, or one "
                    "of them C x 1 x 1)", a->c, a->h, a->w, b->c, b->h, b->w);
    *o = a->h == 1 && a->w == 1 ? *b : *a;
    return 0;
}

/* PyTorch: out = (in - 1) * s - 2 p + d (k - 1) + output_padding + 1 */
static long convt_out(long in, long k, long st, long p, long d, long op)
{
    return (in - 1) * st - 2 * p + d * (k - 1) + op + 1;
}

int cc__module_infer(cc_stack *s, size_t i, cc_shape *out, int64_t *n_out, int64_t *macs,
                     int64_t *flops, cc_error *err)
{
    cc_layer *l = &s->layers[i];
    cc_shape in = l->in, o = in;
    *macs = *flops = 0;
    if (l->kind == CC_LAYER_MUL) {
        int rc = mul_infer(s, i, &o, err);
        if (rc)
            return rc;
        *out = o;
        *n_out = *flops = count(&o);
        return 0;
    }
    int spatial = in.rank == 3 && !l->in_last;
    l->out_last = l->in_last;
    switch (l->rule) {
    case CC_RULE_KEEP: {
        /* rule_arg[0]: the size of the axis it normalises (0: any);
         * rule_arg[1]: 1 = the last axis (LayerNorm), else channels */
        long want = l->rule_arg[0];
        long have = l->rule_arg[1] && in.rank == 3 && !l->in_last ? in.w : in.c;
        if (want > 0 && want != have)
            return cc__module_err(err, l, "expects %ld %s but its input has %ld", want,
                        l->rule_arg[1] ? "elements in the last dimension" : "channels",
                        have);
        *flops = count(&o);
        break;
    }
    case CC_RULE_CHANNELS_LAST:
        /* torchvision's Permute does not print its dims: the first one
         * goes channels-last, the next one back */
        if (in.rank != 3)
            return cc__module_err(err, l, "expects a C x H x W input");
        l->out_last = !l->in_last;
        break;
    case CC_RULE_CHANNELS_FIRST:
        if (!(in.rank == 3 && l->in_last))
            return cc__module_err(err, l, "expects a channels-last input");
        l->out_last = 0;
        break;
    case CC_RULE_UPSAMPLE:
        if (!spatial)
            return cc__module_err(err, l, "expects a C x H x W input");
        if (l->rule_arg[2] == -1) { /* to the H x W of layer .from */
            long f = l->from;
            if (f != CC_FROM_INPUT && (f < 0 || (size_t)f >= i))
                return cc__module_err(err, l, "refers to layer %ld, which is not before it",
                                      f + 1);
            const cc_shape *like = f == CC_FROM_INPUT ? &s->input : &s->layers[f].out;
            if (like->rank != 3)
                return cc__module_err(err, l, "resizes to a shape that is not C x H x W");
            o.h = like->h;
            o.w = like->w;
            break;
        }
        o.h = l->rule_arg[0] ? l->rule_arg[0] : in.h * l->rule_arg[2];
        o.w = l->rule_arg[1] ? l->rule_arg[1] : in.w * l->rule_arg[3];
        break;
    case CC_RULE_PAD:
        if (!spatial)
            return cc__module_err(err, l, "expects a C x H x W input");
        o.w = in.w + l->rule_arg[0] + l->rule_arg[1];
        o.h = in.h + l->rule_arg[2] + l->rule_arg[3];
        break;
    case CC_RULE_PIXEL_SHUFFLE: {
        long r = l->rule_arg[0];
        if (!spatial || r < 1 || in.c % (r * r))
            return cc__module_err(err, l, "expects C x H x W with C a multiple of %ld", r * r);
        o.c = in.c / (r * r);
        o.h = in.h * r;
        o.w = in.w * r;
        break;
    }
    case CC_RULE_PIXEL_UNSHUFFLE: {
        long r = l->rule_arg[0];
        if (!spatial || r < 1 || in.h % r || in.w % r)
            return cc__module_err(err, l, "expects C x H x W with H and W multiples of %ld", r);
        o.c = in.c * r * r;
        o.h = in.h / r;
        o.w = in.w / r;
        break;
    }
    case CC_RULE_CONV_TRANSPOSE: {
        if (!spatial)
            return cc__module_err(err, l, "expects a C x H x W input");
        if (l->in_channels != in.c)
            return cc__module_err(err, l, "expects %ld input channels but its input has %ld",
                        l->in_channels, in.c);
        o.c = l->filters;
        o.h = convt_out(in.h, l->kernel_h, l->stride_h, l->pad_top, l->dilation_h,
                        l->rule_arg[0]);
        o.w = convt_out(in.w, l->kernel_w, l->stride_w, l->pad_left, l->dilation_w,
                        l->rule_arg[1]);
        int64_t ni = count(&in), k;
        if (l->groups < 1 || ni < 0 ||
            cc_i64_mul((int64_t)l->kernel_h * l->kernel_w, l->filters / l->groups, &k) ||
            cc_i64_mul(ni, k, macs) || cc_i64_mul(*macs, 2, flops))
            return cc__module_err(err, l, "the operation count overflows");
        break;
    }
    case CC_RULE_UNFLATTEN: {
        int64_t e = (int64_t)l->rule_arg[0] * l->rule_arg[1] * l->rule_arg[2];
        if (in.rank != 1 || in.c != e)
            return cc__module_err(err, l, "expects %lld features", (long long)e);
        o = (cc_shape){3, l->rule_arg[0], l->rule_arg[1], l->rule_arg[2]};
        l->out_last = 0;
        break;
    }
    case CC_RULE_CHANNEL_SHUFFLE:
        if ((in.rank != 3 && in.rank != 1) || l->in_last || l->rule_arg[0] < 1 ||
            in.c % l->rule_arg[0])
            return cc__module_err(err, l, "expects C x H x W (channels first) with C a "
                                  "multiple of %ld", l->rule_arg[0]);
        break;
    case CC_RULE_POS_EMBED: /* added to the tokens */
        if (!(in.rank == 3 && l->in_last))
            return cc__module_err(err, l, "expects a sequence of tokens");
        *flops = count(&o);
        break;
    case CC_RULE_TOKENS:
    case CC_RULE_CLASS_TOKEN:
    case CC_RULE_ATTENTION:
    case CC_RULE_PATCH_MERGE:
    case CC_RULE_TABLE:
    case CC_RULE_PARTITION:
    case CC_RULE_DEPARTITION:
    case CC_RULE_SWAP: {
        int rc = cc__token_infer(s, i, &o, err);
        if (rc)
            return rc;
        break;
    }
    default:
        return cc__module_err(err, l, "its output shape is not known to convcalc, so the shapes "
                    "after line %d are not inferred", l->line);
    }
    if (!fits(o.c) || !fits(o.h) || !fits(o.w))
        return cc__module_err(err, l, "output %ldx%ldx%ld is out of range (each 1 to %ld)", o.c, o.h, o.w,
                    (long)CC_DIM_MAX);
    *out = o;
    *n_out = count(&o);
    if (*n_out < 0)
        return cc__module_err(err, l, "the output size overflows");
    return 0;
}
