/* event.c — the agent's event stream as JSON objects (the `--json` lines of the CLI and the
 * server-sent events of the gateway), and the observer dispatch. */
#include <string.h>

#include "agent/agent_internal.h"

static const char *const kind_names[] = {"turn_start", "text",      "tool_call", "tool_result",
                                         "usage",      "turn_end",  "guard",     "compacted",
                                         "error",      "done"};

const char *agent_outcome_name(agent_outcome o)
{
    static const char *const n[] = {"done", "limit", "cancelled", "error"};
    return (unsigned)o < 4 ? n[o] : "?";
}

static void set_str(json_t *o, const char *k, const char *v)
{
    if (v) json_object_set_new(o, k, json_string(v));
}

static void set_strn(json_t *o, const char *k, const char *v, size_t n)
{
    if (v) json_object_set_new(o, k, json_stringn(v, n));
}

static json_t *usage_json(llm_usage u)
{
    return json_pack("{s:I,s:I,s:I}", "input", (json_int_t)u.input, "output", (json_int_t)u.output,
                     "cached", (json_int_t)u.cached);
}

json_t *agent_event_to_json(const agent_event *ev)
{
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string((unsigned)ev->kind < 10 ? kind_names[ev->kind] : "?"));
    set_str(o, "agent", ev->agent);
    set_str(o, "session", ev->session);
    json_object_set_new(o, "turn", json_integer(ev->turn));
    if (ev->seq) json_object_set_new(o, "seq", json_integer((json_int_t)ev->seq));
    switch (ev->kind) {
    case AGENT_EV_TEXT:
    case AGENT_EV_ERROR:
    case AGENT_EV_COMPACTED: set_strn(o, "text", ev->text, ev->len); break;
    case AGENT_EV_TOOL_CALL:
        set_str(o, "id", ev->call_id);
        set_str(o, "tool", ev->tool);
        set_str(o, "arguments", ev->args);
        break;
    case AGENT_EV_TOOL_RESULT:
        set_str(o, "id", ev->call_id);
        set_str(o, "tool", ev->tool);
        set_str(o, "arguments", ev->args);
        set_str(o, "decision", ev->decision);
        set_str(o, "reason", ev->reason);
        set_strn(o, "output", ev->output, ev->output_len);
        json_object_set_new(o, "is_error", json_boolean(ev->is_error));
        break;
    case AGENT_EV_USAGE:
        json_object_set_new(o, "usage", usage_json(ev->usage));
        json_object_set_new(o, "total", usage_json(ev->total));
        break;
    case AGENT_EV_TURN_END: set_str(o, "stop", llm_stop_name(ev->stop)); break;
    case AGENT_EV_GUARD:
        set_str(o, "guard", ev->guard);
        set_strn(o, "text", ev->text, ev->len);
        json_object_set_new(o, "stopped", json_boolean(ev->stopped));
        break;
    case AGENT_EV_DONE:
        set_str(o, "outcome", agent_outcome_name(ev->outcome));
        set_strn(o, "text", ev->text, ev->len);
        json_object_set_new(o, "total", usage_json(ev->total));
        break;
    default: break;
    }
    return o;
}

void agent_emit(agent *a, agent_event *ev)
{
    if (!a->o.on_event) return;
    ev->agent = a->name;
    ev->session = a->has_session ? a->session : a->parent_session;
    if (!ev->turn) ev->turn = a->turn;
    if (ev->text && !ev->len) ev->len = strlen(ev->text);
    if (ev->output && !ev->output_len) ev->output_len = strlen(ev->output);
    ev->total = a->total;
    pthread_mutex_lock(&a->ev_mu);
    ev->seq = ++a->seq;
    a->o.on_event(a->o.event_user, ev);
    pthread_mutex_unlock(&a->ev_mu);
}
