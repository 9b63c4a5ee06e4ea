/* import_darknet.c - read a darknet .cfg (pjreddie/darknet's parser.c
 * conventions) for classifier networks: [net], [convolutional],
 * [maxpool], [avgpool], [connected], [dropout], [softmax], [shortcut],
 * [route] and [cost]. A darknet section can become several convcalc
 * layers (convolution, batch normalisation, activation); route and
 * shortcut refer to darknet's own section numbers, mapped here. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/stack.h"

#define MAX_KEYS 48
#define MAX_SECTIONS 100000

typedef struct kv {
    char key[40];
    char val[200];
    int line, col, vcol;
    int used;
} kv;

typedef struct section {
    char name[40];
    int line, col;
    kv keys[MAX_KEYS];
    int n;
} section;

typedef struct dparser {
    cc_stack *s;
    cc_error *err;
    long *map;        /* darknet section index -> stack index of its output */
    size_t n_map, cap_map;
} dparser;

static kv *find(section *sec, const char *key)
{
    for (int i = sec->n - 1; i >= 0; i--)
        if (strcmp(sec->keys[i].key, key) == 0) {
            sec->keys[i].used = 1;
            return &sec->keys[i];
        }
    return NULL;
}

static int get_long(dparser *dp, section *sec, const char *key, long dflt, long min,
                    long *out)
{
    kv *k = find(sec, key);
    if (!k) {
        *out = dflt;
        return 0;
    }
    char *end;
    errno = 0;
    long v = strtol(k->val, &end, 10);
    if (end == k->val || *end || errno == ERANGE || v < min || v > CC_DIM_MAX)
        return cc_error_at(dp->err, CC_EINVAL, k->line, k->vcol,
                           "[%s] %s=%s is not a whole number from %ld to %ld", sec->name, key,
                           k->val, min, (long)CC_DIM_MAX);
    *out = v;
    return 0;
}

static int get_real(dparser *dp, section *sec, const char *key, double dflt, double lo,
                    double hi, double *out)
{
    kv *k = find(sec, key);
    if (!k) {
        *out = dflt;
        return 0;
    }
    char *end;
    errno = 0;
    double v = strtod(k->val, &end);
    if (end == k->val || *end || errno == ERANGE || !isfinite(v) || v < lo || v > hi)
        return cc_error_at(dp->err, CC_EINVAL, k->line, k->vcol,
                           "[%s] %s=%s is not a number from %g to %g", sec->name, key, k->val,
                           lo, hi);
    *out = v;
    return 0;
}

static int add_layer(dparser *dp, cc_layer *l, const section *sec, size_t idx,
                     const char *what)
{
    l->line = sec->line;
    l->col = sec->col;
    snprintf(l->type, sizeof l->type, "%s", sec->name);
    snprintf(l->name, sizeof l->name, "%.40s_%zu", what, idx);
    return cc_stack_add(dp->s, l, dp->err);
}

/* activation=NAME after a layer; "linear" adds nothing. */
static int add_activation(dparser *dp, section *sec, size_t idx, const char *dflt)
{
    kv *k = find(sec, "activation");
    const char *a = k ? k->val : dflt;
    cc_layer l;
    if (!strcmp(a, "linear"))
        return 0;
    if (!strcmp(a, "relu"))
        cc_layer_init(&l, CC_LAYER_RELU);
    else if (!strcmp(a, "leaky")) {
        cc_layer_init(&l, CC_LAYER_LEAKY_RELU);
        l.slope = 0.1; /* darknet's leaky slope */
    } else if (!strcmp(a, "logistic"))
        cc_layer_init(&l, CC_LAYER_SIGMOID);
    else if (!strcmp(a, "tanh"))
        cc_layer_init(&l, CC_LAYER_TANH);
    else if (!strcmp(a, "elu"))
        cc_layer_init(&l, CC_LAYER_ELU);
    else if (!strcmp(a, "relu6"))
        cc_layer_init(&l, CC_LAYER_RELU6);
    else if (!strcmp(a, "swish"))
        cc_layer_init(&l, CC_LAYER_SILU);
    else
        return cc_error_at(dp->err, CC_EINVAL, k ? k->line : sec->line, k ? k->vcol : sec->col,
                           "[%s] activation=%s is not supported (expected linear, relu, leaky, "
                           "logistic, tanh, elu, relu6 or swish)",
                           sec->name, a);
    int rc = add_layer(dp, &l, sec, idx, a);
    if (rc == 0)
        dp->s->layers[dp->s->n - 1].type[0] = '\0';
    return rc;
}

/* Darknet layer reference: negative = relative to this section. */
static int resolve(dparser *dp, section *sec, kv *k, const char *text, size_t idx, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || (*end && *end != ',') || errno == ERANGE)
        return cc_error_at(dp->err, CC_EINVAL, k->line, k->vcol,
                           "[%s] %s=%s: '%s' is not a layer number", sec->name, k->key, k->val,
                           text);
    long a = v < 0 ? (long)idx + v : v;
    if (a < 0 || (size_t)a >= idx)
        return cc_error_at(dp->err, CC_EINVAL, k->line, k->vcol,
                           "[%s] %s=%s: layer %ld is not before this one (layer %zu)",
                           sec->name, k->key, k->val, a, idx);
    *out = dp->map[a];
    return 0;
}

static int layer_section(dparser *dp, section *sec, size_t idx)
{
    cc_layer l;
    int rc = 0;
    const char *nm = sec->name;
    if (!strcmp(nm, "convolutional") || !strcmp(nm, "conv")) {
        long size, stride, sx, sy, pad, padding, groups, dil, bn;
        cc_layer_init(&l, CC_LAYER_CONV);
        if ((rc = get_long(dp, sec, "filters", 1, 1, &l.filters)) ||
            (rc = get_long(dp, sec, "size", 1, 1, &size)) ||
            (rc = get_long(dp, sec, "stride", 1, 1, &stride)) ||
            (rc = get_long(dp, sec, "stride_x", stride, 1, &sx)) ||
            (rc = get_long(dp, sec, "stride_y", stride, 1, &sy)) ||
            (rc = get_long(dp, sec, "pad", 0, 0, &pad)) ||
            (rc = get_long(dp, sec, "padding", 0, 0, &padding)) ||
            (rc = get_long(dp, sec, "groups", 1, 1, &groups)) ||
            (rc = get_long(dp, sec, "dilation", 1, 1, &dil)) ||
            (rc = get_long(dp, sec, "batch_normalize", 0, 0, &bn)))
            return rc;
        if (pad)
            padding = size / 2;
        l.kernel_h = l.kernel_w = size;
        l.stride_h = sy;
        l.stride_w = sx;
        l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = padding;
        l.groups = groups;
        l.dilation_h = l.dilation_w = dil;
        l.bias = !bn; /* with batch_normalize the biases are BatchNorm's beta */
        if ((rc = add_layer(dp, &l, sec, idx, "conv")))
            return rc;
        if (bn) {
            cc_layer_init(&l, CC_LAYER_BATCHNORM2D);
            if ((rc = add_layer(dp, &l, sec, idx, "bn")))
                return rc;
            dp->s->layers[dp->s->n - 1].type[0] = '\0';
        }
        return add_activation(dp, sec, idx, "logistic");
    }
    if (!strcmp(nm, "maxpool")) {
        long stride, size, padding;
        cc_layer_init(&l, CC_LAYER_MAXPOOL);
        if ((rc = get_long(dp, sec, "stride", 1, 1, &stride)) ||
            (rc = get_long(dp, sec, "size", stride, 1, &size)) ||
            (rc = get_long(dp, sec, "padding", size - 1, 0, &padding)))
            return rc;
        /* darknet: out = (in + padding - size) / stride + 1, the window
         * starting padding/2 before the input */
        l.kernel_h = l.kernel_w = size;
        l.stride_h = l.stride_w = stride;
        l.pad_top = l.pad_left = padding / 2;
        l.pad_bottom = l.pad_right = padding - padding / 2;
        return add_layer(dp, &l, sec, idx, "maxpool");
    }
    if (!strcmp(nm, "avgpool")) {
        cc_layer_init(&l, CC_LAYER_GLOBAL_AVGPOOL);
        return add_layer(dp, &l, sec, idx, "avgpool");
    }
    if (!strcmp(nm, "connected")) {
        long bn;
        cc_layer_init(&l, CC_LAYER_LINEAR);
        if ((rc = get_long(dp, sec, "output", 1, 1, &l.out_features)) ||
            (rc = get_long(dp, sec, "batch_normalize", 0, 0, &bn)))
            return rc;
        l.flatten_input = 1;
        l.bias = !bn;
        if ((rc = add_layer(dp, &l, sec, idx, "fc")))
            return rc;
        if (bn) {
            cc_layer_init(&l, CC_LAYER_BATCHNORM1D);
            if ((rc = add_layer(dp, &l, sec, idx, "bn")))
                return rc;
            dp->s->layers[dp->s->n - 1].type[0] = '\0';
        }
        return add_activation(dp, sec, idx, "logistic");
    }
    if (!strcmp(nm, "dropout")) {
        cc_layer_init(&l, CC_LAYER_DROPOUT);
        if ((rc = get_real(dp, sec, "probability", 0.5, 0, 1, &l.p)))
            return rc;
        return add_layer(dp, &l, sec, idx, "dropout");
    }
    if (!strcmp(nm, "softmax")) {
        long groups;
        double temp;
        if ((rc = get_long(dp, sec, "groups", 1, 1, &groups)) ||
            (rc = get_real(dp, sec, "temperature", 1, 1e-9, 1e9, &temp)))
            return rc;
        if (groups != 1) {
            kv *k = find(sec, "groups");
            return cc_error_at(dp->err, CC_EINVAL, k->line, k->vcol,
                               "[softmax] groups=%ld is not supported (expected 1)", groups);
        }
        cc_layer_init(&l, CC_LAYER_SOFTMAX);
        return add_layer(dp, &l, sec, idx, "softmax");
    }
    if (!strcmp(nm, "shortcut")) {
        kv *k = find(sec, "from");
        if (!k)
            return cc_error_at(dp->err, CC_EINVAL, sec->line, sec->col,
                               "[shortcut] needs from=LAYER (e.g. from=-3)");
        cc_layer_init(&l, CC_LAYER_ADD);
        if ((rc = resolve(dp, sec, k, k->val, idx, &l.from)))
            return rc;
        if ((rc = add_layer(dp, &l, sec, idx, "shortcut")))
            return rc;
        return add_activation(dp, sec, idx, "linear");
    }
    if (!strcmp(nm, "route")) {
        kv *k = find(sec, "layers");
        if (!k)
            return cc_error_at(dp->err, CC_EINVAL, sec->line, sec->col,
                               "[route] needs layers=A[,B...] (e.g. layers=-1,-4)");
        cc_layer_init(&l, CC_LAYER_CONCAT);
        const char *p = k->val;
        while (*p) {
            if (l.n_sources == CC_CONCAT_MAX)
                return cc_error_at(dp->err, CC_EINVAL, k->line, k->vcol,
                                   "[route] joins at most %d layers", CC_CONCAT_MAX);
            if ((rc = resolve(dp, sec, k, p, idx, &l.sources[l.n_sources])))
                return rc;
            l.n_sources++;
            const char *c = strchr(p, ',');
            if (!c)
                break;
            p = c + 1;
        }
        return add_layer(dp, &l, sec, idx, "route");
    }
    return cc_error_at(dp->err, CC_EINVAL, sec->line, sec->col,
                       "unknown or unsupported section [%s] (convcalc reads [net], "
                       "[convolutional], [maxpool], [avgpool], [connected], [dropout], "
                       "[softmax], [shortcut], [route] and [cost])",
                       nm);
}

/* Keys each section may have: read above, or training settings that do
 * not change the network's shape. Others are noted as ignored. */
static const char *const known_keys[][2] = {
    {"net", " width height channels inputs batch subdivisions learning_rate momentum decay "
            "max_batches policy steps scales power burn_in angle saturation exposure hue "
            "aspect max_crop min_crop crop_height crop_width flip mosaic time_steps notruth "
            "random label_smooth_eps gamma step rate adam B1 B2 eps letter_box "},
    {"convolutional", " filters size stride stride_x stride_y pad padding groups dilation "
                      "batch_normalize activation "},
    {"conv", " filters size stride stride_x stride_y pad padding groups dilation "
             "batch_normalize activation "},
    {"maxpool", " size stride padding "},
    {"avgpool", " "},
    {"connected", " output activation batch_normalize "},
    {"dropout", " probability "},
    {"softmax", " groups temperature "},
    {"shortcut", " from activation "},
    {"route", " layers "},
    {"cost", " type scale ratio noobject_scale thresh "},
};

static int finish_section(dparser *dp, section *sec, size_t *idx)
{
    int rc = 0;
    if (!strcmp(sec->name, "net") || !strcmp(sec->name, "network")) {
        long w, h, c, inputs;
        snprintf(sec->name, sizeof sec->name, "net");
        if ((rc = get_long(dp, sec, "width", 0, 0, &w)) ||
            (rc = get_long(dp, sec, "height", 0, 0, &h)) ||
            (rc = get_long(dp, sec, "channels", 0, 0, &c)) ||
            (rc = get_long(dp, sec, "inputs", 0, 0, &inputs)))
            return rc;
        if (*idx > 0)
            return cc_error_at(dp->err, CC_EINVAL, sec->line, sec->col,
                               "[net] must be the first section");
        if (w && h && c)
            rc = cc_stack_set_input(dp->s, h, w, c, dp->err);
        else if (inputs)
            rc = cc_stack_set_input(dp->s, 0, 0, inputs, dp->err);
        else
            cc_stack_note_add(dp->s, sec->line, sec->col,
                              "[net] gives no width, height and channels: pass --input");
        if (rc) {
            if (dp->err) {
                dp->err->line = sec->line;
                dp->err->col = sec->col;
            }
            return rc;
        }
        dp->s->input_line = sec->line;
    } else if (!strcmp(sec->name, "cost")) {
        cc_stack_note_add(dp->s, sec->line, sec->col,
                          "[cost] is the training loss, not a layer: not counted");
        for (int i = 0; i < sec->n; i++)
            sec->keys[i].used = 1;
        /* darknet numbers it as a layer all the same */
        if (*idx > 0) {
            if (dp->n_map == dp->cap_map) {
                size_t cap = dp->cap_map ? dp->cap_map * 2 : 64;
                long *m = realloc(dp->map, cap * sizeof *m);
                if (!m)
                    return cc_error_set(dp->err, CC_ENOMEM, "out of memory");
                dp->map = m;
                dp->cap_map = cap;
            }
            dp->map[dp->n_map++] = dp->map[*idx - 1];
            (*idx)++;
        }
    } else {
        if (*idx >= MAX_SECTIONS)
            return cc_error_at(dp->err, CC_ERANGE, sec->line, sec->col, "more than %d sections",
                               MAX_SECTIONS);
        if ((rc = layer_section(dp, sec, *idx)))
            return rc;
        if (dp->n_map == dp->cap_map) {
            size_t cap = dp->cap_map ? dp->cap_map * 2 : 64;
            long *m = realloc(dp->map, cap * sizeof *m);
            if (!m)
                return cc_error_set(dp->err, CC_ENOMEM, "out of memory");
            dp->map = m;
            dp->cap_map = cap;
        }
        dp->map[dp->n_map++] = (long)dp->s->n - 1;
        (*idx)++;
    }
    for (int i = 0; i < sec->n; i++) {
        kv *k = &sec->keys[i];
        if (k->used)
            continue;
        const char *list = NULL;
        for (size_t j = 0; j < sizeof known_keys / sizeof known_keys[0]; j++)
            if (!strcmp(known_keys[j][0], sec->name))
                list = known_keys[j][1];
        char pat[48];
        snprintf(pat, sizeof pat, " %s ", k->key);
        if (list && strstr(list, pat))
            continue;
        cc_stack_note_add(dp->s, k->line, k->col, "unknown key '%s' in [%s], ignored", k->key,
                          sec->name);
    }
    return 0;
}

int cc_stack_parse_darknet(cc_stack **out, const char *text, size_t len, cc_error *err)
{
    *out = NULL;
    dparser dp;
    memset(&dp, 0, sizeof dp);
    dp.err = err;
    dp.s = cc_stack_new();
    section *sec = calloc(1, sizeof *sec);
    if (!dp.s || !sec) {
        cc_stack_free(dp.s);
        free(sec);
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    }
    dp.s->source = CC_SOURCE_DARKNET;
    int have = 0, rc = 0, line = 0;
    size_t idx = 0, i = 0;
    while (i < len && !rc) {
        line++;
        size_t e = i;
        while (e < len && text[e] != '\n')
            e++;
        /* darknet drops every blank inside a line */
        char buf[256];
        int cols[256];
        size_t n = 0;
        for (size_t k = i; k < e; k++) {
            char c = text[k];
            if (c == ' ' || c == '\t' || c == '\r')
                continue;
            if ((unsigned char)c < 0x20) {
                rc = cc_error_at(err, CC_EINVAL, line, (int)(k - i) + 1,
                                 "unexpected control character (byte %d)", (unsigned char)c);
                break;
            }
            if (n + 1 >= sizeof buf) {
                rc = cc_error_at(err, CC_EINVAL, line, (int)(k - i) + 1,
                                 "line longer than %zu characters", sizeof buf - 1);
                break;
            }
            cols[n] = (int)(k - i) + 1;
            buf[n++] = c;
        }
        buf[n] = '\0';
        i = e + 1;
        if (rc || n == 0 || buf[0] == '#' || buf[0] == ';')
            continue;
        if (buf[0] == '[') {
            if (buf[n - 1] != ']' || n < 3 || n - 2 >= sizeof sec->name) {
                rc = cc_error_at(err, CC_EINVAL, line, cols[0],
                                 "a section header is '[name]', e.g. '[convolutional]'");
                break;
            }
            if (have && (rc = finish_section(&dp, sec, &idx)))
                break;
            memset(sec, 0, sizeof *sec);
            memcpy(sec->name, buf + 1, n - 2);
            sec->line = line;
            sec->col = cols[0];
            have = 1;
            continue;
        }
        char *eq = strchr(buf, '=');
        if (!have) {
            rc = cc_error_at(err, CC_EINVAL, line, cols[0],
                             "expected a section such as '[net]' before any key");
            break;
        }
        if (!eq || eq == buf || !eq[1]) {
            rc = cc_error_at(err, CC_EINVAL, line, cols[0], "expected 'key=value' in [%s]",
                             sec->name);
            break;
        }
        if (sec->n == MAX_KEYS) {
            rc = cc_error_at(err, CC_EINVAL, line, cols[0], "more than %d keys in [%s]",
                             MAX_KEYS, sec->name);
            break;
        }
        kv *k = &sec->keys[sec->n++];
        size_t kl = (size_t)(eq - buf);
        if (kl >= sizeof k->key || strlen(eq + 1) >= sizeof k->val) {
            rc = cc_error_at(err, CC_EINVAL, line, cols[0], "key or value too long");
            break;
        }
        memcpy(k->key, buf, kl);
        k->key[kl] = '\0';
        snprintf(k->val, sizeof k->val, "%s", eq + 1);
        k->line = line;
        k->col = cols[0];
        k->vcol = cols[kl + 1];
    }
    if (!rc && have)
        rc = finish_section(&dp, sec, &idx);
    if (!rc && dp.s->n == 0)
        rc = cc_error_at(err, CC_EINVAL, line ? line : 1, 1,
                         "no layers (expected sections such as [convolutional])");
    free(sec);
    free(dp.map);
    if (rc) {
        cc_stack_free(dp.s);
        return rc;
    }
    *out = dp.s;
    return 0;
}

int64_t cc_stack_darknet_ops(const cc_stack *s)
{
    int64_t ops = 0;
    for (size_t i = 0; i < s->n; i++) {
        const cc_layer *l = &s->layers[i];
        if (l->counts.macs < 0)
            return -1;
        if (l->kind != CC_LAYER_CONV && l->kind != CC_LAYER_LINEAR)
            continue;
        if (l->counts.macs > INT64_MAX / 2 - ops)
            return -1;
        ops += 2 * l->counts.macs;
    }
    return ops;
}
