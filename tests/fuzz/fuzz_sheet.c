/* fuzz_sheet.c - the answer-sheet format and the answer reader: parse a
 * sheet, then grade it against every bundled exercise set (which also
 * reads each answer as a number, a size, a matrix or a choice) and render
 * the result and a gradebook. */
#include "bundled.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cc_exset **sets = fuzz_bundled_sets();
    char *text = fuzz_copy(data, size);
    cc_sheet *sheet = NULL;
    cc_error err;
    cc_error_clear(&err);
    if (cc_sheet_parse(&sheet, text, size, "fuzz-sheet", &err) == 0) {
        for (size_t k = 0; sets[k]; k++) {
            cc_result r;
            if (cc_check_sheet(&r, sets[k], sheet, "fuzz", "/nonexistent-convcalc-fuzz",
                               &err) != 0)
                continue;
            for (int f = CC_FORMAT_TEXT; f <= CC_FORMAT_JSON; f++) {
                cc_buf b = {0};
                cc_result_render(&b, sets[k], &r, (cc_format)f, &err);
                cc_gradebook_render(&b, sets[k], &r, 1, (cc_format)f, &err);
                cc_buf_free(&b);
            }
            cc_result_free(&r);
        }
        cc_sheet_free(sheet);
    }
    free(text);
    return 0;
}
