/* io.c - whole-file reading (plain or gzip via zlib) and atomic writing. */
#include "convcalc/io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Opens path for reading through zlib (which passes plain files through). */
static int open_gz(const char *path, gzFile *out, cc_error *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        int e = errno;
        int code = e == ENOENT || e == EACCES ? CC_EINVAL : CC_EIO;
        cc_error_set(err, code, "cannot open: %s", strerror(e));
        cc_error_source(err, path);
        return code;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        cc_error_set(err, CC_EINVAL, "cannot open: it is a directory (expected a file)");
        cc_error_source(err, path);
        return CC_EINVAL;
    }
    gzFile gz = gzdopen(fd, "rb");
    if (!gz) {
        close(fd);
        cc_error_set(err, CC_ENOMEM, "out of memory");
        cc_error_source(err, path);
        return CC_ENOMEM;
    }
    gzbuffer(gz, 1 << 17);
    *out = gz;
    return 0;
}

/* Appends up to `limit - *n` more bytes of gz to *buf (capacity *cap, one
 * spare byte kept for a NUL), growing it as data arrives so that a short
 * file never makes a large allocation. Stops at end of file or when *n
 * reaches limit. Returns 0 or a CC_E* code with err set (not its source). */
static int read_upto(gzFile gz, unsigned char **buf, size_t *cap, size_t *n, size_t limit,
                     cc_error *err)
{
    while (*n < limit) {
        if (*n == *cap) {
            size_t ncap = *cap > limit / 2 ? limit : *cap * 2;
            if (ncap < 4096)
                ncap = limit < 4096 ? limit : 4096;
            unsigned char *nb = realloc(*buf, ncap + 1);
            if (!nb)
                return cc_error_set(err, CC_ENOMEM, "out of memory");
            *buf = nb;
            *cap = ncap;
        }
        size_t want = *cap - *n;
        if (want > (1u << 30))
            want = 1u << 30;
        int r = gzread(gz, *buf + *n, (unsigned)want);
        int zerr = Z_OK;
        const char *m = r <= 0 ? gzerror(gz, &zerr) : NULL;
        if (r < 0 && zerr == Z_ERRNO)
            return cc_error_set(err, CC_EIO, "cannot read: %s", strerror(errno));
        /* zlib reports a stream cut short as end of file with an error */
        if (r < 0 || (r == 0 && zerr != Z_OK && zerr != Z_STREAM_END))
            return cc_error_set(err, CC_EINVAL,
                                "corrupt gzip data after %zu decompressed bytes: %s", *n, m);
        if (r == 0)
            break;
        *n += (size_t)r;
    }
    return 0;
}

/* The common end of both readers: hands the buffer over or frees it. */
static int finish(gzFile gz, const char *path, int rc, unsigned char *buf, size_t n,
                  unsigned char **out, size_t *len, int *gzipped, cc_error *err)
{
    if (gzipped)
        *gzipped = !gzdirect(gz);
    gzclose(gz);
    if (rc != 0) {
        free(buf);
        cc_error_source(err, path);
        return rc;
    }
    if (!buf && !(buf = malloc(1))) {
        cc_error_set(err, CC_ENOMEM, "out of memory");
        cc_error_source(err, path);
        return CC_ENOMEM;
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return 0;
}

int cc_file_read(const char *path, size_t max_len, unsigned char **out, size_t *len,
                 int *gzipped, cc_error *err)
{
    *out = NULL;
    *len = 0;
    gzFile gz;
    int rc = open_gz(path, &gz, err);
    if (rc)
        return rc;
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0;
    rc = read_upto(gz, &buf, &cap, &n, max_len, err);
    if (rc == 0 && n == max_len) {
        /* one more byte would exceed the limit: is there one? */
        unsigned char probe;
        int r = gzread(gz, &probe, 1);
        if (r > 0)
            rc = cc_error_set(err, CC_ERANGE, "larger than %zu bytes (the most this reads)",
                              max_len);
    }
    return finish(gz, path, rc, buf, n, out, len, gzipped, err);
}

int cc_file_read_declared(const char *path, size_t header_len, cc_file_size_fn size_of,
                          void *ctx, size_t slack, unsigned char **out, size_t *len,
                          int *gzipped, cc_error *err)
{
    *out = NULL;
    *len = 0;
    gzFile gz;
    int rc = open_gz(path, &gz, err);
    if (rc)
        return rc;
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0, total = 0;
    rc = read_upto(gz, &buf, &cap, &n, header_len, err);
    if (rc == 0 && n == header_len) {
        rc = size_of(buf, header_len, ctx, &total, err);
        if (rc == 0 && total < header_len)
            total = header_len;
        if (rc == 0)
            rc = read_upto(gz, &buf, &cap, &n,
                           total > SIZE_MAX - slack ? SIZE_MAX : total + slack, err);
    }
    return finish(gz, path, rc, buf, n, out, len, gzipped, err);
}

int cc_file_write_atomic(const char *path, const void *data, size_t len, cc_error *err)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp)
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp.XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        cc_error_set(err, CC_EIO, "cannot create a temporary file beside it: %s", strerror(e));
        cc_error_source(err, path);
        return CC_EIO;
    }
    /* mkstemp creates the file 0600; give it the usual 0666 & ~umask. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0)
        goto fail;
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            goto fail;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0)
        goto fail;
    if (close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) != 0)
        goto fail;
    free(tmp);
    return 0;
fail:;
    int e = errno;
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    free(tmp);
    cc_error_set(err, CC_EIO, "cannot write: %s", strerror(e));
    cc_error_source(err, path);
    return CC_EIO;
}
