/* test_tools_wasm.c — the built-in WebAssembly tools in process through tools_call: results,
 * resources reported, limits (fuel, memory, output) turning into clear error results, the
 * per-tool WASI view (a read tool never gets write authority), and many calls in parallel
 * threads sharing the once-compiled modules. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/tools.h"
#include "util/util.h"

static char ws[] = "/tmp/boxagent-test-tools-wasm-XXXXXX";

static void put(const char *rel, const char *text)
{
    char *p = xasprintf("%s/%s", ws, rel);
    cr_assert_eq(util_write_file_atomic(p, text, strlen(text), 0644), 0, "%s", p);
    free(p);
}

static void setup(void)
{
    cr_assert_not_null(mkdtemp(ws));
    char *d = xasprintf("%s/src", ws);
    mkdir(d, 0755);
    free(d);
    put("src/a.txt", "one\ntwo\nthree\n");
    put("src/b.c", "int main(void) { return 0; }\n");
}

static void teardown(void)
{
    char *cmd = xasprintf("rm -rf '%s'", ws);
    cr_assert_eq(system(cmd), 0);
    free(cmd);
}

static policy_set *caps_of(const char *const *lines)
{
    policy_set *p = policy_new(ws);
    policy_error pe;
    for (int i = 0; lines[i]; i++) cr_assert(policy_add_line(p, lines[i], i + 1, &pe), "%s: %s", lines[i], pe.message);
    return p;
}

static bool call(const char *const *caps, tools_access a, const char *tool, const char *args, tools_result *r)
{
    policy_set *p = caps_of(caps);
    tools_ctx c = {.workspace = ws, .agent = "t", .session_id = "s", .access = a, .caps = p};
    bool ok = tools_call(&c, tool, args, r);
    policy_free(p);
    return ok;
}

static const char *const READ_WS[] = {"read:.", NULL};

Test(wasm_tools, read_file_reports_usage, .init = setup, .fini = teardown)
{
    tools_result r;
    cr_assert(call(READ_WS, TOOLS_ACCESS_READ_ONLY, "read_file", "{\"path\": \"src/a.txt\"}", &r), "%s", r.output);
    cr_assert_str_eq(r.output, "     1\tone\n     2\ttwo\n     3\tthree\n\n(lines 1-3 of 3)\n");
    cr_assert_eq(r.decision, TOOLS_ALLOWED);
    cr_assert(strstr(r.reason, "allowed by read:"), "%s", r.reason);
    cr_assert_gt(r.usage.fuel, 0);
    cr_assert_gt(r.usage.peak_memory, 0);
    cr_assert_eq(r.usage.output_bytes, r.output_len);
    cr_assert_not(r.is_external);
    tools_result_free(&r);
}

Test(wasm_tools, read_tool_gets_no_write_authority, .init = setup, .fini = teardown)
{
    /* Even with write:. granted, read_file runs with a read-only view; and write_file cannot
     * be reached at read-only access. */
    static const char *const W[] = {"write:.", NULL};
    tools_result r;
    cr_assert(call(W, TOOLS_ACCESS_WORKSPACE_WRITE, "read_file", "{\"path\": \"src/a.txt\"}", &r), "%s", r.output);
    tools_result_free(&r);
    cr_assert_not(call(W, TOOLS_ACCESS_READ_ONLY, "write_file", "{\"path\": \"src/a.txt\", \"content\": \"x\"}", &r));
    cr_assert_eq(r.decision, TOOLS_DENIED);
    tools_result_free(&r);
    cr_assert(call(W, TOOLS_ACCESS_WORKSPACE_WRITE, "write_file", "{\"path\": \"src/new/c.txt\", \"content\": \"x\\n\"}", &r),
              "%s", r.output);
    tools_result_free(&r);
    char *p = xasprintf("%s/src/new/c.txt", ws);
    size_t n = 0;
    char *data = util_read_file(p, 0, &n);
    cr_assert_not_null(data);
    cr_assert_str_eq(data, "x\n");
    free(data);
    free(p);
}

Test(wasm_tools, fuel_limit_is_an_error_result, .init = setup, .fini = teardown)
{
    static const char *const C[] = {"read:.", "fuel=20000", NULL};
    tools_result r;
    cr_assert_not(call(C, TOOLS_ACCESS_READ_ONLY, "grep", "{\"pattern\": \"(a|b)*c\"}", &r));
    cr_assert(strstr(r.output, "ran out of fuel"), "%s", r.output);
    cr_assert(strstr(r.output, "fuel limit 20000"), "%s", r.output);
    cr_assert_eq(r.decision, TOOLS_ALLOWED); /* it was allowed; it failed while running */
    cr_assert_geq(r.usage.fuel, 20000);
    tools_result_free(&r);
}

Test(wasm_tools, memory_limit_is_an_error_result, .init = setup, .fini = teardown)
{
    /* a 4 MiB file read whole by edit_file needs more than 1 MiB of guest memory */
    char *big = xmalloc(4u << 20 | 1);
    memset(big, 'x', 4u << 20);
    big[4u << 20] = 0;
    put("src/big.txt", big);
    free(big);
    static const char *const C[] = {"write:.", "memory=1M", NULL};
    tools_result r;
    cr_assert_not(call(C, TOOLS_ACCESS_WORKSPACE_WRITE, "edit_file",
                       "{\"path\": \"src/big.txt\", \"old_string\": \"xy\", \"new_string\": \"z\"}", &r));
    cr_assert(strstr(r.output, "memory") || strstr(r.output, "out of memory"), "%s", r.output);
    tools_result_free(&r);
}

Test(wasm_tools, output_limit_cuts_and_says_so, .init = setup, .fini = teardown)
{
    char *many = xmalloc(200000);
    size_t n = 0;
    for (int i = 0; i < 10000; i++) n += (size_t)sprintf(many + n, "line %d\n", i);
    put("src/many.txt", many);
    free(many);
    static const char *const C[] = {"read:.", "output=2K", NULL};
    tools_result r;
    cr_assert(call(C, TOOLS_ACCESS_READ_ONLY, "read_file", "{\"path\": \"src/many.txt\"}", &r), "%s", r.output);
    cr_assert(r.output_truncated);
    cr_assert(strstr(r.output, "[output truncated: showing 2048 of"), "%s", r.output);
    cr_assert_lt(r.output_len, 2300);
    tools_result_free(&r);
}

typedef struct job {
    int id;
    bool ok;
} job;

static void *worker(void *arg)
{
    job *j = arg;
    policy_set *p = policy_new(ws);
    policy_error pe;
    policy_add_line(p, "read:.", 1, &pe);
    tools_ctx c = {.workspace = ws, .agent = "t", .session_id = "s", .access = TOOLS_ACCESS_READ_ONLY, .caps = p};
    j->ok = true;
    for (int i = 0; i < 10; i++) {
        tools_result r;
        const char *tool = (i + j->id) % 2 ? "read_file" : "grep";
        const char *args = (i + j->id) % 2 ? "{\"path\": \"src/a.txt\"}" : "{\"pattern\": \"thr+ee\"}";
        bool ok = tools_call(&c, tool, args, &r);
        const char *want = (i + j->id) % 2 ? "     2\ttwo" : "src/a.txt:3:three";
        if (!ok || !strstr(r.output, want)) j->ok = false;
        tools_result_free(&r);
    }
    policy_free(p);
    return NULL;
}

Test(wasm_tools, parallel_calls_share_compiled_modules, .init = setup, .fini = teardown)
{
    pthread_t t[4];
    job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i].id = i;
        cr_assert_eq(pthread_create(&t[i], NULL, worker, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < 4; i++) cr_assert(jobs[i].ok, "thread %d", i);
}

Test(wasm_tools, hostile_arguments_reach_tools_safely, .init = setup, .fini = teardown)
{
    tools_result r;
    /* escapes, unicode and NUL-free control characters in paths are passed intact and fail cleanly */
    cr_assert_not(call(READ_WS, TOOLS_ACCESS_READ_ONLY, "read_file", "{\"path\": \"src/\\u00e9\\n\\\"x\"}", &r));
    cr_assert(strstr(r.output, "no such file"), "%s", r.output);
    tools_result_free(&r);
    /* a glob pattern designed to be slow is bounded */
    static const char *const C[] = {"read:.", "fuel=5000000", NULL};
    bool ok = call(C, TOOLS_ACCESS_READ_ONLY, "glob",
                   "{\"pattern\": \"**/**/**/**/**/**/**/**/**/**/**/**/**/**/**/**/**/**/x\"}", &r);
    cr_assert(ok || strstr(r.output, "fuel"), "%s", r.output);
    tools_result_free(&r);
    /* an absolute pattern is refused with a hint */
    cr_assert_not(call(READ_WS, TOOLS_ACCESS_READ_ONLY, "glob", "{\"pattern\": \"/etc/*\"}", &r));
    cr_assert(strstr(r.output, "pattern must be relative"), "%s", r.output);
    tools_result_free(&r);
}

/* The agent cancels while the call is running: the START event fires after the last check
 * before running, so the guest itself must notice (its checkpoint import) and stop. */
static void cancel_on_start(void *user, tools_event_kind k, const char *tool, const char *args,
                            const tools_result *res)
{
    (void)tool;
    (void)args;
    (void)res;
    if (k == TOOLS_EVENT_START) atomic_store((atomic_bool *)user, true);
}

Test(wasm_tools, cancel_stops_a_running_call, .init = setup, .fini = teardown)
{
    policy_set *p = caps_of(READ_WS);
    atomic_bool cancel = false;
    tools_ctx c = {.workspace = ws, .agent = "t", .session_id = "s", .access = TOOLS_ACCESS_READ_ONLY,
                   .caps = p, .cancel = &cancel, .on_event = cancel_on_start, .event_user = &cancel};
    tools_result r;
    cr_assert_not(tools_call(&c, "grep", "{\"pattern\": \"three\"}", &r));
    cr_assert(strstr(r.output, "grep was cancelled while running"), "%s", r.output);
    cr_assert_str_eq(r.reason, "cancelled");
    tools_result_free(&r);
    /* a fresh flag: the same modules and linkers keep working */
    atomic_store(&cancel, false);
    c.on_event = NULL;
    cr_assert(tools_call(&c, "grep", "{\"pattern\": \"three\"}", &r), "%s", r.output);
    tools_result_free(&r);
    policy_free(p);
}
