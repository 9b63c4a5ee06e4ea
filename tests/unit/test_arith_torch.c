/* test_arith_torch.c - cc_conv_out, cc_pool_out (ceil_mode) and
 * cc_tconv_out against the sizes PyTorch 1.13 produced for 7200 layer
 * settings (tests/golden/shapes.txt, made by tests/golden/gen_shapes.py;
 * the test needs only the text file). Also the solver: for every case
 * torch accepted, solving for each quantity must list the value used. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "convcalc/arith.h"

static void test_sizes_match_torch(void **state)
{
    (void)state;
    FILE *f = fopen("tests/golden/shapes.txt", "r");
    assert_non_null(f);
    char line[256], kind[16];
    long n = 0, refused = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        long i, k, s, pb, pe, d, op, want, got = -1;
        assert_int_equal(sscanf(line, "%15s %ld %ld %ld %ld %ld %ld %ld %ld", kind, &i, &k, &s,
                                &pb, &pe, &d, &op, &want), 9);
        int rc;
        cc_shape_query q;
        cc_shape_kind sk;
        if (strcmp(kind, "conv") == 0) {
            rc = cc_conv_out(&got, i, k, s, pb, pe, d, NULL);
            sk = CC_SHAPE_CONV;
        } else if (strcmp(kind, "pool") == 0 || strcmp(kind, "poolceil") == 0) {
            rc = cc_pool_out(&got, i, k, s, pb, pe, d, kind[4] == 'c', NULL);
            sk = CC_SHAPE_POOL;
        } else {
            assert_string_equal(kind, "tconv");
            rc = cc_tconv_out(&got, i, k, s, pb, pe, d, op, NULL);
            sk = CC_SHAPE_TCONV;
        }
        if ((rc == 0 ? got : -1) != want)
            fail_msg("%s i=%ld k=%ld s=%ld p=%ld,%ld d=%ld op=%ld: torch %ld, convcalc %ld (rc %d)",
                     kind, i, k, s, pb, pe, d, op, want, rc == 0 ? got : -1, rc);
        n++;
        if (want < 0) {
            refused++;
            continue;
        }
        /* the solver recovers each quantity */
        static const cc_shape_var vars[] = {CC_VAR_INPUT, CC_VAR_KERNEL, CC_VAR_STRIDE,
                                            CC_VAR_DILATION, CC_VAR_OUTPUT};
        for (size_t v = 0; v < sizeof vars / sizeof vars[0]; v++) {
            cc_shape_query_init(&q, sk);
            q.ceil_mode = strcmp(kind, "poolceil") == 0;
            q.unknown = vars[v];
            q.dim[0] = (cc_shape_dim){i, k, s, d, pb, pe, want, op};
            cc_shape_answer a;
            cc_shape_answer_init(&a);
            assert_int_equal(cc_shape_solve(&a, &q, NULL), 0);
            long x = vars[v] == CC_VAR_INPUT ? i : vars[v] == CC_VAR_KERNEL ? k
                   : vars[v] == CC_VAR_STRIDE ? s : vars[v] == CC_VAR_DILATION ? d : want;
            const cc_shape_dim_answer *da = &a.dim[0];
            if (!da->found || x < da->lo || (x > da->hi && !da->unbounded))
                fail_msg("%s i=%ld k=%ld s=%ld p=%ld,%ld d=%ld op=%ld -> %ld: solving for %s "
                         "misses %ld", kind, i, k, s, pb, pe, d, op, want,
                         cc_shape_var_name(vars[v]), x);
            cc_shape_answer_free(&a);
        }
    }
    fclose(f);
    assert_true(n >= 7000);
    assert_true(refused > 100 && refused < n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes_match_torch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
