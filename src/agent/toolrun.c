/* toolrun.c — runs the tool calls of one model turn through tools_call: consecutive calls of
 * tools with permission none/read run in parallel threads (up to opts.parallel); write and
 * execute calls run alone, in order. Results keep the model's order, and every call gets a
 * result (so calls and results stay paired even when cancelled). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent_internal.h"
#include "util/util.h"

typedef struct job {
    agent *a;
    const llm_block *call;
    tools_ctx ctx;
    tools_result res;
    bool ran;
} job;

static void *run_job(void *u)
{
    job *j = u;
    tools_call(&j->ctx, j->call->name, j->call->args ? j->call->args : "{}", &j->res);
    j->ran = true;
    return NULL;
}

/* Tool output may hold any bytes; the conversation and the event stream need valid UTF-8 without
 * NULs: invalid sequences become U+FFFD, NUL becomes a space. */
static char *utf8_clean(const char *s, size_t n)
{
    char *o = xmalloc(n * 3 + 1);
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        bool ok = len && i + len <= n;
        for (size_t k = 1; ok && k < len; k++) ok = ((unsigned char)s[i + k] >> 6) == 2;
        if (ok && len == 2) ok = c >= 0xC2;
        if (ok && len == 3) {
            unsigned cp = ((c & 0xFu) << 12) | (((unsigned char)s[i + 1] & 0x3Fu) << 6);
            ok = cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF);
        }
        if (ok && len == 4) {
            unsigned cp = ((c & 7u) << 18) | (((unsigned char)s[i + 1] & 0x3Fu) << 12);
            ok = cp >= 0x10000 && cp <= 0x10FFFF;
        }
        if (!ok) {
            memcpy(o + w, "\xEF\xBF\xBD", 3);
            w += 3;
            i++;
            continue;
        }
        if (c == 0) o[w++] = ' ';
        else memcpy(o + w, s + i, len), w += len;
        i += len;
    }
    o[w] = 0;
    return o;
}

static bool parallel_ok(const agent *a, const char *name)
{
    const tools_registry *r = a->o.registry ? a->o.registry : tools_registry_builtin();
    const tools_def *d = tools_find(r, name);
    return d && d->perm <= TOOLS_PERM_READ;
}

static const char *decision_name(tools_decision d)
{
    return d == TOOLS_ALLOWED ? "allowed" : d == TOOLS_DENIED ? "denied" : "error";
}

void agent_run_tools(agent *a, const llm_message *msg, llm_message *out, int *ncalls,
                     int *denied)
{
    memset(out, 0, sizeof *out);
    out->role = LLM_TOOL;
    size_t n = 0;
    for (size_t i = 0; i < msg->nblocks; i++) n += msg->blocks[i].kind == LLM_TOOL_CALL;
    if (!n) return;
    job *jobs = xcalloc(n, sizeof *jobs);
    size_t k = 0;
    for (size_t i = 0; i < msg->nblocks; i++) {
        if (msg->blocks[i].kind != LLM_TOOL_CALL) continue;
        job *j = &jobs[k++];
        j->a = a;
        j->call = &msg->blocks[i];
        j->ctx = (tools_ctx){.workspace = a->workspace,
                             .agent = a->name,
                             .session_id = a->has_session ? a->session : a->parent_session,
                             .access = a->o.access,
                             .caps = a->caps,
                             .audit = a->o.audit,
                             .cancel = &a->cancel,
                             .registry = a->o.registry};
    }
    int par = a->o.parallel > 0 ? a->o.parallel : 4;
    pthread_t *th = xcalloc(n, sizeof *th);
    bool *started = xcalloc(n, sizeof *started);
    for (size_t i = 0; i < n;) {
        if (atomic_load(&a->cancel)) break;
        size_t end = i + 1;
        if (parallel_ok(a, jobs[i].call->name))
            while (end < n && end - i < (size_t)par && parallel_ok(a, jobs[end].call->name)) end++;
        for (size_t t = i; t < end; t++) { /* the calls of this group, then their results */
            agent_event ce = {.kind = AGENT_EV_TOOL_CALL, .call_id = jobs[t].call->id,
                              .tool = jobs[t].call->name, .args = jobs[t].call->args};
            agent_emit(a, &ce);
        }
        if (end - i == 1) {
            run_job(&jobs[i]);
        } else {
            for (size_t t = i; t < end; t++)
                started[t] = pthread_create(&th[t], NULL, run_job, &jobs[t]) == 0;
            for (size_t t = i; t < end; t++) {
                if (started[t]) pthread_join(th[t], NULL);
                else run_job(&jobs[t]); /* no thread available: run here */
            }
        }
        for (size_t t = i; t < end; t++) {
            job *j = &jobs[t];
            char *clean = utf8_clean(j->res.output ? j->res.output : "",
                                     j->res.output ? j->res.output_len : 0);
            free(j->res.output);
            j->res.output = clean;
            j->res.output_len = strlen(clean);
            if (ncalls) (*ncalls)++;
            if (j->res.decision == TOOLS_DENIED && denied) (*denied)++;
            agent_event ev = {.kind = AGENT_EV_TOOL_RESULT,
                              .call_id = j->call->id,
                              .tool = j->call->name,
                              .args = j->call->args,
                              .decision = decision_name(j->res.decision),
                              .reason = j->res.reason,
                              .output = j->res.output ? j->res.output : "",
                              .output_len = j->res.output ? j->res.output_len : 0,
                              .is_error = j->res.is_error};
            agent_emit(a, &ev);
        }
        i = end;
    }
    for (size_t i = 0; i < n; i++) {
        job *j = &jobs[i];
        if (j->ran) {
            const char *text = j->res.output ? j->res.output : "";
            if (j->res.decision == TOOLS_DENIED) {
                char *t = xasprintf("DENIED by the runtime (final; do not retry or work around "
                                    "it): %s", j->res.reason);
                llm_msg_add_result(out, j->call->id, t, true);
                free(t);
            } else
                llm_msg_add_result(out, j->call->id, text, j->res.is_error);
        } else {
            llm_msg_add_result(out, j->call->id, "cancelled before it ran", true);
        }
        tools_result_free(&j->res);
    }
    free(started);
    free(th);
    free(jobs);
}
