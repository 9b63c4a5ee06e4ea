/* pt.c - PyTorch .pt state_dict archives (see convcalc/weights.h): the zip
 * archive through libzip, the pickle through the restricted reader of
 * pickle.c, the storages gathered into float32 tensors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "convcalc/io.h"
#include "convcalc/weights.h"
#include "engine/pickle.h"

/* Largest member convcalc reads from an archive (data.pkl or a storage). */
#define PT_MAX_MEMBER ((size_t)1 << 32)

typedef struct archive {
    zip_t *za;
    const char *prefix; /* "DIR/" of DIR/data.pkl */
    size_t prefix_len;
    size_t file_len;
} archive;

/* Read member `name` (exactly `want` bytes, or any size up to PT_MAX_MEMBER
 * when want is SIZE_MAX) into a new buffer. */
static int read_member(archive *a, const char *name, size_t want, unsigned char **out,
                       size_t *len, cc_error *err)
{
    *out = NULL;
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat(a->za, name, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
        return cc_error_set(err, CC_EINVAL, "the archive has no member %s (a .pt file from "
                                            "torch.save has DIR/data.pkl and DIR/data/KEY "
                                            "for each storage)", name);
    if (want != SIZE_MAX && st.size != want)
        return cc_error_set(err, CC_EINVAL, "archive member %s has %llu bytes but its "
                                            "storage needs %zu (corrupt file?)", name,
                            (unsigned long long)st.size, want);
    if (st.size > PT_MAX_MEMBER ||
        ((st.valid & ZIP_STAT_COMP_SIZE) && st.size / 1100 > st.comp_size + 1))
        return cc_error_set(err, CC_ERANGE, "archive member %s claims %llu bytes (too large "
                                            "for its %zu-byte file)", name,
                            (unsigned long long)st.size, a->file_len);
    size_t n = (size_t)st.size;
    unsigned char *buf = malloc(n ? n : 1);
    if (!buf)
        return cc_error_set(err, CC_ENOMEM, "out of memory for archive member %s (%zu bytes)",
                            name, n);
    zip_file_t *f = zip_fopen(a->za, name, 0);
    zip_int64_t got = f ? zip_fread(f, buf, n) : -1;
    if (!f || got < 0 || (size_t)got != n) {
        const char *why = f ? zip_file_strerror(f) : zip_strerror(a->za);
        cc_error_set(err, CC_EINVAL, "archive member %s cannot be read (%s; truncated or "
                                     "corrupt file?)", name, why);
        if (f)
            zip_fclose(f);
        free(buf);
        return CC_EINVAL;
    }
    zip_fclose(f);
    *out = buf;
    *len = n;
    return 0;
}

/* Gather tensor t from its storage bytes into dst (row-major). */
static int gather(float *dst, size_t count, const pk_tensor *t, const unsigned char *storage,
                  const char *member, cc_error *err)
{
    if (t->offset < 0 || t->offset > t->storage_numel)
        return cc_error_set(err, CC_EINVAL, "tensor '%.*s' starts at element %lld of a "
                                            "%lld-element storage (%s)", (int)t->name_len,
                            t->name, (long long)t->offset, (long long)t->storage_numel,
                            member);
    /* the last element must lie inside the storage */
    int64_t last = t->offset;
    for (int d = 0; d < t->ndim && count; d++) {
        int64_t span;
        if (t->stride[d] < 0 || cc_i64_mul(t->size[d] - 1, t->stride[d], &span) != 0 ||
            cc_i64_add(last, span, &last) != 0)
            return cc_error_set(err, CC_EINVAL, "tensor '%.*s' has stride %lld in dimension "
                                                "%d (out of range)", (int)t->name_len, t->name,
                                (long long)t->stride[d], d);
    }
    if (count && last >= t->storage_numel)
        return cc_error_set(err, CC_EINVAL, "tensor '%.*s' reaches element %lld of a "
                                            "%lld-element storage (%s)", (int)t->name_len,
                            t->name, (long long)last, (long long)t->storage_numel, member);
    size_t es = pk_dtype_size(t->dtype);
    int64_t idx[PK_MAX_DIMS] = {0};
    for (size_t i = 0; i < count; i++) {
        int64_t at = t->offset;
        for (int d = 0; d < t->ndim; d++)
            at += idx[d] * t->stride[d];
        pk_convert(&dst[i], storage + (size_t)at * es, t->dtype, 1);
        for (int d = t->ndim - 1; d >= 0; d--) {
            if (++idx[d] < t->size[d])
                break;
            idx[d] = 0;
        }
    }
    return 0;
}

/* Add tensor t (reading its storage) to st. */
static int add_tensor(archive *a, cc_safetensors *st, const pk_tensor *t, cc_error *err)
{
    char name[512], member[600];
    if (t->name_len >= sizeof name || t->key_len > 64)
        return cc_error_set(err, CC_EINVAL, "a tensor name or storage key is too long");
    memcpy(name, t->name, t->name_len);
    name[t->name_len] = '\0';
    snprintf(member, sizeof member, "%.*sdata/%.*s", (int)a->prefix_len, a->prefix,
             (int)t->key_len, t->key);
    int64_t shape[CC_ST_MAX_DIMS];
    for (int d = 0; d < t->ndim; d++) {
        if (t->size[d] < 0 || t->size[d] > CC_DIM_MAX * 4L)
            return cc_error_set(err, CC_ERANGE, "tensor '%s' has size %lld in dimension %d "
                                                "(out of range)", name, (long long)t->size[d], d);
        shape[d] = t->size[d];
    }
    size_t sbytes;
    if (t->storage_numel < 0 ||
        cc_size_mul((size_t)t->storage_numel, pk_dtype_size(t->dtype), &sbytes) != 0 ||
        sbytes > PT_MAX_MEMBER)
        return cc_error_set(err, CC_ERANGE, "tensor '%s': its storage of %lld elements is too "
                                            "large", name, (long long)t->storage_numel);
    /* the storage must be in the archive with its size, and the tensor no
     * larger than it, before anything the size of the tensor is allocated */
    size_t count = 1;
    for (int d = 0; d < t->ndim; d++)
        if (cc_size_mul(count, (size_t)shape[d], &count) != 0)
            return cc_error_set(err, CC_ERANGE, "tensor '%s': its size overflows", name);
    if (count > (size_t)t->storage_numel)
        return cc_error_set(err, CC_EINVAL, "tensor '%s' has %zu elements but its storage %s "
                                            "only %lld (expanded views are not read)", name,
                            count, member, (long long)t->storage_numel);
    unsigned char *buf;
    size_t len;
    int rc = read_member(a, member, sbytes, &buf, &len, err);
    if (rc)
        return rc;
    if ((rc = cc_st_add(st, name, shape, t->ndim, NULL, err)) != 0) {
        free(buf);
        return rc;
    }
    cc_st_tensor *o = &st->tensors[st->n - 1];
    snprintf(o->dtype, sizeof o->dtype, "%s", pk_dtype_name(t->dtype));
    rc = gather(o->data, o->count, t, buf, member, err);
    free(buf);
    return rc;
}

static int zip_fail(cc_error *err, size_t len, zip_error_t *ze)
{
    int code = zip_error_code_zip(ze);
    int rc = cc_error_set(err, CC_EINVAL,
                          code == ZIP_ER_NOZIP
                              ? "at byte %zu: no zip directory at the end of the file (a .pt "
                                "file is a zip archive; truncated?)"
                              : "at byte %zu: the zip archive is corrupt (%s)",
                          len, zip_error_strerror(ze));
    zip_error_fini(ze);
    return rc;
}

int cc_pt_parse(cc_safetensors **out, const unsigned char *data, size_t len, cc_error *err)
{
    *out = NULL;
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    if (!src)
        return zip_fail(err, 0, &ze);
    zip_t *za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    if (!za) {
        zip_source_free(src);
        return zip_fail(err, len, &ze);
    }
    zip_error_fini(&ze);
    archive a = {.za = za, .file_len = len};
    char pkl[600] = "";
    zip_int64_t n = zip_get_num_entries(za, 0);
    for (zip_int64_t i = 0; i < n && !pkl[0]; i++) {
        const char *nm = zip_get_name(za, (zip_uint64_t)i, 0);
        size_t l = nm ? strlen(nm) : 0;
        if (l >= 8 && l < sizeof pkl && strcmp(nm + l - 8, "data.pkl") == 0 &&
            (l == 8 || nm[l - 9] == '/')) {
            memcpy(pkl, nm, l + 1);
            a.prefix = pkl;
            a.prefix_len = l - 8;
        }
    }
    int rc = 0;
    unsigned char *pk = NULL, *bo = NULL;
    size_t pklen = 0, bolen = 0;
    pk_tensor *ts = NULL;
    size_t nt = 0;
    cc_safetensors *st = NULL;
    if (!pkl[0]) {
        rc = cc_error_set(err, CC_EINVAL, "the zip archive has no DIR/data.pkl (not a .pt file "
                                          "written by torch.save)");
        goto out;
    }
    char bname[600];
    snprintf(bname, sizeof bname, "%.*sbyteorder", (int)a.prefix_len, a.prefix);
    if (zip_name_locate(za, bname, 0) >= 0) {
        if ((rc = read_member(&a, bname, SIZE_MAX, &bo, &bolen, err)) != 0)
            goto out;
        if (!(bolen == 6 && memcmp(bo, "little", 6) == 0)) {
            rc = cc_error_set(err, CC_EINVAL, "%s says the storages are not little-endian "
                                              "(convcalc reads little-endian ones)", bname);
            goto out;
        }
    }
    if ((rc = read_member(&a, pkl, SIZE_MAX, &pk, &pklen, err)) != 0 ||
        (rc = pk_state_dict(&ts, &nt, pk, pklen, pkl, err)) != 0 ||
        (rc = cc_st_new(&st, err)) != 0)
        goto out;
    for (size_t i = 0; i < nt && !rc; i++)
        rc = add_tensor(&a, st, &ts[i], err);
out:
    free(ts);
    free(pk);
    free(bo);
    zip_discard(za);
    if (rc)
        cc_st_free(st);
    else
        *out = st;
    return rc;
}

int cc_state_dict_load(cc_safetensors **out, const char *path, cc_error *err)
{
    *out = NULL;
    unsigned char *buf;
    size_t len;
    int rc = cc_file_read(path, CC_FILE_MAX, &buf, &len, NULL, err);
    if (rc)
        return rc;
    if (len >= 4 && memcmp(buf, "PK\x03\x04", 4) == 0)
        rc = cc_pt_parse(out, buf, len, err);
    else if (len >= 2 && buf[0] == 0x80 && buf[1] <= 5)
        rc = cc_error_set(err, CC_EINVAL,
                          "at byte 0: a pickle, not a zip archive: the legacy torch.save "
                          "format (before PyTorch 1.6, or _use_new_zipfile_serialization="
                          "False), which convcalc does not read; re-save it with a current "
                          "torch.save");
    else if (len >= 9 && buf[8] == '{')
        rc = cc_st_parse_any(out, buf, len, err);
    else
        rc = cc_error_set(err, CC_EINVAL, "at byte 0: neither a PyTorch .pt archive (zip) nor "
                                          "safetensors");
    free(buf);
    if (rc)
        cc_error_source(err, path);
    return rc;
}
