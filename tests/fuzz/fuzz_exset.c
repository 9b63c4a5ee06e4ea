/* fuzz_exset.c - the exercise-set format: parse, then everything a set is
 * used for (the sheet in every format with solutions, each answer key,
 * grading a blank and a numeric answer, and a variant). Relative file
 * names in a set resolve under a directory that does not exist, so no
 * file outside the input is read. */
#include "fuzz.h"

#include "convcalc/exercise.h"

#define NO_DIR "/nonexistent-convcalc-fuzz"

static void use_set(const cc_exset *set)
{
    cc_error err;
    cc_error_clear(&err);
    for (int f = CC_FORMAT_TEXT; f <= CC_FORMAT_LATEX; f++) {
        cc_buf b = {0};
        cc_exset_render(&b, set, f & 1, (cc_format)f, &err);
        cc_buf_free(&b);
    }
    size_t n = cc_exset_count(set);
    for (size_t i = 0; i < n && i < 32; i++) {
        cc_buf b = {0};
        cc_exset_answer(&b, set, i, &err);
        cc_buf_free(&b);
        static const char *const answers[] = {NULL, "3", "5x5", "1 2; 3 4", "c"};
        for (size_t a = 0; a < sizeof answers / sizeof answers[0]; a++) {
            cc_grade g;
            if (cc_exset_grade(&g, set, i, answers[a], NO_DIR, &err) == 0)
                cc_grade_free(&g);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_copy(data, size);
    cc_exset *set = NULL;
    cc_error err;
    cc_error_clear(&err);
    if (cc_exset_parse(&set, text, size, "fuzz", NO_DIR, &err) == 0) {
        use_set(set);
        cc_exset *var = NULL;
        if (cc_exset_variant(&var, set, "fuzz-7", &err) == 0) {
            use_set(var);
            cc_exset_free(var);
        }
        cc_exset_free(set);
    }
    free(text);
    return 0;
}
