/* test_wasi.c — the WASI host through its C API: captured stdio and the output limit, stdin
 * buffers, environment filtering, limits and the watchdog, one linker shared by many
 * contexts (also from two threads), option validation, and calls without a context. The guest
 * programs are the ones built from tests/wasi/ (build/wasm/tests/wasi/NAME.wasm). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/policy.h"
#include "util/util.h"
#include "wasi/wasi.h"
#include "wasm/wasm.h"

static wasm_module *load(const char *name, bool metering)
{
    const char *b = getenv("B") ? getenv("B") : "build";
    char *path = xasprintf("%s/wasm/tests/wasi/%s.wasm", b, name);
    size_t len;
    char *bytes = util_read_file(path, 0, &len);
    cr_assert_not_null(bytes, "cannot read %s (build the wasm test programs first)", path);
    wasm_compile_options o = {.metering = metering};
    wasm_error err;
    wasm_module *m = wasm_module_compile((const uint8_t *)bytes, len, &o, &err);
    cr_assert_not_null(m, "%s: %s", path, err.message);
    free(bytes);
    free(path);
    return m;
}

/* Run `name` with argv and options; returns the context (caller frees) and fills *r. */
static wasi_ctx *run(const char *name, const policy_set *caps, wasi_options *o,
                     const wasi_run_limits *lim, wasi_result *r)
{
    wasm_module *m = load(name, true);
    char err[256];
    wasi_ctx *c = wasi_new(caps, o, err, sizeof err);
    cr_assert_not_null(c, "%s", err);
    int rc = wasi_run(c, m, NULL, lim, r);
    cr_assert_eq(rc, 0, "%s", r->message);
    wasm_module_free(m);
    return c;
}

Test(wasi, hello_captured)
{
    const char *argv[] = {"spin", "hello"};
    wasi_options o = {.argv = argv, .argc = 2};
    wasi_result r;
    wasi_ctx *c = run("spin", NULL, &o, NULL, &r);
    size_t n;
    cr_assert_str_eq(wasi_stdout(c, &n), "hello, world\n");
    cr_assert_eq(n, 13);
    cr_assert(r.exited);
    cr_assert_eq(r.exit_code, 0);
    cr_assert_eq(r.trap, WASM_OK);
    cr_assert_eq(r.stdout_bytes, 13);
    cr_assert_gt(r.fuel_used, 0);
    cr_assert_gt(r.peak_memory, 0);
    cr_assert(!r.output_cut);
    wasi_free(c);
}

Test(wasi, output_limit_cuts_and_reports)
{
    const char *argv[] = {"spin", "spew", "5000"};
    wasi_options o = {.argv = argv, .argc = 3, .output_limit = 100};
    wasi_result r;
    wasi_ctx *c = run("spin", NULL, &o, NULL, &r);
    size_t n;
    wasi_stdout(c, &n);
    cr_assert_eq(n, 100);
    cr_assert(r.output_cut);
    cr_assert_eq(r.limit, WASI_LIMIT_OUTPUT);
    cr_assert_eq(r.exit_code, 4); /* the guest saw its write fail */
    cr_assert_str_eq(wasi_limit_name(r.limit), "output");
    wasi_free(c);
}

Test(wasi, output_limit_from_capabilities)
{
    policy_set *p = policy_new("/tmp");
    policy_error pe;
    cr_assert(policy_add_line(p, "output=10", 1, &pe), "%s", pe.message);
    const char *argv[] = {"spin", "spew", "50"};
    wasi_options o = {.argv = argv, .argc = 3};
    wasi_result r;
    wasi_ctx *c = run("spin", p, &o, NULL, &r);
    size_t n;
    wasi_stdout(c, &n);
    cr_assert_eq(n, 10);
    cr_assert(r.output_cut);
    wasi_free(c);
    policy_free(p);
}

Test(wasi, null_stdout_counts_but_discards)
{
    const char *argv[] = {"spin", "spew", "300"};
    wasi_options o = {.argv = argv, .argc = 3, .stdout_mode = WASI_STDIO_NULL};
    wasi_result r;
    wasi_ctx *c = run("spin", NULL, &o, NULL, &r);
    size_t n;
    wasi_stdout(c, &n);
    cr_assert_eq(n, 0);
    cr_assert_eq(r.stdout_bytes, 300);
    cr_assert_eq(r.exit_code, 0);
    wasi_free(c);
}

Test(wasi, stdin_buffer_and_stderr_capture)
{
    const char *in = "hello\nworld\n";
    wasi_options o = {.stdin_data = in, .stdin_len = strlen(in)};
    wasi_result r;
    wasi_ctx *c = run("stdio", NULL, &o, NULL, &r);
    cr_assert_eq(r.exit_code, 0, "stderr: %s", wasi_stderr(c, NULL));
    cr_assert(strstr(wasi_stdout(c, NULL), "out-line\n"));
    cr_assert(strstr(wasi_stderr(c, NULL), "err-line\n"));
    wasi_free(c);
}

Test(wasi, environment_is_filtered_by_env_grants)
{
    policy_set *p = policy_new("/tmp");
    policy_error pe;
    cr_assert(policy_add_line(p, "env:FOO", 1, &pe));
    cr_assert(policy_add_line(p, "env:GRANTED", 2, &pe));
    const char *argv[] = {"args_env", "x", "two words",
                          "\xc3\xbc" "n\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9", ""};
    const char *env[] = {"FOO=bar", "HIDDEN_SECRET=1", "GRANTED=yes", "HOME=/root", "=x",
                         "NOEQUALS"};
    wasi_options o = {.argv = argv, .argc = 5, .env = env, .nenv = 6};
    wasi_result r;
    wasi_ctx *c = run("args_env", p, &o, NULL, &r);
    cr_assert_eq(r.exit_code, 0, "stderr: %s", wasi_stderr(c, NULL));
    wasi_free(c);
    policy_free(p);
}

Test(wasi, fuel_limit)
{
    const char *argv[] = {"spin", "loop"};
    wasi_options o = {.argv = argv, .argc = 2};
    wasi_run_limits lim = {.fuel = 100000};
    wasi_result r;
    wasi_ctx *c = run("spin", NULL, &o, &lim, &r);
    cr_assert_eq(r.trap, WASM_TRAP_OUT_OF_FUEL);
    cr_assert_eq(r.limit, WASI_LIMIT_FUEL);
    cr_assert_eq(r.limit_value, 100000);
    cr_assert(!r.exited);
    cr_assert_neq(r.exit_code, 0);
    cr_assert(strstr(r.message, "fuel"));
    wasi_free(c);
}

Test(wasi, timeout_interrupts_a_spinning_guest)
{
    const char *argv[] = {"spin", "loop"};
    wasi_options o = {.argv = argv, .argc = 2};
    wasi_run_limits lim = {.timeout_ms = 100};
    wasi_result r;
    wasi_ctx *c = run("spin", NULL, &o, &lim, &r);
    cr_assert_eq(r.trap, WASM_TRAP_INTERRUPTED);
    cr_assert_eq(r.limit, WASI_LIMIT_TIMEOUT);
    cr_assert(strstr(r.message, "timeout"));
    wasi_free(c);
}

Test(wasi, timeout_interrupts_a_sleeping_guest)
{
    const char *argv[] = {"spin", "sleep", "60000"};
    wasi_options o = {.argv = argv, .argc = 3};
    wasi_run_limits lim = {.timeout_ms = 100};
    wasi_result r;
    wasi_ctx *c = run("spin", NULL, &o, &lim, &r);
    cr_assert_eq(r.limit, WASI_LIMIT_TIMEOUT);
    cr_assert_lt(r.wall_ns, 30000000000ull);
    wasi_free(c);
}

Test(wasi, stack_limit)
{
    const char *argv[] = {"spin", "deep"};
    wasi_options o = {.argv = argv, .argc = 2};
    wasi_run_limits lim = {.stack = 300};
    wasi_result r;
    wasi_ctx *c = run("spin", NULL, &o, &lim, &r);
    cr_assert_eq(r.limit, WASI_LIMIT_STACK);
    wasi_free(c);
}

Test(wasi, proc_exit_status)
{
    const char *argv[] = {"exit_code", "42"};
    wasi_options o = {.argv = argv, .argc = 2};
    wasi_result r;
    wasi_ctx *c = run("exit_code", NULL, &o, NULL, &r);
    cr_assert(r.exited);
    cr_assert_eq(r.exit_code, 42);
    cr_assert_eq(r.trap, WASM_OK);
    cr_assert_str_eq(wasi_stdout(c, NULL), "exiting with 42\n");
    wasi_free(c);
}

Test(wasi, bad_options_are_errors)
{
    char err[128] = "";
    wasi_options o = {.argc = 2};
    cr_assert_null(wasi_new(NULL, &o, err, sizeof err));
    cr_assert(strstr(err, "argv"));
    wasi_options o2 = {.stdout_mode = (wasi_stdio_mode)7};
    cr_assert_null(wasi_new(NULL, &o2, err, sizeof err));
    wasi_options o3 = {.stdin_len = 5};
    cr_assert_null(wasi_new(NULL, &o3, err, sizeof err));
    wasi_ctx *c = wasi_new(NULL, NULL, err, sizeof err); /* no options at all is fine */
    cr_assert_not_null(c);
    wasi_free(c);
}

Test(wasi, module_without_start_is_an_error)
{
    static const uint8_t empty[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    wasm_error e;
    wasm_module *m = wasm_module_compile(empty, sizeof empty, NULL, &e);
    cr_assert_not_null(m);
    wasi_ctx *c = wasi_new(NULL, NULL, NULL, 0);
    wasi_result r;
    cr_assert_eq(wasi_run(c, m, NULL, NULL, &r), -1);
    cr_assert(strstr(r.message, "_start"));
    wasi_free(c);
    wasm_module_free(m);
}

Test(wasi, imports_without_a_context_trap_cleanly)
{
    wasm_module *m = load("spin", true);
    wasm_linker *l = wasm_linker_new();
    wasm_error e;
    cr_assert(wasi_link(l, &e), "%s", e.message);
    cr_assert(!wasi_link(l, &e)); /* defined twice */
    wasm_instance *in = wasm_instantiate(m, l, NULL, &e);
    cr_assert_not_null(in, "%s", e.message);
    wasm_trap t = wasm_call(in, wasm_instance_export_func(in, "_start"), NULL, 0, NULL, 0);
    cr_assert_eq(t, WASM_TRAP_HOST);
    cr_assert(strstr(wasm_instance_trap_message(in), "WASI"));
    wasm_instance_free(in);
    wasm_linker_free(l);
    wasm_module_free(m);
}

typedef struct shared {
    wasm_module *m;
    wasm_linker *l;
    int ok;
} shared;

static void *many_runs(void *arg)
{
    shared *s = arg;
    const char *argv[] = {"spin", "hello"};
    for (int i = 0; i < 100; i++) {
        wasi_options o = {.argv = argv, .argc = 2};
        wasi_ctx *c = wasi_new(NULL, &o, NULL, 0);
        wasi_result r;
        wasi_run_limits lim = {.timeout_ms = 60000, .fuel = 1000000};
        if (wasi_run(c, s->m, s->l, &lim, &r) == 0 && r.exit_code == 0 &&
            !strcmp(wasi_stdout(c, NULL), "hello, world\n"))
            s->ok++;
        wasi_free(c);
    }
    return NULL;
}

Test(wasi, one_linker_many_contexts_two_threads)
{
    wasm_module *m = load("spin", true);
    wasm_linker *l = wasm_linker_new();
    wasm_error e;
    cr_assert(wasi_link(l, &e));
    /* A linker is used by one thread at a time: give each thread its own, sharing the module. */
    wasm_linker *l2 = wasm_linker_new();
    cr_assert(wasi_link(l2, &e));
    shared a = {m, l, 0}, b = {m, l2, 0};
    pthread_t t1, t2;
    pthread_create(&t1, NULL, many_runs, &a);
    pthread_create(&t2, NULL, many_runs, &b);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    cr_assert_eq(a.ok, 100);
    cr_assert_eq(b.ok, 100);
    wasm_linker_free(l);
    wasm_linker_free(l2);
    wasm_module_free(m);
}

Test(wasi, read_grant_enforced_through_the_api)
{
    char dir[] = "/tmp/test_wasi.XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *f = xasprintf("%s/ro.txt", dir);
    char *sub = xasprintf("%s/sub", dir);
    cr_assert_eq(util_write_file_atomic(f, "read-only\n", 10, 0644), 0);
    cr_assert_eq(mkdir(sub, 0755), 0);
    policy_set *p = policy_new(dir);
    policy_error pe;
    char *cap = xasprintf("read:%s", dir);
    cr_assert(policy_add_line(p, cap, 1, &pe), "%s", pe.message);
    const char *argv[] = {"readonly", dir};
    wasi_options o = {.argv = argv, .argc = 2};
    wasi_result r;
    wasi_ctx *c = run("readonly", p, &o, NULL, &r);
    cr_assert_eq(r.exit_code, 0, "stderr: %s", wasi_stderr(c, NULL));
    wasi_free(c);
    policy_free(p);
    size_t n;
    char *back = util_read_file(f, 0, &n);
    cr_assert_str_eq(back, "read-only\n");
    free(back);
    unlink(f);
    rmdir(sub);
    rmdir(dir);
    free(f);
    free(sub);
    free(cap);
}

Test(wasi, workspace_state_dir_hidden_whatever_the_grant)
{
    char dir[] = "/tmp/test_wasi.XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *state = xasprintf("%s/.boxagent", dir);
    cr_assert_eq(mkdir(state, 0700), 0);
    policy_set *p = policy_new(dir);
    policy_error pe;
    char *cap = xasprintf("write:%s", dir);
    cr_assert(policy_add_line(p, cap, 1, &pe));
    /* The dirs program lists and creates in its directory; pointing it at .boxagent fails. */
    const char *argv[] = {"dirs", state};
    wasi_options o = {.argv = argv, .argc = 2};
    wasi_result r;
    wasi_ctx *c = run("dirs", p, &o, NULL, &r);
    cr_assert_neq(r.exit_code, 0);
    cr_assert_gt(r.denials, 0);
    cr_assert(strstr(r.denial, ".boxagent"), "denial: %s", r.denial);
    wasi_free(c);
    policy_free(p);
    struct stat st;
    char *made = xasprintf("%s/dirs_t", state);
    cr_assert_neq(stat(made, &st), 0);
    free(made);
    rmdir(state);
    rmdir(dir);
    free(state);
    free(cap);
}
