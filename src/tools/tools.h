/* tools.h — the tool layer: registry, permission and access levels, argument validation and
 * the one function every tool call passes through (tools_call).
 *
 * A tool is a name, a description written for a model, a JSON Schema of its arguments, a
 * permission level (none/read/write/execute) and a runner: a WebAssembly module embedded in
 * the binary (the built-in file tools), the native jail (bash/run) or a host builtin
 * (tool_search, web_fetch through egress/).
 *
 * tools_call(ctx, name, args_json, &result) does, in order:
 *   1. find the tool (unknown name -> error result listing close names);
 *   2. access-level check, on EVERY call (a tool above the agent's level is denied and
 *      audited even when the model names it directly);
 *   3. validate the arguments against the tool's schema (a bad call -> error result that says
 *      which field and why);
 *   4. policy decision with the agent's capability set (denial is a result);
 *   5. run (fresh WebAssembly instance / jail / host builtin) within the manifest's limits;
 *   6. append one audit record (when ctx->audit is set);
 *   7. truncate the output to the output limit.
 * It never aborts on model input; every outcome is a tools_result.
 *
 * Thread safety: tools_call may be called from several threads at once with different ctx
 * and result objects (the agent runs tool calls in parallel). Built-in modules are compiled
 * once per process, lazily.
 */
#ifndef BOXAGENT_TOOLS_H
#define BOXAGENT_TOOLS_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

/* ---------------------------------------------------------------- levels */

/* Permission level of a tool: what it may do at most. Ordered. */
typedef enum tools_perm {
    TOOLS_PERM_NONE = 0,
    TOOLS_PERM_READ,
    TOOLS_PERM_WRITE,
    TOOLS_PERM_EXECUTE,
} tools_perm;

/* Access level of an agent: which tools it is offered at all. Ordered. */
typedef enum tools_access {
    TOOLS_ACCESS_SEARCH_ONLY = 0, /* glob, grep, list_dir, tool_search (tools flagged search) */
    TOOLS_ACCESS_READ_ONLY,       /* the default: + every none/read tool (read_file, ...) */
    TOOLS_ACCESS_WORKSPACE_WRITE, /* + write tools */
    TOOLS_ACCESS_FULL,            /* + execute tools */
} tools_access;

#define TOOLS_ACCESS_DEFAULT TOOLS_ACCESS_READ_ONLY

/* "search-only", "read-only", "workspace-write", "full". Anything else (including NULL, "",
 * different case) -> false; never defaults to full. */
bool tools_access_parse(const char *s, tools_access *out);
const char *tools_access_name(tools_access a);
const char *tools_perm_name(tools_perm p); /* "none", "read", "write", "execute" */

/* ---------------------------------------------------------------- definitions */

typedef enum tools_runner_kind {
    TOOLS_RUNNER_WASM = 0, /* embedded WASI command module (data = module name) */
    TOOLS_RUNNER_JAIL,     /* native program in the jail (jail/) */
    TOOLS_RUNNER_HOST,     /* host builtin (tool_search, web_fetch via egress/) */
} tools_runner_kind;

typedef enum tools_decision {
    TOOLS_ALLOWED = 0,
    TOOLS_DENIED,  /* access level or capability refused the call */
    TOOLS_ERROR,   /* unknown tool, invalid arguments, runner failure */
} tools_decision;

typedef struct tools_usage {
    uint64_t fuel;         /* WebAssembly instructions executed (0 for non-wasm runners) */
    uint64_t peak_memory;  /* bytes: guest linear memory peak, or the jail's max RSS */
    uint64_t wall_ms;      /* wall-clock time of the run step */
    uint64_t output_bytes; /* bytes of output produced before truncation */
} tools_usage;

typedef struct tools_result {
    char *output;          /* malloc'd, NUL-terminated text for the model (never NULL after
                              tools_call); on error, the error message */
    size_t output_len;
    bool is_error;         /* the model should see this as a failed call */
    tools_decision decision;
    char reason[320];      /* the capability that allowed it ("allowed by read:/w/src") or
                              why it was denied / failed */
    tools_usage usage;
    bool output_truncated; /* output was cut to the output limit */
    bool is_external;      /* output carries content from outside the workspace (web) */
    int exit_code;         /* runner exit status when it has one, else 0 / 1 */
} tools_result;

void tools_result_free(tools_result *r); /* frees output; safe on a zeroed result */

struct tools_ctx;
struct tools_def;

/* What a runner receives for one call. */
typedef struct tools_run {
    const struct tools_ctx *ctx;
    const struct tools_def *def;
    const json_t *args;        /* validated arguments (an object) */
    const char *args_json;     /* the same, compact JSON text */
    policy_limits limits;      /* effective limits: manifest limits, tool defaults filled in
                                  (has_fuel/has_memory/has_timeout/has_output always true) */
} tools_run;

/* A runner fills out->output (malloc'd; tools_call adds "" if left NULL), out->is_error,
 * out->exit_code and out->usage (wall_ms and output_bytes are filled by tools_call if left 0).
 * A runner that refuses at enforcement time (e.g. egress after DNS) sets out->decision =
 * TOOLS_DENIED and out->reason. It must honour run->ctx->cancel and run->limits. */
typedef void (*tools_runner_fn)(const tools_run *run, tools_result *out);

/* Optional early policy decision for audit and refusal before running (e.g. the "path"
 * argument against read:/write: caps). NULL = allowed ("no capability needed"); the runner
 * still enforces. */
typedef policy_decision (*tools_decide_fn)(const tools_run *run);

typedef struct tools_def {
    const char *name;          /* [a-z_][a-z0-9_]*, unique in a registry */
    const char *description;   /* written for the model */
    const char *schema;        /* JSON Schema (object) of the arguments, as text */
    tools_perm perm;
    bool search;               /* offered at search-only too (glob, grep, list_dir, ...) */
    bool external;             /* results are external content (sets is_external) */
    tools_runner_kind kind;
    tools_runner_fn run;       /* jail/host runners; NULL for wasm */
    tools_decide_fn decide;    /* may be NULL */
    const void *data;          /* runner data (wasm: const char * module name) */
} tools_def;

/* True if `d` is offered at access level `a`:
 * search-only: perm none or flagged search; read-only: perm <= read; workspace-write:
 * perm <= write; full: everything. */
bool tools_offered(const tools_def *d, tools_access a);

/* ---------------------------------------------------------------- registry */

typedef struct tools_registry tools_registry;

/* The static built-in table (file tools, tool_search, and bash/run/web_fetch once their
 * layers exist). Never freed. */
const tools_registry *tools_registry_builtin(void);

/* A registry that starts as a copy of `base` (may be NULL = empty) so a caller (e.g. the
 * agent's manager mode) can add its own host tools. Definitions are borrowed, not copied:
 * they must outlive the registry. Add refuses a duplicate or malformed name, a schema that is
 * not an object or uses keywords the validator does not enforce, or a missing runner. */
tools_registry *tools_registry_new(const tools_registry *base);
bool tools_registry_add(tools_registry *r, const tools_def *def, char *err, size_t errlen);
void tools_registry_free(tools_registry *r);

size_t tools_registry_count(const tools_registry *r);
const tools_def *tools_registry_at(const tools_registry *r, size_t i);
const tools_def *tools_find(const tools_registry *r, const char *name); /* NULL if absent */

/* The tools offered at level `a`, in registry order. Writes up to `max` pointers to out and
 * returns how many are offered in total. */
size_t tools_list(const tools_registry *r, tools_access a, const tools_def **out, size_t max);

/* The offered tools as a JSON array of {"name","description","parameters"(schema object),
 * "permission"} — provider-neutral; the caller owns the reference. */
json_t *tools_list_json(const tools_registry *r, tools_access a);

/* ---------------------------------------------------------------- one call */

struct audit_log; /* from audit/audit.h */

typedef enum tools_event_kind {
    TOOLS_EVENT_START = 0, /* validated and allowed; about to run */
    TOOLS_EVENT_END,       /* finished (result is final, after truncation) */
} tools_event_kind;

/* Optional observer (the agent's event stream). Called on the calling thread. `result` is
 * NULL for START. */
typedef void (*tools_event_fn)(void *user, tools_event_kind kind, const char *tool,
                               const char *args_json, const tools_result *result);

typedef struct tools_ctx {
    const char *workspace;          /* absolute workspace root */
    const char *agent;              /* agent name (for audit); may be NULL */
    const char *session_id;         /* may be NULL */
    tools_access access;            /* the agent's access level */
    const policy_set *caps;         /* the agent's capabilities + limits (never NULL) */
    struct audit_log *audit;        /* may be NULL: no record */
    const atomic_bool *cancel;      /* may be NULL; when it becomes true a running call stops:
                                       wasm tools at their next checkpoint (each file, directory
                                       entry or read chunk; a single long regex match runs on
                                       to its fuel/time limit), web_fetch through egress; the
                                       jail's bash/run only at their timeout */
    tools_event_fn on_event;        /* may be NULL */
    void *event_user;
    const tools_registry *registry; /* NULL = tools_registry_builtin() */
} tools_ctx;

/* Defaults applied when the manifest sets no limit. */
#define TOOLS_DEFAULT_FUEL 2000000000ull      /* instructions */
#define TOOLS_DEFAULT_MEMORY (256ull << 20)   /* bytes of guest memory */
#define TOOLS_DEFAULT_TIMEOUT_MS 30000ull
#define TOOLS_DEFAULT_OUTPUT (256ull << 10)   /* bytes of result text */

/* Run one tool call as the agent loop does (steps above). Always fills *out (free with
 * tools_result_free). Returns true if the call was allowed and succeeded (!out->is_error). */
bool tools_call(const tools_ctx *ctx, const char *name, const char *args_json,
                tools_result *out);

/* ---------------------------------------------------------------- validation */

/* Validate `args` against the JSON Schema `schema` (the subset tools use: type, properties,
 * required, additionalProperties:false, enum, minimum/maximum, minLength/maxLength, items,
 * maxItems). On failure returns false and writes e.g.
 * `argument "limit": expected integer, got string` to err. */
bool tools_schema_validate(const json_t *schema, const json_t *args, char *err, size_t errlen);

/* True if `schema` uses only keywords tools_schema_validate enforces (plus annotations such as
 * description/title/default/examples); otherwise false and the offending keyword in err. */
bool tools_schema_check(const json_t *schema, char *err, size_t errlen);

/* Parse `args_json` strictly (duplicate keys refused, object at top level, size and depth
 * capped) and validate it against the schema text. On success *out holds the object. */
bool tools_args_parse(const char *schema_text, const char *args_json, json_t **out, char *err,
                      size_t errlen);

/* ---------------------------------------------------------------- helpers for runners */

/* Decide a path-carrying call: the string argument `arg` of run->args checked lexically with
 * policy_check_path for `access`. A missing argument means "." (the workspace). */
policy_decision tools_decide_path(const tools_run *run, const char *arg, policy_access access);

#endif
