/* egress.c — egress_request: one HTTP(S) request under fetch: capabilities, redirects followed
 * hop by hop by egress (each hop decided afresh), transfers pinned to checked addresses and
 * verified again at socket creation, with time, size and redirect limits. See egress.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "egress/internal.h"
#include "util/buf.h"
#include "util/util.h"

const char *egress_result_name(egress_result r)
{
    switch (r) {
    case EGRESS_OK: return "ok";
    case EGRESS_DENIED: return "denied";
    case EGRESS_BAD_REQUEST: return "bad_request";
    case EGRESS_TIMEOUT: return "timeout";
    case EGRESS_NETWORK: return "network";
    case EGRESS_TOO_MANY_REDIRECTS: return "too_many_redirects";
    case EGRESS_CANCELLED: return "cancelled";
    }
    return "unknown";
}

static void free_lines(char **l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(l[i]);
    free(l);
}

void egress_response_free(egress_response *r)
{
    if (!r)
        return;
    free(r->final_url);
    free(r->content_type);
    free_lines(r->headers, r->nheaders);
    free(r->body);
    memset(r, 0, sizeof *r);
}

/* ---------------------------------------------------------------- one transfer */

typedef struct xfer {
    const egress_addrs *addrs;
    const egress_addrs *proxy; /* when a proxy is configured: the only addresses connected to */
    egress_exempt exempt;
    char refused[300];        /* set when the socket callback refused an address */
    buf body;
    size_t max_body;
    bool truncated;
    char **hdrs;
    size_t nhdrs;
    size_t hdr_bytes;
    bool hdr_overflow;
    const atomic_bool *cancel;
} xfer;

static curl_socket_t open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
    xfer *x = ud;
    if (purpose != CURLSOCKTYPE_IPCXN || (a->family != AF_INET && a->family != AF_INET6)) {
        snprintf(x->refused, sizeof x->refused, "refused a non-IP socket");
        return CURL_SOCKET_BAD;
    }
    char txt[INET6_ADDRSTRLEN], what[160];
    egress_addr_text(&a->addr, txt, sizeof txt);
    egress_addr_class c = egress_addr_classify(&a->addr, what, sizeof what);
    if (x->proxy) {
        if (!egress_addrs_contains(x->proxy, &a->addr)) {
            snprintf(x->refused, sizeof x->refused,
                     "connection to %s refused: not the configured proxy", txt);
            return CURL_SOCKET_BAD;
        }
        int fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
        return fd < 0 ? CURL_SOCKET_BAD : fd;
    }
    if (!egress_addrs_contains(x->addrs, &a->addr)) {
        snprintf(x->refused, sizeof x->refused,
                 "connection to %s refused: not one of the addresses checked for this request",
                 txt);
        return CURL_SOCKET_BAD;
    }
    if (!egress_class_allowed(c, x->exempt)) {
        snprintf(x->refused, sizeof x->refused, "connection to %s refused: %s", txt, what);
        return CURL_SOCKET_BAD;
    }
    int fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
    return fd < 0 ? CURL_SOCKET_BAD : fd;
}

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    xfer *x = ud;
    size_t len = sz * n;
    size_t room = x->max_body > x->body.len ? x->max_body - x->body.len : 0;
    if (len > room) {
        if (room)
            buf_append(&x->body, p, room);
        x->truncated = true;
        return 0; /* stop the transfer: CURLE_WRITE_ERROR, recognised by `truncated` */
    }
    if (!buf_append(&x->body, p, len))
        return 0;
    return len;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
    xfer *x = ud;
    size_t len = sz * n;
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) { /* a new response (e.g. after 100) */
        free_lines(x->hdrs, x->nhdrs);
        x->hdrs = NULL;
        x->nhdrs = 0;
        x->hdr_bytes = 0;
        return len;
    }
    while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == '\n'))
        len--;
    if (len == 0)
        return sz * n;
    x->hdr_bytes += len;
    if (x->hdr_bytes > EGRESS_MAX_HEADER_BYTES || x->nhdrs >= EGRESS_MAX_RESPONSE_HEADERS) {
        x->hdr_overflow = true;
        return 0;
    }
    if (p[0] == ' ' || p[0] == '\t')
        return sz * n; /* obsolete line folding: ignored */
    x->hdrs = xrealloc(x->hdrs, (x->nhdrs + 1) * sizeof *x->hdrs);
    x->hdrs[x->nhdrs++] = xstrndup(p, len);
    return sz * n;
}

static int on_progress(void *ud, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    (void)a, (void)b, (void)c, (void)d;
    xfer *x = ud;
    return x->cancel && atomic_load(x->cancel) ? 1 : 0;
}

/* The value of header `name` in "Name: value" lines (last one wins), or NULL. */
static const char *header_value(char **h, size_t n, const char *name)
{
    size_t nl = strlen(name);
    const char *v = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strncasecmp(h[i], name, nl) == 0 && h[i][nl] == ':') {
            v = h[i] + nl + 1;
            while (*v == ' ' || *v == '\t')
                v++;
        }
    }
    return v;
}

/* ---------------------------------------------------------------- request validation */

static bool header_name_char(int c)
{
    return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool valid_header(const char *h, char *why, size_t n)
{
    size_t i = 0;
    while (header_name_char((unsigned char)h[i]))
        i++;
    if (i == 0 || h[i] != ':') {
        snprintf(why, n, "request header \"%.60s\" is not \"Name: value\"", h);
        return false;
    }
    static const char *forbidden[] = {"host", "content-length", "transfer-encoding",
                                      "connection", "upgrade", "proxy-connection", "te",
                                      "trailer", "keep-alive"};
    for (size_t k = 0; k < sizeof forbidden / sizeof *forbidden; k++) {
        if (strlen(forbidden[k]) == i && strncasecmp(h, forbidden[k], i) == 0) {
            snprintf(why, n, "request header \"%.*s\" may not be set", (int)i, h);
            return false;
        }
    }
    for (const char *v = h + i + 1; *v; v++) {
        unsigned char c = (unsigned char)*v;
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            snprintf(why, n, "control character in request header \"%.*s\"", (int)i, h);
            return false;
        }
    }
    return true;
}

static bool valid_method(const char *m)
{
    size_t n = strlen(m);
    if (n == 0 || n > 16)
        return false;
    for (size_t i = 0; i < n; i++)
        if (m[i] < 'A' || m[i] > 'Z')
            return false;
    return true;
}

static bool sensitive_header(const char *h)
{
    return strncasecmp(h, "authorization:", 14) == 0 || strncasecmp(h, "cookie:", 7) == 0 ||
           strncasecmp(h, "proxy-authorization:", 20) == 0;
}

/* ---------------------------------------------------------------- the request loop */

typedef struct state {
    const policy_set *caps;
    const egress_request_opts *o;
    egress_response *r;
    uint64_t deadline_ns;
    char *method;
    bool send_body;
    bool drop_sensitive;
    char *origin; /* scheme://host:port of the first request */
    egress_addrs proxy_addrs;
    char *proxy_host;
    bool has_proxy;
} state;

static uint64_t remaining_ms(const state *s)
{
    uint64_t now = util_now_ns();
    return now >= s->deadline_ns ? 0 : (s->deadline_ns - now) / 1000000u;
}

static void report(const state *s, const char *url, const policy_decision *d)
{
    if (s->o->on_decision)
        s->o->on_decision(s->o->decision_ud, url, d);
}

static egress_result fail(state *s, egress_result res, int hop, const char *url,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static egress_result fail(state *s, egress_result res, int hop, const char *url,
                          const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (hop > 0)
        snprintf(s->r->error, sizeof s->r->error, "redirect hop %d (%.150s): %.300s", hop, url, msg);
    else
        snprintf(s->r->error, sizeof s->r->error, "%s", msg);
    s->r->result = res;
    if (url) {
        free(s->r->final_url);
        s->r->final_url = xstrdup(url);
    }
    return res;
}

static egress_result deny_hop(state *s, int hop, const char *url, const char *reason)
{
    policy_decision d;
    memset(&d, 0, sizeof d);
    d.allowed = false;
    snprintf(d.reason, sizeof d.reason, "%s", reason);
    report(s, url, &d);
    return fail(s, EGRESS_DENIED, hop, url, "%s", reason);
}

/* One hop: check, resolve, transfer. Returns EGRESS_OK with *location set (malloc'd) when the
 * response is a redirect to follow. */
static egress_result do_hop(state *s, int hop, const char *url, char **location,
                            char **cur_url)
{
    egress_checked ck;
    *location = NULL;
    if (!egress_check_url(s->caps, url, &ck)) {
        report(s, url, &ck.decision);
        fail(s, EGRESS_DENIED, hop, url, "%s", ck.decision.reason);
        egress_checked_free(&ck);
        return EGRESS_DENIED;
    }
    *cur_url = xstrdup(ck.url);
    egress_addrs addrs;
    bool timed_out = false;
    char why[400];
    uint64_t left = remaining_ms(s);
    if (left == 0) {
        report(s, ck.url, &ck.decision);
        egress_checked_free(&ck);
        return fail(s, EGRESS_TIMEOUT, hop, url, "time limit reached before connecting");
    }
    if (!egress_resolve_checked(ck.host, ck.port, ck.exempt, left, &addrs, &timed_out, why,
                                sizeof why)) {
        egress_result res;
        bool lookup_failed = strstr(why, "DNS lookup") == why || strstr(why, "cannot") == why;
        if (timed_out || lookup_failed)
            report(s, ck.url, &ck.decision); /* allowed; the lookup failed */
        if (timed_out)
            res = fail(s, EGRESS_TIMEOUT, hop, ck.url, "%s", why);
        else if (lookup_failed)
            res = fail(s, EGRESS_NETWORK, hop, ck.url, "%s", why);
        else
            res = deny_hop(s, hop, ck.url, why);
        egress_checked_free(&ck);
        return res;
    }
    report(s, ck.url, &ck.decision);

    /* The origin for credential headers. */
    char *origin = xasprintf("%s://%s:%d", ck.scheme, ck.host, ck.port);
    if (!s->origin)
        s->origin = xstrdup(origin);
    else if (strcmp(origin, s->origin) != 0)
        s->drop_sensitive = true;
    free(origin);

    CURL *h = curl_easy_init();
    if (!h) {
        egress_checked_free(&ck);
        return fail(s, EGRESS_NETWORK, hop, ck.url, "cannot create a libcurl handle");
    }
    xfer x;
    memset(&x, 0, sizeof x);
    x.addrs = &addrs;
    x.proxy = s->has_proxy ? &s->proxy_addrs : NULL;
    x.exempt = ck.exempt;
    x.max_body = s->o->max_response_bytes ? s->o->max_response_bytes
                                          : EGRESS_DEFAULT_MAX_RESPONSE;
    x.cancel = s->o->cancel;

    struct curl_slist *resolve = NULL, *hdrs = NULL;
    if (!ck.host_is_ip) {
        buf rb = BUF_INIT;
        buf_printf(&rb, "%s:%d:", ck.host, ck.port);
        for (size_t i = 0; i < addrs.n; i++) {
            char t[INET6_ADDRSTRLEN];
            egress_addr_text((struct sockaddr *)&addrs.a[i], t, sizeof t);
            buf_printf(&rb, addrs.a[i].ss_family == AF_INET6 ? "%s[%s]" : "%s%s", i ? "," : "",
                       t);
        }
        resolve = curl_slist_append(NULL, rb.data);
        buf_free(&rb);
    }
    if (s->has_proxy) {
        buf rb = BUF_INIT;
        buf_printf(&rb, "%s:%d:", s->proxy_host, s->proxy_addrs.port);
        for (size_t i = 0; i < s->proxy_addrs.n; i++) {
            char t[INET6_ADDRSTRLEN];
            egress_addr_text((struct sockaddr *)&s->proxy_addrs.a[i], t, sizeof t);
            buf_printf(&rb, s->proxy_addrs.a[i].ss_family == AF_INET6 ? "%s[%s]" : "%s%s",
                       i ? "," : "", t);
        }
        resolve = curl_slist_append(resolve, rb.data);
        buf_free(&rb);
    }
    for (size_t i = 0; i < s->o->nheaders; i++) {
        if (s->drop_sensitive && sensitive_header(s->o->headers[i]))
            continue;
        hdrs = curl_slist_append(hdrs, s->o->headers[i]);
    }
    hdrs = curl_slist_append(hdrs, "Expect:");

    char errbuf[CURL_ERROR_SIZE] = "";
    uint64_t connect_ms = s->o->connect_timeout_ms ? s->o->connect_timeout_ms
                                                   : EGRESS_DEFAULT_CONNECT_TIMEOUT_MS;
    if (connect_ms > left)
        connect_ms = left;
    curl_easy_setopt(h, CURLOPT_CURLU, ck.cu);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROXY, s->o->proxy ? s->o->proxy : "");
    /* NOPROXY is always set so that no_proxy from the environment is never read. */
    curl_easy_setopt(h, CURLOPT_NOPROXY, s->has_proxy ? "" : "*");
    curl_easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
    curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &x);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &x);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)left);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)connect_ms);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "boxagent-egress/1");
    if (strcmp(s->method, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(s->method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
        const void *body = s->send_body && s->o->body ? s->o->body : "";
        size_t blen = s->send_body ? s->o->body_len : 0;
        if (s->send_body || strcmp(s->method, "POST") == 0 || strcmp(s->method, "PUT") == 0 ||
            strcmp(s->method, "PATCH") == 0) {
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)blen);
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        }
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, s->method);
    }

    CURLcode rc = curl_easy_perform(h);
    egress_result res = EGRESS_OK;
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    char *ip = NULL;
    if (curl_easy_getinfo(h, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip)
        snprintf(s->r->primary_ip, sizeof s->r->primary_ip, "%s", ip);

    if (rc == CURLE_WRITE_ERROR && x.truncated)
        rc = CURLE_OK;
    if (x.refused[0]) {
        res = deny_hop(s, hop, ck.url, x.refused);
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        res = fail(s, EGRESS_TIMEOUT, hop, ck.url, "time limit reached: %s",
                   errbuf[0] ? errbuf : curl_easy_strerror(rc));
    } else if (rc == CURLE_ABORTED_BY_CALLBACK) {
        res = fail(s, EGRESS_CANCELLED, hop, ck.url, "request cancelled");
    } else if (x.hdr_overflow) {
        res = fail(s, EGRESS_NETWORK, hop, ck.url, "response headers too large");
    } else if (rc != CURLE_OK) {
        res = fail(s, EGRESS_NETWORK, hop, ck.url, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    } else {
        /* Belt and braces: the address curl reports must be one we checked. */
        struct sockaddr_storage ss;
        memset(&ss, 0, sizeof ss);
        bool known = false;
        if (s->r->primary_ip[0]) {
            long port = 0;
            curl_easy_getinfo(h, CURLINFO_PRIMARY_PORT, &port);
            struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
            struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
            if (inet_pton(AF_INET, s->r->primary_ip, &a4->sin_addr) == 1) {
                a4->sin_family = AF_INET;
                a4->sin_port = htons((uint16_t)port);
                known = egress_addrs_contains(x.proxy ? x.proxy : &addrs, (struct sockaddr *)&ss);
            } else if (inet_pton(AF_INET6, s->r->primary_ip, &a6->sin6_addr) == 1) {
                a6->sin6_family = AF_INET6;
                a6->sin6_port = htons((uint16_t)port);
                known = egress_addrs_contains(x.proxy ? x.proxy : &addrs, (struct sockaddr *)&ss);
            }
        }
        if (!known) {
            res = deny_hop(s, hop, ck.url, "response came from an address that was not checked");
        }
    }
    if (res == EGRESS_OK) {
        const char *loc = header_value(x.hdrs, x.nhdrs, "location");
        bool redirect = (status == 301 || status == 302 || status == 303 || status == 307 ||
                         status == 308) && loc && *loc;
        int maxr = s->o->max_redirects < 0 ? EGRESS_DEFAULT_MAX_REDIRECTS : s->o->max_redirects;
        if (redirect && maxr > 0) {
            *location = xstrdup(loc);
            if (status == 303 || ((status == 301 || status == 302) &&
                                  strcmp(s->method, "POST") == 0)) {
                if (strcmp(s->method, "HEAD") != 0) {
                    free(s->method);
                    s->method = xstrdup("GET");
                }
                s->send_body = false;
            }
        }
        /* Record this response as the current last one. */
        s->r->status = status;
        free_lines(s->r->headers, s->r->nheaders);
        s->r->headers = x.hdrs;
        s->r->nheaders = x.nhdrs;
        x.hdrs = NULL;
        x.nhdrs = 0;
        free(s->r->content_type);
        const char *ct = header_value(s->r->headers, s->r->nheaders, "content-type");
        s->r->content_type = ct ? xstrdup(ct) : NULL;
        free(s->r->body);
        s->r->body_len = x.body.len;
        s->r->body = x.body.data ? buf_steal(&x.body) : xstrdup("");
        s->r->truncated = x.truncated;
        free(s->r->final_url);
        s->r->final_url = xstrdup(ck.url);
    }
    buf_free(&x.body);
    free_lines(x.hdrs, x.nhdrs);
    curl_easy_cleanup(h);
    curl_slist_free_all(resolve);
    curl_slist_free_all(hdrs);
    egress_checked_free(&ck);
    return res;
}

/* A configured proxy (never one from the environment): http://, https:// or socks5h:// with
 * an explicit port. It is trusted by configuration: its addresses are not range-checked, and
 * they are the only ones connected to. Target URLs are still checked (capabilities, and
 * address rules on egress's own resolution of the target). */
static bool setup_proxy(state *s, const char *proxy, uint64_t timeout)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL;
    bool ok = false;
    if (!u || curl_url_set(u, CURLUPART_URL, proxy, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK) {
        snprintf(s->r->error, sizeof s->r->error,
                 "proxy \"%.100s\" is not scheme://host:port", proxy);
        goto out;
    }
    if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0 &&
        strcmp(scheme, "socks5h") != 0) {
        snprintf(s->r->error, sizeof s->r->error, "proxy scheme must be http, https or socks5h");
        goto out;
    }
    size_t hl = strlen(host);
    s->proxy_host = (hl > 2 && host[0] == '[') ? xstrndup(host + 1, hl - 2) : xstrdup(host);
    bool to = false;
    char why[400];
    if (!egress_resolve_checked(s->proxy_host, atoi(port), EGRESS_EXEMPT_LITERAL, timeout,
                                &s->proxy_addrs, &to, why, sizeof why)) {
        snprintf(s->r->error, sizeof s->r->error, "proxy: %.400s", why);
        goto out;
    }
    s->has_proxy = true;
    ok = true;
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    if (u)
        curl_url_cleanup(u);
    return ok;
}

egress_result egress_request(const policy_set *caps, const egress_request_opts *o,
                             egress_response *r)
{
    memset(r, 0, sizeof r[0]);
    state s;
    memset(&s, 0, sizeof s);
    s.caps = caps;
    s.o = o;
    s.r = r;
    if (!o || !o->url) {
        snprintf(r->error, sizeof r->error, "no URL");
        return r->result = EGRESS_BAD_REQUEST;
    }
    const char *method = o->method ? o->method : "GET";
    if (!valid_method(method) || strcmp(method, "CONNECT") == 0 ||
        strcmp(method, "TRACE") == 0 || strcmp(method, "TRACK") == 0) {
        snprintf(r->error, sizeof r->error, "invalid HTTP method \"%.40s\"", method);
        return r->result = EGRESS_BAD_REQUEST;
    }
    if (o->nheaders > EGRESS_MAX_HEADERS || (o->nheaders && !o->headers)) {
        snprintf(r->error, sizeof r->error, "too many request headers (at most %d)",
                 EGRESS_MAX_HEADERS);
        return r->result = EGRESS_BAD_REQUEST;
    }
    for (size_t i = 0; i < o->nheaders; i++) {
        if (!o->headers[i] || strlen(o->headers[i]) > 8192) {
            snprintf(r->error, sizeof r->error, "request header %zu missing or too long", i);
            return r->result = EGRESS_BAD_REQUEST;
        }
        if (!valid_header(o->headers[i], r->error, sizeof r->error))
            return r->result = EGRESS_BAD_REQUEST;
    }
    size_t max_body = o->max_request_body ? o->max_request_body : EGRESS_DEFAULT_MAX_REQUEST_BODY;
    if (o->body_len > max_body || (o->body_len && !o->body)) {
        snprintf(r->error, sizeof r->error, "request body of %zu bytes exceeds the limit of %zu",
                 o->body_len, max_body);
        return r->result = EGRESS_BAD_REQUEST;
    }
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) {
        if (o->body_len) {
            snprintf(r->error, sizeof r->error, "%s requests carry no body", method);
            return r->result = EGRESS_BAD_REQUEST;
        }
    }
    egress_curl_init();
    uint64_t timeout = o->timeout_ms ? o->timeout_ms : EGRESS_DEFAULT_TIMEOUT_MS;
    s.deadline_ns = util_now_ns() + timeout * 1000000u;
    if (o->proxy && *o->proxy && !setup_proxy(&s, o->proxy, timeout)) {
        free(s.proxy_host);
        return r->result = EGRESS_BAD_REQUEST;
    }
    s.method = xstrdup(method);
    s.send_body = o->body_len > 0;
    char *url = xstrdup(o->url);
    egress_result res = EGRESS_OK;
    int maxr = o->max_redirects < 0 ? EGRESS_DEFAULT_MAX_REDIRECTS : o->max_redirects;
    for (int hop = 0;; hop++) {
        if (o->cancel && atomic_load(o->cancel)) {
            res = fail(&s, EGRESS_CANCELLED, hop, url, "request cancelled");
            break;
        }
        char *location = NULL, *cur = NULL;
        res = do_hop(&s, hop, url, &location, &cur);
        if (res != EGRESS_OK || !location) {
            free(cur);
            free(location);
            break;
        }
        r->redirects = hop + 1;
        if (hop + 1 > maxr) {
            free(cur);
            res = fail(&s, EGRESS_TOO_MANY_REDIRECTS, hop + 1, location,
                       "more than %d redirects", maxr);
            free(location);
            break;
        }
        /* Resolve Location against the current URL; the result is screened as a new URL. */
        char *next = NULL;
        bool bad = false;
        for (const char *p = location; *p; p++)
            if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '\\')
                bad = true;
        CURLU *base = curl_url();
        if (!bad && base && curl_url_set(base, CURLUPART_URL, cur, 0) == CURLUE_OK &&
            curl_url_set(base, CURLUPART_URL, location, 0) == CURLUE_OK &&
            curl_url_get(base, CURLUPART_URL, &next, 0) == CURLUE_OK) {
            free(url);
            url = xstrdup(next);
            curl_free(next);
        } else {
            res = deny_hop(&s, hop + 1, location,
                           "refused URL form: Location header is not a valid URL reference");
        }
        if (base)
            curl_url_cleanup(base);
        free(cur);
        free(location);
        if (res != EGRESS_OK)
            break;
    }
    free(url);
    free(s.method);
    free(s.origin);
    free(s.proxy_host);
    r->result = res;
    if (!r->body)
        r->body = xstrdup("");
    return res;
}
