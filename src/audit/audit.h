/* audit.h — the tamper-evident audit log: one hash-chained record per tool call and per
 * denial, stored in the workspace's SQLite database (`<ws>/.boxagent/boxagent.db`, WAL mode,
 * tables `audit` and `audit_head`, shared with store/ which owns its own tables).
 *
 * Every record holds a sequence number, time, session, agent, tool, the SHA-256 of the
 * canonical arguments, the arguments with secrets redacted, the decision and the capability or
 * reason that decided, resources used, the result digest, whether the content came from
 * outside (web_fetch), the hash of the previous record and its own hash:
 *   hash = SHA-256(canonical serialisation of every field above, including prev_hash).
 * The `audit_head` row (last sequence number and hash, updated in the same transaction) lets
 * verify notice a removed tail. Several writers (threads or processes) may append at once:
 * each append is one BEGIN IMMEDIATE transaction (read head, insert, update head).
 */
#ifndef BOXAGENT_AUDIT_H
#define BOXAGENT_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct audit_log audit_log;

typedef enum audit_decision {
    AUDIT_ALLOWED = 0,
    AUDIT_DENIED = 1,
    AUDIT_ERROR = 2,
} audit_decision;

/* One record. On append the caller fills the "in" fields (NULL strings are stored as "");
 * on list every field is filled and the strings stay valid only during the callback. */
typedef struct audit_record {
    int64_t id;                /* sequence number, 1, 2, 3 … (out) */
    int64_t time_ms;           /* wall clock ms since the epoch; 0 on append = now */
    const char *session;       /* session id */
    const char *agent;         /* agent name */
    const char *tool;          /* tool name (or "fetch", "exec" … for runtime events) */
    /* in: the raw JSON arguments as the model sent them (any text is accepted; JSON is
     *     canonicalised — keys sorted, compact — before digesting, and redacted before
     *     storing). out: the redacted text that was stored. */
    const char *args;
    const char *args_digest;   /* in: NULL = computed from args; out: stored hex SHA-256 */
    audit_decision decision;
    const char *rule;          /* the capability that allowed it, or the reason it was denied */
    uint64_t fuel;             /* resources used */
    uint64_t peak_memory;      /* bytes */
    uint64_t wall_ms;
    uint64_t output_bytes;
    const void *result;        /* in: result bytes to digest (may be NULL) */
    size_t result_len;
    const char *result_digest; /* in: if non-NULL, used instead of hashing result; out: stored */
    bool is_external;          /* the result is content from outside (web_fetch) */
    const char *prev_hash;     /* out only */
    const char *hash;          /* out only */
} audit_record;

/* Open (creating if needed) the log of `workspace_dir`: makes `<ws>/.boxagent` (0700) and the
 * database. NULL on failure with *err set to a message the caller frees. */
audit_log *audit_open(const char *workspace_dir, char **err);
/* Same for an explicit database path (tests, tools). */
audit_log *audit_open_db(const char *db_path, char **err);
void audit_close(audit_log *h);

/* Append one record (thread-safe on one handle, and across handles and processes).
 * On success the new record's id is stored in *id_out (if non-NULL) and, if hash_out is
 * non-NULL, its hash (65 bytes). false + *err (caller frees) on failure. */
bool audit_append(audit_log *h, const audit_record *r, int64_t *id_out, char hash_out[65],
                  char **err);

typedef struct audit_filter {
    const char *session;  /* NULL = any */
    const char *agent;    /* NULL = any */
    const char *tool;     /* NULL = any */
    int64_t after_id;     /* only ids > after_id */
    size_t limit;         /* 0 = no limit */
} audit_filter;

/* Calls cb for each matching record in id order; cb returns non-zero to stop. cb must not
 * call other audit_ functions on the same handle (it holds the handle's lock).
 * false + *err on a database error. filter may be NULL. */
bool audit_list(audit_log *h, const audit_filter *filter,
                int (*cb)(const audit_record *r, void *ctx), void *ctx, char **err);

/* Walks the whole chain: recomputes every hash, checks each prev_hash, that ids are 1..N with
 * no gap, and that the head row matches the last record. true if intact. Otherwise false,
 * *first_bad_id = the first record found wrong (or the first missing id), msg says what. */
bool audit_verify(audit_log *h, int64_t *first_bad_id, char *msg, size_t msglen);

/* Helpers (exposed for tests and for callers that want the same forms). */
const char *audit_decision_name(audit_decision d); /* "allowed", "denied", "error" */
/* Redacted copy of JSON arguments (or of plain text); caller frees. */
char *audit_redact(const char *args);
/* The same redaction applied to free text (not parsed as JSON, not shortened): audit_append
 * stores the rule field through it, since a decision reason may quote a URL with a key in its
 * query. NULL gives "". Caller frees. */
char *audit_redact_text(const char *text);
/* SHA-256 hex of the canonical form of JSON `args` (raw text if it is not JSON). */
void audit_args_digest(const char *args, char out[65]);

#endif
