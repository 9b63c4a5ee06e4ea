/* image.c - 8-bit images as input tensors: PGM (P5, P2) read here, PNG
 * through libpng; and cc_tensor_file_load, which tells the formats apart
 * (see convcalc/tensorfile.h). */
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/io.h"
#include "convcalc/onnx.h"
#include "convcalc/tensorfile.h"

#define IMG_MAX_SIDE 65536L
#define IMG_MAX_PIXELS ((size_t)1 << 28)

/* max_values: the most pixel values the file's size can hold. */
static int image_alloc(cc_tensor_file *t, long c, long h, long w, size_t max_values,
                       cc_error *err)
{
    if (h < 1 || w < 1 || h > IMG_MAX_SIDE || w > IMG_MAX_SIDE)
        return cc_error_set(err, CC_ERANGE, "at byte 0: an image of %ldx%ld pixels (each side "
                                            "1 to %ld)", w, h, IMG_MAX_SIDE);
    size_t n = (size_t)c * (size_t)h * (size_t)w;
    if (n > IMG_MAX_PIXELS)
        return cc_error_set(err, CC_ERANGE, "at byte 0: an image of %ldx%ld pixels is too large",
                            w, h);
    if (n > max_values)
        return cc_error_set(err, CC_EINVAL, "at byte 0: an image of %ldx%ld pixels is more "
                                            "than the file can hold (truncated or corrupt?)",
                            w, h);
    t->data = malloc(n * sizeof(float));
    if (!t->data)
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    t->ndim = 4;
    t->shape[0] = 1;
    t->shape[1] = c;
    t->shape[2] = h;
    t->shape[3] = w;
    t->count = n;
    t->image = 1;
    memcpy(t->dtype, "U8", 3);
    return 0;
}

/* ---- PGM --------------------------------------------------------------------- */
/* Skip blanks and # comments; read a whole number. */
static int pgm_number(const unsigned char *d, size_t len, size_t *pos, long *v)
{
    for (;;) {
        while (*pos < len && (d[*pos] == ' ' || d[*pos] == '\t' || d[*pos] == '\n' ||
                              d[*pos] == '\r'))
            (*pos)++;
        if (*pos < len && d[*pos] == '#') {
            while (*pos < len && d[*pos] != '\n')
                (*pos)++;
            continue;
        }
        break;
    }
    if (*pos >= len || d[*pos] < '0' || d[*pos] > '9')
        return -1;
    long x = 0;
    while (*pos < len && d[*pos] >= '0' && d[*pos] <= '9') {
        if (x > 100000000L)
            return -1;
        x = x * 10 + (d[(*pos)++] - '0');
    }
    *v = x;
    return 0;
}

int cc_pgm_parse(cc_tensor_file *out, const unsigned char *d, size_t len, cc_error *err)
{
    memset(out, 0, sizeof *out);
    if (len < 2 || d[0] != 'P' || (d[1] != '5' && d[1] != '2'))
        return cc_error_set(err, CC_EINVAL, "at byte 0: not a PGM file (expected P5 or P2)");
    int plain = d[1] == '2';
    size_t pos = 2;
    long w, h, maxval;
    const char *what[3] = {"width", "height", "maxval"};
    long *vals[3] = {&w, &h, &maxval};
    for (int i = 0; i < 3; i++)
        if (pgm_number(d, len, &pos, vals[i]) != 0)
            return cc_error_set(err, CC_EINVAL, "at byte %zu: expected the %s (a whole number)",
                                pos, what[i]);
    if (maxval < 1 || maxval > 255)
        return cc_error_set(err, CC_EINVAL, "at byte %zu: maxval %ld (convcalc reads 8-bit "
                                            "greymaps, maxval 1 to 255)", pos, maxval);
    if (!plain) {
        pos++; /* the single blank after maxval */
        if (pos > len || (size_t)(len - pos) < (size_t)w * (size_t)h)
            return cc_error_set(err, CC_EINVAL, "at byte %zu: the file ends after %zu of the "
                                                "%ldx%ld pixels (truncated?)", len,
                                pos > len ? 0 : len - pos, w, h);
    }
    int rc = image_alloc(out, 1, h, w, plain ? len : len - pos, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < out->count; i++) {
        long v;
        if (plain) {
            if (pgm_number(d, len, &pos, &v) != 0 || v > maxval) {
                cc_tensor_file_clear(out);
                return cc_error_set(err, CC_EINVAL, "at byte %zu: expected pixel %zu of %ldx%ld "
                                                    "(0 to maxval)", pos, i, w, h);
            }
        } else {
            v = d[pos + i];
            if (v > maxval) {
                cc_tensor_file_clear(out);
                return cc_error_set(err, CC_EINVAL, "at byte %zu: pixel %ld is above maxval %ld",
                                    pos + i, v, maxval);
            }
        }
        out->data[i] = (float)(maxval == 255 ? v : (double)v * 255.0 / maxval);
    }
    return 0;
}

/* ---- PNG (libpng) -------------------------------------------------------------- */
typedef struct png_src {
    const unsigned char *d;
    size_t len, pos;
    char msg[200];
} png_src;

static void png_read_fn(png_structp png, png_bytep out, png_size_t n)
{
    png_src *s = png_get_io_ptr(png);
    if (n > s->len - s->pos) {
        snprintf(s->msg, sizeof s->msg, "the file ends at byte %zu (truncated?)", s->len);
        png_error(png, "truncated");
    }
    memcpy(out, s->d + s->pos, n);
    s->pos += n;
}

static void png_error_fn(png_structp png, png_const_charp msg)
{
    png_src *s = png_get_error_ptr(png);
    if (!s->msg[0])
        snprintf(s->msg, sizeof s->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void png_warn_fn(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

int cc_png_parse(cc_tensor_file *out, const unsigned char *data, size_t len, cc_error *err)
{
    memset(out, 0, sizeof *out);
    if (len < 8 || png_sig_cmp(data, 0, 8) != 0)
        return cc_error_set(err, CC_EINVAL, "at byte 0: not a PNG file (no PNG signature)");
    png_src src = {data, len, 0, ""};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, png_error_fn,
                                             png_warn_fn);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    }
    png_bytep *volatile rows = NULL;
    volatile int rc = 0;
    if (setjmp(png_jmpbuf(png))) {
        rc = cc_error_set(err, CC_EINVAL, "at byte %zu: %s (corrupt or truncated PNG)",
                          src.pos, src.msg[0] ? src.msg : "libpng error");
        goto done;
    }
    png_set_read_fn(png, &src, png_read_fn);
    png_set_user_limits(png, IMG_MAX_SIDE, IMG_MAX_SIDE);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    int type = png_get_color_type(png, info);
    png_set_strip_16(png);
    png_set_strip_alpha(png);
    png_set_packing(png);
    if (type == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(png);
    if (type == PNG_COLOR_TYPE_GRAY || type == PNG_COLOR_TYPE_GRAY_ALPHA)
        png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS))
        png_set_tRNS_to_alpha(png), png_set_strip_alpha(png);
    png_read_update_info(png, info);
    int ch = png_get_channels(png, info);
    if (ch != 1 && ch != 3) {
        rc = cc_error_set(err, CC_EINVAL, "at byte %zu: a PNG with %d channels after "
                                          "conversion (expected grey or RGB)", src.pos, ch);
        goto done;
    }
    if ((rc = image_alloc(out, ch, (long)h, (long)w, (len + 1) * 1100, err)) != 0)
        goto done;
    size_t rb = png_get_rowbytes(png, info);
    unsigned char *pix = malloc(rb * h);
    rows = malloc(h * sizeof *rows);
    if (!pix || !rows) {
        free(pix);
        free(rows);
        rows = NULL;
        rc = cc_error_set(err, CC_ENOMEM, "out of memory");
        goto done;
    }
    for (png_uint_32 y = 0; y < h; y++)
        rows[y] = pix + y * rb;
    png_read_image(png, rows);
    for (int c = 0; c < ch; c++)
        for (png_uint_32 y = 0; y < h; y++)
            for (png_uint_32 x = 0; x < w; x++)
                out->data[((size_t)c * h + y) * w + x] = rows[y][(size_t)x * ch + c];
done:
    if (rows) {
        free(rows[0]);
        free(rows);
    }
    if (rc)
        cc_tensor_file_clear(out);
    png_destroy_read_struct(&png, &info, NULL);
    return rc;
}

/* ---- ONNX TensorProto (through the ONNX reader) ------------------------------- */
static int tensor_proto(cc_tensor_file *out, const unsigned char *buf, size_t len,
                        cc_error *err)
{
    long dims[CC_ONNX_MAX_DIMS];
    int ndim = 0;
    float *data = NULL;
    int rc = cc_onnx_tensor_parse(buf, len, &data, dims, &ndim, err);
    if (rc)
        return rc;
    size_t count = 1;
    for (int d = 0; d < ndim && d < CC_TF_MAX_DIMS; d++) {
        out->shape[d] = dims[d];
        count *= (size_t)dims[d];
    }
    out->ndim = ndim;
    out->count = data ? count : 0;
    out->data = data;
    memcpy(out->dtype, "F32", 4);
    return 0;
}

/* ---- dispatch ------------------------------------------------------------------- */
int cc_tensor_file_load(cc_tensor_file *out, const char *path, cc_error *err)
{
    memset(out, 0, sizeof *out);
    unsigned char *buf;
    size_t len;
    int rc = cc_file_read(path, CC_FILE_MAX, &buf, &len, NULL, err);
    if (rc)
        return rc;
    size_t pl = strlen(path);
    if (len >= 6 && memcmp(buf, "\x93NUMPY", 6) == 0)
        rc = cc_npy_parse(out, buf, len, err);
    else if (len >= 8 && memcmp(buf, "\x89PNG", 4) == 0)
        rc = cc_png_parse(out, buf, len, err);
    else if (len >= 2 && buf[0] == 'P' && (buf[1] == '5' || buf[1] == '2'))
        rc = cc_pgm_parse(out, buf, len, err);
    else if (pl > 3 && strcmp(path + pl - 3, ".pb") == 0)
        rc = tensor_proto(out, buf, len, err);
    else
        rc = cc_error_set(err, CC_EINVAL, "at byte 0: not a .npy, .pb, PGM or PNG file");
    free(buf);
    if (rc)
        cc_error_source(err, path);
    return rc;
}
