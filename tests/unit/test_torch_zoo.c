/* test_torch_zoo.c - the PyTorch repr reader on every torchvision 0.14
 * classification, segmentation and detection model and on student-style
 * models (tests/data/torch/models.txt.gz, written by
 * tests/golden/gen_torch_zoo.py with PyTorch): total, trainable and buffer
 * counts exactly as PyTorch counts them, and for the models whose forward
 * pass was recorded, the MACs of every module as forward hooks count them
 * and every module's output shape. Models whose repr cannot tell a count
 * (a frozen parameter, a shared module, a bare nn.Parameter) must differ
 * from PyTorch in the one way the repr hides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "convcalc/stack.h"

static char *slurp_gz(const char *path, size_t *len)
{
    gzFile f = gzopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (tests run from the repository root)", path);
    cc_buf b = {0};
    char chunk[65536];
    int n;
    while ((n = gzread(f, chunk, sizeof chunk)) > 0)
        cc_buf_append(&b, chunk, (size_t)n);
    gzclose(f);
    assert_false(cc_buf_failed(&b));
    *len = b.len;
    return b.data;
}

typedef struct model {
    char name[64];
    const char *repr;
    size_t repr_len;
    const char *meta; /* the '#' lines */
    size_t meta_len;
} model;

static long long meta_num(const model *m, const char *key, int *found)
{
    size_t kl = strlen(key);
    const char *p = m->meta, *e = m->meta + m->meta_len;
    while (p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        if (!nl)
            nl = e;
        if ((size_t)(nl - p) > kl + 1 && strncmp(p, key, kl) == 0 && p[kl] == ' ') {
            *found = 1;
            return atoll(p + kl + 1);
        }
        p = nl + 1;
    }
    *found = 0;
    return 0;
}

static int known_shapes(const cc_stack *s)
{
    return s->shapes == CC_SHAPES_SEQUENTIAL || s->shapes == CC_SHAPES_ASSUMED;
}

static int with_macs, hidden_models, unknown_seen, failures, unhooked_checked;

/* Models whose forward pass was recorded but whose shapes convcalc does
 * not follow, each with the reason. Every other recorded model is checked
 * hook by hook; a model listed here whose shapes become known fails the
 * test, so the list only shrinks. */
static const struct {
    const char *name, *why;
} expected_unknown[] = {
    {"student_cifar_resnet", "a custom block class: its forward() is not in the repr"},
    {"student_subclasses", "a custom module class: its forward() is not in the repr"},
    {NULL, NULL},
};

static const char *unknown_reason(const char *name)
{
    for (size_t i = 0; i < sizeof expected_unknown / sizeof expected_unknown[0]; i++)
        if (expected_unknown[i].name && strcmp(expected_unknown[i].name, name) == 0)
            return expected_unknown[i].why;
    return NULL;
}

/* A failed check: said, counted, and the rest of the model skipped (the
 * test fails at the end, after naming every model that is wrong). */
#define BAD(...) do { print_error(__VA_ARGS__); print_error("\n"); failures++; return; } while (0)

static void check_forward(const model *m, const cc_stack *s)
{
    int found;
    long long macs = meta_num(m, "#macs", &found);
    if (!found)
        return;
    const char *why = unknown_reason(m->name);
    if (why) {
        if (known_shapes(s))
            BAD("%s: shapes are known now: remove it from expected_unknown", m->name);
        unknown_seen++;
        return;
    }
    with_macs++;
    if (!known_shapes(s))
        BAD("%s: shapes not known (%s)", m->name, s->shape_note);
    cc_stack_totals t;
    cc_stack_totals_get(s, 0, &t);
    const char *p = m->meta, *e = m->meta + m->meta_len;
    while (p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        char line[256];
        snprintf(line, sizeof line, "%.*s", (int)(nl - p), p);
        p = nl + 1;
        char nm[128];
        long long v;
        long d[3];
        int k;
        if (strncmp(line, "#mac ", 5) == 0 && sscanf(line + 5, "%127s %lld", nm, &v) == 2) {
            long long got = 0;
            for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->layers[i].name, nm) == 0 && s->layers[i].implied < 2)
                    got += s->layers[i].counts.macs;
            if (got != v)
                BAD("%s: %s: MACs %lld, PyTorch's hooks %lld", m->name, nm, got, v);
        } else if (strncmp(line, "#out ", 5) == 0 &&
                   (k = sscanf(line + 5, "%127s %ld %ld %ld", nm, &d[0], &d[1], &d[2])) >= 2) {
            size_t i;
            for (i = 0; i < s->n; i++)
                if (strcmp(s->layers[i].name, nm) == 0 && s->layers[i].implied < 2)
                    break;
            if (i == s->n)
                continue; /* a module the stack has no row for (a container) */
            const cc_shape *o = &s->layers[i].out;
            int ok = k == 4 ? o->rank == 3 && o->c == d[0] && o->h == d[1] && o->w == d[2]
                     : k == 3 ? o->rank == 3 && s->layers[i].out_last && o->h == d[0] &&
                                    o->w == 1 && o->c == d[1] /* tokens x features */
                              : o->rank == 1 && o->c == d[0];
            /* an element-wise layer before a flattening Linear is shown
             * flattened already (convcalc-spec(5)) */
            if (!ok && k == 4 && o->rank == 1 && o->c == d[0] * d[1] * d[2])
                ok = 1;
            if (!ok && !(k == 4 && s->layers[i].out_last && o->h == d[0] && o->w == d[1] &&
                         o->c == d[2]))
                BAD("%s: %s gives %ldx%ldx%ld (rank %d), PyTorch %s", m->name, nm, o->c,
                         o->h, o->w, o->rank, line + 5);
        }
    }
    if (t.macs != macs)
        BAD("%s: MACs %lld, PyTorch's hooks %lld", m->name, (long long)t.macs, macs);
    /* what the hooks miss: PyTorch's count of the linear algebra that
     * forward() does as functions */
    long long unhooked = meta_num(m, "#unhooked", &found);
    if (found && t.unhooked_macs != unhooked)
        BAD("%s: attention MACs hooks miss %lld, PyTorch %lld", m->name,
            (long long)t.unhooked_macs, unhooked);
    unhooked_checked += found;
}

static void check_model(const model *m)
{
    cc_stack *s = NULL;
    cc_error err;
    cc_error_clear(&err);
    assert_int_equal(cc_stack_detect(m->repr, m->repr_len), CC_SOURCE_TORCH);
    if (cc_stack_parse_torch(&s, m->repr, m->repr_len, &err))
        fail_msg("%s: %d:%d: %s", m->name, err.line, err.col, err.msg);
    const char *in = strstr(m->meta, "#input ");
    if (in && in < m->meta + m->meta_len) {
        char size[32];
        cc_shape sh;
        sscanf(in + 7, "%31s", size);
        assert_int_equal(cc_shape_parse(size, &sh, NULL), 0);
        assert_int_equal(cc_stack_set_input(s, sh.rank == 3 ? sh.h : 0, sh.rank == 3 ? sh.w : 0,
                                            sh.c, NULL), 0);
    }
    if (cc_stack_infer(s, &err))
        fail_msg("%s: infer: %d:%d: %s", m->name, err.line, err.col, err.msg);
    cc_stack_totals t;
    cc_stack_totals_get(s, 0, &t);
    int f1, f2, f3;
    long long total = meta_num(m, "#total", &f1), trainable = meta_num(m, "#trainable", &f2),
              buffers = meta_num(m, "#buffers", &f3);
    assert_true(f1 && f2 && f3);
    const char *hid = strstr(m->meta, "#hidden ");
    if (hid && hid < m->meta + m->meta_len) {
        hidden_models++;
        if (strncmp(hid + 8, "frozen", 6) == 0) {
            /* every parameter shows; which are frozen does not */
            assert_int_equal(t.total_params, total);
            assert_true(trainable < total);
            assert_int_equal(t.trainable_params, total);
        } else if (strncmp(hid + 8, "shared", 6) == 0) {
            assert_true(t.total_params > total); /* printed under both names */
        } else {
            assert_true(t.total_params < total); /* the bare parameter does not print */
        }
    } else {
        if (t.total_params != total || t.trainable_params != trainable || t.buffers != buffers)
            fail_msg("%s: %lld/%lld/%lld parameters/trainable/buffers, PyTorch %lld/%lld/%lld",
                     m->name, (long long)t.total_params, (long long)t.trainable_params,
                     (long long)t.buffers, total, trainable, buffers);
    }
    check_forward(m, s);
    cc_stack_free(s);
}

static void test_zoo(void **state)
{
    (void)state;
    size_t len;
    char *all = slurp_gz("tests/data/torch/models.txt.gz", &len);
    int count = 0, students = 0;
    char *p = all, *e = all + len;
    while (p < e) {
        model m;
        memset(&m, 0, sizeof m);
        assert_int_equal(strncmp(p, "#model ", 7), 0);
        sscanf(p + 7, "%63s", m.name);
        m.meta = p;
        while (p < e && *p == '#')
            p = memchr(p, '\n', (size_t)(e - p)) + 1;
        m.meta_len = (size_t)(p - m.meta);
        m.repr = p;
        char *end = strstr(p, "\n#end\n");
        assert_non_null(end);
        m.repr_len = (size_t)(end - p) + 1;
        check_model(&m);
        count++;
        students += strncmp(m.name, "student_", 8) == 0;
        p = end + 6;
    }
    free(all);
    assert_int_equal(failures, 0);
    assert_int_equal(unhooked_checked, with_macs);
    assert_true(count >= 120);
    assert_true(students >= 25);
    assert_true(with_macs + unknown_seen >= 80 + 20); /* every classification model */
    assert_int_equal(unknown_seen, (int)(sizeof expected_unknown / sizeof expected_unknown[0]) - 1);
    assert_int_equal(hidden_models, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zoo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
