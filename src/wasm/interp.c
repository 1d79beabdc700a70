/* interp.c — the dispatch loop that runs compiled code. Threaded (computed goto) under
 * GCC/clang, a plain switch otherwise (define WASM_NO_THREADED), from the same source. Guest
 * calls never recurse on the host stack: frames live on the instance's slot stack and call
 * records on its call-record stack, both with limits checked at each call. */
#include "wasm/internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#if defined(__GNUC__) && !defined(WASM_NO_THREADED)
#define THREADED 1
#else
#define THREADED 0
#endif

static inline float f32_of(slot_t s)
{
    float f;
    uint32_t u = s.u32;
    memcpy(&f, &u, 4);
    return f;
}
static inline double f64_of(slot_t s)
{
    double d;
    memcpy(&d, &s.u64, 8);
    return d;
}
static inline uint64_t bits32(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}
static inline uint64_t bits64(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

static inline float wmin32(float a, float b)
{
    if (isnan(a) || isnan(b))
        return a + b;
    if (a == 0 && b == 0)
        return signbit(a) ? a : b;
    return a < b ? a : b;
}
static inline float wmax32(float a, float b)
{
    if (isnan(a) || isnan(b))
        return a + b;
    if (a == 0 && b == 0)
        return signbit(a) ? b : a;
    return a > b ? a : b;
}
static inline double wmin64(double a, double b)
{
    if (isnan(a) || isnan(b))
        return a + b;
    if (a == 0 && b == 0)
        return signbit(a) ? a : b;
    return a < b ? a : b;
}
static inline double wmax64(double a, double b)
{
    if (isnan(a) || isnan(b))
        return a + b;
    if (a == 0 && b == 0)
        return signbit(a) ? b : a;
    return a > b ? a : b;
}

static inline uint32_t rotl32(uint32_t x, uint32_t n) { n &= 31; return (x << n) | (x >> ((32 - n) & 31)); }
static inline uint32_t rotr32(uint32_t x, uint32_t n) { n &= 31; return (x >> n) | (x << ((32 - n) & 31)); }
static inline uint64_t rotl64(uint64_t x, uint64_t n) { n &= 63; return (x << n) | (x >> ((64 - n) & 63)); }
static inline uint64_t rotr64(uint64_t x, uint64_t n) { n &= 63; return (x >> n) | (x << ((64 - n) & 63)); }

/* f32.nearest/f64.nearest without libm: adding and subtracting 2^23 (2^52) rounds to the
 * nearest integer, ties to even, in the default rounding mode (the engine never changes it);
 * magnitudes at or above that (and infinities) are integers already. The sign is put back so
 * that -0.4 gives -0. NaN is handled by the caller. */
static inline float nearest32(float a)
{
    float m = __builtin_fabsf(a);
    if (m < 0x1p23f) m = (m + 0x1p23f) - 0x1p23f;
    return __builtin_copysignf(m, a);
}

static inline double nearest64(double a)
{
    double m = __builtin_fabs(a);
    if (m < 0x1p52) m = (m + 0x1p52) - 0x1p52;
    return __builtin_copysign(m, a);
}

/* Saturating truncations. */
static inline uint64_t sat_i32_s(double x)
{
    if (isnan(x)) return 0;
    if (x <= -2147483648.0) return (uint32_t)INT32_MIN;
    if (x >= 2147483647.0) return (uint32_t)INT32_MAX;
    return (uint32_t)(int32_t)x;
}
static inline uint64_t sat_i32_u(double x)
{
    if (isnan(x) || x <= 0) return 0;
    if (x >= 4294967295.0) return UINT32_MAX;
    return (uint32_t)x;
}
static inline uint64_t sat_i64_s(double x)
{
    if (isnan(x)) return 0;
    if (x <= -9223372036854775808.0) return (uint64_t)INT64_MIN;
    if (x >= 9223372036854775808.0) return (uint64_t)INT64_MAX;
    return (uint64_t)(int64_t)x;
}
static inline uint64_t sat_i64_u(double x)
{
    if (isnan(x) || x <= 0) return 0;
    if (x >= 18446744073709551616.0) return UINT64_MAX;
    return (uint64_t)x;
}
static inline uint64_t sat_i32_s_f(float x) { return sat_i32_s((double)x); }
static inline uint64_t sat_i32_u_f(float x) { return sat_i32_u((double)x); }
static inline uint64_t sat_i64_s_f(float x)
{
    if (isnan(x)) return 0;
    if (x <= -9223372036854775808.0f) return (uint64_t)INT64_MIN;
    if (x >= 9223372036854775808.0f) return (uint64_t)INT64_MAX;
    return (uint64_t)(int64_t)x;
}
static inline uint64_t sat_i64_u_f(float x)
{
    if (isnan(x) || x <= 0) return 0;
    if (x >= 18446744073709551616.0f) return UINT64_MAX;
    return (uint64_t)x;
}

static inline void *table_ref(const wasm_instance *inst, const constexpr_t *ce)
{
    switch (ce->kind) {
    case CE_REFFUNC: return inst->funcs[ce->v];
    case CE_GLOBAL: return inst->globals[ce->v]->val.ref;
    default: return NULL;
    }
}

#define OPS(X)                                                                                   \
    X(0x28) X(0x29) X(0x2A) X(0x2B) X(0x2C) X(0x2D) X(0x2E) X(0x2F) X(0x30) X(0x31) X(0x32)     \
    X(0x33) X(0x34) X(0x35) X(0x36) X(0x37) X(0x38) X(0x39) X(0x3A) X(0x3B) X(0x3C) X(0x3D)     \
    X(0x3E) X(0x45) X(0x46) X(0x47) X(0x48) X(0x49) X(0x4A) X(0x4B) X(0x4C) X(0x4D) X(0x4E)     \
    X(0x4F) X(0x50) X(0x51) X(0x52) X(0x53) X(0x54) X(0x55) X(0x56) X(0x57) X(0x58) X(0x59)     \
    X(0x5A) X(0x5B) X(0x5C) X(0x5D) X(0x5E) X(0x5F) X(0x60) X(0x61) X(0x62) X(0x63) X(0x64)     \
    X(0x65) X(0x66) X(0x67) X(0x68) X(0x69) X(0x6A) X(0x6B) X(0x6C) X(0x6D) X(0x6E) X(0x6F)     \
    X(0x70) X(0x71) X(0x72) X(0x73) X(0x74) X(0x75) X(0x76) X(0x77) X(0x78) X(0x79) X(0x7A)     \
    X(0x7B) X(0x7C) X(0x7D) X(0x7E) X(0x7F) X(0x80) X(0x81) X(0x82) X(0x83) X(0x84) X(0x85)     \
    X(0x86) X(0x87) X(0x88) X(0x89) X(0x8A) X(0x8B) X(0x8C) X(0x8D) X(0x8E) X(0x8F) X(0x90)     \
    X(0x91) X(0x92) X(0x93) X(0x94) X(0x95) X(0x96) X(0x97) X(0x98) X(0x99) X(0x9A) X(0x9B)     \
    X(0x9C) X(0x9D) X(0x9E) X(0x9F) X(0xA0) X(0xA1) X(0xA2) X(0xA3) X(0xA4) X(0xA5) X(0xA6)     \
    X(0xA7) X(0xA8) X(0xA9) X(0xAA) X(0xAB) X(0xAC) X(0xAD) X(0xAE) X(0xAF) X(0xB0) X(0xB1)     \
    X(0xB2) X(0xB3) X(0xB4) X(0xB5) X(0xB6) X(0xB7) X(0xB8) X(0xB9) X(0xBA) X(0xBB) X(0xBC)     \
    X(0xBD) X(0xBE) X(0xBF) X(0xC0) X(0xC1) X(0xC2) X(0xC3) X(0xC4) X(0xC5) X(0xC6) X(0xC7)     \
    X(0xC8) X(0xC9) X(0xCA) X(0xCB) X(0xCC) X(OP_UNREACHABLE) X(OP_JMP) X(OP_BR_IF)             \
    X(OP_BR_UNLESS) X(OP_BR_TABLE) X(OP_RET) X(OP_CALL) X(OP_CALL_INDIRECT) X(OP_FUEL)          \
    X(OP_LOOP_FUEL) X(OP_LOOP_CHECK) X(OP_COPY) X(OP_CONST) X(OP_SELECT) X(OP_GLOBAL_GET)       \
    X(OP_GLOBAL_SET) X(OP_MEM_SIZE) X(OP_MEM_GROW) X(OP_MEM_INIT) X(OP_DATA_DROP)               \
    X(OP_MEM_COPY) X(OP_MEM_FILL) X(OP_TABLE_INIT) X(OP_ELEM_DROP) X(OP_TABLE_COPY)             \
    X(OP_TABLE_GROW) X(OP_TABLE_SIZE) X(OP_TABLE_FILL) X(OP_TABLE_GET) X(OP_TABLE_SET)          \
    X(OP_REF_FUNC) X(OP_REF_IS_NULL) X(OP_BR_EQ32) X(OP_BR_NE32) X(OP_BR_LT_S32) \
    X(OP_BR_LT_U32) X(OP_BR_GT_S32) X(OP_BR_GT_U32) X(OP_BR_LE_S32) X(OP_BR_LE_U32)           \
    X(OP_BR_GE_S32) X(OP_BR_GE_U32) X(OP_BR_EQ64) X(OP_BR_NE64) X(OP_BR_LT_S64) X(OP_BR_LT_U64)  \
    X(OP_BR_GT_S64) X(OP_BR_GT_U64) X(OP_BR_LE_S64) X(OP_BR_LE_U64) X(OP_BR_GE_S64)             \
    X(OP_BR_GE_U64) X(OP_BR_IF64) X(OP_BR_UNLESS64)

#if THREADED
#define CASE(op) L_##op:
#define NEXT() goto *ip->h
#else
#define CASE(op) case op:
#define NEXT() goto dispatch
#endif

#define D(k) fp[ip[k].u]
#define TRAP(t)                                                                                  \
    do {                                                                                         \
        trap = (t);                                                                              \
        goto out;                                                                                \
    } while (0)

/* Binary and unary operator templates: cells [1]=dst [2]=a [3]=b. */
#define BIN32(op, expr)                                                                          \
    CASE(op)                                                                                     \
    {                                                                                            \
        uint32_t a = D(2).u32, b = D(3).u32;                                                     \
        D(1).u64 = (uint32_t)(expr);                                                             \
        ip += 4;                                                                                 \
        NEXT();                                                                                  \
    }
#define BIN64(op, expr)                                                                          \
    CASE(op)                                                                                     \
    {                                                                                            \
        uint64_t a = D(2).u64, b = D(3).u64;                                                     \
        D(1).u64 = (uint64_t)(expr);                                                             \
        ip += 4;                                                                                 \
        NEXT();                                                                                  \
    }
#define CMP64(op, expr)                                                                          \
    CASE(op)                                                                                     \
    {                                                                                            \
        uint64_t a = D(2).u64, b = D(3).u64;                                                     \
        D(1).u64 = (uint32_t)(expr);                                                             \
        ip += 4;                                                                                 \
        NEXT();                                                                                  \
    }
#define BINF32(op, expr)                                                                         \
    CASE(op)                                                                                     \
    {                                                                                            \
        float a = f32_of(D(2)), b = f32_of(D(3));                                                \
        D(1).u64 = bits32(expr);                                                                 \
        ip += 4;                                                                                 \
        NEXT();                                                                                  \
    }
#define CMPF32(op, expr)                                                                         \
    CASE(op)                                                                                     \
    {                                                                                            \
        float a = f32_of(D(2)), b = f32_of(D(3));                                                \
        D(1).u64 = (uint32_t)(expr);                                                             \
        ip += 4;                                                                                 \
        NEXT();                                                                                  \
    }
#define BINF64(op, expr)                                                                         \
    CASE(op)                                                                                     \
    {                                                                                            \
        double a = f64_of(D(2)), b = f64_of(D(3));                                               \
        D(1).u64 = bits64(expr);                                                                 \
        ip += 4;                                                                                 \
        NEXT();                                                                                  \
    }
#define CMPF64(op, expr)                                                                         \
    CASE(op)                                                                                     \
    {                                                                                            \
        double a = f64_of(D(2)), b = f64_of(D(3));                                               \
        D(1).u64 = (uint32_t)(expr);                                                             \
        ip += 4;                                                                                 \
        NEXT();                                                                                  \
    }
/* Unary: (type of a, conversion to u64 result) */
#define UN(op, ctype, get, expr)                                                                 \
    CASE(op)                                                                                     \
    {                                                                                            \
        ctype a = get;                                                                           \
        D(1).u64 = (expr);                                                                       \
        ip += 3;                                                                                 \
        NEXT();                                                                                  \
    }
#define LOAD(op, ctype, conv)                                                                    \
    CASE(op)                                                                                     \
    {                                                                                            \
        uint64_t ea = (uint64_t)D(2).u32 + ip[3].u;                                              \
        if (__builtin_expect(ea + sizeof(ctype) > ms, 0))                                        \
            TRAP(WASM_TRAP_MEMORY_OOB);                                                          \
        ctype v;                                                                                 \
        memcpy(&v, mb + ea, sizeof v);                                                           \
        D(1).u64 = (conv);                                                                       \
        ip += 4;                                                                                 \
        NEXT();                                                                                  \
    }
#define STORE(op, ctype, get)                                                                    \
    CASE(op)                                                                                     \
    {                                                                                            \
        uint64_t ea = (uint64_t)D(1).u32 + ip[3].u;                                              \
        if (__builtin_expect(ea + sizeof(ctype) > ms, 0))                                        \
            TRAP(WASM_TRAP_MEMORY_OOB);                                                          \
        ctype v = (ctype)(get);                                                                  \
        memcpy(mb + ea, &v, sizeof v);                                                           \
        ip += 4;                                                                                 \
        NEXT();                                                                                  \
    }

#define RELOAD()                                                                                 \
    do {                                                                                         \
        mem = inst->mem;                                                                         \
        mb = mem->data;                                                                          \
        ms = mem->size;                                                                          \
        globals = inst->globals;                                                                 \
        funcs = inst->funcs;                                                                     \
    } while (0)

#define INTERRUPTED() (atomic_load_explicit(&entry->interrupt, memory_order_relaxed) != 0)

/* Bulk operations cost fuel in proportion to their size (1 per 64 bytes or 8 elements), so
 * that a metered guest's work stays bounded by its fuel. Charged before the operation. */
#define CHARGE_BULK(units)                                                                       \
    do {                                                                                         \
        if (inst->m->metering) {                                                                 \
            fuel -= (int64_t)(units);                                                            \
            if (fuel < 0)                                                                        \
                TRAP(WASM_TRAP_OUT_OF_FUEL);                                                     \
        }                                                                                        \
    } while (0)

static wasm_trap run(wasm_instance *entry, wasm_func *func, slot_t *fp,
                     const void *const **labels_out)
{
#if THREADED
    static const void *const labels[OP_COUNT] = {
#define LBL(o) [o] = &&L_##o,
        OPS(LBL)
#undef LBL
    };
    if (labels_out) {
        *labels_out = labels;
        return WASM_OK;
    }
#else
    if (labels_out) {
        *labels_out = NULL;
        return WASM_OK;
    }
#endif
    wasm_trap trap = WASM_OK;
    wasm_instance *inst = func->inst;
    wasm_memory *mem;
    uint8_t *mb;
    uint64_t ms;
    wasm_global **globals;
    wasm_func **funcs;
    RELOAD();
    frame_rec *const cs_base = entry->calls;
    frame_rec *const cs_end = entry->calls + entry->max_calls;
    frame_rec *csp = cs_base;
    slot_t *const stack_end = entry->stack + entry->stack_slots;
    const uint64_t used0 = entry->fuel_used;
    const int64_t fuel0 = entry->fuel_limit
                              ? (entry->fuel_limit > used0 ? (int64_t)(entry->fuel_limit - used0) : 0)
                              : (int64_t)1 << 62;
    int64_t fuel = fuel0;
    const cell *ip = NULL;
    wasm_func *callee;
    slot_t *nfp;

    if (fp + func->frame_size > stack_end)
        TRAP(WASM_TRAP_STACK_EXHAUSTED);
    memset(fp + func->type->np, 0, (size_t)(func->nlocals - func->type->np) * sizeof *fp);
    memcpy(fp + func->nlocals, func->consts, (size_t)func->nconsts * sizeof *fp);
    if (INTERRUPTED())
        TRAP(WASM_TRAP_INTERRUPTED);
    fuel -= func->entry_fuel;
    if (fuel < 0)
        TRAP(WASM_TRAP_OUT_OF_FUEL);
    ip = func->code;

#if THREADED
    NEXT();
#else
dispatch:
    switch (ip->u) {
#endif

    CASE(OP_UNREACHABLE) TRAP(WASM_TRAP_UNREACHABLE);
    CASE(OP_JMP) { ip += 1 + ip[1].i; NEXT(); }
    CASE(OP_BR_IF)
    {
        if (D(1).u32)
            ip += 2 + ip[2].i;
        else
            ip += 3;
        NEXT();
    }
    CASE(OP_BR_UNLESS)
    {
        if (!D(1).u32)
            ip += 2 + ip[2].i;
        else
            ip += 3;
        NEXT();
    }
#define BRCMP(op, expr)                                                                          \
    CASE(op)                                                                                     \
    {                                                                                            \
        uint32_t a = D(1).u32, b = D(2).u32;                                                     \
        if (expr)                                                                                \
            ip += 3 + ip[3].i;                                                                   \
        else                                                                                     \
            ip += 4;                                                                             \
        NEXT();                                                                                  \
    }
    BRCMP(OP_BR_EQ32, a == b)
    BRCMP(OP_BR_NE32, a != b)
    BRCMP(OP_BR_LT_S32, (int32_t)a < (int32_t)b)
    BRCMP(OP_BR_LT_U32, a < b)
    BRCMP(OP_BR_GT_S32, (int32_t)a > (int32_t)b)
    BRCMP(OP_BR_GT_U32, a > b)
    BRCMP(OP_BR_LE_S32, (int32_t)a <= (int32_t)b)
    BRCMP(OP_BR_LE_U32, a <= b)
    BRCMP(OP_BR_GE_S32, (int32_t)a >= (int32_t)b)
    BRCMP(OP_BR_GE_U32, a >= b)
#define BRCMP64(op, expr)                                                                        \
    CASE(op)                                                                                     \
    {                                                                                            \
        uint64_t a = D(1).u64, b = D(2).u64;                                                     \
        if (expr)                                                                                \
            ip += 3 + ip[3].i;                                                                   \
        else                                                                                     \
            ip += 4;                                                                             \
        NEXT();                                                                                  \
    }
    BRCMP64(OP_BR_EQ64, a == b)
    BRCMP64(OP_BR_NE64, a != b)
    BRCMP64(OP_BR_LT_S64, (int64_t)a < (int64_t)b)
    BRCMP64(OP_BR_LT_U64, a < b)
    BRCMP64(OP_BR_GT_S64, (int64_t)a > (int64_t)b)
    BRCMP64(OP_BR_GT_U64, a > b)
    BRCMP64(OP_BR_LE_S64, (int64_t)a <= (int64_t)b)
    BRCMP64(OP_BR_LE_U64, a <= b)
    BRCMP64(OP_BR_GE_S64, (int64_t)a >= (int64_t)b)
    BRCMP64(OP_BR_GE_U64, a >= b)
    CASE(OP_BR_IF64)
    {
        if (D(1).u64)
            ip += 2 + ip[2].i;
        else
            ip += 3;
        NEXT();
    }
    CASE(OP_BR_UNLESS64)
    {
        if (!D(1).u64)
            ip += 2 + ip[2].i;
        else
            ip += 3;
        NEXT();
    }
    CASE(OP_BR_TABLE)
    {
        uint64_t i = D(1).u32, n = ip[2].u;
        if (i > n)
            i = n;
        ip += 3 + i;
        ip += ip->i;
        NEXT();
    }
    CASE(OP_FUEL)
    {
        fuel -= (int64_t)ip[1].u;
        if (__builtin_expect(fuel < 0, 0))
            TRAP(WASM_TRAP_OUT_OF_FUEL);
        ip += 2;
        NEXT();
    }
    CASE(OP_LOOP_FUEL)
    {
        fuel -= (int64_t)ip[1].u;
        if (__builtin_expect(fuel < 0, 0))
            TRAP(WASM_TRAP_OUT_OF_FUEL);
        if (__builtin_expect(INTERRUPTED(), 0))
            TRAP(WASM_TRAP_INTERRUPTED);
        ip += 2;
        NEXT();
    }
    CASE(OP_LOOP_CHECK)
    {
        if (__builtin_expect(INTERRUPTED(), 0))
            TRAP(WASM_TRAP_INTERRUPTED);
        ip += 1;
        NEXT();
    }
    CASE(OP_COPY) { D(1) = D(2); ip += 3; NEXT(); }
    CASE(OP_CONST) { D(1).u64 = ip[2].u; ip += 3; NEXT(); }
    CASE(OP_SELECT)
    {
        D(1) = D(4).u32 ? D(2) : D(3);
        ip += 5;
        NEXT();
    }
    CASE(OP_GLOBAL_GET) { D(1) = globals[ip[2].u]->val; ip += 3; NEXT(); }
    CASE(OP_GLOBAL_SET) { globals[ip[1].u]->val = D(2); ip += 3; NEXT(); }
    CASE(OP_RET)
    {
        if (csp == cs_base)
            goto out;
        csp--;
        ip = csp->ip;
        fp = csp->fp;
        if (__builtin_expect(csp->inst != inst, 0)) {
            inst = csp->inst;
            RELOAD();
        } else {
            mb = mem->data; /* the callee may have grown the memory */
            ms = mem->size;
        }
        NEXT();
    }
    CASE(OP_CALL)
    {
        callee = funcs[ip[1].u];
        nfp = fp + ip[2].u;
        ip += 3;
        goto do_call;
    }
    CASE(OP_CALL_INDIRECT)
    {
        wasm_table *t = inst->tables[ip[1].u];
        uint32_t i = D(3).u32;
        if (i >= t->size)
            TRAP(WASM_TRAP_UNDEFINED_ELEMENT);
        callee = t->elems[i];
        if (!callee)
            TRAP(WASM_TRAP_UNINITIALIZED_ELEMENT);
        const functype *want = &inst->m->types[ip[2].u];
        if (callee->type != want && !wasm_functype_equal(callee->type, want))
            TRAP(WASM_TRAP_INDIRECT_TYPE);
        nfp = fp + ip[4].u;
        ip += 5;
        goto do_call;
    }
    CASE(OP_MEM_SIZE) { D(1).u64 = (uint32_t)(ms / WASM_PAGE); ip += 2; NEXT(); }
    CASE(OP_MEM_GROW)
    {
        int64_t r = wasm_memory_grow_pages(mem, D(1).u32);
        D(1).u64 = (uint32_t)(int32_t)r;
        mb = mem->data;
        ms = mem->size;
        ip += 2;
        NEXT();
    }
    CASE(OP_MEM_INIT)
    {
        const data_t *seg = &inst->m->datas[ip[1].u];
        slot_t *a = &D(2);
        uint64_t dst = a[0].u32, src = a[1].u32, n = a[2].u32;
        uint64_t len = inst->data_dropped[ip[1].u] ? 0 : seg->len;
        CHARGE_BULK(n >> 6);
        if (src + n > len || dst + n > ms)
            TRAP(WASM_TRAP_MEMORY_OOB);
        if (n)
            memcpy(mb + dst, seg->bytes + src, n);
        ip += 3;
        NEXT();
    }
    CASE(OP_DATA_DROP) { inst->data_dropped[ip[1].u] = true; ip += 2; NEXT(); }
    CASE(OP_MEM_COPY)
    {
        slot_t *a = &D(1);
        uint64_t dst = a[0].u32, src = a[1].u32, n = a[2].u32;
        CHARGE_BULK(n >> 6);
        if (src + n > ms || dst + n > ms)
            TRAP(WASM_TRAP_MEMORY_OOB);
        if (n)
            memmove(mb + dst, mb + src, n);
        ip += 2;
        NEXT();
    }
    CASE(OP_MEM_FILL)
    {
        slot_t *a = &D(1);
        uint64_t dst = a[0].u32, n = a[2].u32;
        CHARGE_BULK(n >> 6);
        if (dst + n > ms)
            TRAP(WASM_TRAP_MEMORY_OOB);
        if (n)
            memset(mb + dst, (int)(a[1].u32 & 0xff), n);
        ip += 2;
        NEXT();
    }
    CASE(OP_TABLE_INIT)
    {
        wasm_table *t = inst->tables[ip[1].u];
        const elem_t *seg = &inst->m->elems[ip[2].u];
        slot_t *a = &D(3);
        uint64_t dst = a[0].u32, src = a[1].u32, n = a[2].u32;
        uint64_t len = inst->elem_dropped[ip[2].u] ? 0 : seg->count;
        CHARGE_BULK(n >> 3);
        if (src + n > len || dst + n > t->size)
            TRAP(WASM_TRAP_TABLE_OOB);
        for (uint64_t k = 0; k < n; k++)
            t->elems[dst + k] = table_ref(inst, &seg->items[src + k]);
        ip += 4;
        NEXT();
    }
    CASE(OP_ELEM_DROP) { inst->elem_dropped[ip[1].u] = true; ip += 2; NEXT(); }
    CASE(OP_TABLE_COPY)
    {
        wasm_table *td = inst->tables[ip[1].u], *ts = inst->tables[ip[2].u];
        slot_t *a = &D(3);
        uint64_t dst = a[0].u32, src = a[1].u32, n = a[2].u32;
        CHARGE_BULK(n >> 3);
        if (src + n > ts->size || dst + n > td->size)
            TRAP(WASM_TRAP_TABLE_OOB);
        if (n)
            memmove(td->elems + dst, ts->elems + src, n * sizeof(void *));
        ip += 4;
        NEXT();
    }
    CASE(OP_TABLE_GROW)
    {
        wasm_table *t = inst->tables[ip[1].u];
        slot_t *a = &D(2);
        CHARGE_BULK(a[1].u32 >> 3);
        int64_t r = wasm_table_grow_obj(t, a[1].u32, a[0].ref);
        a[0].u64 = (uint32_t)(int32_t)r;
        ip += 3;
        NEXT();
    }
    CASE(OP_TABLE_SIZE) { D(2).u64 = inst->tables[ip[1].u]->size; ip += 3; NEXT(); }
    CASE(OP_TABLE_FILL)
    {
        wasm_table *t = inst->tables[ip[1].u];
        slot_t *a = &D(2);
        uint64_t i = a[0].u32, n = a[2].u32;
        CHARGE_BULK(n >> 3);
        if (i + n > t->size)
            TRAP(WASM_TRAP_TABLE_OOB);
        for (uint64_t k = 0; k < n; k++)
            t->elems[i + k] = a[1].ref;
        ip += 3;
        NEXT();
    }
    CASE(OP_TABLE_GET)
    {
        wasm_table *t = inst->tables[ip[1].u];
        slot_t *a = &D(2);
        if (a->u32 >= t->size)
            TRAP(WASM_TRAP_TABLE_OOB);
        a->ref = t->elems[a->u32];
        ip += 3;
        NEXT();
    }
    CASE(OP_TABLE_SET)
    {
        wasm_table *t = inst->tables[ip[1].u];
        slot_t *a = &D(2);
        if (a[0].u32 >= t->size)
            TRAP(WASM_TRAP_TABLE_OOB);
        t->elems[a[0].u32] = a[1].ref;
        ip += 3;
        NEXT();
    }
    CASE(OP_REF_FUNC) { D(1).ref = funcs[ip[2].u]; ip += 3; NEXT(); }
    CASE(OP_REF_IS_NULL) { D(1).u64 = D(1).ref == NULL; ip += 2; NEXT(); }

    /* memory */
    LOAD(0x28, uint32_t, v)
    LOAD(0x29, uint64_t, v)
    LOAD(0x2A, uint32_t, v)
    LOAD(0x2B, uint64_t, v)
    LOAD(0x2C, int8_t, (uint32_t)(int32_t)v)
    LOAD(0x2D, uint8_t, v)
    LOAD(0x2E, int16_t, (uint32_t)(int32_t)v)
    LOAD(0x2F, uint16_t, v)
    LOAD(0x30, int8_t, (uint64_t)(int64_t)v)
    LOAD(0x31, uint8_t, v)
    LOAD(0x32, int16_t, (uint64_t)(int64_t)v)
    LOAD(0x33, uint16_t, v)
    LOAD(0x34, int32_t, (uint64_t)(int64_t)v)
    LOAD(0x35, uint32_t, v)
    STORE(0x36, uint32_t, D(2).u32)
    STORE(0x37, uint64_t, D(2).u64)
    STORE(0x38, uint32_t, D(2).u32)
    STORE(0x39, uint64_t, D(2).u64)
    STORE(0x3A, uint8_t, D(2).u32)
    STORE(0x3B, uint16_t, D(2).u32)
    STORE(0x3C, uint8_t, D(2).u64)
    STORE(0x3D, uint16_t, D(2).u64)
    STORE(0x3E, uint32_t, D(2).u64)

    /* i32 compare */
    UN(0x45, uint32_t, D(2).u32, a == 0)
    BIN32(0x46, a == b)
    BIN32(0x47, a != b)
    BIN32(0x48, (int32_t)a < (int32_t)b)
    BIN32(0x49, a < b)
    BIN32(0x4A, (int32_t)a > (int32_t)b)
    BIN32(0x4B, a > b)
    BIN32(0x4C, (int32_t)a <= (int32_t)b)
    BIN32(0x4D, a <= b)
    BIN32(0x4E, (int32_t)a >= (int32_t)b)
    BIN32(0x4F, a >= b)
    /* i64 compare */
    UN(0x50, uint64_t, D(2).u64, a == 0)
    CMP64(0x51, a == b)
    CMP64(0x52, a != b)
    CMP64(0x53, (int64_t)a < (int64_t)b)
    CMP64(0x54, a < b)
    CMP64(0x55, (int64_t)a > (int64_t)b)
    CMP64(0x56, a > b)
    CMP64(0x57, (int64_t)a <= (int64_t)b)
    CMP64(0x58, a <= b)
    CMP64(0x59, (int64_t)a >= (int64_t)b)
    CMP64(0x5A, a >= b)
    /* float compare */
    CMPF32(0x5B, a == b)
    CMPF32(0x5C, a != b)
    CMPF32(0x5D, a < b)
    CMPF32(0x5E, a > b)
    CMPF32(0x5F, a <= b)
    CMPF32(0x60, a >= b)
    CMPF64(0x61, a == b)
    CMPF64(0x62, a != b)
    CMPF64(0x63, a < b)
    CMPF64(0x64, a > b)
    CMPF64(0x65, a <= b)
    CMPF64(0x66, a >= b)
    /* i32 arithmetic */
    UN(0x67, uint32_t, D(2).u32, a ? (uint32_t)__builtin_clz(a) : 32)
    UN(0x68, uint32_t, D(2).u32, a ? (uint32_t)__builtin_ctz(a) : 32)
    UN(0x69, uint32_t, D(2).u32, (uint32_t)__builtin_popcount(a))
    BIN32(0x6A, a + b)
    BIN32(0x6B, a - b)
    BIN32(0x6C, a * b)
    CASE(0x6D)
    {
        int32_t a = D(2).i32, b = D(3).i32;
        if (b == 0) TRAP(WASM_TRAP_DIV_ZERO);
        if (a == INT32_MIN && b == -1) TRAP(WASM_TRAP_INT_OVERFLOW);
        D(1).u64 = (uint32_t)(a / b);
        ip += 4;
        NEXT();
    }
    CASE(0x6E)
    {
        uint32_t a = D(2).u32, b = D(3).u32;
        if (b == 0) TRAP(WASM_TRAP_DIV_ZERO);
        D(1).u64 = a / b;
        ip += 4;
        NEXT();
    }
    CASE(0x6F)
    {
        int32_t a = D(2).i32, b = D(3).i32;
        if (b == 0) TRAP(WASM_TRAP_DIV_ZERO);
        D(1).u64 = b == -1 ? 0 : (uint32_t)(a % b);
        ip += 4;
        NEXT();
    }
    CASE(0x70)
    {
        uint32_t a = D(2).u32, b = D(3).u32;
        if (b == 0) TRAP(WASM_TRAP_DIV_ZERO);
        D(1).u64 = a % b;
        ip += 4;
        NEXT();
    }
    BIN32(0x71, a & b)
    BIN32(0x72, a | b)
    BIN32(0x73, a ^ b)
    BIN32(0x74, a << (b & 31))
    BIN32(0x75, (uint32_t)((int32_t)a >> (b & 31)))
    BIN32(0x76, a >> (b & 31))
    BIN32(0x77, rotl32(a, b))
    BIN32(0x78, rotr32(a, b))
    /* i64 arithmetic */
    UN(0x79, uint64_t, D(2).u64, a ? (uint64_t)__builtin_clzll(a) : 64)
    UN(0x7A, uint64_t, D(2).u64, a ? (uint64_t)__builtin_ctzll(a) : 64)
    UN(0x7B, uint64_t, D(2).u64, (uint64_t)__builtin_popcountll(a))
    BIN64(0x7C, a + b)
    BIN64(0x7D, a - b)
    BIN64(0x7E, a * b)
    CASE(0x7F)
    {
        int64_t a = D(2).i64, b = D(3).i64;
        if (b == 0) TRAP(WASM_TRAP_DIV_ZERO);
        if (a == INT64_MIN && b == -1) TRAP(WASM_TRAP_INT_OVERFLOW);
        D(1).i64 = a / b;
        ip += 4;
        NEXT();
    }
    CASE(0x80)
    {
        uint64_t a = D(2).u64, b = D(3).u64;
        if (b == 0) TRAP(WASM_TRAP_DIV_ZERO);
        D(1).u64 = a / b;
        ip += 4;
        NEXT();
    }
    CASE(0x81)
    {
        int64_t a = D(2).i64, b = D(3).i64;
        if (b == 0) TRAP(WASM_TRAP_DIV_ZERO);
        D(1).i64 = b == -1 ? 0 : a % b;
        ip += 4;
        NEXT();
    }
    CASE(0x82)
    {
        uint64_t a = D(2).u64, b = D(3).u64;
        if (b == 0) TRAP(WASM_TRAP_DIV_ZERO);
        D(1).u64 = a % b;
        ip += 4;
        NEXT();
    }
    BIN64(0x83, a & b)
    BIN64(0x84, a | b)
    BIN64(0x85, a ^ b)
    BIN64(0x86, a << (b & 63))
    BIN64(0x87, (uint64_t)((int64_t)a >> (b & 63)))
    BIN64(0x88, a >> (b & 63))
    BIN64(0x89, rotl64(a, b))
    BIN64(0x8A, rotr64(a, b))
    /* f32 */
    UN(0x8B, uint32_t, D(2).u32, a & 0x7fffffffu)
    UN(0x8C, uint32_t, D(2).u32, a ^ 0x80000000u)
    UN(0x8D, float, f32_of(D(2)), bits32(isnan(a) ? a + a : ceilf(a)))
    UN(0x8E, float, f32_of(D(2)), bits32(isnan(a) ? a + a : floorf(a)))
    UN(0x8F, float, f32_of(D(2)), bits32(isnan(a) ? a + a : truncf(a)))
    UN(0x90, float, f32_of(D(2)), bits32(isnan(a) ? a + a : nearest32(a)))
    UN(0x91, float, f32_of(D(2)), bits32(__builtin_sqrtf(a)))
    BINF32(0x92, a + b)
    BINF32(0x93, a - b)
    BINF32(0x94, a * b)
    BINF32(0x95, a / b)
    BINF32(0x96, wmin32(a, b))
    BINF32(0x97, wmax32(a, b))
    CASE(0x98)
    {
        D(1).u64 = (D(2).u32 & 0x7fffffffu) | (D(3).u32 & 0x80000000u);
        ip += 4;
        NEXT();
    }
    /* f64 */
    UN(0x99, uint64_t, D(2).u64, a & 0x7fffffffffffffffull)
    UN(0x9A, uint64_t, D(2).u64, a ^ 0x8000000000000000ull)
    UN(0x9B, double, f64_of(D(2)), bits64(isnan(a) ? a + a : ceil(a)))
    UN(0x9C, double, f64_of(D(2)), bits64(isnan(a) ? a + a : floor(a)))
    UN(0x9D, double, f64_of(D(2)), bits64(isnan(a) ? a + a : trunc(a)))
    UN(0x9E, double, f64_of(D(2)), bits64(isnan(a) ? a + a : nearest64(a)))
    UN(0x9F, double, f64_of(D(2)), bits64(__builtin_sqrt(a)))
    BINF64(0xA0, a + b)
    BINF64(0xA1, a - b)
    BINF64(0xA2, a * b)
    BINF64(0xA3, a / b)
    BINF64(0xA4, wmin64(a, b))
    BINF64(0xA5, wmax64(a, b))
    CASE(0xA6)
    {
        D(1).u64 = (D(2).u64 & 0x7fffffffffffffffull) | (D(3).u64 & 0x8000000000000000ull);
        ip += 4;
        NEXT();
    }
    /* conversions */
    UN(0xA7, uint64_t, D(2).u64, (uint32_t)a)
    CASE(0xA8)
    {
        float a = f32_of(D(2));
        if (isnan(a)) TRAP(WASM_TRAP_INVALID_CONVERSION);
        if (!(a >= -2147483648.0f && a < 2147483648.0f)) TRAP(WASM_TRAP_INT_OVERFLOW);
        D(1).u64 = (uint32_t)(int32_t)a;
        ip += 3;
        NEXT();
    }
    CASE(0xA9)
    {
        float a = f32_of(D(2));
        if (isnan(a)) TRAP(WASM_TRAP_INVALID_CONVERSION);
        if (!(a > -1.0f && a < 4294967296.0f)) TRAP(WASM_TRAP_INT_OVERFLOW);
        D(1).u64 = (uint32_t)a;
        ip += 3;
        NEXT();
    }
    CASE(0xAA)
    {
        double a = f64_of(D(2));
        if (isnan(a)) TRAP(WASM_TRAP_INVALID_CONVERSION);
        if (!(a > -2147483649.0 && a < 2147483648.0)) TRAP(WASM_TRAP_INT_OVERFLOW);
        D(1).u64 = (uint32_t)(int32_t)a;
        ip += 3;
        NEXT();
    }
    CASE(0xAB)
    {
        double a = f64_of(D(2));
        if (isnan(a)) TRAP(WASM_TRAP_INVALID_CONVERSION);
        if (!(a > -1.0 && a < 4294967296.0)) TRAP(WASM_TRAP_INT_OVERFLOW);
        D(1).u64 = (uint32_t)a;
        ip += 3;
        NEXT();
    }
    UN(0xAC, int32_t, D(2).i32, (uint64_t)(int64_t)a)
    UN(0xAD, uint32_t, D(2).u32, (uint64_t)a)
    CASE(0xAE)
    {
        float a = f32_of(D(2));
        if (isnan(a)) TRAP(WASM_TRAP_INVALID_CONVERSION);
        if (!(a >= -9223372036854775808.0f && a < 9223372036854775808.0f)) TRAP(WASM_TRAP_INT_OVERFLOW);
        D(1).i64 = (int64_t)a;
        ip += 3;
        NEXT();
    }
    CASE(0xAF)
    {
        float a = f32_of(D(2));
        if (isnan(a)) TRAP(WASM_TRAP_INVALID_CONVERSION);
        if (!(a > -1.0f && a < 18446744073709551616.0f)) TRAP(WASM_TRAP_INT_OVERFLOW);
        D(1).u64 = (uint64_t)a;
        ip += 3;
        NEXT();
    }
    CASE(0xB0)
    {
        double a = f64_of(D(2));
        if (isnan(a)) TRAP(WASM_TRAP_INVALID_CONVERSION);
        if (!(a >= -9223372036854775808.0 && a < 9223372036854775808.0)) TRAP(WASM_TRAP_INT_OVERFLOW);
        D(1).i64 = (int64_t)a;
        ip += 3;
        NEXT();
    }
    CASE(0xB1)
    {
        double a = f64_of(D(2));
        if (isnan(a)) TRAP(WASM_TRAP_INVALID_CONVERSION);
        if (!(a > -1.0 && a < 18446744073709551616.0)) TRAP(WASM_TRAP_INT_OVERFLOW);
        D(1).u64 = (uint64_t)a;
        ip += 3;
        NEXT();
    }
    UN(0xB2, int32_t, D(2).i32, bits32((float)a))
    UN(0xB3, uint32_t, D(2).u32, bits32((float)a))
    UN(0xB4, int64_t, D(2).i64, bits32((float)a))
    UN(0xB5, uint64_t, D(2).u64, bits32((float)a))
    UN(0xB6, double, f64_of(D(2)), bits32((float)a))
    UN(0xB7, int32_t, D(2).i32, bits64((double)a))
    UN(0xB8, uint32_t, D(2).u32, bits64((double)a))
    UN(0xB9, int64_t, D(2).i64, bits64((double)a))
    UN(0xBA, uint64_t, D(2).u64, bits64((double)a))
    UN(0xBB, float, f32_of(D(2)), bits64((double)a))
    UN(0xBC, uint32_t, D(2).u32, a)
    UN(0xBD, uint64_t, D(2).u64, a)
    UN(0xBE, uint32_t, D(2).u32, a)
    UN(0xBF, uint64_t, D(2).u64, a)
    UN(0xC0, uint32_t, D(2).u32, (uint32_t)(int32_t)(int8_t)a)
    UN(0xC1, uint32_t, D(2).u32, (uint32_t)(int32_t)(int16_t)a)
    UN(0xC2, uint64_t, D(2).u64, (uint64_t)(int64_t)(int8_t)a)
    UN(0xC3, uint64_t, D(2).u64, (uint64_t)(int64_t)(int16_t)a)
    UN(0xC4, uint64_t, D(2).u64, (uint64_t)(int64_t)(int32_t)a)
    /* saturating truncation (0xFC 0..7) */
    UN(0xC5, float, f32_of(D(2)), sat_i32_s_f(a))
    UN(0xC6, float, f32_of(D(2)), sat_i32_u_f(a))
    UN(0xC7, double, f64_of(D(2)), sat_i32_s(a))
    UN(0xC8, double, f64_of(D(2)), sat_i32_u(a))
    UN(0xC9, float, f32_of(D(2)), sat_i64_s_f(a))
    UN(0xCA, float, f32_of(D(2)), sat_i64_u_f(a))
    UN(0xCB, double, f64_of(D(2)), sat_i64_s(a))
    UN(0xCC, double, f64_of(D(2)), sat_i64_u(a))

#if !THREADED
    default:
        TRAP(WASM_TRAP_UNREACHABLE);
    }
#endif

do_call:
    if (callee->host) {
        uint32_t need = callee->type->np > callee->type->nr ? callee->type->np : callee->type->nr;
        if (nfp + need > stack_end)
            TRAP(WASM_TRAP_STACK_EXHAUSTED);
        entry->fuel_used = used0 + (uint64_t)(fuel0 - fuel);
        wasm_trap t = callee->host(inst, callee->user, (wasm_slot *)nfp);
        if (t != WASM_OK) {
            if ((unsigned)t > WASM_TRAP_BAD_CALL)
                t = WASM_TRAP_HOST;
            if (inst != entry && inst->msg_set) {
                memcpy(entry->trap_msg, inst->trap_msg, sizeof entry->trap_msg);
                entry->msg_set = true;
            }
            TRAP(t);
        }
        RELOAD();
        if (INTERRUPTED())
            TRAP(WASM_TRAP_INTERRUPTED);
        NEXT();
    }
    if (__builtin_expect(csp == cs_end || nfp + callee->frame_size > stack_end, 0))
        TRAP(WASM_TRAP_STACK_EXHAUSTED);
    if (__builtin_expect(INTERRUPTED(), 0))
        TRAP(WASM_TRAP_INTERRUPTED);
    fuel -= callee->entry_fuel;
    if (__builtin_expect(fuel < 0, 0))
        TRAP(WASM_TRAP_OUT_OF_FUEL);
    csp->ip = ip;
    csp->fp = fp;
    csp->inst = inst;
    csp++;
    fp = nfp;
    /* small counts: plain loops beat calls to memset/memcpy */
    for (uint32_t k = callee->type->np, e = callee->nlocals; k < e; k++)
        fp[k].u64 = 0;
    for (uint32_t k = 0, e = callee->nconsts; k < e; k++)
        fp[callee->nlocals + k].u64 = callee->consts[k];
    ip = callee->code;
    if (callee->inst != inst) {
        inst = callee->inst;
        RELOAD();
    }
    NEXT();

out:
    if (trap != WASM_OK && trap != WASM_TRAP_HOST && trap != WASM_TRAP_EXIT && !entry->msg_set &&
        ip && inst) {
        /* name the function the trap happened in (defs are laid out in code order) */
        const wasm_module *m = inst->m;
        size_t at = (size_t)(ip - m->code);
        uint32_t lo = 0, hi = m->nfuncs - m->nimp_funcs;
        while (hi - lo > 1) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (m->defs[mid].code_off <= at)
                lo = mid;
            else
                hi = mid;
        }
        snprintf(entry->trap_msg, sizeof entry->trap_msg, "%s (in function %u)",
                 wasm_trap_name(trap), m->nimp_funcs + lo);
        entry->msg_set = true;
    }
    if (trap == WASM_TRAP_OUT_OF_FUEL)
        fuel = 0;
    entry->fuel_used = used0 + (uint64_t)(fuel0 - fuel);
    return trap;
}

const void *const *wasm_interp_labels(void)
{
    const void *const *l = NULL;
    run(NULL, NULL, NULL, &l);
    return l;
}

wasm_trap wasm_interp_run(wasm_instance *inst, wasm_func *f, slot_t *args)
{
    return run(inst, f, args, NULL);
}
