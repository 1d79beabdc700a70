/* agent.h — the query loop: model turn → stream → every tool call through tools_call (reads in
 * parallel, results in the model's order) → append → repeat until the model answers without
 * tool calls. Guards (turns, tokens, wall clock, tool-result bytes in context), cancellation
 * from any thread, compaction near the context limit, a truthful system prompt (+ AGENTS.md),
 * persistence after every turn, and an observer that receives the same event stream the
 * terminal, `--json` and the HTTP gateway show.
 *
 * No global state: each agent owns its conversation, provider and cancel flag, so many agents
 * (gateway sessions, managed-mode executors) run at once on their own threads. One thread runs
 * an agent at a time; agent_cancel may be called from any thread. Observer calls are
 * serialised per agent but may come from tool worker threads.
 */
#ifndef BOXAGENT_AGENT_H
#define BOXAGENT_AGENT_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "agent/config.h"
#include "llm/llm.h"
#include "policy/policy.h"
#include "store/store.h"
#include "tools/tools.h"

struct audit_log;

typedef enum agent_event_kind {
    AGENT_EV_TURN_START = 0, /* turn */
    AGENT_EV_TEXT,           /* text/len: a delta of the model's answer */
    AGENT_EV_TOOL_CALL,      /* call_id, tool, args: the model asked for a call */
    AGENT_EV_TOOL_RESULT,    /* call_id, tool, args, decision, reason, output, is_error */
    AGENT_EV_USAGE,          /* usage (this turn), total */
    AGENT_EV_TURN_END,       /* turn, stop */
    AGENT_EV_GUARD,          /* guard, text: a guard fired (stopped tells whether it ended the run) */
    AGENT_EV_COMPACTED,      /* text: what was summarised */
    AGENT_EV_ERROR,          /* text: what went wrong */
    AGENT_EV_DONE,           /* outcome, text: the final answer or why it ended */
} agent_event_kind;

typedef enum agent_outcome {
    AGENT_DONE = 0,   /* the model answered without tool calls */
    AGENT_LIMIT,      /* a guard stopped the run */
    AGENT_CANCELLED,
    AGENT_FAILED,     /* provider or storage error */
} agent_outcome;
const char *agent_outcome_name(agent_outcome o); /* "done", "limit", "cancelled", "error" */

typedef struct agent_event {
    agent_event_kind kind;
    const char *agent;     /* agent name (executors: their tag) */
    const char *session;   /* may be NULL */
    int turn;
    const char *text;      /* TEXT delta / GUARD, ERROR, COMPACTED message / DONE answer */
    size_t len;
    const char *call_id, *tool, *args;
    const char *decision;  /* TOOL_RESULT: "allowed", "denied", "error" */
    const char *reason;    /* TOOL_RESULT: capability that allowed it, or why denied */
    const char *output;    /* TOOL_RESULT: text given to the model */
    size_t output_len;
    bool is_error;
    const char *guard;     /* GUARD: "max_turns", "token_budget", "time_budget",
                              "result_cap", "cancelled" */
    bool stopped;          /* GUARD: the guard ended the run */
    llm_stop stop;         /* TURN_END */
    llm_usage usage, total;
    agent_outcome outcome; /* DONE */
    uint64_t seq;          /* 1, 2, 3 … per agent (set by the agent): SSE ids, resuming */
} agent_event;

/* Called synchronously (the agent waits): an observer must return quickly — copy or queue the
 * event (e.g. agent_event_to_json) and never block on a slow client. Strings in `ev` are valid
 * only during the call. */
typedef void (*agent_event_fn)(void *user, const agent_event *ev);

/* The event as one JSON object {"type": "text", ...} — the form of `--json` lines and the
 * gateway's server-sent events. Caller owns the reference. */
json_t *agent_event_to_json(const agent_event *ev);

typedef struct agent_opts {
    const char *workspace;          /* absolute */
    const char *name;               /* agent name (audit, events) */
    tools_access access;
    const policy_set *caps;         /* copied */
    llm_provider *llm;              /* borrowed; used only by this agent while it runs */
    const tools_registry *registry; /* NULL: tools_registry_builtin() */
    struct audit_log *audit;        /* may be NULL */
    store *store;                   /* may be NULL: nothing persisted */
    const char *system_extra;       /* operator instructions from the configuration */
    bool no_agents_md;              /* do not read <workspace>/AGENTS.md */
    uint64_t max_turns;             /* model turns per run (tool rounds count); default 50 */
    uint64_t token_budget;          /* input+output tokens over the agent's life; 0 = none */
    uint64_t time_budget_ms;        /* wall clock per run; 0 = none */
    uint64_t context_window;        /* tokens; 0 = the provider's */
    uint64_t compact_percent;       /* compact when the context passes this %; default 80 */
    uint64_t max_result_bytes;      /* tool-result text kept in context; default 256 KiB */
    uint64_t max_output_tokens;     /* per model response; 0 = provider default */
    int parallel;                   /* concurrent read/none tool calls; default 4 */
    const atomic_bool *parent_cancel; /* managed mode: the manager's flag; may be NULL */
    const char *parent_session;     /* managed mode: the manager's session id, used to tag
                                       events and audit records when this agent has none */
    agent_event_fn on_event;        /* may be NULL */
    void *event_user;
} agent_opts;

typedef struct agent agent;

typedef struct agent_result {
    agent_outcome outcome;
    char *final_text;   /* malloc'd; the answer (DONE) or NULL */
    char guard[32];     /* which guard fired (LIMIT, or "cancelled") */
    char message[512];  /* why it ended, for the user */
    llm_usage usage;    /* this run */
    int turns, tool_calls, denied;
} agent_result;
void agent_result_free(agent_result *r);

/* Create an agent; opens no session. NULL + *err (caller frees) on bad options. */
agent *agent_new(const agent_opts *o, char **err);
void agent_free(agent *a);

/* Start a new stored session (needs opts.store) or continue one (--resume): loads its
 * messages. false + *err. */
bool agent_session_new(agent *a, const char *title, char **err);
bool agent_session_resume(agent *a, const char *id, char **err);
const char *agent_session_id(const agent *a); /* NULL when not persisted */

/* Add a user message and run the loop until the model answers without tool calls, a guard
 * fires, the run is cancelled or fails. Returns the outcome (also in *res). */
agent_outcome agent_run(agent *a, const char *user_text, agent_result *res);

/* Cancel the run in progress (model stream, tool calls, waits). Thread-safe, idempotent;
 * the flag is cleared when the next agent_run starts. */
void agent_cancel(agent *a);

const llm_conv *agent_conversation(const agent *a);
const char *agent_system_prompt(const agent *a);
llm_usage agent_total_usage(const agent *a);

/* Compact now (normally automatic). Exposed for tests. Returns false if there was nothing to
 * compact or the summary failed (err set). */
bool agent_compact(agent *a, char **err);

#endif
