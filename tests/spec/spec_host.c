/* spec_host.c — the `spectest` host module that the WebAssembly spec tests import:
 * print functions (silent unless SPEC_VERBOSE is set), four globals, a table and a memory. */
#include <stdio.h>
#include <stdlib.h>

#include "spec.h"

static wasm_trap spec_print(wasm_instance *caller, void *user, wasm_slot *slots)
{
    (void)caller;
    const char *sig = user;
    if (getenv("SPEC_VERBOSE") == NULL)
        return WASM_OK;
    printf("spectest print(%s)", sig);
    for (size_t i = 0; sig[i] != ':' && sig[i] != '\0'; i++)
        printf(" 0x%llx", (unsigned long long)slots[i]);
    printf("\n");
    return WASM_OK;
}

static bool define_global(wasm_linker *l, const char *name, wasm_valtype t, uint64_t bits,
                          wasm_error *err)
{
    wasm_value v = {.type = t};
    if (t == WASM_I32 || t == WASM_F32)
        v.of.i32 = (uint32_t)bits;
    else
        v.of.i64 = bits;
    wasm_global *g = wasm_linker_new_global(l, v, false);
    if (g == NULL) {
        snprintf(err->message, sizeof err->message, "spectest: cannot create global %s", name);
        return false;
    }
    wasm_extern ext = {.kind = WASM_EXTERN_GLOBAL, .of.global = g};
    return wasm_linker_define(l, "spectest", name, &ext, err);
}

bool spec_define_spectest(wasm_linker *l, wasm_error *err)
{
    static const struct {
        const char *name, *sig;
    } funcs[] = {
        {"print", ":"},          {"print_i32", "i:"},      {"print_i64", "I:"},
        {"print_f32", "f:"},     {"print_f64", "F:"},      {"print_i32_f32", "if:"},
        {"print_f64_f64", "FF:"},
    };
    for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++)
        if (!wasm_linker_define_func(l, "spectest", funcs[i].name, funcs[i].sig, spec_print,
                                     (void *)funcs[i].sig, err))
            return false;
    /* 666.6 as f32 is 0x4426a666, as f64 0x4084d4cccccccccd. */
    if (!define_global(l, "global_i32", WASM_I32, 666, err) ||
        !define_global(l, "global_i64", WASM_I64, 666, err) ||
        !define_global(l, "global_f32", WASM_F32, 0x4426a666u, err) ||
        !define_global(l, "global_f64", WASM_F64, 0x4084d4cccccccccdull, err))
        return false;

    wasm_table *t = wasm_linker_new_table(l, WASM_FUNCREF, 10, 20, true);
    wasm_memory *m = wasm_linker_new_memory(l, 1, 2, true);
    if (t == NULL || m == NULL) {
        snprintf(err->message, sizeof err->message, "spectest: cannot create table/memory");
        return false;
    }
    wasm_extern te = {.kind = WASM_EXTERN_TABLE, .of.table = t};
    wasm_extern me = {.kind = WASM_EXTERN_MEMORY, .of.memory = m};
    return wasm_linker_define(l, "spectest", "table", &te, err) &&
           wasm_linker_define(l, "spectest", "memory", &me, err);
}
