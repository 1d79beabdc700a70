/* gw_live.c — live sessions: each turn runs on its own worker thread and appends
 * sequence-numbered events to its session's log; server-sent-event streams read the log from
 * any sequence number and follow it while the turn runs. Workers never block on a browser. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "gateway/gw_internal.h"
#include "gateway/gw_live.h"
#include "gateway/gw_turn.h"
#include "util/util.h"

#define MAX_EVENTS 20000            /* per session log; older events are dropped first */
#define KEEPALIVE_MS 15000

typedef struct event {
    uint64_t seq;
    char *text;                      /* the full SSE frame: "id: N\nevent: T\ndata: {...}\n\n" */
    size_t len;
} event;

typedef struct live_session {
    char id[STORE_ID_MAX];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    event *ev;                        /* ring: [first, first+count) */
    size_t first, count, cap;
    uint64_t next_seq;                /* seq of the next event (starts at 1) */
    bool running;
    atomic_bool cancel;
    agent *running_agent;             /* set while a turn runs (for cancellation) */
    pthread_t worker;
    bool joinable;
    int refs;
    struct live_session *next;
} live_session;

struct gw_live {
    gw_server *gw;
    store *st;
    audit_log *audit;
    pthread_mutex_t mu;
    pthread_cond_t idle_cv;
    live_session *sessions;
    int running;
    bool shutting_down;
};

store *gw_live_store(gw_live *l) { return l->st; }

gw_live *gw_live_new(gw_server *gw)
{
    char *err = NULL;
    store *st = store_open(gw->workspace, &err);
    if (!st) {
        fprintf(stderr, "boxagent serve: cannot open the session store: %s\n", err ? err : "?");
        free(err);
        return NULL;
    }
    audit_log *au = audit_open(gw->workspace, &err);
    if (!au) {
        fprintf(stderr, "boxagent serve: cannot open the audit log: %s\n", err ? err : "?");
        free(err);
        store_close(st);
        return NULL;
    }
    gw_live *l = xcalloc(1, sizeof *l);
    l->gw = gw;
    l->st = st;
    l->audit = au;
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->idle_cv, NULL);
    return l;
}

/* Find (or create) the live record of a session; returns it with a reference held. */
static live_session *get_session(gw_live *l, const char *id, bool create)
{
    pthread_mutex_lock(&l->mu);
    live_session *s = l->sessions;
    while (s && strcmp(s->id, id)) s = s->next;
    if (!s && create) {
        s = xcalloc(1, sizeof *s);
        snprintf(s->id, sizeof s->id, "%s", id);
        pthread_mutex_init(&s->mu, NULL);
        pthread_cond_init(&s->cv, NULL);
        s->next_seq = 1;
        s->next = l->sessions;
        l->sessions = s;
    }
    if (s) s->refs++;
    pthread_mutex_unlock(&l->mu);
    return s;
}

static void put_session(gw_live *l, live_session *s)
{
    pthread_mutex_lock(&l->mu);
    s->refs--;
    pthread_mutex_unlock(&l->mu);
}

static void free_session(live_session *s)
{
    for (size_t i = 0; i < s->count; i++) free(s->ev[(s->first + i) % s->cap].text);
    free(s->ev);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
}

/* Append one event (type + JSON object, which is consumed). */
static void push_event(live_session *s, const char *type, json_t *data)
{
    pthread_mutex_lock(&s->mu);
    uint64_t seq = s->next_seq++;
    json_object_set_new(data, "seq", json_integer((json_int_t)seq));
    char *js = json_dumps(data, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(data);
    char *frame = xasprintf("id: %llu\nevent: %s\ndata: %s\n\n", (unsigned long long)seq, type,
                            js ? js : "{}");
    free(js);
    if (s->count == s->cap) {
        if (s->cap < MAX_EVENTS) {
            size_t ncap = s->cap ? s->cap * 2 : 64;
            if (ncap > MAX_EVENTS) ncap = MAX_EVENTS;
            event *ne = xcalloc(ncap, sizeof *ne);
            for (size_t i = 0; i < s->count; i++) ne[i] = s->ev[(s->first + i) % s->cap];
            free(s->ev);
            s->ev = ne;
            s->first = 0;
            s->cap = ncap;
        } else { /* full: drop the oldest */
            free(s->ev[s->first].text);
            s->first = (s->first + 1) % s->cap;
            s->count--;
        }
    }
    event *e = &s->ev[(s->first + s->count) % s->cap];
    e->seq = seq;
    e->text = frame;
    e->len = strlen(frame);
    s->count++;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* ------------------------------------------------------------------ turns */

typedef struct turn_job {
    gw_live *l;
    live_session *s;
    char *text;
} turn_job;

static void emit(void *user, const char *type, json_t *data)
{
    push_event(user, type, data);
}

static bool attach(void *user, agent *a)
{
    live_session *s = user;
    pthread_mutex_lock(&s->mu);
    s->running_agent = a;
    bool cancelled = atomic_load(&s->cancel);
    pthread_mutex_unlock(&s->mu);
    return cancelled;
}

static void *turn_main(void *arg)
{
    turn_job *j = arg;
    gw_live *l = j->l;
    live_session *s = j->s;
    push_event(s, "user", json_pack("{s:s}", "text", j->text));
    gw_turn t = {.workspace = l->gw->workspace, .st = l->st, .audit = l->audit,
                 .session_id = s->id, .text = j->text, .emit = emit, .attach = attach, .user = s};
    gw_turn_outcome out;
    gw_turn_run(&t, &out);
    store_session_set_status(l->st, s->id, out.status, NULL);
    push_event(s, "end", json_pack("{s:s,s:s}", "status", out.status, "message", out.message));
    pthread_mutex_lock(&s->mu);
    s->running = false;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_mutex_lock(&l->mu);
    l->running--;
    pthread_cond_broadcast(&l->idle_cv);
    pthread_mutex_unlock(&l->mu);
    put_session(l, s);
    free(j->text);
    free(j);
    return NULL;
}

bool gw_live_start_turn(gw_live *l, const char *id, const char *text, unsigned *status,
                        char *err, size_t errlen)
{
    store_session ss = {0};
    char *serr = NULL;
    if (!store_session_get(l->st, id, &ss, &serr)) {
        *status = (serr && !strncmp(serr, "no session", 10)) ? 404 : 500;
        snprintf(err, errlen, "%s", serr ? serr : "database error");
        free(serr);
        return false;
    }
    store_session_free(&ss);
    live_session *s = get_session(l, id, true);
    pthread_mutex_lock(&l->mu);
    bool down = l->shutting_down;
    pthread_mutex_unlock(&l->mu);
    pthread_mutex_lock(&s->mu);
    if (down || s->running) {
        pthread_mutex_unlock(&s->mu);
        put_session(l, s);
        *status = down ? 503 : 409;
        snprintf(err, errlen, down ? "the server is shutting down"
                                   : "a turn is already running in this session");
        return false;
    }
    if (s->joinable) { /* reap the previous worker (it has finished: running is false) */
        pthread_join(s->worker, NULL);
        s->joinable = false;
    }
    s->running = true;
    atomic_store(&s->cancel, false);
    pthread_mutex_unlock(&s->mu);
    store_session_set_status(l->st, id, "running", NULL);

    turn_job *j = xcalloc(1, sizeof *j);
    j->l = l;
    j->s = s; /* the job keeps the reference */
    j->text = xstrdup(text);
    pthread_mutex_lock(&l->mu);
    l->running++;
    pthread_mutex_unlock(&l->mu);
    pthread_mutex_lock(&s->mu);
    int rc = pthread_create(&s->worker, NULL, turn_main, j);
    if (rc == 0) s->joinable = true;
    pthread_mutex_unlock(&s->mu);
    if (rc != 0) {
        pthread_mutex_lock(&s->mu);
        s->running = false;
        pthread_mutex_unlock(&s->mu);
        pthread_mutex_lock(&l->mu);
        l->running--;
        pthread_mutex_unlock(&l->mu);
        put_session(l, s);
        free(j->text);
        free(j);
        *status = 500;
        snprintf(err, errlen, "cannot start a worker: %s", strerror(rc));
        return false;
    }
    return true;
}

bool gw_live_cancel(gw_live *l, const char *id)
{
    live_session *s = get_session(l, id, false);
    if (!s) return false;
    pthread_mutex_lock(&s->mu);
    bool was = s->running;
    if (was) {
        atomic_store(&s->cancel, true);
        if (s->running_agent) agent_cancel(s->running_agent);
    }
    pthread_mutex_unlock(&s->mu);
    put_session(l, s);
    return was;
}

bool gw_live_running(gw_live *l, const char *id)
{
    live_session *s = get_session(l, id, false);
    if (!s) return false;
    pthread_mutex_lock(&s->mu);
    bool r = s->running;
    pthread_mutex_unlock(&s->mu);
    put_session(l, s);
    return r;
}

uint64_t gw_live_last_seq(gw_live *l, const char *id)
{
    live_session *s = get_session(l, id, false);
    if (!s) return 0;
    pthread_mutex_lock(&s->mu);
    uint64_t v = s->next_seq - 1;
    pthread_mutex_unlock(&s->mu);
    put_session(l, s);
    return v;
}

/* ------------------------------------------------------------------ streams */

typedef struct stream {
    gw_live *l;
    live_session *s;
    uint64_t after;
    char *pending;   /* part of a frame that did not fit the last read */
    size_t plen, poff;
    bool ended;
} stream;

static void copy_pending(stream *st, char *out, size_t max, size_t *n)
{
    size_t k = st->plen - st->poff;
    if (k > max - *n) k = max - *n;
    memcpy(out + *n, st->pending + st->poff, k);
    *n += k;
    st->poff += k;
    if (st->poff == st->plen) {
        free(st->pending);
        st->pending = NULL;
        st->plen = st->poff = 0;
    }
}

static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    stream *st = cls;
    size_t n = 0;
    if (st->pending) {
        copy_pending(st, out, max, &n);
        return (ssize_t)n;
    }
    if (st->ended) return MHD_CONTENT_READER_END_OF_STREAM;
    live_session *s = st->s;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        uint64_t oldest = s->count ? s->ev[s->first].seq : s->next_seq;
        if (st->after + 1 < oldest && st->after < s->next_seq - 1) {
            /* the client missed events that were dropped: tell it to reload */
            char *frame = xasprintf("event: reset\ndata: {\"seq\":%llu}\n\n",
                                    (unsigned long long)(oldest - 1));
            st->after = oldest - 1;
            pthread_mutex_unlock(&s->mu);
            st->pending = frame;
            st->plen = strlen(frame);
            copy_pending(st, out, max, &n);
            return (ssize_t)n;
        }
        if (st->after + 1 < s->next_seq) {
            event *e = &s->ev[(s->first + (st->after + 1 - oldest)) % s->cap];
            st->after = e->seq;
            st->pending = xstrndup(e->text, e->len);
            st->plen = e->len;
            pthread_mutex_unlock(&s->mu);
            copy_pending(st, out, max, &n);
            return (ssize_t)n;
        }
        if (!s->running || st->l->gw->shutting_down) {
            pthread_mutex_unlock(&s->mu);
            st->ended = true;
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += KEEPALIVE_MS / 1000;
        if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) == ETIMEDOUT) {
            pthread_mutex_unlock(&s->mu);
            static const char ka[] = ": keep-alive\n\n";
            size_t k = sizeof ka - 1 < max ? sizeof ka - 1 : max;
            memcpy(out, ka, k);
            return (ssize_t)k;
        }
    }
}

static void stream_free(void *cls)
{
    stream *st = cls;
    put_session(st->l, st->s);
    free(st->pending);
    free(st);
}

struct MHD_Response *gw_live_stream(gw_live *l, const char *id, uint64_t after)
{
    stream *st = xcalloc(1, sizeof *st);
    st->l = l;
    st->s = get_session(l, id, true);
    st->after = after;
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, stream_read, st, stream_free);
    MHD_add_response_header(r, "Content-Type", "text/event-stream; charset=utf-8");
    MHD_add_response_header(r, "X-Accel-Buffering", "no");
    return r;
}

/* ------------------------------------------------------------------ shutdown */

void gw_live_shutdown(gw_live *l, uint64_t deadline_ms)
{
    uint64_t end = util_now_ns() + deadline_ms * 1000000ull;
    pthread_mutex_lock(&l->mu);
    l->shutting_down = true;
    bool cancelled = false;
    while (l->running > 0) {
        if (!cancelled && util_now_ns() >= end) {
            for (live_session *s = l->sessions; s; s = s->next) {
                pthread_mutex_lock(&s->mu);
                atomic_store(&s->cancel, true);
                if (s->running_agent) agent_cancel(s->running_agent);
                pthread_mutex_unlock(&s->mu);
            }
            cancelled = true;
            fprintf(stderr, "boxagent serve: cancelling %d running turn(s)\n", l->running);
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&l->idle_cv, &l->mu, &ts);
    }
    for (live_session *s = l->sessions; s; s = s->next) {
        pthread_mutex_lock(&s->mu);
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
    }
    pthread_mutex_unlock(&l->mu);
}

void gw_live_free(gw_live *l)
{
    pthread_mutex_lock(&l->mu);
    l->shutting_down = true;
    pthread_mutex_unlock(&l->mu);
    /* Workers hold references; wait for them to finish before freeing. */
    for (live_session *s = l->sessions; s; s = s->next) atomic_store(&s->cancel, true);
    for (live_session *s = l->sessions; s; s = s->next) {
        pthread_mutex_lock(&s->mu);
        bool j = s->joinable;
        s->joinable = false;
        pthread_mutex_unlock(&s->mu);
        if (j) pthread_join(s->worker, NULL);
    }
    live_session *s = l->sessions;
    while (s) {
        live_session *n = s->next;
        free_session(s);
        s = n;
    }
    store_close(l->st);
    audit_close(l->audit);
    pthread_mutex_destroy(&l->mu);
    pthread_cond_destroy(&l->idle_cv);
    free(l);
}
