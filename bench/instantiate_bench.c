/* instantiate_bench.c — the per-call cost of running a small WASI program with the compiled
 * module cached: hello.wasm is compiled once, then N times (default 1000) a fresh WASI context
 * is made, the module instantiated and run (`_start`, output captured), the output checked and
 * everything freed. Prints the median, 10th and 90th percentile and mean per run.
 *
 *   instantiate-bench [-n N] [--no-metering] HELLO.wasm
 *   instantiate-bench --reactor [-n N] [--no-metering] MODULE.wasm
 *        engine only (no WASI): instantiate + call `_initialize`, for reactor modules.
 * Exit status 1 if any run fails or prints something other than "hello, world\n". */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "wasi/wasi.h"
#include "wasm/wasm.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, uint64_t *ns, size_t n)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += ns[i];
    qsort(ns, n, sizeof *ns, cmp_u64);
    printf("%s: %zu runs, median %.1f us, p10 %.1f us, p90 %.1f us, mean %.1f us\n", what, n,
           ns[n / 2] / 1e3, ns[n / 10] / 1e3, ns[n * 9 / 10] / 1e3, (double)sum / (double)n / 1e3);
}

/* One WASI run of hello; false (with a message) if it did not print exactly hello, world. */
static bool run_hello(const wasm_module *m, const wasm_linker *l, uint64_t *inner_ns)
{
    static const char *const argv[] = {"hello"};
    wasi_options o = {.argv = argv, .argc = 1, .stdin_mode = WASI_STDIO_NULL,
                      .stdout_mode = WASI_STDIO_BUFFER, .stderr_mode = WASI_STDIO_BUFFER};
    char err[256];
    wasi_ctx *c = wasi_new(NULL, &o, err, sizeof err);
    if (c == NULL) {
        fprintf(stderr, "instantiate-bench: wasi_new: %s\n", err);
        return false;
    }
    wasi_result r;
    memset(&r, 0, sizeof r);
    bool ok = wasi_run(c, m, l, NULL, &r) == 0 && r.trap == WASM_OK && r.exit_code == 0;
    size_t len = 0;
    const char *out = wasi_stdout(c, &len);
    if (ok && (out == NULL || len != 13 || memcmp(out, "hello, world\n", 13) != 0)) {
        fprintf(stderr, "instantiate-bench: unexpected output (%zu bytes)\n", len);
        ok = false;
    } else if (!ok) {
        fprintf(stderr, "instantiate-bench: run failed: exit %d, %s\n", r.exit_code, r.message);
    }
    *inner_ns = r.wall_ns;
    wasi_free(c);
    return ok;
}

static bool run_reactor(const wasm_module *m, bool metering)
{
    wasm_error err;
    wasm_limits limits = {.fuel = metering ? 1000000000ull : 0};
    wasm_instance *inst = wasm_instantiate(m, NULL, &limits, &err);
    if (inst == NULL) {
        fprintf(stderr, "instantiate-bench: %s\n", err.message);
        return false;
    }
    wasm_func *init = wasm_instance_export_func(inst, "_initialize");
    wasm_trap t = init ? wasm_call(inst, init, NULL, 0, NULL, 0) : WASM_OK;
    if (t != WASM_OK)
        fprintf(stderr, "instantiate-bench: trap: %s\n", wasm_instance_trap_message(inst));
    wasm_instance_free(inst);
    return t == WASM_OK;
}

int main(int argc, char **argv)
{
    uint64_t n = 1000;
    bool metering = true, reactor = false;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            if (!util_parse_u64(argv[++i], &n) || n == 0 || n > 10000000) {
                fprintf(stderr, "instantiate-bench: bad -n %s\n", argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "--no-metering") == 0) {
            metering = false;
        } else if (strcmp(argv[i], "--reactor") == 0) {
            reactor = true;
        } else if (argv[i][0] != '-' && path == NULL) {
            path = argv[i];
        } else {
            path = NULL;
            break;
        }
    }
    if (path == NULL) {
        fprintf(stderr, "usage: instantiate-bench [--reactor] [-n N] [--no-metering] MODULE.wasm\n");
        return 2;
    }
    size_t len;
    char *bytes = util_read_file(path, 0, &len);
    if (bytes == NULL) {
        perror(path);
        return 1;
    }
    wasm_error err;
    wasm_compile_options opts = {.metering = metering};
    uint64_t t0 = util_now_ns();
    wasm_module *m = wasm_module_compile((const uint8_t *)bytes, len, &opts, &err);
    uint64_t compile_ns = util_now_ns() - t0;
    free(bytes);
    if (m == NULL) {
        fprintf(stderr, "instantiate-bench: %s: %s\n", path, err.message);
        return 1;
    }
    printf("%s: %zu bytes, compiled once in %.1f us (metering %s)\n", path, len,
           compile_ns / 1e3, metering ? "on" : "off");
    wasm_linker *l = NULL;
    if (!reactor) {
        l = wasm_linker_new();
        if (!wasi_link(l, &err)) {
            fprintf(stderr, "instantiate-bench: wasi_link: %s\n", err.message);
            wasm_linker_free(l);
            wasm_module_free(m);
            return 1;
        }
    }
    uint64_t *ns = xcalloc(n, sizeof *ns), *inner = xcalloc(n, sizeof *inner);
    int rc = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t a = util_now_ns();
        bool ok = reactor ? run_reactor(m, metering) : run_hello(m, l, &inner[i]);
        ns[i] = util_now_ns() - a;
        if (!ok) {
            rc = 1;
            n = i + 1;
            break;
        }
    }
    if (rc == 0) {
        if (reactor) {
            report("instantiate + _initialize", ns, n);
        } else {
            report("wasi_new + instantiate + _start + wasi_free", ns, n);
            report("  of which wasi_run's own instantiate + run (wall_ns)", inner, n);
        }
    }
    free(ns);
    free(inner);
    if (l)
        wasm_linker_free(l);
    wasm_module_free(m);
    return rc;
}
