/* llm_internal.h — shared between the provider implementations in src/llm/ only: the provider
 * vtable, the response assembler, the SSE parser and the HTTP transport with retries. */
#ifndef BOXAGENT_LLM_INTERNAL_H
#define BOXAGENT_LLM_INTERNAL_H

#include <curl/curl.h>

#include "llm/llm.h"
#include "util/buf.h"

struct llm_provider {
    const char *type;
    char *model;
    char *base_url;
    char *api_key;
    llm_options o;  /* numeric options with defaults filled in; string fields unused */
    uint64_t context_window;
    void *impl;     /* provider-specific state (script) */
    bool (*complete)(llm_provider *p, const llm_request *req, llm_response *resp, llm_error *err);
    void (*free_impl)(void *impl);
};

void llm_seterr(llm_error *e, llm_err_kind k, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Assembles a streamed assistant message and forwards events. Tool calls are keyed by the
 * provider's index; blocks keep the order in which they started. */
typedef struct llm_asm {
    const llm_request *req;
    llm_message msg;
    int *block_index;   /* provider index of each block (-1 for text blocks) */
    buf *bufs;          /* text / args accumulated per block */
    bool *open;         /* tool call started and not yet ended */
    size_t nb;
    int text_block;     /* block currently collecting text, -1 none */
    llm_usage usage;
    bool have_stop;
    llm_stop stop;
    bool delivered;     /* any event forwarded */
    bool done;          /* message end seen */
} llm_asm;

void llm_asm_init(llm_asm *a, const llm_request *req);
void llm_asm_free(llm_asm *a);
void llm_asm_text(llm_asm *a, const char *s, size_t n);
/* index: the provider's tool index; id/name may be NULL for a continuation. Returns the block. */
void llm_asm_tool_start(llm_asm *a, int index, const char *id, const char *name);
bool llm_asm_tool_args(llm_asm *a, int index, const char *s, size_t n);
void llm_asm_tool_end(llm_asm *a, int index);
bool llm_asm_has_tool(const llm_asm *a, int index);
/* Ends open tool calls, emits MESSAGE_END, moves the message into resp. */
void llm_asm_finish(llm_asm *a, llm_response *resp);

/* Server-sent events: feed bytes, get (event, data) per dispatched event. */
typedef bool (*llm_sse_fn)(void *user, const char *event, const char *data, size_t len);
typedef struct llm_sse {
    buf line, data, event;
    llm_sse_fn fn;
    void *user;
    bool stop; /* the handler returned false */
    bool skip_lf;
} llm_sse;
void llm_sse_init(llm_sse *s, llm_sse_fn fn, void *user);
void llm_sse_free(llm_sse *s);
void llm_sse_feed(llm_sse *s, const char *p, size_t n);
void llm_sse_end(llm_sse *s); /* dispatch a pending event at EOF */

/* HTTP POST of a JSON body with retries. The body of a 2xx response is passed to `on_body`
 * chunk by chunk (streamed) once the status is known; non-2xx bodies are collected and
 * turned into an error by `classify`. `on_body` returns false to abort. After the transfer,
 * `finish` decides success (e.g. stream complete). Retries happen only if `*delivered` is
 * still false. */
typedef struct llm_http_call {
    llm_provider *p;
    const char *url;
    struct curl_slist *headers;
    const char *body;
    const atomic_bool *cancel;
    bool (*on_body)(void *user, const char *data, size_t n, bool is_json);
    /* after a 2xx transfer ended normally: true = done; false + err (retryable flag) */
    bool (*finish)(void *user, llm_error *err, bool *retryable);
    void (*reset)(void *user); /* before a retry */
    /* a non-2xx response body -> message (provider specific JSON shapes) */
    void (*error_message)(const char *body, char *out, size_t outlen, bool *overloaded,
                          bool *context);
    void *user;
    const bool *delivered;
} llm_http_call;

bool llm_http_post(llm_http_call *c, llm_error *err);
/* POST `body` (consumed) as JSON to the provider's base URL + `path`, asking for a stream
 * unless no_stream, with `extra_header` (may be NULL) and the API key sent as `key_fmt`
 * (e.g. "x-api-key: %s"; omitted without a key). `c` carries the callbacks; url, headers and
 * body are filled here. The copy of the key is wiped afterwards. */
bool llm_post_json(llm_provider *p, const char *path, json_t *body, const char *extra_header,
                   const char *key_fmt, llm_http_call *c, llm_error *err);
/* The error JSON shapes of OpenAI ({"error":{"message","type","code"}}), Anthropic
 * ({"type":"error","error":{"type","message"}}) and others ({"error":"..."}, {"detail":..}). */
void llm_error_body(const char *body, char *out, size_t outlen, bool *overloaded, bool *context);
/* Parse JSON text; NULL on error. */
json_t *llm_json_parse(const char *s, size_t n);

/* Replace any occurrence of the key (or a prefix of >= 8 chars of it) in s by [redacted]. */
void llm_redact(char *s, size_t cap, const char *key);

/* Join base URL and path, avoiding a doubled "/v1". Caller frees. */
char *llm_join_url(const char *base, const char *path);

bool llm_openai_init(llm_provider *p, llm_error *err);
bool llm_anthropic_init(llm_provider *p, llm_error *err);
bool llm_script_init(llm_provider *p, llm_error *err);

#endif
