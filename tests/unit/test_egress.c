/* test_egress.c — egress_request against real HTTP servers on loopback: allowed fetches,
 * capability and address refusals, redirects checked hop by hop, byte/time/redirect limits,
 * request validation, credential headers across origins, and the per-request audit hook. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egress/egress.h"
#include "support/testsrv.h"
#include "util/util.h"

static testsrv *srv, *srv2;
static int P, P2;

static void setup(void)
{
    srv = testsrv_start("127.0.0.1", 0);
    srv2 = testsrv_start("127.0.0.1", 0);
    cr_assert(srv && srv2, "test server did not start");
    P = testsrv_port(srv);
    P2 = testsrv_port(srv2);
}

static void teardown(void)
{
    testsrv_stop(srv);
    testsrv_stop(srv2);
}

TestSuite(egress, .init = setup, .fini = teardown, .timeout = 60);

/* A capability set from lines with %d replaced by P and %e by P2. */
static policy_set *caps(const char *const *lines, size_t n)
{
    policy_set *p = policy_new("/tmp");
    cr_assert(p);
    for (size_t i = 0; i < n; i++) {
        char line[512], *o = line;
        for (const char *s = lines[i]; *s; s++) {
            if (s[0] == '%' && s[1] == 'd') {
                o += sprintf(o, "%d", P);
                s++;
            } else if (s[0] == '%' && s[1] == 'e') {
                o += sprintf(o, "%d", P2);
                s++;
            } else {
                *o++ = *s;
            }
        }
        *o = 0;
        policy_error err;
        cr_assert(policy_add_line(p, line, (int)i + 1, &err), "cap %s: %s", line, err.message);
    }
    return p;
}
#define CAPS(...) caps((const char *const[]){__VA_ARGS__}, \
                       sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

typedef struct log {
    int n, allowed, denied;
    char last_url[512];
    char last_reason[320];
} log;

static void on_dec(void *ud, const char *url, const policy_decision *d)
{
    log *l = ud;
    l->n++;
    if (d->allowed)
        l->allowed++;
    else
        l->denied++;
    snprintf(l->last_url, sizeof l->last_url, "%s", url);
    snprintf(l->last_reason, sizeof l->last_reason, "%s", d->reason);
}

static egress_result fetch(policy_set *p, const char *url, egress_response *r, log *l)
{
    egress_request_opts o = {0};
    o.url = url;
    o.max_redirects = -1;
    o.timeout_ms = 10000;
    o.on_decision = on_dec;
    o.decision_ud = l;
    return egress_request(p, &o, r);
}

static char *u(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *u(const char *fmt, ...)
{
    static char bufs[4][1024];
    static int k;
    char *b = bufs[k++ & 3];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, 1024, fmt, ap);
    va_end(ap);
    return b;
}

Test(egress, allowed_literal_loopback)
{
    policy_set *p = CAPS("fetch:http://127.0.0.1:%d");
    egress_response r;
    log l = {0};
    cr_assert_eq(fetch(p, u("http://127.0.0.1:%d/hello", P), &r, &l), EGRESS_OK, "%s", r.error);
    cr_expect_eq(r.status, 200);
    cr_expect_str_eq(r.body, "hello world\n");
    cr_expect_str_eq(r.primary_ip, "127.0.0.1");
    cr_expect(r.content_type && strstr(r.content_type, "text/plain"));
    cr_expect_not(r.truncated);
    cr_expect_eq(l.n, 1);
    cr_expect_eq(l.allowed, 1);
    cr_expect(strstr(l.last_reason, "allowed by fetch:http://127.0.0.1"), "%s", l.last_reason);
    egress_response_free(&r);
    policy_free(p);
}

Test(egress, no_capability_no_connection)
{
    policy_set *p = CAPS("read:.");
    egress_response r;
    log l = {0};
    cr_assert_eq(fetch(p, u("http://127.0.0.1:%d/hello", P), &r, &l), EGRESS_DENIED);
    cr_expect(strstr(r.error, "no fetch: capability"), "%s", r.error);
    cr_expect_eq(testsrv_hits(srv), 0);
    cr_expect_eq(l.denied, 1);
    egress_response_free(&r);
    policy_free(p);
}

Test(egress, star_never_reaches_loopback)
{
    policy_set *p = CAPS("fetch:http://*:%d", "fetch:https://*");
    egress_response r;
    log l = {0};
    cr_assert_eq(fetch(p, u("http://127.0.0.1:%d/hello", P), &r, &l), EGRESS_DENIED);
    cr_expect(strstr(r.error, "loopback"), "%s", r.error);
    egress_response_free(&r);
    cr_assert_eq(fetch(p, u("http://[::1]:%d/hello", P), &r, &l), EGRESS_DENIED);
    cr_expect(strstr(r.error, "loopback (::1)"), "%s", r.error);
    egress_response_free(&r);
    cr_assert_eq(fetch(p, u("http://[::ffff:127.0.0.1]:%d/hello", P), &r, &l), EGRESS_DENIED);
    cr_expect(strstr(r.error, "IPv4-mapped"), "%s", r.error);
    egress_response_free(&r);
    cr_assert_eq(fetch(p, u("http://localhost:%d/hello", P), &r, &l), EGRESS_DENIED);
    cr_expect(strstr(r.error, "loopback"), "%s", r.error);
    egress_response_free(&r);
    cr_expect_eq(testsrv_hits(srv), 0);
    cr_expect_eq(l.denied, 4);
    policy_free(p);
}

Test(egress, star_without_port_matches_default_port_only)
{
    policy_set *p = CAPS("fetch:http://*");
    egress_response r;
    log l = {0};
    cr_assert_eq(fetch(p, u("http://127.0.0.1:%d/hello", P), &r, &l), EGRESS_DENIED);
    cr_expect(strstr(r.error, "no fetch: capability"), "%s", r.error);
    cr_expect_eq(testsrv_hits(srv), 0);
    egress_response_free(&r);
    policy_free(p);
}

Test(egress, localhost_capability_grants_loopback)
{
    policy_set *p = CAPS("fetch:http://localhost:%d");
    egress_response r;
    log l = {0};
    cr_assert_eq(fetch(p, u("http://localhost:%d/hello", P), &r, &l), EGRESS_OK, "%s", r.error);
    cr_expect_str_eq(r.body, "hello world\n");
    egress_response_free(&r);
    /* ... but not the IP literal, which no capability names */
    cr_assert_eq(fetch(p, u("http://127.0.0.1:%d/hello", P), &r, &l), EGRESS_DENIED);
    egress_response_free(&r);
    policy_free(p);
}

Test(egress, path_prefix_on_segment_boundary)
{
    policy_set *p = CAPS("fetch:http://127.0.0.1:%d/echo");
    egress_response r;
    log l = {0};
    cr_expect_eq(fetch(p, u("http://127.0.0.1:%d/echo/x", P), &r, &l), EGRESS_OK, "%s", r.error);
    egress_response_free(&r);
    cr_expect_eq(fetch(p, u("http://127.0.0.1:%d/echox", P), &r, &l), EGRESS_DENIED);
    egress_response_free(&r);
    cr_expect_eq(fetch(p, u("http://127.0.0.1:%d/echo/../hello", P), &r, &l), EGRESS_DENIED);
    egress_response_free(&r);
    cr_expect_eq(fetch(p, u("http://127.0.0.1:%d/hello", P), &r, &l), EGRESS_DENIED);
    egress_response_free(&r);
    cr_expect_eq(testsrv_hits(srv), 1);
    policy_free(p);
}

Test(egress, redirect_within_caps_is_followed_and_each_hop_audited)
{
    policy_set *p = CAPS("fetch:http://127.0.0.1:%d");
    egress_response r;
    log l = {0};
    cr_assert_eq(fetch(p, u("http://127.0.0.1:%d/redirect?to=/hello", P), &r, &l), EGRESS_OK,
                 "%s", r.error);
    cr_expect_eq(r.status, 200);
    cr_expect_eq(r.redirects, 1);
    cr_expect_str_eq(r.body, "hello world\n");
    cr_expect(strstr(r.final_url, "/hello"), "%s", r.final_url);
    cr_expect_eq(l.allowed, 2);
    egress_response_free(&r);
    policy_free(p);
}

Test(egress, redirect_to_blocked_hosts_refused_at_that_hop)
{
    policy_set *p = CAPS("fetch:http://127.0.0.1:%d", "fetch:http://*");
    static const char *targets[] = {
        "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[::1]/",
        "http://localhost/", "http://[::ffff:169.254.169.254]/", "http://100.64.0.1/",
        "file:///etc/passwd", "ftp://127.0.0.1/", "http://127.0.0.1:1/",
        "gopher://127.0.0.1:70/", "http://0.0.0.0/", "http://[fd00:ec2::254]/",
    };
    for (size_t i = 0; i < sizeof targets / sizeof *targets; i++) {
        egress_response r;
        log l = {0};
        char enc[256], *o = enc;
        for (const char *s = targets[i]; *s; s++)
            o += isalnum((unsigned char)*s) ? sprintf(o, "%c", *s)
                                            : sprintf(o, "%%%02X", (unsigned char)*s);
        egress_result res = fetch(p, u("http://127.0.0.1:%d/redirect?to=%s", P, enc), &r, &l);
        cr_expect_eq(res, EGRESS_DENIED, "%s: %s", targets[i], egress_result_name(res));
        cr_expect(strstr(r.error, "redirect hop 1"), "%s: %s", targets[i], r.error);
        cr_expect_eq(l.allowed, 1, "%s", targets[i]);
        cr_expect_eq(l.denied, 1, "%s", targets[i]);
        egress_response_free(&r);
    }
    policy_free(p);
}

Test(egress, redirect_chain_refused_at_the_blocked_hop)
{
    policy_set *p = CAPS("fetch:http://127.0.0.1:%d", "fetch:http://127.0.0.1:%e",
                         "fetch:https://*");
    egress_response r;
    log l = {0};
    /* hop 1 -> srv (allowed), hop 2 -> https://192.168.1.1 (a private address) */
    char l3[256], l2[512], l1[2048];
    snprintf(l3, sizeof l3, "https://192.168.1.1/");
    char e3[256], *o = e3;
    for (const char *s = l3; *s; s++)
        o += sprintf(o, "%%%02X", (unsigned char)*s);
    snprintf(l2, sizeof l2, "http://127.0.0.1:%d/redirect?to=%s", P, e3);
    char e2[1536];
    o = e2;
    for (const char *s = l2; *s; s++)
        o += sprintf(o, "%%%02X", (unsigned char)*s);
    snprintf(l1, sizeof l1, "http://127.0.0.1:%d/redirect?to=%s", P2, e2);
    cr_assert_eq(fetch(p, l1, &r, &l), EGRESS_DENIED, "%s", r.error);
    cr_expect(strstr(r.error, "redirect hop 2"), "%s", r.error);
    cr_expect(strstr(r.error, "192.168.1.1"), "%s", r.error);
    cr_expect(strstr(r.error, "private"), "%s", r.error);
    cr_expect_eq(l.allowed, 2);
    cr_expect_eq(l.denied, 1);
    cr_expect(strstr(l.last_url, "192.168.1.1"), "%s", l.last_url);
    egress_response_free(&r);
    policy_free(p);
}

Test(egress, too_many_redirects)
{
    policy_set *p = CAPS("fetch:http://127.0.0.1:%d");
    egress_request_opts o = {0};
    o.url = u("http://127.0.0.1:%d/loop", P);
    o.max_redirects = 3;
    egress_response r;
    cr_assert_eq(egress_request(p, &o, &r), EGRESS_TOO_MANY_REDIRECTS, "%s", r.error);
    cr_expect_eq(testsrv_hits(srv), 4);
    egress_response_free(&r);
    /* default is 10 */
    o.max_redirects = -1;
    cr_assert_eq(egress_request(p, &o, &r), EGRESS_TOO_MANY_REDIRECTS, "%s", r.error);
    cr_expect_eq(testsrv_hits(srv), 4 + 11);
    egress_response_free(&r);
    /* 0: the 3xx is returned as is */
    o.max_redirects = 0;
    cr_assert_eq(egress_request(p, &o, &r), EGRESS_OK, "%s", r.error);
    cr_expect_eq(r.status, 302);
    egress_response_free(&r);
    policy_free(p);
}

Test(egress, endless_stream_cut_at_byte_limit)
{
    policy_set *p = CAPS("fetch:http://127.0.0.1:%d");
    egress_request_opts o = {0};
    o.url = u("http://127.0.0.1:%d/stream", P);
    o.max_response_bytes = 100000;
    egress_response r;
    cr_assert_eq(egress_request(p, &o, &r), EGRESS_OK, "%s", r.error);
    cr_expect(r.truncated);
    cr_expect_eq(r.body_len, 100000);
    cr_expect_eq(r.body[0], 'z');
    egress_response_free(&r);
    policy_free(p);
}

Test(egress, never_answering_server_cut_at_time_limit)
{
    policy_set *p = CAPS("fetch:http://127.0.0.1:%d");
    egress_request_opts o = {0};
    o.url = u("http://127.0.0.1:%d/hang", P);
    o.timeout_ms = 400;
    egress_response r;
    cr_assert_eq(egress_request(p, &o, &r), EGRESS_TIMEOUT, "%s", r.error);
    cr_expect(strstr(r.error, "time"), "%s", r.error);
    egress_response_free(&r);
    policy_free(p);
}

Test(egress, exact_body_limit_is_not_truncation)
{
    policy_set *p = CAPS("fetch:http://127.0.0.1:%d");
    egress_request_opts o = {0};
    o.url = u("http://127.0.0.1:%d/text?n=5000", P);
    o.max_response_bytes = 5000;
    egress_response r;
    cr_assert_eq(egress_request(p, &o, &r), EGRESS_OK, "%s", r.error);
    cr_expect_not(r.truncated);
    cr_expect_eq(r.body_len, 5000);
    egress_response_free(&r);
    o.max_response_bytes = 4999;
    cr_assert_eq(egress_request(p, &o, &r), EGRESS_OK, "%s", r.error);
    cr_expect(r.truncated);
    cr_expect_eq(r.body_len, 4999);
    egress_response_free(&r);
    policy_free(p);
}

Test(egress, post_with_body_and_headers)
{
    policy_set *p = CAPS("fetch:http://127.0.0.1:%d");
    const char *h[] = {"X-Test: yes", "Content-Type: text/plain"};
    egress_request_opts o = {0};
    o.url = u("http://127.0.0.1:%d/echo", P);
    o.method = "POST";
    o.headers = h;
    o.nheaders = 2;
    o.body = "payload";
    o.body_len = 7;
    egress_response r;
    cr_assert_eq(egress_request(p, &o, &r), EGRESS_OK, "%s", r.error);
    cr_expect(strstr(r.body, "POST /echo\n"), "%s", r.body);
    cr_expect(strstr(r.body, "X-Test: yes"), "%s", r.body);
    cr_expect(strstr(r.body, "\n\npayload"), "%s", r.body);
    egress_response_free(&r);
    policy_free(p);
}

Test(egress, bad_requests_refused_before_any_connection)
{
    policy_set *p = CAPS("fetch:http://127.0.0.1:%d");
    egress_request_opts o = {0};
    egress_response r;
    o.url = u("http://127.0.0.1:%d/echo", P);
    const char *bad[][1] = {{"Host: evil.com"},         {"X-A: b\r\nX-Injected: 1"},
                            {"Transfer-Encoding: chunked"}, {"no colon"},
                            {": empty"},                {"X A: b"},
                            {"Content-Length: 5"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        o.headers = bad[i];
        o.nheaders = 1;
        cr_expect_eq(egress_request(p, &o, &r), EGRESS_BAD_REQUEST, "%s", bad[i][0]);
        egress_response_free(&r);
    }
    o.headers = NULL;
    o.nheaders = 0;
    o.method = "get me";
    cr_expect_eq(egress_request(p, &o, &r), EGRESS_BAD_REQUEST);
    egress_response_free(&r);
    o.method = "POST";
    char big[100];
    memset(big, 'a', sizeof big);
    o.body = big;
    o.body_len = sizeof big;
    o.max_request_body = 99;
    cr_expect_eq(egress_request(p, &o, &r), EGRESS_BAD_REQUEST);
    cr_expect(strstr(r.error, "exceeds"), "%s", r.error);
    egress_response_free(&r);
    o.method = "GET";
    o.max_request_body = 0;
    cr_expect_eq(egress_request(p, &o, &r), EGRESS_BAD_REQUEST);
    egress_response_free(&r);
    cr_expect_eq(testsrv_hits(srv), 0);
    policy_free(p);
}

Test(egress, credentials_dropped_on_cross_origin_redirect)
{
    policy_set *p = CAPS("fetch:http://127.0.0.1:%d", "fetch:http://127.0.0.1:%e");
    const char *h[] = {"Authorization: Bearer SECRET", "Cookie: c=SECRET", "X-Keep: 1"};
    egress_request_opts o = {0};
    o.headers = h;
    o.nheaders = 3;
    o.max_redirects = -1;
    egress_response r;
    o.url = u("http://127.0.0.1:%d/redirect?to=http%%3A%%2F%%2F127.0.0.1%%3A%d%%2Fecho", P, P2);
    cr_assert_eq(egress_request(p, &o, &r), EGRESS_OK, "%s", r.error);
    cr_expect_null(strstr(r.body, "SECRET"), "%s", r.body);
    cr_expect(strstr(r.body, "X-Keep: 1"), "%s", r.body);
    egress_response_free(&r);
    o.url = u("http://127.0.0.1:%d/redirect?to=/echo", P);
    cr_assert_eq(egress_request(p, &o, &r), EGRESS_OK, "%s", r.error);
    cr_expect(strstr(r.body, "Bearer SECRET"), "%s", r.body);
    egress_response_free(&r);
    policy_free(p);
}

Test(egress, see_other_turns_post_into_get)
{
    policy_set *p = CAPS("fetch:http://127.0.0.1:%d");
    egress_request_opts o = {0};
    o.url = u("http://127.0.0.1:%d/redirect?to=/echo&code=303", P);
    o.method = "POST";
    o.body = "data";
    o.body_len = 4;
    o.max_redirects = -1;
    egress_response r;
    cr_assert_eq(egress_request(p, &o, &r), EGRESS_OK, "%s", r.error);
    cr_expect(strncmp(r.body, "GET /echo", 9) == 0, "%s", r.body);
    egress_response_free(&r);
    o.url = u("http://127.0.0.1:%d/redirect?to=/echo&code=307", P);
    cr_assert_eq(egress_request(p, &o, &r), EGRESS_OK, "%s", r.error);
    cr_expect(strncmp(r.body, "POST /echo", 10) == 0, "%s", r.body);
    cr_expect(strstr(r.body, "\n\ndata"), "%s", r.body);
    egress_response_free(&r);
    policy_free(p);
}

Test(egress, connection_refused_is_a_network_error)
{
    policy_set *p = CAPS("fetch:http://127.0.0.1:1");
    egress_response r;
    log l = {0};
    cr_assert_eq(fetch(p, "http://127.0.0.1:1/", &r, &l), EGRESS_NETWORK, "%s", r.error);
    egress_response_free(&r);
    policy_free(p);
}

Test(egress, cancelled_before_start)
{
    policy_set *p = CAPS("fetch:http://127.0.0.1:%d");
    atomic_bool cancel = true;
    egress_request_opts o = {0};
    o.url = u("http://127.0.0.1:%d/hello", P);
    o.cancel = &cancel;
    egress_response r;
    cr_assert_eq(egress_request(p, &o, &r), EGRESS_CANCELLED, "%s", r.error);
    egress_response_free(&r);
    policy_free(p);
}

Test(egress, proxy_environment_is_ignored)
{
    setenv("http_proxy", "http://127.0.0.1:1", 1);
    setenv("HTTP_PROXY", "http://127.0.0.1:1", 1);
    setenv("ALL_PROXY", "http://127.0.0.1:1", 1);
    policy_set *p = CAPS("fetch:http://127.0.0.1:%d");
    egress_response r;
    log l = {0};
    cr_assert_eq(fetch(p, u("http://127.0.0.1:%d/hello", P), &r, &l), EGRESS_OK, "%s", r.error);
    cr_expect_str_eq(r.body, "hello world\n");
    egress_response_free(&r);
    policy_free(p);
}

Test(egress, null_inputs_are_errors_not_crashes)
{
    egress_response r;
    cr_expect_eq(egress_request(NULL, NULL, &r), EGRESS_BAD_REQUEST);
    egress_response_free(&r);
    egress_request_opts o = {0};
    o.url = u("http://127.0.0.1:%d/hello", P);
    cr_expect_eq(egress_request(NULL, &o, &r), EGRESS_DENIED);
    egress_response_free(&r);
    cr_expect_eq(testsrv_hits(srv), 0);
}

static void *cancel_later(void *arg)
{
    usleep(200000);
    atomic_store((atomic_bool *)arg, true);
    return NULL;
}

Test(egress, cancelled_while_waiting)
{
    policy_set *p = CAPS("fetch:http://127.0.0.1:%d");
    atomic_bool cancel = false;
    egress_request_opts o = {0};
    o.url = u("http://127.0.0.1:%d/hang", P);
    o.cancel = &cancel;
    o.timeout_ms = 20000;
    pthread_t t;
    pthread_create(&t, NULL, cancel_later, &cancel);
    egress_response r;
    cr_expect_eq(egress_request(p, &o, &r), EGRESS_CANCELLED, "%s", r.error);
    pthread_join(t, NULL);
    egress_response_free(&r);
    policy_free(p);
}

Test(egress, configured_proxy_is_used_and_env_no_proxy_ignored)
{
    setenv("no_proxy", "*", 1);
    setenv("NO_PROXY", "*", 1);
    policy_set *p = CAPS("fetch:http://127.0.0.1:%d");
    egress_request_opts o = {0};
    o.url = u("http://127.0.0.1:%d/hello", P);
    o.proxy = u("http://127.0.0.1:%d", P2);
    egress_response r;
    /* srv2 plays the proxy: it receives the absolute-form request and answers 404 */
    cr_assert_eq(egress_request(p, &o, &r), EGRESS_OK, "%s", r.error);
    cr_expect_eq(r.status, 404);
    cr_expect_eq(testsrv_hits(srv2), 1);
    cr_expect_eq(testsrv_hits(srv), 0);
    egress_response_free(&r);
    /* the capability check still applies to the target */
    o.url = u("http://127.0.0.1:%d/hello", P2);
    cr_expect_eq(egress_request(p, &o, &r), EGRESS_DENIED, "%s", r.error);
    egress_response_free(&r);
    const char *badp[] = {"127.0.0.1", "ftp://127.0.0.1:21", "http://127.0.0.1", "http://:8"};
    for (size_t i = 0; i < 4; i++) {
        o.url = u("http://127.0.0.1:%d/hello", P);
        o.proxy = badp[i];
        cr_expect_eq(egress_request(p, &o, &r), EGRESS_BAD_REQUEST, "%s", badp[i]);
        egress_response_free(&r);
    }
    policy_free(p);
}

Test(egress, dangerous_methods_refused)
{
    policy_set *p = CAPS("fetch:http://127.0.0.1:%d");
    const char *m[] = {"CONNECT", "TRACE", "TRACK", "get", "G ET", "", "VERYLONGMETHODNAMEXX"};
    for (size_t i = 0; i < sizeof m / sizeof *m; i++) {
        egress_request_opts o = {0};
        o.url = u("http://127.0.0.1:%d/echo", P);
        o.method = m[i];
        egress_response r;
        cr_expect_eq(egress_request(p, &o, &r), EGRESS_BAD_REQUEST, "%s", m[i]);
        egress_response_free(&r);
    }
    egress_request_opts o = {0};
    o.url = u("http://127.0.0.1:%d/echo", P);
    o.method = "DELETE";
    egress_response r;
    cr_expect_eq(egress_request(p, &o, &r), EGRESS_OK, "%s", r.error);
    cr_expect(strncmp(r.body, "DELETE /echo", 12) == 0, "%s", r.body);
    egress_response_free(&r);
    cr_expect_eq(testsrv_hits(srv), 1);
    policy_free(p);
}

/* A listener whose accept queue is full: further SYNs are dropped, so connect() hangs. */
Test(egress, connect_timeout)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert(bind(l, (struct sockaddr *)&a, sizeof a) == 0 && listen(l, 0) == 0);
    socklen_t al = sizeof a;
    getsockname(l, (struct sockaddr *)&a, &al);
    int port = ntohs(a.sin_port);
    int fill[8];
    for (int i = 0; i < 8; i++) {
        fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        connect(fill[i], (struct sockaddr *)&a, sizeof a);
    }
    char cap[64];
    snprintf(cap, sizeof cap, "fetch:http://127.0.0.1:%d", port);
    policy_set *p = policy_new("/tmp");
    policy_error e;
    cr_assert(policy_add_line(p, cap, 1, &e));
    egress_request_opts o = {0};
    o.url = u("http://127.0.0.1:%d/", port);
    o.connect_timeout_ms = 300;
    o.timeout_ms = 20000;
    egress_response r;
    egress_result res = egress_request(p, &o, &r);
    cr_expect_eq(res, EGRESS_TIMEOUT, "%s: %s", egress_result_name(res), r.error);
    cr_expect(strstr(r.error, "onnect"), "%s", r.error);
    egress_response_free(&r);
    policy_free(p);
    for (int i = 0; i < 8; i++)
        close(fill[i]);
    close(l);
}
