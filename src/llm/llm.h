/* llm.h — provider-neutral model conversations and streaming, and the providers that speak
 * each vendor's wire format: OpenAI-compatible chat completions, Anthropic messages, and a
 * scripted provider (replays a file of turns; for tests and demos without an API key).
 *
 * A conversation is a system prompt plus messages; a message has a role and content blocks
 * (text, tool call {id, name, JSON arguments}, tool result {id, text, is_error}). A completion
 * streams events (text delta, tool-call start / argument delta / end, message end) to a
 * callback on the calling thread and returns the assembled assistant message, usage and stop
 * reason. Providers hold no global state: each llm_provider may be used by one thread at a
 * time; create one per session/executor. Cancellation: set *req->cancel from any thread.
 * API keys are never written to errors or logs.
 */
#ifndef BOXAGENT_LLM_H
#define BOXAGENT_LLM_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- conversation */

typedef enum llm_role { LLM_USER = 0, LLM_ASSISTANT, LLM_TOOL } llm_role;

typedef enum llm_block_kind { LLM_TEXT = 0, LLM_TOOL_CALL, LLM_TOOL_RESULT } llm_block_kind;

typedef struct llm_block {
    llm_block_kind kind;
    char *text;      /* TEXT: the text; TOOL_RESULT: the result text */
    char *id;        /* TOOL_CALL / TOOL_RESULT: the call id */
    char *name;      /* TOOL_CALL: tool name */
    char *args;      /* TOOL_CALL: JSON arguments as text (may be invalid JSON from the model) */
    bool is_error;   /* TOOL_RESULT */
} llm_block;

typedef struct llm_message {
    llm_role role;
    llm_block *blocks;
    size_t nblocks;
} llm_message;

typedef struct llm_conv {
    char *system;
    llm_message *msgs;
    size_t n;
} llm_conv;

void llm_conv_init(llm_conv *c, const char *system);
void llm_conv_free(llm_conv *c);
void llm_message_free(llm_message *m);
llm_message llm_message_clone(const llm_message *m);
/* Append copies of blocks to a new message / move a message in (m is reset). */
void llm_conv_add_text(llm_conv *c, llm_role role, const char *text);
void llm_conv_push(llm_conv *c, llm_message *m);
/* Block builders on a message. */
void llm_msg_add_text(llm_message *m, const char *text);
void llm_msg_add_call(llm_message *m, const char *id, const char *name, const char *args);
void llm_msg_add_result(llm_message *m, const char *id, const char *text, bool is_error);
/* Remove messages [from, to) (freeing them). */
void llm_conv_remove(llm_conv *c, size_t from, size_t to);
void llm_conv_insert(llm_conv *c, size_t at, llm_message *m);

/* Serialised form (stored in SQLite, sent by the gateway):
 * {"role":"assistant","content":[{"type":"text","text":"..."},
 *   {"type":"tool_call","id":"..","name":"..","arguments":"{...}"},
 *   {"type":"tool_result","id":"..","text":"..","is_error":false}]} */
json_t *llm_message_to_json(const llm_message *m);
bool llm_message_from_json(const json_t *j, llm_message *out, char *err, size_t errlen);
const char *llm_role_name(llm_role r);
/* Rough token estimate of a conversation (chars/4), used when a provider reports no usage. */
uint64_t llm_conv_estimate_tokens(const llm_conv *c);

/* ---------------------------------------------------------------- completion */

/* Tokens. `input` counts the whole prompt, cached part included (providers that report cache
 * reads separately, like Anthropic, are normalised); `cached` is the part read from a cache. */
typedef struct llm_usage {
    uint64_t input, output, cached;
} llm_usage;

typedef enum llm_stop {
    LLM_STOP_END = 0,     /* the model finished its answer */
    LLM_STOP_TOOL_USE,    /* the model wants tool results */
    LLM_STOP_MAX_TOKENS,  /* output limit reached */
    LLM_STOP_REFUSAL,     /* content filter / refusal */
    LLM_STOP_OTHER,
} llm_stop;
const char *llm_stop_name(llm_stop s);

typedef enum llm_event_kind {
    LLM_EV_TEXT = 0,     /* text delta (text/len: UTF-8, may end mid-character only if the
                            server split it so; providers deliver whole SSE events) */
    LLM_EV_TOOL_START,   /* index, id, name */
    LLM_EV_TOOL_ARGS,    /* index, text/len: argument JSON fragment */
    LLM_EV_TOOL_END,     /* index */
    LLM_EV_MESSAGE_END,  /* stop, usage */
} llm_event_kind;

typedef struct llm_event {
    llm_event_kind kind;
    int index;
    const char *text;
    size_t len;
    const char *id, *name;
    llm_stop stop;
    llm_usage usage;
} llm_event;

typedef void (*llm_event_fn)(void *user, const llm_event *ev);

typedef enum llm_purpose { LLM_PURPOSE_TURN = 0, LLM_PURPOSE_SUMMARY } llm_purpose;

typedef struct llm_request {
    const llm_conv *conv;
    const json_t *tools;        /* array of {"name","description","parameters"} or NULL */
    uint64_t max_tokens;        /* 0 = provider default */
    llm_purpose purpose;        /* SUMMARY: a compaction request (no tools) */
    llm_event_fn on_event;      /* may be NULL */
    void *user;
    const atomic_bool *cancel;  /* may be NULL */
} llm_request;

typedef struct llm_response {
    llm_message msg; /* role ASSISTANT: text and tool-call blocks in the model's order */
    llm_usage usage;
    llm_stop stop;
} llm_response;
void llm_response_free(llm_response *r);

typedef enum llm_err_kind {
    LLM_OK = 0,
    LLM_ERR_CONFIG,     /* missing key, bad base URL, unreadable script */
    LLM_ERR_NETWORK,    /* could not connect / transfer failed (after retries) */
    LLM_ERR_AUTH,       /* 401/403: bad or missing API key */
    LLM_ERR_NOT_FOUND,  /* 404: unknown model or wrong base URL */
    LLM_ERR_CONTEXT,    /* the conversation is too long for the model */
    LLM_ERR_RATE,       /* 429 after retries */
    LLM_ERR_OVERLOADED, /* 5xx / overloaded after retries */
    LLM_ERR_REQUEST,    /* other 4xx */
    LLM_ERR_PROTOCOL,   /* malformed or truncated stream */
    LLM_ERR_STALLED,    /* no bytes for stall_timeout_ms */
    LLM_ERR_CANCELLED,
    LLM_ERR_SCRIPT,     /* script provider: exhausted or a scripted failure */
} llm_err_kind;

typedef struct llm_error {
    llm_err_kind kind;
    int http_status;  /* 0 when not HTTP */
    int attempts;     /* requests made */
    char message[512];
} llm_error;
const char *llm_err_name(llm_err_kind k);

/* ---------------------------------------------------------------- providers */

typedef struct llm_options {
    const char *type;        /* "openai", "anthropic", "script" */
    const char *model;       /* model name (script: path of the script file) */
    const char *base_url;    /* NULL: env OPENAI_BASE_URL / ANTHROPIC_BASE_URL or the default */
    const char *api_key;     /* NULL: from api_key_env or the conventional variable */
    const char *api_key_env; /* NULL: OPENAI_API_KEY / ANTHROPIC_API_KEY */
    int max_retries;         /* default 4 */
    uint64_t retry_base_ms;  /* default 500 */
    uint64_t retry_cap_ms;   /* cap on one wait, including retry-after; default 30000 */
    uint64_t stall_timeout_ms;   /* default 60000 */
    uint64_t connect_timeout_ms; /* default 15000 */
    bool no_stream;          /* ask for a non-streamed response */
    uint64_t context_window; /* tokens; 0 = a per-provider default guess */
} llm_options;

typedef struct llm_provider llm_provider;

/* Create a provider. false + err on bad options (e.g. no API key: the message names the
 * variable, never a value). */
llm_provider *llm_provider_new(const llm_options *o, llm_error *err);
void llm_provider_free(llm_provider *p);
const char *llm_provider_type(const llm_provider *p);
const char *llm_provider_model(const llm_provider *p);
uint64_t llm_provider_context_window(const llm_provider *p);

/* One completion. Returns true and fills *resp, or false with *err (resp zeroed). Events are
 * delivered only once: a retry happens only before any event was delivered. */
bool llm_complete(llm_provider *p, const llm_request *req, llm_response *resp, llm_error *err);

/* Split "provider/model" (model may contain further slashes, e.g. "script/path/to/file").
 * Returns malloc'd parts; false if malformed. */
bool llm_split_model(const char *spec, char **provider, char **model);

#endif
