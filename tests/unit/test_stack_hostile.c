/* test_stack_hostile.c - the three readers, inference and the report on
 * broken input: every prefix of a valid spec, PyTorch repr and darknet cfg,
 * and deterministic byte mutations of them. Each must either succeed or
 * fail with an error that has a message and (for text errors) a line, and
 * never crash or leak (the test runs under ASan/UBSan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/report.h"
#include "convcalc/stack.h"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    cc_buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        cc_buf_append(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return b.data;
}

static int successes;

static void run_one(const char *text, size_t len, cc_stack_source from, long h, long w, long c)
{
    cc_stack *s = NULL;
    cc_error err;
    cc_error_clear(&err);
    int rc = cc_stack_parse(&s, text, len, from, &err);
    if (rc) {
        assert_true(rc < 0);
        assert_null(s);
        assert_true(err.msg[0] != '\0');
        return;
    }
    assert_non_null(s);
    /* a stack without its own input size gets one (a PyTorch repr never has
     * one) */
    if (s->input.rank == 0)
        assert_int_equal(cc_stack_set_input(s, h, w, c, NULL), 0);
    rc = cc_stack_infer(s, &err);
    if (rc == 0) {
        successes++;
        cc_report_options o;
        cc_report_options_init(&o);
        for (int f = CC_FORMAT_TEXT; f <= CC_FORMAT_JSON; f++) {
            cc_buf b = {0};
            o.format = (cc_format)f;
            assert_int_equal(cc_report_stack(&b, s, &o, NULL), 0);
            cc_buf_free(&b);
        }
        cc_buf b = {0};
        int spec_free = 0;
        for (size_t i = 0; i < s->n; i++)
            spec_free |= s->layers[i].kind == CC_LAYER_MODULE || s->layers[i].kind == CC_LAYER_MUL;
        if (spec_free) {
            /* PyTorch modules the spec language has no word for */
            assert_int_equal(cc_stack_to_spec(&b, s), CC_EINVAL);
            cc_buf_free(&b);
            cc_stack_free(s);
            return;
        }
        assert_int_equal(cc_stack_to_spec(&b, s), 0);
        cc_stack *t = NULL;
        /* what to_spec writes always reads back */
        cc_error e2;
        cc_error_clear(&e2);
        if (cc_stack_parse_spec(&t, b.data ? b.data : "", b.len, &e2))
            fail_msg("to_spec output does not parse: %d:%d: %s\n%s", e2.line, e2.col, e2.msg,
                     cc_buf_str(&b));
        cc_stack_free(t);
        cc_buf_free(&b);
    } else {
        assert_true(rc < 0);
        assert_true(err.msg[0] != '\0');
    }
    cc_stack_free(s);
}

static void torture(const char *path, cc_stack_source from, long h, long w, long c)
{
    size_t len;
    char *text = slurp(path, &len);
    /* every prefix */
    for (size_t n = 0; n <= len; n++)
        run_one(text, n, from, h, w, c);
    /* mutations: a deterministic LCG picks positions and bytes */
    static const char bytes[] = "()[]{}:=,-0123456789x#\n \t\0\xff";
    uint32_t state = 12345;
    char *m = malloc(len + 1);
    assert_non_null(m);
    for (int k = 0; k < 400; k++) {
        memcpy(m, text, len);
        for (int j = 0; j < 1 + k % 3; j++) {
            state = state * 1103515245u + 12345u;
            size_t pos = (state >> 8) % (len ? len : 1);
            state = state * 1103515245u + 12345u;
            m[pos] = bytes[(state >> 8) % (sizeof bytes - 1)];
        }
        run_one(m, len, from, h, w, c);
    }
    free(m);
    free(text);
}

static void test_spec(void **state)
{
    (void)state;
    successes = 0;
    torture("exercises/resnet_block.spec", CC_SOURCE_AUTO, 9, 7, 2);
    assert_true(successes > 10);
}

static void test_torch(void **state)
{
    (void)state;
    successes = 0;
    torture("tests/data/torch/zoo.txt", CC_SOURCE_TORCH, 17, 21, 3);
    assert_true(successes > 10);
    successes = 0;
    torture("tests/data/torch/modules.txt", CC_SOURCE_TORCH, 9, 7, 3);
    assert_true(successes > 10);
}

static void test_darknet(void **state)
{
    (void)state;
    successes = 0;
    torture("tests/data/darknet/resnet_tiny.cfg", CC_SOURCE_DARKNET, 9, 7, 2);
    assert_true(successes > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec),
        cmocka_unit_test(test_torch),
        cmocka_unit_test(test_darknet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
