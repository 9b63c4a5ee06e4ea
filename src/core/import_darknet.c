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
#include "core/darknet_priv.h"

#define MAX_SECTIONS 100000

dn_kv *dn_find(dn_section *sec, const char *key)
{
    for (int i = sec->n - 1; i >= 0; i--)
        if (strcmp(sec->keys[i].key, key) == 0) {
            sec->keys[i].used = 1;
            return &sec->keys[i];
        }
    return NULL;
}

int dn_long(dn_parser *dp, dn_section *sec, const char *key, long dflt, long min, long *out)
{
    dn_kv *k = dn_find(sec, key);
    if (!k) {
        *out = dflt;
        return 0;
    }
    char *end;
    errno = 0;
    long v = strtol(k->val, &end, 10);
    if (end == k->val || *end || errno == ERANGE || v < min || v > CC_DIM_MAX)
        return cc_error_at(dp->err, CC_EINVAL, k->line, k->vcol,
                           "%s %s=%s is not a whole number from %ld to %ld", sec->label, key,
                           k->val, min, (long)CC_DIM_MAX);
    *out = v;
    return 0;
}

int dn_signed(dn_parser *dp, dn_section *sec, const char *key, long dflt, long *out)
{
    dn_kv *k = dn_find(sec, key);
    if (!k) {
        *out = dflt;
        return 0;
    }
    char *end;
    errno = 0;
    long v = strtol(k->val, &end, 10);
    if (end == k->val || *end || errno == ERANGE || v < -CC_DIM_MAX || v > CC_DIM_MAX)
        return cc_error_at(dp->err, CC_EINVAL, k->line, k->vcol,
                           "%s %s=%s is not a whole number from %ld to %ld", sec->label, key,
                           k->val, -(long)CC_DIM_MAX, (long)CC_DIM_MAX);
    *out = v;
    return 0;
}

int dn_real(dn_parser *dp, dn_section *sec, const char *key, double dflt, double lo,
            double hi, double *out)
{
    dn_kv *k = dn_find(sec, key);
    if (!k) {
        *out = dflt;
        return 0;
    }
    char *end;
    errno = 0;
    double v = strtod(k->val, &end);
    if (end == k->val || *end || errno == ERANGE || !isfinite(v) || v < lo || v > hi)
        return cc_error_at(dp->err, CC_EINVAL, k->line, k->vcol,
                           "%s %s=%s is not a number from %g to %g", sec->label, key, k->val,
                           lo, hi);
    *out = v;
    return 0;
}

int dn_add(dn_parser *dp, cc_layer *l, const dn_section *sec, size_t idx, const char *what)
{
    l->line = sec->line;
    l->col = sec->col;
    snprintf(l->type, sizeof l->type, "%s", sec->name);
    l->src_layer = (long)idx + 1;
    snprintf(l->name, sizeof l->name, "%.40s_%zu", what, idx);
    return cc_stack_add(dp->s, l, dp->err);
}

/* activation=NAME after a layer; "linear" adds nothing. */
int dn_activation(dn_parser *dp, dn_section *sec, size_t idx, const char *dflt)
{
    dn_kv *k = dn_find(sec, "activation");
    const char *a = k ? k->val : dflt;
    char pat[48];
    snprintf(pat, sizeof pat, " %.40s ", a);
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
    else if (strstr(" ramp loggy selu relie plse stair hardtan lhtan ", pat))
        cc_layer_init(&l, CC_LAYER_ACTIVATION);
    else
        return cc_error_at(dp->err, CC_EINVAL, k ? k->line : sec->line, k ? k->vcol : sec->col,
                           "%s activation=%s is not supported (expected linear, relu, leaky, "
                           "logistic, tanh, elu, relu6, swish, ramp, loggy, selu, relie, plse, "
                           "stair, hardtan or lhtan)",
                           sec->label, a);
    int rc = dn_add(dp, &l, sec, idx, a);
    if (rc == 0 && l.kind != CC_LAYER_ACTIVATION)
        dp->s->layers[dp->s->n - 1].type[0] = '\0';
    else if (rc == 0)
        snprintf(dp->s->layers[dp->s->n - 1].type, sizeof l.type, "%.39s", a);
    return rc;
}

/* Darknet layer reference: negative = relative to this section. */
int dn_resolve(dn_parser *dp, dn_section *sec, dn_kv *k, const char *text, size_t idx,
               long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || (*end && *end != ',') || errno == ERANGE)
        return cc_error_at(dp->err, CC_EINVAL, k->line, k->vcol,
                           "%s %s=%s: '%s' is not a layer number", sec->label, k->key, k->val,
                           text);
    long a = v < 0 ? (long)idx + v : v;
    if (a < 0 || (size_t)a >= idx)
        return cc_error_at(dp->err, CC_EINVAL, k->line, k->vcol,
                           "%s %s=%s: layer %ld is not before this one (layer %zu)",
                           sec->label, k->key, k->val, a, idx);
    *out = dp->map[a];
    return 0;
}

/* Keys each section may have: read by the section's rules, or settings
 * that do not change the network's shape or counts. Others are noted as
 * ignored (darknet too prints them as unused). */
static const char *const known_keys[][2] = {
    {"net", " width height channels inputs batch subdivisions learning_rate momentum decay "
            "max_batches policy steps scales power burn_in angle saturation exposure hue "
            "aspect max_crop min_crop crop_height crop_width flip mosaic time_steps notruth "
            "random label_smooth_eps gamma step rate adam B1 B2 eps letter_box center clip "
            "max_ratio min_ratio "},
    {"convolutional", " filters size stride stride_x stride_y pad padding groups dilation "
                      "batch_normalize activation binary xnor flipped dot "},
    {"maxpool", " size stride padding "},
    {"avgpool", " "},
    {"connected", " output activation batch_normalize "},
    {"dropout", " probability "},
    {"softmax", " groups temperature tree spatial noloss "},
    {"shortcut", " from activation alpha beta "},
    {"route", " layers groups group_id "},
    {"upsample", " stride scale "},
    {"reorg", " stride reverse flatten extra "},
    {"crop", " crop_height crop_width flip angle saturation exposure noadjust shift "},
    {"local", " filters size stride pad activation "},
    {"rnn", " output activation batch_normalize shortcut "},
    {"gru", " output batch_normalize tanh "},
    {"lstm", " output batch_normalize "},
    {"yolo", " classes num mask anchors max jitter ignore_thresh truth_thresh random map "},
    {"region", " coords classes num log sqrt softmax background max jitter rescore thresh "
               "classfix absolute random coord_scale object_scale noobject_scale mask_scale "
               "class_scale bias_match tree map anchors "},
    {"detection", " coords classes rescore num side softmax sqrt max coord_scale forced "
                  "object_scale noobject_scale class_scale jitter random reorg "},
    {"cost", " type scale ratio noobj noobject_scale thresh "},
};

/* Keys darknet reads for every layer (training controls). */
static const char common_keys[] =
    " truth onlyforward stopbackward dontsave dontload numload dontloadscales learning_rate "
    "smooth ";

/* darknet's other spellings of section names */
static const char *const aliases[][2] = {
    {"network", "net"}, {"conv", "convolutional"}, {"conn", "connected"},
    {"max", "maxpool"}, {"avg", "avgpool"},        {"soft", "softmax"},
};

static int finish_section(dn_parser *dp, dn_section *sec, size_t *idx)
{
    int rc = 0;
    if (!strcmp(sec->name, "net")) {
        long w, h, c, inputs;
        if ((rc = dn_long(dp, sec, "width", 0, 0, &w)) ||
            (rc = dn_long(dp, sec, "height", 0, 0, &h)) ||
            (rc = dn_long(dp, sec, "channels", 0, 0, &c)) ||
            (rc = dn_long(dp, sec, "inputs", 0, 0, &inputs)))
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
        if ((rc = dn_layer_section(dp, sec, *idx)))
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
        dn_kv *k = &sec->keys[i];
        if (k->used)
            continue;
        const char *list = NULL;
        for (size_t j = 0; j < sizeof known_keys / sizeof known_keys[0]; j++)
            if (!strcmp(known_keys[j][0], sec->name))
                list = known_keys[j][1];
        char pat[48];
        snprintf(pat, sizeof pat, " %s ", k->key);
        if ((list && strstr(list, pat)) || (strcmp(sec->name, "net") && strstr(common_keys, pat)))
            continue;
        cc_stack_note_add(dp->s, k->line, k->col, "unknown key '%s' in [%s], ignored", k->key,
                          sec->name);
    }
    return 0;
}

int cc_stack_parse_darknet(cc_stack **out, const char *text, size_t len, cc_error *err)
{
    *out = NULL;
    dn_parser dp;
    memset(&dp, 0, sizeof dp);
    dp.err = err;
    dp.s = cc_stack_new();
    dn_section *sec = calloc(1, sizeof *sec);
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
            for (size_t a = 0; a < sizeof aliases / sizeof aliases[0]; a++)
                if (!strcmp(sec->name, aliases[a][0]))
                    snprintf(sec->name, sizeof sec->name, "%s", aliases[a][1]);
            if (!strcmp(sec->name, "net"))
                snprintf(sec->label, sizeof sec->label, "[net]");
            else
                snprintf(sec->label, sizeof sec->label, "[%.40s] (layer %zu)", sec->name,
                         idx);
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
        if (sec->n == DN_MAX_KEYS) {
            rc = cc_error_at(err, CC_EINVAL, line, cols[0], "more than %d keys in [%s]",
                             DN_MAX_KEYS, sec->name);
            break;
        }
        dn_kv *k = &sec->keys[sec->n++];
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
        if (l->kind != CC_LAYER_CONV && l->kind != CC_LAYER_LINEAR &&
            l->kind != CC_LAYER_RECURRENT)
            continue;
        if (l->counts.macs > INT64_MAX / 2 - ops)
            return -1;
        ops += 2 * l->counts.macs;
    }
    return ops;
}
