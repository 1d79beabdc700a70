/* gw_api_sessions.c — /api/v1/sessions: create, list, get (with messages), rename, delete,
 * send a message (starts a turn), follow its events (SSE), cancel; and /api/v1/usage. */
#include <stdlib.h>
#include <string.h>

#include "agent/config.h"
#include "audit/audit.h"
#include "gateway/gw_internal.h"
#include "gateway/gw_live.h"
#include "store/store.h"
#include "util/util.h"

static json_t *session_json(gw_server *gw, const store_session *s)
{
    bool running = gw_live_running(gw->live, s->id);
    return json_pack("{s:s,s:s?,s:s?,s:s?,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "id", s->id, "title",
                     s->title, "agent", s->agent, "model", s->model, "status",
                     running ? "running" : (s->status ? s->status : "idle"), "created",
                     (json_int_t)s->created_ms, "updated", (json_int_t)s->updated_ms,
                     "input_tokens", (json_int_t)s->input_tokens, "output_tokens",
                     (json_int_t)s->output_tokens, "cached_tokens", (json_int_t)s->cached_tokens,
                     "turns", (json_int_t)s->turns, "messages", (json_int_t)s->nmessages);
}

static gw_reply store_failure(char *err)
{
    gw_reply rep = (err && !strncmp(err, "no session", 10))
                       ? gw_error(404, "not_found", "%s", err)
                       : gw_error(500, "store_error", "%s", err ? err : "database error");
    free(err);
    return rep;
}

typedef struct list_ctx {
    gw_server *gw;
    json_t *arr;
} list_ctx;

static int add_session(const store_session *s, void *ctx)
{
    list_ctx *c = ctx;
    json_array_append_new(c->arr, session_json(c->gw, s));
    return json_array_size(c->arr) >= 1000;
}

static gw_reply create_session(gw_request *r)
{
    gw_reply err;
    json_t *body = r->body.len ? gw_body_object(r, &err) : json_object();
    if (!body) return err;
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v) {
        gw_reply bad = {0};
        if (strcmp(key, "agent") && strcmp(key, "title"))
            bad = gw_error(400, "bad_request", "unknown field \"%s\" (allowed: agent, title)", key);
        else if (!json_is_string(v) || json_string_length(v) > 200)
            bad = gw_error(400, "bad_request", "\"%s\" must be a string of at most 200 bytes", key);
        if (bad.status) {
            json_decref(body);
            return bad;
        }
    }
    const char *agent = json_string_value(json_object_get(body, "agent"));
    const char *title = json_string_value(json_object_get(body, "title"));
    agent_config_errors errs = {0};
    agent_config *c = agent_config_load(r->gw->workspace, &errs);
    if (!c) {
        gw_reply e = gw_error(500, "invalid_config", "%s",
                              errs.n ? errs.msgs[0] : "invalid configuration");
        agent_config_errors_free(&errs);
        json_decref(body);
        return e;
    }
    if (!agent) agent = c->default_agent;
    const agent_def *d = agent ? agent_config_find(c, agent) : NULL;
    if (!d) {
        gw_reply e = gw_error(400, "bad_agent", "no agent named %s", agent ? agent : "(none)");
        agent_config_free(c);
        json_decref(body);
        return e;
    }
    char id[STORE_ID_MAX];
    char *serr = NULL;
    store *st = gw_live_store(r->gw->live);
    gw_reply rep;
    if (!store_session_create(st, d->name, d->model, title, id, &serr)) {
        rep = store_failure(serr);
    } else {
        store_session s = {0};
        if (store_session_get(st, id, &s, &serr)) {
            rep = gw_json(201, json_pack("{s:o}", "session", session_json(r->gw, &s)));
            store_session_free(&s);
        } else {
            rep = store_failure(serr);
        }
    }
    agent_config_free(c);
    json_decref(body);
    return rep;
}

static gw_reply get_session(gw_request *r, const char *id)
{
    store *st = gw_live_store(r->gw->live);
    store_session s = {0};
    char *err = NULL;
    if (!store_session_get(st, id, &s, &err)) return store_failure(err);
    llm_conv conv;
    llm_conv_init(&conv, NULL);
    gw_reply rep;
    if (!store_load(st, id, &conv, &err)) {
        rep = store_failure(err);
    } else {
        json_t *msgs = json_array();
        for (size_t i = 0; i < conv.n; i++)
            json_array_append_new(msgs, llm_message_to_json(&conv.msgs[i]));
        rep = gw_json(200, json_pack("{s:o,s:o,s:I}", "session", session_json(r->gw, &s),
                                     "messages", msgs, "last_event",
                                     (json_int_t)gw_live_last_seq(r->gw->live, id)));
    }
    llm_conv_free(&conv);
    store_session_free(&s);
    return rep;
}

static gw_reply send_message(gw_request *r, const char *id)
{
    gw_reply err;
    json_t *body = gw_body_object(r, &err);
    if (!body) return err;
    json_t *text = json_object_get(body, "text");
    if (json_object_size(body) != 1 || !json_is_string(text) || !json_string_length(text)) {
        json_decref(body);
        return gw_error(400, "bad_request", "body must be {\"text\": \"<non-empty message>\"}");
    }
    unsigned status = 500;
    char msg[256];
    uint64_t after = gw_live_last_seq(r->gw->live, id);
    bool ok = gw_live_start_turn(r->gw->live, id, json_string_value(text), &status, msg, sizeof msg);
    json_decref(body);
    if (!ok)
        return gw_error(status, status == 409 ? "busy" : status == 404 ? "not_found" : "turn_failed",
                        "%s", msg);
    const char *accept = gw_header(r, "Accept");
    if (accept && strstr(accept, "text/event-stream")) {
        gw_reply rep = {.status = 200, .resp = gw_live_stream(r->gw->live, id, after)};
        return rep;
    }
    char *events = xasprintf("/api/v1/sessions/%s/events?after=%llu", id, (unsigned long long)after);
    gw_reply rep = gw_json(202, json_pack("{s:s,s:s}", "status", "running", "events", events));
    free(events);
    return rep;
}

gw_reply gw_api_sessions(gw_request *r, const char *rest)
{
    gw_server *gw = r->gw;
    if (!*rest) {
        if (!strcmp(r->method, "POST")) return create_session(r);
        if (strcmp(r->method, "GET")) return gw_error(405, "method_not_allowed", "use GET or POST");
        list_ctx c = {gw, json_array()};
        char *err = NULL;
        if (!store_session_list(gw_live_store(gw->live), add_session, &c, &err)) {
            json_decref(c.arr);
            return store_failure(err);
        }
        return gw_json(200, json_pack("{s:o}", "sessions", c.arr));
    }
    char id[STORE_ID_MAX + 1];
    const char *p = rest + 1, *slash = strchr(p, '/');
    size_t n = slash ? (size_t)(slash - p) : strlen(p);
    if (n == 0 || n > STORE_ID_MAX - 1) return gw_error(400, "bad_id", "invalid session id");
    memcpy(id, p, n);
    id[n] = '\0';
    if (!store_valid_id(id)) return gw_error(400, "bad_id", "invalid session id");
    const char *sub = slash ? slash : "";
    char *err = NULL;
    if (!*sub) {
        if (!strcmp(r->method, "GET")) return get_session(r, id);
        if (!strcmp(r->method, "DELETE")) {
            if (gw_live_running(gw->live, id))
                return gw_error(409, "busy", "a turn is running; cancel it first");
            if (!store_session_delete(gw_live_store(gw->live), id, &err)) return store_failure(err);
            return gw_json(200, json_pack("{s:b}", "deleted", 1));
        }
        if (!strcmp(r->method, "PATCH")) {
            gw_reply e;
            json_t *body = gw_body_object(r, &e);
            if (!body) return e;
            json_t *t = json_object_get(body, "title");
            if (json_object_size(body) != 1 || !json_is_string(t) || json_string_length(t) > 200) {
                json_decref(body);
                return gw_error(400, "bad_request", "body must be {\"title\": \"...\"} (≤200 bytes)");
            }
            bool ok = store_session_rename(gw_live_store(gw->live), id, json_string_value(t), &err);
            json_decref(body);
            if (!ok) return store_failure(err);
            return get_session(r, id);
        }
        return gw_error(405, "method_not_allowed", "use GET, PATCH or DELETE");
    }
    if (!strcmp(sub, "/messages")) {
        if (strcmp(r->method, "POST")) return gw_error(405, "method_not_allowed", "use POST");
        return send_message(r, id);
    }
    if (!strcmp(sub, "/cancel")) {
        if (strcmp(r->method, "POST")) return gw_error(405, "method_not_allowed", "use POST");
        bool was = gw_live_cancel(gw->live, id);
        return gw_json(200, json_pack("{s:b}", "cancelled", was));
    }
    if (!strcmp(sub, "/events")) {
        if (strcmp(r->method, "GET")) return gw_error(405, "method_not_allowed", "use GET");
        store_session s = {0};
        if (!store_session_get(gw_live_store(gw->live), id, &s, &err)) return store_failure(err);
        store_session_free(&s);
        uint64_t after = 0;
        const char *a = gw_query(r, "after");
        const char *last = gw_header(r, "Last-Event-ID");
        if (a && *a && !util_parse_u64(a, &after))
            return gw_error(400, "bad_request", "after must be a whole number");
        if (!a && last && !util_parse_u64(last, &after))
            return gw_error(400, "bad_request", "Last-Event-ID must be a whole number");
        gw_reply rep = {.status = 200, .resp = gw_live_stream(gw->live, id, after)};
        return rep;
    }
    return gw_error(404, "not_found", "no session endpoint %s", sub);
}

/* ------------------------------------------------------------------ usage */

typedef struct usage_ctx {
    uint64_t sessions, in, out, cached, turns;
} usage_ctx;

static int sum_session(const store_session *s, void *ctx)
{
    usage_ctx *u = ctx;
    u->sessions++;
    u->in += s->input_tokens;
    u->out += s->output_tokens;
    u->cached += s->cached_tokens;
    u->turns += s->turns;
    return 0;
}

typedef struct calls_ctx {
    uint64_t calls, denied;
} calls_ctx;

static int count_call(const audit_record *r, void *ctx)
{
    calls_ctx *c = ctx;
    c->calls++;
    if (r->decision == AUDIT_DENIED) c->denied++;
    return 0;
}

gw_reply gw_api_usage(gw_request *r)
{
    if (strcmp(r->method, "GET")) return gw_error(405, "method_not_allowed", "use GET");
    usage_ctx u = {0};
    char *err = NULL;
    if (!store_session_list(gw_live_store(r->gw->live), sum_session, &u, &err))
        return store_failure(err);
    calls_ctx c = {0};
    audit_log *h = audit_open(r->gw->workspace, &err);
    if (h) {
        if (!audit_list(h, NULL, count_call, &c, &err)) free(err);
        audit_close(h);
    } else {
        free(err);
    }
    return gw_json(200, json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "sessions", (json_int_t)u.sessions,
                                  "turns", (json_int_t)u.turns, "input_tokens", (json_int_t)u.in,
                                  "output_tokens", (json_int_t)u.out, "cached_tokens",
                                  (json_int_t)u.cached, "tool_calls", (json_int_t)c.calls,
                                  "denied_calls", (json_int_t)c.denied));
}
