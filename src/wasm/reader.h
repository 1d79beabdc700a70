/* reader.h — bounds-checked reading of the binary format (bytes, LEB128 integers, floats).
 * Every read checks the remaining length; the first failure records a message with the byte
 * offset and makes all later reads fail too. */
#ifndef BOXAGENT_WASM_READER_H
#define BOXAGENT_WASM_READER_H

#include "wasm/internal.h"

#include <stdio.h>
#include <string.h>

typedef struct rd {
    const uint8_t *base; /* start of the module (for offsets) */
    const uint8_t *p, *end;
    wasm_error *err;
    const char *where; /* e.g. "section 3 (function)" */
    bool where_has_num; /* `where` is followed by where_num: "code section, function" 12 */
    uint32_t where_num;
    bool failed;
} rd;

/* Messages are formatted only on failure: a successful compile never touches printf. */
static inline bool rd_fail(rd *r, const char *what)
{
    if (!r->failed) {
        r->failed = true;
        if (r->err && r->where_has_num)
            snprintf(r->err->message, sizeof r->err->message, "%s %u at byte offset %zu: %s",
                     r->where, r->where_num, (size_t)(r->p - r->base), what);
        else if (r->err)
            snprintf(r->err->message, sizeof r->err->message, "%s at byte offset %zu: %s",
                     r->where ? r->where : "module", (size_t)(r->p - r->base), what);
    }
    r->p = r->end;
    return false;
}

static inline size_t rd_left(const rd *r) { return (size_t)(r->end - r->p); }

static inline uint8_t rd_u8(rd *r)
{
    if (r->p >= r->end) {
        rd_fail(r, "unexpected end");
        return 0;
    }
    return *r->p++;
}

static inline uint64_t rd_uleb(rd *r, unsigned bits)
{
    uint64_t v = 0;
    unsigned shift = 0;
    for (;;) {
        if (r->p >= r->end) {
            rd_fail(r, "unexpected end (integer)");
            return 0;
        }
        uint8_t b = *r->p++;
        if (shift + 7 >= bits && shift < 64) {
            /* last allowed byte: no continuation, unused bits zero */
            if (b & 0x80) {
                rd_fail(r, "integer representation too long");
                return 0;
            }
            unsigned used = bits - shift;
            if (used < 7 && (b >> used) != 0) {
                rd_fail(r, "integer too large");
                return 0;
            }
            v |= (uint64_t)b << shift;
            return v;
        }
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
        shift += 7;
    }
}

static inline int64_t rd_sleb(rd *r, unsigned bits)
{
    uint64_t v = 0;
    unsigned shift = 0;
    for (;;) {
        if (r->p >= r->end) {
            rd_fail(r, "unexpected end (integer)");
            return 0;
        }
        uint8_t b = *r->p++;
        if (shift + 7 >= bits) {
            if (b & 0x80) {
                rd_fail(r, "integer representation too long");
                return 0;
            }
            unsigned used = bits - shift; /* 1..7 bits of payload */
            /* remaining bits (from bit used-1 up to bit 6) must all equal the sign bit */
            int sign = (b >> (used - 1)) & 1;
            uint8_t rest = (uint8_t)(b >> (used - 1)) & 0x7f;
            uint8_t want = sign ? (uint8_t)(0x7f >> (used - 1)) : 0;
            if (rest != want) {
                rd_fail(r, "integer too large");
                return 0;
            }
            v |= (uint64_t)(b & 0x7f) << shift;
            shift += 7;
            if (shift < 64 && sign)
                v |= ~(uint64_t)0 << shift;
            return (int64_t)v;
        }
        v |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80)) {
            if (shift < 64 && (b & 0x40))
                v |= ~(uint64_t)0 << shift;
            return (int64_t)v;
        }
    }
}

static inline uint32_t rd_u32(rd *r) { return (uint32_t)rd_uleb(r, 32); }

static inline bool rd_bytes(rd *r, size_t n, const uint8_t **out)
{
    if (rd_left(r) < n) {
        rd_fail(r, "unexpected end (length out of bounds)");
        return false;
    }
    *out = r->p;
    r->p += n;
    return true;
}

/* A vector count that must fit in the remaining bytes (each element takes >= min_size). */
static inline uint32_t rd_count(rd *r, size_t min_size)
{
    const uint8_t *at = r->p;
    uint32_t n = rd_u32(r);
    if (r->failed)
        return 0;
    if (min_size && (uint64_t)n * min_size > rd_left(r)) {
        r->p = at;
        rd_fail(r, "unexpected end (count larger than the remaining bytes)");
        return 0;
    }
    return n;
}

static inline bool valtype_ok(uint8_t t)
{
    return t == WASM_I32 || t == WASM_I64 || t == WASM_F32 || t == WASM_F64 ||
           t == WASM_FUNCREF || t == WASM_EXTERNREF;
}

static inline bool reftype_ok(uint8_t t) { return t == WASM_FUNCREF || t == WASM_EXTERNREF; }

#endif
