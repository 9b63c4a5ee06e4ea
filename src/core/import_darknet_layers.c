/* import_darknet_layers.c - each darknet section as convcalc layers, with
 * the keys and defaults of pjreddie/darknet's parser.c. A section can
 * become several layers (convolution, batch normalisation, activation);
 * every one carries the section's darknet layer number (src_layer). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/darknet_priv.h"

/* The last layer added: its type is the kind's own name, not the
 * section's (the batch normalisation after a convolution). */
static void plain_type(dn_parser *dp)
{
    dp->s->layers[dp->s->n - 1].type[0] = '\0';
}

static int section_err(dn_parser *dp, const dn_section *sec, const dn_kv *k, const char *what)
{
    return cc_error_at(dp->err, CC_EINVAL, k ? k->line : sec->line, k ? k->vcol : sec->col,
                       "%s %s", sec->label, what);
}

static int convolutional(dn_parser *dp, dn_section *sec, size_t idx)
{
    long size, stride, sx, sy, pad, padding, groups, dil, bn;
    cc_layer l;
    int rc;
    cc_layer_init(&l, CC_LAYER_CONV);
    if ((rc = dn_long(dp, sec, "filters", 1, 1, &l.filters)) ||
        (rc = dn_long(dp, sec, "size", 1, 1, &size)) ||
        (rc = dn_long(dp, sec, "stride", 1, 1, &stride)) ||
        (rc = dn_long(dp, sec, "stride_x", stride, 1, &sx)) ||
        (rc = dn_long(dp, sec, "stride_y", stride, 1, &sy)) ||
        (rc = dn_long(dp, sec, "pad", 0, 0, &pad)) ||
        (rc = dn_long(dp, sec, "padding", 0, 0, &padding)) ||
        (rc = dn_long(dp, sec, "groups", 1, 1, &groups)) ||
        (rc = dn_long(dp, sec, "dilation", 1, 1, &dil)) ||
        (rc = dn_long(dp, sec, "batch_normalize", 0, 0, &bn)))
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
    if ((rc = dn_add(dp, &l, sec, idx, "conv")))
        return rc;
    if (bn) {
        cc_layer_init(&l, CC_LAYER_BATCHNORM2D);
        if ((rc = dn_add(dp, &l, sec, idx, "bn")))
            return rc;
        plain_type(dp);
    }
    return dn_activation(dp, sec, idx, "logistic");
}

static int connected(dn_parser *dp, dn_section *sec, size_t idx)
{
    long bn;
    cc_layer l;
    int rc;
    cc_layer_init(&l, CC_LAYER_LINEAR);
    if ((rc = dn_long(dp, sec, "output", 1, 1, &l.out_features)) ||
        (rc = dn_long(dp, sec, "batch_normalize", 0, 0, &bn)))
        return rc;
    l.flatten_input = 1;
    l.bias = !bn;
    if ((rc = dn_add(dp, &l, sec, idx, "fc")))
        return rc;
    if (bn) {
        cc_layer_init(&l, CC_LAYER_BATCHNORM1D);
        if ((rc = dn_add(dp, &l, sec, idx, "bn")))
            return rc;
        plain_type(dp);
    }
    return dn_activation(dp, sec, idx, "logistic");
}

static int route(dn_parser *dp, dn_section *sec, size_t idx)
{
    cc_layer l;
    int rc;
    dn_kv *k = dn_find(sec, "layers");
    if (!k)
        return section_err(dp, sec, NULL, "needs layers=A[,B...] (e.g. layers=-1,-4)");
    cc_layer_init(&l, CC_LAYER_CONCAT);
    /* groups and group_id: AlexeyAB's darknet takes slice group_id of
     * groups from every source's channels */
    if ((rc = dn_long(dp, sec, "groups", 1, 1, &l.groups)) ||
        (rc = dn_long(dp, sec, "group_id", 0, 0, &l.group_id)))
        return rc;
    if (l.group_id >= l.groups)
        return section_err(dp, sec, dn_find(sec, "group_id"),
                           "group_id must be below groups (a slice of the channels)");
    if (l.groups > 1)
        cc_stack_note_add(dp->s, sec->line, sec->col,
                          "%s groups=%ld, group_id=%ld: read as AlexeyAB's darknet does "
                          "(slice %ld of %ld of every source's channels); pjreddie's darknet "
                          "ignores these keys",
                          sec->label, l.groups, l.group_id, l.group_id, l.groups);
    const char *p = k->val;
    while (*p) {
        if (l.n_sources == CC_CONCAT_MAX)
            return cc_error_at(dp->err, CC_EINVAL, k->line, k->vcol,
                               "%s joins at most %d layers", sec->label, CC_CONCAT_MAX);
        if ((rc = dn_resolve(dp, sec, k, p, idx, &l.sources[l.n_sources])))
            return rc;
        l.n_sources++;
        const char *c = strchr(p, ',');
        if (!c)
            break;
        p = c + 1;
    }
    return dn_add(dp, &l, sec, idx, "route");
}

static int shortcut(dn_parser *dp, dn_section *sec, size_t idx)
{
    cc_layer l;
    int rc;
    dn_kv *k = dn_find(sec, "from");
    if (!k)
        return section_err(dp, sec, NULL, "needs from=LAYER (e.g. from=-3)");
    cc_layer_init(&l, CC_LAYER_ADD);
    l.resample = 1;
    if ((rc = dn_resolve(dp, sec, k, k->val, idx, &l.from)) ||
        (rc = dn_add(dp, &l, sec, idx, "shortcut")))
        return rc;
    return dn_activation(dp, sec, idx, "linear");
}

static int local(dn_parser *dp, dn_section *sec, size_t idx)
{
    long size, stride, pad;
    cc_layer l;
    int rc;
    cc_layer_init(&l, CC_LAYER_LOCAL);
    if ((rc = dn_long(dp, sec, "filters", 1, 1, &l.filters)) ||
        (rc = dn_long(dp, sec, "size", 1, 1, &size)) ||
        (rc = dn_long(dp, sec, "stride", 1, 1, &stride)) ||
        (rc = dn_long(dp, sec, "pad", 0, 0, &pad)))
        return rc;
    l.kernel_h = l.kernel_w = size;
    l.stride_h = l.stride_w = stride;
    /* darknet pads size/2 when pad is set (its output rule is in
     * stack_darknet.c) */
    l.pad_top = l.pad_left = pad ? size / 2 : 0;
    l.pad_bottom = l.pad_right = l.pad_top;
    if ((rc = dn_add(dp, &l, sec, idx, "local")))
        return rc;
    return dn_activation(dp, sec, idx, "logistic");
}

static int recurrent(dn_parser *dp, dn_section *sec, size_t idx, int cell)
{
    long bn;
    cc_layer l;
    int rc;
    cc_layer_init(&l, CC_LAYER_RECURRENT);
    l.cell = cell;
    if ((rc = dn_long(dp, sec, "output", 1, 1, &l.out_features)) ||
        (rc = dn_long(dp, sec, "batch_normalize", 0, 0, &bn)))
        return rc;
    l.cell_bn = bn != 0;
    if (cell == CC_CELL_RNN)
        dn_find(sec, "activation"); /* applied inside the cell */
    return dn_add(dp, &l, sec, idx, sec->name);
}

/* yolo: n = the mask's length (else num) anchors of 4 coordinates */
static int detector(dn_parser *dp, dn_section *sec, size_t idx)
{
    cc_layer l;
    int rc;
    cc_layer_init(&l, CC_LAYER_DETECT);
    if (!strcmp(sec->name, "yolo")) {
        long total;
        if ((rc = dn_long(dp, sec, "classes", 20, 0, &l.det_classes)) ||
            (rc = dn_long(dp, sec, "num", 1, 1, &total)))
            return rc;
        l.det_coords = 4;
        l.det_num = total;
        dn_kv *m = dn_find(sec, "mask");
        if (m) {
            l.det_num = 1;
            for (const char *p = m->val; *p; p++) {
                if (*p == ',')
                    l.det_num++;
                else if ((*p < '0' || *p > '9') && *p != '-')
                    return section_err(dp, sec, m, "mask is a list of anchor numbers "
                                                   "(e.g. mask=0,1,2)");
            }
            /* every mask entry names one of the num anchors */
            for (const char *p = m->val; *p;) {
                long a = strtol(p, NULL, 10);
                if (a < 0 || a >= total)
                    return section_err(dp, sec, m,
                                       "mask names an anchor outside 0 to num-1");
                const char *c = strchr(p, ',');
                if (!c)
                    break;
                p = c + 1;
            }
        }
    } else if (!strcmp(sec->name, "region")) {
        if ((rc = dn_long(dp, sec, "coords", 4, 0, &l.det_coords)) ||
            (rc = dn_long(dp, sec, "classes", 20, 0, &l.det_classes)) ||
            (rc = dn_long(dp, sec, "num", 1, 1, &l.det_num)))
            return rc;
    } else {
        if ((rc = dn_long(dp, sec, "coords", 1, 0, &l.det_coords)) ||
            (rc = dn_long(dp, sec, "classes", 1, 0, &l.det_classes)) ||
            (rc = dn_long(dp, sec, "num", 1, 1, &l.det_num)) ||
            (rc = dn_long(dp, sec, "side", 7, 1, &l.det_side)))
            return rc;
    }
    return dn_add(dp, &l, sec, idx, sec->name);
}

static int resampling(dn_parser *dp, dn_section *sec, size_t idx)
{
    cc_layer l;
    int rc;
    if (!strcmp(sec->name, "upsample")) {
        long stride;
        cc_layer_init(&l, CC_LAYER_UPSAMPLE);
        if ((rc = dn_signed(dp, sec, "stride", 2, &stride)))
            return rc;
        if (stride < 1)
            return section_err(dp, sec, dn_find(sec, "stride"),
                               "stride below 1 (darknet's downsampling) is not supported "
                               "(expected a factor of 1 or more)");
        l.stride_h = l.stride_w = stride;
        return dn_add(dp, &l, sec, idx, "upsample");
    }
    if (!strcmp(sec->name, "reorg")) {
        long reverse;
        cc_layer_init(&l, CC_LAYER_REORG);
        if ((rc = dn_long(dp, sec, "stride", 1, 1, &l.stride_h)) ||
            (rc = dn_long(dp, sec, "reverse", 0, 0, &reverse)) ||
            (rc = dn_long(dp, sec, "extra", 0, 0, &l.extra)))
            return rc;
        l.stride_w = l.stride_h;
        l.reverse = reverse != 0;
        return dn_add(dp, &l, sec, idx, "reorg");
    }
    long noadjust;
    cc_layer_init(&l, CC_LAYER_CROP);
    if ((rc = dn_long(dp, sec, "crop_height", 1, 1, &l.out_h)) ||
        (rc = dn_long(dp, sec, "crop_width", 1, 1, &l.out_w)) ||
        (rc = dn_long(dp, sec, "noadjust", 0, 0, &noadjust)))
        return rc;
    l.noadjust = noadjust != 0;
    return dn_add(dp, &l, sec, idx, "crop");
}

int dn_layer_section(dn_parser *dp, dn_section *sec, size_t idx)
{
    cc_layer l;
    int rc = 0;
    const char *nm = sec->name;
    if (!strcmp(nm, "convolutional"))
        return convolutional(dp, sec, idx);
    if (!strcmp(nm, "connected"))
        return connected(dp, sec, idx);
    if (!strcmp(nm, "route"))
        return route(dp, sec, idx);
    if (!strcmp(nm, "shortcut"))
        return shortcut(dp, sec, idx);
    if (!strcmp(nm, "local"))
        return local(dp, sec, idx);
    if (!strcmp(nm, "rnn"))
        return recurrent(dp, sec, idx, CC_CELL_RNN);
    if (!strcmp(nm, "gru"))
        return recurrent(dp, sec, idx, CC_CELL_GRU);
    if (!strcmp(nm, "lstm"))
        return recurrent(dp, sec, idx, CC_CELL_LSTM);
    if (!strcmp(nm, "yolo") || !strcmp(nm, "region") || !strcmp(nm, "detection"))
        return detector(dp, sec, idx);
    if (!strcmp(nm, "upsample") || !strcmp(nm, "reorg") || !strcmp(nm, "crop"))
        return resampling(dp, sec, idx);
    if (!strcmp(nm, "maxpool")) {
        long stride, size, padding;
        cc_layer_init(&l, CC_LAYER_MAXPOOL);
        if ((rc = dn_long(dp, sec, "stride", 1, 1, &stride)) ||
            (rc = dn_long(dp, sec, "size", stride, 1, &size)) ||
            (rc = dn_long(dp, sec, "padding", size - 1, 0, &padding)))
            return rc;
        /* darknet: out = (in + padding - size) / stride + 1, the window
         * starting padding/2 before the input */
        l.kernel_h = l.kernel_w = size;
        l.stride_h = l.stride_w = stride;
        l.pad_top = l.pad_left = padding / 2;
        l.pad_bottom = l.pad_right = padding - padding / 2;
        return dn_add(dp, &l, sec, idx, "maxpool");
    }
    if (!strcmp(nm, "avgpool")) {
        cc_layer_init(&l, CC_LAYER_GLOBAL_AVGPOOL);
        return dn_add(dp, &l, sec, idx, "avgpool");
    }
    if (!strcmp(nm, "dropout")) {
        cc_layer_init(&l, CC_LAYER_DROPOUT);
        if ((rc = dn_real(dp, sec, "probability", 0.5, 0, 1, &l.p)))
            return rc;
        return dn_add(dp, &l, sec, idx, "dropout");
    }
    if (!strcmp(nm, "softmax")) {
        double temp;
        cc_layer_init(&l, CC_LAYER_SOFTMAX);
        /* groups: a softmax over each of that many equal runs of values */
        if ((rc = dn_long(dp, sec, "groups", 1, 1, &l.groups)) ||
            (rc = dn_real(dp, sec, "temperature", 1, 1e-9, 1e9, &temp)))
            return rc;
        if (dn_find(sec, "tree"))
            cc_stack_note_add(dp->s, sec->line, sec->col,
                              "%s tree=: a hierarchical softmax, counted as one softmax over "
                              "all its inputs (no parameters either way)",
                              sec->label);
        return dn_add(dp, &l, sec, idx, "softmax");
    }
    return cc_error_at(dp->err, CC_EINVAL, sec->line, sec->col,
                       "unknown or unsupported section [%s] at darknet layer %zu (convcalc "
                       "reads [net], [convolutional], [connected], [maxpool], [avgpool], "
                       "[dropout], [softmax], [shortcut], [route], [upsample], [reorg], [crop], "
                       "[local], [rnn], [gru], [lstm], [yolo], [region], [detection] and "
                       "[cost])",
                       nm, idx);
}
