/* message.c — the provider-neutral conversation: building, copying, removing messages and
 * their JSON form (as stored in SQLite and sent to the dashboard). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm/llm.h"
#include "util/util.h"

static char *dup0(const char *s) { return s ? xstrdup(s) : NULL; }

void llm_conv_init(llm_conv *c, const char *system)
{
    memset(c, 0, sizeof *c);
    c->system = dup0(system);
}

static void block_free(llm_block *b)
{
    free(b->text);
    free(b->id);
    free(b->name);
    free(b->args);
}

void llm_message_free(llm_message *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->nblocks; i++) block_free(&m->blocks[i]);
    free(m->blocks);
    m->blocks = NULL;
    m->nblocks = 0;
}

void llm_conv_free(llm_conv *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) llm_message_free(&c->msgs[i]);
    free(c->msgs);
    free(c->system);
    memset(c, 0, sizeof *c);
}

llm_message llm_message_clone(const llm_message *m)
{
    llm_message r = {.role = m->role, .nblocks = m->nblocks};
    r.blocks = m->nblocks ? xcalloc(m->nblocks, sizeof *r.blocks) : NULL;
    for (size_t i = 0; i < m->nblocks; i++) {
        const llm_block *b = &m->blocks[i];
        r.blocks[i] = (llm_block){b->kind, dup0(b->text), dup0(b->id), dup0(b->name),
                                  dup0(b->args), b->is_error};
    }
    return r;
}

static llm_block *add_block(llm_message *m, llm_block_kind k)
{
    m->blocks = xrealloc(m->blocks, (m->nblocks + 1) * sizeof *m->blocks);
    llm_block *b = &m->blocks[m->nblocks++];
    memset(b, 0, sizeof *b);
    b->kind = k;
    return b;
}

void llm_msg_add_text(llm_message *m, const char *text)
{
    add_block(m, LLM_TEXT)->text = xstrdup(text ? text : "");
}

void llm_msg_add_call(llm_message *m, const char *id, const char *name, const char *args)
{
    llm_block *b = add_block(m, LLM_TOOL_CALL);
    b->id = xstrdup(id ? id : "");
    b->name = xstrdup(name ? name : "");
    b->args = xstrdup(args && *args ? args : "{}");
}

void llm_msg_add_result(llm_message *m, const char *id, const char *text, bool is_error)
{
    llm_block *b = add_block(m, LLM_TOOL_RESULT);
    b->id = xstrdup(id ? id : "");
    b->text = xstrdup(text ? text : "");
    b->is_error = is_error;
}

void llm_conv_push(llm_conv *c, llm_message *m)
{
    c->msgs = xrealloc(c->msgs, (c->n + 1) * sizeof *c->msgs);
    c->msgs[c->n++] = *m;
    memset(m, 0, sizeof *m);
}

void llm_conv_add_text(llm_conv *c, llm_role role, const char *text)
{
    llm_message m = {.role = role};
    llm_msg_add_text(&m, text);
    llm_conv_push(c, &m);
}

void llm_conv_remove(llm_conv *c, size_t from, size_t to)
{
    if (to > c->n) to = c->n;
    if (from >= to) return;
    for (size_t i = from; i < to; i++) llm_message_free(&c->msgs[i]);
    memmove(&c->msgs[from], &c->msgs[to], (c->n - to) * sizeof *c->msgs);
    c->n -= to - from;
}

void llm_conv_insert(llm_conv *c, size_t at, llm_message *m)
{
    if (at > c->n) at = c->n;
    c->msgs = xrealloc(c->msgs, (c->n + 1) * sizeof *c->msgs);
    memmove(&c->msgs[at + 1], &c->msgs[at], (c->n - at) * sizeof *c->msgs);
    c->msgs[at] = *m;
    c->n++;
    memset(m, 0, sizeof *m);
}

const char *llm_role_name(llm_role r)
{
    switch (r) {
    case LLM_USER: return "user";
    case LLM_ASSISTANT: return "assistant";
    case LLM_TOOL: return "tool";
    }
    return "?";
}

const char *llm_stop_name(llm_stop s)
{
    static const char *const n[] = {"end", "tool_use", "max_tokens", "refusal", "other"};
    return (unsigned)s < 5 ? n[s] : "?";
}

const char *llm_err_name(llm_err_kind k)
{
    static const char *const n[] = {"ok",        "config",  "network",    "auth",     "not_found",
                                    "context",   "rate",    "overloaded", "request",  "protocol",
                                    "stalled",   "cancelled", "script"};
    return (unsigned)k < sizeof n / sizeof n[0] ? n[k] : "?";
}

json_t *llm_message_to_json(const llm_message *m)
{
    json_t *content = json_array();
    for (size_t i = 0; i < m->nblocks; i++) {
        const llm_block *b = &m->blocks[i];
        json_t *o;
        if (b->kind == LLM_TEXT)
            o = json_pack("{s:s,s:s}", "type", "text", "text", b->text ? b->text : "");
        else if (b->kind == LLM_TOOL_CALL)
            o = json_pack("{s:s,s:s,s:s,s:s}", "type", "tool_call", "id", b->id ? b->id : "",
                          "name", b->name ? b->name : "", "arguments", b->args ? b->args : "{}");
        else
            o = json_pack("{s:s,s:s,s:s,s:b}", "type", "tool_result", "id", b->id ? b->id : "",
                          "text", b->text ? b->text : "", "is_error", b->is_error);
        if (o) json_array_append_new(content, o);
    }
    return json_pack("{s:s,s:o}", "role", llm_role_name(m->role), "content", content);
}

static const char *jstr(const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

bool llm_message_from_json(const json_t *j, llm_message *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(j)) {
        snprintf(err, errlen, "message: expected an object");
        return false;
    }
    const char *role = jstr(j, "role");
    if (!role) {
        snprintf(err, errlen, "message.role: missing");
        return false;
    }
    if (!strcmp(role, "user")) out->role = LLM_USER;
    else if (!strcmp(role, "assistant")) out->role = LLM_ASSISTANT;
    else if (!strcmp(role, "tool")) out->role = LLM_TOOL;
    else {
        snprintf(err, errlen, "message.role: unknown role \"%.40s\"", role);
        return false;
    }
    json_t *content = json_object_get(j, "content");
    if (!json_is_array(content)) {
        snprintf(err, errlen, "message.content: expected an array");
        return false;
    }
    size_t i;
    json_t *b;
    json_array_foreach(content, i, b)
    {
        const char *type = jstr(b, "type");
        if (type && !strcmp(type, "text") && jstr(b, "text")) {
            llm_msg_add_text(out, jstr(b, "text"));
        } else if (type && !strcmp(type, "tool_call") && jstr(b, "id") && jstr(b, "name")) {
            llm_msg_add_call(out, jstr(b, "id"), jstr(b, "name"), jstr(b, "arguments"));
        } else if (type && !strcmp(type, "tool_result") && jstr(b, "id")) {
            llm_msg_add_result(out, jstr(b, "id"), jstr(b, "text"),
                               json_is_true(json_object_get(b, "is_error")));
        } else {
            snprintf(err, errlen, "message.content[%zu]: malformed block", i);
            llm_message_free(out);
            return false;
        }
    }
    return true;
}

uint64_t llm_conv_estimate_tokens(const llm_conv *c)
{
    uint64_t chars = c->system ? strlen(c->system) : 0;
    for (size_t i = 0; i < c->n; i++)
        for (size_t k = 0; k < c->msgs[i].nblocks; k++) {
            const llm_block *b = &c->msgs[i].blocks[k];
            chars += 8 + (b->text ? strlen(b->text) : 0) + (b->args ? strlen(b->args) : 0) +
                     (b->name ? strlen(b->name) : 0);
        }
    return chars / 4 + 1;
}

void llm_response_free(llm_response *r)
{
    if (!r) return;
    llm_message_free(&r->msg);
    memset(r, 0, sizeof *r);
}

bool llm_split_model(const char *spec, char **provider, char **model)
{
    *provider = *model = NULL;
    if (!spec) return false;
    const char *slash = strchr(spec, '/');
    if (!slash || slash == spec || !slash[1] || slash - spec > 64) return false;
    *provider = xstrndup(spec, (size_t)(slash - spec));
    *model = xstrdup(slash + 1);
    return true;
}
