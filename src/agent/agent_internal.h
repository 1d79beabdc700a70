/* agent_internal.h — the agent's private state, shared by the files of src/agent/ only. */
#ifndef BOXAGENT_AGENT_INTERNAL_H
#define BOXAGENT_AGENT_INTERNAL_H

#include <pthread.h>

#include "agent/agent.h"

struct agent {
    agent_opts o;
    char *workspace, *name, *system_extra;
    policy_set *caps;
    char *system;             /* the built system prompt */
    llm_conv conv;
    json_t *tools_json;
    char session[STORE_ID_MAX];
    bool has_session;
    char *parent_session;     /* copy of opts.parent_session, or NULL */
    atomic_bool cancel;
    atomic_bool deadline_hit;
    pthread_mutex_t ev_mu;
    llm_usage total;
    uint64_t last_input;      /* input tokens the provider reported for the last turn */
    uint64_t last_est;        /* our estimate of the conversation when it was sent */
    int turn;
    uint64_t seq;             /* last event sequence number (under ev_mu) */
};

void agent_emit(agent *a, agent_event *ev);
/* Build the system prompt (workspace, tools, capabilities, rules, AGENTS.md). */
char *agent_build_prompt(const agent *a);
/* Replace the oldest tool results by a placeholder until the total fits; returns how many
 * were replaced. */
size_t agent_cap_results(llm_conv *c, uint64_t max_bytes);
/* Run the tool calls of `call` (an assistant message); fills `out` (role TOOL) with results in
 * the model's order. Counts denials. */
void agent_run_tools(agent *a, const llm_message *call, llm_message *out, int *ncalls,
                     int *denied);
/* True if the conversation is near the context limit. */
bool agent_needs_compaction(const agent *a);

#endif
