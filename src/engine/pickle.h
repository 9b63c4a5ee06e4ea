/* pickle.h - a restricted reader of the pickle torch.save writes for a
 * state_dict (private to the engine). It never imports or calls anything:
 * it understands a fixed set of opcodes and four kinds of globals
 * (collections.OrderedDict, torch._utils._rebuild_tensor_v2, the
 * torch.*Storage types), evaluates the few calls torch.save's pickle makes
 * with them itself, and refuses every other opcode or global by name with
 * its byte offset. */
#ifndef CONVCALC_PICKLE_H
#define CONVCALC_PICKLE_H

#include <stddef.h>
#include <stdint.h>

#include "convcalc/common.h"

#define PK_MAX_DIMS 8

/* Element types of torch's storages (torch.FloatStorage, ...). */
typedef enum pk_dtype {
    PK_F32 = 0, PK_F64, PK_F16, PK_BF16, PK_I64, PK_I32, PK_I16, PK_I8, PK_U8, PK_BOOL,
    PK_DTYPE_COUNT
} pk_dtype;

/* Bytes per element, and the safetensors name ("F32", "I64", ...). */
size_t pk_dtype_size(pk_dtype t);
const char *pk_dtype_name(pk_dtype t);

/* Convert count elements of type t (little-endian, src) to float32. */
void pk_convert(float *dst, const unsigned char *src, pk_dtype t, size_t count);

/* One entry of the state_dict. Strings point into the pickle bytes and are
 * not NUL-terminated. */
typedef struct pk_tensor {
    const char *name;
    size_t name_len;
    const char *key;        /* storage key: the archive member data/KEY   */
    size_t key_len;
    pk_dtype dtype;
    int64_t storage_numel;  /* elements in the storage                    */
    int64_t offset;         /* storage offset of element 0, in elements   */
    int ndim;
    int64_t size[PK_MAX_DIMS], stride[PK_MAX_DIMS];
    size_t at;              /* byte offset of the entry's key             */
} pk_tensor;

/* Read a state_dict pickle: a dict or OrderedDict from str to tensors.
 * *out is a new array of *n entries (free() it). Errors (CC_EINVAL) say
 * "at byte N of WHAT: ..." with the opcode's offset. */
int pk_state_dict(pk_tensor **out, size_t *n, const unsigned char *p, size_t len,
                  const char *what, cc_error *err);

#endif
