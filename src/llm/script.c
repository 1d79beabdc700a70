/* script.c — the scripted provider: replays a file of model turns, for tests and for demos that
 * need no API key. It streams like a real provider (text in small deltas, tool-call arguments
 * in fragments) and reports usage.
 *
 * Format (one directive per line; blank lines and lines starting with '#' are ignored):
 *   turn                     start the next model turn
 *   turn when "SUBSTRING"    ... taken only if the previous tool results contain SUBSTRING,
 *   turn unless "SUBSTRING"  ... or do not contain it; a turn not taken is skipped for good
 *   say TEXT                 text of the answer (several say lines are joined with newlines)
 *   call NAME {JSON}         a tool call (ids are generated: call_<turn>_<n>)
 *   usage IN OUT             tokens to report (default: estimated from lengths)
 *   sleep MS                 wait before answering (cancellable; for cancellation tests)
 *   fail MESSAGE             the provider fails with MESSAGE instead of answering
 * "Previous tool results" are the results in the conversation's last message when it is a tool
 * message (otherwise empty). A summary request (compaction) is answered without using a turn.
 * A resumed conversation is replayed against the script to find where it left off.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "llm/llm_internal.h"
#include "util/util.h"

typedef struct sc_call {
    char *name, *args;
} sc_call;

typedef struct sc_turn {
    int cond;    /* 0 always, 1 when, -1 unless */
    char *match;
    buf text;
    sc_call *calls;
    size_t ncalls;
    bool has_usage;
    uint64_t in, out;
    uint64_t sleep_ms;
    char *fail;
    int line;
} sc_turn;

typedef struct script {
    char *path;
    sc_turn *turns;
    size_t n;
    size_t cursor;
    bool started;
} script;

static void script_free(void *u)
{
    script *s = u;
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) {
        sc_turn *t = &s->turns[i];
        free(t->match);
        buf_free(&t->text);
        for (size_t k = 0; k < t->ncalls; k++) {
            free(t->calls[k].name);
            free(t->calls[k].args);
        }
        free(t->calls);
        free(t->fail);
    }
    free(s->turns);
    free(s->path);
    free(s);
}

static bool quoted(const char *p, char **out)
{
    while (*p == ' ') p++;
    if (*p != '"') return false;
    const char *end = strrchr(p + 1, '"');
    if (!end || end == p) return false;
    *out = xstrndup(p + 1, (size_t)(end - p - 1));
    return true;
}

static bool parse(script *s, char *text, llm_error *err)
{
    int ln = 0;
    sc_turn *cur = NULL;
    for (char *line = text, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = 0;
        ln++;
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r') line[--l] = 0;
        while (*line == ' ' || *line == '\t') line++;
        if (!*line || *line == '#') continue;
        char *arg = strchr(line, ' ');
        size_t kw = arg ? (size_t)(arg - line) : strlen(line);
        if (arg) arg++;
        else arg = line + strlen(line);
#define KW(w) (kw == strlen(w) && !strncmp(line, w, kw))
        if (KW("turn")) {
            s->turns = xrealloc(s->turns, (s->n + 1) * sizeof *s->turns);
            cur = &s->turns[s->n++];
            memset(cur, 0, sizeof *cur);
            cur->line = ln;
            while (*arg == ' ') arg++;
            if (!strncmp(arg, "when ", 5) || !strncmp(arg, "unless ", 7)) {
                cur->cond = arg[0] == 'w' ? 1 : -1;
                if (!quoted(arg + (cur->cond == 1 ? 5 : 7), &cur->match)) {
                    llm_seterr(err, LLM_ERR_CONFIG, "%s:%d: expected turn when|unless \"TEXT\"",
                               s->path, ln);
                    return false;
                }
            } else if (*arg) {
                llm_seterr(err, LLM_ERR_CONFIG, "%s:%d: unexpected text after \"turn\"", s->path, ln);
                return false;
            }
            continue;
        }
        if (!cur) {
            llm_seterr(err, LLM_ERR_CONFIG, "%s:%d: \"%.20s\" before the first \"turn\"", s->path,
                       ln, line);
            return false;
        }
        if (KW("say")) {
            if (cur->text.len) buf_putc(&cur->text, '\n');
            buf_puts(&cur->text, arg);
        } else if (KW("call")) {
            char *sp = strchr(arg, ' ');
            char *name = sp ? xstrndup(arg, (size_t)(sp - arg)) : xstrdup(arg);
            const char *args = sp ? sp + 1 : "{}";
            json_error_t je;
            json_t *j = json_loads(args, 0, &je);
            bool ok = j != NULL && *name;
            json_decref(j);
            if (!ok) {
                llm_seterr(err, LLM_ERR_CONFIG, "%s:%d: expected call NAME {JSON}: %s", s->path,
                           ln, *name ? je.text : "missing name");
                free(name);
                return false;
            }
            cur->calls = xrealloc(cur->calls, (cur->ncalls + 1) * sizeof *cur->calls);
            cur->calls[cur->ncalls++] = (sc_call){name, xstrdup(args)};
        } else if (KW("usage")) {
            unsigned long long a, b;
            if (sscanf(arg, "%llu %llu", &a, &b) != 2) {
                llm_seterr(err, LLM_ERR_CONFIG, "%s:%d: expected usage IN OUT", s->path, ln);
                return false;
            }
            cur->has_usage = true;
            cur->in = a;
            cur->out = b;
        } else if (KW("sleep")) {
            if (!util_parse_u64(arg, &cur->sleep_ms)) {
                llm_seterr(err, LLM_ERR_CONFIG, "%s:%d: expected sleep MILLISECONDS", s->path, ln);
                return false;
            }
        } else if (KW("fail")) {
            free(cur->fail);
            cur->fail = xstrdup(*arg ? arg : "scripted failure");
        } else {
            llm_seterr(err, LLM_ERR_CONFIG, "%s:%d: unknown directive \"%.*s\"", s->path, ln,
                       (int)(kw > 40 ? 40 : kw), line);
            return false;
        }
#undef KW
    }
    if (!s->n) {
        llm_seterr(err, LLM_ERR_CONFIG, "%s: no turns", s->path);
        return false;
    }
    return true;
}

/* Results text of the last message before `end` when it is a tool message. */
static char *prev_results(const llm_conv *c, size_t end)
{
    buf b = BUF_INIT;
    if (end > 0 && c->msgs[end - 1].role == LLM_TOOL) {
        const llm_message *m = &c->msgs[end - 1];
        for (size_t i = 0; i < m->nblocks; i++)
            if (m->blocks[i].text) {
                buf_puts(&b, m->blocks[i].text);
                buf_putc(&b, '\n');
            }
    }
    return buf_steal(&b);
}

static bool takes(const sc_turn *t, const char *prev)
{
    if (t->cond == 0) return true;
    bool has = strstr(prev, t->match) != NULL;
    return t->cond == 1 ? has : !has;
}

/* Advance past turns not taken; returns the index of the taken turn or s->n. */
static size_t pick(script *s, const char *prev)
{
    while (s->cursor < s->n && !takes(&s->turns[s->cursor], prev)) s->cursor++;
    return s->cursor;
}

static bool sleep_ms(uint64_t ms, const atomic_bool *cancel)
{
    uint64_t end = util_now_ns() + ms * 1000000ull;
    while (util_now_ns() < end) {
        if (cancel && atomic_load(cancel)) return false;
        struct timespec ts = {0, 5 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return !(cancel && atomic_load(cancel));
}

static bool summary(const llm_request *req, llm_response *resp)
{
    llm_asm a;
    llm_asm_init(&a, req);
    buf b = BUF_INIT;
    size_t calls = 0;
    for (size_t i = 0; i < req->conv->n; i++)
        for (size_t k = 0; k < req->conv->msgs[i].nblocks; k++) {
            const llm_block *bl = &req->conv->msgs[i].blocks[k];
            const char *t = bl->kind == LLM_TEXT ? bl->text : NULL;
            for (; t && (t = strstr(t, "[tool call ")); t++) calls++;
            calls += bl->kind == LLM_TOOL_CALL;
        }
    buf_printf(&b, "Summary of the earlier work: %zu tool calls were made.", calls);
    llm_asm_text(&a, b.data, b.len);
    a.usage.input = llm_conv_estimate_tokens(req->conv);
    a.usage.output = b.len / 4 + 1;
    buf_free(&b);
    llm_asm_finish(&a, resp);
    llm_asm_free(&a);
    return true;
}

static bool sc_complete(llm_provider *p, const llm_request *req, llm_response *resp, llm_error *err)
{
    script *s = p->impl;
    memset(resp, 0, sizeof *resp);
    memset(err, 0, sizeof *err);
    err->attempts = 1;
    if (req->purpose == LLM_PURPOSE_SUMMARY) return summary(req, resp);
    if (!s->started) { /* replay a resumed conversation to find our place */
        s->started = true;
        for (size_t i = 0; i < req->conv->n; i++) {
            if (req->conv->msgs[i].role != LLM_ASSISTANT) continue;
            char *prev = prev_results(req->conv, i);
            if (pick(s, prev) < s->n) s->cursor++;
            free(prev);
        }
    }
    char *prev = prev_results(req->conv, req->conv->n);
    size_t ti = pick(s, prev);
    free(prev);
    if (ti >= s->n) {
        llm_seterr(err, LLM_ERR_SCRIPT, "script %s has no turn left for this point", s->path);
        return false;
    }
    const sc_turn *t = &s->turns[ti];
    s->cursor++;
    if (t->sleep_ms && !sleep_ms(t->sleep_ms, req->cancel)) {
        llm_seterr(err, LLM_ERR_CANCELLED, "cancelled");
        return false;
    }
    if (req->cancel && atomic_load(req->cancel)) {
        llm_seterr(err, LLM_ERR_CANCELLED, "cancelled");
        return false;
    }
    if (t->fail) {
        llm_seterr(err, LLM_ERR_SCRIPT, "%s", t->fail);
        return false;
    }
    llm_asm a;
    llm_asm_init(&a, req);
    /* text in word-sized deltas */
    const char *tx = t->text.data ? t->text.data : "";
    size_t n = t->text.len, i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && j - i < 24 && tx[j] != ' ') j++;
        if (j < n) j++;
        llm_asm_text(&a, tx + i, j - i);
        i = j;
    }
    uint64_t outc = n;
    for (size_t k = 0; k < t->ncalls; k++) {
        char *id = xasprintf("call_%zu_%zu", ti + 1, k + 1);
        llm_asm_tool_start(&a, (int)k, id, t->calls[k].name);
        free(id);
        const char *ar = t->calls[k].args;
        size_t al = strlen(ar), half = al / 2;
        llm_asm_tool_args(&a, (int)k, ar, half);
        llm_asm_tool_args(&a, (int)k, ar + half, al - half);
        llm_asm_tool_end(&a, (int)k);
        outc += al + strlen(t->calls[k].name);
    }
    if (t->has_usage) {
        a.usage.input = t->in;
        a.usage.output = t->out;
    } else {
        a.usage.input = llm_conv_estimate_tokens(req->conv);
        a.usage.output = outc / 4 + 1;
    }
    llm_asm_finish(&a, resp);
    llm_asm_free(&a);
    return true;
}

bool llm_script_init(llm_provider *p, llm_error *err)
{
    size_t len;
    char *text = util_read_file(p->model, 4 << 20, &len);
    if (!text) {
        llm_seterr(err, LLM_ERR_CONFIG, "cannot read script %s: %s", p->model, strerror(errno));
        return false;
    }
    script *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(p->model);
    json_t *utf8 = json_stringn(text, len); /* NULL unless valid UTF-8 without NUL */
    bool ok = utf8 && strlen(text) == len && parse(s, text, err);
    json_decref(utf8);
    free(text);
    if (!ok) {
        if (!err->kind)
            llm_seterr(err, LLM_ERR_CONFIG, "%s: not valid UTF-8 text (or contains NUL)", p->model);
        script_free(s);
        return false;
    }
    p->impl = s;
    p->free_impl = script_free;
    p->complete = sc_complete;
    return true;
}
