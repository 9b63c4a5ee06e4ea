/* test_import_torch_args.c - every module the PyTorch repr reader knows,
 * given 0 to 12 positional arguments of several kinds, and every keyword
 * position: the reader either accepts the module or refuses it with a line
 * and column, and never reads past its argument tables (the sanitizers
 * catch an over-read; MaxPool2d with seven positional arguments once
 * crashed here). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "convcalc/stack.h"
#include "core/import_priv.h"

/* Parses `Sequential((0): <module>)` and checks the outcome's shape. */
static void parse_one(const char *module)
{
    char text[1024];
    int n = snprintf(text, sizeof text, "Sequential(\n  (0): %s\n)\n", module);
    assert_true(n > 0 && (size_t)n < sizeof text);
    cc_stack *s = NULL;
    cc_error err;
    cc_error_clear(&err);
    int rc = cc_stack_parse_torch(&s, text, (size_t)n, &err);
    if (rc == 0) {
        assert_non_null(s);
        cc_stack_free(s);
        return;
    }
    assert_true(rc < 0);
    assert_null(s);
    if (err.line < 1 || err.col < 1 || !err.msg[0])
        fail_msg("%s: refused without a position or message (%d:%d '%s')", module,
                 err.line, err.col, err.msg);
}

static void test_positional_counts(void **state)
{
    (void)state;
    static const char *const values[] = {"1", "2", "(2, 2)", "True", "None", "0.5"};
    size_t modules = 0;
    for (size_t m = 0; cc_torch_known_module(m); m++, modules++) {
        const char *type = cc_torch_known_module(m);
        for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
            for (int count = 0; count <= 12; count++) {
                char mod[512];
                size_t len = (size_t)snprintf(mod, sizeof mod, "%s(", type);
                for (int i = 0; i < count; i++)
                    len += (size_t)snprintf(mod + len, sizeof mod - len, "%s%s",
                                            i ? ", " : "", values[v]);
                snprintf(mod + len, sizeof mod - len, ")");
                parse_one(mod);
            }
        }
    }
    assert_true(modules >= 20);
}

/* The crash inputs of the fuzz campaign, by name: refused with a position. */
static void test_seven_pool_arguments(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "MaxPool2d(2, 2, 0, 1, False, False, 1)",
        "AvgPool2d(2, 2, 0, False, True, None, 1)",
        "MaxPool2d(2, 2, 0, 1, False, False, 1, 1)",
        "Conv2d(3, 8, 3, 1, 1, 1, 1, True, 'zeros', 1, 1)",
        "Linear(4, 2, True, 1)",
        "Softmax(1, 2)",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char text[256];
        int n = snprintf(text, sizeof text, "Sequential(\n  (0): %s\n)\n", inputs[i]);
        cc_stack *s = NULL;
        cc_error err;
        cc_error_clear(&err);
        assert_int_equal(cc_stack_parse_torch(&s, text, (size_t)n, &err), CC_EINVAL);
        assert_int_equal(err.line, 2);
        assert_true(err.col > 1);
        assert_non_null(strstr(err.msg, "positional"));
    }
}

/* Every keyword after every prefix of positionals. */
static void test_keywords_after_positionals(void **state)
{
    (void)state;
    static const char *const keys[] = {"kernel_size", "stride", "padding", "dilation",
                                       "ceil_mode", "bias", "inplace", "dim", "p",
                                       "eps", "momentum", "affine", "nonsense"};
    for (size_t m = 0; cc_torch_known_module(m); m++)
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            for (int count = 0; count <= 8; count++) {
                char mod[512];
                size_t len = (size_t)snprintf(mod, sizeof mod, "%s(",
                                              cc_torch_known_module(m));
                for (int i = 0; i < count; i++)
                    len += (size_t)snprintf(mod + len, sizeof mod - len, "2, ");
                snprintf(mod + len, sizeof mod - len, "%s=1)", keys[k]);
                parse_one(mod);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_positional_counts),
        cmocka_unit_test(test_seven_pool_arguments),
        cmocka_unit_test(test_keywords_after_positionals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
