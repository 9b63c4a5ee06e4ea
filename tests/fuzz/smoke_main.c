/* smoke_main.c - runs a libFuzzer harness without libFuzzer, for the smoke
 * pass of `make test` (built with gcc, ASan and UBSan like the unit tests).
 *
 *   fuzz_NAME [-t SECONDS] [-s SEED] PATH...
 *
 * Every file under each PATH (a file or a directory, not recursive) is run
 * once as it is: the seed corpus, the corpus `make fuzz` grew, and the
 * regression inputs of crashes found before. Then, for SECONDS (default 2),
 * inputs made from those by a few random mutations (bytes flipped, set to
 * interesting values, inserted, deleted, ranges duplicated, two inputs
 * spliced) are run. The mutations come from a fixed seed (-s), so a crash
 * replays with the same command; the input being run is also kept in
 * $FUZZ_LAST (if set) so that it can be committed as a regression input.
 * A crash aborts under the sanitizers; the last line on success is
 * "NAME: N inputs, 0 crashes". */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SMOKE_MAX_INPUT (1u << 20)

typedef struct input {
    uint8_t *data;
    size_t size;
} input;

static input *inputs;
static size_t n_inputs, cap_inputs;

static void add_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    uint8_t *buf = malloc(SMOKE_MAX_INPUT);
    if (!buf)
        abort();
    size_t n = fread(buf, 1, SMOKE_MAX_INPUT, f);
    fclose(f);
    if (n_inputs == cap_inputs) {
        cap_inputs = cap_inputs ? cap_inputs * 2 : 64;
        inputs = realloc(inputs, cap_inputs * sizeof *inputs);
        if (!inputs)
            abort();
    }
    inputs[n_inputs].data = buf;
    inputs[n_inputs].size = n;
    n_inputs++;
}

static void add_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        add_file(path);
        return;
    }
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    char **names = NULL;
    size_t n = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        names = realloc(names, (n + 1) * sizeof *names);
        if (!names || !(names[n] = strdup(e->d_name)))
            abort();
        n++;
    }
    closedir(d);
    /* a fixed order, so that -s replays exactly */
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(names[j], names[i]) < 0) {
                char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
    for (size_t i = 0; i < n; i++) {
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", path, names[i]);
        add_file(full);
        free(names[i]);
    }
    free(names);
}

static uint64_t rng_state;
static uint64_t next(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static size_t below(size_t n) { return n ? (size_t)(next() % n) : 0; }

/* One mutated input in buf (capacity SMOKE_MAX_INPUT); returns its size. */
static size_t mutate(uint8_t *buf)
{
    const input *a = &inputs[below(n_inputs)];
    size_t n = a->size;
    memcpy(buf, a->data, n);
    int rounds = 1 + (int)below(6);
    static const uint8_t interesting[] = {0, 1, 0x7f, 0x80, 0xff, '0', '9', '\n', ' ',
                                          '(', ')', '[', ']', ',', 'x', '=', '-', ':'};
    for (int r = 0; r < rounds; r++) {
        switch (below(7)) {
        case 0: /* flip a bit */
            if (n)
                buf[below(n)] ^= (uint8_t)(1u << below(8));
            break;
        case 1: /* an interesting byte */
            if (n)
                buf[below(n)] = interesting[below(sizeof interesting)];
            break;
        case 2: /* insert a byte */
            if (n < SMOKE_MAX_INPUT) {
                size_t at = below(n + 1);
                memmove(buf + at + 1, buf + at, n - at);
                buf[at] = interesting[below(sizeof interesting)];
                n++;
            }
            break;
        case 3: /* delete a range */
            if (n) {
                size_t at = below(n), len = 1 + below(n - at < 16 ? n - at : 16);
                memmove(buf + at, buf + at + len, n - at - len);
                n -= len;
            }
            break;
        case 4: /* duplicate a range */
            if (n) {
                size_t at = below(n), len = 1 + below(n - at < 64 ? n - at : 64);
                if (n + len <= SMOKE_MAX_INPUT) {
                    memmove(buf + at + len, buf + at, n - at);
                    n += len;
                }
            }
            break;
        case 5: { /* splice the tail of another input */
            const input *b = &inputs[below(n_inputs)];
            size_t at = below(n + 1), from = below(b->size + 1);
            size_t len = b->size - from;
            if (at + len > SMOKE_MAX_INPUT)
                len = SMOKE_MAX_INPUT - at;
            memcpy(buf + at, b->data + from, len);
            n = at + len;
            break;
        }
        default: /* truncate */
            n = below(n + 1);
            break;
        }
    }
    return n;
}

/* Runs one input from an exact-size copy (so over-reads are caught). */
static void run(const uint8_t *data, size_t size, const char *last)
{
    if (last) {
        FILE *f = fopen(last, "wb");
        if (f) {
            if (size)
                fwrite(data, 1, size, f);
            fclose(f);
        }
    }
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        abort();
    if (size)
        memcpy(copy, data, size);
    LLVMFuzzerTestOneInput(copy, size);
    free(copy);
}

int main(int argc, char **argv)
{
    double seconds = 2;
    uint64_t seed = 1;
    const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else
            add_path(argv[i]);
    }
    const char *last = getenv("FUZZ_LAST");
    size_t runs = 0;
    for (size_t k = 0; k < n_inputs; k++, runs++)
        run(inputs[k].data, inputs[k].size, last);
    if (n_inputs == 0) {
        fprintf(stderr, "%s: no inputs (a harness needs its seed corpus)\n", name);
        return 1;
    }
    rng_state = seed;
    uint8_t *buf = malloc(SMOKE_MAX_INPUT);
    if (!buf)
        abort();
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((double)(t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 >= seconds)
            break;
        for (int burst = 0; burst < 16; burst++, runs++)
            run(buf, mutate(buf), last);
    }
    free(buf);
    for (size_t k = 0; k < n_inputs; k++)
        free(inputs[k].data);
    free(inputs);
    printf("%s: %zu inputs, 0 crashes\n", name, runs);
    return 0;
}
