/* test_tools.c — the tool layer's registry and call path: access levels (parse, exactly which
 * tools each level offers, checked again on every call), unknown tools, argument validation,
 * policy denials before anything runs, output truncation, cancellation, events, tool_search,
 * and the audit record of every outcome. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <time.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "tools/tools.h"
#include "util/util.h"

static char ws[] = "/tmp/boxagent-test-tools-XXXXXX";
static policy_set *caps;

static void setup(void)
{
    cr_assert_not_null(mkdtemp(ws));
    caps = policy_new(ws);
    policy_error pe;
    cr_assert(policy_add_line(caps, "read:.", 1, &pe), "%s", pe.message);
}

static void teardown(void)
{
    policy_free(caps);
    char *cmd = xasprintf("rm -rf '%s'", ws);
    cr_assert_eq(system(cmd), 0);
    free(cmd);
}

static tools_ctx ctx_at(tools_access a)
{
    tools_ctx c = {.workspace = ws, .agent = "tester", .session_id = "s1", .access = a, .caps = caps};
    return c;
}

static char *names_at(tools_access a)
{
    const tools_def *defs[64];
    size_t n = tools_list(tools_registry_builtin(), a, defs, 64);
    char *s = xstrdup("");
    for (size_t i = 0; i < n && i < 64; i++) {
        char *t = xasprintf("%s%s%s", s, *s ? "," : "", defs[i]->name);
        free(s);
        s = t;
    }
    return s;
}

Test(access, parse_and_names)
{
    tools_access a;
    cr_assert(tools_access_parse("search-only", &a) && a == TOOLS_ACCESS_SEARCH_ONLY);
    cr_assert(tools_access_parse("read-only", &a) && a == TOOLS_ACCESS_READ_ONLY);
    cr_assert(tools_access_parse("workspace-write", &a) && a == TOOLS_ACCESS_WORKSPACE_WRITE);
    cr_assert(tools_access_parse("full", &a) && a == TOOLS_ACCESS_FULL);
    const char *bad[] = {"", "FULL", "Full", "full ", " full", "admin", "root", "write", "readonly",
                         "read_only", "full\n", "fullx"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        a = TOOLS_ACCESS_SEARCH_ONLY;
        cr_assert_not(tools_access_parse(bad[i], &a), "'%s' must not parse", bad[i]);
        cr_assert_eq(a, TOOLS_ACCESS_SEARCH_ONLY, "a failed parse leaves the level untouched");
    }
    cr_assert_not(tools_access_parse(NULL, &a));
    cr_assert_str_eq(tools_access_name(TOOLS_ACCESS_WORKSPACE_WRITE), "workspace-write");
    cr_assert_str_eq(tools_access_name((tools_access)42), "invalid");
    cr_assert_str_eq(tools_perm_name(TOOLS_PERM_EXECUTE), "execute");
    cr_assert_eq(TOOLS_ACCESS_DEFAULT, TOOLS_ACCESS_READ_ONLY);
}

Test(access, each_level_offers_exactly_its_tools)
{
    const tools_registry *r = tools_registry_builtin();
    /* search-only: only search tools and permission-none tools */
    char *s = names_at(TOOLS_ACCESS_SEARCH_ONLY);
    cr_assert_str_eq(s, "list_dir,glob,grep,tool_search");
    free(s);
    /* every level offers exactly the tools whose permission it covers */
    for (int lv = 0; lv <= TOOLS_ACCESS_FULL; lv++) {
        for (size_t i = 0; i < tools_registry_count(r); i++) {
            const tools_def *d = tools_registry_at(r, i);
            bool want;
            switch (lv) {
            case TOOLS_ACCESS_SEARCH_ONLY: want = d->perm == TOOLS_PERM_NONE || d->search; break;
            case TOOLS_ACCESS_READ_ONLY: want = d->perm <= TOOLS_PERM_READ; break;
            case TOOLS_ACCESS_WORKSPACE_WRITE: want = d->perm <= TOOLS_PERM_WRITE; break;
            default: want = true;
            }
            cr_assert_eq(tools_offered(d, (tools_access)lv), want, "%s at level %d", d->name, lv);
        }
    }
    s = names_at(TOOLS_ACCESS_READ_ONLY);
    cr_assert(strstr(s, "read_file") && !strstr(s, "write_file") && !strstr(s, "edit_file"), "%s", s);
    free(s);
    s = names_at(TOOLS_ACCESS_WORKSPACE_WRITE);
    cr_assert(strstr(s, "write_file") && strstr(s, "edit_file") && !strstr(s, "bash"), "%s", s);
    free(s);
    /* an out-of-range level offers nothing */
    cr_assert_eq(tools_list(r, (tools_access)99, NULL, 0), 0);
    cr_assert_eq(tools_list(r, (tools_access)-1, NULL, 0), 0);
}

Test(registry, find_list_json_and_add)
{
    const tools_registry *r = tools_registry_builtin();
    cr_assert_not_null(tools_find(r, "read_file"));
    cr_assert_null(tools_find(r, "READ_FILE"));
    cr_assert_null(tools_find(r, NULL));
    json_t *j = tools_list_json(r, TOOLS_ACCESS_SEARCH_ONLY);
    cr_assert_eq(json_array_size(j), 4);
    json_t *first = json_array_get(j, 0);
    cr_assert(json_is_object(json_object_get(first, "parameters")));
    cr_assert_str_eq(json_string_value(json_object_get(first, "permission")), "read");
    json_decref(j);
    /* every built-in schema is valid JSON and an object schema refusing unknown fields */
    for (size_t i = 0; i < tools_registry_count(r); i++) {
        const tools_def *d = tools_registry_at(r, i);
        json_t *s = json_loads(d->schema, 0, NULL);
        cr_assert(json_is_object(s), "%s schema", d->name);
        cr_assert(json_is_false(json_object_get(s, "additionalProperties")), "%s", d->name);
        char why[200];
        cr_assert(tools_schema_check(s, why, sizeof why), "%s: %s", d->name, why);
        json_decref(s);
    }

    tools_registry *mine = tools_registry_new(r);
    char err[200];
    static const tools_def dup = {.name = "read_file", .schema = "{}", .kind = TOOLS_RUNNER_WASM};
    cr_assert_not(tools_registry_add(mine, &dup, err, sizeof err));
    cr_assert(strstr(err, "already registered"), "%s", err);
    static const tools_def badname = {.name = "Read File", .schema = "{}", .kind = TOOLS_RUNNER_WASM};
    cr_assert_not(tools_registry_add(mine, &badname, err, sizeof err));
    static const tools_def badschema = {.name = "x", .schema = "[1]", .kind = TOOLS_RUNNER_WASM};
    cr_assert_not(tools_registry_add(mine, &badschema, err, sizeof err));
    static const tools_def unenforced = {.name = "x", .kind = TOOLS_RUNNER_WASM,
        .schema = "{\"type\": \"object\", \"properties\": {\"p\": {\"type\": \"string\", \"pattern\": \"^a\"}}}"};
    cr_assert_not(tools_registry_add(mine, &unenforced, err, sizeof err));
    cr_assert(strstr(err, "\"pattern\" is not supported"), "%s", err);
    static const tools_def norunner = {.name = "x", .schema = "{}", .kind = TOOLS_RUNNER_HOST};
    cr_assert_not(tools_registry_add(mine, &norunner, err, sizeof err));
    cr_assert_eq(tools_registry_count(mine), tools_registry_count(r));
    tools_registry_free(mine);
    tools_registry_free((tools_registry *)r); /* the built-in registry is never freed */
    cr_assert_not_null(tools_find(tools_registry_builtin(), "grep"));
}

/* ---- a host tool to observe what reaches a runner */

static int runs;
static char last_args[256];

static void echo_run(const tools_run *run, tools_result *out)
{
    runs++;
    snprintf(last_args, sizeof last_args, "%s", run->args_json);
    const char *t = json_string_value(json_object_get(run->args, "text"));
    json_int_t rep = json_integer_value(json_object_get(run->args, "repeat"));
    if (rep < 1) rep = 1;
    char *s = xmalloc(strlen(t) * (size_t)rep + 1);
    s[0] = 0;
    for (json_int_t i = 0; i < rep; i++) strcat(s, t);
    out->output = s;
    out->output_len = strlen(s);
}

static const tools_def echo_def = {
    .name = "echo",
    .description = "Echo text back.",
    .schema = "{\"type\": \"object\", \"properties\": {\"text\": {\"type\": \"string\"}, "
              "\"repeat\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 100000}}, "
              "\"required\": [\"text\"], \"additionalProperties\": false}",
    .perm = TOOLS_PERM_NONE,
    .external = true,
    .kind = TOOLS_RUNNER_HOST,
    .run = echo_run,
};

static void danger_run(const tools_run *run, tools_result *out)
{
    (void)run;
    runs++;
    out->output = xstrdup("ran");
    out->output_len = 3;
}

static const tools_def danger_def = {
    .name = "danger",
    .description = "Runs things.",
    .schema = "{\"type\": \"object\", \"properties\": {}, \"additionalProperties\": false}",
    .perm = TOOLS_PERM_EXECUTE,
    .kind = TOOLS_RUNNER_HOST,
    .run = danger_run,
};

static tools_registry *my_registry(void)
{
    tools_registry *r = tools_registry_new(tools_registry_builtin());
    char err[200];
    cr_assert(tools_registry_add(r, &echo_def, err, sizeof err), "%s", err);
    cr_assert(tools_registry_add(r, &danger_def, err, sizeof err), "%s", err);
    return r;
}

static int events[2];
static void on_event(void *user, tools_event_kind k, const char *tool, const char *args,
                     const tools_result *res)
{
    (void)user;
    (void)args;
    cr_assert_not_null(tool);
    events[k]++;
    if (k == TOOLS_EVENT_END) cr_assert_not_null(res);
    else cr_assert_null(res);
}

Test(call, host_tool_runs_with_validated_args, .init = setup, .fini = teardown)
{
    tools_registry *r = my_registry();
    tools_ctx c = ctx_at(TOOLS_ACCESS_READ_ONLY);
    c.registry = r;
    c.on_event = on_event;
    memset(events, 0, sizeof events);
    runs = 0;
    tools_result res;
    cr_assert(tools_call(&c, "echo", "  {\"text\": \"hi\", \"repeat\": 3}  ", &res), "%s", res.output);
    cr_assert_str_eq(res.output, "hihihi");
    cr_assert_eq(res.decision, TOOLS_ALLOWED);
    cr_assert_str_eq(res.reason, "no capability needed");
    cr_assert(res.is_external);
    cr_assert_eq(res.usage.output_bytes, 6);
    cr_assert_str_eq(last_args, "{\"text\":\"hi\",\"repeat\":3}");
    cr_assert_eq(events[TOOLS_EVENT_START], 1);
    cr_assert_eq(events[TOOLS_EVENT_END], 1);
    tools_result_free(&res);
    tools_result_free(&res); /* idempotent */
    tools_registry_free(r);
}

Test(call, unknown_tool_lists_close_names, .init = setup, .fini = teardown)
{
    tools_ctx c = ctx_at(TOOLS_ACCESS_READ_ONLY);
    tools_result res;
    cr_assert_not(tools_call(&c, "read_fil", "{}", &res));
    cr_assert_eq(res.decision, TOOLS_ERROR);
    cr_assert(strstr(res.output, "unknown tool \"read_fil\"") && strstr(res.output, "did you mean: read_file"),
              "%s", res.output);
    tools_result_free(&res);
    /* nothing close: the offered tools are listed; hostile bytes in the name are not echoed raw */
    cr_assert_not(tools_call(&c, "\x1b[31mzzzzzzzzzzzz\n", "{}", &res));
    cr_assert(strstr(res.output, "available tools:"), "%s", res.output);
    cr_assert_null(strchr(res.output, '\x1b'));
    cr_assert_null(strchr(res.output, '\n'));
    tools_result_free(&res);
    cr_assert_not(tools_call(&c, NULL, NULL, &res));
    tools_result_free(&res);
    char *longname = xmalloc(100001);
    memset(longname, 'a', 100000);
    longname[100000] = 0;
    cr_assert_not(tools_call(&c, longname, "{}", &res));
    cr_assert_lt(res.output_len, 1000);
    tools_result_free(&res);
    free(longname);
    /* a null capability set is an error, not a crash */
    tools_ctx bad = c;
    bad.caps = NULL;
    cr_assert_not(tools_call(&bad, "grep", "{}", &res));
    tools_result_free(&res);
}

Test(call, level_checked_on_every_call, .init = setup, .fini = teardown)
{
    tools_registry *r = my_registry();
    runs = 0;
    /* the model names a tool it was never offered: denied, never run */
    const char *cases[][2] = {{"write_file", "read-only"}, {"edit_file", "search-only"},
                              {"read_file", "search-only"}, {"danger", "workspace-write"}};
    for (size_t i = 0; i < 4; i++) {
        tools_access a;
        cr_assert(tools_access_parse(cases[i][1], &a));
        tools_ctx c = ctx_at(a);
        c.registry = r;
        tools_result res;
        cr_assert_not(tools_call(&c, cases[i][0], "{\"path\": \"x\", \"content\": \"y\"}", &res));
        cr_assert_eq(res.decision, TOOLS_DENIED, "%s", cases[i][0]);
        cr_assert(strstr(res.reason, "not offered at access level"), "%s", res.reason);
        cr_assert(strstr(res.output, "denied"), "%s", res.output);
        tools_result_free(&res);
    }
    cr_assert_eq(runs, 0);
    tools_ctx c = ctx_at(TOOLS_ACCESS_FULL);
    c.registry = r;
    tools_result res;
    cr_assert(tools_call(&c, "danger", "{}", &res));
    tools_result_free(&res);
    cr_assert_eq(runs, 1);
    tools_registry_free(r);
}

Test(call, invalid_arguments_are_results, .init = setup, .fini = teardown)
{
    tools_ctx c = ctx_at(TOOLS_ACCESS_READ_ONLY);
    tools_result res;
    cr_assert_not(tools_call(&c, "read_file", "{\"path\": \"a\", \"limit\": \"10\"}", &res));
    cr_assert_eq(res.decision, TOOLS_ERROR);
    cr_assert_str_eq(res.output, "invalid arguments for read_file: argument \"limit\": expected integer, got string");
    tools_result_free(&res);
    cr_assert_not(tools_call(&c, "read_file", "{\"path\": \"a\", \"mode\": 1}", &res));
    cr_assert(strstr(res.output, "argument \"mode\": unknown field"), "%s", res.output);
    tools_result_free(&res);
    cr_assert_not(tools_call(&c, "grep", "{\"pattern\": \"x\", \"output_mode\": \"everything\"}", &res));
    cr_assert(strstr(res.output, "argument \"output_mode\""), "%s", res.output);
    tools_result_free(&res);
    cr_assert_not(tools_call(&c, "read_file", "not json", &res));
    cr_assert(strstr(res.output, "invalid JSON"), "%s", res.output);
    tools_result_free(&res);
    cr_assert_not(tools_call(&c, "read_file", "{\"path\": \"a\", \"path\": \"../../etc/passwd\"}", &res));
    cr_assert(strstr(res.output, "duplicate"), "%s", res.output);
    tools_result_free(&res);
}

Test(call, policy_denies_before_running, .init = setup, .fini = teardown)
{
    tools_ctx c = ctx_at(TOOLS_ACCESS_WORKSPACE_WRITE);
    tools_result res;
    /* read:. does not allow writing */
    cr_assert_not(tools_call(&c, "write_file", "{\"path\": \"a.txt\", \"content\": \"x\"}", &res));
    cr_assert_eq(res.decision, TOOLS_DENIED, "%s", res.output);
    cr_assert(strstr(res.output, "denied"), "%s", res.output);
    tools_result_free(&res);
    /* outside every grant */
    cr_assert_not(tools_call(&c, "read_file", "{\"path\": \"/etc/passwd\"}", &res));
    cr_assert_eq(res.decision, TOOLS_DENIED, "%s", res.output);
    tools_result_free(&res);
    cr_assert_not(tools_call(&c, "read_file", "{\"path\": \"../../../../etc/passwd\"}", &res));
    cr_assert_eq(res.decision, TOOLS_DENIED, "%s", res.output);
    tools_result_free(&res);
    /* the state directory is invisible whatever the capabilities say */
    cr_assert_not(tools_call(&c, "read_file", "{\"path\": \".boxagent/config.json\"}", &res));
    cr_assert_eq(res.decision, TOOLS_DENIED, "%s", res.output);
    tools_result_free(&res);
    cr_assert_not(tools_call(&c, "grep", "{\"pattern\": \"x\", \"path\": \"/\"}", &res));
    cr_assert_eq(res.decision, TOOLS_DENIED, "%s", res.output);
    tools_result_free(&res);
}

Test(call, output_truncated_to_limit, .init = setup, .fini = teardown)
{
    tools_registry *r = my_registry();
    policy_error pe;
    cr_assert(policy_add_line(caps, "output=100", 2, &pe), "%s", pe.message);
    tools_ctx c = ctx_at(TOOLS_ACCESS_READ_ONLY);
    c.registry = r;
    tools_result res;
    cr_assert(tools_call(&c, "echo", "{\"text\": \"\\u00e9xyz\", \"repeat\": 1000}", &res));
    cr_assert(res.output_truncated);
    cr_assert_eq(res.usage.output_bytes, 5000);
    cr_assert(strstr(res.output, "[output truncated: showing 100 of 5000 bytes"), "%s", res.output);
    /* cut on a character boundary */
    cr_assert_eq(strncmp(res.output, "\xc3\xa9xyz", 5), 0);
    tools_result_free(&res);
    tools_registry_free(r);
}

Test(call, cancelled_call_does_not_run, .init = setup, .fini = teardown)
{
    tools_registry *r = my_registry();
    atomic_bool cancel = true;
    tools_ctx c = ctx_at(TOOLS_ACCESS_READ_ONLY);
    c.registry = r;
    c.cancel = &cancel;
    runs = 0;
    tools_result res;
    cr_assert_not(tools_call(&c, "echo", "{\"text\": \"x\"}", &res));
    cr_assert_eq(runs, 0);
    cr_assert(strstr(res.output, "cancelled"), "%s", res.output);
    tools_result_free(&res);
    tools_registry_free(r);
}

Test(call, tool_search_only_finds_offered_tools, .init = setup, .fini = teardown)
{
    tools_ctx c = ctx_at(TOOLS_ACCESS_SEARCH_ONLY);
    tools_result res;
    cr_assert(tools_call(&c, "tool_search", "{\"query\": \"file directory\"}", &res), "%s", res.output);
    cr_assert(strstr(res.output, "list_dir"), "%s", res.output);
    cr_assert_null(strstr(res.output, "write_file"), "%s", res.output);
    cr_assert_null(strstr(res.output, "read_file ("), "%s", res.output);
    tools_result_free(&res);
    c.access = TOOLS_ACCESS_WORKSPACE_WRITE;
    cr_assert(tools_call(&c, "tool_search", "{\"query\": \"write\"}", &res), "%s", res.output);
    cr_assert_eq(strncmp(res.output, "write_file (permission write)", 29), 0, "%s", res.output);
    tools_result_free(&res);
    cr_assert(tools_call(&c, "tool_search", "{\"query\": \"quantum teleport\"}", &res), "%s", res.output);
    cr_assert(strstr(res.output, "no tool available"), "%s", res.output);
    tools_result_free(&res);
    cr_assert(tools_call(&c, "tool_search", "{\"query\": \"\"}", &res), "%s", res.output);
    cr_assert(strstr(res.output, "grep") && strstr(res.output, "edit_file"), "%s", res.output);
    tools_result_free(&res);
}

/* ---- audit: every outcome leaves exactly one record */

typedef struct seen {
    int n;
    char tools[8][32];
    audit_decision d[8];
    char rule[8][200];
} seen;

static int collect(const audit_record *r, void *user)
{
    seen *s = user;
    if (s->n < 8) {
        snprintf(s->tools[s->n], 32, "%s", r->tool);
        s->d[s->n] = r->decision;
        snprintf(s->rule[s->n], 200, "%s", r->rule);
    }
    s->n++;
    return 0;
}

Test(call, every_outcome_is_audited, .init = setup, .fini = teardown)
{
    char *db = xasprintf("%s/audit.db", ws);
    char *err = NULL;
    audit_log *log = audit_open_db(db, &err);
    cr_assert_not_null(log, "%s", err ? err : "");
    tools_ctx c = ctx_at(TOOLS_ACCESS_READ_ONLY);
    c.audit = log;
    tools_result res;
    tools_call(&c, "write_file", "{\"path\": \"x\", \"content\": \"y\"}", &res); /* level */
    tools_result_free(&res);
    tools_call(&c, "read_file", "{\"path\": \"/etc/shadow\"}", &res); /* capability */
    tools_result_free(&res);
    tools_call(&c, "nope", "{}", &res); /* unknown */
    tools_result_free(&res);
    tools_call(&c, "tool_search", "{\"query\": \"grep\"}", &res); /* allowed */
    tools_result_free(&res);
    seen s = {0};
    cr_assert(audit_list(log, NULL, collect, &s, &err), "%s", err ? err : "");
    cr_assert_eq(s.n, 4);
    cr_assert_str_eq(s.tools[0], "write_file");
    cr_assert_eq(s.d[0], AUDIT_DENIED);
    cr_assert(strstr(s.rule[0], "not offered at access level read-only"), "%s", s.rule[0]);
    cr_assert_eq(s.d[1], AUDIT_DENIED);
    cr_assert_eq(s.d[2], AUDIT_ERROR);
    cr_assert_eq(s.d[3], AUDIT_ALLOWED);
    int64_t bad = 0;
    char msg[256];
    cr_assert(audit_verify(log, &bad, msg, sizeof msg), "%s", msg);
    audit_close(log);
    free(db);
}

/* ---- the jail runners get the call's cancel flag and output limit */

static void *cancel_soon(void *u)
{
    struct timespec ts = {0, 300 * 1000000L};
    nanosleep(&ts, NULL);
    atomic_store((atomic_bool *)u, true);
    return NULL;
}

Test(call, bash_is_killed_when_the_agent_cancels, .init = setup, .fini = teardown)
{
    policy_error pe;
    cr_assert(policy_add_line(caps, "exec:bash", 2, &pe), "%s", pe.message);
    atomic_bool cancel = false;
    tools_ctx c = ctx_at(TOOLS_ACCESS_FULL);
    c.cancel = &cancel;
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, cancel_soon, &cancel), 0);
    uint64_t t0 = util_now_ns();
    tools_result res;
    cr_assert_not(tools_call(&c, "bash", "{\"command\": \"sleep 20; echo finished\", \"timeout\": 25000}", &res));
    uint64_t ms = (util_now_ns() - t0) / 1000000;
    pthread_join(th, NULL);
    cr_assert_lt(ms, 10000, "bash ran on for %llu ms after the cancel", (unsigned long long)ms);
    cr_assert_null(strstr(res.output, "finished"), "%s", res.output);
    tools_result_free(&res);
}

Test(call, bash_output_cut_at_the_calls_limit, .init = setup, .fini = teardown)
{
    policy_error pe;
    cr_assert(policy_add_line(caps, "exec:bash", 2, &pe), "%s", pe.message);
    cr_assert(policy_add_line(caps, "output=2K", 3, &pe), "%s", pe.message);
    tools_ctx c = ctx_at(TOOLS_ACCESS_FULL);
    tools_result res;
    tools_call(&c, "bash", "{\"command\": \"head -c 200000 /dev/zero | tr '\\\\0' x\"}", &res);
    cr_assert(res.output_truncated, "output not marked truncated");
    cr_assert_leq(res.output_len, 4096, "output %zu bytes past a 2 KiB limit", res.output_len);
    tools_result_free(&res);
}
