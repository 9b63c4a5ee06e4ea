/* import_torch_layers.c - one rule per torch.nn module: which layer it
 * is, its parameters and buffers from its printed arguments, and how it
 * changes the shape. A module the reader does not know is read by the
 * arguments it prints (in/out features or channels), else counted as
 * parameter-free with a note. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/import_priv.h"
#include "import_torch_priv.h"

static const struct {
    const char *type;
    cc_layer_kind kind;
} types[] = {
    {"Conv2d", CC_LAYER_CONV},
    {"MaxPool2d", CC_LAYER_MAXPOOL},
    {"AvgPool2d", CC_LAYER_AVGPOOL},
    {"AdaptiveAvgPool2d", CC_LAYER_ADAPTIVE_AVGPOOL},
    {"BatchNorm1d", CC_LAYER_BATCHNORM1D},
    {"BatchNorm2d", CC_LAYER_BATCHNORM2D},
    {"ReLU", CC_LAYER_RELU},
    {"LeakyReLU", CC_LAYER_LEAKY_RELU},
    {"ELU", CC_LAYER_ELU},
    {"Sigmoid", CC_LAYER_SIGMOID},
    {"Tanh", CC_LAYER_TANH},
    {"Softmax", CC_LAYER_SOFTMAX},
    {"Dropout", CC_LAYER_DROPOUT},
    {"Dropout1d", CC_LAYER_DROPOUT},
    {"Dropout2d", CC_LAYER_DROPOUT},
    {"AlphaDropout", CC_LAYER_DROPOUT},
    {"Dropout3d", CC_LAYER_DROPOUT},
    {"FeatureAlphaDropout", CC_LAYER_DROPOUT},
    {"Flatten", CC_LAYER_FLATTEN},
    {"Linear", CC_LAYER_LINEAR},
    {"NonDynamicallyQuantizableLinear", CC_LAYER_LINEAR},
    {"Identity", CC_LAYER_IDENTITY},
    {"ReLU6", CC_LAYER_RELU6},
    {"GELU", CC_LAYER_GELU},
    {"SiLU", CC_LAYER_SILU},
    {"Hardswish", CC_LAYER_HARDSWISH},
    {"Hardsigmoid", CC_LAYER_HARDSIGMOID},
};

/* The module type names the reader knows, for tests that walk all of them:
 * the i-th name, or NULL past the end. */
const char *cc_torch_known_module(size_t i)
{
    return i < sizeof types / sizeof types[0] ? types[i].type : NULL;
}

/* Which argument (by position or keyword) is which: the index into the
 * NULL-terminated `names`, or -1 for a keyword that is not there or a
 * position past the last name (more positional arguments than the module
 * takes). A negative `pos` means the module takes no positional argument. */
static int arg_slot(const targ *g, int pos, const char *const *names)
{
    int count = 0;
    while (names[count])
        count++;
    if (!g->key)
        return pos >= 0 && pos < count ? pos : -1;
    for (int i = 0; i < count; i++)
        if (tt_key_is(g, names[i]))
            return i;
    return -1;
}

/* A module of the table above. */
static int known_layer(tparser *tp, const tnode *n, cc_layer *l, cc_layer_kind kind)
{
    cc_layer_init(l, kind);
    snprintf(l->type, sizeof l->type, "%s", n->type);
    l->line = n->line;
    l->col = n->col;
    targ a[MAX_ARGS];
    int na = 0, rc;
    if ((rc = tt_split_args(tp, n, a, &na)))
        return rc;
    int have_in = 0, have_out = 0, have_kernel = 0;
    for (int i = 0; i < na; i++) {
        const targ *g = &a[i];
        int slot;
        rc = 0;
        switch (kind) {
        case CC_LAYER_CONV: {
            static const char *const nm[] = {"in_channels", "out_channels", "kernel_size",
                                             "stride", "padding", "dilation", "groups",
                                             "bias", "padding_mode", NULL};
            slot = arg_slot(g, i, nm);
            long h, w;
            switch (slot) {
            case 0: rc = tt_val_long(tp, n, g, 1, &l->in_channels); have_in = 1; break;
            case 1: rc = tt_val_long(tp, n, g, 1, &l->filters); have_out = 1; break;
            case 2: rc = tt_val_pair(tp, n, g, 1, &l->kernel_h, &l->kernel_w); have_kernel = 1; break;
            case 3: rc = tt_val_pair(tp, n, g, 1, &l->stride_h, &l->stride_w); break;
            case 4:
                if (tt_val_is(g, "same") || tt_val_is(g, "'same'")) {
                    l->pad_same = 1;
                } else if (!(tt_val_is(g, "valid") || tt_val_is(g, "'valid'"))) {
                    rc = tt_val_pair(tp, n, g, 0, &h, &w);
                    l->pad_top = l->pad_bottom = h;
                    l->pad_left = l->pad_right = w;
                }
                break;
            case 5: rc = tt_val_pair(tp, n, g, 1, &l->dilation_h, &l->dilation_w); break;
            case 6: rc = tt_val_long(tp, n, g, 1, &l->groups); break;
            case 7: rc = tt_val_bool(tp, n, g, &l->bias); break;
            case 8: break; /* zeros, reflect, ...: same shapes and counts */
            default: slot = -1;
            }
            break;
        }
        case CC_LAYER_MAXPOOL:
        case CC_LAYER_AVGPOOL: {
            static const char *const mx[] = {"kernel_size", "stride", "padding", "dilation",
                                             "return_indices", "ceil_mode", NULL};
            static const char *const av[] = {"kernel_size", "stride", "padding", "ceil_mode",
                                             "count_include_pad", "divisor_override", NULL};
            const char *const *nm = kind == CC_LAYER_MAXPOOL ? mx : av;
            slot = arg_slot(g, i, nm);
            const char *which = slot >= 0 ? nm[slot] : "";
            long h, w;
            int flag;
            if (slot < 0)
                break;
            if (!strcmp(which, "kernel_size")) {
                rc = tt_val_pair(tp, n, g, 1, &l->kernel_h, &l->kernel_w);
                have_kernel = 1;
            } else if (!strcmp(which, "stride")) {
                if (!tt_val_is(g, "None"))
                    rc = tt_val_pair(tp, n, g, 1, &l->stride_h, &l->stride_w);
            } else if (!strcmp(which, "padding")) {
                rc = tt_val_pair(tp, n, g, 0, &h, &w);
                l->pad_top = l->pad_bottom = h;
                l->pad_left = l->pad_right = w;
            } else if (!strcmp(which, "dilation")) {
                rc = tt_val_pair(tp, n, g, 1, &l->dilation_h, &l->dilation_w);
            } else if (!strcmp(which, "ceil_mode")) {
                rc = tt_val_bool(tp, n, g, &l->ceil_mode);
            } else if (!strcmp(which, "count_include_pad")) {
                rc = tt_val_bool(tp, n, g, &l->count_include_pad);
            } else if (!strcmp(which, "return_indices")) {
                rc = tt_val_bool(tp, n, g, &flag);
            } else if (!strcmp(which, "divisor_override")) {
                /* changes values, not shapes or counts */
            }
            break;
        }
        case CC_LAYER_ADAPTIVE_AVGPOOL: {
            static const char *const nm[] = {"output_size", NULL};
            slot = arg_slot(g, i, nm);
            if (slot == 0) {
                rc = tt_val_pair(tp, n, g, 1, &l->out_h, &l->out_w);
                have_kernel = 1;
            }
            break;
        }
        case CC_LAYER_BATCHNORM1D:
        case CC_LAYER_BATCHNORM2D: {
            static const char *const nm[] = {"num_features", "eps", "momentum", "affine",
                                             "track_running_stats", NULL};
            slot = arg_slot(g, i, nm);
            switch (slot) {
            case 0: rc = tt_val_long(tp, n, g, 1, &l->num_features); have_in = 1; break;
            case 1: rc = tt_val_real(tp, n, g, &l->eps); break;
            case 2:
                if (tt_val_is(g, "None"))
                    l->momentum = 0; /* cumulative average */
                else
                    rc = tt_val_real(tp, n, g, &l->momentum);
                break;
            case 3: rc = tt_val_bool(tp, n, g, &l->affine); break;
            case 4: rc = tt_val_bool(tp, n, g, &l->track_running_stats); break;
            default: break;
            }
            break;
        }
        case CC_LAYER_LINEAR: {
            static const char *const nm[] = {"in_features", "out_features", "bias", NULL};
            slot = arg_slot(g, i, nm);
            switch (slot) {
            case 0: rc = tt_val_long(tp, n, g, 1, &l->in_features); have_in = 1; break;
            case 1: rc = tt_val_long(tp, n, g, 1, &l->out_features); have_out = 1; break;
            case 2: rc = tt_val_bool(tp, n, g, &l->bias); break;
            default: break;
            }
            break;
        }
        case CC_LAYER_LEAKY_RELU: {
            static const char *const nm[] = {"negative_slope", "inplace", NULL};
            slot = arg_slot(g, i, nm);
            if (slot == 0)
                rc = tt_val_real(tp, n, g, &l->slope);
            break;
        }
        case CC_LAYER_ELU: {
            static const char *const nm[] = {"alpha", "inplace", NULL};
            slot = arg_slot(g, i, nm);
            if (slot == 0)
                rc = tt_val_real(tp, n, g, &l->alpha);
            break;
        }
        case CC_LAYER_DROPOUT: {
            static const char *const nm[] = {"p", "inplace", NULL};
            slot = arg_slot(g, i, nm);
            if (slot == 0)
                rc = tt_val_real(tp, n, g, &l->p);
            break;
        }
        case CC_LAYER_FLATTEN: {
            static const char *const nm[] = {"start_dim", "end_dim", NULL};
            slot = arg_slot(g, i, nm);
            if ((slot == 0 && !tt_val_is(g, "1")) || (slot == 1 && !tt_val_is(g, "-1"))) {
                /* flattens other dimensions: no parameters, shape not followed */
                kind = CC_LAYER_MODULE;
                cc_layer_init(l, kind);
                snprintf(l->type, sizeof l->type, "%s", n->type);
                l->line = n->line;
                l->col = n->col;
                l->rule = CC_RULE_OPAQUE;
                return 0;
            }
            break;
        }
        default: {
            /* activations: inplace, dim, approximate: no effect on counts */
            static const char *const nm[] = {"inplace", "dim", "approximate", NULL};
            slot = arg_slot(g, -1, nm);
            if (kind == CC_LAYER_SOFTMAX && !g->key)
                slot = i == 0 ? 1 : -1; /* Softmax(dim) */
            break;
        }
        }
        if (rc)
            return rc;
        if (slot < 0 && !g->key)
            return cc_error_at(tp->err, CC_EINVAL, n->line, g->col,
                               "%s: too many positional arguments (argument %d is not "
                               "one its repr prints)", n->type, i + 1);
        if (slot < 0)
            tt_warn(tp, n->line, g->col,
                    "%s: unknown argument '%.*s' ignored (PyTorch does not print it; a typo?)",
                    n->type, g->key_len > 40 ? 40 : g->key_len, g->key);
    }
    if ((kind == CC_LAYER_CONV && !(have_in && have_out && have_kernel)) ||
        (kind == CC_LAYER_LINEAR && !(have_in && have_out)) ||
        ((kind == CC_LAYER_BATCHNORM1D || kind == CC_LAYER_BATCHNORM2D) && !have_in) ||
        ((kind == CC_LAYER_MAXPOOL || kind == CC_LAYER_AVGPOOL ||
          kind == CC_LAYER_ADAPTIVE_AVGPOOL) && !have_kernel))
        return cc_error_at(tp->err, CC_EINVAL, n->line, n->col,
                           "%s: a required argument is missing (its repr always has %s)",
                           n->type,
                           kind == CC_LAYER_CONV ? "in and out channels and kernel_size"
                           : kind == CC_LAYER_LINEAR ? "in_features and out_features"
                           : kind == CC_LAYER_ADAPTIVE_AVGPOOL ? "output_size"
                           : kind == CC_LAYER_MAXPOOL || kind == CC_LAYER_AVGPOOL
                               ? "kernel_size"
                               : "num_features");
    if (kind == CC_LAYER_ADAPTIVE_AVGPOOL && l->out_h == 1 && l->out_w == 1)
        l->kind = CC_LAYER_GLOBAL_AVGPOOL;
    return 0;
}


/* ---- modules counted from their arguments (CC_LAYER_MODULE) ---------------------- */
/* The arguments bound to a rule's names (by position or keyword). */
#define MAX_NAMES 12
typedef struct tbound {
    targ a[MAX_NAMES];
    int set[MAX_NAMES];
} tbound;

static const targ *arg(const tbound *b, int i)
{
    return b->set[i] ? &b->a[i] : NULL;
}

/* warn: names are the whole signature (unknown keywords are reported); 0:
 * the module takes anything (parameter-free modules whose arguments do
 * not matter). */
static int bind(tparser *tp, const tnode *n, const char *const *names, tbound *b, int warn)
{
    targ a[MAX_ARGS];
    int na = 0, rc, pos = 0, count = 0;
    memset(b, 0, sizeof *b);
    if ((rc = tt_split_args(tp, n, a, &na)))
        return rc;
    while (names[count] && count < MAX_NAMES)
        count++;
    for (int i = 0; i < na; i++) {
        const targ *g = &a[i];
        int slot = -1;
        if (!g->key) {
            slot = pos < count ? pos : -1;
            pos++;
            if (slot < 0 && warn)
                return cc_error_at(tp->err, CC_EINVAL, n->line, g->col,
                                   "%s: too many positional arguments (argument %d is not "
                                   "one its repr prints)", n->type, i + 1);
        } else {
            for (int k = 0; k < count; k++)
                if (tt_key_is(g, names[k]))
                    slot = k;
            if (slot < 0 && warn)
                tt_warn(tp, n->line, g->col,
                        "%s: unknown argument '%.*s' ignored (PyTorch does not print it; "
                        "a typo?)", n->type, g->key_len > 40 ? 40 : g->key_len, g->key);
        }
        if (slot >= 0) {
            b->a[slot] = *g;
            b->set[slot] = 1;
        }
    }
    return 0;
}

/* Optional values with their defaults. */
static int opt_long(tparser *tp, const tnode *n, const tbound *b, int i, long min, long dflt,
                    long *out)
{
    *out = dflt;
    if (!arg(b, i) || tt_val_is(arg(b, i), "None"))
        return 0;
    return tt_val_long(tp, n, arg(b, i), min, out);
}

static int opt_bool(tparser *tp, const tnode *n, const tbound *b, int i, int dflt, int *out)
{
    *out = dflt;
    return arg(b, i) ? tt_val_bool(tp, n, arg(b, i), out) : 0;
}

static int need(tparser *tp, const tnode *n, const tbound *b, int count, const char *what)
{
    for (int i = 0; i < count; i++)
        if (!arg(b, i))
            return cc_error_at(tp->err, CC_EINVAL, n->line, n->col,
                               "%s: a required argument is missing (its repr always has %s)",
                               n->type, what);
    return 0;
}

static int too_big(tparser *tp, const tnode *n)
{
    return cc_error_at(tp->err, CC_ERANGE, n->line, n->col,
                       "%s: the parameter count overflows", n->type);
}

static void module(cc_layer *l, int rule)
{
    l->kind = CC_LAYER_MODULE;
    l->rule = rule;
}

/* BatchNorm3d, SyncBatchNorm, InstanceNorm1d/2d/3d, FrozenBatchNorm2d */
static int r_norm(tparser *tp, const tnode *n, cc_layer *l)
{
    static const char *const nm[] = {"num_features", "eps", "momentum", "affine",
                                     "track_running_stats", NULL};
    tbound b;
    int rc = bind(tp, n, nm, &b, 1), affine, track;
    long c;
    int inst = strncmp(n->type, "InstanceNorm", 12) == 0;
    int frozen = strcmp(n->type, "FrozenBatchNorm2d") == 0;
    if (rc || (rc = need(tp, n, &b, 1, "num_features")) ||
        (rc = tt_val_long(tp, n, arg(&b, 0), 1, &c)) ||
        (rc = opt_bool(tp, n, &b, 3, !inst && !frozen, &affine)) ||
        (rc = opt_bool(tp, n, &b, 4, !inst, &track)))
        return rc;
    module(l, CC_RULE_KEEP);
    l->num_features = c;
    l->rule_arg[0] = c;
    if (frozen) {
        /* weight, bias, running mean and variance: all buffers */
        l->fixed_params = 0;
        l->fixed_buffers = 4 * (int64_t)c;
        return 0;
    }
    l->affine = affine;
    l->track_running_stats = track;
    l->fixed_params = affine ? 2 * (int64_t)c : 0;
    l->fixed_buffers = track ? 2 * (int64_t)c : 0;
    if (affine)
        snprintf(l->formula, sizeof l->formula, "2*%ld = %lld", c, 2LL * c);
    return 0;
}

static int r_groupnorm(tparser *tp, const tnode *n, cc_layer *l)
{
    static const char *const nm[] = {"num_groups", "num_channels", "eps", "affine", NULL};
    tbound b;
    long g, c;
    int affine, rc = bind(tp, n, nm, &b, 1);
    if (rc || (rc = need(tp, n, &b, 2, "num_groups and num_channels")) ||
        (rc = tt_val_long(tp, n, arg(&b, 0), 1, &g)) ||
        (rc = tt_val_long(tp, n, arg(&b, 1), 1, &c)) ||
        (rc = opt_bool(tp, n, &b, 3, 1, &affine)))
        return rc;
    if (c % g)
        return tt_bad_value(tp, n, arg(&b, 0), "a divisor of num_channels");
    module(l, CC_RULE_KEEP);
    l->rule_arg[0] = c;
    l->fixed_params = affine ? 2 * (int64_t)c : 0;
    if (affine)
        snprintf(l->formula, sizeof l->formula, "2*%ld = %lld", c, 2LL * c);
    return 0;
}

/* LayerNorm over the last dimensions; LayerNorm2d (torchvision) over C. */
static int r_layernorm(tparser *tp, const tnode *n, cc_layer *l)
{
    static const char *const nm[] = {"normalized_shape", "eps", "elementwise_affine", NULL};
    tbound b;
    long d[8];
    int nd = 0, affine, rc = bind(tp, n, nm, &b, 1);
    if (rc || (rc = need(tp, n, &b, 1, "normalized_shape")) ||
        (rc = tt_val_tuple(tp, n, arg(&b, 0), 1, 8, d, &nd)) ||
        (rc = opt_bool(tp, n, &b, 2, 1, &affine)))
        return rc;
    int64_t e = 1;
    for (int i = 0; i < nd; i++)
        if (cc_i64_mul(e, d[i], &e))
            return too_big(tp, n);
    module(l, CC_RULE_KEEP);
    l->rule_arg[0] = d[nd - 1];
    l->rule_arg[1] = strcmp(n->type, "LayerNorm2d") != 0; /* the last axis */
    l->fixed_params = affine ? 2 * e : 0;
    if (affine)
        snprintf(l->formula, sizeof l->formula, "2*%lld = %lld", (long long)e,
                 (long long)(2 * e));
    return 0;
}

/* Conv1d/2d/3d, ConvTranspose1d/2d/3d (Conv2d itself is CC_LAYER_CONV). */
static int r_conv(tparser *tp, const tnode *n, cc_layer *l)
{
    static const char *const cv[] = {"in_channels", "out_channels", "kernel_size", "stride",
                                      "padding", "dilation", "groups", "bias", "padding_mode",
                                      NULL};
    static const char *const tr[] = {"in_channels", "out_channels", "kernel_size", "stride",
                                      "padding", "output_padding", "groups", "bias",
                                      "dilation", "padding_mode", NULL};
    int transposed = strncmp(n->type, "ConvTranspose", 13) == 0;
    const char *const *nm = transposed ? tr : cv;
    int dims = n->type[strlen(n->type) - 2] - '0';
    tbound b;
    long cin, cout, k[3] = {1, 1, 1}, g;
    int nk = 0, bias, rc = bind(tp, n, nm, &b, 1);
    if (rc || (rc = need(tp, n, &b, 3, "in and out channels and kernel_size")) ||
        (rc = tt_val_long(tp, n, arg(&b, 0), 1, &cin)) ||
        (rc = tt_val_long(tp, n, arg(&b, 1), 1, &cout)) ||
        (rc = tt_val_tuple(tp, n, arg(&b, 2), 1, 3, k, &nk)) ||
        (rc = opt_long(tp, n, &b, 6, 1, 1, &g)) || (rc = opt_bool(tp, n, &b, 7, 1, &bias)))
        return rc;
    if (dims < 1 || dims > 3)
        dims = nk;
    if (nk == 1)
        k[1] = k[2] = k[0];
    if (cin % g || cout % g)
        return tt_bad_value(tp, n, arg(&b, 6), "a divisor of both channel counts");
    int64_t per = 1, p;
    for (int i = 0; i < dims; i++)
        per *= k[i];
    /* weight: Cout x Cin/g x k (transposed: Cin x Cout/g x k) */
    if (cc_i64_mul(per, transposed ? cout / g : cin / g, &per) ||
        cc_i64_mul(per, transposed ? cin : cout, &p) || cc_i64_add(p, bias ? cout : 0, &p))
        return too_big(tp, n);
    module(l, CC_RULE_OPAQUE);
    l->in_channels = cin;
    l->filters = cout;
    l->groups = g;
    l->bias = bias;
    l->fixed_params = p;
    char ks[64];
    int kl = 0;
    for (int i = 0; i < dims; i++)
        kl += snprintf(ks + kl, sizeof ks - (size_t)kl, "%s%ld", i ? "*" : "", k[i]);
    snprintf(l->formula, sizeof l->formula, "%s*%ld * %ld%s = %lld", ks,
             transposed ? cout / g : cin / g, transposed ? cin : cout, bias ? " + bias" : "",
             (long long)p);
    if (transposed && dims == 2) {
        long sh = 1, sw = 1, ph = 0, pw = 0, oh = 0, ow = 0, dh = 1, dw = 1;
        if ((arg(&b, 3) && (rc = tt_val_pair(tp, n, arg(&b, 3), 1, &sh, &sw))) ||
            (arg(&b, 4) && (rc = tt_val_pair(tp, n, arg(&b, 4), 0, &ph, &pw))) ||
            (arg(&b, 5) && (rc = tt_val_pair(tp, n, arg(&b, 5), 0, &oh, &ow))) ||
            (arg(&b, 8) && (rc = tt_val_pair(tp, n, arg(&b, 8), 1, &dh, &dw))))
            return rc;
        l->rule = CC_RULE_CONV_TRANSPOSE;
        l->kernel_h = k[0];
        l->kernel_w = k[1];
        l->stride_h = sh;
        l->stride_w = sw;
        l->pad_top = l->pad_bottom = ph;
        l->pad_left = l->pad_right = pw;
        l->dilation_h = dh;
        l->dilation_w = dw;
        l->rule_arg[0] = oh;
        l->rule_arg[1] = ow;
    }
    return 0;
}

static int r_embedding(tparser *tp, const tnode *n, cc_layer *l)
{
    static const char *const nm[] = {"num_embeddings", "embedding_dim", "padding_idx",
                                     "max_norm", "norm_type", "scale_grad_by_freq", "sparse",
                                     "mode", "include_last_offset", NULL};
    tbound b;
    long num, dim;
    int rc = bind(tp, n, nm, &b, 1);
    if (rc || (rc = need(tp, n, &b, 2, "num_embeddings and embedding_dim")) ||
        (rc = tt_val_long(tp, n, arg(&b, 0), 1, &num)) ||
        (rc = tt_val_long(tp, n, arg(&b, 1), 1, &dim)))
        return rc;
    module(l, CC_RULE_OPAQUE);
    l->fixed_params = (int64_t)num * dim;
    snprintf(l->formula, sizeof l->formula, "%ld*%ld = %lld", num, dim,
             (long long)l->fixed_params);
    return 0;
}

/* RNN, LSTM, GRU and their cells: per layer and direction, W_ih (G*H x in),
 * W_hh (G*H x H_out), two biases of G*H, and for an LSTM with proj_size P
 * W_hr (P x H); H_out = P or H; G = 1, 4, 3. */
static int r_rnn(tparser *tp, const tnode *n, cc_layer *l)
{
    static const char *const nm[] = {"input_size", "hidden_size", "num_layers", "bias",
                                     "batch_first", "dropout", "bidirectional", "proj_size",
                                     "nonlinearity", NULL};
    static const char *const cell[] = {"input_size", "hidden_size", "bias", "nonlinearity",
                                       NULL};
    int is_cell = strstr(n->type, "Cell") != NULL;
    tbound b;
    long in, h, layers = 1, proj = 0;
    int bias = 1, bidir = 0;
    int rc = bind(tp, n, is_cell ? cell : nm, &b, 1);
    if (rc || (rc = need(tp, n, &b, 2, "input_size and hidden_size")) ||
        (rc = tt_val_long(tp, n, arg(&b, 0), 1, &in)) ||
        (rc = tt_val_long(tp, n, arg(&b, 1), 1, &h)))
        return rc;
    if (is_cell)
        rc = opt_bool(tp, n, &b, 2, 1, &bias);
    else if ((rc = opt_long(tp, n, &b, 2, 1, 1, &layers)) ||
             (rc = opt_bool(tp, n, &b, 3, 1, &bias)) ||
             (rc = opt_bool(tp, n, &b, 6, 0, &bidir)) ||
             (rc = opt_long(tp, n, &b, 7, 0, 0, &proj)))
        return rc;
    if (rc)
        return rc;
    long gates = strncmp(n->type, "LSTM", 4) == 0 ? 4 : strncmp(n->type, "GRU", 3) == 0 ? 3 : 1;
    long hout = proj > 0 ? proj : h, dirs = bidir ? 2 : 1;
    if (layers > 10000)
        return tt_bad_value(tp, n, arg(&b, 2), "a number of layers up to 10000");
    int64_t total = 0;
    for (long k = 0; k < layers; k++) {
        int64_t lin = k == 0 ? in : (int64_t)hout * dirs, per;
        /* gates*h*(lin + hout) + 2*gates*h + proj*h */
        int64_t gh = (int64_t)gates * h, a;
        if (cc_i64_mul(gh, lin + hout, &per) || cc_i64_add(per, bias ? 2 * gh : 0, &per) ||
            cc_i64_mul((int64_t)proj, h, &a) || cc_i64_add(per, a, &per) ||
            cc_i64_mul(per, dirs, &per) || cc_i64_add(total, per, &total))
            return too_big(tp, n);
    }
    module(l, CC_RULE_OPAQUE);
    l->fixed_params = total;
    snprintf(l->formula, sizeof l->formula, "%ld gates, %ld layer%s%s%s = %lld", gates, layers,
             layers == 1 ? "" : "s", bidir ? ", both directions" : "",
             proj ? ", projected" : "", (long long)total);
    return 0;
}

static int r_prelu(tparser *tp, const tnode *n, cc_layer *l)
{
    static const char *const nm[] = {"num_parameters", "init", NULL};
    tbound b;
    long c;
    int rc = bind(tp, n, nm, &b, 1);
    if (rc || (rc = opt_long(tp, n, &b, 0, 1, 1, &c)))
        return rc;
    module(l, CC_RULE_KEEP);
    l->rule_arg[0] = c > 1 ? c : 0;
    l->fixed_params = c;
    snprintf(l->formula, sizeof l->formula, "%ld", c);
    return 0;
}

static int r_upsample(tparser *tp, const tnode *n, cc_layer *l)
{
    static const char *const nm[] = {"size", "scale_factor", "mode", "align_corners",
                                     "recompute_scale_factor", NULL};
    tbound b;
    int rc = bind(tp, n, nm, &b, 1);
    if (rc)
        return rc;
    module(l, CC_RULE_UPSAMPLE);
    /* extra: 0 nearest neighbour, 1 bilinear with align_corners=False, 2
     * another mode (UpsamplingBilinear2d aligns the corners) */
    const targ *mode = arg(&b, 2), *ac = arg(&b, 3);
    int bil = mode && (tt_val_is(mode, "bilinear") || tt_val_is(mode, "'bilinear'"));
    l->extra = !strcmp(n->type, "UpsamplingBilinear2d") ? 2
               : !mode || tt_val_is(mode, "nearest") || tt_val_is(mode, "'nearest'") ? 0
               : bil && !(ac && tt_val_is(ac, "True")) ? 1 : 2;
    if (arg(&b, 0) && !tt_val_is(arg(&b, 0), "None"))
        return tt_val_pair(tp, n, arg(&b, 0), 1, &l->rule_arg[0], &l->rule_arg[1]);
    const targ *g = arg(&b, 1);
    double f = 0;
    if (g && tt_val_real(tp, n, g, &f) == 0 && f >= 1 && f <= 4096 && f == (long)f) {
        l->rule_arg[2] = l->rule_arg[3] = (long)f;
        return 0;
    }
    l->rule = CC_RULE_OPAQUE; /* a fractional or per-axis scale: not followed */
    cc_error_clear(tp->err);
    return 0;
}

static int r_shuffle(tparser *tp, const tnode *n, cc_layer *l)
{
    static const char *const up[] = {"upscale_factor", NULL};
    static const char *const down[] = {"downscale_factor", NULL};
    int un = strcmp(n->type, "PixelUnshuffle") == 0;
    tbound b;
    long r;
    int rc = bind(tp, n, un ? down : up, &b, 1);
    if (rc || (rc = need(tp, n, &b, 1, "the factor")) ||
        (rc = tt_val_long(tp, n, arg(&b, 0), 1, &r)))
        return rc;
    module(l, un ? CC_RULE_PIXEL_UNSHUFFLE : CC_RULE_PIXEL_SHUFFLE);
    l->rule_arg[0] = r;
    return 0;
}

/* ChannelShuffle(groups=G): channels reordered, the shape kept. */
static int r_channel_shuffle(tparser *tp, const tnode *n, cc_layer *l)
{
    static const char *const nm[] = {"groups", NULL};
    tbound b;
    long g;
    int rc = bind(tp, n, nm, &b, 1);
    if (rc || (rc = need(tp, n, &b, 1, "groups")) ||
        (rc = tt_val_long(tp, n, arg(&b, 0), 1, &g)))
        return rc;
    module(l, CC_RULE_CHANNEL_SHUFFLE);
    l->rule_arg[0] = g;
    return 0;
}

/* ZeroPad2d((left, right, top, bottom)), ConstantPad2d(padding=..., value=...),
 * Reflection/ReplicationPad1d/2d; 3-D padding is not followed. */
static int r_pad(tparser *tp, const tnode *n, cc_layer *l)
{
    static const char *const nm[] = {"padding", "value", NULL};
    tbound b;
    long p[6] = {0};
    int np = 0, rc = bind(tp, n, nm, &b, 1);
    if (rc || (rc = need(tp, n, &b, 1, "padding")) ||
        (rc = tt_val_tuple(tp, n, arg(&b, 0), 0, 6, p, &np)))
        return rc;
    int dims = n->type[strlen(n->type) - 2] - '0';
    module(l, dims == 3 ? CC_RULE_OPAQUE : CC_RULE_PAD);
    if (np == 1)
        for (int i = 1; i < 4; i++)
            p[i] = p[0];
    l->rule_arg[0] = p[0];
    l->rule_arg[1] = p[1];
    if (dims == 2) {
        l->rule_arg[2] = p[2];
        l->rule_arg[3] = p[3];
    }
    return 0;
}

static int r_unflatten(tparser *tp, const tnode *n, cc_layer *l)
{
    static const char *const nm[] = {"dim", "unflattened_size", NULL};
    tbound b;
    long d[3];
    int nd = 0, rc = bind(tp, n, nm, &b, 1);
    if (rc || (rc = need(tp, n, &b, 2, "dim and unflattened_size")))
        return rc;
    module(l, CC_RULE_OPAQUE);
    if (tt_val_is(arg(&b, 0), "1") && tt_val_tuple(tp, n, arg(&b, 1), 1, 3, d, &nd) == 0 &&
        nd == 3) {
        l->rule = CC_RULE_UNFLATTEN;
        l->rule_arg[0] = d[0];
        l->rule_arg[1] = d[1];
        l->rule_arg[2] = d[2];
    }
    cc_error_clear(tp->err);
    return 0;
}

/* Modules with no parameters whose arguments do not matter: those that
 * keep the shape, and those whose shape is not followed. */
static const char *const keep_free[] = {
    "RReLU", "SELU", "CELU", "Mish", "Hardtanh", "LogSigmoid", "Tanhshrink", "Softplus",
    "Softshrink", "Hardshrink", "Threshold", "Softsign", "Softmin", "Softmax2d",
    "LogSoftmax", "LocalResponseNorm", "CrossMapLRN2d", "Dropout1d", "Swish", "Mish",
    NULL};
static const char *const opaque_free[] = {
    "MaxPool1d", "MaxPool3d", "AvgPool1d", "AvgPool3d", "AdaptiveAvgPool1d",
    "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d",
    "LPPool1d", "LPPool2d", "FractionalMaxPool2d", "FractionalMaxPool3d", "MaxUnpool1d",
    "MaxUnpool2d", "MaxUnpool3d", "GLU", "Fold", "Unfold",
    "CosineSimilarity", "PairwiseDistance", "Upsample3d",
    /* torchvision: parameter-free, their shapes depend on forward() */
    "WindowPartition", "WindowDepartition", "AnchorGenerator",
    "DefaultBoxGenerator", "MultiScaleRoIAlign", "RoIAlign", "RoIPool", "LastLevelMaxPool",
    "ImageList", NULL};

static int in_list(const char *const *list, const char *t)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(list[i], t) == 0)
            return 1;
    return 0;
}

static const struct {
    const char *type;
    int (*fn)(tparser *tp, const tnode *n, cc_layer *l);
} rules[] = {
    {"BatchNorm3d", r_norm}, {"SyncBatchNorm", r_norm}, {"InstanceNorm1d", r_norm},
    {"InstanceNorm2d", r_norm}, {"InstanceNorm3d", r_norm}, {"FrozenBatchNorm2d", r_norm},
    {"GroupNorm", r_groupnorm}, {"LayerNorm", r_layernorm}, {"LayerNorm2d", r_layernorm},
    {"Conv1d", r_conv}, {"Conv3d", r_conv}, {"ConvTranspose1d", r_conv},
    {"ConvTranspose2d", r_conv}, {"ConvTranspose3d", r_conv},
    {"Embedding", r_embedding}, {"EmbeddingBag", r_embedding},
    {"RNN", r_rnn}, {"LSTM", r_rnn}, {"GRU", r_rnn},
    {"RNNCell", r_rnn}, {"LSTMCell", r_rnn}, {"GRUCell", r_rnn},
    {"PReLU", r_prelu}, {"Upsample", r_upsample}, {"UpsamplingNearest2d", r_upsample},
    {"UpsamplingBilinear2d", r_upsample}, {"PixelShuffle", r_shuffle},
    {"PixelUnshuffle", r_shuffle}, {"ChannelShuffle", r_channel_shuffle},
    {"ZeroPad2d", r_pad}, {"ConstantPad1d", r_pad}, {"ConstantPad2d", r_pad},
    {"ConstantPad3d", r_pad}, {"ReflectionPad1d", r_pad}, {"ReflectionPad2d", r_pad},
    {"ReflectionPad3d", r_pad}, {"ReplicationPad1d", r_pad}, {"ReplicationPad2d", r_pad},
    {"ReplicationPad3d", r_pad}, {"Unflatten", r_unflatten},
};

/* An unknown module: read by what it prints, else parameter-free. */
static int unknown_layer(tparser *tp, const tnode *n, cc_layer *l)
{
    static const char *const any[] = {"in_features", "out_features", "in_channels",
                                      "out_channels", "kernel_size", "bias", NULL};
    tbound b;
    int rc = bind(tp, n, any, &b, 0);
    if (rc)
        return rc;
    if (arg(&b, 0) && arg(&b, 1) && arg(&b, 0)->key && arg(&b, 1)->key) {
        /* a subclass of Linear prints as Linear does */
        long in, out;
        int bias = 1;
        if ((rc = tt_val_long(tp, n, arg(&b, 0), 1, &in)) ||
            (rc = tt_val_long(tp, n, arg(&b, 1), 1, &out)) ||
            (rc = opt_bool(tp, n, &b, 5, 1, &bias)))
            return rc;
        cc_layer_init(l, CC_LAYER_LINEAR);
        l->in_features = in;
        l->out_features = out;
        l->bias = bias;
        tt_warn(tp, n->line, n->col, "'%s' is not a module convcalc knows: read as a Linear "
                "from its in_features and out_features", n->type);
        return 0;
    }
    if (arg(&b, 4)) {
        /* a subclass of a convolution prints as it does:
         * (in, out, kernel_size=...) */
        static const char *const cv[] = {"in_channels", "out_channels", NULL};
        tbound c;
        long k[3];
        int nk = 0;
        if ((rc = bind(tp, n, cv, &c, 0)) ||
            (rc = tt_val_tuple(tp, n, arg(&b, 4), 1, 3, k, &nk)))
            return rc;
        if (arg(&c, 0) && arg(&c, 1)) {
            char type[40];
            snprintf(type, sizeof type, "Conv%dd", nk);
            tnode copy = *n;
            snprintf(copy.type, sizeof copy.type, "%s", type);
            rc = nk == 2 ? known_layer(tp, &copy, l, CC_LAYER_CONV) : r_conv(tp, &copy, l);
            if (rc)
                return rc;
            tt_warn(tp, n->line, n->col, "'%s' is not a module convcalc knows: read as a "
                    "%s from its channels and kernel_size", n->type, type);
            return 0;
        }
    }
    /* counted as parameter-free: one note per type (import_torch.c) */
    size_t i;
    for (i = 0; i < tp->n_unknown; i++)
        if (strcmp(tp->unknown[i].type, n->type) == 0) {
            tp->unknown[i].more++;
            break;
        }
    if (i == tp->n_unknown) {
        if (tp->n_unknown == tp->cap_unknown) {
            size_t cap = tp->cap_unknown ? 2 * tp->cap_unknown : 8;
            tunknown *nu = cap > 100000 ? NULL : realloc(tp->unknown, cap * sizeof *nu);
            if (!nu)
                return cc_error_set(tp->err, CC_ENOMEM, "out of memory");
            tp->unknown = nu;
            tp->cap_unknown = cap;
        }
        tunknown *u = &tp->unknown[tp->n_unknown++];
        snprintf(u->type, sizeof u->type, "%s", n->type);
        u->line = n->line;
        u->col = n->col;
        u->more = 0;
    }
    module(l, CC_RULE_OPAQUE);
    return 0;
}

int tt_leaf_layer(tparser *tp, const tnode *n, cc_layer *l)
{
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(n->type, types[i].type) == 0)
            return known_layer(tp, n, l, types[i].kind);
    cc_layer_init(l, CC_LAYER_MODULE);
    l->line = n->line;
    l->col = n->col;
    int rc = 0;
    if ((!strcmp(n->type, "ModuleList") || !strcmp(n->type, "ModuleDict") ||
         !strcmp(n->type, "ParameterList") || !strcmp(n->type, "ParameterDict")) &&
        n->args_len == 0)
        return 1; /* an empty list: nothing runs */
    if (!strcmp(n->type, "Sequential") && n->args_len == 0) {
        l->kind = CC_LAYER_IDENTITY; /* nn.Sequential() passes its input through */
    } else if (!strcmp(n->type, "StochasticDepth")) {
        l->kind = CC_LAYER_IDENTITY; /* torchvision: the identity at inference */
    } else if (!strcmp(n->type, "Permute")) {
        /* torchvision's Permute does not print its dims; ConvNeXt and Swin
         * use [0, 2, 3, 1] then [0, 3, 1, 2] */
        module(l, CC_RULE_CHANNELS_LAST);
        l->implied = 1;
    } else if (!strcmp(n->type, "SwapAxes")) {
        /* torchvision's MaxViT: SwapAxes(-2, -3), which it does not print */
        module(l, CC_RULE_SWAP);
        l->implied = 1;
    } else if (in_list(keep_free, n->type)) {
        module(l, CC_RULE_KEEP);
    } else if (in_list(opaque_free, n->type)) {
        module(l, CC_RULE_OPAQUE);
    } else {
        size_t i;
        for (i = 0; i < sizeof rules / sizeof rules[0]; i++)
            if (strcmp(n->type, rules[i].type) == 0)
                break;
        rc = i < sizeof rules / sizeof rules[0] ? rules[i].fn(tp, n, l) : unknown_layer(tp, n, l);
    }
    if (rc)
        return rc;
    snprintf(l->type, sizeof l->type, "%s", n->type);
    l->line = n->line;
    l->col = n->col;
    return 0;
}
