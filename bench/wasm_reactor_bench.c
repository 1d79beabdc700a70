/* wasm_reactor_bench.c — runs the reactor builds of the compute benchmarks
 * (../shared/bench/wasm, built with -DBENCH_REACTOR: they export `i64 bench_run(void)` and
 * import nothing) on the engine through wasm.h alone, so the engine can be measured without
 * the WASI host. Prints "<name>: <checksum>" exactly as the native build does, so a script can
 * compare the two; with --time also the compile and run times on stderr.
 *
 *   wasm-reactor-bench [--no-metering] [--time] MODULE.wasm
 *
 * The benchmark name is the file name without ".wasm". Exit status 1 on any error or trap. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "wasm/wasm.h"

int main(int argc, char **argv)
{
    bool metering = true, show_time = false;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--no-metering") == 0)
            metering = false;
        else if (strcmp(argv[i], "--time") == 0)
            show_time = true;
        else if (argv[i][0] != '-' && path == NULL)
            path = argv[i];
        else {
            fprintf(stderr, "usage: wasm-reactor-bench [--no-metering] [--time] MODULE.wasm\n");
            return 2;
        }
    }
    if (path == NULL) {
        fprintf(stderr, "usage: wasm-reactor-bench [--no-metering] [--time] MODULE.wasm\n");
        return 2;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t nlen = strlen(base);
    if (nlen > 5 && strcmp(base + nlen - 5, ".wasm") == 0)
        nlen -= 5;

    size_t len;
    char *bytes = util_read_file(path, 0, &len);
    if (bytes == NULL) {
        perror(path);
        return 1;
    }
    uint64_t t0 = util_now_ns();
    wasm_error err;
    wasm_compile_options opts = {.metering = metering};
    wasm_module *m = wasm_module_compile((const uint8_t *)bytes, len, &opts, &err);
    free(bytes);
    if (m == NULL) {
        fprintf(stderr, "%s: %s\n", path, err.message);
        return 1;
    }
    uint64_t t1 = util_now_ns();
    /* Metering on: a finite budget (far above what any benchmark uses), as run-wasm --fuel. */
    wasm_limits limits = {.fuel = metering ? 1000000000000000ull : 0};
    wasm_instance *inst = wasm_instantiate(m, NULL, &limits, &err);
    if (inst == NULL) {
        fprintf(stderr, "%s: %s\n", path, err.message);
        wasm_module_free(m);
        return 1;
    }
    int rc = 0;
    wasm_func *init = wasm_instance_export_func(inst, "_initialize");
    wasm_func *run = wasm_instance_export_func(inst, "bench_run");
    wasm_value res = {0};
    wasm_trap t = WASM_OK;
    if (init != NULL)
        t = wasm_call(inst, init, NULL, 0, NULL, 0);
    uint64_t t2 = util_now_ns();
    if (run == NULL || wasm_func_param_count(run) != 0 || wasm_func_result_count(run) != 1 ||
        wasm_func_result_type(run, 0) != WASM_I64) {
        fprintf(stderr, "%s: no export `i64 bench_run(void)`\n", path);
        rc = 1;
    } else if (t == WASM_OK && (t = wasm_call(inst, run, NULL, 0, &res, 1)) == WASM_OK) {
        printf("%.*s: %016" PRIx64 "\n", (int)nlen, base, res.of.i64);
    }
    uint64_t t3 = util_now_ns();
    if (t != WASM_OK) {
        fprintf(stderr, "%s: trap: %s\n", path, wasm_instance_trap_message(inst));
        rc = 1;
    }
    if (show_time)
        fprintf(stderr, "%.*s: compile %.3f ms, instantiate %.3f ms, run %.3f s, fuel used %" PRIu64
                        "%s\n",
                (int)nlen, base, (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e9,
                wasm_instance_fuel_used(inst), metering ? "" : " (metering off)");
    wasm_instance_free(inst);
    wasm_module_free(m);
    return rc;
}
