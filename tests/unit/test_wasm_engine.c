/* test_wasm_engine.c — the WebAssembly engine's limits and API, written as an attacker would:
 * fuel exhaustion (deterministic, reported), interrupt from another thread, unbounded
 * recursion, memory ceiling, host functions, cross-instance calls, traps, accessors.
 * Modules are written in the text format and converted with wabt's wat2wasm at test time. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"
#include "wasm/wasm.h"

/* wat text -> wasm bytes (via wat2wasm in a private temp dir). */
static uint8_t *wat2wasm(const char *text, size_t *len)
{
    char dir[] = "/tmp/wasmtestXXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *in = xasprintf("%s/m.wat", dir), *out = xasprintf("%s/m.wasm", dir);
    FILE *f = fopen(in, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    char *cmd = xasprintf("wat2wasm --enable-all --disable-simd '%s' -o '%s' 2>&1", in, out);
    int rc = system(cmd);
    cr_assert_eq(rc, 0, "wat2wasm failed");
    uint8_t *b = (uint8_t *)util_read_file(out, 0, len);
    cr_assert_not_null(b);
    unlink(in);
    unlink(out);
    rmdir(dir);
    free(in);
    free(out);
    free(cmd);
    return b;
}

static wasm_module *compile_wat(const char *text, bool metering)
{
    size_t len;
    uint8_t *b = wat2wasm(text, &len);
    wasm_error err;
    wasm_compile_options o = {.metering = metering};
    wasm_module *m = wasm_module_compile(b, len, &o, &err);
    free(b);
    cr_assert_not_null(m, "compile failed: %s", err.message);
    return m;
}

static wasm_value i32v(uint32_t x)
{
    wasm_value v = {.type = WASM_I32};
    v.of.i32 = x;
    return v;
}

static const char *counter_loop =
    "(module (memory (export \"mem\") 1)"
    "  (func (export \"spin\") (loop $l"
    "     (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))"
    "     (br $l)))"
    "  (func (export \"count\") (result i32) (i32.load (i32.const 0)))"
    "  (func (export \"add\") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))";

Test(wasm_engine, simple_call)
{
    wasm_module *m = compile_wat(counter_loop, true);
    wasm_error err;
    wasm_instance *in = wasm_instantiate(m, NULL, NULL, &err);
    cr_assert_not_null(in, "%s", err.message);
    wasm_func *f = wasm_instance_export_func(in, "add");
    cr_assert_not_null(f);
    cr_assert_eq(wasm_func_param_count(f), 2);
    cr_assert_eq(wasm_func_result_count(f), 1);
    wasm_value args[2] = {i32v(40), i32v(2)}, res;
    cr_assert_eq(wasm_call(in, f, args, 2, &res, 1), WASM_OK);
    cr_assert_eq(res.of.i32, 42);
    /* wrong argument count / type: refused, not crashed */
    cr_assert_eq(wasm_call(in, f, args, 1, &res, 1), WASM_TRAP_BAD_CALL);
    args[1].type = WASM_I64;
    cr_assert_eq(wasm_call(in, f, args, 2, &res, 1), WASM_TRAP_BAD_CALL);
    cr_assert_null(wasm_instance_export_func(in, "nope"));
    wasm_instance_free(in);
    wasm_module_free(m);
}

Test(wasm_engine, fuel_exhaustion_is_deterministic)
{
    wasm_module *m = compile_wat(counter_loop, true);
    uint32_t first = 0;
    for (int run = 0; run < 5; run++) {
        wasm_limits lim = {.fuel = 100000};
        wasm_error err;
        wasm_instance *in = wasm_instantiate(m, NULL, &lim, &err);
        cr_assert_not_null(in, "%s", err.message);
        wasm_trap t = wasm_call(in, wasm_instance_export_func(in, "spin"), NULL, 0, NULL, 0);
        cr_assert_eq(t, WASM_TRAP_OUT_OF_FUEL);
        cr_assert(strncmp(wasm_instance_trap_message(in), "out of fuel (in function ", 25) == 0,
                  "%s", wasm_instance_trap_message(in));
        cr_assert_eq(wasm_instance_fuel_used(in), 100000);
        cr_assert_eq(wasm_instance_fuel_remaining(in), 0);
        uint32_t count;
        cr_assert(wasm_memory_read(wasm_instance_memory(in), 0, &count, 4));
        cr_assert_gt(count, 1000);
        if (run == 0)
            first = count;
        cr_assert_eq(count, first, "run %d stopped at %u, first run at %u", run, count, first);
        /* more fuel lets it continue from where it is */
        wasm_instance_set_fuel(in, 1000);
        t = wasm_call(in, wasm_instance_export_func(in, "spin"), NULL, 0, NULL, 0);
        cr_assert_eq(t, WASM_TRAP_OUT_OF_FUEL);
        cr_assert_eq(wasm_instance_fuel_used(in), 101000);
        wasm_instance_free(in);
    }
    wasm_module_free(m);
}

Test(wasm_engine, fuel_used_reported_for_completed_calls)
{
    wasm_module *m = compile_wat(counter_loop, true);
    wasm_instance *in = wasm_instantiate(m, NULL, NULL, NULL);
    cr_assert_not_null(in);
    wasm_func *f = wasm_instance_export_func(in, "add");
    wasm_value args[2] = {i32v(1), i32v(2)}, res;
    cr_assert_eq(wasm_call(in, f, args, 2, &res, 1), WASM_OK);
    uint64_t one = wasm_instance_fuel_used(in);
    cr_assert_gt(one, 0);
    cr_assert_eq(wasm_call(in, f, args, 2, &res, 1), WASM_OK);
    cr_assert_eq(wasm_instance_fuel_used(in), 2 * one);
    wasm_instance_free(in);
    wasm_module_free(m);
}

typedef struct {
    wasm_instance *in;
} irq_arg;

static void *interrupter(void *p)
{
    irq_arg *a = p;
    usleep(20000);
    wasm_instance_interrupt(a->in);
    return NULL;
}

static void interrupt_case(bool metering, const char *text)
{
    wasm_module *m = compile_wat(text, metering);
    wasm_instance *in = wasm_instantiate(m, NULL, NULL, NULL);
    cr_assert_not_null(in);
    irq_arg a = {in};
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, interrupter, &a), 0);
    wasm_trap t = wasm_call(in, wasm_instance_export_func(in, "spin"), NULL, 0, NULL, 0);
    pthread_join(th, NULL);
    cr_assert_eq(t, WASM_TRAP_INTERRUPTED);
    /* the flag stays set until cleared */
    cr_assert_eq(wasm_call(in, wasm_instance_export_func(in, "spin"), NULL, 0, NULL, 0),
                 WASM_TRAP_INTERRUPTED);
    wasm_instance_clear_interrupt(in);
    wasm_instance_free(in);
    wasm_module_free(m);
}

Test(wasm_engine, interrupt_stops_tight_loop)
{
    const char *tight = "(module (func (export \"spin\") (loop $l (br $l))))";
    interrupt_case(true, tight);
    interrupt_case(false, tight);
    interrupt_case(false, counter_loop);
}

Test(wasm_engine, unbounded_recursion_traps_cleanly)
{
    const char *text = "(module"
                       " (func $r (export \"rec\") (param i32) (result i32)"
                       "   (i32.add (call $r (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))"
                       " (func $big (export \"big\") (param i32) (local i64 i64 i64 i64 i64 i64 i64 i64)"
                       "   (call $big (local.get 0)))"
                       " (func (export \"ok\") (result i32) (i32.const 7)))";
    wasm_module *m = compile_wat(text, true);
    for (int variant = 0; variant < 3; variant++) {
        wasm_limits lim = {0};
        if (variant == 1)
            lim.max_call_depth = 100;
        if (variant == 2)
            lim.max_stack_slots = 5000;
        wasm_instance *in = wasm_instantiate(m, NULL, &lim, NULL);
        cr_assert_not_null(in);
        wasm_value a = i32v(0), r;
        cr_assert_eq(wasm_call(in, wasm_instance_export_func(in, "rec"), &a, 1, &r, 1),
                     WASM_TRAP_STACK_EXHAUSTED);
        cr_assert_eq(wasm_call(in, wasm_instance_export_func(in, "big"), &a, 1, NULL, 0),
                     WASM_TRAP_STACK_EXHAUSTED);
        cr_assert(strncmp(wasm_instance_trap_message(in), "call stack exhausted", 20) == 0);
        /* still usable */
        cr_assert_eq(wasm_call(in, wasm_instance_export_func(in, "ok"), NULL, 0, &r, 1), WASM_OK);
        cr_assert_eq(r.of.i32, 7);
        wasm_instance_free(in);
    }
    wasm_module_free(m);
}

Test(wasm_engine, memory_ceiling)
{
    const char *text = "(module (memory (export \"mem\") 1)"
                       " (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0)))"
                       " (func (export \"size\") (result i32) (memory.size)))";
    wasm_module *m = compile_wat(text, true);
    wasm_limits lim = {.memory_bytes = 4 * 65536};
    wasm_instance *in = wasm_instantiate(m, NULL, &lim, NULL);
    cr_assert_not_null(in);
    wasm_func *grow = wasm_instance_export_func(in, "grow");
    wasm_value a = i32v(2), r;
    cr_assert_eq(wasm_call(in, grow, &a, 1, &r, 1), WASM_OK);
    cr_assert_eq(r.of.i32, 1);
    a = i32v(2); /* 3 + 2 > 4 */
    cr_assert_eq(wasm_call(in, grow, &a, 1, &r, 1), WASM_OK);
    cr_assert_eq((int32_t)r.of.i32, -1);
    a = i32v(0xffffffffu);
    cr_assert_eq(wasm_call(in, grow, &a, 1, &r, 1), WASM_OK);
    cr_assert_eq((int32_t)r.of.i32, -1);
    a = i32v(1);
    cr_assert_eq(wasm_call(in, grow, &a, 1, &r, 1), WASM_OK);
    cr_assert_eq(r.of.i32, 3);
    wasm_memory *mem = wasm_instance_memory(in);
    cr_assert_eq(wasm_memory_size(mem), 4 * 65536);
    cr_assert_eq(wasm_memory_peak(mem), 4 * 65536);
    cr_assert_eq(wasm_memory_grow(mem, 1), -1);
    /* accessors are bounds-checked */
    uint8_t buf[16] = {1, 2, 3};
    cr_assert(wasm_memory_write(mem, 4 * 65536 - 16, buf, 16));
    cr_assert_not(wasm_memory_write(mem, 4 * 65536 - 15, buf, 16));
    cr_assert_not(wasm_memory_read(mem, UINT64_MAX - 3, buf, 8));
    cr_assert_null(wasm_memory_ptr(mem, 4 * 65536, 1));
    cr_assert_not_null(wasm_memory_ptr(mem, 4 * 65536, 0));
    cr_assert_null(wasm_memory_ptr(mem, 1, SIZE_MAX));
    wasm_instance_free(in);
    wasm_module_free(m);
}

Test(wasm_engine, declared_minimum_above_ceiling_fails_instantiation)
{
    wasm_module *m = compile_wat("(module (memory 10))", true);
    wasm_limits lim = {.memory_bytes = 5 * 65536};
    wasm_error err;
    cr_assert_null(wasm_instantiate(m, NULL, &lim, &err));
    cr_assert(strstr(err.message, "memory limit"), "%s", err.message);
    lim.memory_bytes = 10 * 65536;
    wasm_instance *in = wasm_instantiate(m, NULL, &lim, &err);
    cr_assert_not_null(in, "%s", err.message);
    wasm_instance_free(in);
    wasm_module_free(m);
}

static wasm_trap host_add(wasm_instance *caller, void *user, wasm_slot *s)
{
    int *calls = user;
    (*calls)++;
    uint32_t a = (uint32_t)s[0], b = (uint32_t)s[1];
    if (a == 666) {
        wasm_instance_set_trap_message(caller, "host refused %u", a);
        return WASM_TRAP_HOST;
    }
    if (a == 777)
        return WASM_TRAP_EXIT;
    /* write into guest memory through the caller */
    wasm_memory *mem = wasm_instance_memory(caller);
    uint32_t v = a + b;
    if (!wasm_memory_write(mem, 8, &v, 4))
        return WASM_TRAP_HOST;
    s[0] = (uint32_t)(a + b);
    return WASM_OK;
}

Test(wasm_engine, host_functions)
{
    const char *text = "(module (import \"env\" \"add\" (func $add (param i32 i32) (result i32)))"
                       " (memory (export \"mem\") 1)"
                       " (func (export \"f\") (param i32) (result i32)"
                       "   (i32.add (call $add (local.get 0) (i32.const 5)) (i32.load (i32.const 8)))))";
    wasm_module *m = compile_wat(text, true);
    cr_assert_eq(wasm_module_import_count(m), 1);
    wasm_import_info ii;
    cr_assert(wasm_module_import_at(m, 0, &ii));
    cr_assert_str_eq(ii.module, "env");
    cr_assert_str_eq(ii.name, "add");
    cr_assert_eq(ii.kind, WASM_EXTERN_FUNC);
    wasm_error err;
    cr_assert_null(wasm_instantiate(m, NULL, NULL, &err), "no linker: must fail");
    cr_assert(strstr(err.message, "unknown import"), "%s", err.message);

    wasm_linker *l = wasm_linker_new();
    int calls = 0;
    cr_assert_not(wasm_linker_define_func(l, "env", "add", "ii:x", host_add, &calls, &err));
    cr_assert_not(wasm_linker_define_func(l, "env", "add", "ii", host_add, &calls, &err));
    /* wrong type: link error */
    cr_assert(wasm_linker_define_func(l, "env", "add", "iI:i", host_add, &calls, &err));
    cr_assert_null(wasm_instantiate(m, l, NULL, &err));
    cr_assert(strstr(err.message, "incompatible import type"), "%s", err.message);
    wasm_linker_free(l);

    l = wasm_linker_new();
    cr_assert(wasm_linker_define_func(l, "env", "add", "ii:i", host_add, &calls, &err));
    cr_assert_not(wasm_linker_define_func(l, "env", "add", "ii:i", host_add, &calls, &err));
    wasm_instance *in = wasm_instantiate(m, l, NULL, &err);
    cr_assert_not_null(in, "%s", err.message);
    wasm_func *f = wasm_instance_export_func(in, "f");
    wasm_value a = i32v(10), r;
    cr_assert_eq(wasm_call(in, f, &a, 1, &r, 1), WASM_OK);
    cr_assert_eq(r.of.i32, 30);
    cr_assert_eq(calls, 1);
    a = i32v(666);
    cr_assert_eq(wasm_call(in, f, &a, 1, &r, 1), WASM_TRAP_HOST);
    cr_assert_str_eq(wasm_instance_trap_message(in), "host refused 666");
    a = i32v(777);
    cr_assert_eq(wasm_call(in, f, &a, 1, &r, 1), WASM_TRAP_EXIT);
    a = i32v(1);
    cr_assert_eq(wasm_call(in, f, &a, 1, &r, 1), WASM_OK);
    cr_assert_eq(r.of.i32, 12);
    wasm_instance_free(in);
    wasm_linker_free(l);
    wasm_module_free(m);
}

Test(wasm_engine, cross_instance_calls_use_callee_memory)
{
    const char *a_text = "(module (memory (export \"mem\") 1) (global $g (mut i32) (i32.const 5))"
                         " (func (export \"put\") (param i32) (i32.store (i32.const 0) (local.get 0))"
                         "   (global.set $g (local.get 0)))"
                         " (func (export \"get\") (result i32) (i32.add (i32.load (i32.const 0)) (global.get $g)))"
                         " (table (export \"tab\") 2 funcref) (elem (i32.const 0) 1))";
    const char *b_text = "(module (import \"a\" \"put\" (func $put (param i32)))"
                         " (import \"a\" \"tab\" (table 2 funcref))"
                         " (type $r (func (result i32)))"
                         " (memory 1)"
                         " (func (export \"run\") (result i32)"
                         "   (i32.store (i32.const 0) (i32.const 1000))"
                         "   (call $put (i32.const 21))"
                         "   (i32.add (call_indirect (type $r) (i32.const 0)) (i32.load (i32.const 0))))"
                         " (func (export \"bad\") (result i32) (call_indirect (type $r) (i32.const 1)))"
                         " (func (export \"oob\") (result i32) (call_indirect (type $r) (i32.const 2))))";
    wasm_module *ma = compile_wat(a_text, true), *mb = compile_wat(b_text, true);
    wasm_error err;
    wasm_instance *ia = wasm_instantiate(ma, NULL, NULL, &err);
    cr_assert_not_null(ia, "%s", err.message);
    wasm_linker *l = wasm_linker_new();
    cr_assert(wasm_linker_define_instance(l, "a", ia, &err));
    wasm_instance *ib = wasm_instantiate(mb, l, NULL, &err);
    cr_assert_not_null(ib, "%s", err.message);
    wasm_value r;
    cr_assert_eq(wasm_call(ib, wasm_instance_export_func(ib, "run"), NULL, 0, &r, 1), WASM_OK);
    cr_assert_eq(r.of.i32, 21 + 21 + 1000);
    cr_assert_eq(wasm_call(ib, wasm_instance_export_func(ib, "bad"), NULL, 0, &r, 1),
                 WASM_TRAP_UNINITIALIZED_ELEMENT);
    cr_assert_eq(wasm_call(ib, wasm_instance_export_func(ib, "oob"), NULL, 0, &r, 1),
                 WASM_TRAP_UNDEFINED_ELEMENT);
    wasm_instance_free(ib);
    wasm_linker_free(l);
    wasm_instance_free(ia);
    wasm_module_free(ma);
    wasm_module_free(mb);
}

Test(wasm_engine, traps)
{
    const char *text = "(module (memory 1)"
                       " (func (export \"div\") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))"
                       " (func (export \"unr\") unreachable)"
                       " (func (export \"oob\") (param i32) (result i32) (i32.load offset=4 (local.get 0)))"
                       " (func (export \"cvt\") (param f32) (result i32) (i32.trunc_f32_s (local.get 0)))"
                       " (table 1 funcref) (elem (i32.const 0) 0)"
                       " (type $v (func))"
                       " (func (export \"ind\") (call_indirect (type $v) (i32.const 0))))";
    wasm_module *m = compile_wat(text, true);
    wasm_instance *in = wasm_instantiate(m, NULL, NULL, NULL);
    cr_assert_not_null(in);
    wasm_value a[2] = {i32v(1), i32v(0)}, r;
    cr_assert_eq(wasm_call(in, wasm_instance_export_func(in, "div"), a, 2, &r, 1), WASM_TRAP_DIV_ZERO);
    a[0] = i32v(0x80000000u);
    a[1] = i32v(0xffffffffu);
    cr_assert_eq(wasm_call(in, wasm_instance_export_func(in, "div"), a, 2, &r, 1), WASM_TRAP_INT_OVERFLOW);
    cr_assert_eq(wasm_call(in, wasm_instance_export_func(in, "unr"), NULL, 0, NULL, 0), WASM_TRAP_UNREACHABLE);
    a[0] = i32v(65532);
    cr_assert_eq(wasm_call(in, wasm_instance_export_func(in, "oob"), a, 1, &r, 1), WASM_TRAP_MEMORY_OOB);
    a[0] = i32v(0xfffffffcu);
    cr_assert_eq(wasm_call(in, wasm_instance_export_func(in, "oob"), a, 1, &r, 1), WASM_TRAP_MEMORY_OOB);
    a[0].type = WASM_F32;
    a[0].of.f32 = 0x7fc00000u; /* NaN */
    cr_assert_eq(wasm_call(in, wasm_instance_export_func(in, "cvt"), a, 1, &r, 1),
                 WASM_TRAP_INVALID_CONVERSION);
    cr_assert_eq(wasm_call(in, wasm_instance_export_func(in, "ind"), NULL, 0, NULL, 0),
                 WASM_TRAP_INDIRECT_TYPE);
    wasm_instance_free(in);
    wasm_module_free(m);
}

static void expect_reject(const uint8_t *b, size_t len, const char *needle)
{
    wasm_error err;
    wasm_module *m = wasm_module_compile(b, len, NULL, &err);
    cr_assert_null(m, "module accepted, wanted: %s", needle);
    cr_assert(strstr(err.message, needle), "message \"%s\" lacks \"%s\"", err.message, needle);
}

Test(wasm_engine, malformed_and_invalid_rejected_with_position)
{
    expect_reject((const uint8_t *)"\0asn\1\0\0\0", 8, "magic");
    expect_reject((const uint8_t *)"\0asm\2\0\0\0", 8, "version");
    expect_reject((const uint8_t *)"\0as", 3, "byte offset 0");
    /* type section claiming 2^32-1 entries in 2 bytes: refused before allocating */
    static const uint8_t huge[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 6, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x60};
    expect_reject(huge, sizeof huge, "byte offset 10");
    /* section size past the end */
    static const uint8_t trunc[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 0x7f, 0};
    expect_reject(trunc, sizeof trunc, "section 1 (type)");
    /* a function body with a type error: names the function */
    static const uint8_t bad_body[] = {0, 'a', 's', 'm', 1, 0, 0, 0,
                                       1, 5, 1, 0x60, 0, 1, 0x7f,   /* type () -> i32 */
                                       3, 2, 1, 0,                  /* func 0 : type 0 */
                                       10, 6, 1, 4, 0, 0x42, 0, 0x0b}; /* i64.const 0 end */
    expect_reject(bad_body, sizeof bad_body, "function 0");
    expect_reject(bad_body, sizeof bad_body, "type mismatch");
    /* absurd local count */
    static const uint8_t locals[] = {0, 'a', 's', 'm', 1, 0, 0, 0,
                                     1, 4, 1, 0x60, 0, 0,
                                     3, 2, 1, 0,
                                     10, 10, 1, 8, 1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x0b};
    expect_reject(locals, sizeof locals, "too many locals");
    /* duplicate export names */
    static const uint8_t dup[] = {0, 'a', 's', 'm', 1, 0, 0, 0,
                                  1, 4, 1, 0x60, 0, 0,
                                  3, 2, 1, 0,
                                  7, 9, 2, 1, 'a', 0, 0, 1, 'a', 0, 0,
                                  10, 4, 1, 2, 0, 0x0b};
    expect_reject(dup, sizeof dup, "duplicate export name");
    /* every prefix of a valid module is rejected cleanly (never crashes) */
    for (size_t n = 0; n < sizeof dup; n++) {
        wasm_error err;
        wasm_module *m = wasm_module_compile(dup, n, NULL, &err);
        /* only the cuts at section boundaries before the function section are valid */
        if (n == 8 || n == 14) {
            cr_assert_not_null(m, "%zu: %s", n, err.message);
            wasm_module_free(m);
        } else {
            cr_assert_null(m, "prefix of %zu bytes accepted", n);
        }
    }
}

Test(wasm_engine, multi_value_and_bulk_ops)
{
    const char *text =
        "(module (memory 1) (data $d \"hello\")"
        " (func $swap (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))"
        " (func (export \"mv\") (result i32)"
        "   (i32.const 10) (i32.const 3)"
        "   (block (param i32 i32) (result i32 i32) (call $swap)) (i32.sub) )"
        " (func (export \"bulk\") (result i32)"
        "   (memory.init $d (i32.const 100) (i32.const 0) (i32.const 5))"
        "   (memory.copy (i32.const 200) (i32.const 100) (i32.const 5))"
        "   (memory.fill (i32.const 201) (i32.const 0x41) (i32.const 2))"
        "   (i32.load8_u (i32.const 202))))";
    wasm_module *m = compile_wat(text, true);
    wasm_instance *in = wasm_instantiate(m, NULL, NULL, NULL);
    cr_assert_not_null(in);
    wasm_value r;
    cr_assert_eq(wasm_call(in, wasm_instance_export_func(in, "mv"), NULL, 0, &r, 1), WASM_OK);
    cr_assert_eq((int32_t)r.of.i32, -7);
    cr_assert_eq(wasm_call(in, wasm_instance_export_func(in, "bulk"), NULL, 0, &r, 1), WASM_OK);
    cr_assert_eq(r.of.i32, 'A');
    char buf[6] = {0};
    cr_assert(wasm_memory_read(wasm_instance_memory(in), 200, buf, 5));
    cr_assert_str_eq(buf, "hAAlo");
    wasm_instance_free(in);
    wasm_module_free(m);
}

/* Deterministic mutations of valid modules: every one is decoded, validated and, if accepted,
 * instantiated and every exported function run with small limits. Nothing may crash (ASan). */
Test(wasm_engine, mutated_modules_never_crash)
{
    const char *text =
        "(module (memory 1 2) (table 4 funcref) (global $g (mut i32) (i32.const 3))"
        " (type $t (func (param i32) (result i32)))"
        " (func $f (type $t) (i32.add (local.get 0) (global.get $g)))"
        " (elem (i32.const 0) $f $f)"
        " (data (i32.const 8) \"abcdefgh\")"
        " (func (export \"a\") (result i32) (local i32)"
        "   (block (loop (br_if 1 (i32.ge_u (local.get 0) (i32.const 50)))"
        "     (local.set 0 (i32.add (local.get 0) (call_indirect (type $t) (i32.const 1) (i32.const 0))))"
        "     (i32.store8 (local.get 0) (local.get 0)) (br 0)))"
        "   (memory.fill (i32.const 0) (i32.const 7) (i32.const 16))"
        "   (i32.load (local.get 0)))"
        " (func (export \"b\") (param i64 f64) (result i64 f64)"
        "   (local.get 0) (local.get 1) (select (result f64) (f64.const 1) (f64.const 2) (i32.const 0))"
        "   (drop) (br_table 0 0 (i32.const 1))))";
    size_t len;
    uint8_t *orig = wat2wasm(text, &len);
    uint8_t *b = xmalloc(len + 8);
    uint64_t s = 0x9e3779b97f4a7c15ull;
    unsigned accepted = 0;
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(b, orig, len);
        size_t n = len;
        int muts = 1 + (int)(s % 4);
        for (int k = 0; k < muts; k++) {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            size_t at = 8 + (size_t)(s % (n - 8));
            switch ((s >> 32) % 4) {
            case 0: b[at] ^= (uint8_t)(1u << ((s >> 40) % 8)); break;
            case 1: b[at] = (uint8_t)(s >> 48); break;
            case 2: b[at] = (s >> 50) & 1 ? 0xff : 0x00; break;
            case 3: if (n > 9) n--; break; /* truncate */
            }
        }
        wasm_error err;
        wasm_module *m = wasm_module_compile(b, n, NULL, &err);
        if (!m) {
            cr_assert(err.message[0], "rejection without a message");
            continue;
        }
        accepted++;
        wasm_limits lim = {.fuel = 20000, .memory_bytes = 4 * 65536, .max_call_depth = 200,
                           .max_stack_slots = 20000, .max_table_elems = 1000};
        wasm_instance *in = wasm_instantiate(m, NULL, &lim, &err);
        if (in) {
            for (size_t e = 0; e < wasm_module_export_count(m); e++) {
                wasm_export_info ei;
                cr_assert(wasm_module_export_at(m, e, &ei));
                wasm_func *f = wasm_instance_export_func(in, ei.name);
                if (!f)
                    continue;
                wasm_value args[8], res[8];
                size_t np = wasm_func_param_count(f), nr = wasm_func_result_count(f);
                if (np > 8 || nr > 8)
                    continue;
                for (size_t i = 0; i < np; i++) {
                    memset(&args[i], 0, sizeof args[i]);
                    args[i].type = wasm_func_param_type(f, i);
                }
                (void)wasm_call(in, f, args, np, res, nr);
            }
            wasm_instance_free(in);
        }
        wasm_module_free(m);
    }
    cr_assert_gt(accepted, 10);
    free(b);
    free(orig);
}

static wasm_trap host_reenter(wasm_instance *caller, void *user, wasm_slot *s)
{
    (void)user;
    (void)s;
    /* calling back into the running instance is refused, not a crash */
    wasm_trap t = wasm_call(caller, wasm_instance_export_func(caller, "f"), NULL, 0, NULL, 0);
    return t == WASM_TRAP_BAD_CALL ? WASM_OK : WASM_TRAP_HOST;
}

Test(wasm_engine, host_cannot_reenter_running_instance)
{
    const char *text = "(module (import \"env\" \"h\" (func $h)) (func (export \"f\") (call $h)))";
    wasm_module *m = compile_wat(text, true);
    wasm_linker *l = wasm_linker_new();
    wasm_error err;
    cr_assert(wasm_linker_define_func(l, "env", "h", ":", host_reenter, NULL, &err));
    wasm_instance *in = wasm_instantiate(m, l, NULL, &err);
    cr_assert_not_null(in, "%s", err.message);
    cr_assert_eq(wasm_call(in, wasm_instance_export_func(in, "f"), NULL, 0, NULL, 0), WASM_OK);
    wasm_extern ex;
    cr_assert(wasm_instance_export_len(in, "f", 1, &ex));
    cr_assert_eq(ex.kind, WASM_EXTERN_FUNC);
    cr_assert_not(wasm_instance_export_len(in, "f", 2, &ex));
    wasm_instance_free(in);
    wasm_linker_free(l);
    wasm_module_free(m);
}

/* One compiled module shared by threads, each with its own instances. */
typedef struct {
    const wasm_module *m;
    uint32_t result;
    wasm_trap trap;
} thr_arg;

static void *thread_run(void *p)
{
    thr_arg *a = p;
    for (int i = 0; i < 20; i++) {
        wasm_instance *in = wasm_instantiate(a->m, NULL, NULL, NULL);
        if (!in) {
            a->trap = WASM_TRAP_HOST;
            return NULL;
        }
        wasm_value arg = {.type = WASM_I32}, r;
        arg.of.i32 = 20;
        a->trap = wasm_call(in, wasm_instance_export_func(in, "fib"), &arg, 1, &r, 1);
        a->result = r.of.i32;
        wasm_instance_free(in);
        if (a->trap != WASM_OK)
            return NULL;
    }
    return NULL;
}

Test(wasm_engine, module_shared_between_threads)
{
    const char *text = "(module (func $fib (export \"fib\") (param i32) (result i32)"
                       "  (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))"
                       "    (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))"
                       "                   (call $fib (i32.sub (local.get 0) (i32.const 2))))))))";
    wasm_module *m = compile_wat(text, true);
    pthread_t th[4];
    thr_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (thr_arg){m, 0, WASM_OK};
        cr_assert_eq(pthread_create(&th[i], NULL, thread_run, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        cr_assert_eq(args[i].trap, WASM_OK);
        cr_assert_eq(args[i].result, 6765);
    }
    wasm_module_free(m);
}

Test(wasm_engine, metering_off_ignores_fuel_and_api_accessors)
{
    const char *text = "(module (global (export \"g\") (mut i64) (i64.const -5))"
                       " (global (export \"c\") f32 (f32.const 1.5))"
                       " (table (export \"t\") 3 funcref) (elem (i32.const 1) $f)"
                       " (func $f (export \"f\") (param i32) (result i32) (local i32)"
                       "   (block (loop (br_if 1 (i32.eqz (local.get 0)))"
                       "     (local.set 1 (i32.add (local.get 1) (i32.const 3)))"
                       "     (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br 0)))"
                       "   (local.get 1)))";
    wasm_module *m = compile_wat(text, false);
    wasm_limits lim = {.fuel = 10};
    wasm_instance *in = wasm_instantiate(m, NULL, &lim, NULL);
    cr_assert_not_null(in);
    wasm_value a = i32v(1000), r;
    cr_assert_eq(wasm_call(in, wasm_instance_export_func(in, "f"), &a, 1, &r, 1), WASM_OK);
    cr_assert_eq(r.of.i32, 3000);
    wasm_extern e;
    cr_assert(wasm_instance_export(in, "g", &e));
    cr_assert_eq(e.kind, WASM_EXTERN_GLOBAL);
    wasm_value gv = wasm_global_get(e.of.global);
    cr_assert_eq(gv.type, WASM_I64);
    cr_assert_eq((int64_t)gv.of.i64, -5);
    gv.of.i64 = 77;
    cr_assert(wasm_global_set(e.of.global, gv));
    gv.type = WASM_I32;
    cr_assert_not(wasm_global_set(e.of.global, gv), "wrong type accepted");
    cr_assert(wasm_instance_export(in, "c", &e));
    gv = wasm_global_get(e.of.global);
    cr_assert_eq(gv.of.f32, 0x3fc00000u);
    cr_assert_not(wasm_global_set(e.of.global, gv), "immutable global changed");
    cr_assert(wasm_instance_export(in, "t", &e));
    cr_assert_eq(wasm_table_size(e.of.table), 3);
    wasm_value tv;
    cr_assert(wasm_table_get(e.of.table, 1, &tv));
    cr_assert_eq(tv.of.ref, wasm_instance_export_func(in, "f"));
    cr_assert(wasm_table_get(e.of.table, 0, &tv));
    cr_assert_null(tv.of.ref);
    cr_assert_not(wasm_table_get(e.of.table, 3, &tv));
    cr_assert_null(wasm_instance_memory(in), "no memory declared");
    wasm_instance_free(in);
    wasm_module_free(m);
}

Test(wasm_engine, bulk_operations_cost_fuel_by_size)
{
    const char *text = "(module (memory (export \"mem\") 16)"
                       " (func (export \"fill\") (param i32) (memory.fill (i32.const 0) (i32.const 9) (local.get 0))))";
    wasm_module *m = compile_wat(text, true);
    wasm_limits lim = {.fuel = 1000};
    wasm_instance *in = wasm_instantiate(m, NULL, &lim, NULL);
    cr_assert_not_null(in);
    wasm_func *f = wasm_instance_export_func(in, "fill");
    wasm_value a = i32v(1024);
    cr_assert_eq(wasm_call(in, f, &a, 1, NULL, 0), WASM_OK);
    a = i32v(16 * 65536); /* 16384 units: more than the budget; nothing is written */
    cr_assert_eq(wasm_call(in, f, &a, 1, NULL, 0), WASM_TRAP_OUT_OF_FUEL);
    uint8_t b = 0;
    cr_assert(wasm_memory_read(wasm_instance_memory(in), 5000, &b, 1));
    cr_assert_eq(b, 0);
    cr_assert(wasm_memory_read(wasm_instance_memory(in), 1000, &b, 1));
    cr_assert_eq(b, 9);
    wasm_instance_free(in);
    wasm_module_free(m);
}
