/* assemble.c — builds the assistant message from streamed pieces (text deltas, tool calls keyed
 * by the provider's index, argument fragments) and forwards each piece as an llm_event; the
 * small helpers the providers share (errors, strict JSON parsing). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm/llm_internal.h"
#include "util/util.h"

#define MAX_BLOCKS 256
#define MAX_BLOCK_BYTES (16u << 20)

void llm_seterr(llm_error *e, llm_err_kind k, const char *fmt, ...)
{
    if (!e) return;
    e->kind = k;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
}

json_t *llm_json_parse(const char *s, size_t n)
{
    json_error_t je;
    return json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);
}

void llm_asm_init(llm_asm *a, const llm_request *req)
{
    memset(a, 0, sizeof *a);
    a->req = req;
    a->msg.role = LLM_ASSISTANT;
    a->text_block = -1;
}

void llm_asm_free(llm_asm *a)
{
    llm_message_free(&a->msg);
    for (size_t i = 0; i < a->nb; i++) buf_free(&a->bufs[i]);
    free(a->bufs);
    free(a->block_index);
    free(a->open);
    a->bufs = NULL;
    a->block_index = NULL;
    a->open = NULL;
    a->nb = 0;
}

static void emit(llm_asm *a, const llm_event *ev)
{
    a->delivered = true;
    if (a->req && a->req->on_event) a->req->on_event(a->req->user, ev);
}

static size_t new_block(llm_asm *a, llm_block_kind k, int index)
{
    a->bufs = xrealloc(a->bufs, (a->nb + 1) * sizeof *a->bufs);
    a->block_index = xrealloc(a->block_index, (a->nb + 1) * sizeof *a->block_index);
    a->open = xrealloc(a->open, (a->nb + 1) * sizeof *a->open);
    a->bufs[a->nb] = (buf)BUF_INIT;
    a->block_index[a->nb] = index;
    a->open[a->nb] = false;
    if (k == LLM_TEXT) llm_msg_add_text(&a->msg, "");
    else llm_msg_add_call(&a->msg, NULL, NULL, NULL);
    return a->nb++;
}

void llm_asm_text(llm_asm *a, const char *s, size_t n)
{
    if (!n) return;
    if (a->text_block < 0) {
        if (a->nb >= MAX_BLOCKS) return;
        a->text_block = (int)new_block(a, LLM_TEXT, -1);
    }
    buf *b = &a->bufs[a->text_block];
    if (b->len + n > MAX_BLOCK_BYTES) return;
    buf_append(b, s, n);
    llm_event ev = {.kind = LLM_EV_TEXT, .text = s, .len = n, .index = -1};
    emit(a, &ev);
}

static int find_tool(const llm_asm *a, int index)
{
    for (size_t i = a->nb; i-- > 0;)
        if (a->block_index[i] == index && a->msg.blocks[i].kind == LLM_TOOL_CALL) return (int)i;
    return -1;
}

bool llm_asm_has_tool(const llm_asm *a, int index) { return find_tool(a, index) >= 0; }

void llm_asm_tool_start(llm_asm *a, int index, const char *id, const char *name)
{
    if (a->nb >= MAX_BLOCKS || index < 0) return;
    a->text_block = -1;
    size_t k = new_block(a, LLM_TOOL_CALL, index);
    llm_block *b = &a->msg.blocks[k];
    free(b->id);
    free(b->name);
    b->id = id && *id ? xstrndup(id, 200) : xasprintf("call_%d", index);
    b->name = xstrndup(name ? name : "", 200);
    a->open[k] = true;
    llm_event ev = {.kind = LLM_EV_TOOL_START, .index = index, .id = b->id, .name = b->name};
    emit(a, &ev);
}

bool llm_asm_tool_args(llm_asm *a, int index, const char *s, size_t n)
{
    int k = find_tool(a, index);
    if (k < 0) return false;
    if (!n) return true;
    buf *b = &a->bufs[k];
    if (b->len + n > MAX_BLOCK_BYTES) return false;
    buf_append(b, s, n);
    llm_event ev = {.kind = LLM_EV_TOOL_ARGS, .index = index, .text = s, .len = n};
    emit(a, &ev);
    return true;
}

void llm_asm_tool_end(llm_asm *a, int index)
{
    int k = find_tool(a, index);
    if (k < 0 || !a->open[k]) return;
    a->open[k] = false;
    llm_event ev = {.kind = LLM_EV_TOOL_END, .index = index};
    emit(a, &ev);
}

void llm_asm_finish(llm_asm *a, llm_response *resp)
{
    bool calls = false;
    for (size_t i = 0; i < a->nb; i++) {
        llm_block *b = &a->msg.blocks[i];
        if (b->kind == LLM_TOOL_CALL) {
            calls = true;
            if (a->open[i]) llm_asm_tool_end(a, a->block_index[i]);
            free(b->args);
            b->args = a->bufs[i].len ? xstrdup(a->bufs[i].data) : xstrdup("{}");
        } else {
            free(b->text);
            b->text = xstrdup(a->bufs[i].len ? a->bufs[i].data : "");
        }
    }
    if (!a->have_stop) a->stop = calls ? LLM_STOP_TOOL_USE : LLM_STOP_END;
    if (calls && a->stop == LLM_STOP_END) a->stop = LLM_STOP_TOOL_USE;
    llm_event ev = {.kind = LLM_EV_MESSAGE_END, .stop = a->stop, .usage = a->usage, .index = -1};
    emit(a, &ev);
    resp->msg = a->msg;
    memset(&a->msg, 0, sizeof a->msg);
    resp->usage = a->usage;
    resp->stop = a->stop;
    a->done = true;
}
