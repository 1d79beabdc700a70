/* gw_turn.h — runs one agent turn for the gateway: opens the session's agent from the
 * workspace configuration (sharing the gateway's store and audit log), resumes the stored
 * conversation, runs the loop, and forwards the agent's events (the same JSON objects that
 * `boxagent run --json` prints) to the session's event log. */
#ifndef BOXAGENT_GW_TURN_H
#define BOXAGENT_GW_TURN_H

#include <jansson.h>

#include "agent/agent.h"
#include "store/store.h"

struct audit_log;

typedef struct gw_turn {
    const char *workspace;
    store *st;
    struct audit_log *audit;
    const char *session_id;
    const char *text;
    /* Event sink: type + JSON object (consumed). */
    void (*emit)(void *user, const char *type, json_t *data);
    /* Called with the running agent (so another thread can agent_cancel it) and with NULL
     * before it is freed. Returns true if a cancel was already requested. */
    bool (*attach)(void *user, agent *a);
    void *user;
} gw_turn;

typedef struct gw_turn_outcome {
    char status[16];   /* done, limit, cancelled, error */
    char message[512];
} gw_turn_outcome;

void gw_turn_run(const gw_turn *t, gw_turn_outcome *out);

#endif
