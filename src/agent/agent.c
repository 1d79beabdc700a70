/* agent.c — the query loop and its guards: model turn (streamed to the observer) → tool calls
 * → results appended → repeat; max turns, token budget, wall-clock budget (a watchdog thread
 * that also forwards a parent's cancellation), tool-result cap, compaction; persistence of each
 * turn in one transaction. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/agent_internal.h"
#include "util/buf.h"
#include "util/util.h"

#define DEFAULT_MAX_TURNS 50
#define DEFAULT_RESULT_BYTES (256u << 10)

agent *agent_new(const agent_opts *o, char **err)
{
    if (!o || !o->workspace || !o->caps || !o->llm) {
        if (err) *err = xstrdup("agent: workspace, capabilities and a model are required");
        return NULL;
    }
    agent *a = xcalloc(1, sizeof *a);
    a->o = *o;
    a->workspace = xstrdup(o->workspace);
    a->name = xstrdup(o->name ? o->name : "default");
    a->parent_session = o->parent_session ? xstrdup(o->parent_session) : NULL;
    a->o.parent_session = NULL; /* only the copy is used */
    a->system_extra = o->system_extra ? xstrdup(o->system_extra) : NULL;
    a->o.workspace = a->workspace;
    a->o.name = a->name;
    a->o.system_extra = a->system_extra;
    a->caps = policy_clone(o->caps);
    a->o.caps = a->caps;
    if (!a->o.max_turns) a->o.max_turns = DEFAULT_MAX_TURNS;
    if (!a->o.max_result_bytes) a->o.max_result_bytes = DEFAULT_RESULT_BYTES;
    const tools_registry *r = o->registry ? o->registry : tools_registry_builtin();
    a->tools_json = tools_list_json(r, o->access);
    if (!a->tools_json) a->tools_json = json_array();
    pthread_mutex_init(&a->ev_mu, NULL);
    atomic_init(&a->cancel, false);
    atomic_init(&a->deadline_hit, false);
    a->system = agent_build_prompt(a);
    llm_conv_init(&a->conv, a->system);
    return a;
}

void agent_free(agent *a)
{
    if (!a) return;
    llm_conv_free(&a->conv);
    json_decref(a->tools_json);
    policy_free(a->caps);
    free(a->system);
    free(a->workspace);
    free(a->name);
    free(a->parent_session);
    free(a->system_extra);
    pthread_mutex_destroy(&a->ev_mu);
    free(a);
}

void agent_result_free(agent_result *r)
{
    if (!r) return;
    free(r->final_text);
    r->final_text = NULL;
}

const llm_conv *agent_conversation(const agent *a) { return &a->conv; }
const char *agent_system_prompt(const agent *a) { return a->system; }
llm_usage agent_total_usage(const agent *a) { return a->total; }
const char *agent_session_id(const agent *a) { return a->has_session ? a->session : NULL; }
void agent_cancel(agent *a) { atomic_store(&a->cancel, true); }

bool agent_session_new(agent *a, const char *title, char **err)
{
    if (!a->o.store) {
        if (err) *err = xstrdup("no session store");
        return false;
    }
    char *model = xasprintf("%s/%s", llm_provider_type(a->o.llm), llm_provider_model(a->o.llm));
    bool ok = store_session_create(a->o.store, a->name, model, title, a->session, err);
    free(model);
    if (!ok) return false;
    a->has_session = true;
    return true;
}

bool agent_session_resume(agent *a, const char *id, char **err)
{
    if (!a->o.store) {
        if (err) *err = xstrdup("no session store");
        return false;
    }
    llm_conv c;
    llm_conv_init(&c, a->system);
    if (!store_load(a->o.store, id, &c, err)) {
        llm_conv_free(&c);
        return false;
    }
    store_session ss;
    if (store_session_get(a->o.store, id, &ss, NULL)) {
        a->total.input = ss.input_tokens;
        a->total.output = ss.output_tokens;
        a->total.cached = ss.cached_tokens;
        store_session_free(&ss);
    }
    /* a stored conversation from elsewhere (another version, a hand-edited database) may end
     * with calls that never got results: answer them so every provider accepts the history */
    for (size_t i = 0; i < c.n; i++) {
        const llm_message *m = &c.msgs[i];
        if (m->role != LLM_ASSISTANT || (i + 1 < c.n && c.msgs[i + 1].role == LLM_TOOL)) continue;
        llm_message fix = {.role = LLM_TOOL};
        for (size_t k = 0; k < m->nblocks; k++)
            if (m->blocks[k].kind == LLM_TOOL_CALL)
                llm_msg_add_result(&fix, m->blocks[k].id,
                                   "the run was interrupted before this call ran", true);
        if (fix.nblocks) llm_conv_insert(&c, i + 1, &fix);
        else llm_message_free(&fix);
    }
    llm_conv_free(&a->conv);
    a->conv = c;
    snprintf(a->session, sizeof a->session, "%s", id);
    a->has_session = true;
    return true;
}

/* ---------------------------------------------------------------- watchdog */

typedef struct watchdog {
    agent *a;
    uint64_t deadline_ns; /* 0 none */
    atomic_bool stop;
    pthread_t th;
    bool running;
} watchdog;

static void *watch(void *u)
{
    watchdog *w = u;
    while (!atomic_load(&w->stop)) {
        if (w->deadline_ns && util_now_ns() >= w->deadline_ns) {
            atomic_store(&w->a->deadline_hit, true);
            atomic_store(&w->a->cancel, true);
            break;
        }
        if (w->a->o.parent_cancel && atomic_load(w->a->o.parent_cancel)) {
            atomic_store(&w->a->cancel, true);
            break;
        }
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

/* ---------------------------------------------------------------- the loop */

typedef struct stream_ctx {
    agent *a;
} stream_ctx;

static void on_llm_event(void *u, const llm_event *ev)
{
    agent *a = ((stream_ctx *)u)->a;
    if (ev->kind == LLM_EV_TEXT) {
        agent_event e = {.kind = AGENT_EV_TEXT, .text = ev->text, .len = ev->len};
        if (ev->len) agent_emit(a, &e);
    }
}

static void persist(agent *a, const llm_message *msgs, size_t n, const llm_usage *u)
{
    if (!a->has_session || !a->o.store) return;
    char *err = NULL;
    if (!store_append(a->o.store, a->session, msgs, n, u, &err)) {
        agent_event ev = {.kind = AGENT_EV_ERROR, .text = err ? err : "could not save the turn"};
        agent_emit(a, &ev);
    }
    free(err);
}

static void set_status(agent *a, const char *st)
{
    if (a->has_session && a->o.store) store_session_set_status(a->o.store, a->session, st, NULL);
}

static agent_outcome stop_with(agent *a, agent_result *res, agent_outcome o, const char *guard,
                               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static agent_outcome stop_with(agent *a, agent_result *res, agent_outcome o, const char *guard,
                               const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->message, sizeof res->message, fmt, ap);
    va_end(ap);
    res->outcome = o;
    if (guard) {
        snprintf(res->guard, sizeof res->guard, "%s", guard);
        agent_event ev = {.kind = AGENT_EV_GUARD, .guard = guard, .text = res->message,
                          .stopped = true};
        agent_emit(a, &ev);
    } else if (o == AGENT_FAILED) {
        agent_event ev = {.kind = AGENT_EV_ERROR, .text = res->message};
        agent_emit(a, &ev);
    }
    return o;
}

static agent_outcome cancelled_outcome(agent *a, agent_result *res, const char *where)
{
    if (atomic_load(&a->deadline_hit))
        return stop_with(a, res, AGENT_LIMIT, "time_budget",
                         "stopped: the wall-clock budget of %llu ms ran out %s",
                         (unsigned long long)a->o.time_budget_ms, where);
    return stop_with(a, res, AGENT_CANCELLED, "cancelled", "cancelled %s", where);
}

static agent_outcome loop(agent *a, agent_result *res)
{
    for (;;) {
        if (atomic_load(&a->cancel)) return cancelled_outcome(a, res, "between turns");
        if ((uint64_t)res->turns >= a->o.max_turns)
            return stop_with(a, res, AGENT_LIMIT, "max_turns",
                             "stopped: the turn limit (%llu model turns, tool rounds included) "
                             "was reached before the model finished",
                             (unsigned long long)a->o.max_turns);
        uint64_t used = a->total.input + a->total.output;
        if (a->o.token_budget && used >= a->o.token_budget)
            return stop_with(a, res, AGENT_LIMIT, "token_budget",
                             "stopped: the token budget (%llu) is spent (%llu used)",
                             (unsigned long long)a->o.token_budget, (unsigned long long)used);
        if (agent_needs_compaction(a)) {
            char *err = NULL;
            if (!agent_compact(a, &err) && atomic_load(&a->cancel)) {
                free(err);
                return cancelled_outcome(a, res, "during compaction");
            }
            free(err);
        }
        a->turn++;
        res->turns++;
        agent_event ts = {.kind = AGENT_EV_TURN_START};
        agent_emit(a, &ts);
        stream_ctx sc = {a};
        llm_request req = {.conv = &a->conv, .tools = a->tools_json,
                           .max_tokens = a->o.max_output_tokens, .on_event = on_llm_event,
                           .user = &sc, .cancel = &a->cancel};
        llm_response resp;
        llm_error e;
        uint64_t est = llm_conv_estimate_tokens(&a->conv);
        bool ok = llm_complete(a->o.llm, &req, &resp, &e);
        if (!ok && e.kind == LLM_ERR_CONTEXT) { /* compact once and retry */
            char *err = NULL;
            if (agent_compact(a, &err)) ok = llm_complete(a->o.llm, &req, &resp, &e);
            free(err);
        }
        if (!ok) {
            if (e.kind == LLM_ERR_CANCELLED || atomic_load(&a->cancel))
                return cancelled_outcome(a, res, "while the model was answering");
            return stop_with(a, res, AGENT_FAILED, NULL, "model error (%s): %s",
                             llm_err_name(e.kind), e.message);
        }
        a->last_input = resp.usage.input;
        a->last_est = est;
        a->total.input += resp.usage.input;
        a->total.output += resp.usage.output;
        a->total.cached += resp.usage.cached;
        res->usage.input += resp.usage.input;
        res->usage.output += resp.usage.output;
        res->usage.cached += resp.usage.cached;
        agent_event ue = {.kind = AGENT_EV_USAGE, .usage = resp.usage};
        agent_emit(a, &ue);
        bool calls = false;
        for (size_t i = 0; i < resp.msg.nblocks; i++)
            if (resp.msg.blocks[i].kind == LLM_TOOL_CALL) calls = true;
        if (!calls) {
            buf t = BUF_INIT;
            for (size_t i = 0; i < resp.msg.nblocks; i++)
                if (resp.msg.blocks[i].kind == LLM_TEXT) buf_puts(&t, resp.msg.blocks[i].text);
            persist(a, &resp.msg, 1, &resp.usage);
            llm_stop stop = resp.stop;
            llm_conv_push(&a->conv, &resp.msg);
            agent_event te = {.kind = AGENT_EV_TURN_END, .stop = stop};
            agent_emit(a, &te);
            res->final_text = buf_steal(&t);
            res->outcome = AGENT_DONE;
            snprintf(res->message, sizeof res->message, "%s",
                     stop == LLM_STOP_MAX_TOKENS ? "done (the answer was cut at the output limit)"
                                                 : "done");
            return AGENT_DONE;
        }
        llm_message results;
        agent_run_tools(a, &resp.msg, &results, &res->tool_calls, &res->denied);
        llm_message pair[2] = {resp.msg, results};
        persist(a, pair, 2, &resp.usage);
        llm_conv_push(&a->conv, &resp.msg);
        llm_conv_push(&a->conv, &results);
        size_t cut = agent_cap_results(&a->conv, a->o.max_result_bytes);
        if (cut) {
            char msg[200];
            snprintf(msg, sizeof msg,
                     "%zu older tool result%s replaced by a placeholder to keep tool output in "
                     "context under %llu bytes",
                     cut, cut == 1 ? "" : "s", (unsigned long long)a->o.max_result_bytes);
            agent_event ge = {.kind = AGENT_EV_GUARD, .guard = "result_cap", .text = msg};
            agent_emit(a, &ge);
        }
        agent_event te = {.kind = AGENT_EV_TURN_END, .stop = resp.stop};
        agent_emit(a, &te);
        if (atomic_load(&a->cancel)) return cancelled_outcome(a, res, "during tool calls");
    }
}

agent_outcome agent_run(agent *a, const char *user_text, agent_result *res)
{
    memset(res, 0, sizeof *res);
    atomic_store(&a->cancel, false);
    atomic_store(&a->deadline_hit, false);
    if (user_text && *user_text) {
        llm_message m = {.role = LLM_USER};
        llm_msg_add_text(&m, user_text);
        persist(a, &m, 1, NULL);
        llm_conv_push(&a->conv, &m);
    }
    set_status(a, "running");
    watchdog w = {.a = a};
    atomic_init(&w.stop, false);
    if (a->o.time_budget_ms) w.deadline_ns = util_now_ns() + a->o.time_budget_ms * 1000000ull;
    if (w.deadline_ns || a->o.parent_cancel)
        w.running = pthread_create(&w.th, NULL, watch, &w) == 0;
    agent_outcome o = loop(a, res);
    if (w.running) {
        atomic_store(&w.stop, true);
        pthread_join(w.th, NULL);
    }
    set_status(a, agent_outcome_name(o));
    agent_event de = {.kind = AGENT_EV_DONE, .outcome = o,
                      .text = o == AGENT_DONE ? (res->final_text ? res->final_text : "")
                                              : res->message};
    agent_emit(a, &de);
    return o;
}
