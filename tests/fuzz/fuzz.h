/* fuzz.h - what every harness shares: the libFuzzer entry point and small
 * helpers. Each harness (fuzz_NAME.c) copies its input into a buffer of
 * exactly the input's size (or size + 1 for a C string) so that the
 * sanitizers catch a read one byte past the end, and frees everything it
 * made, so that LeakSanitizer catches a leak. The same harness runs under
 * libFuzzer (`make fuzz`) and under the smoke driver (smoke_main.c, in
 * `make test`). */
#ifndef CONVCALC_FUZZ_H
#define CONVCALC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A copy of data in a buffer of exactly size bytes (a 1-byte buffer when
 * size is 0, never read). Aborts on out-of-memory: harnesses are tests. */
static inline char *fuzz_copy(const uint8_t *data, size_t size)
{
    char *p = malloc(size ? size : 1);
    if (!p)
        abort();
    if (size)
        memcpy(p, data, size);
    return p;
}

/* A NUL-terminated copy (size + 1 bytes). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *p = malloc(size + 1);
    if (!p)
        abort();
    if (size)
        memcpy(p, data, size);
    p[size] = 0;
    return p;
}

/* Writes data to file number `slot` (0 to 3) of this process's own, under
 * TMPDIR or /tmp, named after `tag`, and returns its path: for readers that
 * take a path. */
static inline const char *fuzz_file(int slot, const char *tag, const uint8_t *data,
                                    size_t size)
{
    static char paths[4][256];
    static int made[4];
    slot &= 3;
    if (!made[slot]) {
        const char *dir = getenv("TMPDIR");
        snprintf(paths[slot], sizeof paths[slot], "%s/convcalc-fuzz-%ld-%s",
                 dir && *dir ? dir : "/tmp", (long)getpid(), tag);
        made[slot] = 1;
    }
    FILE *f = fopen(paths[slot], "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    return paths[slot];
}

#endif
