/* fuzz_variant.c - variant generation: any variant id on every bundled
 * set must give a set whose own answer keys grade right, and whose sheet
 * renders. */
#include "bundled.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cc_exset **sets = fuzz_bundled_sets();
    char *id = fuzz_cstr(data, size);
    cc_error err;
    for (size_t k = 0; sets[k]; k++) {
        cc_exset *var = NULL;
        cc_error_clear(&err);
        if (cc_exset_variant(&var, sets[k], id, &err) != 0)
            continue;
        size_t n = cc_exset_count(var);
        for (size_t i = 0; i < n; i++) {
            cc_buf key = {0};
            if (cc_exset_answer(&key, var, i, &err) == 0 && key.data) {
                cc_grade g;
                if (cc_exset_grade(&g, var, i, key.data, "/nonexistent-convcalc-fuzz",
                                   &err) == 0) {
                    /* results tables need their model file; every other
                     * kind's own key is right */
                    cc_exinfo info;
                    if (g.verdict != CC_VERDICT_RIGHT && cc_exset_problem(var, i, &info) == 0 &&
                        info.kind != CC_EX_RESULTS)
                        abort();
                    cc_grade_free(&g);
                }
            }
            cc_buf_free(&key);
        }
        cc_buf b = {0};
        cc_exset_render(&b, var, 1, CC_FORMAT_TEXT, &err);
        cc_buf_free(&b);
        cc_exset_free(var);
    }
    free(id);
    return 0;
}
