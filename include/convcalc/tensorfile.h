/* convcalc/tensorfile.h - one input tensor read from a file, for `convcalc
 * infer`: a NumPy .npy array, an ONNX TensorProto .pb, or an 8-bit image
 * (PGM or PNG).
 *
 *   .npy   format versions 1, 2 and 3; dtypes '<f4' (read as is), '<f8'
 *          (converted to float32) and '|u1'; C order only (fortran_order
 *          True is refused by name)
 *   .pgm   binary (P5) or plain (P2) greymaps with maxval 1..255
 *   .png   through libpng: grey or RGB (palette expanded, alpha dropped,
 *          16-bit samples reduced to 8), 1 or 3 channels
 * Images come back as shape (1, C, H, W) holding the pixel values 0..255
 * (image = 1); scaling (ToTensor) and normalisation are the caller's.
 * Sizes are checked before any allocation; a truncated or corrupt file is
 * CC_EINVAL with the file as source and "at byte N" in the message. */
#ifndef CONVCALC_TENSORFILE_H
#define CONVCALC_TENSORFILE_H

#include <stddef.h>
#include <stdint.h>

#include "convcalc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CC_TF_MAX_DIMS 8

typedef struct cc_tensor_file {
    int ndim;
    int64_t shape[CC_TF_MAX_DIMS];
    size_t count;        /* product of the shape                             */
    float *data;         /* [count], row-major                               */
    char dtype[8];       /* what the file held: "F32", "F64", "U8"           */
    int image;           /* 1: PGM/PNG pixels 0..255 in (1, C, H, W)         */
} cc_tensor_file;

/* Parse bytes in one format; *out is filled (free with cc_tensor_file_clear). */
int cc_npy_parse(cc_tensor_file *out, const unsigned char *data, size_t len, cc_error *err);
int cc_pgm_parse(cc_tensor_file *out, const unsigned char *data, size_t len, cc_error *err);
int cc_png_parse(cc_tensor_file *out, const unsigned char *data, size_t len, cc_error *err);

/* Read a file, telling the format from its first bytes (.npy magic, P5/P2,
 * the PNG signature) or, for an ONNX TensorProto, its .pb name. */
int cc_tensor_file_load(cc_tensor_file *out, const char *path, cc_error *err);
void cc_tensor_file_clear(cc_tensor_file *t);

#ifdef __cplusplus
}
#endif
#endif
