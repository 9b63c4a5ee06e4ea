/* convcalc/io.h - whole-file reading (plain or gzip) and atomic writing for
 * the library's file formats (data sets, model files, checkpoints).
 *
 * Both fill the caller's cc_error with the file name as its source. */
#ifndef CONVCALC_IO_H
#define CONVCALC_IO_H

#include <stddef.h>

#include "convcalc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest file (after decompression) cc_file_read accepts: 4 GiB. */
#define CC_FILE_MAX ((size_t)1 << 32)

/* Read the whole file at path into a new buffer (*out, free() it), one
 * extra NUL byte after the data. Files compressed with gzip are
 * decompressed transparently (*gzipped set to 1 when it was; may be NULL).
 * The buffer grows as data arrives, so a small hostile file never makes a
 * large allocation. Errors: CC_EINVAL (cannot open: missing, a directory,
 * no permission; corrupt gzip data), CC_ERANGE (larger than max_len),
 * CC_EIO, CC_ENOMEM. */
int cc_file_read(const char *path, size_t max_len, unsigned char **out, size_t *len,
                 int *gzipped, cc_error *err);

/* Given the first header_len (decompressed) bytes of a file, the total
 * size in bytes the header declares for the whole file (header included).
 * Returns 0, or a CC_E* code with err set when the header is bad or
 * declares more than the reader accepts (then nothing more is read). */
typedef int (*cc_file_size_fn)(const unsigned char *header, size_t header_len, void *ctx,
                               size_t *total, cc_error *err);

/* Read a file whose header declares its size, plain or gzip, so that
 * decompression stops at what the header announces: a gzip bomb costs no
 * more memory than the header admits. Reads header_len bytes; if the file
 * is shorter, returns those (*len < header_len, no error: the caller reports
 * the truncation). Otherwise asks size_of for the declared total and reads
 * at most total + slack bytes (slack lets the caller count a little trailing
 * garbage). The buffer is as for cc_file_read (NUL after the data). */
int cc_file_read_declared(const char *path, size_t header_len, cc_file_size_fn size_of,
                          void *ctx, size_t slack, unsigned char **out, size_t *len,
                          int *gzipped, cc_error *err);

/* Write data to path atomically: to a temporary file in the same directory
 * (path.tmp.XXXXXX), fsync, then rename over path, so an interrupted run
 * leaves the old file intact. Returns 0 or CC_EIO/CC_ENOMEM. */
int cc_file_write_atomic(const char *path, const void *data, size_t len, cc_error *err);

#ifdef __cplusplus
}
#endif
#endif
