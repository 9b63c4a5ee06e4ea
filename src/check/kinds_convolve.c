/* kinds_convolve.c - convolution by hand: the walk is the answer; the
 * kernel as written and the unpadded image give the known wrong matrices. */
#include "kinds.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/arith.h"

/* ---- convolution by hand ------------------------------------------------------- */

int ex_read_matrix_param(const ex_problem *p, const char *name, cc_matrix *m, int builtin_image,
                             cc_error *err)
{
    const ex_param *pr = ex_param_find(p, name);
    if (strcmp(pr->value, "builtin") == 0 || strcmp(pr->value, "example") == 0) {
        cc_matrix img = {0}, ker = {0};
        cc_walk_spec spec;
        int rc = cc_walk_example(&img, &ker, &spec, err);
        if (rc)
            return rc;
        if (builtin_image) {
            *m = img;
            cc_matrix_free(&ker);
        } else {
            *m = ker;
            cc_matrix_free(&img);
        }
        return 0;
    }
    cc_error e2;
    cc_error_clear(&e2);
    int rc = cc_matrix_parse(m, pr->value, strlen(pr->value), &e2);
    if (rc)
        return ex_param_error(err, rc, pr, e2.line, e2.col, "%s: %s", name, e2.msg);
    return 0;
}

int ex_build_walk(cc_walk **out, const ex_problem *p, int flip_mode, int no_pad,
                      cc_error *err)
{
    cc_matrix img = {0}, ker = {0};
    double *bias = NULL;
    int rc = ex_read_matrix_param(p, "image", &img, 1, err);
    if (!rc)
        rc = ex_read_matrix_param(p, "kernel", &ker, 0, err);
    cc_walk_spec spec;
    cc_walk_spec_init(&spec);
    long v[2];
    if (!rc) {
        /* a kernel of one channel for a one-channel image is read as one
         * filter; a multi-channel kernel as one filter of C channels */
        if (ker.n == 1 && ker.c != img.c && img.c == 1) {
            ker.n = ker.c;
            ker.c = 1;
        }
        spec.input = &img;
        spec.kernels = &ker;
        rc = ex_get_pair(p, "stride", 1, 1, v, err);
        spec.stride_h = v[0];
        spec.stride_w = v[1];
    }
    if (!rc) {
        rc = ex_get_pair(p, "dilation", 1, 1, v, err);
        spec.dilation_h = v[0];
        spec.dilation_w = v[1];
    }
    const ex_param *pp = ex_param_find(p, "padding");
    if (!rc && pp) {
        if (!strcmp(pp->value, "same"))
            spec.pad_kind = CC_PAD_SAME;
        else if (!strcmp(pp->value, "valid"))
            spec.pad_kind = CC_PAD_VALID;
        else if (!strcmp(pp->value, "full"))
            spec.pad_kind = CC_PAD_FULL;
        else {
            rc = ex_get_pair(p, "padding", 0, 0, v, err);
            spec.pad_top = spec.pad_bottom = v[0];
            spec.pad_left = spec.pad_right = v[1];
        }
    }
    if (!rc && no_pad)
        spec.pad_kind = CC_PAD_VALID;
    const ex_param *mp = ex_param_find(p, "mode");
    if (!rc && mp && cc_conv_mode_parse(mp->value, &spec.mode) != 0)
        rc = ex_param_error(err, CC_EINVAL, mp, 0, 0, "mode: expected convolution or correlation");
    if (!rc && flip_mode)
        spec.mode = spec.mode == CC_MODE_CONVOLUTION ? CC_MODE_CORRELATION : CC_MODE_CONVOLUTION;
    const ex_param *bp = ex_param_find(p, "bias");
    if (!rc && bp) {
        cc_matrix bm = {0};
        cc_error e2;
        rc = cc_matrix_parse(&bm, bp->value, strlen(bp->value), &e2);
        if (rc || (long)cc_matrix_size(&bm) != ker.n)
            rc = ex_param_error(err, CC_EINVAL, bp, 0, 0, "bias: expected %ld number(s), one per "
                                "filter", ker.n);
        else if (!(bias = malloc(cc_matrix_size(&bm) * sizeof *bias)))
            rc = cc_error_set(err, CC_ENOMEM, "out of memory");
        else
            memcpy(bias, bm.data, cc_matrix_size(&bm) * sizeof *bias);
        cc_matrix_free(&bm);
        spec.bias = bias;
    }
    if (!rc) {
        cc_error e2;
        cc_error_clear(&e2);
        rc = cc_walk_new(out, &spec, &e2);
        if (rc)
            rc = cc_error_at(err, rc, p->line, 1, "problem %s: %s", p->id, e2.msg);
    }
    cc_matrix_free(&img);
    cc_matrix_free(&ker);
    free(bias);
    return rc;
}

int ex_solve_convolve(ex_expect *e, const ex_problem *p, cc_error *err)
{
    int rc = ex_build_walk(&e->walk, p, 0, 0, err);
    if (rc)
        return rc;
    e->type = ANS_MATRIX;
    rc = cc_matrix_copy(&e->mat, cc_walk_output(e->walk), err);
    if (rc)
        return rc;
    cc_walk_render_opts o;
    cc_walk_render_opts_init(&o);
    o.format = CC_FORMAT_TEXT;
    rc = cc_walk_render(&e->steps, e->walk, &o, err);
    if (rc)
        return rc;
    /* the same with the kernel as written (not flipped), unpadded, and both */
    for (int t = 0; t < 3; t++) {
        cc_walk *w2 = NULL;
        cc_error e2;
        if (ex_build_walk(&w2, p, t != 1, t >= 1, &e2) == 0 && e->nalts < MAX_ALTS) {
            ex_alt *a = &e->alts[e->nalts];
            memset(a, 0, sizeof *a);
            a->mask = (t != 1 ? EX_BIT(CC_MISTAKE_KERNEL_NOT_FLIPPED) : 0) |
                      (t >= 1 ? EX_BIT(CC_MISTAKE_NO_PADDING) : 0);
            if (!cc_matrix_equal(cc_walk_output(w2), &e->mat) &&
                cc_matrix_copy(&a->mat, cc_walk_output(w2), &e2) == 0)
                e->nalts++;
        }
        cc_walk_free(w2);
    }
    return 0;
}

