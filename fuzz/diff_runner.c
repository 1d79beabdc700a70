/* diff_runner.c — our engine's side of the differential fuzzer (fuzz/differential.sh): runs a
 * binaryen `wasm-opt -ttf` module and prints a transcript that fuzz/run_v8.mjs prints the same
 * way for Node's V8:
 *
 *   call NAME                 before each exported function (in export order), which is called
 *                             with zero arguments after calling hangLimitInitializer (if any)
 *   log i32 -5                each fuzzing-support log-i32/log-i64/log-f32/log-f64 call
 *   result 1 -7 f32:0x3f800000 f64:nan     the results (i32/i64 signed decimal, floats as bits)
 *   trap <class> # <reason>   the call trapped: class unreachable, memory, table, arith or
 *                             other is compared, the reason after '#' is informational
 *   exhausted # <reason>      out of fuel / call stack: inconclusive, comparison stops here
 *   compile-error # <msg> / instantiate-error # <msg>
 *
 *   diff-runner MODULE.wasm [FUEL]      (FUEL per call, default 100000000) */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "wasm/wasm.h"

#define MAX_RESULTS 64

static void print_f32(uint32_t b)
{
    if ((b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu) != 0)
        printf(" f32:nan");
    else
        printf(" f32:0x%08" PRIx32, b);
}

static void print_f64(uint64_t b)
{
    if ((b & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (b & 0x000fffffffffffffull))
        printf(" f64:nan");
    else
        printf(" f64:0x%016" PRIx64, b);
}

static wasm_trap log_value(wasm_instance *caller, void *user, wasm_slot *slots)
{
    (void)caller;
    const char *kind = user;
    printf("log");
    switch (kind[0]) {
    case 'i': printf(" %" PRId32, (int32_t)(uint32_t)slots[0]); break;
    case 'I': printf(" %" PRId64, (int64_t)slots[0]); break;
    case 'f': print_f32((uint32_t)slots[0]); break;
    default: print_f64(slots[0]); break;
    }
    printf("\n");
    return WASM_OK;
}

static void print_results(const wasm_value *res, size_t n)
{
    printf("result");
    for (size_t i = 0; i < n; i++) {
        switch (res[i].type) {
        case WASM_I32: printf(" %" PRId32, (int32_t)res[i].of.i32); break;
        case WASM_I64: printf(" %" PRId64, (int64_t)res[i].of.i64); break;
        case WASM_F32: print_f32(res[i].of.f32); break;
        case WASM_F64: print_f64(res[i].of.f64); break;
        default: printf(" %s", res[i].of.ref ? "ref" : "null"); break;
        }
    }
    printf("\n");
}

/* Coarse trap classes that V8's messages can be mapped to as well (run_v8.mjs trapCategory):
 * V8 words integer overflow and invalid conversion alike, and null entries and signature
 * mismatches alike. */
static const char *trap_category(wasm_trap t)
{
    switch (t) {
    case WASM_TRAP_UNREACHABLE: return "unreachable";
    case WASM_TRAP_MEMORY_OOB: return "memory";
    case WASM_TRAP_TABLE_OOB:
    case WASM_TRAP_INDIRECT_TYPE:
    case WASM_TRAP_UNDEFINED_ELEMENT:
    case WASM_TRAP_UNINITIALIZED_ELEMENT: return "table";
    case WASM_TRAP_DIV_ZERO:
    case WASM_TRAP_INT_OVERFLOW:
    case WASM_TRAP_INVALID_CONVERSION: return "arith";
    default: return "other";
    }
}

static bool call(wasm_instance *inst, wasm_func *f, uint64_t fuel)
{
    size_t np = wasm_func_param_count(f), nr = wasm_func_result_count(f);
    if (nr > MAX_RESULTS) {
        printf("exhausted # %zu results\n", nr);
        return false;
    }
    wasm_value *args = xcalloc(np ? np : 1, sizeof *args);
    wasm_value res[MAX_RESULTS];
    for (size_t k = 0; k < np; k++)
        args[k].type = wasm_func_param_type(f, k);
    wasm_instance_set_fuel(inst, fuel);
    wasm_trap t = wasm_call(inst, f, args, np, res, nr);
    free(args);
    if (t == WASM_OK) {
        print_results(res, nr);
        return true;
    }
    if (t == WASM_TRAP_OUT_OF_FUEL || t == WASM_TRAP_STACK_EXHAUSTED) {
        printf("exhausted # %s\n", wasm_trap_name(t));
        return false;
    }
    printf("trap %s # %s: %s\n", trap_category(t), wasm_trap_name(t),
           wasm_instance_trap_message(inst));
    return true;
}

int main(int argc, char **argv)
{
    uint64_t fuel = 100000000;
    if (argc < 2 || argc > 3 || (argc == 3 && !util_parse_u64(argv[2], &fuel))) {
        fprintf(stderr, "usage: diff-runner MODULE.wasm [FUEL]\n");
        return 2;
    }
    size_t len;
    char *bytes = util_read_file(argv[1], 0, &len);
    if (bytes == NULL) {
        perror(argv[1]);
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    wasm_error err;
    wasm_compile_options opts = {.metering = true};
    wasm_module *m = wasm_module_compile((const uint8_t *)bytes, len, &opts, &err);
    free(bytes);
    if (m == NULL) {
        printf("compile-error # %s\n", err.message);
        return 0;
    }
    wasm_linker *l = wasm_linker_new();
    static const struct {
        const char *name, *sig, *kind;
    } logs[] = {{"log-i32", "i:", "i"},
                {"log-i64", "I:", "I"},
                {"log-f32", "f:", "f"},
                {"log-f64", "F:", "F"}};
    for (size_t i = 0; i < 4; i++)
        if (!wasm_linker_define_func(l, "fuzzing-support", logs[i].name, logs[i].sig,
                                     log_value, (void *)logs[i].kind, &err)) {
            fprintf(stderr, "diff-runner: %s\n", err.message);
            return 1;
        }
    wasm_limits limits = {.memory_bytes = 1u << 30};
    wasm_instance *inst = wasm_instantiate(m, l, &limits, &err);
    if (inst == NULL) {
        printf("instantiate-error # %s\n", err.message);
    } else {
        wasm_func *hang = wasm_instance_export_func(inst, "hangLimitInitializer");
        size_t n = wasm_module_export_count(m);
        for (size_t i = 0; i < n; i++) {
            wasm_export_info info;
            if (!wasm_module_export_at(m, i, &info) || info.kind != WASM_EXTERN_FUNC)
                continue;
            wasm_func *f = wasm_instance_export_func(inst, info.name);
            if (f == NULL) {
                printf("missing-export %s\n", info.name);
                continue;
            }
            if (hang != NULL && wasm_func_param_count(hang) == 0 &&
                wasm_func_result_count(hang) == 0) {
                wasm_instance_set_fuel(inst, fuel);
                (void)wasm_call(inst, hang, NULL, 0, NULL, 0);
            }
            printf("call %s\n", info.name);
            if (!call(inst, f, fuel))
                break;
        }
        wasm_instance_free(inst);
    }
    wasm_linker_free(l);
    wasm_module_free(m);
    return 0;
}
