/* fakellm.h — a fake model-provider HTTP server on loopback for the provider tests (included
 * by test_llm*.c only; header-only so it is not linked into other test binaries). It serves a
 * queue of scripted responses — status, headers, body chunks written one by one (optionally
 * byte by byte), a stall or an early close — and records every request it received. */
#ifndef BOXAGENT_TESTS_FAKELLM_H
#define BOXAGENT_TESTS_FAKELLM_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FAKELLM_MAX_CHUNKS 512
#define FAKELLM_MAX_RESP 8
#define FAKELLM_MAX_REQ 16

typedef struct fakellm_resp {
    int status;                       /* default 200 */
    const char *content_type;         /* default text/event-stream */
    const char *headers;              /* extra header lines, each ending in \r\n */
    const char *chunks[FAKELLM_MAX_CHUNKS]; /* written in order, NULL-terminated */
    bool bytewise;                    /* write every byte separately */
    int stall_after;                  /* >0: after this many chunks, stall stall_ms */
    int stall_ms;
    bool close_early;                 /* stop after stall_after chunks without the rest */
} fakellm_resp;

typedef struct fakellm_req {
    char path[256];
    char *headers;  /* raw header block */
    char *body;
} fakellm_req;

typedef struct fakellm {
    int fd, port;
    pthread_t th;
    fakellm_resp resp[FAKELLM_MAX_RESP];
    int nresp, served;
    fakellm_req req[FAKELLM_MAX_REQ];
    int nreq;
    pthread_mutex_t mu;
} fakellm;

static void fakellm_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void fakellm_send(int c, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(c, p, n, MSG_NOSIGNAL);
        if (w <= 0) return;
        p += w;
        n -= (size_t)w;
    }
}

static void fakellm_serve_one(fakellm *f, int c)
{
    /* read the request: headers, then Content-Length bytes */
    size_t cap = 1 << 16, len = 0;
    char *in = malloc(cap + 1);
    char *hend = NULL;
    long clen = 0;
    for (;;) {
        if (len == cap) {
            cap *= 2;
            in = realloc(in, cap + 1);
        }
        ssize_t r = recv(c, in + len, cap - len, 0);
        if (r <= 0) break;
        len += (size_t)r;
        in[len] = 0;
        if (!hend && (hend = strstr(in, "\r\n\r\n"))) {
            char *cl = strcasestr(in, "content-length:");
            if (cl && cl < hend) clen = strtol(cl + 15, NULL, 10);
        }
        if (hend && len >= (size_t)(hend + 4 - in) + (size_t)clen) break;
    }
    pthread_mutex_lock(&f->mu);
    int ri = f->served < f->nresp ? f->served : f->nresp - 1;
    f->served++;
    if (hend && f->nreq < FAKELLM_MAX_REQ) {
        fakellm_req *q = &f->req[f->nreq++];
        sscanf(in, "%*s %255s", q->path);
        q->headers = strndup(in, (size_t)(hend - in));
        q->body = strndup(hend + 4, (size_t)clen);
    }
    pthread_mutex_unlock(&f->mu);
    free(in);
    if (ri < 0) {
        close(c);
        return;
    }
    const fakellm_resp *r = &f->resp[ri];
    char head[1024];
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 %d X\r\nContent-Type: %s\r\nConnection: close\r\n%s\r\n",
                      r->status ? r->status : 200,
                      r->content_type ? r->content_type : "text/event-stream",
                      r->headers ? r->headers : "");
    fakellm_send(c, head, (size_t)hl);
    int one = 1;
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    for (int i = 0; r->chunks[i]; i++) {
        if (r->stall_after && i == r->stall_after) {
            if (r->close_early) break;
            fakellm_sleep_ms(r->stall_ms);
        }
        const char *ch = r->chunks[i];
        if (r->bytewise)
            for (size_t k = 0; ch[k]; k++) {
                fakellm_send(c, ch + k, 1);
                fakellm_sleep_ms(1);
            }
        else {
            fakellm_send(c, ch, strlen(ch));
            fakellm_sleep_ms(2);
        }
    }
    shutdown(c, SHUT_WR);
    close(c);
}

static void *fakellm_loop(void *u)
{
    fakellm *f = u;
    for (;;) {
        int c = accept(f->fd, NULL, NULL);
        if (c < 0) return NULL;
        fakellm_serve_one(f, c);
    }
}

/* Start on 127.0.0.1 with an ephemeral port; fill f->resp / f->nresp first. */
static bool fakellm_start(fakellm *f)
{
    pthread_mutex_init(&f->mu, NULL);
    f->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (f->fd < 0 || bind(f->fd, (struct sockaddr *)&a, sizeof a) || listen(f->fd, 8) ||
        getsockname(f->fd, (struct sockaddr *)&a, &al))
        return false;
    f->port = ntohs(a.sin_port);
    return pthread_create(&f->th, NULL, fakellm_loop, f) == 0;
}

static void fakellm_url(const fakellm *f, char *out, size_t n)
{
    snprintf(out, n, "http://127.0.0.1:%d", f->port);
}

#endif
