/* managed.h — managed mode: a manager agent gets a `delegate` tool that runs subtasks on
 * executor agents in parallel, each on its own thread with its own conversation, provider,
 * budget share and fresh sandbox instances, and a capability set attenuated from the
 * manager's (policy_attenuate): what a subtask asks beyond the manager is dropped and
 * reported, never granted. Executors' events and audit records carry the executor's name
 * ("<manager>/<task>") so the whole tree can be followed.
 *
 * Usage: fill an agent_managed, call agent_managed_registry() and pass the registry as the
 * manager's agent_opts.registry; after agent_new(), call agent_managed_bind(m, manager) so
 * budgets can be split from what the manager has left. Free with agent_managed_free() after
 * the manager.
 */
#ifndef BOXAGENT_AGENT_MANAGED_H
#define BOXAGENT_AGENT_MANAGED_H

#include <pthread.h>
#include <stdatomic.h>

#include "agent/agent.h"
#include "agent/config.h"

#define AGENT_MANAGED_MAX_TASKS 16
#define AGENT_MANAGED_DEFAULT_PARALLEL 4
#define AGENT_MANAGED_MAX_DEPTH 4

typedef struct agent_managed {
    /* in */
    const agent_config *cfg;       /* providers and the models executors may use */
    const char *manager_model;     /* "provider/model" of the manager: the executors' default */
    const tools_registry *base;    /* tools executors are offered (NULL = built-ins) */
    int parallel;                  /* executors at once; 0 = the manager's `parallel` limit or 4 */
    int depth;                     /* this manager's depth (0 for the top) */
    int max_depth;                 /* executors may delegate while depth+1 < max_depth */
    uint64_t max_turns;            /* per executor (capped by the manager's own); 0 = default */
    uint64_t token_budget;         /* the manager's budget; executors share what is left */
    uint64_t time_budget_ms;       /* the manager's wall-clock budget per run; 0 = none */
    agent_event_fn on_event;       /* executor events go here (serialised); may be NULL */
    void *event_user;
    /* private */
    tools_def def;
    tools_registry *registry;
    agent *manager;
    pthread_mutex_t mu;            /* serialises on_event and budget accounting */
    uint64_t executor_tokens;      /* tokens used by executors so far */
} agent_managed;

/* The manager's registry: `base` + delegate. false + *err (caller frees). */
bool agent_managed_init(agent_managed *m, char **err);
const tools_registry *agent_managed_registry(const agent_managed *m);
void agent_managed_bind(agent_managed *m, agent *manager);
void agent_managed_free(agent_managed *m);

/* The authority an executor gets for a subtask: access = min(requested or read-only, the
 * manager's); capabilities = policy_attenuate(manager, requested). `cap_lines` may be NULL.
 * Returns the attenuated set (caller frees) or NULL with a message in err when a line is
 * malformed. *dropped (caller frees, may be NULL) lists what was asked beyond the manager. */
policy_set *agent_managed_authority(const policy_set *manager_caps, tools_access manager_access,
                                    const char *access, const char *const *cap_lines,
                                    size_t ncaps, tools_access *access_out, char **dropped,
                                    char *err, size_t errlen);

/* Tokens the executors have used (for the manager's accounting). */
uint64_t agent_managed_executor_tokens(agent_managed *m);

#endif
