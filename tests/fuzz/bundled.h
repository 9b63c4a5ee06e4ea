/* bundled.h - the repository's bundled exercise sets, loaded once per
 * process for the harnesses that grade against them. FUZZ_EXERCISES is the
 * repository's exercises/ directory (set by the Makefile). */
#ifndef CONVCALC_FUZZ_BUNDLED_H
#define CONVCALC_FUZZ_BUNDLED_H

#include "fuzz.h"

#include "convcalc/exercise.h"

#ifndef FUZZ_EXERCISES
#define FUZZ_EXERCISES "exercises"
#endif

#define FUZZ_MAX_SETS 16

/* The bundled sets (NULL-terminated); loaded on first use and kept for the
 * life of the process (libFuzzer's leak check ignores what stays
 * reachable). */
static inline cc_exset **fuzz_bundled_sets(void)
{
    static cc_exset *sets[FUZZ_MAX_SETS + 1];
    static int loaded;
    if (loaded)
        return sets;
    loaded = 1;
    static const char *const names[] = {"cnn-basics", "strides-dilation",
                                        "transposed-convolution", "receptive-fields",
                                        "classic-networks", "training-results"};
    size_t k = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && k < FUZZ_MAX_SETS; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.txt", FUZZ_EXERCISES, names[i]);
        cc_error err;
        cc_error_clear(&err);
        if (cc_exset_load(&sets[k], path, NULL, &err) == 0)
            k++;
        else
            fprintf(stderr, "fuzz: cannot load %s: %s\n", path, err.msg);
    }
    if (k == 0)
        abort(); /* a harness without its sets fuzzes nothing */
    return sets;
}

#endif
