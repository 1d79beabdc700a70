/* managed_bench.c — managed mode under load: a scripted manager delegates 16 subtasks; each
 * executor (script provider) makes 20 read_file calls on a 4 KB file in the workspace, through
 * the real tool path (fresh WebAssembly instance per call, audit records). Prints wall time,
 * tool calls per second and the process's peak RSS growth per executor.
 * Usage: managed_bench [EXECUTORS] [CALLS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "agent/launch.h"
#include "agent/managed.h"
#include "audit/audit.h"
#include "util/buf.h"
#include "util/util.h"

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static char *write_file(const char *dir, const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
    return path;
}

int main(int argc, char **argv)
{
    uint64_t nexec = 16, ncalls = 20;
    if ((argc > 1 && (!util_parse_u64(argv[1], &nexec) || !nexec || nexec > AGENT_MANAGED_MAX_TASKS)) ||
        (argc > 2 && (!util_parse_u64(argv[2], &ncalls) || !ncalls || ncalls > 200))) {
        fprintf(stderr, "usage: managed_bench [EXECUTORS 1..16] [CALLS 1..200]\n");
        return 2;
    }
    char dir[] = "/tmp/boxagent-mbench.XXXXXX";
    if (!mkdtemp(dir)) return 1;
    buf b = BUF_INIT;
    for (int i = 0; b.len < 4096; i++) buf_printf(&b, "line %d of the benchmark file\n", i);
    free(write_file(dir, "data.txt", b.data));
    buf_clear(&b);
    buf_puts(&b, "turn\n");
    for (uint64_t i = 0; i < ncalls; i++) buf_puts(&b, "call read_file {\"path\":\"data.txt\"}\n");
    buf_puts(&b, "turn\nsay done\n");
    char *exec_path = write_file(dir, "executor.script", b.data);
    buf_clear(&b);
    buf_puts(&b, "turn\ncall delegate {\"tasks\":[");
    for (uint64_t i = 0; i < nexec; i++)
        buf_printf(&b, "%s{\"instructions\":\"read data.txt %llu times\",\"capabilities\":[\"read:.\"]}",
                   i ? "," : "", (unsigned long long)ncalls);
    buf_puts(&b, "]}\nturn\nsay all done\n");
    char *mgr_path = write_file(dir, "manager.script", b.data);
    buf_free(&b);

    char *exec_model = xasprintf("script/%s", exec_path);
    char *mgr_model = xasprintf("script/%s", mgr_path);
    char *cfgtext = xasprintf("{\"agents\":{\"e\":{\"model\":\"%s\"}}}", exec_model);
    agent_config_errors errs = {0};
    agent_config *cfg = agent_config_parse(dir, cfgtext, &errs);
    char *err = NULL;
    audit_log *au = audit_open(dir, &err);
    llm_provider *llm = cfg ? agent_provider_for(cfg, mgr_model, 0, &err) : NULL;
    if (!cfg || !au || !llm) {
        fprintf(stderr, "setup failed: %s\n", err ? err : errs.n ? errs.msgs[0] : "?");
        return 1;
    }
    policy_set *caps = policy_new(dir);
    policy_error pe;
    policy_add_line(caps, "read:.", 1, &pe);
    agent_managed m = {.cfg = cfg, .manager_model = exec_model, .parallel = (int)nexec, .max_depth = 1};
    if (!agent_managed_init(&m, &err)) return 1;
    agent_opts o = {.workspace = dir, .name = "manager", .access = TOOLS_ACCESS_READ_ONLY,
                    .caps = caps, .llm = llm, .registry = agent_managed_registry(&m),
                    .audit = au, .no_agents_md = true};
    agent *a = agent_new(&o, &err);
    if (!a) return 1;
    agent_managed_bind(&m, a);
    long rss0 = peak_rss_kb();
    uint64_t t0 = util_now_ns();
    agent_result res = {0};
    agent_outcome out = agent_run(a, "go", &res);
    double wall = (double)(util_now_ns() - t0) / 1e9;
    long rss1 = peak_rss_kb();
    const llm_conv *c = agent_conversation(a);
    int done = 0, calls = 0;
    for (size_t i = 0; i < c->n; i++)
        for (size_t k = 0; k < c->msgs[i].nblocks; k++) {
            const llm_block *bl = &c->msgs[i].blocks[k];
            if (bl->kind != LLM_TOOL_RESULT) continue;
            json_t *j = json_loads(bl->text, 0, NULL);
            size_t x;
            json_t *e;
            json_array_foreach(json_object_get(j, "executors"), x, e) {
                done += !strcmp(json_string_value(json_object_get(e, "status")) ?: "", "done");
                calls += (int)json_integer_value(json_object_get(e, "tool_calls"));
            }
            json_decref(j);
        }
    printf("managed mode: %llu executors x %llu read_file calls (script provider, audit on)\n",
           (unsigned long long)nexec, (unsigned long long)ncalls);
    printf("  outcome %s; executors done %d/%llu; tool calls %d\n", agent_outcome_name(out), done,
           (unsigned long long)nexec, calls);
    printf("  wall %.3f s; %.0f tool calls/s; peak RSS %ld KiB (+%ld KiB, %.0f KiB per executor)\n", wall,
           calls / wall, rss1, rss1 - rss0, (double)(rss1 - rss0) / (double)nexec);
    agent_result_free(&res);
    agent_free(a);
    agent_managed_free(&m);
    llm_provider_free(llm);
    policy_free(caps);
    audit_close(au);
    agent_config_free(cfg);
    free(exec_model);
    free(mgr_model);
    free(cfgtext);
    free(exec_path);
    free(mgr_path);
    char *cmd = xasprintf("rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    free(cmd);
    return out == AGENT_DONE && done == (int)nexec ? 0 : 1;
}
