/* fuzz_wasm.c — libFuzzer target for the WebAssembly engine: decode + validate + compile the
 * input; if it is a valid module, instantiate it (imports resolve to host functions of any
 * signature we can name, see below; the rest fail to link) under tight limits and call every
 * exported function with zero arguments, each call with a bounded fuel budget, then touch
 * exported globals, tables and memory through the embedding API.
 *
 * A quarter of the inputs (by length) that have no start function are compiled without fuel
 * metering instead; their calls are bounded by a watchdog thread that interrupts the instance
 * after FUZZ_WALL_MS, which fuzzes the unmetered code and the interrupt path (an engine that
 * does not stop shows up as a libFuzzer timeout).
 *
 * Build: make build/fuzz/fuzz_wasm (clang -fsanitize=fuzzer,address,undefined).
 * Run:   build/fuzz/fuzz_wasm -max_total_time=60 build/fuzz/corpus */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wasm/wasm.h"

#define FUZZ_FUEL 200000u          /* instructions per call */
#define FUZZ_MEMORY (16u << 20)    /* bytes per memory */
#define FUZZ_TABLE 100000u         /* elements per table */
#define FUZZ_MAX_RESULTS 64
#define FUZZ_WALL_MS 10            /* per unmetered call */
#define FUZZ_UNMETERED_CALLS 8     /* unmetered calls per input */

/* ---------------------------------------------------------------- watchdog */

static pthread_mutex_t wd_mu = PTHREAD_MUTEX_INITIALIZER;
static wasm_instance *wd_inst; /* the instance running an unmetered call, or NULL */
static uint64_t wd_deadline_ns;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *watchdog(void *arg)
{
    (void)arg;
    for (;;) {
        usleep(1000);
        pthread_mutex_lock(&wd_mu);
        if (wd_inst != NULL && now_ns() > wd_deadline_ns)
            wasm_instance_interrupt(wd_inst);
        pthread_mutex_unlock(&wd_mu);
    }
    return NULL;
}

static void watchdog_start(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, watchdog, NULL) != 0)
        abort();
    pthread_detach(t);
}

static void watch(wasm_instance *inst)
{
    pthread_mutex_lock(&wd_mu);
    wd_inst = inst;
    wd_deadline_ns = now_ns() + FUZZ_WALL_MS * 1000000u;
    pthread_mutex_unlock(&wd_mu);
}

static void unwatch(wasm_instance *inst)
{
    pthread_mutex_lock(&wd_mu);
    wd_inst = NULL;
    pthread_mutex_unlock(&wd_mu);
    wasm_instance_clear_interrupt(inst);
}

/* Does the binary have a start section (id 8)? Unparseable counts as yes (stay metered). */
static bool has_start_section(const uint8_t *d, size_t n)
{
    size_t p = 8;
    if (n < 8)
        return true;
    while (p < n) {
        uint8_t id = d[p++];
        uint64_t len = 0;
        for (int shift = 0;; shift += 7) {
            if (p >= n || shift > 28)
                return true;
            uint8_t b = d[p++];
            len |= (uint64_t)(b & 0x7f) << shift;
            if (!(b & 0x80))
                break;
        }
        if (id == 8)
            return true;
        if (len > n - p)
            return true;
        p += len;
    }
    return false;
}

static wasm_trap host_nop(wasm_instance *caller, void *user, wasm_slot *slots)
{
    (void)caller;
    (void)user;
    (void)slots;
    return WASM_OK;
}

static wasm_trap host_trap(wasm_instance *caller, void *user, wasm_slot *slots)
{
    (void)user;
    (void)slots;
    wasm_instance_set_trap_message(caller, "fuzz host trap");
    return WASM_TRAP_HOST;
}

/* Define every function import as a host function with a signature derived from its name when
 * the name spells one ("ii:i" and so on are legal import names), else as ":"; the engine must
 * reject the mismatches cleanly. Imports named "trap" trap. Also offer a memory, a table and
 * globals under module "env" so that modules importing those can instantiate. */
static void define_imports(wasm_linker *l, const wasm_module *m)
{
    wasm_error err;
    size_t n = wasm_module_import_count(m);
    for (size_t i = 0; i < n && i < 64; i++) {
        wasm_import_info info;
        if (!wasm_module_import_at(m, i, &info) || info.kind != WASM_EXTERN_FUNC)
            continue;
        const char *sig = strchr(info.name, ':') != NULL ? info.name : ":";
        wasm_host_func fn = strcmp(info.name, "trap") == 0 ? host_trap : host_nop;
        if (!wasm_linker_define_func(l, info.module, info.name, sig, fn, NULL, &err))
            (void)wasm_linker_define_func(l, info.module, info.name, ":", fn, NULL, &err);
    }
    wasm_memory *mem = wasm_linker_new_memory(l, 1, 2, true);
    wasm_table *tab = wasm_linker_new_table(l, WASM_FUNCREF, 4, 8, true);
    wasm_value v = {.type = WASM_I32, .of.i32 = 42};
    wasm_global *g = wasm_linker_new_global(l, v, false);
    v.type = WASM_I64;
    v.of.i64 = 7;
    wasm_global *gm = wasm_linker_new_global(l, v, true);
    wasm_extern e;
    if (mem) {
        e = (wasm_extern){.kind = WASM_EXTERN_MEMORY, .of.memory = mem};
        (void)wasm_linker_define(l, "env", "memory", &e, &err);
    }
    if (tab) {
        e = (wasm_extern){.kind = WASM_EXTERN_TABLE, .of.table = tab};
        (void)wasm_linker_define(l, "env", "table", &e, &err);
    }
    if (g) {
        e = (wasm_extern){.kind = WASM_EXTERN_GLOBAL, .of.global = g};
        (void)wasm_linker_define(l, "env", "g", &e, &err);
    }
    if (gm) {
        e = (wasm_extern){.kind = WASM_EXTERN_GLOBAL, .of.global = gm};
        (void)wasm_linker_define(l, "env", "gm", &e, &err);
    }
}

static void call_exports(wasm_instance *inst, const wasm_module *m, bool metering)
{
    size_t n = wasm_module_export_count(m), unmetered_calls = 0;
    for (size_t i = 0; i < n && i < 256; i++) {
        wasm_export_info info;
        if (!wasm_module_export_at(m, i, &info))
            continue;
        wasm_extern ext;
        if (!wasm_instance_export(inst, info.name, &ext))
            continue; /* only possible for a name with a NUL byte (C-string lookup) */
        if (ext.kind == WASM_EXTERN_GLOBAL) {
            wasm_value v = wasm_global_get(ext.of.global);
            (void)wasm_global_set(ext.of.global, v);
            continue;
        }
        if (ext.kind == WASM_EXTERN_TABLE) {
            uint32_t size = wasm_table_size(ext.of.table);
            wasm_value v;
            if (size > 0)
                (void)wasm_table_get(ext.of.table, size - 1, &v);
            (void)wasm_table_get(ext.of.table, size, &v);
            continue;
        }
        if (ext.kind != WASM_EXTERN_FUNC)
            continue;
        wasm_func *f = ext.of.func;
        size_t np = wasm_func_param_count(f), nr = wasm_func_result_count(f);
        if (np > 1000 || nr > FUZZ_MAX_RESULTS)
            continue;
        if (!metering && unmetered_calls++ >= FUZZ_UNMETERED_CALLS)
            continue;
        wasm_value *args = calloc(np ? np : 1, sizeof *args);
        wasm_value res[FUZZ_MAX_RESULTS];
        if (args == NULL)
            return;
        for (size_t k = 0; k < np; k++)
            args[k].type = wasm_func_param_type(f, k); /* zero / null */
        wasm_instance_set_fuel(inst, FUZZ_FUEL);
        if (!metering)
            watch(inst);
        (void)wasm_call(inst, f, args, np, res, nr);
        if (!metering)
            unwatch(inst);
        (void)wasm_instance_trap_message(inst);
        free(args);
    }
    wasm_memory *mem = wasm_instance_memory(inst);
    if (mem != NULL) {
        uint8_t b[16];
        uint64_t size = wasm_memory_size(mem);
        if (size >= sizeof b && !wasm_memory_read(mem, size - sizeof b, b, sizeof b))
            abort(); /* in bounds: must succeed */
        if (wasm_memory_read(mem, size, b, 1) || wasm_memory_ptr(mem, size - 1, 2) != NULL ||
            wasm_memory_write(mem, UINT64_MAX, b, 1))
            abort(); /* out of bounds: must fail */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool started;
    if (!started) {
        watchdog_start();
        started = true;
    }
    wasm_error err;
    bool metering = size % 4 != 0 || has_start_section(data, size);
    wasm_compile_options opts = {.metering = metering};
    wasm_module *m = wasm_module_compile(data, size, &opts, &err);
    if (m == NULL) {
        if (err.message[0] == '\0')
            abort(); /* every rejection must say why */
        return 0;
    }
    wasm_linker *l = wasm_linker_new();
    if (l != NULL)
        define_imports(l, m);
    wasm_limits limits = {
        .fuel = FUZZ_FUEL,
        .memory_bytes = FUZZ_MEMORY,
        .max_call_depth = 500,
        .max_stack_slots = 1u << 16,
        .max_table_elems = FUZZ_TABLE,
    };
    wasm_instance *inst = wasm_instantiate(m, l, &limits, &err);
    if (inst != NULL) {
        call_exports(inst, m, metering);
        wasm_instance_free(inst);
    }
    wasm_linker_free(l);
    wasm_module_free(m);
    return 0;
}
