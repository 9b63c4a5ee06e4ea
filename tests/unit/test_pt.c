/* test_pt.c - PyTorch state_dicts and input tensors against what PyTorch
 * and NumPy wrote (tests/golden/gen_fmnist_pt.py, outputs committed in
 * tests/data/pt): the .pt and safetensors readers give the same tensors,
 * float64/float16 and strided views convert to the values NumPy saved, the
 * network joined to the weights reproduces PyTorch's logits, and its
 * accuracy on the whole Fashion-MNIST test set is the count PyTorch
 * recorded; the restricted pickle reader refuses what it must, by name and
 * byte offset; the joining names missing, unexpected and misshapen keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convcalc/data.h"
#include "convcalc/io.h"
#include "convcalc/net.h"
#include "convcalc/onnx.h"
#include "convcalc/stack.h"
#include "convcalc/tensorfile.h"
#include "convcalc/train.h"
#include "convcalc/weights.h"
#include "engine/pickle.h"

#define D "tests/data/pt/"

static cc_tensor_file npy(const char *path)
{
    cc_tensor_file t;
    cc_error err;
    cc_error_clear(&err);
    int rc = cc_tensor_file_load(&t, path, &err);
    if (rc)
        fail_msg("%s: %s", path, err.msg);
    return t;
}

static void near(const float *got, const float *want, size_t n, double rtol, double atol)
{
    for (size_t i = 0; i < n; i++)
        if (!(fabs((double)got[i] - want[i]) <= atol + rtol * fabs((double)want[i])))
            fail_msg("value %zu: %.9g, expected %.9g", i, got[i], want[i]);
}

static void test_pt_matches_safetensors(void **state)
{
    (void)state;
    cc_safetensors *a, *b;
    cc_error err;
    assert_int_equal(cc_state_dict_load(&a, D "fmnist-bn.pt", &err), 0);
    assert_int_equal(cc_state_dict_load(&b, D "fmnist-bn.safetensors", &err), 0);
    assert_int_equal(a->n, 23); /* 2 conv + 2 linear (w, b) + 3 BN x 5 */
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const cc_st_tensor *x = &a->tensors[i], *y = cc_st_find(b, x->name);
        assert_non_null(y);
        assert_string_equal(x->dtype, y->dtype);
        assert_int_equal(x->ndim, y->ndim);
        for (int d = 0; d < x->ndim; d++)
            assert_int_equal(x->shape[d], y->shape[d]);
        assert_memory_equal(x->data, y->data, x->count * sizeof(float));
    }
    const cc_st_tensor *t = cc_st_find(a, "features.1.num_batches_tracked");
    assert_non_null(t);
    assert_string_equal(t->dtype, "I64");
    assert_int_equal(t->ndim, 0);
    assert_int_equal((int)t->data[0], (20000 + 63) / 64); /* one step per batch */
    cc_st_free(a);
    cc_st_free(b);
}

static void test_dtypes_and_views(void **state)
{
    (void)state;
    cc_tensor_file w = npy(D "tiny-lin-weight.npy"), v = npy(D "tiny-views-ref.npy");
    cc_safetensors *sd;
    cc_error err;
    assert_int_equal(cc_state_dict_load(&sd, D "tiny-f64.pt", &err), 0);
    assert_string_equal(cc_st_find(sd, "weight")->dtype, "F64");
    near(cc_st_find(sd, "weight")->data, w.data, w.count, 1e-7, 0);
    cc_st_free(sd);
    assert_int_equal(cc_state_dict_load(&sd, D "tiny-f16.pt", &err), 0);
    assert_string_equal(cc_st_find(sd, "weight")->dtype, "F16");
    near(cc_st_find(sd, "weight")->data, w.data, w.count, 1e-3, 1e-4);
    cc_st_free(sd);
    /* slices and a transpose of one shared storage, gathered row-major */
    assert_int_equal(cc_state_dict_load(&sd, D "tiny-views.pt", &err), 0);
    assert_int_equal(sd->n, 3);
    size_t at = 0;
    for (size_t i = 0; i < sd->n; i++) {
        near(sd->tensors[i].data, v.data + at, sd->tensors[i].count, 0, 0);
        at += sd->tensors[i].count;
    }
    assert_int_equal(at, v.count);
    assert_int_equal(cc_st_find(sd, "b")->shape[0], 6);
    cc_st_free(sd);
    cc_tensor_file_clear(&w);
    cc_tensor_file_clear(&v);
}

static void test_refusals(void **state)
{
    (void)state;
    cc_safetensors *sd;
    cc_error err;
    assert_int_equal(cc_state_dict_load(&sd, D "tiny-legacy.pt", &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "legacy"));
    assert_string_equal(err.source, D "tiny-legacy.pt");
    /* a whole module: its class is a global that is not allowed */
    assert_int_equal(cc_state_dict_load(&sd, D "tiny-module.pt", &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "torch.nn.modules.linear.Linear"));
    assert_non_null(strstr(err.msg, "at byte "));
    /* a truncated archive */
    unsigned char *buf;
    size_t len;
    assert_int_equal(cc_file_read(D "fmnist-bn.pt", CC_FILE_MAX, &buf, &len, NULL, &err), 0);
    assert_int_equal(cc_pt_parse(&sd, buf, len - 100, &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "at byte"));
    assert_non_null(strstr(err.msg, "truncated"));
    free(buf);
}

/* Run the pickle reader on bytes; returns its status, message in err. */
static int pickle(const char *bytes, size_t n, cc_error *err)
{
    pk_tensor *t = NULL;
    size_t nt;
    int rc = pk_state_dict(&t, &nt, (const unsigned char *)bytes, n, "x/data.pkl", err);
    free(t);
    return rc;
}

static void test_pickle_opcodes(void **state)
{
    (void)state;
    cc_error err;
    /* {} is read (an empty state_dict) */
    assert_int_equal(pickle("\x80\x02}q\x00.", 6, &err), 0);
    /* os.system: a global outside the allowed set */
    assert_int_equal(pickle("\x80\x02" "cos\nsystem\n.", 13, &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "at byte 2 of x/data.pkl"));
    assert_non_null(strstr(err.msg, "os.system"));
    /* opcodes torch.save never writes for a state_dict, named */
    assert_int_equal(pickle("\x80\x02]q\x00.", 6, &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "EMPTY_LIST"));
    assert_int_equal(pickle("\x80\x02}\x8c\x01" "a\x81.", 8, &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "NEWOBJ"));
    assert_non_null(strstr(err.msg, "at byte 6"));
    assert_int_equal(pickle("\x80\x02(i__main__\nX\n.", 16, &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "INST"));
    /* truncated inside a string, memo entries never stored, no STOP */
    assert_int_equal(pickle("\x80\x02X\x10\x00\x00\x00" "ab", 9, &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "truncated"));
    assert_int_equal(pickle("\x80\x02h\x05.", 5, &err), CC_EINVAL);
    assert_int_equal(pickle("\x80\x02r\xff\xff\xff\xff.", 8, &err), CC_EINVAL);
    assert_int_equal(pickle("\x80\x02}", 3, &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "without STOP"));
    /* a dict entry that is not a tensor */
    assert_int_equal(pickle("\x80\x02}X\x01\x00\x00\x00" "aK\x01s.", 13, &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "'a' is not a tensor"));
    /* REDUCE of a storage type */
    assert_int_equal(pickle("\x80\x02" "ctorch\nFloatStorage\n)R.", 24, &err), CC_EINVAL);
}

static cc_net *fmnist_net(const char *weights)
{
    cc_net *net;
    cc_error err;
    cc_error_clear(&err);
    int rc = cc_pt_net_load(&net, NULL, D "fmnist-bn.repr", weights, 1, 28, 28, &err);
    if (rc)
        fail_msg("%s: %s", err.source, err.msg);
    return net;
}

static void test_reference_outputs(void **state)
{
    (void)state;
    cc_tensor_file x = npy(D "ref-input.npy"), y = npy(D "ref-output.npy");
    const char *files[2] = {D "fmnist-bn.pt", D "fmnist-bn.safetensors"};
    for (int f = 0; f < 2; f++) {
        cc_net *net = fmnist_net(files[f]);
        cc_error err;
        assert_int_equal(cc_net_forward(net, x.data, 8, &err), 0);
        long n, k;
        const float *out = cc_net_output(net, &n, &k);
        assert_int_equal(n, 8);
        assert_int_equal(k, 10);
        near(out, y.data, y.count, 1e-4, 1e-5);
        cc_net_free(net);
    }
    /* a PNG through ToTensor and Normalize gives PyTorch's logits too */
    cc_tensor_file img, ref = npy(D "img0-output.npy"), pgm;
    cc_error err;
    assert_int_equal(cc_tensor_file_load(&img, D "img0.png", &err), 0);
    assert_int_equal(cc_tensor_file_load(&pgm, D "img0.pgm", &err), 0);
    assert_int_equal(img.count, 784);
    assert_memory_equal(img.data, pgm.data, 784 * sizeof(float));
    for (size_t i = 0; i < img.count; i++)
        img.data[i] = (img.data[i] / 255.0f - 0.286f) / 0.353f;
    cc_net *net = fmnist_net(files[0]);
    assert_int_equal(cc_net_forward(net, img.data, 1, &err), 0);
    long n, k;
    near(cc_net_output(net, &n, &k), ref.data, 10, 1e-4, 1e-5);
    cc_net_free(net);
    cc_tensor_file_clear(&img);
    cc_tensor_file_clear(&pgm);
    cc_tensor_file_clear(&ref);
    cc_tensor_file_clear(&x);
    cc_tensor_file_clear(&y);
}

/* "key value" lines of fmnist-bn-ref.txt */
static double ref_value(const char *key)
{
    FILE *f = fopen(D "fmnist-bn-ref.txt", "r");
    assert_non_null(f);
    char line[256], k[64];
    double v = NAN, x;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%63s %lf", k, &x) == 2 && strcmp(k, key) == 0)
            v = x;
    fclose(f);
    assert_false(isnan(v));
    return v;
}

/* The whole test split through net: PyTorch's correct count and loss. */
static void check_test_accuracy(cc_net *net)
{
    cc_data *d;
    cc_error err;
    assert_int_equal(cc_data_load(&d, "fashion-mnist", &err), 0);
    cc_data_limit(d, 1, 0);
    float mean = (float)ref_value("mean"), std = (float)ref_value("std");
    cc_results res;
    assert_int_equal(cc_net_evaluate_data(net, d, &mean, &std, 1, 500, 1u << CC_SPLIT_TEST, &res,
                                          NULL, &err),
                     0);
    assert_int_equal(res.n[CC_SPLIT_TEST], (size_t)ref_value("test_images"));
    assert_int_equal(res.have[CC_SPLIT_TRAIN], 0);
    long correct = lround(res.accuracy[CC_SPLIT_TEST] * (double)res.n[CC_SPLIT_TEST]);
    assert_int_equal(correct, (long)ref_value("test_correct"));
    assert_true(fabs(res.loss[CC_SPLIT_TEST] - ref_value("test_loss")) < 1e-4);
    cc_data_free(d);
}

static void test_test_accuracy_equals_pytorch(void **state)
{
    (void)state;
    if (access(CC_FASHION_MNIST_DIR "/t10k-images-idx3-ubyte.gz", R_OK) != 0) {
        print_message("skipped: no %s\n", CC_FASHION_MNIST_DIR);
        return;
    }
    cc_net *net = fmnist_net(D "fmnist-bn.pt");
    check_test_accuracy(net);
    cc_net_free(net);
    /* the same model exported to ONNX by torch.onnx.export */
    cc_error err;
    assert_int_equal(cc_onnx_load(&net, D "fmnist-bn.onnx", NULL, &err), 0);
    check_test_accuracy(net);
    cc_net_free(net);
}

/* The TensorProto input is the .npy input. */
static void test_tensor_proto(void **state)
{
    (void)state;
    cc_tensor_file a = npy(D "ref-input.npy"), b = npy(D "ref-input.pb");
    assert_int_equal(b.ndim, 4);
    assert_int_equal(a.count, b.count);
    assert_memory_equal(a.data, b.data, a.count * sizeof(float));
    cc_tensor_file_clear(&a);
    cc_tensor_file_clear(&b);
}

static void test_join_names_problems(void **state)
{
    (void)state;
    cc_safetensors *sd;
    cc_error err;
    assert_int_equal(cc_state_dict_load(&sd, D "fmnist-bn.pt", &err), 0);
    /* a spec with other names and a wider first conv */
    const char *spec = "input 28x28x1\nfeatures.0: conv 9 3x3 pad 1\nfeatures.1: batchnorm\n"
                       "relu\nmaxpool 2\nconv1: conv 16 3x3 pad 1\nmaxpool 2\nflatten\n"
                       "linear 10\n";
    cc_stack *s;
    cc_net *net;
    assert_int_equal(cc_stack_parse_spec(&s, spec, strlen(spec), &err), 0);
    assert_int_equal(cc_stack_infer(s, &err), 0);
    assert_int_equal(cc_net_from_stack(&net, s, 1, &err), 0);
    assert_int_equal(cc_net_load_state_dict(net, sd, &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "missing keys (4): conv1.weight, conv1.bias"));
    assert_non_null(strstr(err.msg, "unexpected keys"));
    assert_non_null(strstr(err.msg, "features.4.weight"));
    assert_non_null(strstr(err.msg, "features.0.weight (the file has [8, 1, 3, 3], the "
                                    "structure needs [9, 1, 3, 3])"));
    /* num_batches_tracked of features.1 is not unexpected; of features.5 it is */
    assert_null(strstr(err.msg, "features.1.num_batches_tracked"));
    cc_net_free(net);
    cc_stack_free(s);
    /* an integer tensor where a weight belongs */
    cc_safetensors *ints;
    assert_int_equal(cc_state_dict_load(&ints, D "tiny-int.pt", &err), 0);
    assert_string_equal(ints->tensors[0].dtype, "I32");
    cc_layer_desc lin = CC_LINEAR(2);
    lin.no_bias = 1;
    assert_int_equal(cc_net_new(&net, &lin, 1, 3, 0, 0, 1, &err), 0);
    free(ints->tensors[0].name);
    ints->tensors[0].name = strdup("0.weight");
    assert_int_equal(cc_net_load_state_dict(net, ints, &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "0.weight (I32)"));
    /* a float copy of it loads */
    memcpy(ints->tensors[0].dtype, "F32", 4);
    assert_int_equal(cc_net_load_state_dict(net, ints, &err), 0);
    cc_net_tensor t;
    assert_int_equal(cc_net_find(net, "0.weight", &t, &err), 0);
    assert_true(t.data[5] == 5.0f);
    cc_st_free(sd);
    cc_net_free(net);
    cc_st_free(ints);
}

static void test_npy(void **state)
{
    (void)state;
    cc_tensor_file f4 = npy(D "arr-f4.npy"), f8 = npy(D "arr-f8.npy"), u1 = npy(D "arr-u1.npy");
    assert_int_equal(f4.ndim, 2);
    assert_int_equal(f4.shape[0], 2);
    assert_int_equal(f4.shape[1], 3);
    for (int i = 0; i < 6; i++) {
        assert_true(f4.data[i] == (float)i / 4);
        assert_true(f8.data[i] == (float)i / 4);
        assert_true(u1.data[i] == (float)(i * 2));
    }
    cc_tensor_file t;
    cc_error err;
    assert_int_equal(cc_tensor_file_load(&t, D "arr-fortran.npy", &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "fortran_order"));
    assert_int_equal(cc_tensor_file_load(&t, D "arr-i4.npy", &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "'<i4'"));
    /* truncated data, a hostile shape */
    unsigned char *buf;
    size_t len;
    assert_int_equal(cc_file_read(D "arr-f4.npy", CC_FILE_MAX, &buf, &len, NULL, &err), 0);
    assert_int_equal(cc_npy_parse(&t, buf, len - 1, &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "truncated"));
    const char *big = "\x93NUMPY\x01\x00\x40\x00{'descr': '<f4', 'fortran_order': False, "
                      "'shape': (1099511627776, 1099511627776), }";
    assert_int_not_equal(cc_npy_parse(&t, (const unsigned char *)big, strlen(big) + 1, &err), 0);
    free(buf);
    /* images whose size the file cannot hold are refused before allocation */
    const char *pgm = "P5 30000 30000 255\n\001";
    assert_int_equal(cc_pgm_parse(&t, (const unsigned char *)pgm, strlen(pgm), &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "truncated"));
    const char *p2 = "P2 3 1 9 1 2";
    assert_int_equal(cc_pgm_parse(&t, (const unsigned char *)p2, strlen(p2), &err), CC_EINVAL);
    const char *p2ok = "P2 3 1 9 1 2 9";
    assert_int_equal(cc_pgm_parse(&t, (const unsigned char *)p2ok, strlen(p2ok), &err), 0);
    assert_true(t.data[2] == 255.0f && t.data[0] == 255.0f / 9);
    cc_tensor_file_clear(&t);
    cc_tensor_file_clear(&f4);
    cc_tensor_file_clear(&f8);
    cc_tensor_file_clear(&u1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pt_matches_safetensors),
        cmocka_unit_test(test_dtypes_and_views),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_pickle_opcodes),
        cmocka_unit_test(test_reference_outputs),
        cmocka_unit_test(test_test_accuracy_equals_pytorch),
        cmocka_unit_test(test_tensor_proto),
        cmocka_unit_test(test_join_names_problems),
        cmocka_unit_test(test_npy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
