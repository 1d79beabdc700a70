/* wasm.h — the public embedding API of boxagent's WebAssembly engine.
 *
 * The engine implements WebAssembly 2.0 core without SIMD. It knows nothing of agents,
 * tools or WASI. Lifecycle:
 *
 *   wasm_module *m = wasm_module_compile(bytes, len, &opts, &err);   // decode+validate+compile once
 *   wasm_linker *l = wasm_linker_new();                                // what imports resolve to
 *   wasm_linker_define_func(l, "env", "f", "ii:i", fn, user);
 *   wasm_instance *in = wasm_instantiate(m, l, &limits, &err);         // many times, cheap
 *   wasm_func *f = wasm_instance_export_func(in, "_start");
 *   wasm_trap t = wasm_call(in, f, args, nargs, results, nresults);
 *   wasm_instance_free(in); wasm_linker_free(l); wasm_module_free(m);
 *
 * Thread safety: a compiled module is immutable and may be shared by any number of threads
 * and instances. An instance (and a linker) is used by one thread at a time, except for
 * wasm_instance_interrupt(), which any thread may call while another runs the instance.
 * Nothing in the engine is global and mutable.
 *
 * Values cross the API as wasm_value (typed) or, inside host functions, as raw 64-bit slots:
 * i32 zero-extended, i64 as is, f32/f64 as their IEEE bit patterns (NaN payloads are kept),
 * references as pointers (NULL is the null reference).
 */
#ifndef BOXAGENT_WASM_H
#define BOXAGENT_WASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Value types, numbered as in the binary format. */
typedef enum wasm_valtype {
    WASM_I32 = 0x7f,
    WASM_I64 = 0x7e,
    WASM_F32 = 0x7d,
    WASM_F64 = 0x7c,
    WASM_FUNCREF = 0x70,
    WASM_EXTERNREF = 0x6f,
} wasm_valtype;

typedef struct wasm_value {
    wasm_valtype type;
    union {
        uint32_t i32;
        uint64_t i64;
        uint32_t f32; /* bit pattern */
        uint64_t f64; /* bit pattern */
        void *ref;    /* funcref: engine-owned function object; externref: host pointer; NULL = null */
    } of;
} wasm_value;

/* One operand slot as seen by host functions. */
typedef uint64_t wasm_slot;

/* Why execution stopped. WASM_OK means it did not trap. */
typedef enum wasm_trap {
    WASM_OK = 0,
    WASM_TRAP_UNREACHABLE,          /* "unreachable" */
    WASM_TRAP_MEMORY_OOB,           /* "out of bounds memory access" */
    WASM_TRAP_TABLE_OOB,            /* "out of bounds table access" */
    WASM_TRAP_DIV_ZERO,             /* "integer divide by zero" */
    WASM_TRAP_INT_OVERFLOW,         /* "integer overflow" */
    WASM_TRAP_INVALID_CONVERSION,   /* "invalid conversion to integer" */
    WASM_TRAP_INDIRECT_TYPE,        /* "indirect call type mismatch" */
    WASM_TRAP_UNDEFINED_ELEMENT,    /* "undefined element" (call_indirect index past the table) */
    WASM_TRAP_UNINITIALIZED_ELEMENT,/* "uninitialized element" (null entry) */
    WASM_TRAP_OUT_OF_FUEL,          /* "out of fuel" */
    WASM_TRAP_STACK_EXHAUSTED,      /* "call stack exhausted" (call depth or value stack) */
    WASM_TRAP_INTERRUPTED,          /* "interrupted" (wasm_instance_interrupt) */
    WASM_TRAP_MEMORY_LIMIT,         /* "memory limit exceeded" (allocation the limits forbid) */
    WASM_TRAP_HOST,                 /* a host function failed; see wasm_instance_trap_message */
    WASM_TRAP_EXIT,                 /* a host function asked to stop the guest (e.g. proc_exit) */
    WASM_TRAP_BAD_CALL,             /* the embedder called with wrong argument count or types */
} wasm_trap;

/* A short, stable, spec-compatible description ("integer divide by zero", ...). */
const char *wasm_trap_name(wasm_trap t);

/* Errors from compile/instantiate/link: a message naming what was wrong and where
 * (section, function index, byte offset, import name). */
typedef struct wasm_error {
    char message[512];
} wasm_error;

/* ---------------------------------------------------------------- modules */

typedef struct wasm_module wasm_module;

typedef struct wasm_compile_options {
    bool metering;          /* emit fuel accounting; when false, fuel limits are not enforced */
    size_t max_module_size; /* refuse larger inputs; 0 = default (256 MiB) */
} wasm_compile_options;

/* Decode, validate and compile. Returns NULL and fills *err (if non-NULL) on a malformed or
 * invalid module. `opts` may be NULL (metering on, defaults). The bytes are not retained. */
wasm_module *wasm_module_compile(const uint8_t *bytes, size_t len,
                                 const wasm_compile_options *opts, wasm_error *err);
void wasm_module_free(wasm_module *m);

typedef enum wasm_extern_kind {
    WASM_EXTERN_FUNC = 0,
    WASM_EXTERN_TABLE = 1,
    WASM_EXTERN_MEMORY = 2,
    WASM_EXTERN_GLOBAL = 3,
} wasm_extern_kind;

/* Introspection, e.g. to list what a module imports. Strings are owned by the module. */
typedef struct wasm_import_info {
    const char *module;
    const char *name;
    wasm_extern_kind kind;
} wasm_import_info;
typedef struct wasm_export_info {
    const char *name;
    wasm_extern_kind kind;
} wasm_export_info;
size_t wasm_module_import_count(const wasm_module *m);
bool wasm_module_import_at(const wasm_module *m, size_t i, wasm_import_info *out);
size_t wasm_module_export_count(const wasm_module *m);
bool wasm_module_export_at(const wasm_module *m, size_t i, wasm_export_info *out);

/* ---------------------------------------------------------------- runtime objects */

typedef struct wasm_instance wasm_instance;
typedef struct wasm_func wasm_func;     /* owned by an instance or a linker */
typedef struct wasm_table wasm_table;
typedef struct wasm_memory wasm_memory;
typedef struct wasm_global wasm_global;

typedef struct wasm_extern {
    wasm_extern_kind kind;
    union {
        wasm_func *func;
        wasm_table *table;
        wasm_memory *memory;
        wasm_global *global;
    } of;
} wasm_extern;

/* A host function. `caller` is the instance whose code made the call (use it to reach guest
 * memory); `user` is the pointer given at definition; `slots` holds the arguments on entry and
 * receives the results (its length is max(params, results)). Return WASM_OK to continue, or a
 * trap to stop the guest: WASM_TRAP_EXIT for a requested exit, WASM_TRAP_HOST for a failure
 * (set a message with wasm_instance_set_trap_message first). Host functions must not call back
 * into the engine on the same instance. */
typedef wasm_trap (*wasm_host_func)(wasm_instance *caller, void *user, wasm_slot *slots);

/* ---------------------------------------------------------------- linking */

typedef struct wasm_linker wasm_linker;

wasm_linker *wasm_linker_new(void);
void wasm_linker_free(wasm_linker *l);

/* Define a host function. `sig` is "PARAMS:RESULTS" with one letter per value:
 * i = i32, I = i64, f = f32, F = f64, r = funcref, e = externref. Examples: "iiii:i", ":", "i:".
 * Returns false (and fills err) on a malformed signature or a duplicate name. */
bool wasm_linker_define_func(wasm_linker *l, const char *module, const char *name,
                             const char *sig, wasm_host_func fn, void *user, wasm_error *err);

/* Define any extern (e.g. one taken from another instance's exports). */
bool wasm_linker_define(wasm_linker *l, const char *module, const char *name,
                        const wasm_extern *ext, wasm_error *err);

/* Make every export of `inst` importable as module `module` (the spec's "register"). The
 * instance must outlive every instance linked against it. */
bool wasm_linker_define_instance(wasm_linker *l, const char *module, wasm_instance *inst,
                                 wasm_error *err);

/* Host-created objects (e.g. the spec test's "spectest" module). Owned by the linker. */
wasm_global *wasm_linker_new_global(wasm_linker *l, wasm_value init, bool mutable_);
wasm_table *wasm_linker_new_table(wasm_linker *l, wasm_valtype elem, uint32_t min, uint32_t max,
                                  bool has_max);
wasm_memory *wasm_linker_new_memory(wasm_linker *l, uint32_t min_pages, uint32_t max_pages,
                                    bool has_max);

/* ---------------------------------------------------------------- instances */

typedef struct wasm_limits {
    uint64_t fuel;             /* instructions the instance may execute; 0 = unlimited */
    uint64_t memory_bytes;     /* ceiling for each linear memory; 0 = 4 GiB (the format's own) */
    uint32_t max_call_depth;   /* 0 = default (10000) */
    uint32_t max_stack_slots;  /* value-stack slots across all frames; 0 = default (1 Mi) */
    uint32_t max_table_elems;  /* ceiling for each table; 0 = default (10 Mi) */
} wasm_limits;

/* Resolve imports through `l` (may be NULL for a module without imports), allocate memories,
 * tables and globals, apply data and element segments and run the start function. Returns NULL
 * and fills err on a link failure (unknown import, incompatible import type), a limit (declared
 * minimum memory above the ceiling) or a trap in the start function (the message names the
 * trap). `limits` may be NULL (defaults, unlimited fuel). */
wasm_instance *wasm_instantiate(const wasm_module *m, const wasm_linker *l,
                                const wasm_limits *limits, wasm_error *err);
void wasm_instance_free(wasm_instance *inst);

const wasm_module *wasm_instance_module(const wasm_instance *inst);

/* Exports. Return NULL/false if there is no export of that name and kind. */
wasm_func *wasm_instance_export_func(wasm_instance *inst, const char *name);
bool wasm_instance_export(wasm_instance *inst, const char *name, wasm_extern *out);
/* The same for a name given with its length (export names may contain NUL bytes). */
bool wasm_instance_export_len(wasm_instance *inst, const char *name, size_t len, wasm_extern *out);

/* Function type of a function: counts and types of params and results. */
size_t wasm_func_param_count(const wasm_func *f);
size_t wasm_func_result_count(const wasm_func *f);
wasm_valtype wasm_func_param_type(const wasm_func *f, size_t i);
wasm_valtype wasm_func_result_type(const wasm_func *f, size_t i);

/* Call a function. Arguments are checked against its type (WASM_TRAP_BAD_CALL on mismatch).
 * Results are written to `results` (which must hold nresults == result count). After a trap
 * the instance remains usable for further calls (its memory is as the trap left it). */
wasm_trap wasm_call(wasm_instance *inst, wasm_func *f, const wasm_value *args, size_t nargs,
                    wasm_value *results, size_t nresults);

/* Details of the last trap (for WASM_TRAP_HOST: the host's message; otherwise the trap name,
 * possibly with the function index and code offset). Never NULL. */
const char *wasm_instance_trap_message(const wasm_instance *inst);
void wasm_instance_set_trap_message(wasm_instance *inst, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Fuel. The budget counts from instantiation; each call draws from what remains.
 * Fuel is charged per straight-line block when the block is entered (so a trap or early exit
 * may leave part of a block charged); the same program always stops at the same point.
 * wasm_instance_set_fuel gives the instance `fuel` more units from now on (the remaining
 * budget becomes `fuel`); 0 makes it unlimited. Modules compiled without metering never run
 * out of fuel. */
void wasm_instance_set_fuel(wasm_instance *inst, uint64_t fuel); /* 0 = unlimited */
uint64_t wasm_instance_fuel_used(const wasm_instance *inst);     /* total since instantiation */
uint64_t wasm_instance_fuel_remaining(const wasm_instance *inst);

/* Stop a running call as soon as possible (at the next loop header or call); the call returns
 * WASM_TRAP_INTERRUPTED. Safe from any thread and from signal handlers. The flag stays set
 * until wasm_instance_clear_interrupt(). */
void wasm_instance_interrupt(wasm_instance *inst);
void wasm_instance_clear_interrupt(wasm_instance *inst);

/* Embedder data. */
void wasm_instance_set_user(wasm_instance *inst, void *user);
void *wasm_instance_user(const wasm_instance *inst);

/* ---------------------------------------------------------------- memory access */

/* The instance's memory 0 (defined or imported); NULL if it has none. */
wasm_memory *wasm_instance_memory(wasm_instance *inst);

uint64_t wasm_memory_size(const wasm_memory *mem);        /* bytes */
uint64_t wasm_memory_peak(const wasm_memory *mem);        /* largest size reached, bytes */
/* Grow by `delta` pages; returns the old size in pages, or -1 if it cannot (limits). */
int64_t wasm_memory_grow(wasm_memory *mem, uint32_t delta);

/* Bounds-checked copies; false if [offset, offset+len) is not inside the memory. */
bool wasm_memory_read(const wasm_memory *mem, uint64_t offset, void *dst, size_t len);
bool wasm_memory_write(wasm_memory *mem, uint64_t offset, const void *src, size_t len);

/* A bounds-checked pointer into guest memory for [offset, offset+len), or NULL if that range
 * is not inside it. Valid until the guest runs again or the memory grows. */
void *wasm_memory_ptr(wasm_memory *mem, uint64_t offset, size_t len);

/* ---------------------------------------------------------------- globals and tables */

wasm_value wasm_global_get(const wasm_global *g);
bool wasm_global_set(wasm_global *g, wasm_value v); /* false if immutable or wrong type */
wasm_valtype wasm_global_type(const wasm_global *g);

uint32_t wasm_table_size(const wasm_table *t);
bool wasm_table_get(const wasm_table *t, uint32_t i, wasm_value *out);

#endif
