/* store.h — sessions, their messages and token usage in the workspace's SQLite database
 * (`<ws>/.boxagent/boxagent.db`, WAL mode; tables store_sessions, store_messages, store_usage —
 * the audit layer keeps its own tables and connection in the same file).
 *
 * The agent writes after every turn, each turn in one transaction, so a crash or kill -9 loses
 * at most the turn in flight and never leaves a tool call without its result. A handle is
 * thread-safe (one mutex; the gateway shares one between workers); several processes may use
 * the same file (busy timeout). Session ids are "s-" + 16 hex digits; ids from outside are
 * validated (store_valid_id) before use.
 */
#ifndef BOXAGENT_STORE_H
#define BOXAGENT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "llm/llm.h"

typedef struct store store;

#define STORE_ID_MAX 40

store *store_open(const char *workspace, char **err);   /* creates .boxagent/ (0700) */
store *store_open_db(const char *db_path, char **err);
void store_close(store *s);

typedef struct store_session {
    char id[STORE_ID_MAX];
    char *title, *agent, *model, *status; /* status: "idle", "running", "done", "error", ... */
    int64_t created_ms, updated_ms;
    uint64_t input_tokens, output_tokens, cached_tokens, turns;
    int64_t nmessages;
} store_session;
void store_session_free(store_session *s);

bool store_valid_id(const char *id);

/* All functions: false + *err (caller frees) on failure; "not found" is an error whose text
 * starts with "no session". */
bool store_session_create(store *s, const char *agent, const char *model, const char *title,
                          char id_out[STORE_ID_MAX], char **err);
bool store_session_get(store *s, const char *id, store_session *out, char **err);
/* Newest first. cb returns non-zero to stop. */
bool store_session_list(store *s, int (*cb)(const store_session *ss, void *ctx), void *ctx,
                        char **err);
bool store_session_delete(store *s, const char *id, char **err);
bool store_session_rename(store *s, const char *id, const char *title, char **err);
bool store_session_set_status(store *s, const char *id, const char *status, char **err);

/* Append messages (one transaction) and add usage to the session's totals (usage may be NULL;
 * a non-NULL usage also counts one turn). */
bool store_append(store *s, const char *id, const llm_message *msgs, size_t n,
                  const llm_usage *usage, char **err);
/* Totals over every session (the gateway's usage page). */
bool store_usage_total(store *s, llm_usage *out, uint64_t *sessions, uint64_t *turns, char **err);

/* Load the stored messages into conv (appended; conv's system prompt untouched). */
bool store_load(store *s, const char *id, llm_conv *conv, char **err);

#endif
