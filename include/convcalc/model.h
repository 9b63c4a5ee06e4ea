/* convcalc/model.h - model files and checkpoints in the safetensors format
 * (see convcalc-model(5)):
 *
 *   8 bytes   N, the length of the header, unsigned little-endian
 *   N bytes   a JSON object: for each tensor
 *               "NAME": {"dtype": "F32", "shape": [...], "data_offsets": [BEGIN, END]}
 *             and "__metadata__": {"KEY": "VALUE", ...} (strings only),
 *             padded with spaces to a multiple of 8 bytes
 *   the data  every tensor's float32 values, little-endian, row-major, one
 *             after another in header order, offsets relative to the start
 *             of this part
 *
 * PyTorch users read it with safetensors.torch.load_file. convcalc keeps the
 * layer stack (its spec text) and the training information in the
 * metadata, so a model file is self-describing. Files are written to a
 * temporary name and renamed. */
#ifndef CONVCALC_MODEL_H
#define CONVCALC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "convcalc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CC_ST_MAX_DIMS 8
/* Largest header convcalc reads (the reference implementation's limit). */
#define CC_ST_MAX_HEADER ((size_t)100 * 1000 * 1000)

typedef struct cc_st_tensor {
    char *name;
    int ndim;
    int64_t shape[CC_ST_MAX_DIMS];
    size_t count;    /* product of the shape (1 for a scalar)              */
    float *data;     /* [count], owned by the cc_safetensors               */
    char dtype[8];   /* what the file held: "F32" (cc_st_add), or with
                        cc_st_parse_any "F64", "F16", "BF16", "I64", ...
                        (converted to float32 in data)                    */
} cc_st_tensor;

typedef struct cc_safetensors {
    size_t n;                 /* tensors, in file order                     */
    cc_st_tensor *tensors;
    size_t n_meta;            /* metadata entries, in insertion order       */
    char **meta_keys;
    char **meta_values;
    size_t cap, cap_meta;     /* allocation sizes                           */
} cc_safetensors;

/* An empty container (tensors and metadata are added to it). */
int cc_st_new(cc_safetensors **out, cc_error *err);
void cc_st_free(cc_safetensors *st);

/* Add a tensor (the values are copied; data NULL gives zeros). Names are
 * unique, non-empty and not "__metadata__". */
int cc_st_add(cc_safetensors *st, const char *name, const int64_t *shape, int ndim,
              const float *data, cc_error *err);
/* Set (or replace) a metadata entry. */
int cc_st_set_meta(cc_safetensors *st, const char *key, const char *value, cc_error *err);

/* Lookups: NULL when absent. */
const cc_st_tensor *cc_st_find(const cc_safetensors *st, const char *name);
const char *cc_st_meta(const cc_safetensors *st, const char *key);

/* Serialise to a new buffer (free() it). */
int cc_st_serialize(const cc_safetensors *st, unsigned char **out, size_t *len,
                    cc_error *err);
/* Parse a whole file's bytes. Only F32 tensors are accepted. Errors name
 * the byte offset: a header length past the end, malformed JSON, offsets
 * that overlap, leave holes or run past the end, a shape that does not match
 * its byte count. */
int cc_st_parse(cc_safetensors **out, const unsigned char *data, size_t len,
                cc_error *err);

/* As cc_st_parse, for state_dicts other tools wrote
 * (safetensors.torch.save_file): every numeric dtype is read (F32, F64,
 * F16, BF16, I64, I32, I16, I8, U8, BOOL), converted to float32, and each
 * tensor's dtype says what the file held; others (F8_*, U16, U32, U64,
 * complex) are refused by name. */
int cc_st_parse_any(cc_safetensors **out, const unsigned char *data, size_t len,
                    cc_error *err);

/* Write atomically (temporary file + rename) / read a file; errors carry
 * the path as their source. */
int cc_st_save(const cc_safetensors *st, const char *path, cc_error *err);
int cc_st_load(cc_safetensors **out, const char *path, cc_error *err);

#ifdef __cplusplus
}
#endif
#endif
