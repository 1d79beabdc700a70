/* gateway_load.c — a bounded load test of `boxagent serve` on loopback: N concurrent clients,
 * each creates a session and runs one turn (streamed as server-sent events) whose scripted
 * model makes two tool calls; prints p50/p99 turn latency and the error count.
 * Usage: gateway_load URL TOKEN SESSIONS AGENT */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/util.h"

typedef struct client {
    const char *url, *token, *agent;
    double turn_ms;
    bool ok;
    char err[160];
} client;

static size_t collect(char *p, size_t sz, size_t n, void *u)
{
    buf_append(u, p, sz * n);
    return sz * n;
}

static bool post(const client *c, const char *path, const char *body, bool sse, buf *out, long *code)
{
    CURL *h = curl_easy_init();
    if (!h) return false;
    char *url = xasprintf("%s%s", c->url, path);
    char *auth = xasprintf("Authorization: Bearer %s", c->token);
    struct curl_slist *hd = curl_slist_append(NULL, auth);
    hd = curl_slist_append(hd, "Content-Type: application/json");
    if (sse) hd = curl_slist_append(hd, "Accept: text/event-stream");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, code);
    curl_slist_free_all(hd);
    curl_easy_cleanup(h);
    free(url);
    free(auth);
    return rc == CURLE_OK;
}

static void *run_client(void *u)
{
    client *c = u;
    buf b = BUF_INIT;
    long code = 0;
    char *body = xasprintf("{\"agent\":\"%s\"}", c->agent);
    bool ok = post(c, "/api/v1/sessions", body, false, &b, &code);
    free(body);
    char id[64] = "";
    const char *p = b.data ? strstr(b.data, "\"id\":\"") : NULL;
    if (!ok || code != 201 || !p || sscanf(p + 6, "%40[^\"]", id) != 1) {
        snprintf(c->err, sizeof c->err, "create session: HTTP %ld", code);
        buf_free(&b);
        return NULL;
    }
    buf_clear(&b);
    char *path = xasprintf("/api/v1/sessions/%s/messages", id);
    uint64_t t0 = util_now_ns();
    ok = post(c, path, "{\"text\":\"read the notes and list the directory\"}", true, &b, &code);
    c->turn_ms = (double)(util_now_ns() - t0) / 1e6;
    free(path);
    if (!ok || code != 200) snprintf(c->err, sizeof c->err, "turn: HTTP %ld", code);
    else if (!b.data || !strstr(b.data, "\"status\":\"done\""))
        snprintf(c->err, sizeof c->err, "turn did not end with status done");
    else if (!b.data || !strstr(b.data, "\"decision\":\"allowed\""))
        snprintf(c->err, sizeof c->err, "no allowed tool call in the stream");
    else
        c->ok = true;
    buf_free(&b);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    uint64_t n;
    if (argc != 5 || !util_parse_u64(argv[3], &n) || n == 0 || n > 500) {
        fprintf(stderr, "usage: gateway_load URL TOKEN SESSIONS(1..500) AGENT\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    client *cs = xcalloc(n, sizeof *cs);
    pthread_t *th = xcalloc(n, sizeof *th);
    uint64_t t0 = util_now_ns();
    for (uint64_t i = 0; i < n; i++) {
        cs[i] = (client){.url = argv[1], .token = argv[2], .agent = argv[4]};
        if (pthread_create(&th[i], NULL, run_client, &cs[i])) {
            fprintf(stderr, "cannot start client thread %llu\n", (unsigned long long)i);
            return 1;
        }
    }
    for (uint64_t i = 0; i < n; i++) pthread_join(th[i], NULL);
    double wall = (double)(util_now_ns() - t0) / 1e6;
    double *lat = xcalloc(n, sizeof *lat);
    size_t k = 0, errors = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (cs[i].ok) lat[k++] = cs[i].turn_ms;
        else {
            errors++;
            if (errors <= 5) fprintf(stderr, "client %llu: %s\n", (unsigned long long)i, cs[i].err);
        }
    }
    qsort(lat, k, sizeof *lat, cmp);
    double p50 = k ? lat[k / 2] : 0, p99 = k ? lat[(k * 99 + 99) / 100 - 1] : 0;
    printf("gateway load: %llu concurrent sessions, 1 turn each with 2 tool calls\n",
           (unsigned long long)n);
    printf("  turn latency p50 %.1f ms, p99 %.1f ms, max %.1f ms; wall %.0f ms; errors %zu\n", p50, p99,
           k ? lat[k - 1] : 0, wall, errors);
    free(lat);
    free(cs);
    free(th);
    return errors ? 1 : 0;
}
