/* anthropic.c — the Anthropic messages provider: POST {base}/v1/messages with x-api-key and
 * anthropic-version: 2023-06-01; tool_use / tool_result content blocks; the streamed event types
 * message_start, content_block_start, content_block_delta (text_delta, input_json_delta),
 * content_block_stop, message_delta, message_stop, ping and error; or a non-streamed message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm/llm_internal.h"
#include "util/util.h"

#define JSON_BODY_MAX (32u << 20)
#define DEFAULT_MAX_TOKENS 8192

typedef struct an {
    llm_provider *p;
    const llm_request *req;
    llm_response *resp;
    llm_asm as;
    llm_sse sse;
    buf json;
    bool saw_stop, saw_start, failed, retryable;
    uint64_t in_plain, in_read, in_create; /* input tokens: uncached, cache read, cache write */
    llm_error perr;
} an;

static const char *jstr(const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool fail(an *s, llm_err_kind k, bool retryable, const char *fmt, const char *arg)
{
    if (!s->failed) {
        s->failed = true;
        s->retryable = retryable;
        llm_seterr(&s->perr, k, fmt, arg);
    }
    return false;
}

static llm_stop map_stop(const char *r)
{
    if (!strcmp(r, "end_turn") || !strcmp(r, "stop_sequence")) return LLM_STOP_END;
    if (!strcmp(r, "tool_use")) return LLM_STOP_TOOL_USE;
    if (!strcmp(r, "max_tokens")) return LLM_STOP_MAX_TOKENS;
    if (!strcmp(r, "refusal")) return LLM_STOP_REFUSAL;
    return LLM_STOP_OTHER;
}

static void take_usage(an *s, json_t *u)
{
    if (!json_is_object(u)) return;
    json_t *v;
    /* each field may come in message_start and again (cumulative) in message_delta */
    if (json_is_integer(v = json_object_get(u, "input_tokens")) && json_integer_value(v) > 0)
        s->in_plain = (uint64_t)json_integer_value(v);
    if (json_is_integer(v = json_object_get(u, "cache_read_input_tokens")) &&
        json_integer_value(v) > 0)
        s->in_read = (uint64_t)json_integer_value(v);
    if (json_is_integer(v = json_object_get(u, "cache_creation_input_tokens")) &&
        json_integer_value(v) > 0)
        s->in_create = (uint64_t)json_integer_value(v);
    if (json_is_integer(v = json_object_get(u, "output_tokens")) && json_integer_value(v) >= 0)
        s->as.usage.output = (uint64_t)json_integer_value(v);
    s->as.usage.input = s->in_plain + s->in_read + s->in_create;
    s->as.usage.cached = s->in_read;
}

static bool error_event(an *s, json_t *j)
{
    json_t *e = json_object_get(j, "error");
    const char *type = jstr(e, "type"), *msg = jstr(e, "message");
    char m[400];
    snprintf(m, sizeof m, "%.300s [%.60s]", msg ? msg : "(no message)", type ? type : "error");
    for (char *q = m; *q; q++)
        if ((unsigned char)*q < 0x20) *q = ' ';
    bool over = type && (strstr(type, "overloaded") || strstr(type, "api_error"));
    bool ctx = msg && (strstr(msg, "too long") || strstr(msg, "context"));
    return fail(s, over ? LLM_ERR_OVERLOADED : ctx ? LLM_ERR_CONTEXT : LLM_ERR_PROTOCOL, over,
                "the provider reported an error mid-stream: %s", m);
}

static bool block_start(an *s, int index, json_t *cb)
{
    const char *type = jstr(cb, "type");
    if (!type) return fail(s, LLM_ERR_PROTOCOL, false, "%s", "content_block_start without a type");
    if (!strcmp(type, "text")) {
        const char *t = jstr(cb, "text");
        if (t) llm_asm_text(&s->as, t, strlen(t));
    } else if (!strcmp(type, "tool_use")) {
        llm_asm_tool_start(&s->as, index, jstr(cb, "id"), jstr(cb, "name"));
    } /* thinking, redacted_thinking, server tools: not part of the conversation we keep */
    return true;
}

static bool on_json_event(an *s, json_t *j)
{
    const char *type = jstr(j, "type");
    if (!type) return fail(s, LLM_ERR_PROTOCOL, false, "%s", "stream event without a type");
    json_t *ix = json_object_get(j, "index");
    int index = json_is_integer(ix) ? (int)json_integer_value(ix) : -1;
    if (!strcmp(type, "message_start")) {
        s->saw_start = true;
        take_usage(s, json_object_get(json_object_get(j, "message"), "usage"));
    } else if (!strcmp(type, "content_block_start")) {
        if (index < 0 || index > 255)
            return fail(s, LLM_ERR_PROTOCOL, false, "%s", "content_block_start: bad index");
        return block_start(s, index, json_object_get(j, "content_block"));
    } else if (!strcmp(type, "content_block_delta")) {
        json_t *d = json_object_get(j, "delta");
        const char *dt = jstr(d, "type");
        if (!dt) return fail(s, LLM_ERR_PROTOCOL, false, "%s", "content_block_delta without a type");
        if (!strcmp(dt, "text_delta")) {
            const char *t = jstr(d, "text");
            if (t) llm_asm_text(&s->as, t, strlen(t));
        } else if (!strcmp(dt, "input_json_delta")) {
            const char *t = jstr(d, "partial_json");
            if (!llm_asm_has_tool(&s->as, index))
                return fail(s, LLM_ERR_PROTOCOL, false, "%s",
                            "input_json_delta for a block that is not a tool_use");
            if (t && !llm_asm_tool_args(&s->as, index, t, strlen(t)))
                return fail(s, LLM_ERR_PROTOCOL, false, "%s", "tool input too large");
        }
    } else if (!strcmp(type, "content_block_stop")) {
        llm_asm_tool_end(&s->as, index);
    } else if (!strcmp(type, "message_delta")) {
        const char *r = jstr(json_object_get(j, "delta"), "stop_reason");
        if (r) {
            s->as.have_stop = true;
            s->as.stop = map_stop(r);
        }
        take_usage(s, json_object_get(j, "usage"));
    } else if (!strcmp(type, "message_stop")) {
        s->saw_stop = true;
    } else if (!strcmp(type, "error")) {
        return error_event(s, j);
    } /* ping and unknown future event types are ignored, as the API asks */
    return true;
}

static bool on_event(void *u, const char *event, const char *data, size_t len)
{
    an *s = u;
    (void)event;
    if (s->failed) return false;
    json_t *j = llm_json_parse(data, len);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        return fail(s, LLM_ERR_PROTOCOL, !s->as.delivered, "%s", "malformed JSON in a stream event");
    }
    bool ok = on_json_event(s, j);
    json_decref(j);
    return ok;
}

static bool on_body(void *u, const char *d, size_t n, bool is_json)
{
    an *s = u;
    if (is_json) {
        if (s->json.len + n > JSON_BODY_MAX)
            return fail(s, LLM_ERR_PROTOCOL, false, "%s", "response body too large");
        buf_append(&s->json, d, n);
        return true;
    }
    llm_sse_feed(&s->sse, d, n);
    return !s->failed;
}

static bool parse_full(an *s)
{
    json_t *j = llm_json_parse(s->json.data ? s->json.data : "", s->json.len);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        return fail(s, LLM_ERR_PROTOCOL, true, "%s", "malformed JSON response");
    }
    const char *type = jstr(j, "type");
    if (type && !strcmp(type, "error")) {
        bool r = error_event(s, j);
        json_decref(j);
        return r;
    }
    take_usage(s, json_object_get(j, "usage"));
    json_t *content = json_object_get(j, "content");
    if (!json_is_array(content)) {
        json_decref(j);
        return fail(s, LLM_ERR_PROTOCOL, false, "%s", "response has no content array");
    }
    size_t i;
    json_t *b;
    json_array_foreach(content, i, b)
    {
        const char *bt = jstr(b, "type");
        if (bt && !strcmp(bt, "text") && jstr(b, "text"))
            llm_asm_text(&s->as, jstr(b, "text"), strlen(jstr(b, "text")));
        else if (bt && !strcmp(bt, "tool_use")) {
            llm_asm_tool_start(&s->as, (int)i, jstr(b, "id"), jstr(b, "name"));
            char *in = json_dumps(json_object_get(b, "input"), JSON_COMPACT | JSON_ENCODE_ANY);
            if (in) llm_asm_tool_args(&s->as, (int)i, in, strlen(in));
            free(in);
            llm_asm_tool_end(&s->as, (int)i);
        }
    }
    const char *r = jstr(j, "stop_reason");
    if (r) {
        s->as.have_stop = true;
        s->as.stop = map_stop(r);
    }
    json_decref(j);
    return true;
}

static bool finish(void *u, llm_error *err, bool *retryable)
{
    an *s = u;
    if (!s->failed && s->json.len) parse_full(s);
    else if (!s->failed) {
        llm_sse_end(&s->sse);
        if (!s->failed && !s->saw_stop)
            fail(s, LLM_ERR_PROTOCOL, true, "%s",
                 "the stream ended before the response was complete (no message_stop)");
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
    an *s = u;
    llm_asm_free(&s->as);
    llm_asm_init(&s->as, s->req);
    llm_sse_free(&s->sse);
    llm_sse_init(&s->sse, on_event, s);
    buf_free(&s->json);
    s->saw_stop = s->saw_start = s->failed = s->retryable = false;
    s->in_plain = s->in_read = s->in_create = 0;
}

static void push(json_t *msgs, const char *role, json_t *content)
{
    if (!json_array_size(content)) {
        json_decref(content);
        return;
    }
    json_t *last = json_array_get(msgs, json_array_size(msgs) - 1);
    if (last && !strcmp(jstr(last, "role"), role)) {
        json_array_extend(json_object_get(last, "content"), content);
        json_decref(content);
        return;
    }
    json_array_append_new(msgs, json_pack("{s:s,s:o}", "role", role, "content", content));
}

static json_t *build_body(const llm_provider *p, const llm_request *req)
{
    json_t *msgs = json_array();
    for (size_t i = 0; i < req->conv->n; i++) {
        const llm_message *m = &req->conv->msgs[i];
        json_t *content = json_array();
        for (size_t k = 0; k < m->nblocks; k++) {
            const llm_block *b = &m->blocks[k];
            if (b->kind == LLM_TEXT && b->text && *b->text)
                json_array_append_new(content, json_pack("{s:s,s:s}", "type", "text", "text", b->text));
            else if (b->kind == LLM_TOOL_CALL) {
                json_error_t je;
                json_t *in = json_loads(b->args ? b->args : "{}", 0, &je);
                if (!json_is_object(in)) {
                    json_decref(in);
                    in = json_object();
                }
                json_array_append_new(content, json_pack("{s:s,s:s,s:s,s:o}", "type", "tool_use",
                                                         "id", b->id, "name", b->name, "input", in));
            } else if (b->kind == LLM_TOOL_RESULT)
                json_array_append_new(content,
                                      json_pack("{s:s,s:s,s:s,s:b}", "type", "tool_result",
                                                "tool_use_id", b->id, "content", b->text,
                                                "is_error", b->is_error));
        }
        push(msgs, m->role == LLM_ASSISTANT ? "assistant" : "user", content);
    }
    json_t *body = json_pack("{s:s,s:I,s:o}", "model", p->model, "max_tokens",
                             (json_int_t)(req->max_tokens ? req->max_tokens : DEFAULT_MAX_TOKENS),
                             "messages", msgs);
    /* prompt caching: breakpoints after the tools, the system prompt and the newest message,
     * so each turn of a long loop re-reads the shared prefix from the cache */
    if (req->conv->system && *req->conv->system)
        json_object_set_new(body, "system",
                            json_pack("[{s:s,s:s,s:{s:s}}]", "type", "text", "text",
                                      req->conv->system, "cache_control", "type", "ephemeral"));
    json_t *lastm = json_array_get(msgs, json_array_size(msgs) - 1);
    json_t *lastc = json_object_get(lastm, "content");
    json_t *lastb = json_array_get(lastc, json_array_size(lastc) - 1);
    if (json_is_object(lastb))
        json_object_set_new(lastb, "cache_control", json_pack("{s:s}", "type", "ephemeral"));
    if (req->tools && json_array_size(req->tools) && req->purpose == LLM_PURPOSE_TURN) {
        json_t *tools = json_array();
        size_t i;
        json_t *t;
        json_array_foreach(req->tools, i, t)
        {
            json_t *o = json_object();
            json_object_set(o, "name", json_object_get(t, "name"));
            json_object_set(o, "description", json_object_get(t, "description"));
            json_t *params = json_object_get(t, "parameters");
            if (params) json_object_set(o, "input_schema", params);
            else json_object_set_new(o, "input_schema", json_pack("{s:s}", "type", "object"));
            json_array_append_new(tools, o);
        }
        json_t *lt = json_array_get(tools, json_array_size(tools) - 1);
        if (lt) json_object_set_new(lt, "cache_control", json_pack("{s:s}", "type", "ephemeral"));
        json_object_set_new(body, "tools", tools);
    }
    if (!p->o.no_stream) json_object_set_new(body, "stream", json_true());
    return body;
}

static bool an_complete(llm_provider *p, const llm_request *req, llm_response *resp, llm_error *err)
{
    memset(resp, 0, sizeof *resp);
    an s = {.p = p, .req = req, .resp = resp};
    llm_asm_init(&s.as, req);
    llm_sse_init(&s.sse, on_event, &s);
    llm_http_call c = {.cancel = req->cancel, .on_body = on_body, .finish = finish, .reset = reset,
                       .user = &s, .delivered = &s.as.delivered};
    bool ok = llm_post_json(p, "/v1/messages", build_body(p, req), "anthropic-version: 2023-06-01",
                            "x-api-key: %s", &c, err);
    llm_asm_free(&s.as);
    llm_sse_free(&s.sse);
    buf_free(&s.json);
    return ok;
}

bool llm_anthropic_init(llm_provider *p, llm_error *err)
{
    (void)err;
    p->complete = an_complete;
    return true;
}
