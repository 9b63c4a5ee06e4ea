/* stack_common.h - what the layer-stack harnesses do with a stack that
 * was read: infer its shapes, then render its report in every format and
 * write it back as a spec, so that the whole path a `convcalc params` run
 * takes is fuzzed, not only the reader. */
#ifndef CONVCALC_FUZZ_STACK_COMMON_H
#define CONVCALC_FUZZ_STACK_COMMON_H

#include "fuzz.h"

#include "convcalc/report.h"
#include "convcalc/stack.h"

static inline void fuzz_report(cc_stack *s)
{
    cc_error err;
    cc_error_clear(&err);
    if (cc_stack_infer(s, &err) != 0)
        return;
    for (int f = CC_FORMAT_TEXT; f <= CC_FORMAT_JSON; f++) {
        cc_report_options o;
        cc_report_options_init(&o);
        o.format = (cc_format)f;
        o.keras = f & 1;
        cc_buf b = {0};
        cc_report_stack(&b, s, &o, &err);
        cc_buf_free(&b);
    }
}

/* Infer and report the stack as read; then, when it declared no input
 * size (a PyTorch repr never does), again with one, as `params --input`
 * does: the shape rules run only on a known input. The size is picked
 * from the input's bytes, so a finding replays. */
static inline void fuzz_use_stack(cc_stack *s, const uint8_t *data, size_t size)
{
    static const long sides[] = {1, 7, 28, 32, 64, 75, 224, 299};
    fuzz_report(s);
    if (s->input.rank == 0) {
        unsigned h = 2166136261u;
        for (size_t i = 0; i < size; i++)
            h = (h ^ data[i]) * 16777619u;
        long side = sides[h % 8], c = (h >> 3) & 1 ? 3 : 1;
        cc_error err;
        cc_error_clear(&err);
        if (cc_stack_set_input(s, side, (h >> 4) & 1 ? side : side / 2 + 1, c, &err) == 0)
            fuzz_report(s);
    }
    cc_buf b = {0};
    cc_stack_to_spec(&b, s);
    cc_buf_free(&b);
    cc_stack_free(s);
}

/* Parse with one reader and use the result. */
static inline int fuzz_stack(const uint8_t *data, size_t size, cc_stack_source src)
{
    char *text = fuzz_copy(data, size);
    cc_stack *s = NULL;
    cc_error err;
    cc_error_clear(&err);
    if (cc_stack_parse(&s, text, size, src, &err) == 0)
        fuzz_use_stack(s, data, size);
    free(text);
    return 0;
}

#endif
