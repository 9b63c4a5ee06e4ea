/* test_model.c - safetensors: round trip, the byte layout, metadata, and
 * every malformed-file case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convcalc/model.h"

static cc_safetensors *sample(void)
{
    cc_safetensors *st;
    cc_error err;
    assert_int_equal(cc_st_new(&st, &err), 0);
    float w[2 * 3 * 2 * 2], b[2] = {0.5f, -1.25f};
    for (int i = 0; i < 24; i++)
        w[i] = (float)i / 7.0f - 1.0f;
    int64_t ws[4] = {2, 3, 2, 2}, bs[1] = {2}, none[1] = {0};
    assert_int_equal(cc_st_add(st, "0.weight", ws, 4, w, &err), 0);
    assert_int_equal(cc_st_add(st, "0.bias", bs, 1, b, &err), 0);
    assert_int_equal(cc_st_add(st, "empty", none, 1, NULL, &err), 0);
    assert_int_equal(cc_st_set_meta(st, "convcalc.stack", "input 4x4x3\nconv 2 2x2\n\"q\"\\", &err), 0);
    assert_int_equal(cc_st_set_meta(st, "format", "pt", &err), 0);
    return st;
}

static void test_round_trip(void **state)
{
    (void)state;
    cc_safetensors *st = sample(), *back;
    cc_error err;
    unsigned char *buf;
    size_t len;
    assert_int_equal(cc_st_serialize(st, &buf, &len, &err), 0);
    /* the layout: header length (a multiple of 8), '{', then 26 floats */
    uint64_t hlen = 0;
    for (int i = 0; i < 8; i++)
        hlen |= (uint64_t)buf[i] << (8 * i);
    assert_int_equal(hlen % 8, 0);
    assert_int_equal(buf[8], '{');
    assert_int_equal(len, 8 + hlen + 26 * 4);
    /* 0.bias follows the 24 weights: 0.5f little-endian is 00 00 00 3f */
    const unsigned char *bias = buf + 8 + hlen + 24 * 4;
    assert_int_equal(bias[0], 0);
    assert_int_equal(bias[3], 0x3f);
    assert_non_null(strstr((const char *)buf + 8, "\"dtype\":\"F32\""));
    assert_non_null(strstr((const char *)buf + 8, "\"data_offsets\":[96,104]"));
    assert_int_equal(cc_st_parse(&back, buf, len, &err), 0);
    assert_int_equal(back->n, 3);
    const cc_st_tensor *t = cc_st_find(back, "0.weight");
    assert_non_null(t);
    assert_int_equal(t->ndim, 4);
    assert_int_equal(t->shape[1], 3);
    assert_memory_equal(t->data, cc_st_find(st, "0.weight")->data, 24 * sizeof(float));
    assert_int_equal(cc_st_find(back, "empty")->count, 0);
    assert_string_equal(cc_st_meta(back, "convcalc.stack"), "input 4x4x3\nconv 2 2x2\n\"q\"\\");
    assert_null(cc_st_find(back, "missing"));
    /* through a file */
    char path[256];
    snprintf(path, sizeof path, "%s/cc-model-%d.safetensors",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    assert_int_equal(cc_st_save(st, path, &err), 0);
    cc_safetensors *f;
    assert_int_equal(cc_st_load(&f, path, &err), 0);
    assert_int_equal(f->n, 3);
    assert_string_equal(cc_st_meta(f, "format"), "pt");
    cc_st_free(f);
    unlink(path);
    /* duplicate and bad names */
    int64_t one[1] = {1};
    assert_int_equal(cc_st_add(st, "0.bias", one, 1, NULL, &err), CC_EINVAL);
    assert_int_equal(cc_st_add(st, "__metadata__", one, 1, NULL, &err), CC_EINVAL);
    int64_t huge[2] = {INT64_C(1) << 40, INT64_C(1) << 40};
    assert_int_equal(cc_st_add(st, "huge", huge, 2, NULL, &err), CC_ERANGE);
    cc_st_free(back);
    cc_st_free(st);
    free(buf);
}

/* a file from a header text and n data bytes */
static unsigned char *raw(const char *header, size_t data_bytes, size_t *len)
{
    size_t h = strlen(header);
    *len = 8 + h + data_bytes;
    unsigned char *b = calloc(1, *len);
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((uint64_t)h >> (8 * i));
    memcpy(b + 8, header, h);
    return b;
}

static void expect_bad(const char *header, size_t data_bytes, const char *needle)
{
    size_t len;
    unsigned char *b = raw(header, data_bytes, &len);
    cc_safetensors *st = NULL;
    cc_error err;
    cc_error_clear(&err);
    int rc = cc_st_parse(&st, b, len, &err);
    free(b);
    assert_null(st);
    if (rc != CC_EINVAL || !strstr(err.msg, needle))
        fail_msg("header %s: got %d '%s', expected '%s'", header, rc, err.msg, needle);
}

static void test_malformed(void **state)
{
    (void)state;
    cc_safetensors *st = NULL;
    cc_error err;
    unsigned char shortbuf[5] = {1, 2, 3, 4, 5};
    assert_int_equal(cc_st_parse(&st, shortbuf, 5, &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "at byte 5"));
    unsigned char big[16] = {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, '{', '}'};
    assert_int_equal(cc_st_parse(&st, big, 16, &err), CC_EINVAL);
    assert_non_null(strstr(err.msg, "header length 4294967295 is past the end"));
    expect_bad("[1,2]   ", 0, "does not start with '{'");
    expect_bad("{\"a\":   ", 0, "malformed JSON header");
    expect_bad("{\"a\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}", 2,
               "dtype F16");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4,
               "has 2 values but 4 data bytes");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,8]}}", 4,
               "outside the 4 data bytes");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8,
               "leaves a gap");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
               "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
               4, "overlaps another");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 12,
               "8 bytes of data after the last tensor");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4,
               "bad shape");
    expect_bad("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "lacks dtype");
    expect_bad("{\"__metadata__\":{\"k\":3}}", 0, "metadata 'k' is not a string");
    /* a missing file names itself */
    assert_int_equal(cc_st_load(&st, "/nonexistent/m.safetensors", &err), CC_EINVAL);
    assert_string_equal(err.source, "/nonexistent/m.safetensors");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
