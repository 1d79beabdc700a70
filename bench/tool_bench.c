/* tool_bench.c — the cost of one sandboxed tool call against spawning a native process:
 * read_file on a 4 KB file 1,000 times through tools_call (the code path of `boxagent tool
 * call` and the agent loop: validation, policy decision, fresh WebAssembly instance with its
 * WASI view, output handling) in one process — once without and once with the audit record
 * (SQLite, WAL) — next to 1,000 fork+exec+wait of `cat` on the same file. Prints the medians
 * and their ratios. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit/audit.h"
#include "tools/tools.h"
#include "util/util.h"

#define N 1000

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_u64);
    return v[n / 2];
}

static int spawn_cat(const char *path)
{
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) dup2(fd, 1);
        execlp("cat", "cat", path, (char *)NULL);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(void)
{
    char dir[] = "/tmp/boxagent-tool-bench-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char *file = xasprintf("%s/four_k.txt", dir);
    char text[4096];
    for (size_t i = 0; i < sizeof text; i++) text[i] = (i % 64 == 63) ? '\n' : (char)('a' + i % 26);
    if (util_write_file_atomic(file, text, sizeof text, 0644) != 0) {
        perror("write");
        return 1;
    }
    policy_set *caps = policy_new(dir);
    policy_error pe;
    if (!caps || !policy_add_line(caps, "read:.", 1, &pe)) {
        fprintf(stderr, "policy: %s\n", caps ? pe.message : "no workspace");
        return 1;
    }
    tools_ctx ctx = {.workspace = dir, .agent = "bench", .session_id = "bench",
                     .access = TOOLS_ACCESS_READ_ONLY, .caps = caps};
    const char *args = "{\"path\": \"four_k.txt\"}";

    /* warm-up: the first call compiles the module (once per process) */
    tools_result r;
    uint64_t t0 = util_now_ns();
    bool ok = tools_call(&ctx, "read_file", args, &r);
    uint64_t first = util_now_ns() - t0;
    if (!ok || !strstr(r.output, "(lines 1-64 of 64)")) {
        fprintf(stderr, "read_file failed: %s\n", r.output);
        return 1;
    }
    uint64_t fuel = r.usage.fuel, mem = r.usage.peak_memory;
    tools_result_free(&r);

    uint64_t *tool = xmalloc(N * sizeof *tool), *cat = xmalloc(N * sizeof *cat);
    for (int i = 0; i < N; i++) {
        t0 = util_now_ns();
        ok = tools_call(&ctx, "read_file", args, &r);
        tool[i] = util_now_ns() - t0;
        if (!ok) {
            fprintf(stderr, "call %d failed: %s\n", i, r.output);
            return 1;
        }
        tools_result_free(&r);
    }
    /* the same with the audit record of every call, as `boxagent tool call` makes it */
    char *aerr = NULL;
    audit_log *log = audit_open(dir, &aerr);
    if (!log) {
        fprintf(stderr, "audit: %s\n", aerr ? aerr : "?");
        return 1;
    }
    uint64_t *audited = xmalloc(N * sizeof *audited);
    ctx.audit = log;
    for (int i = 0; i < N; i++) {
        t0 = util_now_ns();
        ok = tools_call(&ctx, "read_file", args, &r);
        audited[i] = util_now_ns() - t0;
        if (!ok) {
            fprintf(stderr, "audited call %d failed: %s\n", i, r.output);
            return 1;
        }
        tools_result_free(&r);
    }
    audit_close(log);
    for (int i = 0; i < N; i++) {
        t0 = util_now_ns();
        int rc = spawn_cat(file);
        cat[i] = util_now_ns() - t0;
        if (rc != 0) {
            fprintf(stderr, "cat failed\n");
            return 1;
        }
    }
    uint64_t mt = median(tool, N), mc = median(cat, N), ma = median(audited, N);
    printf("tool_bench: read_file on a 4 KB file, %d calls through tools_call in one process\n", N);
    printf("  first call (module compile + run): %8.1f us\n", first / 1000.0);
    printf("  read_file via tools_call, median:  %8.1f us  (fuel %llu, peak memory %llu KiB)\n",
           mt / 1000.0, (unsigned long long)fuel, (unsigned long long)(mem >> 10));
    printf("  same + audit record, median:       %8.1f us\n", ma / 1000.0);
    printf("  spawn cat (fork+exec+wait), median:%8.1f us\n", mc / 1000.0);
    printf("  ratio tool/cat: %.2f (%s)\n", (double)mt / (double)mc,
           mt < mc ? "the sandboxed call is cheaper than spawning cat" : "spawning cat is cheaper");
    printf("  ratio tool+audit/cat: %.2f\n", (double)ma / (double)mc);
    free(audited);
    free(tool);
    free(cat);
    policy_free(caps);
    char *rm = xasprintf("rm -rf '%s'", dir);
    if (system(rm) != 0) fprintf(stderr, "could not remove %s\n", dir);
    free(rm);
    free(file);
    return 0;
}
