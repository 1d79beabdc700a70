/* testsrv.c — the tiny HTTP test server described in testsrv.h. Linked into every unit-test
 * binary, so every external symbol is testsrv_-prefixed and it uses nothing but libc. */
#include "testsrv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

struct testsrv {
    int lfd;
    int stop_pipe[2];
    int port;
    pthread_t acceptor;
    atomic_bool stopping;
    atomic_uint hits;
    atomic_int active;
};

typedef struct testsrv_conn {
    struct testsrv *s;
    int fd;
} testsrv_conn;

static const char testsrv_html[] =
    "<!DOCTYPE html><html><head><title>T</title><style>body{color:red}</style>"
    "<script>var secret = 1;</script></head><body>"
    "<h1>Title &amp; more</h1><p>Hello <b>world</b> &lt;3 &#x263A;</p>"
    "<ul><li>one</li><li><a href=\"/two\">two</a></li></ul>"
    "<pre><code>x = 1;\ny = 2;</code></pre><noscript>NOSCRIPT</noscript></body></html>";

/* Wait until fd is readable or the server stops; false when stopping. */
static bool testsrv_wait(struct testsrv *s, int fd, short ev)
{
    for (;;) {
        if (atomic_load(&s->stopping))
            return false;
        struct pollfd p[2] = {{fd, ev, 0}, {s->stop_pipe[0], POLLIN, 0}};
        int r = poll(p, 2, 200);
        if (r < 0 && errno != EINTR)
            return false;
        if (p[1].revents)
            return false;
        if (r > 0 && p[0].revents)
            return true;
    }
}

static bool testsrv_send(struct testsrv *s, int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        if (!testsrv_wait(s, fd, POLLOUT))
            return false;
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n <= 0) {
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static void testsrv_reply(struct testsrv *s, int fd, int code, const char *ctype,
                          const char *extra, const void *body, size_t len)
{
    char head[1024];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
                     "Connection: close\r\n\r\n",
                     code, ctype, len, extra ? extra : "");
    if (testsrv_send(s, fd, head, (size_t)n) && len)
        testsrv_send(s, fd, body, len);
}

static int testsrv_hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Value of query parameter `name` in target, percent-decoded, into out. */
static bool testsrv_param(const char *target, const char *name, char *out, size_t n)
{
    const char *q = strchr(target, '?');
    size_t nl = strlen(name);
    while (q) {
        q++;
        if (strncmp(q, name, nl) == 0 && q[nl] == '=') {
            const char *v = q + nl + 1;
            size_t o = 0;
            while (*v && *v != '&' && o + 1 < n) {
                if (*v == '%' && testsrv_hex(v[1]) >= 0 && testsrv_hex(v[2]) >= 0) {
                    out[o++] = (char)(testsrv_hex(v[1]) * 16 + testsrv_hex(v[2]));
                    v += 3;
                } else {
                    out[o++] = *v++;
                }
            }
            out[o] = 0;
            return true;
        }
        q = strchr(q, '&');
    }
    return false;
}

static void *testsrv_handle(void *arg)
{
    testsrv_conn *c = arg;
    struct testsrv *s = c->s;
    int fd = c->fd;
    free(c);
    char req[65536];
    size_t len = 0;
    char *end = NULL;
    while (!end && len < sizeof req - 1) {
        if (!testsrv_wait(s, fd, POLLIN))
            goto done;
        ssize_t n = recv(fd, req + len, sizeof req - 1 - len, 0);
        if (n <= 0)
            goto done;
        len += (size_t)n;
        req[len] = 0;
        end = strstr(req, "\r\n\r\n");
    }
    if (!end)
        goto done;
    size_t head_len = (size_t)(end - req) + 4;
    size_t clen = 0;
    for (char *h = strstr(req, "\r\n"); h && h < end; h = strstr(h + 2, "\r\n"))
        if (strncasecmp(h + 2, "Content-Length:", 15) == 0)
            clen = (size_t)strtoul(h + 17, NULL, 10);
    while (len < head_len + clen && len < sizeof req - 1) {
        if (!testsrv_wait(s, fd, POLLIN))
            goto done;
        ssize_t n = recv(fd, req + len, sizeof req - 1 - len, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    req[len] = 0;
    atomic_fetch_add(&s->hits, 1);
    char method[16] = "", target[4096] = "";
    if (sscanf(req, "%15s %4095s", method, target) != 2)
        goto done;
    char val[4096];
    if (strcmp(target, "/hello") == 0) {
        testsrv_reply(s, fd, 200, "text/plain; charset=utf-8", NULL, "hello world\n", 12);
    } else if (strcmp(target, "/html") == 0) {
        testsrv_reply(s, fd, 200, "text/html; charset=utf-8", NULL, testsrv_html,
                      sizeof testsrv_html - 1);
    } else if (strcmp(target, "/json") == 0) {
        static const char j[] = "{\"a\":1,\"b\":[true,null,\"x\"]}";
        testsrv_reply(s, fd, 200, "application/json", NULL, j, sizeof j - 1);
    } else if (strcmp(target, "/latin1") == 0) {
        static const char l[] = "<html><head><meta charset=\"ISO-8859-1\"><title>L</title>"
                                "</head><body><p>caf\xe9</p></body></html>";
        testsrv_reply(s, fd, 200, "text/html", NULL, l, sizeof l - 1);
    } else if (strcmp(target, "/bin") == 0) {
        static const unsigned char b[] = {0x89, 'P', 'N', 'G', 0, 0, 1, 2, 0, 0xff, 0xfe, 0};
        testsrv_reply(s, fd, 200, "application/octet-stream", NULL, b, sizeof b);
    } else if (strncmp(target, "/text?", 6) == 0 && testsrv_param(target, "n", val, sizeof val)) {
        size_t n = (size_t)strtoul(val, NULL, 10);
        if (n > (16u << 20))
            n = 16u << 20;
        char *b = malloc(n ? n : 1);
        if (b) {
            memset(b, 'x', n);
            testsrv_reply(s, fd, 200, "text/plain", NULL, b, n);
            free(b);
        }
    } else if (strncmp(target, "/redirect?", 10) == 0 &&
               testsrv_param(target, "to", val, sizeof val)) {
        char code[16] = "302", extra[4200];
        testsrv_param(target, "code", code, sizeof code);
        snprintf(extra, sizeof extra, "Location: %s\r\n", val);
        testsrv_reply(s, fd, atoi(code), "text/plain", extra, "moved\n", 6);
    } else if (strcmp(target, "/loop") == 0) {
        testsrv_reply(s, fd, 302, "text/plain", "Location: /loop\r\n", "", 0);
    } else if (strcmp(target, "/stream") == 0) {
        static const char h[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                                "Connection: close\r\n\r\n";
        char chunk[4096];
        memset(chunk, 'z', sizeof chunk);
        if (testsrv_send(s, fd, h, sizeof h - 1))
            while (testsrv_send(s, fd, chunk, sizeof chunk))
                ;
    } else if (strcmp(target, "/hang") == 0) {
        char sink[256];
        while (testsrv_wait(s, fd, POLLIN))
            if (recv(fd, sink, sizeof sink, 0) <= 0)
                break;
    } else if (strncmp(target, "/echo", 5) == 0) {
        char *out = malloc(len + 64);
        if (out) {
            int n = snprintf(out, len + 64, "%s %s\n", method, target);
            const char *hs = strstr(req, "\r\n") + 2;
            for (const char *p = hs; p < end; p++)
                if (*p != '\r')
                    out[n++] = *p;
            out[n++] = '\n';
            out[n++] = '\n';
            memcpy(out + n, req + head_len, len - head_len);
            n += (int)(len - head_len);
            testsrv_reply(s, fd, 200, "text/plain", NULL, out, (size_t)n);
            free(out);
        }
    } else if (strncmp(target, "/status/", 8) == 0) {
        testsrv_reply(s, fd, atoi(target + 8), "text/plain", NULL, "", 0);
    } else {
        testsrv_reply(s, fd, 404, "text/plain", NULL, "not found\n", 10);
    }
done:
    close(fd);
    atomic_fetch_sub(&s->active, 1);
    return NULL;
}

static void *testsrv_accept_loop(void *arg)
{
    struct testsrv *s = arg;
    while (testsrv_wait(s, s->lfd, POLLIN)) {
        int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        testsrv_conn *c = malloc(sizeof *c);
        if (!c) {
            close(fd);
            continue;
        }
        c->s = s;
        c->fd = fd;
        atomic_fetch_add(&s->active, 1);
        pthread_t t;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &at, testsrv_handle, c) != 0) {
            atomic_fetch_sub(&s->active, 1);
            close(fd);
            free(c);
        }
        pthread_attr_destroy(&at);
    }
    return NULL;
}

testsrv *testsrv_start(const char *bind_ip, int port)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, bind_ip, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        sl = sizeof *a4;
    } else if (inet_pton(AF_INET6, bind_ip, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        sl = sizeof *a6;
    } else {
        return NULL;
    }
    struct testsrv *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (s->lfd < 0 || setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(s->lfd, (struct sockaddr *)&ss, sl) < 0 || listen(s->lfd, 64) < 0 ||
        pipe2(s->stop_pipe, O_CLOEXEC) < 0) {
        if (s->lfd >= 0)
            close(s->lfd);
        free(s);
        return NULL;
    }
    sl = sizeof ss;
    getsockname(s->lfd, (struct sockaddr *)&ss, &sl);
    s->port = ntohs(ss.ss_family == AF_INET ? a4->sin_port : a6->sin6_port);
    if (pthread_create(&s->acceptor, NULL, testsrv_accept_loop, s) != 0) {
        close(s->lfd);
        close(s->stop_pipe[0]);
        close(s->stop_pipe[1]);
        free(s);
        return NULL;
    }
    return s;
}

int testsrv_port(const testsrv *s)
{
    return s->port;
}

unsigned testsrv_hits(const testsrv *s)
{
    return atomic_load(&((struct testsrv *)s)->hits);
}

void testsrv_stop(testsrv *s)
{
    if (!s)
        return;
    atomic_store(&s->stopping, true);
    if (write(s->stop_pipe[1], "x", 1) < 0) {
        /* the flag alone stops every loop within 200 ms */
    }
    pthread_join(s->acceptor, NULL);
    for (int i = 0; i < 500 && atomic_load(&s->active) > 0; i++)
        usleep(10000);
    close(s->lfd);
    if (atomic_load(&s->active) == 0) {
        close(s->stop_pipe[0]);
        close(s->stop_pipe[1]);
        free(s);
    }
    /* else: a handler is still running; leave the object to it (process is ending). */
}
