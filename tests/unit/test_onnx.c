/* test_onnx.c - the ONNX reader and the engine against the ONNX backend
 * test data in Debian's libonnx-testdata: every test directory of node/
 * and pytorch-converted/ is loaded through cc_onnx_load_buffer (the real
 * reader: protobuf-c, constant folding, the graph turned into a network),
 * its first input run through the network in evaluation mode, and the
 * network's output compared with output_0.pb (|ours - onnx| <= 1e-5 +
 * 1e-4 |onnx|). Further graph inputs (weights in the node tests) are bound
 * as constants from input_1.pb, ... A model the reader refuses is skipped
 * with the reader's message (an unsupported operator or attribute), and
 * the skips are counted by reason; a numeric mismatch fails. Minimum match
 * counts keep the test from passing by skipping. Also: corrupt and
 * truncated models are errors with a byte offset, and an unsupported
 * operator is an error naming it, the node and the opset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convcalc/io.h"
#include "convcalc/net.h"
#include "convcalc/onnx.h"

#define DATA "/usr/share/libonnx-testdata/data"
#define ATOL 1e-5
#define RTOL 1e-4
#define MIN_NODE 74
#define MIN_PYTORCH 33

enum { R_PASS, R_SKIP, R_FAIL };

typedef struct reason {
    char text[160];
    int count;
} reason;

static reason reasons[256];
static int nreasons;

static void count_reason(const char *msg)
{
    /* group by the part after the node prefix: "operator X is not supported" */
    const char *p = strstr(msg, "): ");
    p = p ? p + 3 : msg;
    char key[160];
    size_t l = strlen(p) < sizeof key - 1 ? strlen(p) : sizeof key - 1;
    memcpy(key, p, l);
    key[l] = '\0';
    char *cut = strstr(key, " (see convcalc");
    if (cut)
        *cut = '\0';
    for (int k = 0; k < nreasons; k++)
        if (!strcmp(reasons[k].text, key)) {
            reasons[k].count++;
            return;
        }
    if (nreasons < 256) {
        memcpy(reasons[nreasons].text, key, sizeof key);
        reasons[nreasons++].count = 1;
    }
}

static int exists(const char *path)
{
    return access(path, R_OK) == 0;
}

/* Run one test directory; returns R_*. */
static int run_case(const char *dir, char *why, size_t cap)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/test_data_set_0/output_1.pb", dir);
    if (exists(path)) {
        snprintf(why, cap, "several outputs");
        return R_SKIP;
    }
    cc_onnx_bind binds[8];
    float *bdata[8] = {0};
    size_t nb = 0;
    int rc = R_PASS;
    for (int k = 1; k <= 8 && nb < 8; k++) {
        snprintf(path, sizeof path, "%s/test_data_set_0/input_%d.pb", dir, k);
        if (!exists(path))
            break;
        cc_error e;
        if (cc_onnx_tensor_read(path, &bdata[nb], binds[nb].dims, &binds[nb].ndim, &e)) {
            snprintf(why, cap, "input_%d: %s", k, e.msg);
            rc = R_SKIP;
            goto out;
        }
        binds[nb].data = bdata[nb];
        nb++;
    }
    unsigned char *buf = NULL;
    size_t len = 0;
    cc_error err;
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    assert_int_equal(cc_file_read(path, CC_FILE_MAX, &buf, &len, NULL, &err), 0);
    cc_net *net = NULL;
    cc_onnx_info info;
    int lrc = cc_onnx_load_buffer(&net, buf, len, path, binds, nb, &info, &err);
    free(buf);
    if (lrc) {
        snprintf(why, cap, "%s", err.msg);
        rc = R_SKIP;
        goto out;
    }
    float *x = NULL, *y = NULL;
    long xd[CC_ONNX_MAX_DIMS], yd[CC_ONNX_MAX_DIMS];
    int xn, yn;
    snprintf(path, sizeof path, "%s/test_data_set_0/input_0.pb", dir);
    int r1 = cc_onnx_tensor_read(path, &x, xd, &xn, &err);
    snprintf(path, sizeof path, "%s/test_data_set_0/output_0.pb", dir);
    int r2 = r1 ? 0 : cc_onnx_tensor_read(path, &y, yd, &yn, &err);
    if (r1 || r2) {
        snprintf(why, cap, "test data: %s", err.msg);
        rc = R_SKIP;
    } else if (xn < 1) {
        snprintf(why, cap, "a scalar input");
        rc = R_SKIP;
    } else {
        long B = xd[0];
        long c, h, w;
        cc_net_input_shape(net, &c, &h, &w);
        size_t per = (size_t)c * (h ? h : 1) * (w ? w : 1), ny = 1, nx = 1;
        for (int k = 0; k < yn; k++)
            ny *= (size_t)yd[k];
        for (int k = 0; k < xn; k++)
            nx *= (size_t)xd[k];
        long K = cc_net_classes(net);
        if (B < 1 || nx != (size_t)B * per || ny != (size_t)B * (size_t)K) {
            snprintf(why, cap, "sizes: input %zu for batch %ld x %zu, output %zu vs %ld x %ld",
                     nx, B, per, ny, B, K);
            rc = R_FAIL;
        } else if (cc_net_forward(net, x, B, &err)) {
            snprintf(why, cap, "forward: %s", err.msg);
            rc = R_FAIL;
        } else {
            float *o = malloc(ny * sizeof(float));
            assert_int_equal(cc_net_final_output(net, o, &err), 0);
            for (size_t k = 0; k < ny; k++) {
                double d = fabs((double)o[k] - y[k]);
                if (!(d <= ATOL + RTOL * fabs((double)y[k]))) {
                    snprintf(why, cap, "element %zu: %.8g, expected %.8g", k, (double)o[k],
                             (double)y[k]);
                    rc = R_FAIL;
                    break;
                }
            }
            free(o);
        }
    }
    free(x);
    free(y);
    cc_net_free(net);
out:
    for (size_t k = 0; k < 8; k++)
        free(bdata[k]);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run every case under DATA/sub; add to the counts. */
static void run_dir(const char *sub, int *pass, int *skipped, int *failed)
{
    char root[512];
    snprintf(root, sizeof root, "%s/%s", DATA, sub);
    DIR *dir = opendir(root);
    if (!dir)
        return;
    char **names = NULL;
    size_t nn = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        if (strncmp(de->d_name, "test_", 5))
            continue;
        if (nn == cap) {
            cap = cap ? 2 * cap : 1024;
            names = realloc(names, cap * sizeof *names);
            assert_non_null(names);
        }
        names[nn++] = strdup(de->d_name);
    }
    closedir(dir);
    qsort(names, nn, sizeof *names, cmp_str);
    for (size_t i = 0; i < nn; i++) {
        char path[1024], why[600] = "";
        snprintf(path, sizeof path, "%s/%s", root, names[i]);
        int rc = run_case(path, why, sizeof why);
        if (rc == R_PASS) {
            (*pass)++;
        } else if (rc == R_SKIP) {
            (*skipped)++;
            count_reason(why);
        } else {
            (*failed)++;
            print_error("  FAIL %s/%s: %s\n", sub, names[i], why);
        }
        free(names[i]);
    }
    free(names);
}

static void test_onnx_backend_data(void **state)
{
    (void)state;
    if (!exists(DATA "/node")) {
        print_message("libonnx-testdata is not installed (%s missing): skipping\n", DATA);
        skip();
    }
    int np = 0, ns = 0, nf = 0, pp = 0, ps = 0, pf = 0;
    run_dir("node", &np, &ns, &nf);
    run_dir("pytorch-converted", &pp, &ps, &pf);
    print_message("onnx node: %d matched, %d skipped, %d failed\n", np, ns, nf);
    print_message("onnx pytorch-converted: %d matched, %d skipped, %d failed\n", pp, ps, pf);
    print_message("skips by reason:\n");
    for (int k = 0; k < nreasons; k++)
        print_message("  %4d  %s\n", reasons[k].count, reasons[k].text);
    assert_int_equal(nf + pf, 0);
    /* the supported operators cover at least this many cases */
    assert_true(np >= MIN_NODE);
    assert_true(pp >= MIN_PYTORCH);
}

static void test_onnx_bad_files(void **state)
{
    (void)state;
    const char *model = DATA "/pytorch-converted/test_Conv2d_dilated/model.onnx";
    if (!exists(model))
        skip();
    unsigned char *buf = NULL;
    size_t len = 0;
    cc_error err;
    assert_int_equal(cc_file_read(model, CC_FILE_MAX, &buf, &len, NULL, &err), 0);
    cc_net *net = NULL;
    /* every truncation is an error with a byte offset, never a crash */
    int with_offset = 0;
    for (size_t cut = 0; cut < len; cut += len / 97 + 1) {
        int rc = cc_onnx_load_buffer(&net, buf, cut, "m.onnx", NULL, 0, NULL, &err);
        assert_true(rc < 0);
        assert_null(net);
        with_offset += strstr(err.msg, "at byte ") != NULL;
    }
    assert_true(with_offset > 80);
    /* a flipped wire type in the middle */
    unsigned char *bad = malloc(len);
    memcpy(bad, buf, len);
    assert_int_equal(cc_onnx_load_buffer(&net, bad, len, "m.onnx", NULL, 0, NULL, &err), 0);
    cc_net_free(net);
    bad[0] = 0x0f; /* field 1, wire type 7 */
    assert_int_equal(cc_onnx_load_buffer(&net, bad, len, "m.onnx", NULL, 0, NULL, &err),
                     CC_EINVAL);
    assert_non_null(strstr(err.msg, "at byte 0"));
    free(bad);
    free(buf);
}

static void test_onnx_unsupported_named(void **state)
{
    (void)state;
    const char *model = DATA "/node/test_lrn/model.onnx";
    if (!exists(model))
        skip();
    cc_net *net = NULL;
    cc_error err;
    int rc = cc_onnx_load(&net, model, NULL, &err);
    assert_int_equal(rc, CC_EINVAL);
    assert_non_null(strstr(err.msg, "operator LRN is not supported"));
    assert_non_null(strstr(err.msg, "node 1"));
    assert_non_null(strstr(err.msg, "opset "));
    assert_string_equal(err.source, model);
}

/* A network exported by torch.onnx.export (tests/golden/gen_onnx_graph.py:
 * residual add, squeeze-excitation, concat, BatchNorm, ConvTranspose2d, a
 * Shape/Gather/Unsqueeze/Concat flatten at opset 13) against PyTorch's own
 * output, the whole batch and its first sample alone. */
static void test_onnx_torch_graph(void **state)
{
    (void)state;
    float *x, *y;
    long xd[CC_ONNX_MAX_DIMS], yd[CC_ONNX_MAX_DIMS];
    int xn, yn;
    cc_error err;
    assert_int_equal(cc_onnx_tensor_read("tests/data/onnx/graph-in.pb", &x, xd, &xn, &err), 0);
    assert_int_equal(cc_onnx_tensor_read("tests/data/onnx/graph-out.pb", &y, yd, &yn, &err), 0);
    assert_int_equal(xn, 4);
    assert_int_equal(yn, 2);
    static const char *const files[] = {"tests/data/onnx/graph-opset9.onnx",
                                        "tests/data/onnx/graph-opset11.onnx",
                                        "tests/data/onnx/graph-opset13.onnx"};
    for (int f = 0; f < 3; f++) {
        cc_net *net;
        cc_onnx_info info;
        if (cc_onnx_load(&net, files[f], &info, &err))
            fail_msg("%s: %s", files[f], err.msg);
        assert_int_equal(info.opset, f == 0 ? 9 : f == 1 ? 11 : 13);
        assert_int_equal(info.in_rank, 4);
        assert_int_equal(info.in_dims[1], 3);
        assert_int_equal(cc_net_classes(net), 10);
        for (long B = xd[0]; B >= 1; B -= xd[0] - 1) {
            float o[64];
            assert_int_equal(cc_net_forward(net, x, B, &err), 0);
            assert_int_equal(cc_net_final_output(net, o, &err), 0);
            for (long k = 0; k < B * 10; k++)
                if (!(fabs((double)o[k] - y[k]) <= ATOL + RTOL * fabs((double)y[k])))
                    fail_msg("%s batch %ld element %ld: %.8g, PyTorch %.8g", files[f], B, k,
                             (double)o[k], (double)y[k]);
        }
        cc_net_free(net);
    }
    free(x);
    free(y);
}

/* A dense block whose last Concat joins 41 tensors, as exported DenseNets'
 * do: loads, and computes what PyTorch computed. */
static void test_onnx_wide_concat(void **state)
{
    (void)state;
    float *x, *y;
    long xd[CC_ONNX_MAX_DIMS], yd[CC_ONNX_MAX_DIMS];
    int xn, yn;
    cc_error err;
    assert_int_equal(cc_onnx_tensor_read("tests/data/onnx/dense-in.pb", &x, xd, &xn, &err), 0);
    assert_int_equal(cc_onnx_tensor_read("tests/data/onnx/dense-out.pb", &y, yd, &yn, &err), 0);
    cc_net *net;
    cc_onnx_info info;
    if (cc_onnx_load(&net, "tests/data/onnx/dense-opset13.onnx", &info, &err))
        fail_msg("dense-opset13.onnx: %s", err.msg);
    float o[2 * 10];
    assert_int_equal(yd[0] * yd[1], 2 * 10);
    assert_int_equal(cc_net_forward(net, x, xd[0], &err), 0);
    assert_int_equal(cc_net_final_output(net, o, &err), 0);
    for (long k = 0; k < 2 * 10; k++)
        if (!(fabs((double)o[k] - y[k]) <= ATOL + RTOL * fabs((double)y[k])))
            fail_msg("element %ld: %.8g, PyTorch %.8g", k, (double)o[k], (double)y[k]);
    cc_net_free(net);
    free(x);
    free(y);
}

/* Nearest nn.Upsample by 2 and 3 (Upsample at opset 9, Resize at 11, 13). */
static void test_onnx_torch_upsample(void **state)
{
    (void)state;
    float *x, *y, *o;
    long xd[CC_ONNX_MAX_DIMS], yd[CC_ONNX_MAX_DIMS];
    int xn, yn;
    cc_error err;
    assert_int_equal(cc_onnx_tensor_read("tests/data/onnx/upsample-in.pb", &x, xd, &xn, &err),
                     0);
    assert_int_equal(cc_onnx_tensor_read("tests/data/onnx/upsample-out.pb", &y, yd, &yn, &err),
                     0);
    o = malloc((size_t)(yd[0] * yd[1]) * sizeof(float));
    static const int opsets[3] = {9, 11, 13};
    for (int f = 0; f < 3; f++) {
        char path[64];
        snprintf(path, sizeof path, "tests/data/onnx/upsample-opset%d.onnx", opsets[f]);
        cc_net *net;
        if (cc_onnx_load(&net, path, NULL, &err))
            fail_msg("%s: %s", path, err.msg);
        assert_int_equal(cc_net_forward(net, x, xd[0], &err), 0);
        assert_int_equal(cc_net_final_output(net, o, &err), 0);
        for (long k = 0; k < yd[0] * yd[1]; k++)
            assert_true(fabs((double)o[k] - y[k]) <= ATOL + RTOL * fabs((double)y[k]));
        cc_net_free(net);
    }
    free(o);
    free(x);
    free(y);
}

/* The graph seen as a layer stack (cc_net_to_stack, what params --format
 * svg draws): one stack layer per engine layer that is not a constant,
 * with its shape and parameters, plus a branch (one-source concat) before
 * a layer that reads an output other than the one before it; every input
 * of every engine layer is then the stack layer before or one that the
 * stack layer names (.from, .sources). */
static void test_onnx_net_to_stack(void **state)
{
    (void)state;
    cc_error err;
    cc_net *net;
    cc_stack *s;
    if (cc_onnx_load(&net, "tests/data/onnx/graph-opset13.onnx", NULL, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(cc_net_to_stack(&s, net, &err), 0);
    assert_int_equal(s->shapes, CC_SHAPES_SEQUENTIAL);
    size_t n = cc_net_layer_count(net), at[128], k = 0, branches = 0;
    assert_true(n < 128);
    int64_t params = 0;
    cc_net_layer_info li;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(cc_net_layer(net, i, &li, &err), 0);
        if (li.desc->op == CC_OP_CONST) {
            at[i] = (size_t)-1;
            continue;
        }
        assert_true(k < s->n);
        if (s->layers[k].kind == CC_LAYER_CONCAT && s->layers[k].n_sources == 1 &&
            li.desc->op != CC_OP_CONCAT)
            k++, branches++; /* the branch before layer i */
        assert_true(k < s->n);
        const cc_layer *l = &s->layers[k];
        at[i] = k;
        assert_int_equal(l->out.c, li.out_c);
        if (li.rank == 4) {
            assert_int_equal(l->out.rank, 3);
            assert_int_equal(l->out.h, li.out_h);
            assert_int_equal(l->out.w, li.out_w);
        }
        assert_int_equal(l->counts.params, li.params);
        params += l->counts.params;
        for (int j = 0; j < li.nin; j++) {
            if (li.in[j] >= 0 && at[li.in[j]] == (size_t)-1)
                continue; /* a constant operand */
            long want = li.in[j] < 0 ? CC_FROM_INPUT : (long)at[li.in[j]];
            long prev = k > 0 ? (long)k - 1 : CC_FROM_INPUT;
            const cc_layer *p = k > 0 ? &s->layers[k - 1] : NULL;
            int found = want == prev || ((l->kind == CC_LAYER_ADD || l->kind == CC_LAYER_MUL) &&
                                         l->from == want);
            for (int q = 0; q < l->n_sources; q++)
                found |= l->kind == CC_LAYER_CONCAT && l->sources[q] == want;
            /* a branch before it reads the input */
            found |= p && p->kind == CC_LAYER_CONCAT && p->n_sources == 1 &&
                     p->sources[0] == want && !(l->kind == CC_LAYER_CONCAT);
            if (!found)
                fail_msg("engine layer %zu (%s) input %ld is not an edge of stack layer %zu", i,
                         cc_op_name(li.desc->op), li.in[j], k);
        }
        k++;
    }
    assert_int_equal(k, s->n);
    assert_true(branches >= 1);
    assert_int_equal(params, cc_net_num_params(net));
    cc_stack_free(s);
    cc_net_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_onnx_backend_data),
        cmocka_unit_test(test_onnx_bad_files),
        cmocka_unit_test(test_onnx_unsupported_named),
        cmocka_unit_test(test_onnx_torch_graph),
        cmocka_unit_test(test_onnx_torch_upsample),
        cmocka_unit_test(test_onnx_wide_concat),
        cmocka_unit_test(test_onnx_net_to_stack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
