/* test_agent.c — the query loop with the script provider and host tools of the test's own:
 * results in the model's order (with reads proven concurrent by a barrier), each guard firing
 * (turns, tokens, wall clock, result cap), cancellation during the model stream and during a
 * tool run, compaction keeping tool calls paired with their results, denials, persistence and
 * resume, the system prompt (AGENTS.md, and a planted symlink that must not be followed). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/util.h"

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---------------------------------------------------------------- host tools */

static pthread_mutex_t bar_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bar_cv = PTHREAD_COND_INITIALIZER;
static int bar_count, bar_need = 3;

static void set_out(tools_result *o, const char *s)
{
    o->output = xstrdup(s);
    o->output_len = strlen(s);
}

static const char *arg_str(const tools_run *r, const char *k)
{
    json_t *v = json_object_get(r->args, k);
    return json_is_string(v) ? json_string_value(v) : "";
}

static void run_echo(const tools_run *r, tools_result *o) { set_out(o, arg_str(r, "text")); }

static void run_barrier(const tools_run *r, tools_result *o)
{
    (void)r;
    pthread_mutex_lock(&bar_mu);
    bar_count++;
    pthread_cond_broadcast(&bar_cv);
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += 10;
    while (bar_count < bar_need)
        if (pthread_cond_timedwait(&bar_cv, &bar_mu, &dl)) break;
    bool together = bar_count >= bar_need;
    pthread_mutex_unlock(&bar_mu);
    char b[64];
    snprintf(b, sizeof b, "%s:%s", together ? "together" : "alone", arg_str(r, "tag"));
    set_out(o, b);
}

static void run_slow(const tools_run *r, tools_result *o)
{
    for (int i = 0; i < 1000; i++) {
        if (r->ctx->cancel && atomic_load(r->ctx->cancel)) {
            set_out(o, "stopped: cancelled");
            o->is_error = true;
            return;
        }
        sleep_ms(10);
    }
    set_out(o, "slow done");
}

static void run_big(const tools_run *r, tools_result *o)
{
    (void)r;
    o->output = xmalloc(3001);
    memset(o->output, 'x', 3000);
    o->output[3000] = 0;
    o->output_len = 3000;
}

static void run_writer(const tools_run *r, tools_result *o)
{
    (void)r;
    set_out(o, "wrote");
}

#define OBJ_TEXT "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"},\"tag\":{\"type\":\"string\"}}}"
static const tools_def defs[] = {
    {.name = "echo", .description = "echo", .schema = OBJ_TEXT, .perm = TOOLS_PERM_NONE,
     .kind = TOOLS_RUNNER_HOST, .run = run_echo},
    {.name = "barrier", .description = "barrier", .schema = OBJ_TEXT, .perm = TOOLS_PERM_READ,
     .kind = TOOLS_RUNNER_HOST, .run = run_barrier},
    {.name = "slow", .description = "slow", .schema = OBJ_TEXT, .perm = TOOLS_PERM_READ,
     .kind = TOOLS_RUNNER_HOST, .run = run_slow},
    {.name = "big", .description = "big", .schema = OBJ_TEXT, .perm = TOOLS_PERM_NONE,
     .kind = TOOLS_RUNNER_HOST, .run = run_big},
    {.name = "writer", .description = "writer", .schema = OBJ_TEXT, .perm = TOOLS_PERM_WRITE,
     .kind = TOOLS_RUNNER_HOST, .run = run_writer},
};

/* ---------------------------------------------------------------- fixture */

typedef struct fx {
    char dir[64];
    tools_registry *reg;
    policy_set *caps;
    llm_provider *llm;
    agent *a;
    agent_opts o;
    /* observed events */
    char guards[256];
    int ncompacted, ntext, nresults, ndenied;
    char order[512];
} fx;

static fx X; /* global so the leak checker sees it */

static void on_event(void *u, const agent_event *ev)
{
    fx *f = u;
    if (ev->kind == AGENT_EV_GUARD) {
        strncat(f->guards, ev->guard, sizeof f->guards - strlen(f->guards) - 2);
        strcat(f->guards, ",");
    } else if (ev->kind == AGENT_EV_COMPACTED) f->ncompacted++;
    else if (ev->kind == AGENT_EV_TEXT) f->ntext++;
    else if (ev->kind == AGENT_EV_TOOL_RESULT) {
        f->nresults++;
        if (!strcmp(ev->decision, "denied")) f->ndenied++;
        strncat(f->order, ev->call_id, sizeof f->order - strlen(f->order) - 2);
        strcat(f->order, ",");
    }
    json_t *j = agent_event_to_json(ev); /* every event serialises */
    cr_assert_not_null(j);
    cr_assert_not_null(json_object_get(j, "type"));
    json_decref(j);
}

static void setup_ws(void)
{
    memset(&X, 0, sizeof X);
    strcpy(X.dir, "/tmp/boxagent-agent-XXXXXX");
    cr_assert_not_null(mkdtemp(X.dir));
    X.reg = tools_registry_new(NULL);
    char err[256];
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
        cr_assert(tools_registry_add(X.reg, &defs[i], err, sizeof err), "%s", err);
    X.caps = policy_new(X.dir);
    policy_error pe;
    cr_assert(policy_add_line(X.caps, "read:.", 1, &pe));
    bar_count = 0;
}

static void write_script(const char *text)
{
    char *p = xasprintf("%s/model.script", X.dir);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    llm_options o = {.type = "script", .model = p};
    llm_error e;
    X.llm = llm_provider_new(&o, &e);
    cr_assert_not_null(X.llm, "%s", e.message);
    free(p);
}

static void make_agent(void)
{
    X.o.workspace = X.dir;
    X.o.name = "tester";
    if (!X.o.access) X.o.access = TOOLS_ACCESS_READ_ONLY;
    X.o.caps = X.caps;
    X.o.llm = X.llm;
    X.o.registry = X.reg;
    X.o.on_event = on_event;
    X.o.event_user = &X;
    char *err = NULL;
    X.a = agent_new(&X.o, &err);
    cr_assert_not_null(X.a, "%s", err ? err : "");
}

static void teardown_ws(void)
{
    agent_free(X.a);
    llm_provider_free(X.llm);
    policy_free(X.caps);
    tools_registry_free(X.reg);
    char *cmd = xasprintf("rm -rf '%s'", X.dir);
    if (system(cmd)) {}
    free(cmd);
}

/* every tool message's results answer exactly the calls of the assistant message before it */
static void assert_paired(const llm_conv *c)
{
    for (size_t i = 0; i < c->n; i++) {
        const llm_message *m = &c->msgs[i];
        if (m->role == LLM_ASSISTANT) {
            size_t calls = 0;
            for (size_t k = 0; k < m->nblocks; k++) calls += m->blocks[k].kind == LLM_TOOL_CALL;
            if (!calls) continue;
            cr_assert_lt(i + 1, c->n, "tool calls at the end without results");
            const llm_message *t = &c->msgs[i + 1];
            cr_assert_eq(t->role, LLM_TOOL, "calls not followed by results");
            cr_assert_eq(t->nblocks, calls);
            size_t r = 0;
            for (size_t k = 0; k < m->nblocks; k++)
                if (m->blocks[k].kind == LLM_TOOL_CALL)
                    cr_assert_str_eq(t->blocks[r++].id, m->blocks[k].id, "result out of order");
        } else if (m->role == LLM_TOOL) {
            cr_assert(i > 0 && c->msgs[i - 1].role == LLM_ASSISTANT, "orphan tool results");
        }
    }
}

TestSuite(agent, .init = setup_ws, .fini = teardown_ws);

Test(agent, parallel_reads_results_in_model_order)
{
    write_script("turn\nsay Checking.\n"
                 "call barrier {\"tag\":\"a\"}\ncall barrier {\"tag\":\"b\"}\ncall barrier {\"tag\":\"c\"}\n"
                 "call writer {}\ncall echo {\"text\":\"after\"}\n"
                 "turn\nsay All done.\n");
    X.o.access = TOOLS_ACCESS_WORKSPACE_WRITE;
    make_agent();
    agent_result r;
    cr_assert_eq(agent_run(X.a, "go", &r), AGENT_DONE, "%s", r.message);
    cr_assert_str_eq(r.final_text, "All done.");
    cr_assert_eq(r.tool_calls, 5);
    const llm_conv *c = agent_conversation(X.a);
    cr_assert_eq(c->n, 4); /* user, assistant, tool, assistant */
    const llm_message *t = &c->msgs[2];
    cr_assert_str_eq(t->blocks[0].text, "together:a", "reads did not overlap: %s", t->blocks[0].text);
    cr_assert_str_eq(t->blocks[1].text, "together:b");
    cr_assert_str_eq(t->blocks[2].text, "together:c");
    cr_assert_str_eq(t->blocks[3].text, "wrote");
    cr_assert_str_eq(t->blocks[4].text, "after");
    cr_assert_str_eq(X.order, "call_1_1,call_1_2,call_1_3,call_1_4,call_1_5,");
    assert_paired(c);
    cr_assert_gt(X.ntext, 0);
    agent_result_free(&r);
}

Test(agent, max_turns_guard_counts_tool_rounds)
{
    write_script("turn\ncall echo {\"text\":\"1\"}\nturn\ncall echo {\"text\":\"2\"}\n"
                 "turn\ncall echo {\"text\":\"3\"}\nturn\nsay never\n");
    X.o.max_turns = 2;
    make_agent();
    agent_result r;
    cr_assert_eq(agent_run(X.a, "go", &r), AGENT_LIMIT);
    cr_assert_str_eq(r.guard, "max_turns");
    cr_assert(strstr(r.message, "turn limit"), "%s", r.message);
    cr_assert(strstr(X.guards, "max_turns"));
    cr_assert_eq(r.turns, 2);
    assert_paired(agent_conversation(X.a));
    agent_result_free(&r);
}

Test(agent, token_budget_guard)
{
    write_script("turn\nusage 1000 500\ncall echo {\"text\":\"1\"}\n"
                 "turn\nusage 1500 500\ncall echo {\"text\":\"2\"}\n"
                 "turn\nusage 10 10\nsay never\n");
    X.o.token_budget = 3000;
    make_agent();
    agent_result r;
    cr_assert_eq(agent_run(X.a, "go", &r), AGENT_LIMIT);
    cr_assert_str_eq(r.guard, "token_budget");
    cr_assert_eq(r.usage.input + r.usage.output, 3500);
    agent_result_free(&r);
}

Test(agent, wall_clock_budget_guard_interrupts_the_model)
{
    write_script("turn\nsleep 20000\nsay never\n");
    X.o.time_budget_ms = 150;
    make_agent();
    agent_result r;
    cr_assert_eq(agent_run(X.a, "go", &r), AGENT_LIMIT);
    cr_assert_str_eq(r.guard, "time_budget");
    cr_assert(strstr(X.guards, "time_budget"));
    agent_result_free(&r);
}

Test(agent, result_cap_replaces_oldest_results_first)
{
    write_script("turn\ncall big {}\nturn\ncall big {}\nturn\ncall big {}\nturn\nsay ok\n");
    X.o.max_result_bytes = 7000;
    make_agent();
    agent_result r;
    cr_assert_eq(agent_run(X.a, "go", &r), AGENT_DONE, "%s", r.message);
    const llm_conv *c = agent_conversation(X.a);
    cr_assert(!strncmp(c->msgs[2].blocks[0].text, "[older tool result removed", 26),
              "oldest kept: %.40s", c->msgs[2].blocks[0].text);
    cr_assert_eq(strlen(c->msgs[4].blocks[0].text), 3000);
    cr_assert_eq(strlen(c->msgs[6].blocks[0].text), 3000);
    cr_assert(strstr(X.guards, "result_cap"));
    assert_paired(c);
    agent_result_free(&r);
}

static void *cancel_later(void *u)
{
    sleep_ms(150);
    agent_cancel(u);
    return NULL;
}

Test(agent, cancel_during_model_stream)
{
    write_script("turn\nsleep 20000\nsay never\n");
    make_agent();
    pthread_t th;
    pthread_create(&th, NULL, cancel_later, X.a);
    agent_result r;
    cr_assert_eq(agent_run(X.a, "go", &r), AGENT_CANCELLED);
    pthread_join(th, NULL);
    cr_assert_str_eq(r.guard, "cancelled");
    agent_result_free(&r);
}

Test(agent, cancel_during_tool_run_keeps_pairs_and_next_run_works)
{
    write_script("turn\ncall slow {}\ncall echo {\"text\":\"x\"}\nturn\nsay finished\n");
    X.o.access = TOOLS_ACCESS_READ_ONLY;
    make_agent();
    pthread_t th;
    pthread_create(&th, NULL, cancel_later, X.a);
    agent_result r;
    cr_assert_eq(agent_run(X.a, "go", &r), AGENT_CANCELLED, "%s", r.message);
    pthread_join(th, NULL);
    const llm_conv *c = agent_conversation(X.a);
    assert_paired(c);
    cr_assert_eq(c->msgs[c->n - 1].role, LLM_TOOL);
    agent_result_free(&r);
    /* the cancel flag does not stick: the next run continues the conversation */
    cr_assert_eq(agent_run(X.a, "continue", &r), AGENT_DONE, "%s", r.message);
    cr_assert_str_eq(r.final_text, "finished");
    agent_result_free(&r);
}

Test(agent, compaction_keeps_calls_paired_with_results)
{
    buf b = BUF_INIT;
    for (int i = 0; i < 12; i++) {
        buf_printf(&b, "turn\nsay Step %d: ", i);
        for (int k = 0; k < 40; k++) buf_puts(&b, "word ");
        buf_printf(&b, "\ncall echo {\"text\":\"");
        for (int k = 0; k < 60; k++) buf_puts(&b, "data ");
        buf_puts(&b, "\"}\n");
    }
    buf_puts(&b, "turn\nsay done\n");
    write_script(b.data);
    buf_free(&b);
    X.o.context_window = 1200;
    make_agent();
    agent_result r;
    cr_assert_eq(agent_run(X.a, "go", &r), AGENT_DONE, "%s", r.message);
    cr_assert_gt(X.ncompacted, 0);
    const llm_conv *c = agent_conversation(X.a);
    cr_assert(strstr(c->msgs[0].blocks[0].text, "[Summary of the"));
    assert_paired(c);
    cr_assert_lt(c->n, 26);
    /* direct compaction too */
    char *err = NULL;
    if (agent_compact(X.a, &err)) assert_paired(agent_conversation(X.a));
    free(err);
    agent_result_free(&r);
}

Test(agent, denial_above_access_level_is_shown_and_final)
{
    write_script("turn\ncall writer {}\nturn when \"DENIED\"\nsay I may not write; done.\n"
                 "turn\nsay unexpected\n");
    X.o.access = TOOLS_ACCESS_READ_ONLY;
    make_agent();
    agent_result r;
    cr_assert_eq(agent_run(X.a, "go", &r), AGENT_DONE, "%s", r.message);
    cr_assert_eq(r.denied, 1);
    cr_assert_eq(X.ndenied, 1);
    cr_assert_str_eq(r.final_text, "I may not write; done.");
    agent_result_free(&r);
}

Test(agent, unknown_tool_and_bad_arguments_are_errors_not_crashes)
{
    write_script("turn\ncall no_such_tool {}\ncall echo {\"text\":5}\ncall echo [1,2]\n"
                 "turn\nsay survived\n");
    make_agent();
    agent_result r;
    cr_assert_eq(agent_run(X.a, "go", &r), AGENT_DONE, "%s", r.message);
    const llm_conv *c = agent_conversation(X.a);
    for (int i = 0; i < 3; i++) cr_assert(c->msgs[2].blocks[i].is_error);
    agent_result_free(&r);
}

Test(agent, persisted_every_turn_and_resumed)
{
    write_script("turn\ncall echo {\"text\":\"one\"}\nturn\nsay first answer\n"
                 "turn\ncall echo {\"text\":\"two\"}\nturn\nsay second answer\n");
    char *err = NULL;
    store *st = store_open(X.dir, &err);
    cr_assert_not_null(st, "%s", err);
    X.o.store = st;
    make_agent();
    cr_assert(agent_session_new(X.a, "t", &err), "%s", err);
    char id[STORE_ID_MAX];
    snprintf(id, sizeof id, "%s", agent_session_id(X.a));
    agent_result r;
    cr_assert_eq(agent_run(X.a, "first", &r), AGENT_DONE, "%s", r.message);
    agent_result_free(&r);
    agent_free(X.a);
    llm_provider_free(X.llm);
    /* a new process would do exactly this: new provider, new agent, resume */
    char *p = xasprintf("%s/model.script", X.dir);
    llm_options o = {.type = "script", .model = p};
    llm_error e;
    X.llm = llm_provider_new(&o, &e);
    free(p);
    X.o.llm = X.llm;
    X.a = agent_new(&X.o, &err);
    cr_assert(agent_session_resume(X.a, id, &err), "%s", err);
    cr_assert_eq(agent_conversation(X.a)->n, 4);
    cr_assert_eq(agent_run(X.a, "second", &r), AGENT_DONE, "%s", r.message);
    cr_assert_str_eq(r.final_text, "second answer");
    agent_result_free(&r);
    store_session ss;
    cr_assert(store_session_get(st, id, &ss, &err));
    cr_assert_eq(ss.nmessages, 8);
    cr_assert_eq(ss.turns, 4);
    cr_assert_str_eq(ss.status, "done");
    store_session_free(&ss);
    cr_assert(!agent_session_resume(X.a, "../../etc", &err));
    free(err);
    err = NULL;
    cr_assert(!agent_session_resume(X.a, "s-0000000000000000", &err));
    cr_assert(strstr(err, "no session"));
    free(err);
    agent_free(X.a);
    X.a = NULL;
    store_close(st);
}

Test(agent, system_prompt_is_truthful_and_agents_md_cannot_pull_outside_files)
{
    write_script("turn\nsay hi\n");
    char *p = xasprintf("%s/AGENTS.md", X.dir);
    FILE *f = fopen(p, "w");
    fputs("Use tabs.\n", f);
    fclose(f);
    make_agent();
    const char *sp = agent_system_prompt(X.a);
    cr_assert(strstr(sp, X.dir));
    cr_assert(strstr(sp, "read:"));
    cr_assert(strstr(sp, "denial is final"));
    cr_assert(strstr(sp, "Use tabs."));
    cr_assert(strstr(sp, "echo"));
    agent_free(X.a);
    unlink(p);
    cr_assert_eq(symlink("/etc/passwd", p), 0);
    X.a = agent_new(&X.o, NULL);
    cr_assert_null(strstr(agent_system_prompt(X.a), "root:"), "AGENTS.md symlink followed");
    free(p);
}

Test(agent, resume_repairs_calls_left_without_results)
{
    write_script("turn\ncall echo {}\nturn\nsay fine\n"); /* turn 1 is the stored one */
    char *err = NULL;
    store *st = store_open(X.dir, &err);
    cr_assert_not_null(st);
    char id[STORE_ID_MAX];
    cr_assert(store_session_create(st, "x", "script/x", "t", id, &err));
    llm_message m[2] = {{.role = LLM_USER}, {.role = LLM_ASSISTANT}};
    llm_msg_add_text(&m[0], "go");
    llm_msg_add_call(&m[1], "c9", "echo", "{}");
    cr_assert(store_append(st, id, m, 2, NULL, &err));
    llm_message_free(&m[0]);
    llm_message_free(&m[1]);
    X.o.store = st;
    make_agent();
    cr_assert(agent_session_resume(X.a, id, &err), "%s", err);
    assert_paired(agent_conversation(X.a));
    agent_result r;
    cr_assert_eq(agent_run(X.a, "again", &r), AGENT_DONE, "%s", r.message);
    agent_result_free(&r);
    agent_free(X.a);
    X.a = NULL;
    store_close(st);
}

typedef struct conc {
    store *st;
    llm_provider *llm;
    agent *a;
    agent_outcome o;
    char final[64];
} conc;

static void *run_one(void *u)
{
    conc *c = u;
    agent_result r;
    c->o = agent_run(c->a, "go", &r);
    snprintf(c->final, sizeof c->final, "%s", r.final_text ? r.final_text : "");
    agent_result_free(&r);
    return NULL;
}

Test(agent, many_agents_at_once_share_a_store_not_state)
{
    char *err = NULL;
    store *st = store_open(X.dir, &err);
    cr_assert_not_null(st);
    char *p = xasprintf("%s/model.script", X.dir);
    FILE *f = fopen(p, "w");
    fputs("turn\ncall echo {\"text\":\"a\"}\ncall echo {\"text\":\"b\"}\nturn\ncall echo {}\n"
          "turn\nsay finished\n", f);
    fclose(f);
    enum { N = 6 };
    conc c[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        memset(&c[i], 0, sizeof c[i]);
        llm_options o = {.type = "script", .model = p};
        llm_error e;
        c[i].llm = llm_provider_new(&o, &e);
        cr_assert_not_null(c[i].llm);
        agent_opts ao = {.workspace = X.dir, .name = "worker", .access = TOOLS_ACCESS_READ_ONLY,
                         .caps = X.caps, .llm = c[i].llm, .registry = X.reg, .store = st};
        c[i].a = agent_new(&ao, &err);
        cr_assert(agent_session_new(c[i].a, "t", &err));
    }
    for (int i = 0; i < N; i++) pthread_create(&th[i], NULL, run_one, &c[i]);
    for (int i = 0; i < N; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < N; i++) {
        cr_assert_eq(c[i].o, AGENT_DONE);
        cr_assert_str_eq(c[i].final, "finished");
        store_session ss;
        cr_assert(store_session_get(st, agent_session_id(c[i].a), &ss, &err));
        cr_assert_eq(ss.nmessages, 6);
        store_session_free(&ss);
        agent_free(c[i].a);
        llm_provider_free(c[i].llm);
    }
    free(p);
    store_close(st);
}
