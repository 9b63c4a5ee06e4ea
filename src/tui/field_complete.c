/* field_complete.c - Tab completion of a file name typed in a prompt:
 * the path before the cursor is completed against the directory it
 * names (a directory gets its '/'); when several names fit, the common
 * part is filled in and the names are listed. Hidden files are offered
 * only when the typed name starts with a dot, as shells do. */
#include "tui.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_LISTED 400 /* characters of names listed in the message */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_dir(const char *dir, size_t dlen, const char *name)
{
    char path[4096];
    if (dlen + strlen(name) + 1 >= sizeof path)
        return 0;
    snprintf(path, sizeof path, "%.*s%s", (int)dlen, dir, name);
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Insert text at the cursor of f (as much as fits). */
static void put(tui_field *f, const char *text, size_t n)
{
    if (f->len + n >= sizeof f->text)
        n = sizeof f->text - 1 - f->len;
    memmove(f->text + f->cur + n, f->text + f->cur, f->len - f->cur + 1);
    memcpy(f->text + f->cur, text, n);
    f->len += n;
    f->cur += n;
}

static size_t complete(tui_field *f, char *msg, size_t msg_size)
{
    f->fresh = 0;
    msg[0] = '\0';
    /* the word before the cursor: the path being typed */
    const char *word = f->text;
    size_t wlen = f->cur;
    const char *slash = NULL;
    for (size_t i = 0; i < wlen; i++)
        if (word[i] == '/')
            slash = word + i;
    size_t dlen = slash ? (size_t)(slash - word) + 1 : 0;
    const char *prefix = word + dlen;
    size_t plen = wlen - dlen;
    char dir[4096];
    if (dlen >= sizeof dir) {
        snprintf(msg, msg_size, "The path is too long to complete.");
        return 0;
    }
    memcpy(dir, word, dlen);
    dir[dlen] = '\0';
    DIR *d = opendir(dlen ? dir : ".");
    if (!d) {
        snprintf(msg, msg_size, "No directory '%s' to complete in.", dlen ? dir : ".");
        return 0;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *nm = e->d_name;
        if (!strcmp(nm, ".") || !strcmp(nm, ".."))
            continue;
        if (nm[0] == '.' && (plen == 0 || prefix[0] != '.'))
            continue;
        if (strncmp(nm, prefix, plen) != 0)
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            char **t = realloc(names, nc * sizeof *t);
            if (!t)
                break;
            names = t;
            cap = nc;
        }
        size_t l = strlen(nm);
        int dirp = is_dir(dir, dlen, nm);
        char *c = malloc(l + 2);
        if (!c)
            break;
        memcpy(c, nm, l);
        c[l] = dirp ? '/' : '\0';
        c[l + dirp] = '\0';
        names[n++] = c;
    }
    closedir(d);
    if (n == 0) {
        snprintf(msg, msg_size, "No file name starts with '%.*s'.", (int)wlen, word);
        free(names);
        return 0;
    }
    qsort(names, n, sizeof *names, cmp_names);
    /* the part every name shares */
    size_t common = strlen(names[0]);
    for (size_t i = 1; i < n; i++) {
        size_t k = 0;
        while (k < common && names[i][k] == names[0][k])
            k++;
        common = k;
    }
    if (common > plen)
        put(f, names[0] + plen, common - plen);
    if (n > 1) {
        size_t at = (size_t)snprintf(msg, msg_size, "%zu names fit:", n);
        for (size_t i = 0; i < n && at < msg_size; i++) {
            if (at > MAX_LISTED) {
                snprintf(msg + at, msg_size - at, " ...");
                break;
            }
            at += (size_t)snprintf(msg + at, msg_size - at, " %s", names[i]);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return n;
}

size_t tui_prompt_complete(tui_state *s)
{
    size_t n = complete(&s->field, s->msg, sizeof s->msg);
    s->msg_kind = n ? TUI_MSG_INFO : TUI_MSG_BAD;
    return n;
}
