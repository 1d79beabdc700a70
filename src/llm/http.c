/* http.c — the HTTP transport shared by the network providers: one JSON POST over libcurl,
 * streamed body delivery, stall timeout and cancellation (progress callback), retries with
 * exponential backoff on connection errors, 408/429/5xx/529 and overloaded errors, honouring
 * retry-after (capped); clear errors for other 4xx. Never puts the API key in a message. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "llm/llm_internal.h"
#include "util/util.h"

#define ERRBODY_MAX (64u << 10)

typedef struct attempt {
    llm_http_call *c;
    CURL *curl;
    long status;
    bool status_known, ok2xx, is_json;
    buf errbody;
    int64_t retry_after_ms; /* -1 none */
    uint64_t last_ns;
    bool cancelled, stalled, handler_abort, got_body;
} attempt;

/* Before the first body byte a model may think for a long time without sending anything
 * (reasoning models, long prompts): allow at least this long for the first byte. */
#define FIRST_BYTE_MIN_MS 300000ull

static size_t on_header(char *p, size_t sz, size_t n, void *u)
{
    attempt *a = u;
    size_t len = sz * n;
    a->last_ns = util_now_ns();
    if (len > 5 && !strncmp(p, "HTTP/", 5)) { /* a new response (e.g. after 100) */
        a->retry_after_ms = -1;
        a->is_json = false;
    }
    char line[256];
    size_t l = len < sizeof line - 1 ? len : sizeof line - 1;
    memcpy(line, p, l);
    line[l] = 0;
    char *colon = strchr(line, ':');
    if (!colon) return len;
    *colon = 0;
    char *v = colon + 1;
    while (*v == ' ' || *v == '\t') v++;
    if (!strcasecmp(line, "retry-after") || !strcasecmp(line, "retry-after-ms")) {
        char *end;
        double d = strtod(v, &end);
        if (end != v && d >= 0 && d < 1e7)
            a->retry_after_ms = (int64_t)(!strcasecmp(line, "retry-after") ? d * 1000 : d);
    } else if (!strcasecmp(line, "content-type")) {
        a->is_json = !strncasecmp(v, "application/json", 16);
    }
    return len;
}

static size_t on_write(char *p, size_t sz, size_t n, void *u)
{
    attempt *a = u;
    size_t len = sz * n;
    a->last_ns = util_now_ns();
    a->got_body = true;
    if (!a->status_known) {
        curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &a->status);
        a->status_known = true;
        a->ok2xx = a->status >= 200 && a->status < 300;
    }
    if (!a->ok2xx) {
        if (a->errbody.len < ERRBODY_MAX) buf_append(&a->errbody, p, len);
        return len;
    }
    if (!a->c->on_body(a->c->user, p, len, a->is_json)) {
        a->handler_abort = true;
        return 0;
    }
    return len;
}

static int on_progress(void *u, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt, (void)dn, (void)ut, (void)un;
    attempt *a = u;
    if (a->c->cancel && atomic_load(a->c->cancel)) {
        a->cancelled = true;
        return 1;
    }
    uint64_t limit = a->c->p->o.stall_timeout_ms;
    if (!a->got_body && limit < FIRST_BYTE_MIN_MS) limit = FIRST_BYTE_MIN_MS;
    if (util_now_ns() - a->last_ns > limit * 1000000ull) {
        a->stalled = true;
        return 1;
    }
    return 0;
}

void llm_redact(char *s, size_t cap, const char *key)
{
    (void)cap;
    if (!s || !key) return;
    size_t kl = strlen(key);
    if (kl < 4) return;
    size_t pl = kl < 8 ? kl : 8;
    char *hit;
    while ((hit = strstr(s, key)) || (hit = memmem(s, strlen(s), key, pl))) {
        size_t end = 0;
        while (hit[end] && !isspace((unsigned char)hit[end]) && hit[end] != '"' && hit[end] != ',')
            end++;
        if (end < pl) end = pl;
        const char *rep = "[redacted]";
        size_t rl = strlen(rep);
        size_t tail = strlen(hit + end);
        if (rl <= end) {
            memcpy(hit, rep, rl);
            memmove(hit + rl, hit + end, tail + 1);
        } else {
            memset(hit, '*', end); /* cannot grow in place: mask instead */
        }
    }
}

char *llm_join_url(const char *base, const char *path)
{
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/') bl--;
    /* base ".../v1" + path "/v1/chat/completions" -> one "/v1" */
    if (bl >= 3 && !strncmp(base + bl - 3, "/v1", 3) && !strncmp(path, "/v1/", 4)) path += 3;
    return xasprintf("%.*s%s", (int)bl, base, path);
}

void llm_error_body(const char *body, char *out, size_t outlen, bool *overloaded, bool *context)
{
    json_error_t je;
    json_t *j = json_loads(body, 0, &je);
    json_t *e = j ? json_object_get(j, "error") : NULL;
    const char *msg = NULL, *type = NULL, *code = NULL;
    if (json_is_string(e)) msg = json_string_value(e);
    else if (json_is_object(e)) {
        json_t *m = json_object_get(e, "message"), *t = json_object_get(e, "type"),
               *cd = json_object_get(e, "code");
        msg = json_is_string(m) ? json_string_value(m) : NULL;
        type = json_is_string(t) ? json_string_value(t) : NULL;
        code = json_is_string(cd) ? json_string_value(cd) : NULL;
    } else if (j && json_is_string(json_object_get(j, "detail")))
        msg = json_string_value(json_object_get(j, "detail"));
    if (msg || type)
        snprintf(out, outlen, "%.300s%s%.60s%s", msg ? msg : "", type ? " [" : "",
                 type ? type : "", type ? "]" : "");
    else
        snprintf(out, outlen, "%.200s", body);
    for (char *q = out; *q; q++)
        if ((unsigned char)*q < 0x20) *q = ' ';
    const char *hay[] = {msg, type, code};
    for (int i = 0; i < 3; i++) {
        if (!hay[i]) continue;
        if (strcasestr(hay[i], "overloaded")) *overloaded = true;
        if (strcasestr(hay[i], "context_length") || strcasestr(hay[i], "context length") ||
            strcasestr(hay[i], "context window") || strcasestr(hay[i], "maximum context") ||
            strcasestr(hay[i], "too long") || strcasestr(hay[i], "too many tokens"))
            *context = true;
    }
    json_decref(j);
}

static bool sleep_cancellable(uint64_t ms, const atomic_bool *cancel)
{
    uint64_t end = util_now_ns() + ms * 1000000ull;
    while (util_now_ns() < end) {
        if (cancel && atomic_load(cancel)) return false;
        uint64_t left = (end - util_now_ns()) / 1000000ull;
        struct timespec ts = {0, (long)((left < 50 ? left : 50) * 1000000L)};
        if (!left) break;
        nanosleep(&ts, NULL);
    }
    return !(cancel && atomic_load(cancel));
}

static const char *key_var(const llm_provider *p)
{
    return !strcmp(p->type, "anthropic") ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY";
}

bool llm_http_post(llm_http_call *c, llm_error *err)
{
    memset(err, 0, sizeof *err);
    llm_provider *p = c->p;
    int max_attempts = 1 + (p->o.max_retries < 0 ? 0 : p->o.max_retries);
    unsigned seed = (unsigned)util_now_ns();
    bool done = false;
    for (int att = 0; att < max_attempts && !done; att++) {
        err->attempts = att + 1;
        attempt a = {.c = c, .retry_after_ms = -1, .last_ns = util_now_ns()};
        a.curl = curl_easy_init();
        if (!a.curl) {
            llm_seterr(err, LLM_ERR_NETWORK, "could not initialise libcurl");
            return false;
        }
        char curlerr[CURL_ERROR_SIZE] = "";
        curl_easy_setopt(a.curl, CURLOPT_URL, c->url);
        curl_easy_setopt(a.curl, CURLOPT_POST, 1L);
        curl_easy_setopt(a.curl, CURLOPT_POSTFIELDS, c->body);
        curl_easy_setopt(a.curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(c->body));
        curl_easy_setopt(a.curl, CURLOPT_HTTPHEADER, c->headers);
        curl_easy_setopt(a.curl, CURLOPT_WRITEFUNCTION, on_write);
        curl_easy_setopt(a.curl, CURLOPT_WRITEDATA, &a);
        curl_easy_setopt(a.curl, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(a.curl, CURLOPT_HEADERDATA, &a);
        curl_easy_setopt(a.curl, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(a.curl, CURLOPT_XFERINFODATA, &a);
        curl_easy_setopt(a.curl, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(a.curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(a.curl, CURLOPT_CONNECTTIMEOUT_MS, (long)p->o.connect_timeout_ms);
        curl_easy_setopt(a.curl, CURLOPT_ERRORBUFFER, curlerr);
        curl_easy_setopt(a.curl, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(a.curl, CURLOPT_ACCEPT_ENCODING, "");
        CURLcode rc = curl_easy_perform(a.curl);
        if (!a.status_known) {
            curl_easy_getinfo(a.curl, CURLINFO_RESPONSE_CODE, &a.status);
            a.ok2xx = a.status >= 200 && a.status < 300;
        }
        bool delivered = c->delivered && *c->delivered;
        bool retryable = false;
        err->http_status = (int)a.status;
        if (a.cancelled) {
            llm_seterr(err, LLM_ERR_CANCELLED, "cancelled");
        } else if (a.stalled) {
            llm_seterr(err, LLM_ERR_STALLED, "the model stream was silent for %llu ms",
                       (unsigned long long)p->o.stall_timeout_ms);
            retryable = true;
        } else if (a.status && a.ok2xx && (rc == CURLE_OK || a.handler_abort)) {
            done = c->finish(c->user, err, &retryable);
        } else if (a.status && a.ok2xx) {
            llm_seterr(err, LLM_ERR_NETWORK, "connection lost mid-response: %s",
                       curlerr[0] ? curlerr : curl_easy_strerror(rc));
            retryable = true;
        } else if (a.status >= 300) {
            char msg[400] = "";
            bool overloaded = false, context = false;
            if (a.errbody.len)
                (c->error_message ? c->error_message : llm_error_body)(a.errbody.data, msg,
                                                                       sizeof msg, &overloaded,
                                                                       &context);
            if (!msg[0] && a.errbody.len)
                snprintf(msg, sizeof msg, "%.200s", a.errbody.data);
            long s = a.status;
            if (s == 429) {
                llm_seterr(err, LLM_ERR_RATE, "rate limited (HTTP 429): %s", msg);
                retryable = true;
            } else if (s >= 500 || s == 408 || overloaded) {
                llm_seterr(err, LLM_ERR_OVERLOADED, "server error (HTTP %ld): %s", s, msg);
                retryable = true;
            } else if (s == 401 || s == 403) {
                llm_seterr(err, LLM_ERR_AUTH,
                           "authentication failed (HTTP %ld; check %s): %s", s, key_var(p), msg);
            } else if (s == 404) {
                llm_seterr(err, LLM_ERR_NOT_FOUND,
                           "not found (HTTP 404): unknown model \"%.100s\" or wrong base URL: %s",
                           p->model, msg);
            } else if (context || s == 413) {
                llm_seterr(err, LLM_ERR_CONTEXT,
                           "the conversation is too long for the model (HTTP %ld): %s", s, msg);
            } else {
                llm_seterr(err, LLM_ERR_REQUEST, "request refused (HTTP %ld): %s", s, msg);
            }
        } else {
            llm_seterr(err, LLM_ERR_NETWORK, "cannot reach %s: %s", p->base_url,
                       curlerr[0] ? curlerr : curl_easy_strerror(rc));
            retryable = true;
        }
        err->attempts = att + 1;
        curl_easy_cleanup(a.curl);
        buf_free(&a.errbody);
        if (done || !retryable || delivered || att + 1 >= max_attempts) break;
        uint64_t wait;
        if (a.retry_after_ms >= 0) wait = (uint64_t)a.retry_after_ms;
        else {
            wait = p->o.retry_base_ms << (att < 16 ? att : 16);
            wait += wait ? (uint64_t)rand_r(&seed) % (wait / 2 + 1) : 0;
        }
        if (wait > p->o.retry_cap_ms) wait = p->o.retry_cap_ms;
        if (!sleep_cancellable(wait, c->cancel)) {
            llm_seterr(err, LLM_ERR_CANCELLED, "cancelled");
            break;
        }
        if (c->reset) c->reset(c->user);
    }
    if (!done) llm_redact(err->message, sizeof err->message, p->api_key);
    else memset(err, 0, sizeof *err);
    return done;
}

bool llm_post_json(llm_provider *p, const char *path, json_t *body, const char *extra_header,
                   const char *key_fmt, llm_http_call *c, llm_error *err)
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    char *url = llm_join_url(p->base_url, path);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    if (extra_header) h = curl_slist_append(h, extra_header);
    h = curl_slist_append(h, p->o.no_stream ? "Accept: application/json" : "Accept: text/event-stream");
    char *key = NULL;
    if (p->api_key && *p->api_key) {
        key = xasprintf(key_fmt, p->api_key);
        h = curl_slist_append(h, key);
    }
    c->p = p;
    c->url = url;
    c->headers = h;
    c->body = text ? text : "{}";
    bool ok = llm_http_post(c, err);
    curl_slist_free_all(h);
    if (key) {
        explicit_bzero(key, strlen(key));
        free(key);
    }
    free(url);
    free(text);
    return ok;
}
