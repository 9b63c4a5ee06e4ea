/* exset_load.c - exercise sets from files: a set by name (the bundled
 * directory) or by path, and the list of bundled sets. */
#include "ex_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int read_all(const char *path, char **out, size_t *len, cc_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        cc_error_set(err, e == ENOENT || e == EACCES ? CC_EINVAL : CC_EIO, "cannot open: %s",
                     strerror(e));
        cc_error_source(err, path);
        return e == ENOENT || e == EACCES ? CC_EINVAL : CC_EIO;
    }
    cc_buf b = {0};
    char chunk[16384];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        cc_buf_append(&b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad || cc_buf_failed(&b)) {
        cc_buf_free(&b);
        cc_error_set(err, bad ? CC_EIO : CC_ENOMEM, "cannot read the file");
        cc_error_source(err, path);
        return bad ? CC_EIO : CC_ENOMEM;
    }
    *out = b.data ? b.data : ex_strdup("");
    *len = b.len;
    return *out ? 0 : CC_ENOMEM;
}

int cc_exset_load(cc_exset **out, const char *set, const char *datadir, cc_error *err)
{
    *out = NULL;
    char path[4096] = "";
    if (is_file(set)) {
        snprintf(path, sizeof path, "%s", set);
    } else if (!strchr(set, '/')) {
        const char *dirs[2] = {"exercises", NULL};
        char dd[4096];
        if (datadir && *datadir) {
            snprintf(dd, sizeof dd, "%s/exercises", datadir);
            dirs[1] = dd;
        }
        for (int d = 0; d < 2 && !path[0]; d++) {
            if (!dirs[d])
                continue;
            char cand[4096 + 300];
            snprintf(cand, sizeof cand, "%s/%s", dirs[d], set);
            if (strlen(cand) < sizeof path && is_file(cand)) {
                memcpy(path, cand, strlen(cand) + 1);
                break;
            }
            snprintf(cand, sizeof cand, "%s/%s.txt", dirs[d], set);
            if (strlen(cand) < sizeof path && is_file(cand))
                memcpy(path, cand, strlen(cand) + 1);
        }
    }
    if (!path[0]) {
        cc_error_set(err, CC_EINVAL,
                     "no such exercise set (expected a file, or the name of a bundled set in "
                     "./exercises or %s/exercises)",
                     datadir && *datadir ? datadir : "the data directory");
        cc_error_source(err, set);
        return CC_EINVAL;
    }
    char *text;
    size_t len;
    int rc = read_all(path, &text, &len, err);
    if (rc)
        return rc;
    char base[4096];
    snprintf(base, sizeof base, "%s", path);
    char *slash = strrchr(base, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(base, sizeof base, ".");
    rc = cc_exset_parse(out, text, len, path, base, err);
    free(text);
    return rc;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int cc_exset_bundled(char ***names, const char *datadir, cc_error *err)
{
    *names = NULL;
    char **v = NULL;
    size_t n = 0, cap = 0;
    char dd[4096];
    const char *dirs[2] = {"exercises", NULL};
    if (datadir && *datadir) {
        snprintf(dd, sizeof dd, "%s/exercises", datadir);
        dirs[1] = dd;
    }
    for (int d = 0; d < 2; d++) {
        if (!dirs[d])
            continue;
        DIR *dir = opendir(dirs[d]);
        if (!dir)
            continue;
        struct dirent *de;
        while ((de = readdir(dir))) {
            if (de->d_name[0] == '.')
                continue;
            char full[4096 + 300];
            snprintf(full, sizeof full, "%s/%s", dirs[d], de->d_name);
            if (!is_file(full))
                continue;
            char name[256];
            snprintf(name, sizeof name, "%s", de->d_name);
            size_t nl = strlen(name);
            if (nl <= 4 || strcmp(name + nl - 4, ".txt") != 0)
                continue; /* sets are NAME.txt; other files (specs) are not */
            name[nl - 4] = '\0';
            int dup = 0;
            for (size_t i = 0; i < n; i++)
                if (strcmp(v[i], name) == 0)
                    dup = 1;
            if (dup)
                continue;
            if (n + 1 >= cap) {
                cap = cap ? cap * 2 : 16;
                char **nv = realloc(v, cap * sizeof *nv);
                if (!nv) {
                    closedir(dir);
                    ex_strv_free(v, n);
                    return cc_error_set(err, CC_ENOMEM, "out of memory");
                }
                v = nv;
            }
            if (!(v[n] = ex_strdup(name))) {
                closedir(dir);
                ex_strv_free(v, n);
                return cc_error_set(err, CC_ENOMEM, "out of memory");
            }
            n++;
        }
        closedir(dir);
    }
    if (!v && !(v = calloc(1, sizeof *v)))
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    qsort(v, n, sizeof *v, name_cmp);
    v[n] = NULL;
    *names = v;
    return 0;
}

void cc_exset_names_free(char **names)
{
    if (!names)
        return;
    for (char **q = names; *q; q++)
        free(*q);
    free(names);
}
