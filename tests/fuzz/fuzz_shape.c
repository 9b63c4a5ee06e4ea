/* fuzz_shape.c - the shape notation of `convcalc shape` and `conv`
 * ("32", "32x64", "1,2x3", same/valid/full) and the HxWxC input notation,
 * then the solver and its renderers on what was read. The first byte picks
 * the kind and the unknown; the rest is split at newlines into the values
 * of input, kernel, padding, stride, dilation, output and output padding. */
#include "fuzz.h"

#include "convcalc/arith.h"
#include "convcalc/stack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *text = fuzz_cstr(data + 1, size - 1);
    cc_error err;
    cc_error_clear(&err);
    cc_shape sh;
    cc_shape_parse(text, &sh, &err);

    cc_shape_query q;
    cc_shape_query_init(&q, (cc_shape_kind)(data[0] % 3));
    static const cc_shape_var order[] = {CC_VAR_INPUT, CC_VAR_KERNEL, CC_VAR_PADDING,
                                         CC_VAR_STRIDE, CC_VAR_DILATION, CC_VAR_OUTPUT};
    q.unknown = (cc_shape_var)((data[0] / 3) % 7);
    q.per_side = (data[0] >> 5) & 1;
    q.odd_kernel = (data[0] >> 6) & 1;
    q.ceil_mode = (data[0] >> 7) & 1;
    char *save = NULL;
    size_t field = 0;
    int ok = 1;
    for (char *tok = strtok_r(text, "\n", &save); tok && field < 7;
         tok = strtok_r(NULL, "\n", &save), field++) {
        int rc = field < 6 ? cc_shape_query_set(&q, order[field], tok, &err)
                           : cc_shape_query_set_output_padding(&q, tok, &err);
        ok &= rc == 0;
    }
    if (ok) {
        cc_shape_answer a;
        cc_shape_answer_init(&a);
        if (cc_shape_solve(&a, &q, &err) == 0)
            for (int f = 0; f < 5; f++) {
                cc_buf b = {0};
                cc_shape_render(&a, (cc_format)f, &b, &err);
                cc_buf_free(&b);
            }
        cc_shape_answer_free(&a);
    }
    free(text);
    return 0;
}
