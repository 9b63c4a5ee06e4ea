/* pickle.c - the restricted state_dict pickle reader (see pickle.h).
 *
 * What torch.save (protocol 2) writes for model.state_dict(), and so all
 * that is accepted:
 *   PROTO, FRAME, STOP, MARK, EMPTY_DICT, EMPTY_TUPLE, TUPLE, TUPLE1..3,
 *   BINUNICODE, SHORT_BINUNICODE, BININT, BININT1, BININT2, LONG1, NONE,
 *   NEWTRUE, NEWFALSE, BINPUT, LONG_BINPUT, MEMOIZE, BINGET, LONG_BINGET,
 *   GLOBAL, STACK_GLOBAL, BINPERSID, REDUCE, SETITEM, SETITEMS, BUILD;
 *   globals collections.OrderedDict, torch._utils._rebuild_tensor_v2 and
 *   torch.{Float,Double,Half,BFloat16,Long,Int,Short,Char,Byte,Bool}Storage.
 * REDUCE is evaluated here for OrderedDict() and _rebuild_tensor_v2(...)
 * only; BINPERSID only for ('storage', TYPE, KEY, LOCATION, NUMEL); BUILD
 * only sets a dict's attributes (the state_dict's _metadata), which are
 * ignored. Values live in one growing array and refer to each other by
 * index, so memory is linear in the input's length. */
#include "engine/pickle.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- dtypes ---------------------------------------------------------------- */
static const struct {
    const char *storage, *name;
    size_t size;
} dtypes[PK_DTYPE_COUNT] = {
    [PK_F32] = {"FloatStorage", "F32", 4},      [PK_F64] = {"DoubleStorage", "F64", 8},
    [PK_F16] = {"HalfStorage", "F16", 2},       [PK_BF16] = {"BFloat16Storage", "BF16", 2},
    [PK_I64] = {"LongStorage", "I64", 8},       [PK_I32] = {"IntStorage", "I32", 4},
    [PK_I16] = {"ShortStorage", "I16", 2},      [PK_I8] = {"CharStorage", "I8", 1},
    [PK_U8] = {"ByteStorage", "U8", 1},         [PK_BOOL] = {"BoolStorage", "BOOL", 1},
};

size_t pk_dtype_size(pk_dtype t) { return dtypes[t].size; }
const char *pk_dtype_name(pk_dtype t) { return dtypes[t].name; }

static uint64_t le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static float half_to_float(uint16_t h)
{
    int e = (h >> 10) & 0x1f, m = h & 0x3ff;
    float v = e == 0    ? ldexpf((float)m, -24)
              : e == 31 ? (m ? NAN : INFINITY)
                        : ldexpf((float)(m | 0x400), e - 25);
    return (h & 0x8000) ? -v : v;
}

void pk_convert(float *dst, const unsigned char *src, pk_dtype t, size_t count)
{
    size_t s = dtypes[t].size;
    for (size_t i = 0; i < count; i++, src += s) {
        uint64_t u = le(src, (int)s);
        uint32_t u32;
        double d;
        switch (t) {
        case PK_F32:
            u32 = (uint32_t)u;
            memcpy(&dst[i], &u32, 4);
            break;
        case PK_BF16:
            u32 = (uint32_t)u << 16;
            memcpy(&dst[i], &u32, 4);
            break;
        case PK_F64:
            memcpy(&d, &u, 8);
            dst[i] = (float)d;
            break;
        case PK_F16: dst[i] = half_to_float((uint16_t)u); break;
        case PK_I64: dst[i] = (float)(int64_t)u; break;
        case PK_I32: dst[i] = (float)(int32_t)(uint32_t)u; break;
        case PK_I16: dst[i] = (float)(int16_t)(uint16_t)u; break;
        case PK_I8: dst[i] = (float)(int8_t)(uint8_t)u; break;
        default: dst[i] = (float)u; break; /* U8, BOOL */
        }
    }
}

/* ---- opcode names (every opcode of protocols 0 to 5, for messages) -------- */
static const char *op_name(unsigned char op)
{
    static const struct {
        unsigned char op;
        const char *name;
    } t[] = {
        {'(', "MARK"}, {'.', "STOP"}, {'0', "POP"}, {'1', "POP_MARK"}, {'2', "DUP"},
        {'F', "FLOAT"}, {'I', "INT"}, {'J', "BININT"}, {'K', "BININT1"}, {'L', "LONG"},
        {'M', "BININT2"}, {'N', "NONE"}, {'P', "PERSID"}, {'Q', "BINPERSID"},
        {'R', "REDUCE"}, {'S', "STRING"}, {'T', "BINSTRING"}, {'U', "SHORT_BINSTRING"},
        {'V', "UNICODE"}, {'X', "BINUNICODE"}, {'a', "APPEND"}, {'b', "BUILD"},
        {'c', "GLOBAL"}, {'d', "DICT"}, {'}', "EMPTY_DICT"}, {'e', "APPENDS"}, {'g', "GET"},
        {'h', "BINGET"}, {'i', "INST"}, {'j', "LONG_BINGET"}, {'l', "LIST"},
        {']', "EMPTY_LIST"}, {'o', "OBJ"}, {'p', "PUT"}, {'q', "BINPUT"},
        {'r', "LONG_BINPUT"}, {'s', "SETITEM"}, {'t', "TUPLE"}, {')', "EMPTY_TUPLE"},
        {'u', "SETITEMS"}, {'G', "BINFLOAT"}, {0x80, "PROTO"}, {0x81, "NEWOBJ"},
        {0x82, "EXT1"}, {0x83, "EXT2"}, {0x84, "EXT4"}, {0x85, "TUPLE1"}, {0x86, "TUPLE2"},
        {0x87, "TUPLE3"}, {0x88, "NEWTRUE"}, {0x89, "NEWFALSE"}, {0x8a, "LONG1"},
        {0x8b, "LONG4"}, {'B', "BINBYTES"}, {'C', "SHORT_BINBYTES"},
        {0x8c, "SHORT_BINUNICODE"}, {0x8d, "BINUNICODE8"}, {0x8e, "BINBYTES8"},
        {0x8f, "EMPTY_SET"}, {0x90, "ADDITEMS"}, {0x91, "FROZENSET"}, {0x92, "NEWOBJ_EX"},
        {0x93, "STACK_GLOBAL"}, {0x94, "MEMOIZE"}, {0x95, "FRAME"}, {0x96, "BYTEARRAY8"},
        {0x97, "NEXT_BUFFER"}, {0x98, "READONLY_BUFFER"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (t[i].op == op)
            return t[i].name;
    return NULL;
}

/* ---- values ------------------------------------------------------------------ */
enum { V_NONE, V_BOOL, V_INT, V_STR, V_TUPLE, V_DICT, V_GLOBAL, V_STORAGE, V_TENSOR };
enum { G_ODICT, G_REBUILD, G_STORAGE };

typedef struct val {
    int kind;
    int64_t i;          /* int, bool; global: G_*; storage: numel; tensor: offset */
    const char *s;      /* str                                            */
    size_t len;         /* str length; tuple: items                       */
    size_t a;           /* tuple: first kid; dict: first entry (or SIZE_MAX);
                           tensor: storage value; storage: key value      */
    size_t b;           /* dict: last entry; tensor: size tuple           */
    size_t c;           /* tensor: stride tuple                           */
    int dtype;          /* global storage type, storage                   */
} val;

typedef struct entry {
    size_t key, value, next;
    size_t at;
} entry;

typedef struct pk {
    const unsigned char *p;
    size_t len, pos, op_at;
    const char *what;
    cc_error *err;
    val *v;
    size_t nv, cv;
    size_t *stack, ns, cs;
    size_t *marks, nm, cm;
    size_t *memo, nmemo; /* [nmemo] value indexes, SIZE_MAX: unset */
    size_t memo_set;     /* entries set (MEMOIZE stores at this index) */
    size_t *kids, nk, ck;
    entry *ents;
    size_t ne, ce;
} pk;

#define NONE_IDX SIZE_MAX

static int fail(pk *k, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(pk *k, int code, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cc_error_set(k->err, code, "at byte %zu of %s: %s", k->op_at, k->what, msg);
}

/* Grow *arr (element size es) to hold at least need elements. */
static int grow(pk *k, void *arr, size_t *cap, size_t need, size_t es)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 64;
    while (nc < need)
        nc *= 2;
    size_t bytes;
    if (cc_size_mul(nc, es, &bytes) != 0)
        return fail(k, CC_ERANGE, "too many values");
    void *np = realloc(*(void **)arr, bytes);
    if (!np)
        return fail(k, CC_ENOMEM, "out of memory");
    *(void **)arr = np;
    *cap = nc;
    return 0;
}

static int new_val(pk *k, const val *v, size_t *idx)
{
    int rc = grow(k, &k->v, &k->cv, k->nv + 1, sizeof *k->v);
    if (rc)
        return rc;
    k->v[k->nv] = *v;
    *idx = k->nv++;
    return 0;
}

static int push(pk *k, size_t idx)
{
    int rc = grow(k, &k->stack, &k->cs, k->ns + 1, sizeof *k->stack);
    if (rc)
        return rc;
    k->stack[k->ns++] = idx;
    return 0;
}

static int push_new(pk *k, val v)
{
    size_t idx;
    int rc = new_val(k, &v, &idx);
    return rc ? rc : push(k, idx);
}

static int pop(pk *k, size_t *idx)
{
    size_t floor_ = k->nm ? k->marks[k->nm - 1] : 0;
    if (k->ns <= floor_)
        return fail(k, CC_EINVAL, "%s needs a value but the stack is empty%s",
                    op_name(k->p[k->op_at]), k->nm ? " above the mark" : "");
    *idx = k->stack[--k->ns];
    return 0;
}

static int need(pk *k, size_t n)
{
    if (k->len - k->pos < n)
        return fail(k, CC_EINVAL, "the pickle ends inside %s (truncated? %zu more bytes "
                                  "expected)", op_name(k->p[k->op_at]), n - (k->len - k->pos));
    return 0;
}

/* Pop the items above the topmost mark into a new tuple (or, for setitems,
 * leave them for the caller): returns their count and start in *first. */
static int pop_mark(pk *k, size_t *first, size_t *count)
{
    if (!k->nm)
        return fail(k, CC_EINVAL, "%s without a MARK before it", op_name(k->p[k->op_at]));
    size_t m = k->marks[--k->nm];
    *first = m;
    *count = k->ns - m;
    k->ns = m;
    return 0;
}

static int make_tuple(pk *k, const size_t *items, size_t n)
{
    int rc = grow(k, &k->kids, &k->ck, k->nk + n + 1, sizeof *k->kids);
    if (rc)
        return rc;
    size_t first = k->nk;
    if (n)
        memcpy(k->kids + k->nk, items, n * sizeof *items);
    k->nk += n;
    return push_new(k, (val){.kind = V_TUPLE, .a = first, .len = n});
}

static int set_item(pk *k, size_t dict, size_t key, size_t value)
{
    if (k->v[dict].kind != V_DICT)
        return fail(k, CC_EINVAL, "%s on something that is not a dict",
                    op_name(k->p[k->op_at]));
    int rc = grow(k, &k->ents, &k->ce, k->ne + 1, sizeof *k->ents);
    if (rc)
        return rc;
    k->ents[k->ne] = (entry){key, value, NONE_IDX, k->op_at};
    val *d = &k->v[dict];
    if (d->a == NONE_IDX)
        d->a = k->ne;
    else
        k->ents[d->b].next = k->ne;
    d->b = k->ne++;
    return 0;
}

static int global(pk *k, const char *mod, size_t ml, const char *name, size_t nl)
{
#define IS(s, l, lit) ((l) == sizeof(lit) - 1 && memcmp((s), (lit), (l)) == 0)
    if (IS(mod, ml, "collections") && IS(name, nl, "OrderedDict"))
        return push_new(k, (val){.kind = V_GLOBAL, .i = G_ODICT});
    if (IS(mod, ml, "torch._utils") && IS(name, nl, "_rebuild_tensor_v2"))
        return push_new(k, (val){.kind = V_GLOBAL, .i = G_REBUILD});
    if (IS(mod, ml, "torch"))
        for (int t = 0; t < PK_DTYPE_COUNT; t++)
            if (strlen(dtypes[t].storage) == nl && memcmp(name, dtypes[t].storage, nl) == 0)
                return push_new(k, (val){.kind = V_GLOBAL, .i = G_STORAGE, .dtype = t});
#undef IS
    return fail(k, CC_EINVAL,
                "the global %.*s.%.*s is not allowed (a state_dict holds only "
                "collections.OrderedDict, torch._utils._rebuild_tensor_v2 and "
                "torch.*Storage; a whole saved module or other objects are not read)",
                (int)(ml > 80 ? 80 : ml), mod, (int)(nl > 80 ? 80 : nl), name);
}

static const size_t *tuple_items(pk *k, size_t t) { return k->kids + k->v[t].a; }

static int is_int(pk *k, size_t i) { return k->v[i].kind == V_INT || k->v[i].kind == V_BOOL; }

/* BINPERSID: ('storage', TYPE, KEY, LOCATION, NUMEL). */
static int persid(pk *k)
{
    size_t t;
    int rc = pop(k, &t);
    if (rc)
        return rc;
    if (k->v[t].kind != V_TUPLE || k->v[t].len != 5)
        return fail(k, CC_EINVAL, "BINPERSID of something other than a storage "
                                  "('storage', TYPE, KEY, LOCATION, NUMEL)");
    const size_t *it = tuple_items(k, t);
    if (k->v[it[0]].kind != V_STR ||
        k->v[it[0]].len != 7 || memcmp(k->v[it[0]].s, "storage", 7) != 0 ||
        k->v[it[1]].kind != V_GLOBAL || k->v[it[1]].i != G_STORAGE ||
        k->v[it[2]].kind != V_STR || k->v[it[4]].kind != V_INT || k->v[it[4]].i < 0)
        return fail(k, CC_EINVAL, "BINPERSID of something other than a storage "
                                  "('storage', TYPE, KEY, LOCATION, NUMEL)");
    return push_new(k, (val){.kind = V_STORAGE, .dtype = k->v[it[1]].dtype, .a = it[2],
                             .i = k->v[it[4]].i});
}

static int reduce(pk *k)
{
    size_t f, args;
    int rc = pop(k, &args);
    if (!rc)
        rc = pop(k, &f);
    if (rc)
        return rc;
    if (k->v[f].kind != V_GLOBAL || k->v[args].kind != V_TUPLE)
        return fail(k, CC_EINVAL, "REDUCE of something that is not an allowed global");
    size_t na = k->v[args].len;
    const size_t *a = tuple_items(k, args);
    if (k->v[f].i == G_ODICT) {
        if (na != 0)
            return fail(k, CC_EINVAL, "OrderedDict called with arguments");
        return push_new(k, (val){.kind = V_DICT, .a = NONE_IDX});
    }
    if (k->v[f].i != G_REBUILD)
        return fail(k, CC_EINVAL, "a storage type is called (only _rebuild_tensor_v2 and "
                                  "OrderedDict are)");
    /* _rebuild_tensor_v2(storage, offset, size, stride, requires_grad,
     * backward_hooks[, metadata]) */
    if (na < 6 || na > 7 || k->v[a[0]].kind != V_STORAGE || !is_int(k, a[1]) ||
        k->v[a[2]].kind != V_TUPLE || k->v[a[3]].kind != V_TUPLE ||
        k->v[a[2]].len != k->v[a[3]].len)
        return fail(k, CC_EINVAL, "_rebuild_tensor_v2 with arguments other than (storage, "
                                  "offset, size, stride, requires_grad, hooks)");
    if (k->v[a[2]].len > PK_MAX_DIMS)
        return fail(k, CC_EINVAL, "a tensor with %zu dimensions (at most %d)", k->v[a[2]].len,
                    PK_MAX_DIMS);
    for (size_t d = 0; d < k->v[a[2]].len; d++)
        if (!is_int(k, tuple_items(k, a[2])[d]) || !is_int(k, tuple_items(k, a[3])[d]))
            return fail(k, CC_EINVAL, "a tensor size or stride that is not an integer");
    return push_new(k, (val){.kind = V_TENSOR, .a = a[0], .i = k->v[a[1]].i, .b = a[2],
                             .c = a[3]});
}

static int memo_put(pk *k, uint64_t i)
{
    if (i >= k->len)
        return fail(k, CC_EINVAL, "memo index %llu is out of range (a pickle of %zu bytes "
                                  "cannot have made that many)", (unsigned long long)i, k->len);
    if (!k->ns)
        return fail(k, CC_EINVAL, "%s with an empty stack", op_name(k->p[k->op_at]));
    if (i >= k->nmemo) {
        size_t old = k->nmemo, cap = k->nmemo;
        int rc = grow(k, &k->memo, &cap, (size_t)i + 1, sizeof *k->memo);
        if (rc)
            return rc;
        for (size_t j = old; j < cap; j++)
            k->memo[j] = NONE_IDX;
        k->nmemo = cap;
    }
    if (k->memo[i] == NONE_IDX)
        k->memo_set++;
    k->memo[i] = k->stack[k->ns - 1];
    return 0;
}

static int memo_get(pk *k, uint64_t i)
{
    if (i >= k->nmemo || k->memo[i] == NONE_IDX)
        return fail(k, CC_EINVAL, "memo entry %llu was never stored", (unsigned long long)i);
    return push(k, k->memo[i]);
}

/* The GLOBAL opcode's "module\nname\n". */
static int read_line(pk *k, const char **s, size_t *l)
{
    const unsigned char *nl = memchr(k->p + k->pos, '\n', k->len - k->pos);
    if (!nl)
        return fail(k, CC_EINVAL, "the pickle ends inside GLOBAL (truncated?)");
    *s = (const char *)k->p + k->pos;
    *l = (size_t)(nl - (k->p + k->pos));
    k->pos += *l + 1;
    return 0;
}

static int step(pk *k, int *done)
{
    k->op_at = k->pos;
    unsigned char op = k->p[k->pos++];
    int rc = 0;
    size_t a, b, c, first, n;
    const char *s1, *s2;
    size_t l1, l2;
    switch (op) {
    case 0x80: /* PROTO */
        if ((rc = need(k, 1)) != 0)
            return rc;
        if (k->p[k->pos] > 5)
            return fail(k, CC_EINVAL, "pickle protocol %d (at most 5)", k->p[k->pos]);
        k->pos++;
        return 0;
    case 0x95: /* FRAME: an 8-byte length we do not need */
        if ((rc = need(k, 8)) != 0)
            return rc;
        k->pos += 8;
        return 0;
    case '.':
        *done = 1;
        return 0;
    case '(':
        if ((rc = grow(k, &k->marks, &k->cm, k->nm + 1, sizeof *k->marks)) != 0)
            return rc;
        k->marks[k->nm++] = k->ns;
        return 0;
    case '}':
        return push_new(k, (val){.kind = V_DICT, .a = NONE_IDX});
    case ')':
        return make_tuple(k, NULL, 0);
    case 't':
        if ((rc = pop_mark(k, &first, &n)) != 0)
            return rc;
        return make_tuple(k, n ? k->stack + first : NULL, n);
    case 0x85: case 0x86: case 0x87: {
        size_t items[3], cnt = (size_t)(op - 0x84);
        for (size_t i = cnt; i-- > 0;)
            if ((rc = pop(k, &items[i])) != 0)
                return rc;
        return make_tuple(k, items, cnt);
    }
    case 'X': case 0x8c:
        l1 = op == 'X' ? 4 : 1;
        if ((rc = need(k, l1)) != 0)
            return rc;
        n = (size_t)le(k->p + k->pos, (int)l1);
        k->pos += l1;
        if ((rc = need(k, n)) != 0)
            return rc;
        if (memchr(k->p + k->pos, 0, n))
            return fail(k, CC_EINVAL, "a string with a NUL byte");
        rc = push_new(k, (val){.kind = V_STR, .s = (const char *)k->p + k->pos, .len = n});
        k->pos += n;
        return rc;
    case 'J': case 'K': case 'M':
        l1 = op == 'J' ? 4 : op == 'K' ? 1 : 2;
        if ((rc = need(k, l1)) != 0)
            return rc;
        a = (size_t)le(k->p + k->pos, (int)l1);
        k->pos += l1;
        return push_new(k, (val){.kind = V_INT,
                                 .i = op == 'J' ? (int64_t)(int32_t)(uint32_t)a : (int64_t)a});
    case 0x8a: { /* LONG1: n bytes, two's complement little-endian */
        if ((rc = need(k, 1)) != 0)
            return rc;
        n = k->p[k->pos++];
        if (n > 8)
            return fail(k, CC_EINVAL, "an integer of %zu bytes (at most 8)", n);
        if ((rc = need(k, n)) != 0)
            return rc;
        uint64_t u = n ? le(k->p + k->pos, (int)n) : 0;
        if (n && n < 8 && (k->p[k->pos + n - 1] & 0x80))
            u |= ~(uint64_t)0 << (8 * n);
        k->pos += n;
        return push_new(k, (val){.kind = V_INT, .i = (int64_t)u});
    }
    case 'N':
        return push_new(k, (val){.kind = V_NONE});
    case 0x88: case 0x89:
        return push_new(k, (val){.kind = V_BOOL, .i = op == 0x88});
    case 'q': case 'r':
        l1 = op == 'q' ? 1 : 4;
        if ((rc = need(k, l1)) != 0)
            return rc;
        a = (size_t)le(k->p + k->pos, (int)l1);
        k->pos += l1;
        return memo_put(k, a);
    case 0x94:
        return memo_put(k, k->memo_set);
    case 'h': case 'j':
        l1 = op == 'h' ? 1 : 4;
        if ((rc = need(k, l1)) != 0)
            return rc;
        a = (size_t)le(k->p + k->pos, (int)l1);
        k->pos += l1;
        return memo_get(k, a);
    case 'c':
        if ((rc = read_line(k, &s1, &l1)) != 0 || (rc = read_line(k, &s2, &l2)) != 0)
            return rc;
        return global(k, s1, l1, s2, l2);
    case 0x93: /* STACK_GLOBAL */
        if ((rc = pop(k, &b)) != 0 || (rc = pop(k, &a)) != 0)
            return rc;
        if (k->v[a].kind != V_STR || k->v[b].kind != V_STR)
            return fail(k, CC_EINVAL, "STACK_GLOBAL of values that are not strings");
        return global(k, k->v[a].s, k->v[a].len, k->v[b].s, k->v[b].len);
    case 'Q':
        return persid(k);
    case 'R':
        return reduce(k);
    case 's':
        if ((rc = pop(k, &b)) != 0 || (rc = pop(k, &a)) != 0 || (rc = pop(k, &c)) != 0)
            return rc;
        rc = set_item(k, c, a, b);
        return rc ? rc : push(k, c);
    case 'u':
        if ((rc = pop_mark(k, &first, &n)) != 0)
            return rc;
        if (n % 2)
            return fail(k, CC_EINVAL, "SETITEMS with an odd number of items");
        if ((rc = pop(k, &c)) != 0)
            return rc;
        for (size_t i = 0; i < n && !rc; i += 2)
            rc = set_item(k, c, k->stack[first + i], k->stack[first + i + 1]);
        return rc ? rc : push(k, c);
    case 'b': /* BUILD: only a dict's attributes (ignored) */
        if ((rc = pop(k, &b)) != 0)
            return rc;
        if (!k->ns || k->v[k->stack[k->ns - 1]].kind != V_DICT ||
            (k->v[b].kind != V_DICT && k->v[b].kind != V_NONE))
            return fail(k, CC_EINVAL, "BUILD of something other than a dict's attributes");
        return 0;
    default: {
        const char *name = op_name(op);
        if (name)
            return fail(k, CC_EINVAL,
                        "pickle opcode %s (0x%02x) is not allowed (a state_dict written by "
                        "torch.save does not use it)", name, op);
        return fail(k, CC_EINVAL, "byte 0x%02x is not a pickle opcode (corrupt data.pkl?)",
                    op);
    }
    }
}

/* Turn the final value into the entries. */
static int collect(pk *k, size_t root, pk_tensor **out, size_t *n)
{
    if (k->v[root].kind != V_DICT)
        return cc_error_set(k->err, CC_EINVAL, "in %s: the pickle holds no dict of tensors "
                                               "(not a state_dict)", k->what);
    size_t cnt = 0;
    for (size_t e = k->v[root].a; e != NONE_IDX; e = k->ents[e].next)
        cnt++;
    pk_tensor *t = calloc(cnt ? cnt : 1, sizeof *t);
    if (!t)
        return cc_error_set(k->err, CC_ENOMEM, "out of memory");
    size_t i = 0;
    for (size_t e = k->v[root].a; e != NONE_IDX; e = k->ents[e].next, i++) {
        const val *key = &k->v[k->ents[e].key], *v = &k->v[k->ents[e].value];
        k->op_at = k->ents[e].at;
        if (key->kind != V_STR) {
            free(t);
            return fail(k, CC_EINVAL, "a state_dict key that is not a string");
        }
        if (v->kind != V_TENSOR) {
            free(t);
            return fail(k, CC_EINVAL, "entry '%.*s' is not a tensor (a state_dict maps names "
                                      "to tensors)", (int)(key->len > 100 ? 100 : key->len),
                        key->s);
        }
        const val *st = &k->v[v->a], *sk = &k->v[st->a];
        pk_tensor *o = &t[i];
        o->name = key->s;
        o->name_len = key->len;
        o->key = sk->s;
        o->key_len = sk->len;
        o->dtype = (pk_dtype)st->dtype;
        o->storage_numel = st->i;
        o->offset = v->i;
        o->ndim = (int)k->v[v->b].len;
        for (int d = 0; d < o->ndim; d++) {
            o->size[d] = k->v[tuple_items(k, v->b)[d]].i;
            o->stride[d] = k->v[tuple_items(k, v->c)[d]].i;
        }
        o->at = k->ents[e].at;
    }
    *out = t;
    *n = cnt;
    return 0;
}

int pk_state_dict(pk_tensor **out, size_t *n, const unsigned char *p, size_t len,
                  const char *what, cc_error *err)
{
    *out = NULL;
    *n = 0;
    pk k = {.p = p, .len = len, .what = what, .err = err};
    int rc = 0, done = 0;
    while (!rc && !done) {
        if (k.pos >= len) {
            k.op_at = len;
            rc = fail(&k, CC_EINVAL, "the pickle ends without STOP (truncated?)");
            break;
        }
        rc = step(&k, &done);
    }
    if (!rc && k.ns != 1)
        rc = fail(&k, CC_EINVAL, "STOP with %zu values on the stack (expected 1)", k.ns);
    if (!rc)
        rc = collect(&k, k.stack[0], out, n);
    free(k.v);
    free(k.stack);
    free(k.marks);
    free(k.memo);
    free(k.kids);
    free(k.ents);
    return rc;
}
