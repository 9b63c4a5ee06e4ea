/* pt_eval.c - networks trained elsewhere: a structure (spec, PyTorch repr
 * or darknet cfg) plus a state_dict file, and their evaluation on a data
 * set with torchvision's preprocessing (see convcalc/weights.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/data.h"
#include "convcalc/io.h"
#include "convcalc/net.h"
#include "convcalc/stack.h"
#include "convcalc/train.h"
#include "convcalc/weights.h"

int cc_pt_net_load(cc_net **out, cc_stack **stack_out, const char *spec_path,
                   const char *weights_path, long in_c, long in_h, long in_w, cc_error *err)
{
    *out = NULL;
    if (stack_out)
        *stack_out = NULL;
    unsigned char *text;
    size_t len;
    int rc = cc_file_read(spec_path, (size_t)16 << 20, &text, &len, NULL, err);
    if (rc)
        return rc;
    cc_stack *s = NULL;
    cc_net *net = NULL;
    cc_safetensors *sd = NULL;
    rc = cc_stack_parse(&s, (const char *)text, len, CC_SOURCE_AUTO, err);
    free(text);
    if (!rc && s->input.rank == 0 && in_c > 0)
        rc = cc_stack_set_input(s, in_h, in_w, in_c, err);
    if (!rc)
        rc = cc_stack_infer(s, err);
    if (!rc)
        rc = cc_net_from_stack(&net, s, 1, err);
    if (rc) {
        cc_error_source(err, spec_path);
        goto fail;
    }
    if ((rc = cc_state_dict_load(&sd, weights_path, err)) != 0)
        goto fail;
    if ((rc = cc_net_load_state_dict(net, sd, err)) != 0) {
        cc_error_source(err, weights_path);
        goto fail;
    }
    cc_st_free(sd);
    cc_net_set_train(net, 0);
    *out = net;
    if (stack_out)
        *stack_out = s;
    else
        cc_stack_free(s);
    return 0;
fail:
    cc_st_free(sd);
    cc_net_free(net);
    cc_stack_free(s);
    return rc;
}

int cc_net_evaluate_data(cc_net *net, const cc_data *d, const float *mean, const float *std,
                         int channels, long batch, unsigned splits, cc_results *out,
                         int64_t *confusion, cc_error *err)
{
    memset(out, 0, sizeof *out);
    long c, h, w;
    cc_net_input_shape(net, &c, &h, &w);
    if (d->train.c != c || d->train.h != h || d->train.w != w)
        return cc_error_set(err, CC_ESHAPE,
                            "the network takes %ldx%ldx%ld images (HxWxC) but %s has %dx%dx%d",
                            h, w, c, d->name, d->train.h, d->train.w, d->train.c);
    if (cc_net_classes(net) < d->classes)
        return cc_error_set(err, CC_ESHAPE, "the network has %ld outputs but %s has %d classes",
                            cc_net_classes(net), d->name, d->classes);
    cc_prep p;
    memset(&p, 0, sizeof p);
    cc_prep_opts o = cc_prep_defaults();
    o.val_fraction = 0;
    o.normalize = 0;
    int rc = cc_prep_init(&p, d, &o, err);
    if (!rc && channels)
        rc = cc_prep_set_stats(&p, mean, std, channels, err);
    cc_net_set_train(net, 0);
    for (int s = 0; s < 3 && !rc; s++) {
        out->n[s] = (splits >> s & 1u) ? p.n[s] : 0;
        out->have[s] = out->n[s] > 0;
        if (out->have[s])
            rc = cc_evaluate(net, &p, d, (cc_split)s, batch, &out->loss[s], &out->accuracy[s],
                             s == CC_SPLIT_TEST ? confusion : NULL, err);
    }
    cc_prep_clear(&p);
    return rc;
}
