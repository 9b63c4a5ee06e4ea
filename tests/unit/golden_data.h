/* golden_data.h - reads the golden files written by tests/golden/gen_*.py:
 * records of `NAME NUMEL` followed by NUMEL numbers. Test-only helper. */
#ifndef CONVCALC_TEST_GOLDEN_DATA_H
#define CONVCALC_TEST_GOLDEN_DATA_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct golden_rec {
    char name[160];
    size_t n;
    double *v; /* [n] */
} golden_rec;

typedef struct golden_file {
    golden_rec *recs;
    size_t n;
} golden_file;

static void golden_free(golden_file *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->recs[i].v);
    free(g->recs);
    g->recs = NULL;
    g->n = 0;
}

/* Load path; 0 on success. */
static int golden_load(golden_file *g, const char *path)
{
    memset(g, 0, sizeof *g);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t cap = 0;
    char name[160];
    size_t n;
    while (fscanf(f, "%159s %zu", name, &n) == 2) {
        if (g->n == cap) {
            cap = cap ? cap * 2 : 256;
            golden_rec *r = realloc(g->recs, cap * sizeof *r);
            if (!r)
                goto fail;
            g->recs = r;
        }
        golden_rec *r = &g->recs[g->n];
        memcpy(r->name, name, sizeof name);
        r->n = n;
        r->v = malloc((n ? n : 1) * sizeof(double));
        if (!r->v)
            goto fail;
        g->n++;
        for (size_t i = 0; i < n; i++)
            if (fscanf(f, "%lf", &r->v[i]) != 1)
                goto fail;
    }
    fclose(f);
    return 0;
fail:
    fclose(f);
    golden_free(g);
    return -1;
}

/* The record called name, or NULL. */
static const golden_rec *golden_find(const golden_file *g, const char *name)
{
    for (size_t i = 0; i < g->n; i++)
        if (!strcmp(g->recs[i].name, name))
            return &g->recs[i];
    return NULL;
}

/* Largest |a - b| / (atol + rtol |b|) over n values: <= 1 means a match. */
static double golden_excess(const float *a, const double *b, size_t n, double atol,
                            double rtol)
{
    double worst = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = fabs((double)a[i] - b[i]) / (atol + rtol * fabs(b[i]));
        if (!(e <= worst)) /* NaN counts as the worst */
            worst = isnan(e) ? INFINITY : e;
    }
    return worst;
}

#endif
