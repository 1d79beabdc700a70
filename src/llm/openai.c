/* openai.c — the OpenAI-compatible chat-completions provider (OpenAI, DeepSeek, OpenRouter,
 * vLLM, llama.cpp server, Ollama): POST {base}/v1/chat/completions with "tools", streamed
 * "chat.completion.chunk" events (delta.content, delta.tool_calls keyed by index, finish_reason,
 * a final usage chunk with stream_options.include_usage, "data: [DONE]"), or a non-streamed
 * "chat.completion" object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm/llm_internal.h"
#include "util/util.h"

#define JSON_BODY_MAX (32u << 20)

typedef struct oa {
    llm_provider *p;
    const llm_request *req;
    llm_response *resp;
    llm_asm as;
    llm_sse sse;
    buf json;
    bool saw_done, saw_finish, failed, retryable;
    llm_error perr;
} oa;

static const char *jstr(const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* "arguments" is a JSON string by the spec; a few servers send the object itself. */
static char *args_text(json_t *fn)
{
    json_t *a = json_object_get(fn, "arguments");
    if (json_is_string(a)) return xstrdup(json_string_value(a));
    if (json_is_object(a)) return json_dumps(a, JSON_COMPACT);
    return NULL;
}

static llm_stop map_finish(const char *f)
{
    if (!strcmp(f, "stop")) return LLM_STOP_END;
    if (!strcmp(f, "tool_calls") || !strcmp(f, "function_call")) return LLM_STOP_TOOL_USE;
    if (!strcmp(f, "length")) return LLM_STOP_MAX_TOKENS;
    if (!strcmp(f, "content_filter")) return LLM_STOP_REFUSAL;
    return LLM_STOP_OTHER;
}

static void take_usage(oa *s, json_t *u)
{
    if (!json_is_object(u)) return;
    json_t *in = json_object_get(u, "prompt_tokens"), *out = json_object_get(u, "completion_tokens");
    if (json_is_integer(in) && json_integer_value(in) >= 0) s->as.usage.input = (uint64_t)json_integer_value(in);
    if (json_is_integer(out) && json_integer_value(out) >= 0) s->as.usage.output = (uint64_t)json_integer_value(out);
    json_t *c = json_object_get(json_object_get(u, "prompt_tokens_details"), "cached_tokens");
    if (json_is_integer(c) && json_integer_value(c) >= 0) s->as.usage.cached = (uint64_t)json_integer_value(c);
}

static bool fail(oa *s, llm_err_kind k, bool retryable, const char *msg)
{
    if (!s->failed) {
        s->failed = true;
        s->retryable = retryable;
        llm_seterr(&s->perr, k, "%s", msg);
    }
    return false;
}

static bool stream_error(oa *s, json_t *e)
{
    json_t *wrap = json_pack("{s:O}", "error", e);
    char *body = wrap ? json_dumps(wrap, JSON_COMPACT) : NULL;
    json_decref(wrap);
    char msg[400] = "";
    bool over = false, ctx = false;
    if (body) llm_error_body(body, msg, sizeof msg, &over, &ctx);
    free(body);
    char m2[480];
    snprintf(m2, sizeof m2, "the provider reported an error mid-stream: %s", msg);
    return fail(s, over ? LLM_ERR_OVERLOADED : ctx ? LLM_ERR_CONTEXT : LLM_ERR_PROTOCOL, over, m2);
}

static bool on_chunk(oa *s, json_t *j)
{
    json_t *e = json_object_get(j, "error");
    if (e) return stream_error(s, e);
    take_usage(s, json_object_get(j, "usage"));
    json_t *choices = json_object_get(j, "choices");
    if (choices && !json_is_array(choices))
        return fail(s, LLM_ERR_PROTOCOL, false, "malformed stream event: \"choices\" is not an array");
    json_t *ch = json_array_get(choices, 0);
    if (!ch) return true;
    json_t *delta = json_object_get(ch, "delta");
    const char *content = jstr(delta, "content");
    if (content) llm_asm_text(&s->as, content, strlen(content));
    json_t *tcs = json_object_get(delta, "tool_calls");
    if (tcs && !json_is_array(tcs))
        return fail(s, LLM_ERR_PROTOCOL, false, "malformed stream event: \"tool_calls\" is not an array");
    size_t i;
    json_t *tc;
    json_array_foreach(tcs, i, tc)
    {
        json_t *ix = json_object_get(tc, "index");
        int index = json_is_integer(ix) ? (int)json_integer_value(ix) : (int)i;
        if (index < 0 || index > 255)
            return fail(s, LLM_ERR_PROTOCOL, false, "malformed stream event: tool_calls index out of range");
        json_t *fn = json_object_get(tc, "function");
        const char *name = jstr(fn, "name");
        char *args = args_text(fn);
        const char *id = jstr(tc, "id");
        if (!llm_asm_has_tool(&s->as, index)) llm_asm_tool_start(&s->as, index, id, name);
        bool fit = !args || llm_asm_tool_args(&s->as, index, args, strlen(args));
        free(args);
        if (!fit) return fail(s, LLM_ERR_PROTOCOL, false, "tool-call arguments too large");
    }
    const char *fin = jstr(ch, "finish_reason");
    if (fin) {
        s->saw_finish = true;
        s->as.have_stop = true;
        s->as.stop = map_finish(fin);
    }
    return true;
}

static bool on_event(void *u, const char *event, const char *data, size_t len)
{
    oa *s = u;
    (void)event;
    if (s->failed) return false;
    if (len == 6 && !memcmp(data, "[DONE]", 6)) {
        s->saw_done = true;
        return true;
    }
    json_t *j = llm_json_parse(data, len);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        return fail(s, LLM_ERR_PROTOCOL, !s->as.delivered, "malformed JSON in a stream event");
    }
    bool ok = on_chunk(s, j);
    json_decref(j);
    return ok;
}

static bool on_body(void *u, const char *d, size_t n, bool is_json)
{
    oa *s = u;
    if (is_json) {
        if (s->json.len + n > JSON_BODY_MAX)
            return fail(s, LLM_ERR_PROTOCOL, false, "response body too large");
        buf_append(&s->json, d, n);
        return true;
    }
    llm_sse_feed(&s->sse, d, n);
    return !s->failed;
}

static bool parse_full(oa *s)
{
    json_t *j = llm_json_parse(s->json.data ? s->json.data : "", s->json.len);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        return fail(s, LLM_ERR_PROTOCOL, true, "malformed JSON response");
    }
    json_t *e = json_object_get(j, "error");
    if (e) {
        bool r = stream_error(s, e);
        json_decref(j);
        return r;
    }
    take_usage(s, json_object_get(j, "usage"));
    json_t *ch = json_array_get(json_object_get(j, "choices"), 0);
    json_t *m = json_object_get(ch, "message");
    if (!json_is_object(m)) {
        json_decref(j);
        return fail(s, LLM_ERR_PROTOCOL, false, "response has no choices[0].message");
    }
    const char *content = jstr(m, "content");
    if (content) llm_asm_text(&s->as, content, strlen(content));
    size_t i;
    json_t *tc;
    json_array_foreach(json_object_get(m, "tool_calls"), i, tc)
    {
        json_t *fn = json_object_get(tc, "function");
        char *args = args_text(fn);
        llm_asm_tool_start(&s->as, (int)i, jstr(tc, "id"), jstr(fn, "name"));
        if (args) llm_asm_tool_args(&s->as, (int)i, args, strlen(args));
        free(args);
    }
    const char *fin = jstr(ch, "finish_reason");
    if (fin) {
        s->as.have_stop = true;
        s->as.stop = map_finish(fin);
    }
    json_decref(j);
    return true;
}

static bool finish(void *u, llm_error *err, bool *retryable)
{
    oa *s = u;
    if (!s->failed && s->json.len) parse_full(s);
    else if (!s->failed) {
        llm_sse_end(&s->sse);
        if (!s->failed && !s->saw_done && !s->saw_finish)
            fail(s, LLM_ERR_PROTOCOL, true,
                 "the stream ended before the response was complete (no finish_reason or [DONE])");
    }
    if (s->failed) {
        *err = s->perr;
        *retryable = s->retryable && !s->as.delivered;
        return false;
    }
    llm_asm_finish(&s->as, s->resp);
    return true;
}

static void reset(void *u)
{
    oa *s = u;
    llm_asm_free(&s->as);
    llm_asm_init(&s->as, s->req);
    llm_sse_free(&s->sse);
    llm_sse_init(&s->sse, on_event, s);
    buf_free(&s->json);
    s->saw_done = s->saw_finish = s->failed = s->retryable = false;
}

static char *join_text(const llm_message *m)
{
    buf b = BUF_INIT;
    for (size_t i = 0; i < m->nblocks; i++)
        if (m->blocks[i].kind == LLM_TEXT) {
            if (b.len) buf_putc(&b, '\n');
            buf_puts(&b, m->blocks[i].text ? m->blocks[i].text : "");
        }
    return b.len ? buf_steal(&b) : (buf_free(&b), NULL);
}

static json_t *build_body(const llm_provider *p, const llm_request *req)
{
    json_t *msgs = json_array();
    if (req->conv->system && *req->conv->system)
        json_array_append_new(msgs, json_pack("{s:s,s:s}", "role", "system", "content",
                                              req->conv->system));
    for (size_t i = 0; i < req->conv->n; i++) {
        const llm_message *m = &req->conv->msgs[i];
        char *text = join_text(m);
        if (m->role == LLM_USER) {
            json_array_append_new(msgs, json_pack("{s:s,s:s}", "role", "user", "content",
                                                  text ? text : ""));
        } else if (m->role == LLM_ASSISTANT) {
            json_t *o = json_pack("{s:s}", "role", "assistant");
            json_object_set_new(o, "content", text ? json_string(text) : json_null());
            json_t *calls = json_array();
            for (size_t k = 0; k < m->nblocks; k++) {
                const llm_block *b = &m->blocks[k];
                if (b->kind != LLM_TOOL_CALL) continue;
                json_array_append_new(
                    calls, json_pack("{s:s,s:s,s:{s:s,s:s}}", "id", b->id, "type", "function",
                                     "function", "name", b->name, "arguments",
                                     b->args ? b->args : "{}"));
            }
            if (json_array_size(calls)) json_object_set_new(o, "tool_calls", calls);
            else json_decref(calls);
            json_array_append_new(msgs, o);
        } else {
            for (size_t k = 0; k < m->nblocks; k++) {
                const llm_block *b = &m->blocks[k];
                if (b->kind != LLM_TOOL_RESULT) continue;
                char *t = b->is_error ? xasprintf("Error: %s", b->text) : xstrdup(b->text);
                json_array_append_new(msgs, json_pack("{s:s,s:s,s:s}", "role", "tool",
                                                      "tool_call_id", b->id, "content", t));
                free(t);
            }
        }
        free(text);
    }
    json_t *body = json_pack("{s:s,s:o}", "model", p->model, "messages", msgs);
    if (req->tools && json_array_size(req->tools) && req->purpose == LLM_PURPOSE_TURN) {
        json_t *tools = json_array();
        size_t i;
        json_t *t;
        json_array_foreach(req->tools, i, t)
        {
            json_t *fn = json_object();
            json_object_set(fn, "name", json_object_get(t, "name"));
            json_object_set(fn, "description", json_object_get(t, "description"));
            json_t *params = json_object_get(t, "parameters");
            json_object_set(fn, "parameters", params ? params : json_pack("{s:s}", "type", "object"));
            if (!params) json_decref(json_object_get(fn, "parameters"));
            json_array_append_new(tools, json_pack("{s:s,s:o}", "type", "function", "function", fn));
        }
        json_object_set_new(body, "tools", tools);
    }
    if (req->max_tokens) /* OpenAI itself wants the newer name (reasoning models refuse the
                            old one); compatible servers know "max_tokens" */
        json_object_set_new(body,
                            strstr(p->base_url, "://api.openai.com") ? "max_completion_tokens"
                                                                     : "max_tokens",
                            json_integer((json_int_t)req->max_tokens));
    if (!p->o.no_stream) {
        json_object_set_new(body, "stream", json_true());
        json_object_set_new(body, "stream_options", json_pack("{s:b}", "include_usage", 1));
    }
    return body;
}

static bool oa_complete(llm_provider *p, const llm_request *req, llm_response *resp, llm_error *err)
{
    memset(resp, 0, sizeof *resp);
    oa s = {.p = p, .req = req, .resp = resp};
    llm_asm_init(&s.as, req);
    llm_sse_init(&s.sse, on_event, &s);
    llm_http_call c = {.cancel = req->cancel, .on_body = on_body, .finish = finish, .reset = reset,
                       .user = &s, .delivered = &s.as.delivered};
    bool ok = llm_post_json(p, "/v1/chat/completions", build_body(p, req), NULL,
                            "Authorization: Bearer %s", &c, err);
    llm_asm_free(&s.as);
    llm_sse_free(&s.sse);
    buf_free(&s.json);
    return ok;
}

bool llm_openai_init(llm_provider *p, llm_error *err)
{
    (void)err;
    p->complete = oa_complete;
    return true;
}
