/* launch.h — everything needed to run an agent from the workspace configuration, in one place
 * for `boxagent run`, `boxagent chat`, the gateway and managed mode: the configuration, the
 * resolved (and narrowed) profile, the model provider, the session store and the audit log.
 *
 * --access / --cap narrow the configured agent (never widen); when the workspace has no
 * config.json they define the agent (defaults: read-only, read:.). The model comes from
 * --model, else the agent's "model", else the environment (ANTHROPIC_API_KEY ->
 * anthropic/claude-sonnet-4-5, OPENAI_API_KEY or OPENAI_BASE_URL -> openai/gpt-4.1).
 */
#ifndef BOXAGENT_AGENT_LAUNCH_H
#define BOXAGENT_AGENT_LAUNCH_H

#include "agent/agent.h"
#include "agent/config.h"
#include "agent/managed.h"

typedef struct agent_launch {
    const char *workspace;    /* default "." */
    const char *agent_name;   /* NULL: the default agent */
    const char *model;        /* "provider/model" or NULL */
    const char *access;       /* access level name or NULL */
    char *const *caps;        /* capability / limit lines */
    size_t ncaps;
    uint64_t max_turns, token_budget, time_budget_ms; /* 0: the profile's / defaults */
    bool no_store;            /* do not persist the session */
    bool managed;             /* offer the delegate tool (also when the profile is a manager) */
    bool no_audit;            /* tests only: no audit log */
    store *shared_store;      /* gateway: use this store (not owned) */
    struct audit_log *shared_audit; /* gateway: use this log (not owned) */
    agent_event_fn on_event;
    void *event_user;
} agent_launch;

typedef struct agent_env {
    agent_config *cfg;
    agent_profile profile;
    llm_provider *llm;
    store *store;
    struct audit_log *audit;
    bool own_store, own_audit;
    agent *agent;
    agent_managed *managed;   /* managed mode state, or NULL */
    char *model;              /* the model spec in use */
    char *dropped;            /* what --cap asked beyond the agent (for a warning), or NULL */
} agent_env;

/* false + *err (caller frees; each configuration error on its own line). */
bool agent_env_open(const agent_launch *l, agent_env *out, char **err);
void agent_env_close(agent_env *e);

/* Provider for "provider/model" using the configuration's "providers" (may be NULL). */
llm_provider *agent_provider_for(const agent_config *cfg, const char *spec, uint64_t ctx_window,
                                 char **err);

#endif
