/* managed.c — the `delegate` tool of managed mode (see managed.h): validates each subtask,
 * attenuates its authority against the manager's, splits the budget, runs the executors on a
 * bounded pool of threads and returns their answers in the declared order. */
#include "agent/managed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/launch.h"
#include "util/buf.h"
#include "util/util.h"

static const char delegate_description[] =
    "Delegate subtasks to executor agents that run in parallel, each in its own sandbox. "
    "Give every task self-contained instructions, the access level it needs (search-only, "
    "read-only, workspace-write, full) and the capabilities it needs (e.g. \"read:src\", "
    "\"write:build\"). Executors never get more than you hold: anything beyond your own "
    "authority is dropped and reported back. Returns each executor's final answer and how it "
    "ended (done, denied, limit, error, cancelled), in the order given.";

static const char delegate_schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"tasks\"],"
    "\"properties\":{\"tasks\":{\"type\":\"array\",\"maxItems\":16,\"items\":"
    "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"instructions\"],"
    "\"properties\":{"
    "\"name\":{\"type\":\"string\",\"maxLength\":40,"
    "\"description\":\"short id for the executor: letters, digits, - and _\"},"
    "\"instructions\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":20000},"
    "\"access\":{\"type\":\"string\",\"enum\":[\"search-only\",\"read-only\","
    "\"workspace-write\",\"full\"]},"
    "\"capabilities\":{\"type\":\"array\",\"maxItems\":32,"
    "\"items\":{\"type\":\"string\",\"maxLength\":1000}},"
    "\"model\":{\"type\":\"string\",\"maxLength\":300,"
    "\"description\":\"provider/model; only models named in the configuration\"}}}}}}";

typedef struct exec_job {
    agent_managed *m;
    const tools_run *run;
    char name[48];
    char *label;            /* "<manager>/<name>" */
    const char *instructions;
    tools_access access;
    policy_set *caps;       /* attenuated; NULL when the task was refused */
    char *dropped;          /* what was asked beyond the manager, or NULL */
    char *model;
    uint64_t token_budget, time_budget_ms, max_turns;
    /* out */
    const char *status;     /* done, denied, limit, error, cancelled */
    char *answer;
    char message[512];
    int turns, tool_calls, denied;
    uint64_t tokens;
    bool runnable;
} exec_job;

typedef struct pool {
    exec_job *jobs;
    size_t n;
    size_t next;
    pthread_mutex_t mu;
} pool;

static void forward_event(void *user, const agent_event *ev)
{
    agent_managed *m = user;
    if (!m->on_event) return;
    pthread_mutex_lock(&m->mu);
    m->on_event(m->event_user, ev);
    pthread_mutex_unlock(&m->mu);
}

static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > 40) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

/* A model the executor may use: the manager's, or one the configuration names for an agent.
 * (A model spec names a provider and, for script/, a file: letting the model choose freely
 * would let it read files or reach endpoints outside its capabilities.) */
static bool model_allowed(const agent_managed *m, const char *spec)
{
    if (m->manager_model && !strcmp(spec, m->manager_model)) return true;
    for (size_t i = 0; m->cfg && i < m->cfg->nagents; i++)
        if (m->cfg->agents[i].model && !strcmp(m->cfg->agents[i].model, spec)) return true;
    return false;
}

static void run_executor(exec_job *j)
{
    agent_managed *m = j->m;
    const tools_ctx *ctx = j->run->ctx;
    if (ctx->cancel && atomic_load(ctx->cancel)) {
        j->status = "cancelled";
        snprintf(j->message, sizeof j->message, "cancelled before it started");
        return;
    }
    char *err = NULL;
    llm_provider *llm = agent_provider_for(m->cfg, j->model, 0, &err);
    if (!llm) {
        j->status = "error";
        snprintf(j->message, sizeof j->message, "%s", err ? err : "no model");
        free(err);
        return;
    }
    /* Nested delegation only while the depth allows it. */
    agent_managed *child = NULL;
    const tools_registry *reg = m->base;
    if (m->depth + 1 < m->max_depth) {
        child = xcalloc(1, sizeof *child);
        child->cfg = m->cfg;
        child->manager_model = j->model;
        child->base = m->base;
        child->parallel = m->parallel;
        child->depth = m->depth + 1;
        child->max_depth = m->max_depth;
        child->max_turns = j->max_turns;
        child->token_budget = j->token_budget;
        child->time_budget_ms = j->time_budget_ms;
        child->on_event = m->on_event ? forward_event : NULL;
        child->event_user = m;
        if (!agent_managed_init(child, &err)) {
            free(err);
            err = NULL;
            free(child);
            child = NULL;
        } else {
            reg = agent_managed_registry(child);
        }
    }
    agent_opts o = {
        .workspace = ctx->workspace,
        .name = j->label,
        .access = j->access,
        .caps = j->caps,
        .llm = llm,
        .registry = reg,
        .audit = ctx->audit,
        .max_turns = j->max_turns,
        .token_budget = j->token_budget,
        .time_budget_ms = j->time_budget_ms,
        .parent_cancel = ctx->cancel,
        .parent_session = ctx->session_id,
        .on_event = m->on_event ? forward_event : NULL,
        .event_user = m,
    };
    agent *a = agent_new(&o, &err);
    if (!a) {
        j->status = "error";
        snprintf(j->message, sizeof j->message, "%s", err ? err : "cannot start the executor");
        free(err);
    } else {
        if (child) agent_managed_bind(child, a);
        agent_result res = {0};
        agent_run(a, j->instructions, &res);
        j->status = agent_outcome_name(res.outcome);
        snprintf(j->message, sizeof j->message, "%s", res.message);
        j->answer = res.final_text ? xstrdup(res.final_text) : NULL;
        j->turns = res.turns;
        j->tool_calls = res.tool_calls;
        j->denied = res.denied;
        j->tokens = res.usage.input + res.usage.output;
        pthread_mutex_lock(&m->mu);
        m->executor_tokens += j->tokens;
        pthread_mutex_unlock(&m->mu);
        agent_result_free(&res);
        agent_free(a);
    }
    if (child) {
        agent_managed_free(child);
        free(child);
    }
    llm_provider_free(llm);
}

static void *pool_worker(void *u)
{
    pool *p = u;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        size_t i = p->next;
        while (i < p->n && !p->jobs[i].runnable) i++;
        p->next = i + 1;
        pthread_mutex_unlock(&p->mu);
        if (i >= p->n) return NULL;
        run_executor(&p->jobs[i]);
    }
}

/* Parse one task into a job; refusals (bad capability lines, nothing granted) are recorded on
 * the job, never granted. */
static void prepare(exec_job *j, const json_t *task, size_t k, const tools_run *run,
                    agent_managed *m, char names[][48])
{
    const tools_ctx *ctx = run->ctx;
    const char *name = json_string_value(json_object_get(task, "name"));
    if (name && valid_name(name)) snprintf(j->name, sizeof j->name, "%s", name);
    else snprintf(j->name, sizeof j->name, "exec-%zu", k + 1);
    for (size_t i = 0; i < k; i++)
        if (!strcmp(names[i], j->name)) snprintf(j->name, sizeof j->name, "exec-%zu", k + 1);
    snprintf(names[k], 48, "%s", j->name);
    j->label = xasprintf("%s/%s", ctx->agent ? ctx->agent : "manager", j->name);
    j->instructions = json_string_value(json_object_get(task, "instructions"));
    buf notes = BUF_INIT;
    if (name && !valid_name(name)) buf_printf(&notes, "name \"%s\" replaced by %s\n", name, j->name);

    const json_t *caps = json_object_get(task, "capabilities");
    size_t nlines = json_array_size(caps);
    const char **lines = xcalloc(nlines ? nlines : 1, sizeof *lines);
    for (size_t i = 0; i < nlines; i++) lines[i] = json_string_value(json_array_get(caps, i));
    char *dropped = NULL;
    j->caps = agent_managed_authority(ctx->caps, ctx->access,
                                      json_string_value(json_object_get(task, "access")), lines,
                                      nlines, &j->access, &dropped, j->message, sizeof j->message);
    free(lines);
    if (dropped && *dropped) buf_puts(&notes, dropped);
    free(dropped);
    if (!j->caps) {
        j->status = "error";
    } else if (nlines > 0 && j->caps->ncaps == 0) {
        j->status = "denied";
        snprintf(j->message, sizeof j->message,
                 "none of the requested capabilities is within the manager's authority");
    }

    const char *model = json_string_value(json_object_get(task, "model"));
    if (model && !model_allowed(m, model)) {
        buf_printf(&notes, "model %s is not in the configuration; using %s\n", model,
                   m->manager_model ? m->manager_model : "(none)");
        model = NULL;
    }
    j->model = xstrdup(model ? model : m->manager_model ? m->manager_model : "");
    if (!*j->model && !j->status) {
        j->status = "error";
        snprintf(j->message, sizeof j->message, "no model for the executor");
    }
    j->dropped = notes.len ? buf_steal(&notes) : NULL;
    buf_free(&notes);
    j->runnable = j->status == NULL;
}

policy_set *agent_managed_authority(const policy_set *manager_caps, tools_access manager_access,
                                    const char *access, const char *const *cap_lines,
                                    size_t ncaps, tools_access *access_out, char **dropped,
                                    char *err, size_t errlen)
{
    buf notes = BUF_INIT;
    tools_access a = TOOLS_ACCESS_READ_ONLY;
    if (access && !tools_access_parse(access, &a)) {
        buf_printf(&notes, "access \"%s\" unknown; read-only used\n", access);
        a = TOOLS_ACCESS_READ_ONLY;
    }
    if (a > manager_access) {
        buf_printf(&notes, "access %s lowered to the manager's %s\n", tools_access_name(a),
                   tools_access_name(manager_access));
        a = manager_access;
    }
    *access_out = a;
    policy_set *req = policy_new(manager_caps->workspace);
    for (size_t i = 0; req && i < ncaps; i++) {
        policy_error pe = {0};
        if (!cap_lines[i] || !policy_add_line(req, cap_lines[i], (int)i + 1, &pe)) {
            snprintf(err, errlen, "capability %zu (\"%s\"): %s", i + 1,
                     cap_lines[i] ? cap_lines[i] : "", cap_lines[i] ? pe.message : "not a string");
            policy_free(req);
            buf_free(&notes);
            if (dropped) *dropped = NULL;
            return NULL;
        }
    }
    if (!req) {
        snprintf(err, errlen, "the workspace path is not usable");
        buf_free(&notes);
        if (dropped) *dropped = NULL;
        return NULL;
    }
    char *d = NULL;
    policy_set *out = policy_attenuate(manager_caps, req, &d);
    policy_free(req);
    if (d) buf_puts(&notes, d);
    free(d);
    if (dropped) *dropped = notes.len ? buf_steal(&notes) : NULL;
    buf_free(&notes);
    return out;
}

static json_t *job_json(const exec_job *j)
{
    json_t *granted = json_array();
    for (size_t i = 0; j->caps && i < j->caps->ncaps; i++)
        json_array_append_new(granted, json_string(j->caps->caps[i].text));
    json_t *o = json_pack("{s:s,s:s,s:s,s:o}", "id", j->name, "status", j->status ? j->status : "error",
                          "access", tools_access_name(j->access), "granted", granted);
    if (j->answer) json_object_set_new(o, "answer", json_string(j->answer));
    if (j->message[0]) json_object_set_new(o, "message", json_string(j->message));
    if (j->dropped) json_object_set_new(o, "dropped", json_string(j->dropped));
    json_object_set_new(o, "turns", json_integer(j->turns));
    json_object_set_new(o, "tool_calls", json_integer(j->tool_calls));
    json_object_set_new(o, "denied_calls", json_integer(j->denied));
    json_object_set_new(o, "tokens", json_integer((json_int_t)j->tokens));
    if (j->token_budget) json_object_set_new(o, "token_budget", json_integer((json_int_t)j->token_budget));
    return o;
}

static void delegate_run(const tools_run *run, tools_result *out)
{
    agent_managed *m = (agent_managed *)run->def->data;
    const json_t *tasks = json_object_get(run->args, "tasks");
    size_t n = json_array_size(tasks);
    if (n == 0) {
        out->output = xstrdup("delegate: \"tasks\" must list at least one subtask");
        out->is_error = true;
        return;
    }
    exec_job *jobs = xcalloc(n, sizeof *jobs);
    char (*names)[48] = xcalloc(n, sizeof *names);
    size_t nrun = 0;
    for (size_t k = 0; k < n; k++) {
        jobs[k].m = m;
        jobs[k].run = run;
        prepare(&jobs[k], json_array_get(tasks, k), k, run, m, names);
        nrun += jobs[k].runnable;
    }
    free(names);

    /* Budgets: executors share what the manager has left; the sum never exceeds it. */
    uint64_t share = 0;
    if (m->token_budget && nrun) {
        llm_usage mu = m->manager ? agent_total_usage(m->manager) : (llm_usage){0};
        pthread_mutex_lock(&m->mu);
        uint64_t used = mu.input + mu.output + m->executor_tokens;
        pthread_mutex_unlock(&m->mu);
        uint64_t left = used < m->token_budget ? m->token_budget - used : 0;
        share = left / nrun;
        if (share == 0) share = 1; /* nothing left: the executor stops at its first turn */
    }
    uint64_t wall = m->time_budget_ms;
    const policy_limits *lim = &run->ctx->caps->limits;
    if (lim->has_timeout && (!wall || lim->timeout_ms < wall)) wall = lim->timeout_ms;
    for (size_t k = 0; k < n; k++) {
        jobs[k].token_budget = share;
        jobs[k].time_budget_ms = wall;
        jobs[k].max_turns = m->max_turns;
    }

    int par = m->parallel;
    if (par <= 0) par = lim->has_parallel && lim->parallel ? (int)lim->parallel
                                                          : AGENT_MANAGED_DEFAULT_PARALLEL;
    if (lim->has_parallel && lim->parallel && (uint64_t)par > lim->parallel) par = (int)lim->parallel;
    if ((size_t)par > nrun) par = (int)nrun;
    pool p = {.jobs = jobs, .n = n};
    pthread_mutex_init(&p.mu, NULL);
    pthread_t th[AGENT_MANAGED_MAX_TASKS];
    int started = 0;
    for (int t = 0; t < par; t++)
        if (pthread_create(&th[started], NULL, pool_worker, &p) == 0) started++;
    if (started == 0 && nrun) pool_worker(&p); /* no threads: run them here, one by one */
    for (int t = 0; t < started; t++) pthread_join(th[t], NULL);
    pthread_mutex_destroy(&p.mu);

    json_t *arr = json_array();
    for (size_t k = 0; k < n; k++) json_array_append_new(arr, job_json(&jobs[k]));
    json_t *res = json_pack("{s:o}", "executors", arr);
    out->output = json_dumps(res, JSON_INDENT(2));
    out->output_len = out->output ? strlen(out->output) : 0;
    json_decref(res);
    out->is_error = false;
    for (size_t k = 0; k < n; k++) {
        policy_free(jobs[k].caps);
        free(jobs[k].dropped);
        free(jobs[k].model);
        free(jobs[k].label);
        free(jobs[k].answer);
    }
    free(jobs);
}

bool agent_managed_init(agent_managed *m, char **err)
{
    if (m->max_depth > AGENT_MANAGED_MAX_DEPTH) m->max_depth = AGENT_MANAGED_MAX_DEPTH;
    if (m->max_depth < 1) m->max_depth = 1;
    pthread_mutex_init(&m->mu, NULL);
    m->def = (tools_def){.name = "delegate",
                         .description = delegate_description,
                         .schema = delegate_schema,
                         .perm = TOOLS_PERM_NONE,
                         .kind = TOOLS_RUNNER_HOST,
                         .run = delegate_run,
                         .data = m};
    m->registry = tools_registry_new(m->base ? m->base : tools_registry_builtin());
    char e[256];
    if (!tools_registry_add(m->registry, &m->def, e, sizeof e)) {
        *err = xasprintf("delegate tool: %s", e);
        tools_registry_free(m->registry);
        m->registry = NULL;
        pthread_mutex_destroy(&m->mu);
        return false;
    }
    return true;
}

const tools_registry *agent_managed_registry(const agent_managed *m) { return m->registry; }

void agent_managed_bind(agent_managed *m, agent *manager) { m->manager = manager; }

uint64_t agent_managed_executor_tokens(agent_managed *m)
{
    pthread_mutex_lock(&m->mu);
    uint64_t v = m->executor_tokens;
    pthread_mutex_unlock(&m->mu);
    return v;
}

void agent_managed_free(agent_managed *m)
{
    if (!m->registry) return;
    tools_registry_free(m->registry);
    m->registry = NULL;
    pthread_mutex_destroy(&m->mu);
}
