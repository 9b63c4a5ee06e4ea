/* io.c - whole-file reading (plain or gzip via zlib) and atomic writing. */
#include "convcalc/io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

int cc_file_read(const char *path, size_t max_len, unsigned char **out, size_t *len,
                 int *gzipped, cc_error *err)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        int e = errno;
        cc_error_set(err, e == ENOENT || e == EACCES ? CC_EINVAL : CC_EIO,
                     "cannot open: %s", strerror(e));
        cc_error_source(err, path);
        return e == ENOENT || e == EACCES ? CC_EINVAL : CC_EIO;
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
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap + 1);
    int rc = 0;
    if (!buf) {
        rc = cc_error_set(err, CC_ENOMEM, "out of memory");
        goto done;
    }
    for (;;) {
        if (n == cap) {
            if (cap >= max_len) {
                /* one more byte would exceed the limit: is there one? */
                unsigned char probe;
                int r = gzread(gz, &probe, 1);
                if (r > 0)
                    rc = cc_error_set(err, CC_ERANGE,
                                      "larger than %zu bytes (the most this reads)", max_len);
                else if (r < 0) {
                    int zerr;
                    const char *m = gzerror(gz, &zerr);
                    rc = cc_error_set(err, zerr == Z_ERRNO ? CC_EIO : CC_EINVAL,
                                      "at byte %zu: %s", n,
                                      zerr == Z_ERRNO ? strerror(errno) : m);
                }
                break;
            }
            size_t ncap = cap > max_len / 2 ? max_len : cap * 2;
            unsigned char *nb = realloc(buf, ncap + 1);
            if (!nb) {
                rc = cc_error_set(err, CC_ENOMEM, "out of memory");
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t want = cap - n;
        if (want > (1u << 30))
            want = 1u << 30;
        int r = gzread(gz, buf + n, (unsigned)want);
        if (r < 0) {
            int zerr;
            const char *m = gzerror(gz, &zerr);
            if (zerr == Z_ERRNO)
                rc = cc_error_set(err, CC_EIO, "cannot read: %s", strerror(errno));
            else
                rc = cc_error_set(err, CC_EINVAL,
                                  "corrupt gzip data after %zu decompressed bytes: %s", n, m);
            break;
        }
        if (r == 0) {
            /* zlib reports a stream cut short as end of file with an error */
            int zerr;
            const char *m = gzerror(gz, &zerr);
            if (zerr != Z_OK && zerr != Z_STREAM_END)
                rc = cc_error_set(err, CC_EINVAL,
                                  "corrupt gzip data after %zu decompressed bytes: %s", n, m);
            break;
        }
        n += (size_t)r;
    }
done:
    if (gzipped)
        *gzipped = gz && !gzdirect(gz);
    if (gz)
        gzclose(gz);
    if (rc != 0) {
        free(buf);
        cc_error_source(err, path);
        return rc;
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return 0;
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
