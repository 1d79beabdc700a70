/* test_managed.c — managed mode with the script provider: three executors proven concurrent
 * by a barrier, results in the declared order, a failing executor not stopping the others,
 * escalation attempts (capabilities and access beyond the manager, unconfigured models),
 * executors isolated from each other's scratch space, budgets split without exceeding the
 * manager's, cancellation reaching every executor, and a property test over thousands of
 * random manager manifests and delegate requests. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/launch.h"
#include "agent/managed.h"
#include "util/buf.h"
#include "util/util.h"

/* ---------------------------------------------------------------- test tools */

static pthread_mutex_t bar_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bar_cv = PTHREAD_COND_INITIALIZER;
static int bar_count;

static void set_out(tools_result *o, const char *s)
{
    o->output = xstrdup(s);
    o->output_len = strlen(s);
}

/* Completes only when three callers are inside it at once (or after 10 s, "alone"). */
static void run_barrier(const tools_run *r, tools_result *o)
{
    (void)r;
    pthread_mutex_lock(&bar_mu);
    bar_count++;
    pthread_cond_broadcast(&bar_cv);
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += 10;
    while (bar_count < 3)
        if (pthread_cond_timedwait(&bar_cv, &bar_mu, &dl)) break;
    bool together = bar_count >= 3;
    pthread_mutex_unlock(&bar_mu);
    set_out(o, together ? "together" : "alone");
}

static void run_slow(const tools_run *r, tools_result *o)
{
    for (int i = 0; i < 1000; i++) {
        if (r->ctx->cancel && atomic_load(r->ctx->cancel)) {
            set_out(o, "stopped: cancelled");
            o->is_error = true;
            return;
        }
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    set_out(o, "slow done");
}

#define OBJ "{\"type\":\"object\",\"properties\":{\"tag\":{\"type\":\"string\"}}}"
static const tools_def test_defs[] = {
    {.name = "barrier", .description = "wait for the others", .schema = OBJ,
     .perm = TOOLS_PERM_READ, .kind = TOOLS_RUNNER_HOST, .run = run_barrier},
    {.name = "slow", .description = "takes long", .schema = OBJ, .perm = TOOLS_PERM_READ,
     .kind = TOOLS_RUNNER_HOST, .run = run_slow},
};

/* ---------------------------------------------------------------- fixture */

typedef struct fx {
    char dir[64];
    tools_registry *base;
    agent_config *cfg;
    policy_set *caps;
    agent_managed m;
    llm_provider *llm;
    agent *mgr;
    char *mgr_model;
} fx;

static char *write_script(fx *f, const char *name, const char *text)
{
    char *path = xasprintf("%s/%s.script", f->dir, name);
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp);
    fputs(text, fp);
    fclose(fp);
    char *spec = xasprintf("script/%s", path);
    free(path);
    return spec;
}

static void fx_init(fx *f)
{
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/boxagent-managed.XXXXXX");
    cr_assert_not_null(mkdtemp(f->dir));
    f->base = tools_registry_new(tools_registry_builtin());
    char e[256];
    for (size_t i = 0; i < sizeof test_defs / sizeof test_defs[0]; i++)
        cr_assert(tools_registry_add(f->base, &test_defs[i], e, sizeof e), "%s", e);
    pthread_mutex_lock(&bar_mu);
    bar_count = 0;
    pthread_mutex_unlock(&bar_mu);
}

/* Executor models must be named by the configuration: one agent per script. */
static void fx_config(fx *f, char **models, size_t n)
{
    buf b = BUF_INIT;
    buf_puts(&b, "{\"default_agent\":\"e0\",\"agents\":{");
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s\"e%zu\":{\"model\":\"%s\"}", i ? "," : "", i, models[i]);
    buf_puts(&b, "}}");
    agent_config_errors errs = {0};
    f->cfg = agent_config_parse(f->dir, b.data, &errs);
    cr_assert_not_null(f->cfg, "config: %s", errs.n ? errs.msgs[0] : "?");
    buf_free(&b);
}

static void fx_manager(fx *f, const char *script, const char *const *caps, size_t ncaps,
                       tools_access access, uint64_t token_budget, int parallel)
{
    f->mgr_model = write_script(f, "manager", script);
    f->caps = policy_new(f->dir);
    for (size_t i = 0; i < ncaps; i++) {
        policy_error pe = {0};
        cr_assert(policy_add_line(f->caps, caps[i], (int)i + 1, &pe), "%s: %s", caps[i], pe.message);
    }
    char *err = NULL;
    f->llm = agent_provider_for(f->cfg, f->mgr_model, 0, &err);
    cr_assert_not_null(f->llm, "%s", err);
    f->m = (agent_managed){.cfg = f->cfg,
                           .manager_model = f->mgr_model,
                           .base = f->base,
                           .parallel = parallel,
                           .max_depth = 1,
                           .token_budget = token_budget};
    cr_assert(agent_managed_init(&f->m, &err), "%s", err);
    agent_opts o = {.workspace = f->dir,
                    .name = "mgr",
                    .access = access,
                    .caps = f->caps,
                    .llm = f->llm,
                    .registry = agent_managed_registry(&f->m),
                    .token_budget = token_budget,
                    .no_agents_md = true};
    f->mgr = agent_new(&o, &err);
    cr_assert_not_null(f->mgr, "%s", err);
    agent_managed_bind(&f->m, f->mgr);
}

static void fx_free(fx *f)
{
    agent_free(f->mgr);
    agent_managed_free(&f->m);
    llm_provider_free(f->llm);
    policy_free(f->caps);
    agent_config_free(f->cfg);
    tools_registry_free(f->base);
    free(f->mgr_model);
    char *cmd = xasprintf("rm -rf '%s'", f->dir);
    cr_assert_eq(system(cmd), 0);
    free(cmd);
}

/* The delegate tool's result (the first tool result in the manager's conversation). */
static json_t *delegate_result(fx *f)
{
    const llm_conv *c = agent_conversation(f->mgr);
    for (size_t i = 0; i < c->n; i++)
        for (size_t k = 0; k < c->msgs[i].nblocks; k++) {
            const llm_block *b = &c->msgs[i].blocks[k];
            if (b->kind == LLM_TOOL_RESULT) {
                json_t *j = json_loads(b->text, 0, NULL);
                cr_assert_not_null(j, "delegate result is not JSON: %s", b->text);
                return j;
            }
        }
    cr_assert_fail("no tool result in the manager's conversation");
    return NULL;
}

static const char *ex_str(json_t *r, size_t i, const char *k)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(r, "executors"), i), k));
}

static json_int_t ex_int(json_t *r, size_t i, const char *k)
{
    return json_integer_value(json_object_get(json_array_get(json_object_get(r, "executors"), i), k));
}

/* ---------------------------------------------------------------- tests */

Test(managed, three_executors_overlap_and_keep_order)
{
    fx f;
    fx_init(&f);
    char *models[3];
    const char *tags[3] = {"alpha", "beta", "gamma"};
    for (int i = 0; i < 3; i++) {
        char *s = xasprintf("turn\ncall barrier {\"tag\":\"%s\"}\n"
                            "turn when \"together\"\nsay %s met the others\n"
                            "turn\nsay %s was alone\n", tags[i], tags[i], tags[i]);
        char name[16];
        snprintf(name, sizeof name, "ex%d", i);
        models[i] = write_script(&f, name, s);
        free(s);
    }
    fx_config(&f, models, 3);
    char *mgr = xasprintf(
        "turn\ncall delegate {\"tasks\":[{\"name\":\"a\",\"instructions\":\"x\",\"model\":\"%s\"},"
        "{\"name\":\"b\",\"instructions\":\"y\",\"model\":\"%s\"},"
        "{\"name\":\"c\",\"instructions\":\"z\",\"model\":\"%s\"}]}\n"
        "turn\nsay all done\n", models[0], models[1], models[2]);
    const char *caps[] = {"read:."};
    fx_manager(&f, mgr, caps, 1, TOOLS_ACCESS_READ_ONLY, 0, 4);
    agent_result res = {0};
    cr_assert_eq(agent_run(f.mgr, "go", &res), AGENT_DONE, "%s", res.message);
    json_t *r = delegate_result(&f);
    cr_assert_eq(json_array_size(json_object_get(r, "executors")), 3);
    for (int i = 0; i < 3; i++) {
        char want[64];
        snprintf(want, sizeof want, "%s met the others", tags[i]);
        const char *ids[] = {"a", "b", "c"};
        cr_assert_str_eq(ex_str(r, (size_t)i, "id"), ids[i]);
        cr_assert_str_eq(ex_str(r, (size_t)i, "status"), "done");
        cr_assert_str_eq(ex_str(r, (size_t)i, "answer"), want);
    }
    json_decref(r);
    agent_result_free(&res);
    for (int i = 0; i < 3; i++) free(models[i]);
    free(mgr);
    fx_free(&f);
}

Test(managed, failing_executor_does_not_stop_the_others)
{
    fx f;
    fx_init(&f);
    char *models[3] = {write_script(&f, "ok1", "turn\nsay first fine\n"),
                       write_script(&f, "bad", "turn\nfail the model exploded\n"),
                       write_script(&f, "ok2", "turn\nsay third fine\n")};
    fx_config(&f, models, 3);
    char *mgr = xasprintf("turn\ncall delegate {\"tasks\":[{\"instructions\":\"1\",\"model\":\"%s\"},"
                          "{\"instructions\":\"2\",\"model\":\"%s\"},{\"instructions\":\"3\",\"model\":\"%s\"}]}\n"
                          "turn\nsay ok\n", models[0], models[1], models[2]);
    const char *caps[] = {"read:."};
    fx_manager(&f, mgr, caps, 1, TOOLS_ACCESS_READ_ONLY, 0, 2);
    agent_result res = {0};
    agent_run(f.mgr, "go", &res);
    json_t *r = delegate_result(&f);
    cr_assert_str_eq(ex_str(r, 0, "status"), "done");
    cr_assert_str_eq(ex_str(r, 1, "status"), "error");
    cr_assert_str_eq(ex_str(r, 2, "status"), "done");
    cr_assert_str_eq(ex_str(r, 2, "answer"), "third fine");
    cr_assert_str_eq(ex_str(r, 0, "id"), "exec-1");
    json_decref(r);
    agent_result_free(&res);
    for (int i = 0; i < 3; i++) free(models[i]);
    free(mgr);
    fx_free(&f);
}

Test(managed, escalation_is_dropped_and_reported)
{
    fx f;
    fx_init(&f);
    char *models[1] = {write_script(&f, "ex", "turn\nsay hi\n")};
    fx_config(&f, models, 1);
    char *mgr = xasprintf(
        "turn\ncall delegate {\"tasks\":["
        "{\"name\":\"greedy\",\"instructions\":\"own everything\",\"access\":\"full\","
        "\"capabilities\":[\"write:.\",\"fetch:https://*\",\"exec:*\",\"env:HOME\"],\"model\":\"%s\"},"
        "{\"name\":\"outside\",\"instructions\":\"x\","
        "\"capabilities\":[\"write:/etc\",\"read:/root\",\"fetch:https://*\"],\"model\":\"%s\"},"
        "{\"name\":\"narrow\",\"instructions\":\"read src\",\"access\":\"workspace-write\","
        "\"capabilities\":[\"read:src/lib\",\"write:src\",\"fuel=999999999999\"],\"model\":\"%s\"},"
        "{\"name\":\"sneaky\",\"instructions\":\"use my model\",\"capabilities\":[\"read:src\"],"
        "\"model\":\"script//etc/passwd\"}]}\n"
        "turn\nsay ok\n", models[0], models[0], models[0]);
    const char *caps[] = {"read:src", "fuel=1000000"};
    fx_manager(&f, mgr, caps, 2, TOOLS_ACCESS_READ_ONLY, 0, 4);
    agent_result res = {0};
    agent_run(f.mgr, "go", &res);
    json_t *r = delegate_result(&f);
    /* greedy: write:. is narrowed to the manager's read:src; no write, fetch, exec or env */
    json_t *g0 = json_object_get(json_array_get(json_object_get(r, "executors"), 0), "granted");
    size_t i;
    json_t *v;
    json_array_foreach(g0, i, v) {
        const char *c = json_string_value(v);
        cr_assert(!strncmp(c, "read:", 5) || strchr(c, '='), "greedy was granted %s", c);
    }
    cr_assert_str_eq(ex_str(r, 0, "access"), "read-only");
    cr_assert_not_null(strstr(ex_str(r, 0, "dropped"), "fetch"), "dropped: %s", ex_str(r, 0, "dropped"));
    /* outside: nothing it asked is within read:src -> denied, never run */
    cr_assert_str_eq(ex_str(r, 1, "status"), "denied");
    cr_assert_eq(json_array_size(json_object_get(json_array_get(json_object_get(r, "executors"), 1), "granted")), 0);
    cr_assert_eq(ex_int(r, 1, "turns"), 0);
    /* narrow: read:src/lib kept, no write of any kind, fuel capped */
    cr_assert_str_eq(ex_str(r, 2, "status"), "done");
    json_t *g = json_object_get(json_array_get(json_object_get(r, "executors"), 2), "granted");
    json_array_foreach(g, i, v) cr_assert(strncmp(json_string_value(v), "write:", 6) != 0,
                                          "granted %s", json_string_value(v));
    cr_assert_str_eq(ex_str(r, 2, "access"), "read-only");
    cr_assert_not_null(ex_str(r, 2, "dropped"));
    /* sneaky: a model not in the configuration is replaced by the manager's */
    cr_assert_not_null(strstr(ex_str(r, 3, "dropped"), "not in the configuration"));
    json_decref(r);
    agent_result_free(&res);
    free(models[0]);
    free(mgr);
    fx_free(&f);
}

Test(managed, executor_cannot_use_tools_above_its_level_or_see_others_scratch)
{
    fx f;
    fx_init(&f);
    const char *sub[] = {"scratch", "scratch/a", "scratch/b"};
    for (int i = 0; i < 3; i++) {
        char *p = xasprintf("%s/%s", f.dir, sub[i]);
        cr_assert_eq(mkdir(p, 0755), 0);
        free(p);
    }
    char *models[3] = {
        write_script(&f, "writer",
                     "turn\ncall write_file {\"path\":\"scratch/a/secret.txt\",\"content\":\"top secret\"}\n"
                     "turn\nsay written\n"),
        write_script(&f, "snoop",
                     "turn\ncall read_file {\"path\":\"scratch/a/secret.txt\"}\n"
                     "turn when \"top secret\"\nsay LEAKED\nturn\nsay blocked\n"),
        write_script(&f, "lowly",
                     "turn\ncall write_file {\"path\":\"scratch/b/x.txt\",\"content\":\"x\"}\n"
                     "turn\nsay tried\n")};
    fx_config(&f, models, 3);
    char *mgr = xasprintf(
        "turn\ncall delegate {\"tasks\":["
        "{\"name\":\"w\",\"instructions\":\"w\",\"access\":\"workspace-write\","
        "\"capabilities\":[\"write:scratch/a\"],\"model\":\"%s\"},"
        "{\"name\":\"s\",\"instructions\":\"s\",\"access\":\"workspace-write\","
        "\"capabilities\":[\"write:scratch/b\"],\"model\":\"%s\"},"
        "{\"name\":\"l\",\"instructions\":\"l\",\"access\":\"read-only\","
        "\"capabilities\":[\"write:scratch/b\"],\"model\":\"%s\"}]}\n"
        "turn\nsay ok\n", models[0], models[1], models[2]);
    const char *caps[] = {"write:scratch"};
    fx_manager(&f, mgr, caps, 1, TOOLS_ACCESS_WORKSPACE_WRITE, 0, 1); /* one at a time */
    agent_result res = {0};
    agent_run(f.mgr, "go", &res);
    json_t *r = delegate_result(&f);
    cr_assert_str_eq(ex_str(r, 0, "answer"), "written");
    char *secret = xasprintf("%s/scratch/a/secret.txt", f.dir);
    cr_assert_eq(access(secret, F_OK), 0, "the writer executor did not write its file");
    free(secret);
    cr_assert_str_eq(ex_str(r, 1, "answer"), "blocked");
    cr_assert_geq(ex_int(r, 1, "denied_calls"), 1);
    cr_assert_geq(ex_int(r, 2, "denied_calls"), 1, "write_file offered to a read-only executor");
    char *x = xasprintf("%s/scratch/b/x.txt", f.dir);
    cr_assert_neq(access(x, F_OK), 0);
    free(x);
    json_decref(r);
    agent_result_free(&res);
    for (int i = 0; i < 3; i++) free(models[i]);
    free(mgr);
    fx_free(&f);
}

Test(managed, budgets_split_within_the_managers)
{
    fx f;
    fx_init(&f);
    char *models[1] = {write_script(&f, "spender",
                                    "turn\nusage 300 300\ncall barrier {}\nturn\nusage 300 300\nsay spent\n")};
    fx_config(&f, models, 1);
    char *mgr = xasprintf("turn\nusage 100 100\ncall delegate {\"tasks\":["
                          "{\"instructions\":\"1\"},{\"instructions\":\"2\"},{\"instructions\":\"3\"}]}\n"
                          "turn\nsay ok\n");
    const char *caps[] = {"read:."};
    fx_manager(&f, mgr, caps, 1, TOOLS_ACCESS_READ_ONLY, 1000, 4);
    /* executors default to the manager's model: point it at the spender script instead */
    f.m.manager_model = models[0];
    agent_result res = {0};
    agent_run(f.mgr, "go", &res);
    json_t *r = delegate_result(&f);
    json_int_t sum = 0;
    for (size_t i = 0; i < 3; i++) {
        json_int_t b = ex_int(r, i, "token_budget");
        cr_assert_gt(b, 0);
        sum += b;
        cr_assert_str_eq(ex_str(r, i, "status"), "limit", "executor %zu: %s", i, ex_str(r, i, "message"));
    }
    cr_assert_leq(sum, 1000 - 200, "shares %lld exceed what the manager had left", (long long)sum);
    json_decref(r);
    agent_result_free(&res);
    free(models[0]);
    free(mgr);
    fx_free(&f);
}

typedef struct canceller {
    agent *a;
} canceller;

static void *cancel_later(void *u)
{
    canceller *c = u;
    struct timespec ts = {0, 400 * 1000000L};
    nanosleep(&ts, NULL);
    agent_cancel(c->a);
    return NULL;
}

Test(managed, cancelling_the_manager_cancels_every_executor)
{
    fx f;
    fx_init(&f);
    char *models[1] = {write_script(&f, "slowpoke", "turn\ncall slow {}\nturn\nsay finished\n")};
    fx_config(&f, models, 1);
    char *mgr = xasprintf("turn\ncall delegate {\"tasks\":[{\"instructions\":\"1\",\"model\":\"%s\"},"
                          "{\"instructions\":\"2\",\"model\":\"%s\"}]}\nturn\nsay ok\n",
                          models[0], models[0]);
    const char *caps[] = {"read:."};
    fx_manager(&f, mgr, caps, 1, TOOLS_ACCESS_READ_ONLY, 0, 4);
    pthread_t th;
    canceller c = {f.mgr};
    pthread_create(&th, NULL, cancel_later, &c);
    agent_result res = {0};
    uint64_t t0 = util_now_ns();
    cr_assert_eq(agent_run(f.mgr, "go", &res), AGENT_CANCELLED);
    uint64_t ms = (util_now_ns() - t0) / 1000000;
    pthread_join(th, NULL);
    cr_assert_lt(ms, 9000, "executors kept running for %llu ms after the cancel", (unsigned long long)ms);
    agent_result_free(&res);
    free(models[0]);
    free(mgr);
    fx_free(&f);
}

/* ---------------------------------------------------------------- property */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const char *const cap_pool[] = {
    "read:.", "read:src", "read:src/lib", "write:src", "write:build", "write:.", "read:docs",
    "write:src/lib/x", "read:/etc", "write:/tmp", "fetch:https://api.example.com",
    "fetch:https://api.example.com/v1", "fetch:https://*.example.com", "fetch:https://*",
    "fetch:http://127.0.0.1:8080", "exec:make", "exec:*", "exec:git", "env:HOME", "env:PATH",
    "write:.git", "read:.boxagent", "fuel=1000", "fuel=5000000", "memory=64M", "memory=1G",
    "timeout=5s", "timeout=1m", "output=1K", "output=1M", "parallel=2", "parallel=8"};
#define NPOOL (sizeof cap_pool / sizeof cap_pool[0])

static const char *const probe_paths[] = {
    ".", "src", "src/lib", "src/lib/x/y", "build/out", "docs/a.md", "/etc/passwd", "/tmp/z",
    ".git/config", ".boxagent/config.json", "srcX", "/", "src/../build"};
static const char *const probe_urls[] = {
    "https://api.example.com/v1/x", "https://api.example.com/v2", "https://a.example.com/",
    "https://example.com/", "https://evil.test/", "http://127.0.0.1:8080/", "http://api.example.com/"};
static const char *const probe_progs[] = {"make", "git", "bash", "rm"};
static const char *const levels[] = {"search-only", "read-only", "workspace-write", "full"};

static void random_set(policy_set *p, const char **used, size_t *n)
{
    size_t k = next_rand() % 7;
    *n = 0;
    for (size_t i = 0; i < k; i++) {
        const char *line = cap_pool[next_rand() % NPOOL];
        bool dup = false; /* a limit twice with different values is a (correct) error */
        for (size_t j = 0; j < *n; j++)
            dup |= strchr(line, '=') && !strncmp(used[j], line, (size_t)(strchr(line, '=') - line + 1));
        if (dup) continue;
        policy_error pe = {0};
        if (policy_add_line(p, line, (int)i + 1, &pe)) used[(*n)++] = line;
    }
}

Test(managed, property_no_executor_exceeds_its_manager)
{
    for (int iter = 0; iter < 3000; iter++) {
        policy_set *mgr = policy_new("/w");
        const char *mlines[8], *rlines[8];
        size_t nm, nr;
        random_set(mgr, mlines, &nm);
        /* request lines may include anything, even lines the manager never had */
        policy_set *tmp = policy_new("/w");
        random_set(tmp, rlines, &nr);
        policy_free(tmp);
        tools_access macc = (tools_access)(next_rand() % 4);
        const char *racc = levels[next_rand() % 4];
        tools_access acc;
        char *dropped = NULL;
        char err[256];
        policy_set *child = agent_managed_authority(mgr, macc, racc, rlines, nr, &acc, &dropped, err,
                                                    sizeof err);
        cr_assert_not_null(child, "iteration %d: %s", iter, err);
        cr_assert_leq(acc, macc, "iteration %d: access widened", iter);
        cr_assert(policy_is_subset(child, mgr), "iteration %d: child not a subset", iter);
        for (size_t i = 0; i < sizeof probe_paths / sizeof probe_paths[0]; i++)
            for (int a = POLICY_ACCESS_READ; a <= POLICY_ACCESS_WRITE; a++)
                if (policy_check_path(child, probe_paths[i], (policy_access)a).allowed)
                    cr_assert(policy_check_path(mgr, probe_paths[i], (policy_access)a).allowed,
                              "iteration %d: child may %s %s, manager may not", iter,
                              a == POLICY_ACCESS_READ ? "read" : "write", probe_paths[i]);
        for (size_t i = 0; i < sizeof probe_urls / sizeof probe_urls[0]; i++)
            if (policy_check_fetch(child, probe_urls[i]).allowed)
                cr_assert(policy_check_fetch(mgr, probe_urls[i]).allowed, "iteration %d: fetch %s",
                          iter, probe_urls[i]);
        for (size_t i = 0; i < sizeof probe_progs / sizeof probe_progs[0]; i++)
            if (policy_check_exec(child, probe_progs[i]).allowed)
                cr_assert(policy_check_exec(mgr, probe_progs[i]).allowed, "iteration %d: exec %s",
                          iter, probe_progs[i]);
        if (policy_check_env(child, "HOME").allowed) cr_assert(policy_check_env(mgr, "HOME").allowed);
        const policy_limits *cl = &child->limits, *ml = &mgr->limits;
        if (ml->has_fuel) cr_assert(cl->has_fuel && cl->fuel <= ml->fuel, "iteration %d: fuel", iter);
        if (ml->has_memory) cr_assert(cl->has_memory && cl->memory <= ml->memory);
        if (ml->has_timeout) cr_assert(cl->has_timeout && cl->timeout_ms <= ml->timeout_ms);
        if (ml->has_output) cr_assert(cl->has_output && cl->output <= ml->output);
        if (ml->has_parallel) cr_assert(cl->has_parallel && cl->parallel <= ml->parallel);
        free(dropped);
        policy_free(child);
        policy_free(mgr);
    }
}

Test(managed, malformed_capability_lines_are_errors_not_grants)
{
    policy_set *mgr = policy_new("/w");
    policy_error pe;
    cr_assert(policy_add_line(mgr, "read:.", 1, &pe));
    const char *lines[] = {"read:src", "teleport:/"};
    tools_access acc;
    char *dropped = NULL;
    char err[256];
    cr_assert_null(agent_managed_authority(mgr, TOOLS_ACCESS_FULL, "bogus", lines, 2, &acc,
                                           &dropped, err, sizeof err));
    cr_assert_not_null(strstr(err, "capability 2"), "%s", err);
    policy_free(mgr);
}
