/* gw_http.c — libmicrohttpd glue: request bodies with a size limit, routing, replies,
 * security headers, and the server's start and graceful shutdown. */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gateway/gateway.h"
#include "gateway/gw_internal.h"
#include "gateway/gw_live.h"
#include "util/util.h"

gw_reply gw_json(unsigned status, json_t *j)
{
    gw_reply r = {.status = status, .json = j};
    return r;
}

gw_reply gw_error(unsigned status, const char *code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *j = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg);
    return gw_json(status, j);
}

const char *gw_header(const gw_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *gw_query(const gw_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

bool gw_valid_id(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
        if (n >= 64) return false;
    }
    return n > 0;
}

json_t *gw_body_object(const gw_request *r, gw_reply *err)
{
    if (!r->body.len) {
        *err = gw_error(400, "bad_request", "request body must be a JSON object");
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        *err = gw_error(400, "bad_json", "malformed JSON body at line %d column %d: %s", je.line,
                        je.column, je.text);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        *err = gw_error(400, "bad_request", "request body must be a JSON object");
        return NULL;
    }
    return j;
}

/* ------------------------------------------------------------------ routing */

static bool state_changing(const char *method)
{
    return strcmp(method, "GET") && strcmp(method, "HEAD") && strcmp(method, "OPTIONS");
}

static gw_reply route(gw_request *r)
{
    if (!gw_host_ok(r)) return gw_error(421, "bad_host", "Host header does not name this server");
    const char *p = r->path;
    if (strncmp(p, "/api/", 5)) {
        if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD"))
            return gw_error(405, "method_not_allowed", "%s not allowed on %s", r->method, p);
        return gw_static(r);
    }
    if (strncmp(p, "/api/v1/", 8) && strcmp(p, "/api/v1"))
        return gw_error(404, "not_found", "unknown API version in %s (this server speaks /api/v1)", p);
    const char *rest = p + 7; /* "/..." or "" */
    if (!strcmp(r->method, "OPTIONS"))
        return gw_error(405, "method_not_allowed", "cross-origin requests are not served");
    /* State-changing requests and event streams must come from our own origin. */
    bool stream = strstr(rest, "/events") != NULL;
    if ((state_changing(r->method) || stream) && !gw_origin_ok(r))
        return gw_error(403, "bad_origin", "request from another origin refused");
    if (!strcmp(rest, "/health")) return gw_json(200, json_pack("{s:s}", "status", "ok"));
    if (!strcmp(rest, "/login")) {
        if (strcmp(r->method, "POST")) return gw_error(405, "method_not_allowed", "use POST");
        return gw_login(r);
    }
    if (!gw_auth_check(r))
        return gw_error(401, "unauthorized", "authentication required (bearer token or login)");
    if (!strcmp(rest, "/logout")) return gw_logout(r);
    if (!strcmp(rest, "/sessions") || !strncmp(rest, "/sessions/", 10))
        return gw_api_sessions(r, rest + 9);
    if (!strcmp(rest, "/agents") || !strncmp(rest, "/agents/", 8))
        return gw_api_agents(r, rest + 7);
    if (!strcmp(rest, "/audit") || !strncmp(rest, "/audit/", 7)) return gw_api_audit(r, rest + 6);
    if (!strcmp(rest, "/usage")) return gw_api_usage(r);
    if (!strcmp(rest, "/me")) return gw_json(200, json_pack("{s:b}", "authenticated", 1));
    return gw_error(404, "not_found", "no API endpoint %s %s", r->method, p);
}

static void add_security_headers(struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; script-src 'self'; style-src 'self'; "
                            "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
                            "base-uri 'none'; form-action 'self'");
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, gw_reply *rep)
{
    struct MHD_Response *resp = rep->resp;
    if (!resp) {
        char *text = rep->json ? json_dumps(rep->json, JSON_COMPACT) : NULL;
        if (!text) text = xstrdup("{}");
        resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
        MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
    }
    json_decref(rep->json);
    add_security_headers(resp);
    const char *cookie = rep->owned_cookie ? rep->owned_cookie : rep->set_cookie;
    if (cookie) MHD_add_response_header(resp, "Set-Cookie", cookie);
    enum MHD_Result ret = MHD_queue_response(conn, rep->status, resp);
    MHD_destroy_response(resp);
    free(rep->owned_cookie);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    (void)version;
    gw_server *gw = cls;
    gw_request *r = *con_cls;
    if (!r) {
        r = xcalloc(1, sizeof *r);
        r->gw = gw;
        r->conn = conn;
        r->method = method;
        r->path = url;
        *con_cls = r;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        uint64_t n;
        if (cl && util_parse_u64(cl, &n) && n > GW_MAX_BODY) r->body_too_big = true;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->body_too_big && r->body.len + *upload_size <= GW_MAX_BODY)
            buf_append(&r->body, upload_data, *upload_size);
        else
            r->body_too_big = true;
        *upload_size = 0;
        return MHD_YES;
    }
    gw_reply rep;
    if (r->body_too_big)
        rep = gw_error(413, "too_large", "request body exceeds %d bytes", GW_MAX_BODY);
    else if (gw->shutting_down)
        rep = gw_error(503, "shutting_down", "the server is shutting down");
    else
        rep = route(r);
    return send_reply(conn, &rep);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)conn, (void)toe;
    gw_request *r = *con_cls;
    if (!r) return;
    buf_free(&r->body);
    free(r);
    *con_cls = NULL;
}

/* ------------------------------------------------------------------ lifecycle */

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static bool is_loopback_host(const char *h)
{
    return !strcmp(h, "127.0.0.1") || !strcmp(h, "localhost") || !strcmp(h, "::1") ||
           !strncmp(h, "127.", 4);
}

static bool parse_bind(const char *host, unsigned port, struct sockaddr_storage *ss,
                       socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    const char *h = !strcmp(host, "localhost") ? "127.0.0.1" : host;
    if (inet_pton(AF_INET, h, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        *len = sizeof *in4;
        return true;
    }
    if (inet_pton(AF_INET6, h, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        *len = sizeof *in6;
        return true;
    }
    return false;
}

int gateway_serve(const gateway_options *o)
{
    gw_server gw = {0};
    const char *host = o->host ? o->host : "127.0.0.1";
    gw.workspace = xstrdup(o->workspace);
    gw.state_dir = xasprintf("%s/.boxagent", o->workspace);
    gw.host = xstrdup(host);
    gw.web_dir = o->web_dir ? xstrdup(o->web_dir) : NULL;
    pthread_mutex_init(&gw.lock, NULL);
    int rc = 1;
    struct MHD_Daemon *d = NULL;

    struct sockaddr_storage ss;
    socklen_t sslen;
    if (!parse_bind(host, o->port, &ss, &sslen)) {
        fprintf(stderr, "boxagent serve: --host must be an IP address, got '%s'\n", host);
        goto out;
    }
    if (mkdir(gw.state_dir, 0700) < 0 && errno != EEXIST) {
        fprintf(stderr, "boxagent serve: cannot create %s: %s\n", gw.state_dir, strerror(errno));
        goto out;
    }
    if (!gw_auth_init(&gw)) goto out;
    if (!is_loopback_host(host) && getenv("BOXAGENT_ALLOW_REMOTE") == NULL) {
        fprintf(stderr,
                "boxagent serve: refusing to listen on non-loopback address %s: the API drives "
                "agents; bind to 127.0.0.1 or set BOXAGENT_ALLOW_REMOTE=1 behind TLS\n",
                host);
        goto out;
    }
    gw.live = gw_live_new(&gw);
    if (!gw.live) goto out;

    d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                             MHD_USE_ITC | MHD_USE_ERROR_LOG |
                             (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
                         (uint16_t)o->port, NULL, NULL, on_request, &gw,
                         MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                         MHD_OPTION_NOTIFY_COMPLETED, on_completed, &gw,
                         /* Idle or half-sent requests hold a thread each: drop them after
                            30 s (event streams send a keep-alive every 15 s), and allow many
                            small-stacked connection threads. */
                         MHD_OPTION_CONNECTION_LIMIT, (unsigned)2048,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                         MHD_OPTION_THREAD_STACK_SIZE, (size_t)(256 * 1024),
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024), MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "boxagent serve: cannot listen on %s:%u: %s\n", host, o->port,
                strerror(errno));
        goto out;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    gw.port = info ? info->port : o->port;
    const char *fmt_host = strchr(host, ':') ? "[%s]" : "%s";
    char hostpart[80];
    snprintf(hostpart, sizeof hostpart, fmt_host, host);
    if (!o->quiet)
        printf("boxagent serve: dashboard at http://%s:%u/#token=%s\n", hostpart, gw.port,
               gw.token);
    else
        printf("boxagent serve: listening on http://%s:%u/\n", hostpart, gw.port);
    fflush(stdout);

    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    while (!stop_requested) pause();

    fprintf(stderr, "boxagent serve: shutting down\n");
    gw.shutting_down = 1;
    MHD_socket lsock = MHD_quiesce_daemon(d);
    if (lsock != MHD_INVALID_SOCKET) close(lsock);
    gw_live_shutdown(gw.live, o->shutdown_ms ? o->shutdown_ms : 10000);
    rc = 0;
out:
    if (d) MHD_stop_daemon(d);
    if (gw.live) gw_live_free(gw.live);
    gw_auth_free(&gw);
    pthread_mutex_destroy(&gw.lock);
    free(gw.workspace);
    free(gw.state_dir);
    free(gw.host);
    free(gw.web_dir);
    return rc;
}
