/* internal.h — the engine's private structures: decoded modules, compiled code cells,
 * runtime objects (instances, functions, memories, tables, globals) and internal opcodes. */
#ifndef BOXAGENT_WASM_INTERNAL_H
#define BOXAGENT_WASM_INTERNAL_H

#include "wasm/wasm.h"

#include <stdarg.h>
#include <stdatomic.h>

#define WASM_PAGE 65536u
#define WASM_MAX_PAGES 65536u
#define WASM_MAX_LOCALS 50000u
#define WASM_MAX_STACK_HEIGHT 65536u
#define WASM_MAX_PARAMS 1000u

/* One operand slot. i32/f32 are stored zero-extended in the low half. */
typedef union slot {
    uint64_t u64;
    int64_t i64;
    uint32_t u32;
    int32_t i32;
    float f32;
    double f64;
    void *ref;
} slot_t;

/* One cell of compiled code: a handler address (threaded) or opcode, or an operand. */
typedef union cell {
    const void *h;
    uint64_t u;
    int64_t i;
    void *p;
} cell;

typedef struct functype {
    uint32_t np, nr;
    const uint8_t *params;  /* np value types */
    const uint8_t *results; /* nr value types */
    uint32_t canon;         /* index of the first structurally equal type in the module */
} functype;

typedef struct limits_t {
    uint32_t min, max;
    bool has_max;
} limits_t;

typedef struct tabletype {
    uint8_t elem; /* WASM_FUNCREF or WASM_EXTERNREF */
    limits_t lim;
} tabletype;

typedef struct globaltype {
    uint8_t type;
    bool mut;
} globaltype;

/* A constant expression (WebAssembly 2.0: a single instruction). */
enum { CE_CONST, CE_GLOBAL, CE_REFFUNC, CE_REFNULL };
typedef struct constexpr_t {
    uint8_t kind;
    uint8_t type;
    uint64_t v; /* constant bits, global index or function index */
} constexpr_t;

typedef struct import_t {
    char *module, *name;
    uint8_t kind; /* wasm_extern_kind */
    uint32_t type;        /* func: type index */
    tabletype table;
    limits_t mem;
    globaltype global;
} import_t;

typedef struct export_t {
    char *name;
    uint32_t namelen; /* names may contain NUL bytes */
    uint8_t kind;
    uint32_t index;
} export_t;

typedef struct global_t {
    globaltype type;
    constexpr_t init;
} global_t;

enum { SEG_ACTIVE, SEG_PASSIVE, SEG_DECLARATIVE };
typedef struct elem_t {
    uint8_t mode;
    uint8_t type; /* element reference type */
    uint32_t table;
    constexpr_t offset;
    uint32_t count;
    constexpr_t *items;
} elem_t;

typedef struct data_t {
    uint8_t mode;
    uint32_t mem;
    constexpr_t offset;
    uint32_t len;
    const uint8_t *bytes; /* into module-owned copy */
} data_t;

typedef struct funcdef {
    uint32_t type;
    uint32_t nlocals;    /* slots zeroed/used as locals: max(params + locals, results) */
    uint32_t nconsts;    /* constant pool slots after the locals */
    uint64_t entry_fuel; /* cost of the entry block, charged by the call */
    size_t const_off;    /* into module constpool */
    uint32_t frame_size; /* locals + max operand height (+ call scratch) */
    size_t code_off;     /* cell index into module code */
    size_t body_off;     /* byte offset of the body in the input (messages) */
} funcdef;

struct wasm_module {
    uint32_t ntypes;
    functype *types;
    uint8_t *typebytes;
    uint32_t nimports;
    import_t *imports;
    uint32_t nfuncs, nimp_funcs; /* nfuncs includes imported */
    uint32_t *functypes;         /* type index of every function */
    funcdef *defs;               /* nfuncs - nimp_funcs */
    uint32_t ntables, nimp_tables;
    tabletype *tables;
    uint32_t nmems, nimp_mems;
    limits_t *mems;
    uint32_t nglobals, nimp_globals;
    global_t *globals; /* imported ones: type only */
    uint32_t nexports;
    export_t *exports;
    bool has_start;
    uint32_t start;
    uint32_t nelems;
    elem_t *elems;
    uint32_t ndatas;
    data_t *datas;
    uint8_t *databytes;
    bool has_datacount;
    uint32_t datacount;
    bool *refs; /* C.refs: declared function references */
    bool metering;
    cell *code;
    size_t ncode, codecap;
    uint64_t *constpool;
    size_t nconstpool;
};

/* ---------------------------------------------------------------- runtime objects */

struct wasm_func {
    const functype *type;
    wasm_instance *inst; /* NULL for host functions */
    const cell *code;
    uint32_t frame_size;
    uint32_t nlocals;
    uint32_t nconsts;
    const uint64_t *consts;
    int64_t entry_fuel;
    uint32_t index;
    wasm_host_func host;
    void *user;
    functype own_type; /* for host functions */
    uint8_t own_types[];
};

struct wasm_memory {
    uint8_t *data;
    uint64_t size;     /* bytes */
    uint64_t reserved; /* bytes of address space reserved */
    uint64_t peak;
    uint64_t max_bytes; /* ceiling: min(declared max, limits) */
    limits_t lim;       /* declared type (pages) */
};

struct wasm_table {
    void **elems;
    uint32_t size, cap;
    uint32_t max; /* effective ceiling */
    tabletype type;
};

struct wasm_global {
    slot_t val;
    globaltype type;
};

typedef struct frame_rec {
    const cell *ip;
    slot_t *fp;
    wasm_instance *inst;
} frame_rec;

struct wasm_instance {
    const wasm_module *m;
    wasm_func **funcs;
    wasm_func *own_funcs;
    wasm_table **tables;
    wasm_table *own_tables;
    wasm_memory *mem; /* memory 0 or NULL */
    wasm_memory own_mem;
    bool has_own_mem;
    wasm_global **globals;
    wasm_global *own_globals;
    bool *elem_dropped;
    bool *data_dropped;
    wasm_limits limits;
    uint64_t fuel_limit; /* 0 = unlimited */
    uint64_t fuel_used;
    atomic_int interrupt;
    /* stacks, allocated at first call */
    slot_t *stack;
    size_t stack_slots;
    frame_rec *calls;
    size_t max_calls;
    int depth; /* nested wasm_call on this instance (must stay 0/1) */
    void *user;
    bool msg_set; /* trap_msg set by a host function during this call */
    char trap_msg[256];
};

/* ---------------------------------------------------------------- internal opcodes */

/* Numeric ops keep their WebAssembly opcode (0x45..0xC4), loads/stores too (0x28..0x3E).
 * Others are numbered from 0xD0 upwards, saturating truncations (0xFC 0..7) from 0xC5. */
enum {
    OP_TRUNC_SAT_BASE = 0xC5, /* 0xC5..0xCC */
    OP_UNREACHABLE = 0xD0,
    OP_JMP,
    OP_BR_IF,      /* c, off */
    OP_BR_UNLESS,  /* c, off */
    OP_BR_TABLE,   /* c, n, off[n+1] */
    OP_RET,        /* (results already at slot 0..) */
    OP_CALL,       /* fidx, base */
    OP_CALL_INDIRECT, /* table, type, c, base */
    OP_FUEL,       /* n */
    OP_LOOP_FUEL,  /* n (also checks interrupt) */
    OP_LOOP_CHECK, /* interrupt only */
    OP_COPY,       /* d, s */
    OP_CONST,      /* d, imm */
    OP_SELECT,     /* d, a, b, c */
    OP_GLOBAL_GET, /* d, idx */
    OP_GLOBAL_SET, /* idx, s */
    OP_MEM_SIZE,   /* d */
    OP_MEM_GROW,   /* d (= delta slot) */
    OP_MEM_INIT,   /* seg, d(dst,src,n at d..d+2) */
    OP_DATA_DROP,  /* seg */
    OP_MEM_COPY,   /* d */
    OP_MEM_FILL,   /* d */
    OP_TABLE_INIT, /* table, seg, d */
    OP_ELEM_DROP,  /* seg */
    OP_TABLE_COPY, /* dst table, src table, d */
    OP_TABLE_GROW, /* table, d */
    OP_TABLE_SIZE, /* table, d */
    OP_TABLE_FILL, /* table, d */
    OP_TABLE_GET,  /* table, d */
    OP_TABLE_SET,  /* table, d */
    OP_REF_FUNC,   /* d, fidx */
    OP_REF_IS_NULL,/* d */
    /* superinstructions: i32 compare and branch (a, b, off), in the order of 0x46..0x4F */
    OP_BR_EQ32, OP_BR_NE32, OP_BR_LT_S32, OP_BR_LT_U32, OP_BR_GT_S32, OP_BR_GT_U32,
    OP_BR_LE_S32, OP_BR_LE_U32, OP_BR_GE_S32, OP_BR_GE_U32,
    /* the same for i64 (0x51..0x5A), and i64 zero tests (c, off) */
    OP_BR_EQ64, OP_BR_NE64, OP_BR_LT_S64, OP_BR_LT_U64, OP_BR_GT_S64, OP_BR_GT_U64,
    OP_BR_LE_S64, OP_BR_LE_U64, OP_BR_GE_S64, OP_BR_GE_U64, OP_BR_IF64, OP_BR_UNLESS64,
    OP_COUNT
};

/* ---------------------------------------------------------------- cross-file functions */

/* decode.c */
void wasm_module_free_parts(wasm_module *m);

/* validate_compile.c: validates and compiles one function body [p, end). */
bool wasm_compile_body(wasm_module *m, uint32_t defidx, const uint8_t *base, const uint8_t *p,
                       const uint8_t *end, wasm_error *err);

/* interp.c */
const void *const *wasm_interp_labels(void);
wasm_trap wasm_interp_run(wasm_instance *inst, wasm_func *f, slot_t *args);

/* runtime.c */
bool wasm_functype_equal(const functype *a, const functype *b);
void wasm_set_error(wasm_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int64_t wasm_memory_grow_pages(wasm_memory *mem, uint32_t delta);
bool wasm_memory_init_obj(wasm_memory *mem, limits_t lim, uint64_t ceiling, wasm_error *err);
void wasm_memory_release(wasm_memory *mem);
bool wasm_table_init_obj(wasm_table *t, tabletype type, uint32_t ceiling, wasm_error *err);
int64_t wasm_table_grow_obj(wasm_table *t, uint32_t delta, void *init);
wasm_trap wasm_trap_set(wasm_instance *inst, wasm_trap t);
void wasm_instance_free_stacks(wasm_instance *inst);

/* linker.c */
void wasm_linker_keep(wasm_linker *l, wasm_instance *inst);
const wasm_extern *wasm_linker_lookup(const wasm_linker *l, const char *module, const char *name);

#endif
