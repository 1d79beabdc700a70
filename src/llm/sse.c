/* sse.c — a server-sent-events parser (WHATWG event-stream): lines ending in LF, CR or CRLF,
 * "event:" / "data:" fields (several data lines joined by LF), ":" comments, dispatch on a
 * blank line. Input may be split anywhere, including inside UTF-8 sequences and CRLF. */
#include <string.h>

#include "llm/llm_internal.h"

#define SSE_MAX_LINE (8u << 20)

void llm_sse_init(llm_sse *s, llm_sse_fn fn, void *user)
{
    memset(s, 0, sizeof *s);
    s->fn = fn;
    s->user = user;
}

void llm_sse_free(llm_sse *s)
{
    buf_free(&s->line);
    buf_free(&s->data);
    buf_free(&s->event);
}

static void dispatch(llm_sse *s)
{
    if (s->data.len || s->event.len) {
        if (s->data.len && s->data.data[s->data.len - 1] == '\n') s->data.data[--s->data.len] = 0;
        if (!s->stop &&
            !s->fn(s->user, s->event.len ? s->event.data : "message",
                   s->data.data ? s->data.data : "", s->data.len))
            s->stop = true;
    }
    buf_clear(&s->data);
    buf_clear(&s->event);
}

static void line(llm_sse *s, const char *l, size_t n)
{
    if (n == 0) {
        dispatch(s);
        return;
    }
    if (l[0] == ':') return;
    const char *colon = memchr(l, ':', n);
    size_t fl = colon ? (size_t)(colon - l) : n;
    const char *v = colon ? colon + 1 : l + n;
    size_t vl = colon ? n - fl - 1 : 0;
    if (vl && *v == ' ') v++, vl--;
    if (fl == 4 && !memcmp(l, "data", 4)) {
        buf_append(&s->data, v, vl);
        buf_putc(&s->data, '\n');
    } else if (fl == 5 && !memcmp(l, "event", 5)) {
        buf_clear(&s->event);
        buf_append(&s->event, v, vl);
    }
    /* id, retry and unknown fields are ignored */
}

void llm_sse_feed(llm_sse *s, const char *p, size_t n)
{
    for (size_t i = 0; i < n && !s->stop; i++) {
        char c = p[i];
        if (s->skip_lf) {
            s->skip_lf = false;
            if (c == '\n') continue;
        }
        if (c == '\r' || c == '\n') {
            line(s, s->line.data ? s->line.data : "", s->line.len);
            buf_clear(&s->line);
            if (c == '\r') s->skip_lf = true;
            continue;
        }
        if (s->line.len < SSE_MAX_LINE) buf_putc(&s->line, c);
    }
}

void llm_sse_end(llm_sse *s)
{
    if (s->line.len) {
        line(s, s->line.data, s->line.len);
        buf_clear(&s->line);
    }
    /* an event without its terminating blank line is incomplete: per the spec it is dropped */
    buf_clear(&s->data);
    buf_clear(&s->event);
}
